"""What a sheet says, in each language: titles, dates, places, the delaftale and the link.

Everything a person reads goes through gettext (the catalogs in locales/); dates are
written the way each language writes them (babel, in the configured time zone).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from babel.dates import format_date
from babel.lists import format_list

from bot.core.i18n import ARABIC_MONTHS, N_, Translator
from bot.db.activities import DELAFTALER, Activity

# Dates of a weekly series listed on its poster: a season's worth that still fits (fewer
# when three languages share the sheet).
SERIES_DATES = 8
SERIES_DATES_SHARED = 4

JOIN_TITLE = N_("Join Nabo")
JOIN_TEXT = N_(
    "Activities for you and your neighbours. See what is on and sign up in the chat, "
    "in Danish, Arabic or English."
)
SCAN = N_("Scan the code with your phone's camera")
CHECK_IN_HERE = N_("Check in here")


@dataclass(frozen=True, slots=True)
class Words:
    """What one language says on a sheet."""

    language: str
    title: str
    lines: tuple[str, ...]  # when, the coming dates, what the door code does
    places: str | None  # "20 places" or "open to all"; None on Nabo's own poster
    delaftale: str | None
    scan: str
    heading: str | None = None  # the door poster's "check in here"


@dataclass(frozen=True, slots=True)
class Content:
    """Everything on a sheet: the words in each language, the place, the link."""

    link: str
    words: tuple[Words, ...]
    pictogram: str  # a delaftale, "nabo" or "door"
    place: str | None = None


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def day_text(tr: Translator, moment: datetime) -> str:
    """Write a day in full, as the language does: "Lørdag den 9. marts 2030"."""
    return _capital(tr.day(moment))


def _span(tr: Translator, activity: Activity) -> str:
    return tr.gettext("{day}, {start}–{end}").format(
        day=day_text(tr, activity.starts_at),
        start=tr.ltr(tr.time(activity.starts_at)),
        end=tr.ltr(tr.time(activity.ends_at)),
    )


def places_text(tr: Translator, activity: Activity) -> str:
    """Say how many places there are (not how many are left: paper does not update)."""
    if activity.capacity is None:
        return tr.gettext("Open to all")
    return tr.ngettext("{count} place", "{count} places", activity.capacity).format(
        count=tr.ltr(activity.capacity)
    )


def _series_lines(
    tr: Translator, first: Activity, dates: Sequence[datetime], most: int
) -> tuple[str, ...]:
    local = first.starts_at.astimezone(tr.timezone)
    weekly = tr.gettext("Every week on {weekday}, {start}–{end}").format(
        weekday=format_date(local, "EEEE", locale=tr.locale),
        start=tr.ltr(tr.time(first.starts_at)),
        end=tr.ltr(tr.time(first.ends_at)),
    )
    coming = tr.gettext("Next dates: {dates}").format(dates=_dates_text(tr, dates[:most]))
    return weekly, coming


def _dates_text(tr: Translator, dates: Sequence[datetime]) -> str:
    """List dates briefly; in Arabic each month's days together, its name once.

    Arabic names a month twice, آذار (مارس) (bot/core/i18n.py): after every date, four
    dates of one month would take a line of their own, in small type on a shared poster.
    """
    if tr.language != "ar":
        return format_list([tr.day_and_month(day) for day in dates], locale=tr.locale)
    months = groupby((day.astimezone(tr.timezone) for day in dates), key=lambda d: d.month)
    parts = [
        f"{format_list([tr.ltr(day.day) for day in days], locale=tr.locale)} {ARABIC_MONTHS[month]}"
        for month, days in months
    ]
    return format_list(parts, locale=tr.locale)


def activity_words(
    tr: Translator,
    activity: Activity,
    series_dates: Sequence[datetime] = (),
    most_dates: int = SERIES_DATES,
) -> Words:
    """Say what a poster or flyer says about an activity (a series: its coming dates)."""
    lines = (
        _series_lines(tr, activity, series_dates, most_dates)
        if series_dates
        else (_span(tr, activity),)
    )
    return Words(
        language=tr.language,
        title=activity.title(tr.language),
        lines=lines,
        places=places_text(tr, activity),
        delaftale=tr.gettext(DELAFTALER[activity.delaftale]),
        scan=tr.gettext(SCAN),
    )


def door_words(tr: Translator, activity: Activity, opens: datetime) -> Words:
    """Say what the door poster says: check in here, the activity, when the code works."""
    window = tr.gettext("The code works from {opens} until {closes}.").format(
        opens=tr.ltr(tr.time(opens)), closes=tr.ltr(tr.time(activity.ends_at))
    )
    return Words(
        language=tr.language,
        title=activity.title(tr.language),
        lines=(_span(tr, activity), window),
        places=None,
        delaftale=tr.gettext(DELAFTALER[activity.delaftale]),
        scan=tr.gettext("Scan the code when you arrive"),
        heading=tr.gettext(CHECK_IN_HERE),
    )


def nabo_words(tr: Translator) -> Words:
    """Say what Nabo's own poster says: join, what it is, scan."""
    return Words(
        language=tr.language,
        title=tr.gettext(JOIN_TITLE),
        lines=(tr.gettext(JOIN_TEXT),),
        places=None,
        delaftale=None,
        scan=tr.gettext(SCAN),
    )


@dataclass(frozen=True, slots=True)
class SlipWords:
    """What a joining slip says, in the language of the person it is for."""

    language: str
    greeting: str
    text: str
    scan: str
    app: str
    once: str


def slip_words(tr: Translator, name: str, until: datetime) -> SlipWords:
    """Say what a joining slip says: who it is for, what the code does, how to use it."""
    return SlipWords(
        language=tr.language,
        greeting=tr.gettext("Hello {name}!").format(name=name),
        text=tr.gettext(
            "The team has signed you up for activities in Nabo. With this code you get "
            "them in your own Telegram chat, and Nabo reminds you before each one."
        ),
        scan=tr.gettext(SCAN),
        app=tr.gettext("You need the Telegram app on your phone. It is free."),
        once=tr.gettext("The code is for {name} only. It works once, until {date}.").format(
            name=name, date=tr.date(until)
        ),
    )
