"""What the activity editor's messages look like: its questions, prompts, previews and replies.

The conversation is ``handlers.staff_activity_editor``; the draft it fills and the checks on
what staff type are ``bot.views.activity_draft``.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.lists import format_list
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.config import LANGUAGES, Config
from bot.core.dates import DateProblem
from bot.core.i18n import Catalogs, Translator
from bot.db.activities import DELAFTALER, OTHER_AREA, Activity, ActivityListing
from bot.views.activity import (
    activity_detail,
    activity_title_when,
    area_name,
    delaftale_name,
    fit_message,
)
from bot.views.activity_draft import (
    DESCRIPTION_LIMIT,
    EDIT_TEXTS,
    PLACE_LIMIT,
    TITLE_LIMIT,
    Draft,
)
from bot.views.buttons import (
    REPEAT_WEEKS,
    DiscardDraft,
    DraftArea,
    DraftDelaftale,
    DraftRepeat,
    DraftTranslator,
    DraftUnlimited,
    EditTranslator,
    EditUnlimited,
    KeepLength,
    PublishDraft,
    RemoveText,
    SkipQuestion,
    StaffActivity,
    StaffMenu,
)
from bot.views.staff_activity import people_text
from bot.views.staff_texts import date_examples, date_problem, language_name
from bot.views.translation import translator_row

# A message and the buttons under it (if any).
Screen = tuple[str, InlineKeyboardMarkup | None]


def _keyboard(*rows: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(list(rows))


def limit_note(tr: Translator, limit: int) -> str:
    """Say how many characters a text may have."""
    return tr.ngettext(
        "(At most {count} character.)", "(At most {count} characters.)", limit
    ).format(count=tr.ltr(limit))


def too_long(tr: Translator, limit: int) -> str:
    """Say that a typed text has more characters than it may."""
    return tr.ngettext(
        "That is too long. Please use at most {count} character.",
        "That is too long. Please use at most {count} characters.",
        limit,
    ).format(count=tr.ltr(limit))


def capacity_problem(tr: Translator) -> str:
    """Say how to write the number of places."""
    return tr.gettext(
        "Please write the number of places as a whole number, 1 or more, for example {example}."
    ).format(example=tr.ltr(20))


def not_saved(tr: Translator) -> str:
    """Say that the activity staff started describing before was dropped."""
    return tr.gettext("The activity you started before was not saved.")


def lost(tr: Translator) -> str:
    """Say the conversation lost track of its draft (it should not happen)."""
    return tr.gettext(
        "Sorry, I lost track of what we were doing. Nothing was saved; please start again."
    )


def timed_out(tr: Translator, minutes: int) -> str:
    """Say the unfinished activity or change was dropped after ``minutes`` of silence."""
    return tr.ngettext(
        "⌛ I stopped waiting after {count} minute without an answer, so nothing was saved.",
        "⌛ I stopped waiting after {count} minutes without an answer, so nothing was saved.",
        minutes,
    ).format(count=tr.ltr(minutes))


def end_question(tr: Translator) -> str:
    """Ask when the activity ends: a time of day or a length."""
    durations = format_list(
        [tr.ltr(example) for example in ("2h", "90m", "1h30m")], style="or", locale=tr.locale
    )
    return tr.gettext(
        "When does it end? Write the time, for example {time}, or how long it lasts, "
        "for example {durations}."
    ).format(time=tr.ltr("19:00"), durations=durations)


# ---------------------------------------------------------------- the new activity


def new_activity_intro(tr: Translator, dropped: bool) -> str:
    """Open a new activity (saying if one started before was dropped)."""
    intro = tr.gettext(
        "➕ New activity. I will ask a few questions; you can stop at any time with /cancel."
    )
    return "\n\n".join([not_saved(tr), intro]) if dropped else intro


def question(
    tr: Translator, field: str, skip: SkipQuestion, now: datetime, config: Config
) -> Screen:
    """Ask the new activity's question that fills the draft's ``field``."""
    _ = tr.gettext
    skip_button = InlineKeyboardButton(_("Skip ⏭"), callback_data=skip.pack())
    skippable = _keyboard([skip_button])
    if field in ("title_ar", "title_en"):
        language = language_name(tr, field[-2:])
        translators = translator_row(tr, lambda hours: DraftTranslator(skip.state, hours))
        return _(
            "And the title in {language}? Write it, press Skip (residents then see the Danish), "
            "or ask volunteer translators for the title and the description: choose by when "
            "you need them."
        ).format(language=language), _keyboard([skip_button], translators)
    if field == "title_da":
        return " ".join(
            [_("What is the activity called, in Danish?"), limit_note(tr, TITLE_LIMIT)]
        ), None
    if field == "description_da":
        text = _(
            "A short description in Danish: what happens, for whom, and what to bring. "
            "Press Skip if you would rather not."
        )
        return f"{text} {limit_note(tr, DESCRIPTION_LIMIT)}", skippable
    if field == "description_ar":
        return _("The description in Arabic? Press Skip if there is none."), skippable
    if field == "description_en":
        return _("The description in English? Press Skip if there is none."), skippable
    if field == "starts_at":
        return _("When does it start? Write the date and time, for example {examples}.").format(
            examples=date_examples(tr, now, config.timezone)
        ), None
    if field == "ends_at":
        return end_question(tr), None
    if field == "place":
        return " ".join([_("Where is it?"), limit_note(tr, PLACE_LIMIT)]), None
    if field == "capacity":
        return _(
            "How many places are there? Write a number, or press Unlimited if there is no limit."
        ), _keyboard(
            [InlineKeyboardButton(_("♾ Unlimited"), callback_data=DraftUnlimited().pack())]
        )
    if field == "delaftale":
        rows = [
            [
                InlineKeyboardButton(
                    delaftale_name(tr, code), callback_data=DraftDelaftale(code).pack()
                )
            ]
            for code in DELAFTALER
        ]
        return _("Which delaftale does it belong to?"), InlineKeyboardMarkup(rows)
    if field == "area":
        rows = [
            [InlineKeyboardButton(area_name(tr, area), callback_data=DraftArea(str(index)).pack())]
            for index, area in enumerate(config.areas)
        ]
        rows.append(
            [InlineKeyboardButton(area_name(tr, OTHER_AREA), callback_data=DraftArea("o").pack())]
        )
        return _("Which housing area?"), InlineKeyboardMarkup(rows)
    if field == "signup_deadline":
        return _(
            "Is there a deadline for signing up? Write the date and time, or press Skip: then "
            "residents can sign up until it starts."
        ), skippable
    assert field == "weeks"
    weeks = [
        InlineKeyboardButton(
            tr.ngettext("+{count} week", "+{count} weeks", count).format(count=tr.ltr(count)),
            callback_data=DraftRepeat(count).pack(),
        )
        for count in REPEAT_WEEKS
    ]
    rows = [[InlineKeyboardButton(_("No, just once"), callback_data=DraftRepeat(0).pack())]]
    rows += [weeks[index : index + 3] for index in range(0, len(weeks), 3)]
    return _(
        "Should it repeat every week at the same time? Choose how many more weeks."
    ), InlineKeyboardMarkup(rows)


def preview_texts(tr: Translator, catalogs: Catalogs, listing: ActivityListing) -> list[str]:
    """Show the activity as residents will see it, one message per language."""
    texts = []
    for language in LANGUAGES:
        reader = catalogs.translator(language)
        heading = tr.gettext("👀 Preview: what residents see in {language}").format(
            language=language_name(tr, language)
        )
        texts.append(fit_message(f"{heading}\n\n{activity_detail(reader, listing)}"))
    return texts


def preview_question(
    tr: Translator, draft: Draft, zone: ZoneInfo
) -> tuple[str, InlineKeyboardMarkup]:
    """Ask whether the previewed activity looks right (with each date of a weekly series)."""
    _ = tr.gettext
    lines = [_("Does it look right?")]
    if draft.weeks:
        lines.append(
            tr.ngettext(
                "It repeats every week: {count} time in all.",
                "It repeats every week: {count} times in all.",
                draft.weeks + 1,
            ).format(count=tr.ltr(draft.weeks + 1))
        )
        lines += [f"• {tr.when(one.starts_at)}" for one in draft.activity_drafts(zone)]
    for language, hours in draft.translate.items():
        lines += ["", translators_at_publish(tr, language, hours)]
    lines += ["", _("“Publish and announce” also tells residents who want news about it.")]
    keyboard = _keyboard(
        [InlineKeyboardButton(_("✅ Publish"), callback_data=PublishDraft("pub").pack())],
        [
            InlineKeyboardButton(
                _("📣 Publish and announce"), callback_data=PublishDraft("ann").pack()
            )
        ],
        [InlineKeyboardButton(_("🗑 Discard"), callback_data=DiscardDraft().pack())],
    )
    return fit_message("\n".join(lines)), keyboard


def translators_at_publish(tr: Translator, language: str, hours: int) -> str:
    """Say translators are asked for a language once it is published, and what waits."""
    return tr.ngettext(
        "🙋 Volunteer translators are asked for the {language} title and description when "
        "you publish; they are needed within {count} hour. Until you have used them, "
        "residents who read {language} see the Danish, and an announcement waits.",
        "🙋 Volunteer translators are asked for the {language} title and description when "
        "you publish; they are needed within {count} hours. Until you have used them, "
        "residents who read {language} see the Danish, and an announcement waits.",
        hours,
    ).format(language=language_name(tr, language), count=tr.ltr(hours))


def announce_later(tr: Translator) -> str:
    """Say the announcement goes out once the translations are decided."""
    return tr.gettext("📣 The announcement goes out once you have decided about the translations.")


def too_late(tr: Translator) -> str:
    """Say the activity was not published because its start has passed."""
    return tr.gettext("The start time has passed in the meantime, so nothing was saved.")


def published(tr: Translator, title: str, ids: list[int]) -> tuple[str, InlineKeyboardMarkup]:
    """Say the activity (or weekly series) is published, with buttons to its sign-ups."""
    _ = tr.gettext
    text = tr.ngettext(
        "✅ Published: {title}. {count} activity is now open for sign-up.",
        "✅ Published: {title}. {count} activities are now open for sign-up.",
        len(ids),
    ).format(title=title, count=tr.ltr(len(ids)))
    keyboard = _keyboard(
        [InlineKeyboardButton(_("📋 Sign-ups"), callback_data=StaffActivity(ids[0]).pack())],
        [InlineKeyboardButton(_("🛠 Staff menu"), callback_data=StaffMenu().pack())],
    )
    return text, keyboard


def announcing(tr: Translator) -> str:
    """Say the announcement of the new activity is on its way."""
    return tr.gettext("📣 The announcement is on its way to residents.")


# ---------------------------------------------------------------- changing an activity


def cancelled_meanwhile(tr: Translator) -> str:
    """Say the activity was cancelled, so it can no longer be changed."""
    return tr.gettext("This activity is cancelled, so it can no longer be changed.")


def time_prompt(tr: Translator, activity: Activity, now: datetime, zone: ZoneInfo) -> str:
    """Ask when the activity starts now, saying when it is."""
    current = f"{tr.when(activity.starts_at)} – {tr.ltr(tr.time(activity.ends_at))}"
    return tr.gettext(
        "When does it start now? Write the date and time, for example {examples}.\n\nNow: {current}"
    ).format(examples=date_examples(tr, now, zone), current=current)


def start_problem(tr: Translator, problem: DateProblem, now: datetime, zone: ZoneInfo) -> str:
    """Say why a new start was not accepted, and how to write one."""
    return (
        date_problem(tr, problem, None)
        + "\n\n"
        + tr.gettext("Please write the date and time, for example {examples}.").format(
            examples=date_examples(tr, now, zone)
        )
    )


def keep_length_question(tr: Translator, activity: Activity, starts_at: datetime) -> Screen:
    """Ask when the moved activity ends, offering to keep its length."""
    length = activity.ends_at - activity.starts_at
    keep = InlineKeyboardButton(
        tr.gettext("Keep the length (ends {time})").format(
            time=tr.ltr(tr.time(starts_at + length))
        ),
        callback_data=KeepLength(activity.id).pack(),
    )
    return end_question(tr), _keyboard([keep])


def capacity_prompt(tr: Translator, activity: Activity, signed_up: int) -> Screen:
    """Ask how many places there should be, saying how many there are and are taken."""
    _ = tr.gettext
    current = _("unlimited") if activity.capacity is None else tr.ltr(activity.capacity)
    text = _(
        "How many places should there be? Write a number, or press Unlimited.\n\n"
        "Now: {current}. Signed up: {people}."
    ).format(current=current, people=people_text(tr, signed_up))
    unlimited = InlineKeyboardButton(
        _("♾ Unlimited"), callback_data=EditUnlimited(activity.id).pack()
    )
    return text, _keyboard([unlimited])


def text_prompt(tr: Translator, activity: Activity, code: str) -> Screen:
    """Ask for a new title, description or place, saying what it is (and offer to remove it)."""
    _ = tr.gettext
    spec = EDIT_TEXTS[code]
    current = getattr(activity, spec.field) or _("(none)")
    if code == "place":
        prompt = _("Where is it now? Write the new place.")
    elif code.startswith("t_"):
        prompt = _("Write the new title in {language}.").format(
            language=language_name(tr, code[2:])
        )
    else:
        prompt = _("Write the new description in {language}.").format(
            language=language_name(tr, code[2:])
        )
    text = f"{prompt} {limit_note(tr, spec.limit)}\n\n" + _("Now: {current}").format(
        current=current
    )
    if not spec.optional:
        return fit_message(text), None
    remove = InlineKeyboardButton(
        _("🗑 Remove this text"), callback_data=RemoveText(activity.id, code).pack()
    )
    if code in ("t_ar", "t_en", "d_ar", "d_en"):
        text += "\n\n" + _("Or ask volunteer translators: choose by when you need the text.")
        translators = translator_row(tr, lambda hours: EditTranslator(activity.id, code, hours))
        return fit_message(text), _keyboard([remove], translators)
    return fit_message(text), _keyboard([remove])


def too_few_places(tr: Translator, signed_up: int) -> str:
    """Say there must be at least as many places as people signed up."""
    return tr.ngettext(
        "{count} person is already signed up, so there must be at least {count} place. "
        "Please write a bigger number, or /cancel.",
        "{count} people are already signed up, so there must be at least {count} places. "
        "Please write a bigger number, or /cancel.",
        signed_up,
    ).format(count=tr.ltr(signed_up))


def saved(tr: Translator, told: int | None = None, promoted: int = 0) -> str:
    """Confirm a change: how many residents hear of it, or how many moved up the waitlist."""
    text = tr.gettext("✅ Saved.")
    if told is not None:
        text += " " + tr.ngettext(
            "{count} resident is being told about the change.",
            "{count} residents are being told about the change.",
            told,
        ).format(count=tr.ltr(told))
    if promoted:
        # How many were told comes later, counted from their deliveries.
        text += " " + tr.ngettext(
            "{count} sign-up moved up from the waitlist. You will get a message when they "
            "have been told.",
            "{count} sign-ups moved up from the waitlist. You will get a message when they "
            "have been told.",
            promoted,
        ).format(count=tr.ltr(promoted))
    return text


def change_notice(reader: Translator, activity: Activity, before: Activity, what: str) -> str:
    """Tell a resident that the activity's time or place changed, and what it was before."""
    if what == "time":
        return reader.gettext(
            "🕒 Please note: the time has changed.\n\n{activity}\n\nBefore: {before}"
        ).format(
            activity=activity_title_when(reader, activity), before=reader.when(before.starts_at)
        )
    return reader.gettext(
        "📍 Please note: the place has changed.\n\n{activity}\n\nBefore: {before}"
    ).format(activity=activity_title_when(reader, activity), before=reader.ltr(before.place))
