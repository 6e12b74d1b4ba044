"""What a resident reads on arriving by a link: why a link does not work, and check-in."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.i18n import Translator
from bot.db.activities import Activity
from bot.db.checkins import CheckInOutcome, CheckInResult
from bot.views.activity import activity_title_when, party_text
from bot.views.buttons import DoorAdults, DoorChildren, DoorHousehold, MenuActivities
from bot.views.menu import menu_button


class Refusal(StrEnum):
    """Why a link opens nothing but Nabo's start."""

    FORGED = "forged"  # fits no kind of link, or a door code's token is wrong
    SOURCE_GONE = "source_gone"  # the place it was put up was deleted
    NOT_FOUND = "not_found"
    CANCELLED = "cancelled"
    ENDED = "ended"
    SERIES_ENDED = "series_ended"
    TOO_EARLY = "too_early"  # a door code before check-in opens
    DOOR_ENDED = "door_ended"


def refusal_text(tr: Translator, refusal: Refusal, opens: datetime | None = None) -> str:
    """Say, kindly, why the link does not open what it promised."""
    _ = tr.gettext
    if refusal is Refusal.TOO_EARLY and opens is not None:
        return _("⏰ Check-in opens {when}. Please scan the code again then.").format(
            when=tr.when(opens)
        )
    return {
        Refusal.FORGED: _("Sorry, this link does not work. Here is Nabo's start instead."),
        Refusal.SOURCE_GONE: _(
            "This link is no longer in use, but you are welcome! Here is Nabo's start."
        ),
        Refusal.NOT_FOUND: _("Sorry, we could not find that activity."),
        Refusal.CANCELLED: _("❌ This activity has been cancelled."),
        Refusal.ENDED: _("This activity has ended. Have a look at what is coming!"),
        Refusal.SERIES_ENDED: _(
            "These activities have no more dates. Have a look at what is coming!"
        ),
        Refusal.TOO_EARLY: _("Check-in has not opened yet."),
        Refusal.DOOR_ENDED: _("This activity has ended, so check-in is closed."),
    }[refusal]


def activities_keyboard(tr: Translator) -> InlineKeyboardMarkup:
    """Offer the list of coming activities and the menu."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    tr.gettext("📅 Activities"), callback_data=MenuActivities().pack()
                )
            ],
            [menu_button(tr)],
        ]
    )


def check_in_text(tr: Translator, result: CheckInResult, name: str, activity: Activity) -> str:
    """Greet a resident who checked in, by name, and say how they were counted."""
    _ = tr.gettext
    about = activity_title_when(tr, activity)
    party = party_text(tr, result.adults, result.children)
    if result.outcome is CheckInOutcome.ALREADY:
        head = _("✅ You are already checked in, {name}. Enjoy!").format(name=tr.ltr(name))
    elif result.outcome is CheckInOutcome.NO_PLACE:
        head = _(
            "Welcome, {name}! 👋 The activity is full, but you are welcome all the same: "
            "we counted your visit ({party}). The team knows."
        ).format(name=tr.ltr(name), party=party)
    else:
        head = _("Welcome, {name}! 👋 You are checked in: {party}.").format(
            name=tr.ltr(name), party=party
        )
    return f"{head}\n\n{about}"


def household_text(tr: Translator) -> str:
    """Thank someone whose household was checked in by another member."""
    return tr.gettext("Good — then your household is counted already. Enjoy!")


def adults_question(
    tr: Translator, activity: Activity, token: str, name: str, source: str | None
) -> tuple[str, InlineKeyboardMarkup]:
    """Ask someone who was not signed up how many adults came (themselves included)."""
    _ = tr.gettext
    text = _(
        "Welcome, {name}! 👋 You were not signed up, so tell us who came.\n\n"
        "{activity}\n\n"
        "How many adults came (you too)? If someone in your household has checked you in "
        "already, press the last button."
    ).format(name=tr.ltr(name), activity=activity_title_when(tr, activity))
    buttons = [
        InlineKeyboardButton(str(n), callback_data=DoorAdults(activity.id, token, n, source).pack())
        for n in range(0, activity.max_per_signup + 1)
    ]
    rows = [buttons[i : i + 4] for i in range(0, len(buttons), 4)]
    rows.append(
        [
            InlineKeyboardButton(
                _("👪 My household is checked in already"),
                callback_data=DoorHousehold(activity.id, token).pack(),
            )
        ]
    )
    return text, InlineKeyboardMarkup(rows)


def children_question(
    tr: Translator, activity: Activity, token: str, adults: int, source: str | None
) -> tuple[str, InlineKeyboardMarkup]:
    """Ask how many children came."""
    lowest = 0 if adults > 0 else 1
    buttons = [
        InlineKeyboardButton(
            str(n), callback_data=DoorChildren(activity.id, token, adults, n, source).pack()
        )
        for n in range(lowest, activity.max_per_signup - adults + 1)
    ]
    rows = [buttons[i : i + 4] for i in range(0, len(buttons), 4)]
    text = tr.gettext("{activity}\n\nAnd how many children?").format(
        activity=activity_title_when(tr, activity)
    )
    return text, InlineKeyboardMarkup(rows)


def staff_door_line(tr: Translator, came: int, placed: int, no_place: int, anonymous: int) -> str:
    """Say how many checked in at the door, for staff, by how they came in."""
    return tr.gettext(
        "🚪 Checked in at the door: {total} (signed up {came}, got a place {placed}, "
        "without a place {no_place}, without Nabo {anonymous})"
    ).format(
        total=tr.ltr(came + placed + no_place + anonymous),
        came=tr.ltr(came),
        placed=tr.ltr(placed),
        no_place=tr.ltr(no_place),
        anonymous=tr.ltr(anonymous),
    )
