"""Data requests by phone or at the desk: /person in chat, and ``python -m bot person``.

Staff find someone by phone, first name or Telegram number (namesakes told apart by
their coming activities), confirm who is asking (a code sent to their chat, or how staff
checked), then see a summary and send themselves the person's data or erase it, each
after a confirmation and in the audit log. The data controller does the same on the
command line. Residents and hosts cannot use any of it.
"""

import argparse
import asyncio
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from bot.__main__ import build_parser
from bot.core.i18n import Catalogs
from bot.db.activities import ActivityRepository
from bot.db.hosts import HostRepository, Invitation
from bot.db.lookup import PersonLookup
from bot.db.mydata import PersonalDataRepository
from bot.db.people import NewPerson, PeopleRepository
from bot.db.signups import SignupRepository
from bot.db.volunteers import OfferDraft, VolunteerRepository
from bot.offline.person_cli import run_person_tool
from bot.views import person as views
from tests.conftest import STAFF_ID, Nabo, TestClock, buttons, consented, settle
from tests.factories import add_activity
from tests.printed import qr_codes, render
from tests.test_journey_hosts import refused_like_forged
from tests.test_journey_staff_activities import audit, press, press_in_place, say, staff_user
from tests.test_privacy import places_holding, report_totals

ROOT = Path(__file__).resolve().parent.parent
AMIRA = 61616161
FATIMA = NewPerson("Amira", "ar", "Houlkær", "+4512345678", "phone")


async def two_amiras(nabo: Nabo) -> tuple[int, int, int]:
    """A resident Amira and someone without Telegram named Amira, each on an activity."""
    now = nabo.clock.now()
    chat = await add_activity(nabo.store, now, title_da="Lektiecafé", capacity=2)
    phone = await add_activity(nabo.store, now, title_da="Sprogcafé", capacity=1)
    await consented(nabo, AMIRA, "da", first_name="Amira")
    await SignupRepository(nabo.store).sign_up(
        chat, AMIRA, 1, 0, now, waitlist=False, first_name="Amira"
    )
    _, person = await PeopleRepository(nabo.store).sign_up_new(
        phone, FATIMA, 1, 0, now, waitlist=False, registered_by=STAFF_ID, role="staff"
    )
    assert person is not None
    return chat, phone, person.id


async def test_lookup_by_phone_name_and_telegram_number(nabo: Nabo) -> None:
    chat, phone, person_id = await two_amiras(nabo)
    now = nabo.clock.now()
    await VolunteerRepository(nabo.store).save(
        AMIRA, OfferDraft(("homework",), ("evenings",), "phone", "4512345678"), now
    )
    lookup = PersonLookup(nabo.store)
    by_name = await lookup.find("amira", now)
    assert [(f.kind, f.id, [c.activity_id for c in f.coming]) for f in by_name] == [
        ("resident", AMIRA, [chat]),
        ("offline", person_id, [phone]),
    ]
    # A number finds both the record and the volunteer who shared it.
    assert {f.key for f in await lookup.find("+45 12 34 56 78", now)} == {
        f"r:{AMIRA}",
        f"p:{person_id}",
    }
    assert [f.key for f in await lookup.find(str(AMIRA), now)] == [f"r:{AMIRA}"]
    assert await lookup.find("Nobody", now) == []


async def test_staff_answer_a_request_with_a_code_and_send_the_data(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    da = catalogs.translator("da")
    server = nabo.server
    staff_user(server)
    chat, _, person_id = await two_amiras(nabo)
    ask = await say(server, "/person")
    assert ask["text"] == views.ask_query(da)
    listing = await say(server, "Amira")
    found = await PersonLookup(nabo.store).find("Amira", nabo.clock.now())
    assert listing["text"] == views.found_list(da, found)[0]
    check = await press_in_place(server, listing, "1. Amira")
    assert buttons(check)[0] == da.gettext("📨 Send a code to their chat")
    cursor = server.cursor(AMIRA)
    asked = await press_in_place(server, check, da.gettext("📨 Send a code to their chat"))
    assert asked["text"] == views.ask_code(da)
    [code_message] = await server.wait_for_messages(AMIRA, after=cursor)
    code = code_message["text"].split(": ")[1].split()[0]
    assert code_message["text"] == views.code_for_resident(da, code)
    wrong = await say(server, "000000" if code != "000000" else "111111")
    assert wrong["text"] == views.wrong_code(da, 2)
    summary = await say(server, code)
    assert summary["text"].startswith(views.summary(da, found[0], {}, 365)[0].splitlines()[0])
    sure = await press_in_place(server, summary, da.gettext("📄 Send me their data as a file"))
    server.reset_rate_limits()
    server.press(STAFF_ID, sure, da.gettext("📄 Yes, send it"))
    [file] = await server.wait_for_messages(STAFF_ID)
    assert file["document"]["file_name"] == views.PERSON_FILE_NAME
    export = json.loads(server.document_bytes(STAFF_ID, file["message_id"]))
    own = await PersonalDataRepository(nabo.store).export(AMIRA, nabo.clock.now())
    assert own is not None
    assert export["resident"] == own["resident"]
    assert [row["activity_id"] for row in export["signups"]] == [chat]
    assert [row[1:] for row in await audit(nabo)] == [
        ("person.find", None, "by=name,found=2"),
        ("person.verify", "resident", "method=chat_code"),
        ("person.export", "resident", "checked=chat_code"),
    ]
    assert person_id


async def test_staff_erase_someone_without_telegram_on_request(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    da = catalogs.translator("da")
    server, now = nabo.server, nabo.clock.now()
    staff_user(server)
    _chat, phone, person_id = await two_amiras(nabo)
    await consented(nabo, 70, "da")
    waiting = await SignupRepository(nabo.store).sign_up(phone, 70, 1, 0, now, waitlist=False)
    assert waiting.waitlist_position == 1
    totals = report_totals(nabo.config.database_path)
    await say(server, "/person")
    listing = await say(server, "12 34 56 78")
    check = await press_in_place(server, listing, "1. Amira")
    # Not on Telegram: no code to send; staff say how they checked.
    assert da.gettext("📨 Send a code to their chat") not in buttons(check)
    how = await press_in_place(server, check, da.gettext("✍️ Another way (I will write how)"))
    assert how["text"] == views.ask_how(da)
    summary = await say(server, "Sundhedskort vist på kontoret")
    assert "+45 12 34 56 78" in summary["text"]
    sure = await press_in_place(server, summary, da.gettext("🗑 Delete their data"))
    cursor = server.cursor(70)
    done = await press_in_place(server, sure, da.gettext("🗑 Yes, delete it all"))
    assert done["text"] == views.erased(da, "Amira")
    [told] = await server.wait_for_messages(70, after=cursor)  # the next in line moved up
    assert told["text"].startswith("🎉")
    await settle(nabo)
    assert places_holding(nabo.config.database_path, ["12345678"]) == []
    assert await nabo.rows(f"SELECT * FROM offline_people WHERE id = {person_id}") == []
    assert report_totals(nabo.config.database_path)[1:] == totals[1:]
    assert (
        STAFF_ID,
        "person.erase",
        f"person:{person_id}",
        "checked=other:Sundhedskort vist på kontoret",
    ) in await audit(nabo)


async def test_staff_hand_a_joining_slip_at_the_desk(nabo: Nabo, catalogs: Catalogs) -> None:
    """From /person: the link as text, and a slip in the person's language to print."""
    da = catalogs.translator("da")
    server = nabo.server
    staff_user(server)
    _chat, _phone, person_id = await two_amiras(nabo)
    await say(server, "/person")
    listing = await say(server, "12 34 56 78")
    check = await press_in_place(server, listing, "1. Amira")
    await press_in_place(server, check, da.gettext("✍️ Another way (I will write how)"))
    summary = await say(server, "Sundhedskort vist på kontoret")
    cursor = server.cursor(STAFF_ID)
    server.reset_rate_limits()
    server.press(STAFF_ID, summary, da.gettext("🔗 Link to join in Telegram"))
    [text, slip] = await server.wait_for_messages(STAFF_ID, 2, after=cursor, timeout=60)
    link = "https://t.me/" + text["text"].split("https://t.me/")[1].split()[0]
    assert slip["document"]["file_name"] == f"nabo-slip-{person_id}-ar.pdf"
    pdf = server.document_bytes(STAFF_ID, slip["message_id"])
    assert qr_codes(render(pdf, dpi=150)) == [link]
    assert (STAFF_ID, "person.join_link", f"person:{person_id}", "checked=other") in [
        (row[0], row[1], row[2], row[3].split(":")[0]) for row in await audit(nabo)
    ]


async def test_only_staff_can_find_people(nabo: Nabo, catalogs: Catalogs) -> None:
    now = nabo.clock.now()
    activity_id = await add_activity(nabo.store, now)
    hosts = HostRepository(nabo.store)
    token = await hosts.invite(
        Invitation(activity_id, False, "team", "Teamet", "Leder"), STAFF_ID, now
    )
    await hosts.accept(token, 90, "Hanne", "da", now)
    await consented(nabo, 90, "da")
    await consented(nabo, 91, "ar")
    for user in (90, 91):
        await refused_like_forged(
            nabo,
            user,
            [
                "st:pe",
                f"st:pe:o:r:{AMIRA}",
                "st:pe:c:id",
                "st:pe:d:erase",
                "st:pe:y:erase:00000000",
            ],
            ["/person"],
        )
    await settle(nabo)
    assert await audit(nabo) == []


def _arguments(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["person", *argv])


async def test_the_data_controller_on_the_command_line(
    nabo: Nabo, tmp_path: Path, clock: TestClock
) -> None:
    chat, phone, person_id = await two_amiras(nabo)
    await consented(nabo, 70, "da")
    await SignupRepository(nabo.store).sign_up(chat, 70, 2, 0, nabo.clock.now(), waitlist=True)
    config = nabo.config
    out_text = io.StringIO()

    async def run(*argv: str, answer: str = "") -> int:
        # The tool runs its own event loop, as from the shell: in a thread beside the bot.
        return await asyncio.to_thread(
            run_person_tool,
            _arguments(*argv),
            config,
            clock=clock,
            ask=lambda _: answer,
            out=out_text,
        )

    assert await run("find", "--name", "AMIRA") == 0
    printed = out_text.getvalue()
    assert f"r:{AMIRA}  Amira  (uses the chat)" in printed
    assert f"p:{person_id}  Amira  (not on Telegram, Houlkær)" in printed
    assert "12345678" not in printed
    out = tmp_path / "amira.json"
    export = ("export", "--person", f"p:{person_id}", "--checked", "Pas", "--out", str(out))
    assert await run(*export, answer="no") == 1
    assert not out.exists()
    assert await run(*export, "--yes") == 0
    exported = json.loads(out.read_text())
    assert exported["person"]["phone"] == "+4512345678"
    assert "join_token" not in exported["person"]
    cursor = nabo.server.cursor(70)
    erase = ("erase", "--person", f"r:{AMIRA}", "--checked", "Ringede tilbage")
    assert await run(*erase, answer="yes") == 0
    # The running bot tells who moved up (written with the erasure on the command line).
    nabo.application.bot_data.services.sender.wake()
    [told] = await nabo.server.wait_for_messages(70, after=cursor)
    assert told["text"].startswith("🎉")
    assert places_holding(config.database_path, [str(AMIRA)]) == []
    assert (0, "person.erase", "resident", "via=cli,checked=Ringede tilbage") in await audit(nabo)
    assert phone


async def test_the_command_line_prints_a_joining_slip(
    nabo: Nabo, tmp_path: Path, clock: TestClock
) -> None:
    """``person slip``: a new one-time link for someone without Telegram, and its slip."""
    _chat, _phone, person_id = await two_amiras(nabo)
    out_text = io.StringIO()
    out = tmp_path / "slips" / "amira.pdf"

    async def run(*argv: str) -> int:
        return await asyncio.to_thread(
            run_person_tool, _arguments(*argv), nabo.config, clock=clock, out=out_text
        )

    assert await run("slip", "--person", f"r:{AMIRA}", "--out", str(out)) == 2
    assert not out.exists()
    assert await run("slip", "--person", f"p:{person_id}", "--out", str(out)) == 0
    link = out_text.getvalue().split()[-1]
    assert link.startswith("https://t.me/nabo_test_bot?start=join-")
    [code] = qr_codes(render(out.read_bytes(), dpi=150))
    assert code == link
    stored = await PeopleRepository(nabo.store).join_target(link.split("join-")[1], clock.now())
    assert stored is not None
    assert stored.id == person_id
    assert (0, "person.join_link", f"person:{person_id}", "via=cli") in await audit(nabo)


def test_the_command_line_in_its_own_process(tmp_path: Path) -> None:
    database = tmp_path / "empty.sqlite3"
    done = subprocess.run(
        [sys.executable, "-m", "bot", "person", "find", "--phone", "12 34 56 78"],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", ""), "DATABASE_PATH": str(database)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "no such database" in done.stderr
    bad = subprocess.run(
        [sys.executable, "-m", "bot", "person", "erase", "--person", "x"],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", ""), "DATABASE_PATH": str(database)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 2
    assert "--checked" in bad.stderr


async def test_staff_cancel_a_sign_up_for_someone_without_telegram(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    da = catalogs.translator("da")
    server, now = nabo.server, nabo.clock.now()
    staff_user(server)
    _chat, phone, person_id = await two_amiras(nabo)
    await consented(nabo, 70, "da")
    await SignupRepository(nabo.store).sign_up(phone, 70, 1, 0, now, waitlist=False)
    await say(server, "/person")
    listing = await say(server, "+45 12 34 56 78")
    check = await press_in_place(server, listing, "1. Amira")
    summary = await press(server, check, da.gettext("🪪 I saw their ID"))
    activity = await ActivityRepository(nabo.store).get(phone)
    assert activity is not None
    label = da.gettext("❌ Cancel: {title}, {date}").format(
        title="Sprogcafé", date=da.date(activity.starts_at)
    )
    cursor = server.cursor(70)
    after = await press_in_place(server, summary, label)
    assert label not in buttons(after)
    [told] = await server.wait_for_messages(70, after=cursor)  # moved up in her place
    assert told["text"].startswith("🎉")
    assert await nabo.rows(f"SELECT status FROM signups WHERE person_id = {person_id}") == [
        ("cancelled",)
    ]
    assert (STAFF_ID, "person.cancel_signup", f"person:{person_id}") in [
        row[:3] for row in await audit(nabo)
    ]
