"""The activity staff describe in chat, and the value they type anew: the model and its checks.

A ``Draft`` is a new activity while staff answer the editor's questions (nothing is saved
until it is published); an ``Edit`` is which value of which activity they are changing. It
sits with the views, the lowest layer that knows ``bot.db``'s activities, and knows nothing
of Telegram: the conversation itself is ``handlers.staff_activity_editor``, and what its
messages look like is ``bot.views.activity_editor``.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime
from enum import Enum
from zoneinfo import ZoneInfo

from bot.core.config import LANGUAGES
from bot.core.dates import weekly
from bot.core.i18n import Catalogs
from bot.db.activities import DEFAULT_MAX_PER_SIGNUP, Activity, ActivityDraft, ActivityListing

TITLE_LIMIT = 200
DESCRIPTION_LIMIT = 3000
PLACE_LIMIT = 200


class TextProblem(Enum):
    """What keeps a typed text from being saved."""

    EMPTY = "empty"
    TOO_LONG = "too long"


@dataclass(frozen=True, slots=True)
class TextField:
    """A text staff type: which field, how long it may be, whether it may be left out."""

    field: str
    limit: int
    optional: bool

    def problem(self, text: str) -> TextProblem | None:
        """Return what keeps ``text`` from being saved in this field, or None if nothing."""
        if not text.strip():
            return TextProblem.EMPTY
        if len(text) > self.limit:
            return TextProblem.TOO_LONG
        return None

    @property
    def left_out(self) -> str | None:
        """Return the value of the field left out (the Danish description is never None)."""
        return "" if self.field == "description_da" else None


# The texts staff type, by the field of the draft (and of the activity) they fill.
TEXT_FIELDS: dict[str, TextField] = {
    spec.field: spec
    for spec in (
        TextField("title_da", TITLE_LIMIT, optional=False),
        TextField("title_ar", TITLE_LIMIT, optional=True),
        TextField("title_en", TITLE_LIMIT, optional=True),
        TextField("description_da", DESCRIPTION_LIMIT, optional=True),
        TextField("description_ar", DESCRIPTION_LIMIT, optional=True),
        TextField("description_en", DESCRIPTION_LIMIT, optional=True),
        TextField("place", PLACE_LIMIT, optional=False),
    )
}
# Fields of an existing activity that are edited as text: code in button data → field.
EDIT_TEXTS: dict[str, TextField] = {
    "t_da": TEXT_FIELDS["title_da"],
    "t_ar": TEXT_FIELDS["title_ar"],
    "t_en": TEXT_FIELDS["title_en"],
    "d_da": TEXT_FIELDS["description_da"],
    "d_ar": TEXT_FIELDS["description_ar"],
    "d_en": TEXT_FIELDS["description_en"],
    "place": TEXT_FIELDS["place"],
}


def unlimited_words(catalogs: Catalogs) -> set[str]:
    """Return the word for "unlimited" in every language (staff may type any of them)."""
    return {"unlimited"} | {
        catalogs.translator(language).gettext("unlimited") for language in LANGUAGES
    }


@dataclass(slots=True)
class Draft:
    """A new activity while staff describe it; nothing is saved until it is published."""

    title_da: str = ""
    title_ar: str | None = None
    title_en: str | None = None
    description_da: str = ""
    description_ar: str | None = None
    description_en: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    place: str = ""
    capacity: int | None = None
    delaftale: str = ""
    area: str = ""
    signup_deadline: datetime | None = None
    weeks: int = 0  # how many more weeks it repeats
    # Languages volunteer translators are asked for (title and description), and within
    # how many hours; asked once the activity is published.
    translate: dict[str, int] = dataclass_field(default_factory=dict)

    def ask_translators(self, field: str, hours: int) -> None:
        """Leave a language's title and description to volunteer translators."""
        language = field.rsplit("_", 1)[1]
        setattr(self, f"title_{language}", None)
        setattr(self, f"description_{language}", None)
        self.translate[language] = hours

    def is_translated(self, field: str) -> bool:
        """Tell whether a question is left out because translators are asked for it."""
        language = field.rsplit("_", 1)[-1]
        return field.startswith("description_") and language in self.translate

    def leave_out(self, field: str) -> None:
        """Leave an optional answer out: the sign-up deadline, or one of the optional texts."""
        if field == "signup_deadline":
            self.signup_deadline = None
            return
        spec = TEXT_FIELDS[field]
        assert spec.optional
        setattr(self, field, spec.left_out)

    def activity_drafts(self, zone: ZoneInfo) -> list[ActivityDraft]:
        """Return one ActivityDraft per week, at the same local wall-clock time."""
        assert self.starts_at is not None
        assert self.ends_at is not None
        deadline = self.signup_deadline
        return [
            ActivityDraft(
                title_da=self.title_da,
                title_ar=self.title_ar,
                title_en=self.title_en,
                description_da=self.description_da,
                description_ar=self.description_ar,
                description_en=self.description_en,
                starts_at=weekly(self.starts_at, week, zone),
                ends_at=weekly(self.ends_at, week, zone),
                place=self.place,
                delaftale=self.delaftale,
                area=self.area,
                capacity=self.capacity,
                signup_deadline=weekly(deadline, week, zone) if deadline else None,
            )
            for week in range(self.weeks + 1)
        ]

    def preview(self, now: datetime) -> ActivityListing:
        """Return the first activity as residents will see it once published."""
        assert self.starts_at is not None
        assert self.ends_at is not None
        activity = Activity(
            id=0,
            title_da=self.title_da,
            title_ar=self.title_ar,
            title_en=self.title_en,
            description_da=self.description_da,
            description_ar=self.description_ar,
            description_en=self.description_en,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            place=self.place,
            capacity=self.capacity,
            delaftale=self.delaftale,
            area=self.area,
            signup_deadline=self.signup_deadline,
            max_per_signup=DEFAULT_MAX_PER_SIGNUP,
            status="published",
            series_id=None,
            created_at=now,
        )
        return ActivityListing(activity, confirmed_people=0, waitlisted_parties=0, my_status=None)


@dataclass(frozen=True, slots=True)
class Edit:
    """Which value of which activity staff are typing anew (and a new start, for times)."""

    activity_id: int
    field: str  # a key of EDIT_TEXTS, or "time" or "cap"
    starts_at: datetime | None = None
