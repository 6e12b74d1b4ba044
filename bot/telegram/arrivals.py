"""Arriving by a link: a poster's QR code, a flyer, a shared invitation, the door code.

``/start <payload>`` (handlers/start.py) reads the link here: a payload that fits no kind,
names an activity that is gone, cancelled or over, or a deleted source is refused kindly
and nothing is kept. A newcomer's link is held in memory (PTB's user_data, never the
database) until they answer the privacy notice: accepting continues where the link
pointed, declining forgets it (a door code then counts one anonymous visit). Check-in
buttons (handlers/door.py) come back here too, so both journeys share one check-in.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bot.core.start_links import (
    CHECK_IN_OPENS,
    CheckIn,
    JoinNabo,
    OpenActivity,
    OpenSeries,
    StartPayload,
    door_token_ok,
    parse_payload,
)
from bot.db.activities import Activity
from bot.db.checkins import CheckInOutcome
from bot.db.sources import Source
from bot.telegram.context import NaboContext
from bot.views.activity import activity_detail
from bot.views.activity_card import detail_keyboard
from bot.views.arrivals import (
    Refusal,
    activities_keyboard,
    adults_question,
    check_in_text,
)
from bot.views.menu import back_to_menu_keyboard

log = logging.getLogger(__name__)

# user_data key: a newcomer's link, until they answer the privacy notice (memory only).
HELD = "arrival"


@dataclass(frozen=True, slots=True)
class Arrival:
    """A link checked against the database: what it opens, and the source it counts for."""

    payload: StartPayload
    activity: Activity | None  # a series' link: its next date; Nabo's own: None
    source: Source | None


@dataclass(frozen=True, slots=True)
class Refused:
    """A link that opens only Nabo's start, and why."""

    refusal: Refusal
    opens: datetime | None = None  # a door code before the window: when it opens


def door_window(activity: Activity) -> tuple[datetime, datetime]:
    """Return when a door code works: from 30 minutes before the start until the end."""
    return activity.starts_at - CHECK_IN_OPENS, activity.ends_at


async def read_link(context: NaboContext, text: str) -> Arrival | Refused:
    """Read a start payload and check it against the database and the clock."""
    payload = parse_payload(text)
    if payload is None:
        return Refused(Refusal.FORGED)
    source = None
    code = getattr(payload, "source", None)
    if code is not None:
        source = await context.sources.by_code(code)
        if source is None:
            return Refused(Refusal.FORGED)
        if not source.is_active:
            return Refused(Refusal.SOURCE_GONE)
    return await check_arrival(context, payload, source)


async def check_arrival(
    context: NaboContext, payload: StartPayload, source: Source | None
) -> Arrival | Refused:
    """Check what a (well-formed) payload opens, now."""
    now = context.clock.now()
    if isinstance(payload, JoinNabo):
        return Arrival(payload, None, source)
    if isinstance(payload, OpenSeries):
        following = await context.activities.next_in_series(payload.series_id, now)
        if following is None:
            known = await context.activities.series_exists(payload.series_id)
            return Refused(Refusal.SERIES_ENDED if known else Refusal.NOT_FOUND)
        return Arrival(payload, following, source)
    assert isinstance(payload, OpenActivity | CheckIn)
    activity = await context.activities.get(payload.activity_id)
    if isinstance(payload, CheckIn):
        key = await context.checkins.door_key()
        if activity is None or not door_token_ok(key, activity.id, payload.token):
            return Refused(Refusal.FORGED)
        opens, closes = door_window(activity)
        if activity.status != "published":
            return Refused(Refusal.CANCELLED)
        if now < opens:
            return Refused(Refusal.TOO_EARLY, opens)
        if now >= closes:
            return Refused(Refusal.DOOR_ENDED)
        return Arrival(payload, activity, source)
    if activity is None:
        return Refused(Refusal.NOT_FOUND)
    if activity.status != "published":
        return Refused(Refusal.CANCELLED)
    if activity.ends_at <= now:
        return Refused(Refusal.ENDED)
    return Arrival(payload, activity, source)


def hold(context: NaboContext, payload: StartPayload) -> None:
    """Keep a newcomer's link in memory while they read the privacy notice."""
    context.user_data[HELD] = payload.pack()


def take_held(context: NaboContext) -> StartPayload | None:
    """Take the link a newcomer arrived by (it is forgotten either way)."""
    text = context.user_data.pop(HELD, None)
    return parse_payload(text) if isinstance(text, str) else None


async def held_arrival(context: NaboContext) -> Arrival | Refused | None:
    """Take the held link and check it again: time has passed while the notice was read."""
    payload = take_held(context)
    if payload is None:
        return None
    return await read_link(context, payload.pack())


async def arrive(context: NaboContext, chat_id: int, arrival: Arrival, first_name: str) -> None:
    """Take a resident (who accepted the notice) where the link points."""
    activity = arrival.activity
    if activity is None:
        return  # Nabo's own link: the caller shows the menu
    if isinstance(arrival.payload, CheckIn):
        await check_in(context, chat_id, arrival, first_name)
        return
    await send_card(context, chat_id, activity, arrival.source)


async def send_card(
    context: NaboContext, chat_id: int, activity: Activity, source: Source | None
) -> None:
    """Send an activity's card; a sign-up begun on it counts for the link's source."""
    user_id = context.user_id or chat_id
    listing = await context.activities.listing(activity.id, user_id)
    assert listing is not None
    signup = await context.signups.active_for(activity.id, user_id)
    await context.bot.send_message(
        chat_id,
        activity_detail(context.tr, listing),
        reply_markup=detail_keyboard(
            context.tr,
            listing,
            signup,
            context.clock.now(),
            source=source.code if source is not None else None,
            bot_username=context.bot.username,
        ),
    )


async def check_in(
    context: NaboContext,
    chat_id: int,
    arrival: Arrival,
    first_name: str,
    *,
    adults: int | None = None,
    children: int | None = None,
) -> None:
    """Check a resident in at the door and greet them (or ask how many came)."""
    activity, payload = arrival.activity, arrival.payload
    assert activity is not None
    assert isinstance(payload, CheckIn)
    user_id = context.user_id or chat_id
    result = await context.checkins.check_in(
        activity.id,
        user_id,
        context.clock.now(),
        adults=adults,
        children=children,
        first_name=first_name,
        source_id=arrival.source.id if arrival.source is not None else None,
    )
    log.info("door check-in for activity %s: %s", activity.id, result.outcome)
    tr = context.tr
    if result.outcome is CheckInOutcome.ASK_PARTY:
        text, keyboard = adults_question(tr, activity, payload.token, first_name, payload.source)
        await context.bot.send_message(chat_id, text, reply_markup=keyboard)
        return
    if result.outcome is CheckInOutcome.CLOSED:
        await context.bot.send_message(
            chat_id,
            tr.gettext("❌ This activity has been cancelled."),
            reply_markup=activities_keyboard(tr),
        )
        return
    await context.bot.send_message(
        chat_id,
        check_in_text(tr, result, first_name, activity),
        reply_markup=back_to_menu_keyboard(tr),
    )


async def count_anonymous_visit(context: NaboContext, arrival: Arrival) -> bool:
    """Count one visit for someone at the door who declined the notice: nothing about them."""
    if not isinstance(arrival.payload, CheckIn) or arrival.activity is None:
        return False
    return await context.checkins.anonymous_visit(
        arrival.activity.id,
        context.clock.now(),
        source_id=arrival.source.id if arrival.source is not None else None,
    )
