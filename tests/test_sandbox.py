"""The sandbox without a browser: demo data, start-up, the chat page's JSON API, the CLI."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import ClientSession
from icalendar import Calendar
from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove

from bot.core.config import DEFAULT_AREAS, Config
from bot.core.i18n import Catalogs
from bot.db.activities import DELAFTALER
from bot.db.hosts import HostRepository
from bot.db.store import Store
from bot.sandbox.demo import DEMO_WEEK, HOST_USER_ID, PERSONAS, STAFF_USER_ID, load_demo_data
from bot.sandbox.runner import BANNER, Sandbox, running_sandbox

ROOT = Path(__file__).resolve().parents[1]
ZONE = ZoneInfo("Europe/Copenhagen")
# A Wednesday afternoon: some of the week's activities are today, some next week.
NOW = datetime(2030, 3, 6, 14, 0, tzinfo=UTC)


async def test_demo_week_in_three_languages_loads_once(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "sandbox.sqlite3")
    try:
        assert await load_demo_data(store, NOW, ZONE, DEFAULT_AREAS) == len(DEMO_WEEK)
        rows = [dict(row) for row in await store.fetch_all("SELECT * FROM activities")]
        # Loading again, later the same day, changes nothing.
        assert await load_demo_data(store, NOW + timedelta(hours=1), ZONE, DEFAULT_AREAS) == 0
        again = [dict(row) for row in await store.fetch_all("SELECT * FROM activities")]
    finally:
        await store.close()
    assert again == rows
    # The host persona hosts the next activity, once however often the sandbox starts.
    store = await Store.open(tmp_path / "sandbox.sqlite3")
    try:
        hosting = await HostRepository(store).assignments(HOST_USER_ID)
    finally:
        await store.close()
    assert len(hosting) == 1
    assert {row["delaftale"] for row in rows} == set(DELAFTALER)
    assert {row["area"] for row in rows} == set(DEFAULT_AREAS)
    for row in rows:
        for field in ("title", "description"):
            assert all(row[f"{field}_{language}"] for language in ("da", "ar", "en")), row
        # Arabic text is Arabic: mostly Arabic letters, not a copy of the Danish.
        arabic = [ch for ch in row["title_ar"] + row["description_ar"] if ch.isalpha()]
        assert sum("\u0600" <= ch <= "\u06ff" for ch in arabic) > len(arabic) / 2
        starts = datetime.fromisoformat(row["starts_at"])
        assert NOW < starts < NOW + timedelta(days=7)
        assert row["status"] == "published"


async def test_a_day_later_only_the_day_that_came_round_is_added(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "sandbox.sqlite3")
    try:
        await load_demo_data(store, NOW, ZONE, DEFAULT_AREAS)
        # Thursday 15:00 local: only Wednesday evening's meeting (19:00) has passed since.
        added = await load_demo_data(store, NOW + timedelta(days=1), ZONE, DEFAULT_AREAS)
        rows = await store.fetch_all(
            "SELECT starts_at FROM activities WHERE title_da LIKE 'Forældremøde%' ORDER BY id"
        )
        total = await store.fetch_one("SELECT COUNT(*) FROM activities")
    finally:
        await store.close()
    assert added == 1
    assert total is not None
    assert total[0] == len(DEMO_WEEK) + 1
    first, again = (datetime.fromisoformat(row[0]) for row in rows)
    assert first.astimezone(ZONE) == datetime(2030, 3, 6, 19, 0, tzinfo=ZONE)
    assert again - first == timedelta(days=7)


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    config = Config.from_env({"DATABASE_PATH": str(tmp_path / "nabo.sqlite3")})
    async with running_sandbox(
        config, port=0, database=tmp_path / "sandbox.sqlite3", poll_timeout=1
    ) as sb:
        yield sb


async def wait_for_chat(
    http: ClientSession, url: str, key: str, done: Callable[[list[dict[str, Any]]], bool]
) -> dict[str, Any]:
    """Long-poll a persona's chat, as the page does, until ``done(messages)``."""
    version = -1
    async with asyncio.timeout(15):  # a guard against hanging, not a speed check
        while True:
            async with http.get(f"{url}api/chat/{key}", params={"version": version}) as response:
                assert response.status == 200
                answer = await response.json()
            if done(answer["messages"]):
                return answer
            version = answer["version"]


def last_bot(messages: list[dict[str, Any]]) -> dict[str, Any]:
    return [message for message in messages if message["from_bot"]][-1]


def button(message: dict[str, Any], label: str) -> str:
    [data] = [b["data"] for row in message["buttons"] for b in row if b["text"] == label]
    return data


async def test_sandbox_page_and_api(sandbox: Sandbox, catalogs: Catalogs) -> None:
    ar = catalogs.translator("ar")
    url, key = sandbox.url, "ar"
    assert url.startswith("http://127.0.0.1:")
    assert sandbox.added == len(DEMO_WEEK)
    assert sandbox.config.staff_user_ids == frozenset({STAFF_USER_ID})
    async with ClientSession() as http:
        async with http.get(url) as response:
            page = await response.text()
        assert response.status == 200
        assert BANNER in page
        for name in ("app.js", "style.css"):
            async with http.get(f"{url}static/{name}") as response:
                assert response.status == 200
        async with http.get(f"{url}api/personas") as response:
            personas = await response.json()
        assert [p["key"] for p in personas["personas"]] == [p.key for p in PERSONAS]

        # The Arabic-speaking resident starts, consents, and signs up as the page would.
        async with http.post(f"{url}api/chat/{key}/send", json={"text": "/start"}) as response:
            assert response.status == 200
        yes = ar.gettext("✅ Yes, that's fine")
        answer = await wait_for_chat(
            http,
            url,
            key,
            lambda ms: any(b["text"] == yes for row in ms[-1]["buttons"] for b in row),
        )
        # The command menu in the resident's language, as Telegram's client shows it.
        assert {"command": "start", "description": ar.gettext("Start, or open the menu")} in (
            answer["commands"]
        )
        typed = answer["messages"][0]
        assert (typed["from_bot"], typed["text"]) == (False, "/start")
        notice = last_bot(answer["messages"])
        body = {"message_id": notice["id"], "data": button(notice, yes)}
        async with http.post(f"{url}api/chat/{key}/press", json=body) as response:
            assert response.status == 200
        menu = last_bot((await wait_for_chat(http, url, key, lambda ms: len(ms) >= 3))["messages"])
        assert menu["text"].startswith(ar.gettext("Thank you! You are all set."))

        # A sign-up, then its calendar file, downloaded through the page's link.
        activities = ar.gettext("📅 Activities")
        body = {"message_id": menu["id"], "data": button(menu, activities)}
        await http.post(f"{url}api/chat/{key}/press", json=body)
        listing = last_bot(
            (await wait_for_chat(http, url, key, lambda ms: len(ms) >= 4))["messages"]
        )
        first = next(b for row in listing["buttons"] for b in row if b["text"].startswith("1. "))
        await http.post(
            f"{url}api/chat/{key}/press", json={"message_id": listing["id"], "data": first["data"]}
        )
        detail = last_bot(
            (await wait_for_chat(http, url, key, lambda ms: len(ms) >= 5))["messages"]
        )
        await http.post(
            f"{url}api/chat/{key}/press",
            json={"message_id": detail["id"], "data": button(detail, ar.gettext("✍️ Sign up"))},
        )
        question = last_bot(
            (await wait_for_chat(http, url, key, lambda ms: len(ms) >= 6))["messages"]
        )
        for label in ("1", "0"):
            count = question["edit_count"]
            await http.post(
                f"{url}api/chat/{key}/press",
                json={"message_id": question["id"], "data": button(question, label)},
            )
            question = last_bot(
                (
                    await wait_for_chat(
                        http, url, key, lambda ms, c=count: last_bot(ms)["edit_count"] > c
                    )
                )["messages"]
            )
        assert question["edited"]
        assert ar.gettext("✅ You are signed up: {party}.").split("{")[0] in question["text"]
        await http.post(
            f"{url}api/chat/{key}/press",
            json={
                "message_id": question["id"],
                "data": button(question, ar.gettext("📆 Add to calendar")),
            },
        )
        document = last_bot(
            (await wait_for_chat(http, url, key, lambda ms: "file" in last_bot(ms)))["messages"]
        )
        assert document["file"]["name"].endswith(".ics")
        async with http.get(f"{url}{document['file']['url'].lstrip('/')}") as response:
            assert response.status == 200
            assert "attachment" in response.headers["Content-Disposition"]
            calendar = Calendar.from_ical(await response.read())
        [event] = calendar.walk("VEVENT")
        assert str(event["summary"]) in listing["text"]

        # Not from another site: a form post, or a Host that is not 127.0.0.1.
        async with http.post(f"{url}api/chat/{key}/send", data={"text": "hi"}) as response:
            assert response.status == 415
        async with http.get(f"{url}api/personas", headers={"Host": "evil.example"}) as response:
            assert response.status == 421
        async with http.post(f"{url}api/chat/nobody/send", json={"text": "hi"}) as response:
            assert response.status == 404
        async with http.post(f"{url}api/chat/{key}/send", json={"text": "  "}) as response:
            assert response.status == 400
    rows = await sandbox.application.bot_data.services.store.fetch_all(
        "SELECT user_id, adults, children, status FROM signups"
    )
    assert [tuple(row) for row in rows] == [(1002, 1, 0, "confirmed")]


async def test_reply_keyboard_and_demo_contact(sandbox: Sandbox) -> None:
    # The keyboard the volunteer journey shows, sent by the running bot itself.
    bot, url = sandbox.application.bot, sandbox.url
    keyboard = ReplyKeyboardMarkup(
        [[KeyboardButton("📞 Share my number", request_contact=True)], ["Skip"]]
    )
    await bot.send_message(1003, "Your number?", reply_markup=keyboard)
    async with ClientSession() as http:
        answer = await wait_for_chat(http, url, "en", lambda ms: bool(ms))
        assert answer["keyboard"] == [
            [{"text": "📞 Share my number", "contact": True}],
            [{"text": "Skip", "contact": False}],
        ]
        async with http.post(f"{url}api/chat/en/contact", json={}) as response:
            assert response.status == 200
        shared = (await wait_for_chat(http, url, "en", lambda ms: len(ms) == 2))["messages"][-1]
        assert (shared["from_bot"], shared["contact"]) == (False, "+4500000003")
        # Removed: Nabo's own answer to the contact may come before or after, without one.
        await bot.send_message(1003, "Thanks", reply_markup=ReplyKeyboardRemove())
        answer = await wait_for_chat(
            http, url, "en", lambda ms: any(m["text"] == "Thanks" for m in ms)
        )
        assert answer["keyboard"] is None
        # Only in one's own chat: not in the staff group.
        async with http.post(f"{url}api/chat/staff-group/contact", json={}) as response:
            assert response.status == 400


async def test_started_twice_on_one_database_adds_nothing(tmp_path: Path) -> None:
    # A production .env's webhook must not carry the sandbox's chats off this machine.
    config = Config.from_env(
        {"WEBHOOK_URL": "https://nabo.example.dk/telegram", "WEBHOOK_SECRET": "s" * 32}
    )
    database = tmp_path / "sandbox.sqlite3"
    resident = PERSONAS[0].user_id
    async with running_sandbox(config, port=0, database=database, poll_timeout=1) as first:
        assert first.added == len(DEMO_WEEK)
        first.server.send_text(resident, "/start")
        assert await first.server.wait_for_messages(resident)
        assert first.server.webhook is None
    async with running_sandbox(config, port=0, database=database, poll_timeout=1) as second:
        assert second.added == 0
        rows = await second.application.bot_data.services.store.fetch_all(
            "SELECT COUNT(*) FROM activities"
        )
        # The bot remembers the update ids it handled: a new server must not reuse them.
        second.server.send_text(resident, "/start")
        assert await second.server.wait_for_messages(resident)
    assert rows[0][0] == len(DEMO_WEEK)


def test_make_run_without_a_token_starts_the_sandbox(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DATABASE_PATH": str(tmp_path / "data" / "nabo.sqlite3"),
        "SANDBOX_PORT": "0",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline().strip()
        address = process.stdout.readline()
        assert banner == BANNER
        url = address.split("open ", 1)[1].split(" ", 1)[0]
        assert url.startswith("http://127.0.0.1:")
        page = asyncio.run(_fetch(url))
        assert BANNER in page
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "Sandbox stopped." in out
    assert err.startswith("nabo: BOT_TOKEN is not set, so this is the sandbox.")
    assert (tmp_path / "data" / "sandbox.sqlite3").exists()
    assert not (tmp_path / "data" / "nabo.sqlite3").exists()  # the real database is untouched


async def _fetch(url: str) -> str:
    async with ClientSession() as http, http.get(url) as response:
        return await response.text()


def test_sandbox_port_must_be_a_port(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "sandbox"],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", ""), "SANDBOX_PORT": "eighty"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "nabo: configuration error: "
        "SANDBOX_PORT: 'eighty' is not a port number (0 picks a free one)"
    ]


def test_without_the_sandbox_extra_it_says_what_to_do(tmp_path: Path) -> None:
    # An installation without aiohttp, like the Docker image: one line, exit 2.
    (tmp_path / "aiohttp.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'aiohttp'\", name='aiohttp')\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("nabo: BOT_TOKEN is not set. To run against Telegram,")
    assert "the 'sandbox' extra" in line
