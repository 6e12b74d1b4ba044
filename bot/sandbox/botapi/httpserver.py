"""The local Bot API server's HTTP side: lifecycle, routing, parameters, errors, faults, delays."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from types import TracebackType
from typing import Self

from aiohttp import web

from bot.sandbox.botapi.state import JSON, ApiError, Delay, Fault, Params, TokenBucket, Upload
from bot.sandbox.botapi.updates import UpdateDelivery

# The package's logger: the name the server logged under before it was split into modules.
log = logging.getLogger(__package__)

# Telegram accepts 50 MB uploads; leave headroom for multipart overhead.
MAX_UPLOAD = 60 * 1024 * 1024

# Parameters PTB sends as JSON strings inside form/multipart bodies; everything else stays a string
# so that e.g. a message text of "[1]" is never mistaken for JSON.
_JSON_PARAMS = frozenset(
    [
        "reply_markup",
        "allowed_updates",
        "commands",
        "scope",
        "entities",
        "caption_entities",
        "link_preview_options",
        "reply_parameters",
        "media",
        "results",
        "menu_button",
    ]
)
_TOKEN_SHAPE = re.compile(r"[0-9]+:[A-Za-z0-9_-]+")


class HttpServer(UpdateDelivery):
    """Serves the Bot API over HTTP as api.telegram.org does, with the faults tests inject."""

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Start listening on host:port (port 0 picks a free port)."""
        if self._runner is not None:
            raise RuntimeError("BotApiServer already started")
        app = web.Application(client_max_size=MAX_UPLOAD)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown_path)
        self._stopping = False
        self._stop_event.clear()
        # A short shutdown_timeout: long polls are released on stop, so nothing should linger.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        self._bound_port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Release long polls and waiters, stop webhook delivery and close the listener."""
        self._stopping = True
        self._stop_event.set()
        self._notify()
        await self._stop_webhook_task()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        """Start the server."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server."""
        await self.stop()

    @property
    def url(self) -> str:
        """Root URL, e.g. http://127.0.0.1:PORT."""
        if self._bound_port is None:
            raise RuntimeError("BotApiServer is not started")
        return f"http://{self._host}:{self._bound_port}"

    @property
    def open_connections(self) -> int:
        """How many HTTP connections clients hold open to the server right now."""
        server = self._runner.server if self._runner is not None else None
        return len(server.connections) if server is not None else 0

    @property
    def base_url(self) -> str:
        """Bot API base URL for PTB's base_url (the token and method are appended)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """File download base URL for PTB's base_file_url."""
        return f"{self.url}/file/bot"

    # ------------------------------------------------------------------ HTTP plumbing

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        token = request.match_info["token"]
        if token != self.token:
            # Telegram answers 404 for malformed tokens and 401 for well-formed but wrong ones.
            if _TOKEN_SHAPE.fullmatch(token):
                return self._error(method, ApiError(401, "Unauthorized"))
            return self._error(method, ApiError(404, "Not Found"))
        name, handler = self._handlers.get(method.lower(), (method, None))
        try:
            data, uploads = await self._parse_params(request)
        except ApiError as err:
            self.requests.append((name, {}))
            return self._error(name, err)
        self.requests.append((name, {**data, **uploads}))
        self._notify()  # wait_for_request() watches the request log
        if handler is None:
            return self._error(name, ApiError(404, "Not Found"))
        params = Params(data, uploads)
        try:
            await self._apply_delay(name)
            self._apply_fault(name, params)
            result = await handler(params)
        except ApiError as err:
            return self._error(name, err, request)
        except Exception as exc:  # a bug in this server: report it as Telegram would, keep serving
            log.exception("BotApiServer failed handling %s", name)
            self.errors.append(exc)
            return self._error(name, ApiError(500, "Internal Server Error"))
        return web.json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.Response:
        record = self._files_by_path.get(request.match_info["path"])
        if request.match_info["token"] != self.token or record is None:
            return self._error("file", ApiError(404, "Not Found"))
        return web.Response(
            body=record.data, content_type=record.mime_type or "application/octet-stream"
        )

    async def _handle_unknown_path(self, request: web.Request) -> web.Response:
        return self._error(request.path, ApiError(404, "Not Found"))

    def _error(
        self, method: str, err: ApiError, request: web.Request | None = None
    ) -> web.Response:
        transport = request.transport if request is not None else None
        if request is not None and (transport is None or transport.is_closing()):
            # Nobody will read this answer (e.g. PTB cancelled its long poll on shutdown and the
            # next poll superseded it), so it is not a rejection the bot saw.
            log.debug("%s answered %s to a disconnected client", method, err.code)
        else:
            self.rejected.append((method, err.code, err.description))
        body: JSON = {"ok": False, "error_code": err.code, "description": err.description}
        if err.retry_after is not None:
            body["parameters"] = {"retry_after": err.retry_after}
        return web.json_response(body, status=err.code)

    async def _parse_params(self, request: web.Request) -> tuple[JSON, dict[str, Upload]]:
        data: JSON = dict(request.query)
        uploads: dict[str, Upload] = {}
        if request.body_exists:
            try:
                if request.content_type == "application/json":
                    body = await request.json()
                    if not isinstance(body, dict):
                        raise ApiError(400, "Bad Request: JSON object expected")
                    data.update(body)
                elif request.content_type in (
                    "application/x-www-form-urlencoded",
                    "multipart/form-data",
                ):
                    form = await request.post()
                    for key, value in form.items():
                        if isinstance(value, web.FileField):
                            uploads[key] = Upload(
                                value.filename or key,
                                value.content_type or "application/octet-stream",
                                value.file.read(),
                            )
                        else:
                            data[key] = value
            except ApiError:
                raise
            except web.HTTPRequestEntityTooLarge:
                raise ApiError(413, "Request Entity Too Large") from None
            except Exception:  # malformed body from the client: a 400, never a server crash
                raise ApiError(400, "Bad Request: can't parse request body") from None
        for key in _JSON_PARAMS & data.keys():
            if isinstance(data[key], str):
                try:
                    data[key] = json.loads(data[key])
                except ValueError:
                    raise ApiError(400, f"Bad Request: can't parse {key} JSON object") from None
        return data, uploads

    async def _apply_delay(self, method: str) -> None:
        for delay in self._delays:
            if delay.method.lower() == method.lower():
                delay.remaining -= 1
                if delay.remaining <= 0:
                    self._delays.remove(delay)
                # Wait on the stop event so stop() is never held up by an injected delay.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop_event.wait(), delay.seconds)
                return

    def _apply_fault(self, method: str, params: Params) -> None:
        for fault in self._faults:
            if fault.method.lower() != method.lower():
                continue
            if fault.chat_id is not None:
                try:
                    if params.get_int("chat_id") != fault.chat_id:
                        continue
                except ApiError:
                    continue
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._faults.remove(fault)
            raise ApiError(fault.error_code, fault.description, fault.retry_after)

    # ------------------------------------------------------------------ fault injection

    def fail_next(
        self,
        method: str,
        error_code: int,
        description: str,
        retry_after: int | None = None,
        chat_id: int | None = None,
        count: int = 1,
    ) -> None:
        """Make the next `count` calls of `method` (optionally only into chat_id) fail."""
        self._faults.append(Fault(method, error_code, description, retry_after, chat_id, count))

    def delay_next(self, method: str, seconds: float, count: int = 1) -> None:
        """Delay the next `count` calls of `method`; each call still executes afterwards."""
        self._delays.append(Delay(method, seconds, count))

    def reset_rate_limits(self) -> None:
        """Refill the global and all per-chat token buckets."""
        self._global_bucket = TokenBucket()
        for chat in self._chats.values():
            chat.bucket = TokenBucket()
