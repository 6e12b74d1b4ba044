"""Nabo: the application core (configuration, store, languages, scheduling)."""
