"""Waitlist promotions are told durably: a delivery per promoted resident, with the promotion."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.i18n import Catalogs, Translator
from bot.db.activities import Activity, ActivityRepository
from bot.db.residents import ResidentRepository
from bot.db.signups import SignupRepository
from bot.db.store import Store
from bot.views.activity import activity_title_when, party_text
from tests.conftest import Nabo, buttons, consented, settle
from tests.factories import add_activity, add_residents

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = await Store.open(tmp_path / "nabo.db")
    yield store
    await store.close()


def promoted_start(tr: Translator, activity: Activity, adults: int) -> str:
    """The opening of the message a resident gets on moving up."""
    return tr.gettext(
        "🎉 Good news! A place became free, and you are now signed up: {party}.\n\n"
        "{activity}\n\n"
        "If you can no longer come, please cancel so someone else can have the place."
    ).format(party=party_text(tr, adults, 0), activity=activity_title_when(tr, activity))


async def test_promotion_is_written_with_the_cancellation(store: Store) -> None:
    """The delivery row commits in the cancel's own transaction: nobody moves up untold."""
    now = NOW
    await add_residents(store, [1, 2, 3], now, "da")
    await add_residents(store, [4], now, "ar")
    activity_id = await add_activity(store, now, capacity=1)
    signups = SignupRepository(store, "da")
    first = await signups.sign_up(activity_id, 1, 1, 0, now, waitlist=False)
    await signups.sign_up(activity_id, 4, 1, 0, now, waitlist=False)
    assert first.signup is not None

    result = await signups.cancel(first.signup.id, 1, now)

    assert [r.signup.user_id for r in result.promoted] == [4]
    rows = await store.fetch_all(
        "SELECT b.kind, b.activity_id, b.status, d.user_id, d.chat_id, d.language, d.status"
        " FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id"
    )
    assert [tuple(row) for row in rows] == [
        ("promotion", activity_id, "sending", 4, 4, "ar", "pending")
    ]

    # Erasure promotes too, and writes its deliveries in the erasure's transaction.
    second = await add_activity(store, now, capacity=1, title_da="Anden")
    await signups.sign_up(second, 2, 1, 0, now, waitlist=False)
    await signups.sign_up(second, 3, 1, 0, now, waitlist=False)
    forgotten = await ResidentRepository(store, "da").forget(2, now)
    assert [(a, [r.signup.user_id for r in p]) for a, p in forgotten.promotions] == [(second, [3])]
    rows = await store.fetch_all(
        "SELECT d.user_id, d.status FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id"
        " WHERE b.kind = 'promotion' AND b.activity_id = ?",
        (second,),
    )
    assert [tuple(row) for row in rows] == [(3, "pending")]


async def test_promotion_told_though_the_cancellers_edit_fails(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    """A failed edit of the canceller's message must not leave the next in line untold."""
    da, ar = catalogs.translator("da"), catalogs.translator("ar")
    server = nabo.server
    await consented(nabo, 10, "da")
    await consented(nabo, 11, "ar")
    activity_id = await add_activity(nabo.store, nabo.clock.now(), capacity=1)
    activity = await ActivityRepository(nabo.store).get(activity_id)
    assert activity is not None
    signups = SignupRepository(nabo.store)
    mine = await signups.sign_up(activity_id, 10, 1, 0, nabo.clock.now(), waitlist=False)
    await signups.sign_up(activity_id, 11, 1, 0, nabo.clock.now(), waitlist=False)
    assert mine.signup is not None

    server.send_command(10, "mine")
    [listing] = await server.wait_for_messages(10)
    cancel = next(b for b in buttons(listing) if b.startswith(da.gettext("❌ Cancel my sign-up")))
    server.press(10, listing, cancel)
    [sure] = await server.wait_for_messages(10)
    cursor = server.cursor(11)
    # Telegram answers the canceller's edit with a server error.
    server.fail_next("editMessageText", 502, "Bad Gateway", chat_id=10)
    server.press(10, sure, da.gettext("Yes, cancel"))

    [told] = await server.wait_for_messages(11, after=cursor)
    assert told["text"].startswith(promoted_start(ar, activity, 1))
    assert buttons(told) == [ar.gettext("❌ Cancel my sign-up")]
    await settle(nabo)
    assert await nabo.rows(
        "SELECT d.user_id, d.status FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id"
        " WHERE b.kind = 'promotion'"
    ) == [(11, "sent")]


async def test_promotion_committed_before_a_crash_is_told_after_restart(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    """Promoted, then the process died before anyone was told: the restart tells them."""
    en = catalogs.translator("en")
    server = nabo.server
    await consented(nabo, 20, "en")
    await consented(nabo, 21, "en")
    now = nabo.clock.now()
    activity_id = await add_activity(nabo.store, now, capacity=2)
    activity = await ActivityRepository(nabo.store).get(activity_id)
    assert activity is not None
    signups = SignupRepository(nabo.store)
    first = await signups.sign_up(activity_id, 20, 2, 0, now, waitlist=False)
    await signups.sign_up(activity_id, 21, 2, 0, now, waitlist=False)
    assert first.signup is not None
    cursor = server.cursor(21)
    await nabo.stop()
    # The cancellation commits, and the process is gone before it could send anything.
    store = await Store.open(nabo.config.database_path)
    try:
        result = await SignupRepository(store, "da").cancel(first.signup.id, 20, now)
    finally:
        await store.close()
    assert [r.signup.user_id for r in result.promoted] == [21]
    assert server.cursor(21) == cursor

    await nabo.start()
    [told] = await server.wait_for_messages(21, after=cursor)
    assert told["text"].startswith(promoted_start(en, activity, 2))
    await settle(nabo)
    assert server.cursor(21) == cursor + 1  # told once
