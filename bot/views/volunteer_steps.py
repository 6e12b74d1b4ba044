"""What the resident reads about their offer of help: the five steps, withdrawing, replying.

The journey (handlers/volunteer.py) decides which of these to send and when; here is
only how each question, keyboard and answer reads in the resident's language.
"""

from __future__ import annotations

from collections.abc import Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from bot.core.callback_data import ButtonData
from bot.core.i18n import Translator
from bot.db.volunteers import KINDS, LANGUAGES, MAX_NOTE, MAX_OTHER, TIMES, OfferDraft
from bot.views.buttons import (
    AskWithdraw,
    KeepOffer,
    VolunteerChange,
    VolunteerContact,
    VolunteerKind,
    VolunteerLanguage,
    VolunteerNext,
    VolunteerNote,
    VolunteerSend,
    VolunteerStop,
    VolunteerTime,
    Withdraw,
)
from bot.views.menu import menu_button
from bot.views.volunteer import kinds_text, languages_text, offer_lines, times_text

STEPS = 5


def step_text(tr: Translator, number: int, question: str) -> str:
    """Head a question with its step ("Step 2 of 5")."""
    heading = tr.gettext("Step {step} of {steps}").format(step=tr.ltr(number), steps=tr.ltr(STEPS))
    return f"{heading}\n{question}"


def stop_button(tr: Translator) -> InlineKeyboardButton:
    """Build the button that stops writing the offer."""
    return InlineKeyboardButton(tr.gettext("✖ Stop"), callback_data=VolunteerStop().pack())


def _toggles(
    tr: Translator, choices: dict[str, str], chosen: list[str], button: Callable[[str], ButtonData]
) -> InlineKeyboardMarkup:
    """Build buttons that tick and untick choices (labels as given), then Next and Stop."""
    rows = [
        [
            InlineKeyboardButton(
                f"{'✅' if code in chosen else '◻️'} {label}",
                callback_data=button(code).pack(),
            )
        ]
        for code, label in choices.items()
    ]
    rows.append(
        [
            InlineKeyboardButton(tr.gettext("Next ▶"), callback_data=VolunteerNext().pack()),
            stop_button(tr),
        ]
    )
    return InlineKeyboardMarkup(rows)


def kinds_keyboard(tr: Translator, chosen: list[str]) -> InlineKeyboardMarkup:
    """Build step 1's buttons: every kind of help, the chosen ones ticked."""
    return _toggles(tr, _translated(tr, KINDS), chosen, VolunteerKind)


def times_keyboard(tr: Translator, chosen: list[str]) -> InlineKeyboardMarkup:
    """Build step 2's buttons: every time of the week, the chosen ones ticked."""
    return _toggles(tr, _translated(tr, TIMES), chosen, VolunteerTime)


def languages_keyboard(tr: Translator, chosen: list[str]) -> InlineKeyboardMarkup:
    """Build the buttons of the languages a volunteer goes between, the chosen ones ticked."""
    # Nabo's languages by their own names (untranslated), any other in the reader's.
    names = {
        code: tr.gettext(name) if code == "other" else name for code, name in LANGUAGES.items()
    }
    return _toggles(tr, names, chosen, VolunteerLanguage)


def _translated(tr: Translator, labels: dict[str, str]) -> dict[str, str]:
    return {code: tr.gettext(label) for code, label in labels.items()}


def languages_question(tr: Translator) -> str:
    """Ask (within step 1) which languages a translator or interpreter goes between."""
    return step_text(
        tr,
        1,
        tr.gettext(
            "Which languages can you translate or interpret between? Tap at least two, "
            "then press Next. Another language? Say which in your note at step 4."
        ),
    )


def languages_answered(tr: Translator, languages: list[str]) -> str:
    """Show the languages question answered."""
    return f"{languages_question(tr)}\n\n✅ {languages_text(tr, tuple(languages))}"


def choose_two_please(tr: Translator) -> str:
    """Ask for the languages again, when fewer than two were ticked."""
    return languages_question(tr) + "\n\n" + tr.gettext("Please choose at least two.")


def kinds_question(tr: Translator) -> str:
    """Ask step 1: what they would like to help with."""
    return step_text(
        tr,
        1,
        tr.gettext("What would you like to help with? Tap everything that fits, then press Next."),
    )


def times_question(tr: Translator) -> str:
    """Ask step 2: when they can help."""
    return step_text(
        tr, 2, tr.gettext("When can you help? Tap everything that fits, then press Next.")
    )


def kinds_answered(tr: Translator, kinds: list[str]) -> str:
    """Show step 1 answered: the question and the kinds of help chosen."""
    return f"{kinds_question(tr)}\n\n✅ {kinds_text(tr, tuple(kinds), None)}"


def times_answered(tr: Translator, times: list[str]) -> str:
    """Show step 2 answered: the question and the times chosen."""
    return f"{times_question(tr)}\n\n✅ {times_text(tr, tuple(times))}"


def choose_one_please(tr: Translator, question: str) -> str:
    """Ask a question of ticks again, when nothing was ticked."""
    return question + "\n\n" + tr.gettext("Please choose at least one.")


def current_offer_keyboard(tr: Translator) -> InlineKeyboardMarkup:
    """Build the buttons under the resident's offer: change it, withdraw it, the menu."""
    _ = tr.gettext
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("✏️ Change my offer"), callback_data=VolunteerChange().pack())],
            [InlineKeyboardButton(_("🗑 Withdraw my offer"), callback_data=AskWithdraw().pack())],
            [menu_button(tr)],
        ]
    )


def welcome_text(tr: Translator) -> str:
    """Thank the resident for offering, and ask step 1."""
    intro = tr.gettext(
        "🙋 Thank you for wanting to help your neighbours!\n\n"
        "It takes five short steps, and nothing is saved until you send it. "
        "You can stop at any time."
    )
    return f"{intro}\n\n{kinds_question(tr)}"


def change_text(tr: Translator) -> str:
    """Begin changing the offer at step 1."""
    return tr.gettext("✏️ Change your offer of help.") + "\n\n" + kinds_question(tr)


def other_question(tr: Translator) -> str:
    """Ask for their own words for "something else"."""
    return tr.gettext(
        "What else would you like to help with? Write a few words (at most {limit} characters)."
    ).format(limit=tr.ltr(MAX_OTHER))


def contact_question(tr: Translator) -> tuple[str, InlineKeyboardMarkup]:
    """Ask step 3: how the team may reach them."""
    _ = tr.gettext
    question = _(
        "How may the team reach you?\n\n"
        "💬 Through Nabo: the team writes to you here, and you answer here. "
        "They do not see your phone number.\n"
        "📞 By phone: only if you share your number with Telegram's button. "
        "First we tell you what it is used for."
    )
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("💬 Through Nabo"), callback_data=VolunteerContact("nabo").pack()
                )
            ],
            [
                InlineKeyboardButton(
                    _("📞 By phone"), callback_data=VolunteerContact("phone").pack()
                )
            ],
            [stop_button(tr)],
        ]
    )
    return step_text(tr, 3, question), keyboard


def instead_label(tr: Translator) -> str:
    """Label the reply button that chooses "through Nabo" after all."""
    return tr.gettext("💬 Through Nabo instead")


def phone_question(tr: Translator) -> tuple[str, ReplyKeyboardMarkup]:
    """Say what the number is for, with Telegram's share button (the only way it is taken)."""
    _ = tr.gettext
    keyboard = ReplyKeyboardMarkup(
        [
            [KeyboardButton(_("📞 Share my number"), request_contact=True)],
            [KeyboardButton(instead_label(tr))],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
    text = _(
        "📞 Your phone number is used for one thing only: so the team can call you "
        "about your offer of help. Only the team sees it, and it is deleted when you "
        "withdraw your offer or delete your data.\n\n"
        "Tap «📞 Share my number» below. Please don't type it: "
        "I only keep the number Telegram shares for you."
    )
    return text, keyboard


def not_own_number_text(tr: Translator) -> str:
    """Say a shared contact card was not the resident's own number, so it was not kept."""
    return tr.gettext(
        "That is not your own number, so I have not kept it. Tap «📞 Share my "
        "number» to share yours, or choose «💬 Through Nabo instead»."
    )


def typed_number_text(tr: Translator) -> str:
    """Say a typed message (a number, say) was not kept, and what to tap instead."""
    return tr.gettext(
        "I don't keep numbers that are typed in, so I have not stored that. "
        "Please tap «📞 Share my number», or «💬 Through Nabo instead»."
    )


def note_question(tr: Translator, note: str | None) -> tuple[str, InlineKeyboardMarkup]:
    """Ask step 4: a note for the team (showing the one there is)."""
    _ = tr.gettext
    question = _(
        "Is there anything else the team should know? Write a short note "
        "(at most {limit} characters), or press Skip."
    ).format(limit=tr.ltr(MAX_NOTE))
    rows = [[InlineKeyboardButton(_("Skip"), callback_data=VolunteerNote("skip").pack())]]
    if note:
        question += "\n\n" + _("Your note now: {note}").format(note=tr.ltr(note))
        rows.insert(
            0, [InlineKeyboardButton(_("Keep my note"), callback_data=VolunteerNote("keep").pack())]
        )
    rows.append([stop_button(tr)])
    return step_text(tr, 4, question), InlineKeyboardMarkup(rows)


def confirm_question(tr: Translator, draft: OfferDraft) -> tuple[str, InlineKeyboardMarkup]:
    """Ask step 5: show the whole offer and ask to send it."""
    _ = tr.gettext
    lines = [
        _("Please check your offer of help:"),
        "",
        *offer_lines(tr, draft),
        "",
        _("Send it to the team?"),
    ]
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("✅ Send my offer"), callback_data=VolunteerSend().pack())],
            [stop_button(tr)],
        ]
    )
    return step_text(tr, 5, "\n".join(lines)), keyboard


def offer_sent_text(tr: Translator) -> str:
    """Thank the resident for the offer sent, and say how to see it again."""
    return tr.gettext(
        "🙌 Thank you! The team has your offer of help and will get in touch.\n\n"
        "Send /volunteer to see, change or withdraw it."
    )


def withdraw_question(tr: Translator) -> tuple[str, InlineKeyboardMarkup]:
    """Ask before withdrawing the offer, saying what goes with it."""
    _ = tr.gettext
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("🗑 Yes, withdraw it"), callback_data=Withdraw().pack())],
            [InlineKeyboardButton(_("No, keep my offer"), callback_data=KeepOffer().pack())],
        ]
    )
    text = _(
        "Withdraw your offer of help? Your phone number and your note are deleted "
        "at once, and the team will see that you have withdrawn."
    )
    return text, keyboard


def withdrawn_text(tr: Translator) -> str:
    """Confirm the offer is withdrawn and its details deleted."""
    return tr.gettext(
        "Done — your offer of help is withdrawn, and your phone number and note are "
        "deleted. Thank you for offering! You are welcome back any time with /volunteer."
    )


def reply_question(tr: Translator, limit: int) -> str:
    """Ask for the reply to the team's message, within ``limit`` characters."""
    return tr.gettext(
        "✍️ Write your reply to the team (at most {limit} characters). Send /cancel to stop."
    ).format(limit=tr.ltr(limit))
