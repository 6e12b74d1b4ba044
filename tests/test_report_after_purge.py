"""Reports keep adding up after each purge: /deleteme and retention leave every count.

The known data set's quarter is reported, residents are erased and retention runs with
a controlled clock, and the same report is made again: every additive figure is the
same. Only distinct-person figures (participants, new, returning) may fall, as the
README and PRIVACY.md say, and nothing of the erased residents is left anywhere.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.core.config import DEFAULT_AREAS
from bot.core.i18n import Catalogs
from bot.db.feedback import FeedbackRepository
from bot.db.mydata import PersonalDataRepository
from bot.db.residents import ResidentRepository
from bot.db.signups import SignupRepository
from bot.db.store import Store
from bot.db.volunteers import OfferDraft, VolunteerRepository
from bot.offline.reporting import REPORT_COLUMNS, Figures, Report, build_report
from bot.offline.sheets import export_sheets
from bot.offline.snapshot import snapshot
from bot.work.retention import INACTIVE_OFFER_RETENTION
from tests.known_data import FORMULA_NOTE, NOW, R1, R2, R4, R5, build_known_database
from tests.test_privacy import places_holding
from tests.test_report import CPH, Q1

# Counted once per person, so they can only be counted while sign-ups are linked.
DISTINCT = ("Unikke deltagere", "Nye deltagere", "Tilbagevendende deltagere")
# A state of now, not a count of the period: an erased offer is no longer active.
NOW_STATE = ("Heraf aktive nu",)
COMMENT = "Trappen ved nr. 12 er for mørk"
SIGNUP_RETENTION = timedelta(days=180)  # SIGNUP_RETENTION_DAYS' default
FEBRUARY = datetime(2030, 2, 3, 9, 0, tzinfo=UTC)


def additive(f: Figures) -> dict[str, object]:
    return {name: read(f) for name, read in REPORT_COLUMNS if name not in DISTINCT + NOW_STATE}


def distinct(f: Figures) -> list[int]:
    return [f.participants, f.new, f.returning]


def make_report(database: Path) -> Report:
    with snapshot(database) as connection:
        return build_report(connection, Q1, NOW, CPH, DEFAULT_AREAS)


def export_counts(database: Path) -> tuple[list[object], list[object]]:
    """The staff workbook's counts: per broadcast, and each feedback (not its comment)."""
    with snapshot(database) as connection:
        sheets = export_sheets(connection, CPH, Catalogs(CPH).translator("da"))
        rows = {sheet.name: list(sheet.rows) for sheet in sheets}
    broadcasts = [(row[0], *row[9:]) for row in rows["Udsendelser"]]
    feedback = sorted((row[1], row[2], row[3], row[5] or 0) for row in rows["Tilbagemeldinger"])
    return broadcasts, feedback


async def test_erasure_and_retention_leave_every_additive_figure(tmp_path: Path) -> None:
    database = tmp_path / "nabo.sqlite3"
    await build_known_database(database)
    store = await Store.open(database)
    try:
        residents = ResidentRepository(store)
        volunteers = VolunteerRepository(store)
        # Beyond the known data: a linked comment without a rating, and an offer made
        # and withdrawn in the period (retention deletes it a year later).
        await FeedbackRepository(store).add(subject="area", now=FEBRUARY, user_id=R2, text=COMMENT)
        await volunteers.save(R5, OfferDraft(("homework",), ("evenings",)), FEBRUARY)
        await volunteers.withdraw(R5, FEBRUARY)
        before, exported = make_report(database), export_counts(database)
        assert (before.total.offers, before.total.feedback) == (3, 6)

        # /deleteme for R1 (an active offer, rated feedback, messages received), R2
        # (rated and comment-only feedback) and R4 (a message that was blocked).
        for user in (R1, R2, R4):
            assert (await residents.forget(user, NOW)).found
        # Retention, 400 days on: every sign-up of the quarter is unlinked, R5's
        # withdrawn offer is deleted.
        later = NOW + timedelta(days=400)
        assert await SignupRepository(store).unlink_ended_before(later - SIGNUP_RETENTION)
        deleted = await volunteers.delete_inactive(later - INACTIVE_OFFER_RETENTION)
        assert [offer.user_id for offer in deleted] == [R5]
        for user in (R1, R2, R4):
            assert await PersonalDataRepository(store).export(user, later) is None
    finally:
        await store.close()
    after = make_report(database)

    assert additive(after.total) == additive(before.total)
    for groups in ("by_delaftale", "by_area"):
        was, now = getattr(before, groups), getattr(after, groups)
        assert list(now) == list(was)
        assert {key: additive(f) for key, f in now.items()} == {
            key: additive(f) for key, f in was.items()
        }
        for key, f in now.items():
            assert all(a <= b for a, b in zip(distinct(f), distinct(was[key]), strict=True))
    assert after.months == before.months
    # No sign-up of the quarter is linked any more: nobody can be told apart.
    assert distinct(after.total) == [0, 0, 0] != distinct(before.total)
    assert after.total.offers_active == 0 < before.total.offers_active  # R1's offer is gone
    assert replace(after.total, participants=0, new=0, offers_active=0) == replace(
        before.total, participants=0, new=0, offers_active=0
    )

    # The staff workbook's broadcast and feedback sheets add up the same too.
    assert export_counts(database) == exported

    # What stays carries nothing of the people erased.
    erased = [str(R1), str(R2), str(R4), "+4512345678", FORMULA_NOTE, COMMENT]
    assert places_holding(database, erased) == []
