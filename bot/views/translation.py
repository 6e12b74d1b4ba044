"""What translators and staff read about a translation: the task, the text, the decisions.

The journey is handlers/translation.py and the work around it bot/work/translations.py;
here is only how each message and its buttons read in the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.bidi import set_apart
from bot.core.callback_data import ButtonData
from bot.core.i18n import Translator
from bot.db.translations import TranslationRequest
from bot.views.activity import shorten
from bot.views.buttons import (
    DEADLINE_HOURS,
    AcceptTranslation,
    AskTranslatorsAgain,
    ChangeTranslation,
    DiscardWaitingBroadcast,
    GiveTranslationBack,
    KeepTranslationPart,
    RedoTranslation,
    RejectTranslation,
    SendTranslation,
    SendWaitingBroadcast,
    TakeTranslation,
    UseDanish,
    WaitForTranslator,
    WriteTranslation,
    WriteTranslationMyself,
)
from bot.views.staff_texts import language_name

# What a reader sees at one step, and the buttons under it: its parts go in one message
# when they fit, else on in the next (a quoted text may be as long as a message itself).
Screen = tuple[list[str], InlineKeyboardMarkup]


def _keyboard(*rows: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(list(rows))


def translator_row(
    tr: Translator, button: Callable[[int], ButtonData]
) -> list[InlineKeyboardButton]:
    """Build the buttons that ask volunteer translators, one for each time the text is needed in."""
    _ = tr.gettext
    labels = {3: _("🙋 Within 3 hours"), 24: _("🙋 Within a day"), 72: _("🙋 Within 3 days")}
    return [
        InlineKeyboardButton(labels[hours], callback_data=button(hours).pack())
        for hours in DEADLINE_HOURS
    ]


def translator_asked(tr: Translator, hours: int) -> str:
    """Confirm volunteer translators will be asked, and within how long."""
    return tr.ngettext(
        "🙋 Volunteer translators will be asked; the text is needed within {count} hour.",
        "🙋 Volunteer translators will be asked; the text is needed within {count} hours.",
        hours,
    ).format(count=tr.ltr(hours))


def source_text(tr: Translator, request: TranslationRequest) -> str:
    """Show the Danish to translate: the title on a line of its own, then the text."""
    return _title_and_text(tr, request.title_source, request.text_source)


def translated_text(
    tr: Translator, request: TranslationRequest, title: str | None, text: str | None
) -> str:
    """Show a translation: its title (if the request has one), then its text."""
    return _title_and_text(
        tr,
        title if request.title_source is not None else None,
        text if request.text_source is not None else None,
    )


def _title_and_text(tr: Translator, title: str | None, text: str | None) -> str:
    # Written the other way round from the reader's language (Danish in an Arabic message,
    # Arabic in a Danish one), each line is set apart so it reads in its own direction.
    lines = []
    if title is not None:
        shown = set_apart(title, rtl_reader=tr.is_rtl)
        lines.append(tr.gettext("Title: {title}").format(title=shown))
    if text is not None:
        shown = set_apart(text, rtl_reader=tr.is_rtl)
        lines += ["", shown] if lines else [shown]
    return "\n".join(lines)


# ---------------------------------------------------------------- the volunteer's side


def ask_heading(tr: Translator, request: TranslationRequest) -> str:
    """Ask a volunteer to translate, saying into what and by when."""
    return tr.gettext(
        "🌐 Can you translate a text from Danish into {language} for the team? "
        "They need it by {when}. The one who presses the button first takes it."
    ).format(language=language_name(tr, request.language), when=tr.when(request.needed_by))


def ask_keyboard(tr: Translator, request_id: int) -> InlineKeyboardMarkup:
    """Build the button that takes the task."""
    return _keyboard(
        [
            InlineKeyboardButton(
                tr.gettext("🙋 I'll take it"), callback_data=TakeTranslation(request_id).pack()
            )
        ]
    )


def taken_by_another(tr: Translator) -> str:
    """Tell the others a volunteer has taken the task."""
    return tr.gettext("🌐 Another volunteer has taken this translation. Thank you all the same!")


def no_longer_needed(tr: Translator) -> str:
    """Say a task is no longer needed (the team decided, or it is gone)."""
    return tr.gettext("🌐 This translation is no longer needed. Thank you all the same!")


def not_a_translator(tr: Translator, language: str) -> str:
    """Say only translators into the language can take the task."""
    return tr.gettext(
        "This task is for volunteers who translate from Danish into {language} and whose "
        "offer of help the team has marked active. You can change your offer with /volunteer."
    ).format(language=language_name(tr, language))


def part_prompt(tr: Translator, request: TranslationRequest, part: str, limit: int) -> str:
    """Ask for one part of the translation, within its length."""
    language = language_name(tr, request.language)
    if part == "title":
        prompt = tr.ngettext(
            "✍️ Please send the title in {language} (at most {count} character).",
            "✍️ Please send the title in {language} (at most {count} characters).",
            limit,
        )
    else:
        prompt = tr.ngettext(
            "✍️ Please send the text in {language} (at most {count} character).",
            "✍️ Please send the text in {language} (at most {count} characters).",
            limit,
        )
    return prompt.format(language=language, count=tr.ltr(limit))


def working_keyboard(tr: Translator, request_id: int) -> InlineKeyboardMarkup:
    """Build the buttons while a volunteer holds the task: write it, or give it back."""
    _ = tr.gettext
    return _keyboard(
        [
            InlineKeyboardButton(
                _("✍️ Write the translation"), callback_data=WriteTranslation(request_id).pack()
            )
        ],
        [
            InlineKeyboardButton(
                _("↩️ Give it back"), callback_data=GiveTranslationBack(request_id).pack()
            )
        ],
    )


def taken_text(tr: Translator, request: TranslationRequest, limit: int) -> list[str]:
    """Confirm the volunteer holds the task, show the Danish, and ask for the first part."""
    part = request.next_part or request.parts[0]
    return [
        tr.gettext("✅ It is yours. Thank you!"),
        source_text(tr, request),
        part_prompt(tr, request, part, limit),
    ]


def check_screen(
    tr: Translator, request: TranslationRequest, title: str | None, text: str | None
) -> Screen:
    """Show the whole translation and ask to send it to the team."""
    _ = tr.gettext
    body = [
        _("Please check your translation:"),
        translated_text(tr, request, title, text),
        _("Send it to the team?"),
    ]
    keyboard = _keyboard(
        [
            InlineKeyboardButton(
                _("✅ Send to the team"), callback_data=SendTranslation(request.id).pack()
            )
        ],
        [
            InlineKeyboardButton(
                _("✏️ Write it again"), callback_data=RedoTranslation(request.id).pack()
            )
        ],
    )
    return body, keyboard


def refusal(tr: Translator, problem: str, language: str, limit: int) -> str:
    """Say why a translation was not taken, and what to send instead."""
    name = language_name(tr, language)
    if problem == "too long":
        return tr.ngettext(
            "That is too long: at most {count} character. Please shorten it and send it again.",
            "That is too long: at most {count} characters. Please shorten it and send it again.",
            limit,
        ).format(count=tr.ltr(limit))
    if problem == "script":
        return tr.gettext(
            "This does not look like {language}. Please write the translation in {language}; "
            "names such as {place} or {service} can stay as they are."
        ).format(language=name, place=tr.ltr("Houlkær"), service=tr.ltr("MitID"))
    if problem == "same":
        return tr.gettext(
            "That is the Danish text. Please send it translated into {language}."
        ).format(language=name)
    return tr.gettext("Please send the translation as a text message.")


def sent_thanks(tr: Translator) -> str:
    """Thank the volunteer for sending the translation."""
    return tr.gettext(
        "🙏 Thank you! The team will look at your translation, and you will hear when it is used."
    )


def used_thanks(tr: Translator, language: str) -> str:
    """Thank the volunteer: the team used the translation."""
    return tr.gettext(
        "🙏 The team used your translation into {language}. Thank you for helping your neighbours!"
    ).format(language=language_name(tr, language))


def not_used(tr: Translator) -> str:
    """Tell the volunteer, kindly, that the team did not use the translation."""
    return tr.gettext(
        "The team decided not to use your translation this time. Thank you for your help "
        "all the same!"
    )


def released_text(tr: Translator, hours: int) -> str:
    """Tell the volunteer the task went back to the others, as nothing came in time."""
    return tr.ngettext(
        "⌛ The translation went back to the other volunteers, as we did not get it within "
        "{count} hour. Thank you all the same!",
        "⌛ The translation went back to the other volunteers, as we did not get it within "
        "{count} hours. Thank you all the same!",
        hours,
    ).format(count=tr.ltr(hours))


def given_back(tr: Translator) -> str:
    """Confirm the volunteer gave the task back."""
    return tr.gettext("Fine: the translation went back to the other volunteers. Thank you!")


def not_yours_any_more(tr: Translator) -> str:
    """Say the volunteer no longer holds the task (it went back, or was decided)."""
    return tr.gettext(
        "This translation is no longer yours: it went back to the other volunteers or is no "
        "longer needed. Thank you all the same!"
    )


# ---------------------------------------------------------------- the staff's side


def subject_text(tr: Translator, request: TranslationRequest, title: str | None) -> str:
    """Name what a translation is for: the message (by its start) or the activity."""
    if request.activity_id is not None:
        return tr.gettext("the activity «{title}»").format(title=tr.ltr(shorten(title or "", 60)))
    start = (request.text_source or "").replace("\n", " ")
    return tr.gettext("the message «{text}»").format(text=tr.ltr(shorten(start, 60)))


def asked_text(tr: Translator, language: str, asked: int, needed_by: datetime) -> str:
    """Say how many translators were asked, and by when the text is needed."""
    if asked == 0:
        return tr.gettext(
            "No volunteer translates from Danish into {language} just now. Volunteers who "
            "join will be asked until {when}, or you choose below."
        ).format(language=language_name(tr, language), when=tr.when(needed_by))
    return tr.ngettext(
        "🙋 {count} volunteer translator was asked for the {language} text, needed by {when}. "
        "You will see it here before anything is used.",
        "🙋 {count} volunteer translators were asked for the {language} text, needed by {when}. "
        "You will see it here before anything is used.",
        asked,
    ).format(count=tr.ltr(asked), language=language_name(tr, language), when=tr.when(needed_by))


def arrived_screen(
    tr: Translator, request: TranslationRequest, subject: str, volunteer: int | None
) -> tuple[list[str], InlineKeyboardMarkup]:
    """Show staff a translation that came in, as residents will read it, with their choices."""
    _ = tr.gettext
    language = language_name(tr, request.language)
    if volunteer is not None:
        heading = _(
            "🌐 The {language} text for {subject} has come from volunteer #{number}."
        ).format(language=language, subject=subject, number=tr.ltr(volunteer))
    else:
        heading = _("🌐 The {language} text for {subject} has come.").format(
            language=language, subject=subject
        )
    parts = [
        heading,
        _("Residents who read {language} will see:").format(language=language),
        translated_text(tr, request, request.title, request.text),
    ]
    keyboard = _keyboard(
        [InlineKeyboardButton(_("✅ Use it"), callback_data=AcceptTranslation(request.id).pack())],
        [
            InlineKeyboardButton(
                _("✏️ Change it first"), callback_data=ChangeTranslation(request.id).pack()
            )
        ],
        [
            InlineKeyboardButton(
                _("❌ Don't use it"), callback_data=RejectTranslation(request.id).pack()
            )
        ],
    )
    return parts, keyboard


def choices_keyboard(
    tr: Translator, request_id: int, *, wait: bool = False, again: bool = False
) -> InlineKeyboardMarkup:
    """Build staff's choices when no translation is there: wait, ask again, Danish, or write it."""
    _ = tr.gettext
    rows = []
    if wait:
        rows.append(
            [
                InlineKeyboardButton(
                    _("⏳ Wait one more day"), callback_data=WaitForTranslator(request_id).pack()
                )
            ]
        )
    if again:
        rows.append(
            [
                InlineKeyboardButton(
                    _("🙋 Ask the other volunteers"),
                    callback_data=AskTranslatorsAgain(request_id).pack(),
                )
            ]
        )
    rows.append(
        [InlineKeyboardButton(_("🇩🇰 Use the Danish"), callback_data=UseDanish(request_id).pack())]
    )
    rows.append(
        [
            InlineKeyboardButton(
                _("✍️ I will write it myself"),
                callback_data=WriteTranslationMyself(request_id).pack(),
            )
        ]
    )
    return _keyboard(*rows)


def overdue_text(tr: Translator, request: TranslationRequest, subject: str) -> str:
    """Tell staff nobody sent the translation in time, and ask what now."""
    return tr.gettext(
        "⌛ The {language} text for {subject} has not come, and it was needed by {when}. What now?"
    ).format(
        language=language_name(tr, request.language),
        subject=subject,
        when=tr.when(request.needed_by),
    )


def rejected_text(tr: Translator, request: TranslationRequest, subject: str) -> str:
    """Confirm a translation is not used, and ask what now."""
    return tr.gettext("❌ The {language} text for {subject} is not used. What now?").format(
        language=language_name(tr, request.language), subject=subject
    )


def used_text(tr: Translator, request: TranslationRequest, subject: str) -> str:
    """Confirm a translation (or staff's own text) is used."""
    return tr.gettext("✅ The {language} text for {subject} is used.").format(
        language=language_name(tr, request.language), subject=subject
    )


def danish_text(tr: Translator, request: TranslationRequest, subject: str) -> str:
    """Confirm residents who read the language get the Danish."""
    return tr.gettext(
        "🇩🇰 Fine: residents who read {language} get the Danish text of {subject}."
    ).format(language=language_name(tr, request.language), subject=subject)


def waiting_text(tr: Translator, request: TranslationRequest, when: datetime) -> str:
    """Confirm volunteers have longer."""
    return tr.gettext("⏳ Fine: volunteers have until {when} for the {language} text.").format(
        when=tr.when(when), language=language_name(tr, request.language)
    )


def gone_text(tr: Translator) -> str:
    """Say the message or activity a translation was for is gone, so it was not used."""
    return tr.gettext(
        "The message or activity this translation was for is no longer there, so it was not used."
    )


def write_prompt(
    tr: Translator, request: TranslationRequest, part: str, limit: int, current: str | None
) -> tuple[list[str], InlineKeyboardMarkup | None]:
    """Ask staff for one part in the language: their own, or the volunteer's changed."""
    language = language_name(tr, request.language)
    if part == "title":
        prompt = tr.ngettext(
            "✍️ Write the title in {language} (at most {count} character).",
            "✍️ Write the title in {language} (at most {count} characters).",
            limit,
        )
    else:
        prompt = tr.ngettext(
            "✍️ Write the text in {language} (at most {count} character).",
            "✍️ Write the text in {language} (at most {count} characters).",
            limit,
        )
    text = prompt.format(language=language, count=tr.ltr(limit))
    if current is None:
        return [text + "\n" + tr.gettext("Send /cancel to stop.")], None
    keyboard = _keyboard(
        [
            InlineKeyboardButton(
                tr.gettext("Keep it as it is"), callback_data=KeepTranslationPart(request.id).pack()
            )
        ]
    )
    # The volunteer's text on its own, to copy and change (set apart, as it may run the
    # other way from the reader's language).
    shown = set_apart(current, rtl_reader=tr.is_rtl)
    return [text + "\n" + tr.gettext("Now it reads:"), shown], keyboard


def draft_ready_keyboard(tr: Translator, draft_id: int) -> InlineKeyboardMarkup:
    """Build the buttons under a message whose translations are all decided."""
    _ = tr.gettext
    return _keyboard(
        [InlineKeyboardButton(_("✅ Send"), callback_data=SendWaitingBroadcast(draft_id).pack())],
        [
            InlineKeyboardButton(
                _("🗑 Discard"), callback_data=DiscardWaitingBroadcast(draft_id).pack()
            )
        ],
    )


def announced_text(tr: Translator, title: str) -> str:
    """Say an activity is announced now that its translations are decided."""
    return tr.gettext(
        "📣 The activity «{title}» is announced now, as its translations are decided."
    ).format(title=tr.ltr(title))
