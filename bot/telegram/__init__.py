"""The python-telegram-bot glue: context, update processing, guards, replies, staff checks."""
