"""The sandbox: Nabo against a local Bot API server, with a chat page in the browser.

``botapi`` is the local Bot API server (the tests use it too), ``demo`` the demo people and
activities, ``web`` the chat page and its JSON API, ``runner`` what starts it all.
Needs the optional 'sandbox' extra (aiohttp).
"""
