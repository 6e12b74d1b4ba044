"""Local Telegram Bot API server for tests (see server.py)."""

from tests.botapi.server import ApiError, BotApiServer, ChatState, TokenBucket, Upload, utf16_len

__all__ = ["ApiError", "BotApiServer", "ChatState", "TokenBucket", "Upload", "utf16_len"]
