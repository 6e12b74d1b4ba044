"""The sandbox's chat page and the small JSON API it uses to act as residents and staff.

The page (``static/``) talks only to this API; the API calls the local Bot API server's
user side in-process (``send_text``, ``press_button``, ``share_contact``, ``transcript``), the
same calls the tests make. It listens on 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from importlib.resources import files
from typing import Any
from urllib.parse import quote

from aiohttp import web

from bot.sandbox.botapi import BotApiServer
from bot.sandbox.demo import PERSONAS, Persona

JSON = dict[str, Any]
HOST = "127.0.0.1"
# A long poll answers at once when something changed, else after this many seconds.
POLL_SECONDS = 20.0
# How long a button press waits for the bot's callback answer (the toast text).
ANSWER_SECONDS = 5.0
MAX_TEXT = 4096
_STATIC = files("bot.sandbox") / "static"
_STATIC_TYPES = {
    "index.html": "text/html",
    "app.js": "text/javascript",
    "style.css": "text/css",
    "favicon.svg": "image/svg+xml",
}

_SERVER: web.AppKey[BotApiServer] = web.AppKey("server", BotApiServer)
_PERSONAS: web.AppKey[dict[str, Persona]] = web.AppKey("personas", dict)
_CLOSING: web.AppKey[asyncio.Event] = web.AppKey("closing", asyncio.Event)


def create_app(server: BotApiServer) -> web.Application:
    """Build the page's web application for ``server``, to be served on 127.0.0.1."""
    app = web.Application(middlewares=[_local_only], client_max_size=64 * 1024)
    app[_SERVER] = server
    app[_CLOSING] = asyncio.Event()
    app.on_shutdown.append(_release_polls)
    app[_PERSONAS] = {persona.key: persona for persona in PERSONAS}
    app.router.add_get("/", _static_file)
    app.router.add_get("/static/{name}", _static_file)
    app.router.add_get("/api/personas", _personas)
    app.router.add_get("/api/chat/{key}", _chat)
    app.router.add_post("/api/chat/{key}/send", _send)
    app.router.add_post("/api/chat/{key}/press", _press)
    app.router.add_post("/api/chat/{key}/contact", _contact)
    app.router.add_get("/api/chat/{key}/files/{message_id}", _file)
    return app


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def _local_only(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse requests another web site could make from the visitor's browser."""
    sockname = request.transport.get_extra_info("sockname") if request.transport else None
    port = sockname[1] if sockname else None
    # A Host of another name is DNS rebinding; a POST without a JSON type is a form another
    # site could send without asking (for JSON the browser asks first, and we never agree).
    if request.host not in (f"127.0.0.1:{port}", f"localhost:{port}"):
        raise web.HTTPMisdirectedRequest(text="The sandbox answers on 127.0.0.1 only.")
    if request.method == "POST" and request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType(text="Send JSON.")
    return await handler(request)


async def _release_polls(app: web.Application) -> None:
    """Answer the waiting long polls now, so that stopping takes no time."""
    app[_CLOSING].set()


async def _static_file(request: web.Request) -> web.StreamResponse:
    name = request.match_info.get("name", "index.html")
    if name not in _STATIC_TYPES:
        raise web.HTTPNotFound()
    return web.Response(
        body=(_STATIC / name).read_bytes(),
        content_type=_STATIC_TYPES[name],
        charset="utf-8",
        headers={"Cache-Control": "no-store"},
    )


async def _personas(request: web.Request) -> web.StreamResponse:
    server = request.app[_SERVER]
    return web.json_response(
        {
            "sandbox": True,
            "bot": server.bot_user["username"],
            "personas": [
                {"key": p.key, "label": p.label, "staff": p.staff, "group": p.chat_id < 0}
                for p in request.app[_PERSONAS].values()
            ],
        }
    )


def _persona(request: web.Request) -> Persona:
    persona = request.app[_PERSONAS].get(request.match_info["key"])
    if persona is None:
        raise _error(web.HTTPNotFound, "No such person in the sandbox.")
    return persona


def _error(kind: type[web.HTTPException], message: str) -> web.HTTPException:
    return kind(text=json.dumps({"error": message}), content_type="application/json")


async def _body(request: web.Request) -> JSON:
    try:
        body = await request.json()
    except ValueError:
        raise _error(web.HTTPBadRequest, "The request is not JSON.") from None
    if not isinstance(body, dict):
        raise _error(web.HTTPBadRequest, "Send a JSON object.")
    return body


async def _chat(request: web.Request) -> web.StreamResponse:
    """Long poll: answer when anything changed after ``version``, else after a while."""
    server = request.app[_SERVER]
    persona = _persona(request)
    try:
        version = int(request.query.get("version", "-1"))
    except ValueError:
        raise _error(web.HTTPBadRequest, "version must be a number.") from None
    if version == server.version:
        waits = [
            asyncio.ensure_future(server.wait_for_change(version, POLL_SECONDS)),
            asyncio.ensure_future(request.app[_CLOSING].wait()),
        ]
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for wait in waits:
            wait.cancel()
    messages = server.transcript(persona.chat_id)
    return web.json_response(
        {
            "version": server.version,
            "messages": [_message_view(persona, message) for message in messages],
            "keyboard": _reply_keyboard(messages),
            "commands": server.command_menu(persona.chat_id, persona.language_code),
            # Bot messages per chat, so the page can show what is new for the others.
            "counts": {p.key: server.cursor(p.chat_id) for p in request.app[_PERSONAS].values()},
        }
    )


def _message_view(persona: Persona, message: JSON) -> JSON:
    """Return what the page needs of one message: who, text, buttons, a file link."""
    view: JSON = {
        "id": message["message_id"],
        "from_bot": message["from_bot"],
        "sender": message.get("from", {}).get("first_name", ""),
        "text": message.get("text") or message.get("caption") or "",
        "edited": message.get("edit_count", 0) > 0,
        "edit_count": message.get("edit_count", 0),
        "buttons": [
            [{"text": b["text"], "data": b.get("callback_data"), "url": b.get("url")} for b in row]
            for row in message.get("reply_markup", {}).get("inline_keyboard", [])
        ],
    }
    document = message.get("document")
    if document is not None:
        view["file"] = {
            "name": document.get("file_name") or "file",
            "size": document.get("file_size", 0),
            "url": f"/api/chat/{persona.key}/files/{message['message_id']}",
        }
    if "contact" in message:
        view["contact"] = message["contact"].get("phone_number", "")
    kinds = ("photo", "sticker", "voice", "video", "audio", "location")
    view["kind"] = next((kind for kind in kinds if kind in message), None)
    return view


def _reply_keyboard(messages: list[JSON]) -> list[list[JSON]] | None:
    """Return the reply keyboard the user sees now: the bot's latest, unless removed."""
    for message in reversed(messages):
        markup = message.get("reply_keyboard")
        if not message["from_bot"] or markup is None or "force_reply" in markup:
            continue
        if "keyboard" not in markup:
            return None  # remove_keyboard
        return [
            [
                {
                    "text": button if isinstance(button, str) else button.get("text", ""),
                    "contact": isinstance(button, dict) and bool(button.get("request_contact")),
                }
                for button in row
            ]
            for row in markup["keyboard"]
        ]
    return None


async def _send(request: web.Request) -> web.StreamResponse:
    server, persona, body = request.app[_SERVER], _persona(request), await _body(request)
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise _error(web.HTTPBadRequest, "Type a message first.")
    if len(text) > MAX_TEXT:
        raise _error(web.HTTPBadRequest, "Telegram allows 4096 characters in a message.")
    chat_id = persona.chat_id if persona.chat_id < 0 else None
    try:
        server.send_text(persona.user_id, text, chat_id=chat_id)
    except AssertionError as error:  # what a real user could not do either
        raise _error(web.HTTPConflict, str(error)) from None
    return web.json_response({"ok": True})


async def _press(request: web.Request) -> web.StreamResponse:
    server, persona, body = request.app[_SERVER], _persona(request), await _body(request)
    message_id, data = body.get("message_id"), body.get("data")
    if not isinstance(message_id, int) or not isinstance(data, str) or not data:
        raise _error(web.HTTPBadRequest, "message_id and data are needed.")
    try:
        query_id = server.press_button(persona.user_id, message_id, data, chat_id=persona.chat_id)
    except AssertionError as error:
        raise _error(web.HTTPConflict, str(error)) from None
    try:
        answer = await server.wait_for_callback_answer(query_id, ANSWER_SECONDS)
    except AssertionError:
        # The bot did not answer in time; Telegram's client stops spinning, so does the page.
        return web.json_response({"answer": None, "alert": False})
    return web.json_response({"answer": answer["text"], "alert": answer["show_alert"]})


async def _contact(request: web.Request) -> web.StreamResponse:
    server, persona = request.app[_SERVER], _persona(request)
    await _body(request)
    if persona.chat_id < 0:
        raise _error(web.HTTPBadRequest, "Share your number in your own chat with Nabo.")
    try:
        server.share_contact(persona.user_id, persona.phone_number)
    except AssertionError as error:
        raise _error(web.HTTPConflict, str(error)) from None
    return web.json_response({"ok": True})


async def _file(request: web.Request) -> web.StreamResponse:
    server, persona = request.app[_SERVER], _persona(request)
    wanted = request.match_info["message_id"]
    document = next(
        (
            message["document"]
            for message in server.transcript(persona.chat_id)
            if str(message["message_id"]) == wanted and "document" in message
        ),
        None,
    )
    if document is None:
        raise _error(web.HTTPNotFound, "No file in that message.")
    name = document.get("file_name") or "file"
    return web.Response(
        body=server.document_bytes(persona.chat_id, int(wanted)),
        content_type=document.get("mime_type") or "application/octet-stream",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )
