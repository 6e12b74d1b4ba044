"""Clean shutdown: SIGTERM to the real bot mid-broadcast, with a message in flight.

The bot (``python -m bot``) must let the send in flight finish and record it, stop claiming
new deliveries, close the database and exit with code 0; nothing is left ``sending`` (so
nothing becomes ``uncertain``), and after a restart the broadcast resumes and every resident
gets it exactly once. A send that cannot finish in time (a long flood wait) is given up and
recorded as uncertain, never left ``sending`` and never sent again.
"""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import pytest

from bot.db.broadcasts import BroadcastRepository
from bot.db.store import Store
from bot.sandbox.botapi import BotApiServer
from bot.work.delivery import IN_FLIGHT as SENDER_IN_FLIGHT
from tests import test_broadcast_crash as crash

# How long the server holds the send in flight when SIGTERM arrives: long enough that the
# signal surely lands while the bot waits for Telegram's answer.
IN_FLIGHT = 1.5
# The bound for a clean stop; here only a guard that tells a hang from a stop.
STOP_BOUND = 10.0
# Fewer residents than the crash test: enough for a broadcast well under way at the signal.
RECIPIENTS = 150


async def test_sigterm_mid_broadcast_finishes_the_send_and_resumes_after_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGTERM → exit 0 soon, no row sending or uncertain; after restart each resident once."""
    monkeypatch.setattr(crash, "RECIPIENTS", RECIPIENTS)
    database, log_path = tmp_path / "nabo.sqlite3", tmp_path / "nabo.log"
    seed = 99
    texts = crash.broadcast_texts(seed)
    async with BotApiServer() as server:
        store = await Store.open(database)
        try:
            broadcast_id, languages = await crash.prepare(store, seed)
            broadcasts = BroadcastRepository(store, "da")
            await crash.let_residents_write_first(server, languages)
            # INFO, so the log shows that each run went through its shutdown.
            env = {**crash.bot_environment(server, database), "LOG_LEVEL": "INFO"}

            async with crash.bot_process(env, log_path) as process:
                await server.wait_for_request("sendMessage", 20, timeout=crash.STARTUP_TIMEOUT)
                # Hold the next broadcast message at the server, then signal while it waits.
                server.delay_next("sendMessage", IN_FLIGHT)
                in_flight = server.count("sendMessage") + 1
                await server.wait_for_request("sendMessage", in_flight, timeout=10)
                stopping = time.monotonic()
                sends_at_signal = server.count("sendMessage")
                process.send_signal(signal.SIGTERM)
                code = await asyncio.wait_for(process.wait(), STOP_BOUND)
                stopped_after = time.monotonic() - stopping
                sends_at_stop = server.count("sendMessage")
            print(f"\nSIGTERM to exit: {stopped_after:.2f} s (send held {IN_FLIGHT} s)")
            log = "\n".join(crash.log_tail(log_path))
            assert code == 0, log
            # It started no new delivery once told to stop: besides the held one, at most the
            # others already claimed and on their way went out.
            assert sends_at_stop - sends_at_signal <= SENDER_IN_FLIGHT - 1, log
            counts = await broadcasts.counts(broadcast_id)
            assert counts["sending"] == 0
            assert counts["uncertain"] == 0
            assert 0 < counts["sent"] < RECIPIENTS
            # The message in flight was recorded as sent: it arrived, once.
            assert counts["sent"] == sum(
                1 for _, params in server.requests if params.get("text") in texts.values()
            )

            # Second run: Telegram answers with a long flood wait, which PTB's rate limiter
            # waits out inside the request. The stop cannot wait that long: it gives up the
            # send after its grace, records it as uncertain (it may have left) and exits.
            async with crash.bot_process(env, log_path) as process:
                await server.wait_for_request(
                    "sendMessage", sends_at_stop + 10, timeout=crash.STARTUP_TIMEOUT
                )
                server.fail_next("sendMessage", 429, "Too Many Requests: retry after 60", 60)
                flooded = server.count("sendMessage") + 1
                await server.wait_for_request("sendMessage", flooded, timeout=10)
                stopping = time.monotonic()
                process.send_signal(signal.SIGTERM)
                code = await asyncio.wait_for(process.wait(), STOP_BOUND)
                print(f"SIGTERM during a flood wait to exit: {time.monotonic() - stopping:.2f} s")
            assert code == 0, "\n".join(crash.log_tail(log_path))
            # Nothing after the flood wait, but what was already on its way beside it.
            assert flooded <= server.count("sendMessage") <= flooded + SENDER_IN_FLIGHT - 1
            counts = await broadcasts.counts(broadcast_id)
            assert counts["sending"] == 0
            assert counts["uncertain"] == 1
            assert counts["pending"] == RECIPIENTS - counts["sent"] - 1

            async with crash.bot_process(env, log_path) as process:

                async def finished() -> bool:
                    broadcast = await broadcasts.get(broadcast_id)
                    assert broadcast is not None
                    return broadcast.status == "done"

                await crash.wait_until(
                    finished,
                    timeout=crash.FINISH_TIMEOUT,
                    what="finished broadcast after the restart",
                    process=process,
                    log_path=log_path,
                )
                await crash.stop_cleanly(process)
                assert process.returncode == 0

            rows = await store.fetch_all(
                "SELECT chat_id, language, status, error FROM deliveries WHERE broadcast_id = ?",
                (broadcast_id,),
            )
        finally:
            await store.close()
    # The given-up send counts like a kill: at most one uncertain message.
    result = crash.SeedResult(seed, kills=1)
    crash.check(result, server, rows, texts, languages)
    assert not result.problems, result.problems
    # The flooded message never arrived and is not sent again: uncertain, as the rules say.
    assert (result.sent, result.uncertain, result.uncertain_received) == (RECIPIENTS - 1, 1, 0)
    log = log_path.read_text()
    assert "in flight at the last stop" not in log
    # post_shutdown ran (it closes the database, then says so) in all three runs.
    assert log.count("Nabo stopped") == 3
