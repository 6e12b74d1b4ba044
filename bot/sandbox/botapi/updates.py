"""How updates reach the bot: the queue, long polling, the webhook, and redelivery."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import re
import time

from aiohttp import ClientError, ClientSession, ClientTimeout

from bot.sandbox.botapi.base import ServerBase
from bot.sandbox.botapi.state import JSON, ApiError, Params

# Update types Telegram only delivers when explicitly listed in allowed_updates.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


class UpdateDelivery(ServerBase):
    """Hands queued updates to the bot (getUpdates or webhook); tests can hold and redeliver."""

    def _update_kind(self, update: JSON) -> str:
        return next((key for key in update if key != "update_id"), "")

    def _confirm(self, offset: int) -> None:
        before = len(self._updates)
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        if len(self._updates) != before:
            self._notify()

    def _take_batch(self, limit: int) -> list[JSON]:
        allowed = self._allowed_updates
        kept = []
        for update in self._updates:
            kind = self._update_kind(update)
            # Telegram drops updates the bot did not subscribe to rather than holding them.
            if (kind in allowed) if allowed else (kind not in _OPT_IN_UPDATES):
                kept.append(update)
        if len(kept) != len(self._updates):
            self._updates = kept
            self._notify()
        return copy.deepcopy(kept[:limit])

    def _take_redeliveries(self, limit: int) -> list[JSON]:
        batch, self._redeliveries = self._redeliveries[:limit], self._redeliveries[limit:]
        if batch:
            # Counted as pending until the bot polls again: by then it has queued them.
            self._redelivered_in_flight = True
            self._notify()
        return batch

    async def _get_updates(self, params: Params) -> list[JSON]:
        if self._webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        self._confirm(params.get_int("offset") or 0)
        if self._redelivered_in_flight:
            self._redelivered_in_flight = False
            self._notify()
        limit = min(100, max(1, params.get_int("limit") or 100))
        timeout = min(60.0, max(0.0, params.get_float("timeout", 0.0)))
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed] or None
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()  # lets an older long poll see that it has been superseded
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            batch = self._take_redeliveries(limit) or self._take_batch(limit)
            remaining = deadline - loop.time()
            if batch or remaining <= 0 or self._stopping:
                return batch
            await self._wait_change(remaining)

    async def _set_webhook(self, params: Params) -> bool:
        url = params.get_str("url") or ""
        if not url:
            return await self._delete_webhook(params)
        if not re.match(r"https?://", url):
            raise ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        secret = params.get_str("secret_token")
        if secret is not None and not _SECRET_TOKEN.fullmatch(secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        if params.get_bool("drop_pending_updates"):
            self._updates.clear()
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed] or None
        self._webhook = {
            "url": url,
            "secret_token": secret,
            "max_connections": params.get_int("max_connections") or 40,
        }
        self._webhook_error = None
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.create_task(self._webhook_loop())
        self._notify()
        return True

    async def _delete_webhook(self, params: Params) -> bool:
        self._webhook = None
        await self._stop_webhook_task()
        if params.get_bool("drop_pending_updates"):
            self._updates.clear()
            self._notify()
        return True

    async def _get_webhook_info(self, params: Params) -> JSON:
        info: JSON = {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook is not None:
            info.update(
                url=self._webhook["url"],
                max_connections=self._webhook["max_connections"],
                ip_address="127.0.0.1",
            )
            if self._allowed_updates:
                info["allowed_updates"] = list(self._allowed_updates)
        if self._webhook_error is not None:
            info["last_error_date"], info["last_error_message"] = self._webhook_error
        return info

    async def _stop_webhook_task(self) -> None:
        task, self._webhook_task = self._webhook_task, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _webhook_loop(self) -> None:
        """Deliver queued updates one by one to the webhook, retrying until it answers 2xx."""
        async with ClientSession(timeout=ClientTimeout(total=30)) as session:
            while self._webhook is not None and not self._stopping:
                batch = self._take_batch(1)
                if not batch:
                    await self._wait_change(None)
                    continue
                update, hook = batch[0], self._webhook
                headers = (
                    {"X-Telegram-Bot-Api-Secret-Token": hook["secret_token"]}
                    if hook["secret_token"]
                    else {}
                )
                try:
                    async with session.post(hook["url"], json=update, headers=headers) as response:
                        # str(): aiohttp has None for a missing reason phrase.
                        status, reason = response.status, str(response.reason)
                except (ClientError, TimeoutError) as exc:
                    status, reason = 0, str(exc) or type(exc).__name__
                if 200 <= status < 300:
                    self._confirm(update["update_id"] + 1)
                    continue
                message = (
                    f"Wrong response from the webhook: {status} {reason}" if status else reason
                )
                self._webhook_error = (int(time.time()), message)
                await asyncio.sleep(self.webhook_retry_delay)

    # ------------------------------------------------------------------ controlling the queue

    def send_raw_update(self, update: JSON) -> JSON:
        """Enqueue a hand-made update; update_id is filled in when missing."""
        update = copy.deepcopy(update)
        if "update_id" not in update:
            self._last_update_id += 1
            update["update_id"] = self._last_update_id
        self._last_update_id = max(self._last_update_id, int(update["update_id"]))
        self._updates.append(update)
        self._notify()
        return copy.deepcopy(update)

    def withhold(self) -> list[JSON]:
        """Take every update not yet fetched out of the queue (deliver them with deliver_again)."""
        taken, self._updates = self._updates, []
        self._notify()
        return taken

    def deliver_again(self, *updates: JSON) -> None:
        """Hand these updates (already delivered, or made up) to the bot again, in this order.

        They go out in the next getUpdates answer whatever offset the bot confirmed, as
        Telegram does after a bot crashed before confirming them; listing them out of
        update_id order delivers them out of order.
        """
        self._redeliveries.extend(copy.deepcopy(list(updates)))
        self._notify()

    def continue_update_ids_after(self, update_id: int) -> None:
        """Number the next updates after ``update_id``, as Telegram's numbers keep growing.

        The sandbox's database outlives this server: the bot remembers the update ids it
        handled (bot/db/processed_updates.py) and would take a reused id for a repeat and drop it.
        """
        self._last_update_id = max(self._last_update_id, update_id)
