"""Nabo's user journeys: one module per journey, each exposing ``register(application)``."""
