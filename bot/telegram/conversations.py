"""Conversations that never steal each other's messages."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import ConversationHandler

from bot.telegram.context import NaboApplication


class LatestConversation(ConversationHandler[Any]):
    """A conversation that steps aside when the same person starts another one.

    Several conversations wait for typed text; without this, text meant for a new
    broadcast could land in an activity left half-written a minute ago, or feedback
    in a reply to the team. ``flows`` is shared by all conversations: user id → the
    conversation started last, which alone gets that person's messages.
    """

    def __init__(self, flows: dict[int, str], *, name: str, **kwargs: Any) -> None:
        """Build the conversation; ``name`` is required, to tell the conversations apart."""
        super().__init__(name=name, **kwargs)
        if not name:
            raise ValueError("a LatestConversation needs a name")
        self._flows = flows
        self._flow_name = name

    def check_update(self, update: object) -> Any:
        """Match only while this is the person's latest conversation (or to start it)."""
        result = super().check_update(update)
        if not result or not isinstance(update, Update) or update.effective_user is None:
            return result
        handler = result[2]
        if handler in self.entry_points:
            return result
        if self._flows.get(update.effective_user.id, self._flow_name) != self._flow_name:
            return None
        return result

    async def handle_update(
        self, update: Update, application: Any, check_result: Any, context: Any
    ) -> object | None:
        """Handle the update; an entry point that ran makes this the latest conversation.

        Even when it ends at once (a question answered by one press): whatever waited for
        the person's text before is over. Only once the entry point has run, though: one
        that refused (a host's button pressed by someone who is not its host,
        bot/telegram/roles.py) starts nothing, and must not take another conversation's
        messages away either.
        """
        state = await super().handle_update(update, application, check_result, context)
        handler = check_result[2]
        user = update.effective_user
        if handler in self.entry_points and user is not None and not context.refused:
            self._flows[user.id] = self._flow_name
        return state


def forget_conversations(application: NaboApplication, user_id: int, chat_id: int) -> int:
    """End every conversation of one person and drop what PTB holds about them in memory.

    Used when a resident is erased: a half-written answer (text they typed, kept in
    memory by a waiting conversation or its timeout job) must not outlive their data.
    PTB has no public call to end a conversation from outside it, so this reaches into
    ``_conversations``; keys are (chat id, user id) tuples. Returns how many ended.
    """
    ended = 0
    for handlers in application.handlers.values():
        for handler in handlers:
            if not isinstance(handler, ConversationHandler):
                continue
            for key in [key for key in handler._conversations if _concerns(key, user_id, chat_id)]:
                handler._conversations.pop(key, None)
                job = handler.timeout_jobs.pop(key, None)
                if job is not None:
                    job.schedule_removal()
                ended += 1
    application.bot_data.conversation_flows.pop(user_id, None)
    application.drop_user_data(user_id)
    application.drop_chat_data(chat_id)
    return ended


def _concerns(key: object, user_id: int, chat_id: int) -> bool:
    return isinstance(key, tuple) and (user_id in key or chat_id in key)
