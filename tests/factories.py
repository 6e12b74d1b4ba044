"""Small builders for test data, written through the real repositories."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from bot.db.activities import ActivityDraft, ActivityRepository
from bot.db.residents import ResidentRepository
from bot.db.store import Store


def draft(now: datetime, **changes: object) -> ActivityDraft:
    """A valid activity two days after ``now``, with any field changed."""
    base = ActivityDraft(
        title_da="Lektiecafé",
        title_ar="مقهى الواجبات المدرسية",
        title_en="Homework café",
        description_da="Vi hjælper med lektierne. Kom bare!",
        starts_at=now + timedelta(days=2),
        ends_at=now + timedelta(days=2, hours=2),
        place="Houlkær Beboerhus",
        delaftale="education",
        area="Houlkær",
        capacity=10,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


async def add_activity(store: Store, now: datetime, **changes: object) -> int:
    """Insert one activity and return its id."""
    [activity_id] = await ActivityRepository(store).add_many([draft(now, **changes)], now)
    return activity_id


async def add_residents(
    store: Store, user_ids: list[int], now: datetime, language: str = "da"
) -> None:
    """Create consented residents."""
    residents = ResidentRepository(store)
    for user_id in user_ids:
        await residents.consent(user_id, user_id, language, now)
