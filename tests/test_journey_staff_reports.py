"""Staff review in chat, end to end: /export and /report send workbooks; residents get nothing."""

from __future__ import annotations

import asyncio
import io
import sqlite3
from pathlib import Path

import openpyxl
import pytest

from bot.core.i18n import Catalogs
from bot.offline.periods import parse_period
from bot.offline.reporting import build_report
from bot.offline.snapshot import snapshot
from bot.views.buttons import Export, Report
from handlers import staff_reports
from handlers.staff_reports import report_summary
from tests.conftest import STAFF_ID, Nabo, buttons, settle
from tests.factories import add_residents
from tests.known_data import NOW, fill

# The known data set's figures and file names are those of its own instant.
pytestmark = pytest.mark.clock(NOW.isoformat())

SHEETS = [
    "Aktiviteter",
    "Tilmeldinger",
    "Frivillige",
    "Tilbagemeldinger",
    "Udsendelser",
    "Beboere",
    "Værter",
]


async def load_known_data(database: Path) -> None:
    """Write the known data set into the running bot's database, as another process would."""
    # In a thread: waiting for the lock on the event loop would stop the bot from ever
    # finishing the transaction it holds (its start-up jobs write too).
    await asyncio.to_thread(_write_known_data, database)


def _write_known_data(database: Path) -> None:
    # BEGIN IMMEDIATE takes the write lock before reading: a deferred transaction whose
    # snapshot went stale while the bot wrote would fail at once.
    connection = sqlite3.connect(database, isolation_level=None, timeout=30)
    connection.execute("BEGIN IMMEDIATE")
    fill(connection)
    connection.execute("COMMIT")
    connection.close()


async def staff_sends(nabo: Nabo, text: str, language: str = "da") -> dict:
    nabo.server.user(STAFF_ID, first_name="Mette", language_code=language)
    nabo.server.reset_rate_limits()
    nabo.server.send_text(STAFF_ID, text)
    [reply] = await nabo.server.wait_for_messages(STAFF_ID)
    return reply


def workbook(nabo: Nabo, message: dict) -> openpyxl.Workbook:
    data = nabo.server.document_bytes(STAFF_ID, message["message_id"])
    return openpyxl.load_workbook(io.BytesIO(data))


async def test_export_sends_the_workbook_and_is_audited(nabo: Nabo) -> None:
    await load_known_data(nabo.config.database_path)
    reply = await staff_sends(nabo, "/export")
    assert reply["document"]["file_name"] == "nabo-eksport-2030-03-04.xlsx"
    assert "4. marts 2030" in reply["caption"]
    book = workbook(nabo, reply)
    assert book.sheetnames == SHEETS
    assert book["Tilmeldinger"].max_row == 17  # the header and 16 sign-ups

    # Two days: only what happened in them.
    reply = await staff_sends(nabo, "/export 2030-01-01 2030-01-31")
    activities = workbook(nabo, reply)["Aktiviteter"]
    assert [row[0] for row in activities.iter_rows(min_row=2, values_only=True)] == [7, 1]
    audit = await nabo.rows("SELECT staff_user_id, action, details FROM audit_log ORDER BY id")
    assert audit == [
        (STAFF_ID, "export", "since=None;until=None"),
        (STAFF_ID, "export", "since=2030-01-01;until=2030-01-31"),
    ]


@pytest.mark.parametrize("language", ["da", "ar", "en"])
async def test_report_sends_a_summary_in_the_staff_language(nabo: Nabo, language: str) -> None:
    await load_known_data(nabo.config.database_path)
    reply = await staff_sends(nabo, "/report 2030Q1", language)
    assert reply["document"]["file_name"] == "nabo-rapport-2030-01-01-2030-03-31.xlsx"
    catalogs: Catalogs = nabo.application.bot_data.services.catalogs
    config = nabo.config
    with snapshot(config.database_path) as connection:
        report = build_report(
            connection, parse_period("2030Q1"), nabo.clock.now(), config.timezone, config.areas
        )
    assert reply["caption"] == report_summary(catalogs.translator(language), report)
    if language == "en":
        assert reply["caption"].splitlines()[2:11] == [
            "Activities held: 4 (7 hours)",
            "Sign-ups: 9 (14 people)",
            "Visits (attendance and walk-ins): 15",
            "Participants: 4, of whom 3 new",
            "Offers of help: 2",
            "Partners involved: 0 (afdelingsbestyrelser and partner organisations with "
            "activities held)",
            "Translations by volunteers, used: 2",
            "Feedback: 5, average rating 4 of 5",
            "Messages sent: 2, received by 5",
        ]
    book = workbook(nabo, reply)
    assert book["Delaftaler"]["B5"].value == 4  # the total of activities held


async def test_report_without_a_period_is_this_quarter(nabo: Nabo) -> None:
    await load_known_data(nabo.config.database_path)
    reply = await staff_sends(nabo, "/report", "en")
    assert reply["caption"].startswith("📊 Report for January 1, 2030 – March 31, 2030")


async def test_bad_periods_and_dates_get_a_friendly_answer(nabo: Nabo) -> None:
    for text in ("/report 2030Q7", "/report 2030-03-01 2030-01-01", "/report a b c"):
        reply = await staff_sends(nabo, text, "en")
        assert reply["text"] == (
            "Sorry, I could not read that period. Write /report alone for this quarter, "
            "or a quarter or a year, e.g. /report 2030Q1 or /report 2030"
        )
    for text in ("/export 2030-01-01", "/export 1/1 2/2", "/export 2030-02-01 2030-01-01"):
        reply = await staff_sends(nabo, text, "en")
        assert reply["text"] == (
            "Sorry, I could not read those dates. Write /export alone for everything, "
            "or a first and a last day, e.g. /export 2030-03-01 2030-03-04"
        )
    assert await nabo.rows("SELECT * FROM audit_log") == []


async def test_a_file_too_big_for_telegram_is_not_sent(
    nabo: Nabo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(staff_reports, "MAX_DOCUMENT_BYTES", 100)
    reply = await staff_sends(nabo, "/export", "en")
    assert "document" not in reply
    assert reply["text"].startswith("The file is too big to send in Telegram (0 MB).")
    assert "python -m bot export" in reply["text"]


async def test_the_staff_menu_buttons(nabo: Nabo) -> None:
    await load_known_data(nabo.config.database_path)
    menu = await staff_sends(nabo, "/staff", "en")
    assert buttons(menu)[-3:-1] == ["📊 Report, this quarter", "📦 Export everything"]
    for label, name in (
        ("📊 Report, this quarter", "nabo-rapport-2030-01-01-2030-03-31.xlsx"),
        ("📦 Export everything", "nabo-eksport-2030-03-04.xlsx"),
    ):
        nabo.server.reset_rate_limits()
        nabo.server.press(STAFF_ID, menu, label)
        [reply] = await nabo.server.wait_for_messages(STAFF_ID)
        assert reply["document"]["file_name"] == name


async def test_residents_get_the_unknown_command_answer(nabo: Nabo) -> None:
    server, resident = nabo.server, 50
    await load_known_data(nabo.config.database_path)
    await add_residents(nabo.store, [resident], nabo.clock.now())
    server.user(resident, language_code="da")
    server.send_text(resident, "/nosuchcommand")
    [unknown] = await server.wait_for_messages(resident)
    for command in ("/export", "/report", "/report 2030Q1"):
        server.reset_rate_limits()
        server.send_text(resident, command)
        [reply] = await server.wait_for_messages(resident)
        assert (reply.get("text"), buttons(reply)) == (unknown["text"], buttons(unknown))
    query = server.press_button(resident, unknown["message_id"], "nope:1")
    unknown_answer = await server.wait_for_callback_answer(query)
    [unknown_button] = await server.wait_for_messages(resident)
    for data in (Export().pack(), Report().pack()):
        server.reset_rate_limits()
        query = server.press_button(resident, unknown["message_id"], data)
        assert await server.wait_for_callback_answer(query) == unknown_answer
        [reply] = await server.wait_for_messages(resident)
        assert (reply["text"], buttons(reply)) == (unknown_button["text"], buttons(unknown_button))
    await settle(nabo)
    assert not any("document" in message for message in server.messages(resident))
    assert await nabo.rows("SELECT * FROM audit_log") == []
