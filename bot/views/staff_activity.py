"""Staff's screen of an activity: its details, who is coming, and what can be done."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.i18n import Translator
from bot.db.activities import Activity
from bot.db.checkins import DoorCount
from bot.db.people import OfflinePerson
from bot.db.signups import Signup, SignupStatus
from bot.views.activity import MAX_MESSAGE, area_name, delaftale_name, party_text
from bot.views.arrivals import staff_door_line
from bot.views.buttons import (
    NO_SOURCE,
    POSTER_KINDS,
    AskCancelActivity,
    Attendance,
    EditActivity,
    PosterFor,
    PosterMake,
    StaffActivities,
    StaffHosts,
    StaffSignUpFor,
)
from bot.views.on_behalf import not_on_telegram
from bot.views.staff_texts import utf16_len


def person_name(tr: Translator, signup: Signup) -> str:
    """Name a sign-up as Telegram gave it (or neutrally), for staff only."""
    return tr.ltr(signup.first_name) if signup.first_name else tr.gettext("(no name)")


def people_text(tr: Translator, count: int) -> str:
    """Say how many people, e.g. "3 people"."""
    return tr.ngettext("{count} person", "{count} people", count).format(count=tr.ltr(count))


def signups_text(tr: Translator, count: int) -> str:
    """Say how many sign-ups, e.g. "2 sign-ups"."""
    return tr.ngettext("{count} sign-up", "{count} sign-ups", count).format(count=tr.ltr(count))


def came_line(tr: Translator, came: int, walk_ins: int) -> str:
    """Say how many of those signed up came, and how many walked in."""
    return tr.gettext("🧾 Came: {came} · 🚶 Walk-ins: {walk_ins}").format(
        came=tr.ltr(came), walk_ins=tr.ltr(walk_ins)
    )


def _fit_entries(tr: Translator, head: str, entries: list[tuple[str, bool]]) -> str:
    """Join the head and the sign-up lines; cut with "…and N more" to fit one message."""
    full = "\n".join([head, *(line for line, _ in entries)])
    if utf16_len(full) <= MAX_MESSAGE:
        return full
    total = sum(1 for _, is_signup in entries if is_signup)
    # Room for the longest "…and N more" there could be.
    reserve = utf16_len(_and_more(tr, total)) + 1
    kept = [head]
    used = utf16_len(head)
    shown = 0
    for line, is_signup in entries:
        if used + 1 + utf16_len(line) + reserve > MAX_MESSAGE:
            break
        kept.append(line)
        used += 1 + utf16_len(line)
        shown += is_signup
    kept.append(_and_more(tr, total - shown))
    return "\n".join(kept)


def _and_more(tr: Translator, count: int) -> str:
    return tr.ngettext("…and {count} more", "…and {count} more", count).format(count=tr.ltr(count))


def door_line(tr: Translator, door: DoorCount) -> str:
    """Say, live, how many checked in at the door and how."""
    return staff_door_line(tr, door.came, door.placed, door.no_place, door.anonymous)


def activity_screen(
    tr: Translator,
    activity: Activity,
    roster: list[Signup],
    now: datetime,
    offline: Mapping[int, OfflinePerson] | None = None,
    door: DoorCount | None = None,
) -> tuple[str, InlineKeyboardMarkup]:
    """Build the staff view of an activity and its sign-ups, within Telegram's message limit.

    ``offline``: the people signed up on their behalf, by sign-up id (marked, with phone);
    ``door``: who checked in at the door so far.
    """
    text = roster_text(tr, activity, roster, offline or {}, door)
    return text, _activity_keyboard(tr, activity, now)


def roster_text(
    tr: Translator,
    activity: Activity,
    roster: list[Signup],
    offline: Mapping[int, OfflinePerson],
    door: DoorCount | None = None,
) -> str:
    """Describe an activity and who is coming (staff's and hosts' view), within one message."""
    _ = tr.gettext
    confirmed = [s for s in roster if s.status is SignupStatus.CONFIRMED]
    waiting = [s for s in roster if s.status is SignupStatus.WAITLISTED]
    head = []
    if activity.status == "cancelled":
        head.append(_("❌ This activity has been cancelled."))
    head += [
        activity.title(tr.language),
        f"🗓 {tr.when(activity.starts_at)} – {tr.ltr(tr.time(activity.ends_at))}",
        f"📍 {tr.ltr(activity.place)}",
        f"🏘 {area_name(tr, activity.area)} · 🎯 {delaftale_name(tr, activity.delaftale)}",
        _("👥 Places: {count}").format(
            count=_("unlimited") if activity.capacity is None else tr.ltr(activity.capacity)
        ),
        _("✅ Signed up: {people} in {signups}").format(
            people=people_text(tr, sum(s.people for s in confirmed)),
            signups=signups_text(tr, len(confirmed)),
        ),
        _("⏳ Waitlist: {signups}, {people}").format(
            signups=signups_text(tr, len(waiting)),
            people=people_text(tr, sum(s.people for s in waiting)),
        ),
    ]
    if activity.attendance_taken_at is not None:
        came = sum(s.people for s in confirmed if s.attended)
        head.append(came_line(tr, came, activity.walk_ins))
    if door is not None and door.total:
        head.append(door_line(tr, door))
    entries: list[tuple[str, bool]] = []
    if not roster:
        entries.append(("", False))
        entries.append((_("No one has signed up yet."), False))
    for heading, group in ((_("Signed up:"), confirmed), (_("Waitlist:"), waiting)):
        if not group:
            continue
        entries += [("", False), (heading, False)]
        for number, signup in enumerate(group, start=1):
            mark = {True: " ✅", False: " ❌", None: ""}[signup.attended]
            line = (
                f"{tr.ltr(number)}. {person_name(tr, signup)} – "
                f"{party_text(tr, signup.adults, signup.children)}{mark}"
            )
            person = offline.get(signup.id)
            if person is not None:
                line += f" · {not_on_telegram(tr, person)}"
            entries.append((line, True))
    return _fit_entries(tr, "\n".join(head), entries)


def _activity_keyboard(tr: Translator, activity: Activity, now: datetime) -> InlineKeyboardMarkup:
    _ = tr.gettext
    rows = []
    if activity.status == "published" and activity.ends_at > now:
        rows.append(
            [
                InlineKeyboardButton(_("✏️ Edit"), callback_data=EditActivity(activity.id).pack()),
                InlineKeyboardButton(
                    _("❌ Cancel activity"), callback_data=AskCancelActivity(activity.id).pack()
                ),
            ]
        )
    if activity.is_open_for_signup(now):
        rows.append(
            [
                InlineKeyboardButton(
                    _("➕ Sign up someone without Telegram"),
                    callback_data=StaffSignUpFor(activity.id).pack(),
                )
            ]
        )
    if activity.status == "published" and activity.ends_at > now:
        rows.append(
            [InlineKeyboardButton(_("👤 Hosts"), callback_data=StaffHosts(activity.id).pack())]
        )
    if activity.status == "published" and activity.starts_at <= now:
        rows.append(
            [InlineKeyboardButton(_("🧾 Attendance"), callback_data=Attendance(activity.id).pack())]
        )
    if activity.status == "published" and activity.ends_at > now:
        door = PosterMake(activity.id, POSTER_KINDS["door"], "all", NO_SOURCE)
        rows.append(
            [
                InlineKeyboardButton(
                    _("🖨 Poster or flyer"), callback_data=PosterFor(activity.id).pack()
                ),
                InlineKeyboardButton(_("🚪 Door poster"), callback_data=door.pack()),
            ]
        )
    rows.append([InlineKeyboardButton(_("◀ Back"), callback_data=StaffActivities(0).pack())])
    return InlineKeyboardMarkup(rows)
