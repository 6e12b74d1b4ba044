"""Staff print in chat, end to end: /poster's steps, the door poster, sources and /report."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core.i18n import Catalogs
from bot.core.start_links import CheckIn, JoinNabo, OpenActivity, door_token, parse_payload
from bot.db.sources import MAX_NAME, Source, SourceRepository
from bot.views.activity import shorten
from tests.conftest import STAFF_ID, Nabo, buttons, consented, settle
from tests.factories import add_activity
from tests.printed import flat, pdf_pages, pdf_text, png, qr_codes, render


async def staff(nabo: Nabo, text: str, language: str = "da", count: int = 1) -> list[dict]:
    nabo.server.user(STAFF_ID, first_name="Mette", language_code=language)
    nabo.server.reset_rate_limits()
    nabo.server.send_text(STAFF_ID, text)
    return await nabo.server.wait_for_messages(STAFF_ID, count)


async def tap(nabo: Nabo, message: dict, label: str) -> dict:
    """Press a button on a staff screen; return the screen it becomes."""
    nabo.server.press(STAFF_ID, message, label)
    return await nabo.server.wait_for_edit(STAFF_ID, message["message_id"])


async def tap_for_file(nabo: Nabo, message: dict, label: str) -> dict:
    cursor = nabo.server.cursor(STAFF_ID)
    nabo.server.press(STAFF_ID, message, label)
    [sent] = await nabo.server.wait_for_messages(STAFF_ID, after=cursor, timeout=60)
    return sent


@pytest.mark.parametrize("language", ["da", "ar", "en"])
async def test_print_nabos_own_poster_with_a_source(
    nabo: Nabo, catalogs: Catalogs, language: str
) -> None:
    tr = catalogs.translator(language)
    now = nabo.clock.now()
    await add_activity(nabo.store, now)
    [added] = await staff(nabo, "/newsource Opslag Houlkær opgang 12", language)
    [[source], _total] = await SourceRepository(nabo.store).page(limit=10, invite=False)
    assert added["text"].startswith(
        tr.gettext("Added: {name}, code {code}.").format(
            name=tr.ltr("Opslag Houlkær opgang 12"), code=tr.ltr(source.code)
        )
    )
    [menu] = await staff(nabo, "/poster", language)
    kinds = await tap(nabo, menu, tr.gettext("🏠 Nabo itself"))
    # Nabo itself has no door.
    assert tr.gettext("🚪 Door poster: check in by scanning") not in buttons(kinds)
    languages = await tap(nabo, kinds, tr.gettext("🪧 Poster (A4)"))
    where = await tap(nabo, languages, tr.gettext("All three languages on one sheet"))
    assert tr.gettext("No source") in buttons(where)
    sent = await tap_for_file(nabo, where, "Opslag Houlkær opgang 12")
    assert sent["document"]["file_name"] == "nabo-poster-nabo-da-ar-en.pdf"
    pdf = nabo.server.document_bytes(STAFF_ID, sent["message_id"])
    link = f"https://t.me/nabo_test_bot?start={JoinNabo(source.code).pack()}"
    assert qr_codes(render(pdf)) == [link]
    assert flat(catalogs.translator("ar").gettext("Join Nabo")) in flat(pdf_text(pdf))
    assert sent["caption"] == tr.gettext("🖨 Here it is. Its code opens: {link}").format(
        link=tr.ltr(link)
    )
    assert await nabo.rows("SELECT action, subject FROM audit_log ORDER BY id") == [
        ("source.new", f"source:{source.code}"),
        ("poster", "nabo"),
    ]


async def test_flyers_share_image_and_door_poster_for_an_activity(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    tr = catalogs.translator("en")
    now = nabo.clock.now()
    activity_id = await add_activity(nabo.store, now, title_en="Homework café for all")
    [menu] = await staff(nabo, "/poster", "en")
    label = next(b for b in buttons(menu) if "Homework café for all" in b)
    kinds = await tap(nabo, menu, label)
    languages = await tap(nabo, kinds, tr.gettext("✂️ Four flyers (A6 on A4)"))
    where = await tap(nabo, languages, "العربية")
    sent = await tap_for_file(nabo, where, tr.gettext("No source"))
    pdf = nabo.server.document_bytes(STAFF_ID, sent["message_id"])
    link = f"https://t.me/nabo_test_bot?start={OpenActivity(activity_id).pack()}"
    assert qr_codes(render(pdf, dpi=150)) == [link] * 4
    # The share image, from the same steps.
    [menu] = await staff(nabo, "/poster", "en")
    kinds = await tap(nabo, menu, label)
    languages = await tap(nabo, kinds, tr.gettext("📱 Image for Facebook and WhatsApp"))
    where = await tap(nabo, languages, "English")
    sent = await tap_for_file(nabo, where, tr.gettext("No source"))
    image = png(nabo.server.document_bytes(STAFF_ID, sent["message_id"]))
    assert image.size == (1080, 1350)
    assert qr_codes(image) == [link]
    # The door poster, in one press from the staff view of the activity.
    [listing] = await staff(nabo, "/signups", "en")
    view = await tap(nabo, listing, next(b for b in buttons(listing) if "Homework" in b))
    sent = await tap_for_file(nabo, view, tr.gettext("🚪 Door poster"))
    pdf = nabo.server.document_bytes(STAFF_ID, sent["message_id"])
    [code] = qr_codes(render(pdf))
    payload = parse_payload(code.split("?start=")[1])
    key = await nabo.store.fetch_one("SELECT value FROM secrets WHERE name = 'door_code'")
    assert payload == CheckIn(activity_id, door_token(bytes(key[0]), activity_id))


async def test_the_staff_view_counts_door_check_ins_live(nabo: Nabo, catalogs: Catalogs) -> None:
    tr = catalogs.translator("en")
    now = nabo.clock.now()
    activity_id = await add_activity(
        nabo.store,
        now,
        starts_at=now + timedelta(minutes=10),
        ends_at=now + timedelta(hours=2),
        capacity=1,
        title_en="Knitting",
    )
    key = await nabo.store.fetch_one("SELECT value FROM secrets WHERE name = 'door_code'")
    code = CheckIn(activity_id, door_token(bytes(key[0]), activity_id)).pack()
    await consented(nabo, 601, "en", first_name="Pia")
    nabo.server.send_command(601, "start", code)
    [question] = await nabo.server.wait_for_messages(601)
    nabo.server.press(601, question, "2")
    asked = await nabo.server.wait_for_edit(601, question["message_id"])
    nabo.server.press(601, asked, "0")
    await nabo.server.wait_for_messages(601)
    [listing] = await staff(nabo, "/signups", "en")
    view = await tap(nabo, listing, next(b for b in buttons(listing) if "Knitting" in b))
    assert (
        tr.gettext(
            "🚪 Checked in at the door: {total} (signed up {came}, got a place {placed}, "
            "without a place {no_place}, without Nabo {anonymous})"
        ).format(total=2, came=0, placed=0, no_place=2, anonymous=0)
        in view["text"]
    )


async def test_sources_are_listed_and_deleted_and_report_counts_them(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    tr = catalogs.translator("en")
    now = nabo.clock.now()
    [hint] = await staff(nabo, "/newsource", "en")
    assert hint["text"].startswith("Write /newsource and the name of the place")
    await staff(nabo, "/newsource Flyer Vestervang Skole", "en")
    [[source], _total] = await SourceRepository(nabo.store).page(limit=10, invite=False)
    # A newcomer comes by its link and signs up.
    activity_id = await add_activity(nabo.store, now)
    nabo.server.user(602, language_code="en")
    nabo.server.send_command(602, "start", OpenActivity(activity_id, source.code).pack())
    [notice] = await nabo.server.wait_for_messages(602)
    nabo.server.press(602, notice, tr.gettext("✅ Yes, that's fine"))
    await nabo.server.wait_for_messages(602, 2)
    [_report, lines] = await staff(nabo, "/report", "en", 2)
    assert "Flyer Vestervang Skole: 1 new, 0 sign-ups, 0 check-ins" in lines["text"]
    [listed] = await staff(nabo, "/sources", "en")
    assert f"{source.code} – Flyer Vestervang Skole" in listed["text"]
    ask = await tap(nabo, listed, "🗑 Flyer Vestervang Skole")
    after = await tap(nabo, ask, tr.gettext("🗑 Yes, delete it"))
    assert "Flyer Vestervang Skole" not in after["text"]
    # Its links now open only Nabo's start.
    nabo.server.send_command(602, "start", OpenActivity(activity_id, source.code).pack())
    [gone, _menu] = await nabo.server.wait_for_messages(602, 2)
    assert gone["text"] == tr.gettext(
        "This link is no longer in use, but you are welcome! Here is Nabo's start."
    )


async def test_residents_cannot_print_or_add_sources(nabo: Nabo) -> None:
    await consented(nabo, 603, "da")
    for command in ("poster", "sources", "newsource Trappe"):
        nabo.server.send_text(603, f"/{command}")
        [reply] = await nabo.server.wait_for_messages(603)
        assert "document" not in reply
    await settle(nabo)
    assert await nabo.rows("SELECT COUNT(*) FROM sources") == [(1,)]
    forged = nabo.server.press_button(603, 1, "st:pm:0:p:all:-")
    await nabo.server.wait_for_callback_answer(forged)
    await settle(nabo)
    assert all("document" not in m for m in nabo.server.messages(603))


async def test_staff_print_the_privacy_notice_from_the_poster_list(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    """The notice for people signed up without Telegram: all three languages, one page each."""
    tr = catalogs.translator("da")
    [menu] = await staff(nabo, "/poster", "da")
    sent = await tap_for_file(nabo, menu, tr.gettext("🔒 Privacy notice to print"))
    assert sent["document"]["file_name"] == "nabo-privacy-da-ar-en.pdf"
    pdf = nabo.server.document_bytes(STAFF_ID, sent["message_id"])
    assert pdf_pages(pdf) == 3
    assert flat(tr.gettext("If the team signed you up without Telegram")) in flat(pdf_text(pdf))


def long_names(count: int) -> list[str]:
    """Names of places as staff might write them: numbered, each of the longest allowed."""
    where = " Houlkær, opslagstavlen ved indgangen til vaskeriet, cykelkælderen og legepladsen"
    return [(f"{number:02d} Opgang{where}")[:MAX_NAME] for number in range(1, count + 1)]


async def add_sources(nabo: Nabo, count: int) -> list[Source]:
    sources = SourceRepository(nabo.store)
    return [await sources.create(name, nabo.clock.now()) for name in long_names(count)]


@pytest.mark.parametrize("language", ["da", "ar", "en"])
async def test_many_sources_are_listed_a_page_at_a_time(
    nabo: Nabo, catalogs: Catalogs, language: str
) -> None:
    tr = catalogs.translator(language)
    added = await add_sources(nabo, 45)
    codes = {source.code for source in added} | {"invite"}
    [screen] = await staff(nabo, "/sources", language)
    seen: set[str] = set()
    pages = 0
    while True:
        pages += 1
        listed = {code for code in codes if tr.ltr(code) in screen["text"]}
        assert listed.isdisjoint(seen)
        seen |= listed
        if tr.gettext("Next ▶") not in buttons(screen):
            break
        screen = await tap(nabo, screen, tr.gettext("Next ▶"))
    assert seen == codes
    assert pages > 1
    assert (
        tr.gettext("Page {page} of {pages}").format(page=tr.ltr(pages), pages=tr.ltr(pages))
        in screen["text"]
    )
    # Deleting from a later page comes back to that page, without it.
    [second] = [s for s in added if s.name.startswith("12 ")]
    page = pages
    while tr.ltr(second.code) not in screen["text"]:
        screen = await tap(nabo, screen, tr.gettext("◀ Previous"))
        page -= 1
    assert 1 < page < pages
    page_line = tr.gettext("Page {page} of {pages}").format(page=tr.ltr(page), pages=tr.ltr(pages))
    label = tr.gettext("🗑 {name}").format(name=shorten(second.name, 40))
    ask = await tap(nabo, screen, label)
    after = await tap(nabo, ask, tr.gettext("🗑 Yes, delete it"))
    assert tr.ltr(second.code) not in after["text"]
    assert page_line in after["text"]
    # A new source is shown on the page that holds it.
    [new] = await staff(nabo, "/newsource 13a Opgang ved postkasserne", language)
    name = "13a Opgang ved postkasserne"
    [(code,)] = await nabo.rows(f"SELECT code FROM sources WHERE name = '{name}'")
    assert new["text"].startswith(
        tr.gettext("Added: {name}, code {code}.").format(name=tr.ltr(name), code=tr.ltr(code))
    )
    assert f"{tr.line_start()}{tr.ltr(code)} – {tr.ltr(name)}" in new["text"]


async def test_a_source_on_a_later_page_goes_on_the_poster(nabo: Nabo, catalogs: Catalogs) -> None:
    tr = catalogs.translator("da")
    added = await add_sources(nabo, 120)  # more than one message's 100 buttons
    [menu] = await staff(nabo, "/poster", "da")
    kinds = await tap(nabo, menu, tr.gettext("🏠 Nabo itself"))
    languages = await tap(nabo, kinds, tr.gettext("🪧 Poster (A4)"))
    where = await tap(nabo, languages, "Dansk")
    last = added[-1]
    label = shorten(last.name, 48)
    while label not in buttons(where):
        where = await tap(nabo, where, tr.gettext("Next ▶"))
    assert tr.gettext("No source") in buttons(where)
    sent = await tap_for_file(nabo, where, label)
    pdf = nabo.server.document_bytes(STAFF_ID, sent["message_id"])
    link = f"https://t.me/nabo_test_bot?start={JoinNabo(last.code).pack()}"
    assert qr_codes(render(pdf)) == [link]


@pytest.mark.parametrize("language", ["da", "ar", "en"])
async def test_the_reports_sources_fit_one_message(
    nabo: Nabo, catalogs: Catalogs, language: str
) -> None:
    tr = catalogs.translator(language)
    added = await add_sources(nabo, 45)
    [_report, lines] = await staff(nabo, "/report", language, 2)
    assert lines["text"].startswith(tr.gettext("📍 Where people came from:"))
    assert lines["text"].endswith(tr.gettext("…and more in the workbook (sheet Kilder)."))
    shown = [source for source in added if tr.ltr(source.name) in lines["text"]]
    assert shown == added[: len(shown)]
    assert len(shown) > 10


async def test_a_name_with_control_characters_is_added_cleaned(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    tr = catalogs.translator("en")
    [added] = await staff(nabo, "/newsource \x00Trappe\x0712", "en")
    [(code, name)] = await nabo.rows("SELECT code, name FROM sources WHERE code != 'invite'")
    assert name == "Trappe 12"
    assert added["text"].startswith(
        tr.gettext("Added: {name}, code {code}.").format(name=tr.ltr(name), code=tr.ltr(code))
    )
    # Nothing but control characters is no name: the hint, nothing added.
    [hint] = await staff(nabo, "/newsource \x00\x07", "en")
    assert hint["text"].startswith("Write /newsource and the name of the place")
    assert await nabo.rows("SELECT COUNT(*) FROM sources") == [(2,)]
