"""Conversations that never steal each other's messages."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import ConversationHandler


class LatestConversation(ConversationHandler[Any]):
    """A conversation that steps aside when the same person starts another one.

    Several conversations wait for typed text; without this, text meant for a new
    broadcast could land in an activity left half-written a minute ago, or feedback
    in a reply to the team. ``flows`` is shared by all conversations: user id → the
    conversation started last, which alone gets that person's messages.
    """

    def __init__(self, flows: dict[int, str], **kwargs: Any) -> None:
        """Build the conversation; ``name`` is required, to tell the conversations apart."""
        super().__init__(**kwargs)
        if not self.name:
            raise ValueError("a LatestConversation needs a name")
        self._flows = flows

    def check_update(self, update: object) -> Any:
        """Match only while this is the staff member's latest conversation."""
        result = super().check_update(update)
        if not result or not isinstance(update, Update) or update.effective_user is None:
            return result
        handler = result[2]
        user_id = update.effective_user.id
        if handler in self.entry_points:
            self._flows[user_id] = self.name  # type: ignore[assignment]
            return result
        if self._flows.get(user_id, self.name) != self.name:
            return None
        return result
