"""Joining slips: an A6 card in the person's language whose QR code is their one-time link.

Each slip is read back as a person and a phone would: its text (pdfium, NFKC), its page
size, every text inside its box on the page, and its QR code decoded with a real decoder
(zxing-cpp). A slip is made only for the link a record holds now: a replaced, used or
expired link, or an erased record, makes none.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pypdfium2
import pytest

from bot.core.config import LANGUAGES
from bot.core.i18n import Catalogs
from bot.core.start_links import JoinLink, start_link
from bot.db.people import JOIN_LINK_DAYS, NewPerson, PeopleRepository
from bot.db.store import Store
from bot.offline.printing.layouts import A6_SLIP
from bot.offline.printing.make import Made, make_slip
from bot.offline.printing.request import Problem, SheetError, SlipRequest
from tests.conftest import SUITE_NOW
from tests.factories import add_activity
from tests.printed import flat, pdf_pages, pdf_text, qr_codes, render, words

BOT = "nabo_viborg_bot"
NAMES = {"da": "Birthe", "ar": "فاطمة", "en": "Theodora-Alexandrina"}
POINTS_PER_MM = 72 / 25.4


async def _person(path: Path, language: str, name: str) -> tuple[int, str]:
    """A record made by staff on someone's behalf, with a joining link; (id, token)."""
    store = await Store.open(path)
    try:
        activity = await add_activity(store, SUITE_NOW)
        people = PeopleRepository(store)
        _r, person = await people.sign_up_new(
            activity,
            NewPerson(name, language, "Houlkær", None, "paper"),
            1,
            0,
            SUITE_NOW,
            waitlist=False,
            registered_by=1,
            role="staff",
        )
        assert person is not None
        token = await people.new_join_link(person.id, SUITE_NOW)
        assert token is not None
        return person.id, token
    finally:
        await store.close()


def slip(path: Path, catalogs: Catalogs, person_id: int, token: str, days: int = 0) -> Made:
    now = SUITE_NOW + timedelta(days=days)
    return make_slip(path, SlipRequest(person_id, token), catalogs, BOT, now)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_slip_in_each_language_reads_back_and_scans(
    tmp_path: Path, catalogs: Catalogs, language: str
) -> None:
    path = tmp_path / "nabo.sqlite3"
    person_id, token = asyncio.run(_person(path, language, NAMES[language]))
    made = slip(path, catalogs, person_id, token)
    link = start_link(BOT, JoinLink(token))
    assert made.link == link
    assert made.filename == f"nabo-slip-{person_id}-{language}.pdf"
    assert pdf_pages(made.data) == 1
    document = pypdfium2.PdfDocument(made.data)
    try:
        width, height = document[0].get_size()
    finally:
        document.close()
    assert (round(width / POINTS_PER_MM), round(height / POINTS_PER_MM, 1)) == (105, 148.5)
    assert qr_codes(render(made.data, dpi=150)) == [link]
    tr = catalogs.translator(language)
    text = words(pdf_text(made.data))
    for said in (
        tr.gettext("Scan the code with your phone's camera"),
        tr.gettext("You need the Telegram app on your phone. It is free."),
    ):
        assert words(said) in text, said
    # The name, and the day the link stops working, as the language writes it.
    assert set(words(NAMES[language]).split()) <= set(text.split())
    until = SUITE_NOW + timedelta(days=JOIN_LINK_DAYS)
    assert set(words(tr.date(until)).split()) <= set(text.split())
    for box in made.drawn[0].boxes:
        assert box.used <= box.height + 1e-6, box
        assert box.x >= 0, box
        assert box.y >= 0, box
        assert box.x + box.width <= A6_SLIP.width + 1e-6, box
        assert box.y + box.used <= A6_SLIP.height + 1e-6, box
    assert not made.drawn[0].cut


def test_only_the_link_a_record_holds_now_makes_a_slip(tmp_path: Path, catalogs: Catalogs) -> None:
    path = tmp_path / "nabo.sqlite3"
    person_id, token = asyncio.run(_person(path, "da", "Birthe"))
    # A forged token, someone else's record, and a link past its day.
    for request, days in (
        (SlipRequest(person_id, "A" * 22), 0),
        (SlipRequest(person_id + 1, token), 0),
        (SlipRequest(person_id, token), JOIN_LINK_DAYS),
    ):
        with pytest.raises(SheetError) as refused:
            make_slip(path, request, catalogs, BOT, SUITE_NOW + timedelta(days=days))
        expected = Problem.PERSON_GONE if request.person_id != person_id else Problem.LINK_REPLACED
        assert refused.value.problem is expected

    async def replace_link() -> str:
        store = await Store.open(path)
        try:
            newer = await PeopleRepository(store).new_join_link(person_id, SUITE_NOW)
            assert newer is not None
            return newer
        finally:
            await store.close()

    newer = asyncio.run(replace_link())
    with pytest.raises(SheetError) as refused:
        slip(path, catalogs, person_id, token)
    assert refused.value.problem is Problem.LINK_REPLACED
    assert flat(pdf_text(slip(path, catalogs, person_id, newer).data))
