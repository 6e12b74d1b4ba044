"""Staff tools that run without the bot: reports, exports, import, backup (no Telegram)."""
