"""The privacy notice shown at /start and /privacy, and its consent buttons."""

from __future__ import annotations

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.callback_data import ButtonData
from bot.core.config import LANGUAGES
from bot.core.i18n import LANGUAGE_NAMES, Translator
from bot.core.notice import PARTNERS as PARTNERS
from bot.core.notice import privacy_notice_text as privacy_notice_text
from bot.views.buttons import ConfirmDelete, ConsentNo, ConsentYes, ReadNotice

# The notice's text (imported above) lives with the printed notice's: one source for the
# chat and for paper (bot/core/notice.py).


def welcome_text(tr: Translator) -> str:
    """Return the short greeting shown above the privacy notice for newcomers."""
    return tr.gettext(
        "Welcome to Nabo! 👋\n"
        "Here you can hear about activities in your housing area and sign up in the chat."
    )


def consent_question(tr: Translator) -> str:
    """Return the question that ends the notice when consent is still needed."""
    return tr.gettext("Is that all right with you?")


def consent_keyboard(tr: Translator) -> InlineKeyboardMarkup:
    """Accept / no thanks, and the languages, each in its own name, to read it in first."""
    _ = tr.gettext
    languages = [
        InlineKeyboardButton(LANGUAGE_NAMES[code], callback_data=ReadNotice(code).pack())
        for code in LANGUAGES
        if code != tr.language
    ]
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("✅ Yes, that's fine"), callback_data=ConsentYes().pack())],
            [InlineKeyboardButton(_("No thanks"), callback_data=ConsentNo().pack())],
            languages,
        ]
    )


def consent_request_text(tr: Translator) -> str:
    """Return the whole consent request: greeting, notice and question."""
    return "\n\n".join((welcome_text(tr), privacy_notice_text(tr), consent_question(tr)))


async def send_consent_request(chat_id: int, bot: Bot, tr: Translator) -> None:
    """Send the greeting, the notice and the consent buttons."""
    await bot.send_message(chat_id, consent_request_text(tr), reply_markup=consent_keyboard(tr))


def deletion_question(tr: Translator) -> str:
    """Return what erasure means, ending with the question whether to go ahead."""
    return tr.gettext(
        "This deletes everything Nabo stores about you: your language and settings, "
        "your offer of help and phone number, feedback linked to you and messages "
        "waiting for you.\n"
        "\n"
        "Your coming sign-ups are cancelled, and your places go to the waitlist. "
        "Past sign-ups stay only as numbers without your name, so the team's "
        "counts still add up.\n"
        "\n"
        "It cannot be undone, but you can always start again with /start.\n"
        "\n"
        "Delete your data now?"
    )


def deletion_keyboard(tr: Translator, keep: ButtonData) -> InlineKeyboardMarkup:
    """Return the yes/no buttons under the deletion question; ``keep`` is the "no" button."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    tr.gettext("🗑 Yes, delete my data"), callback_data=ConfirmDelete().pack()
                )
            ],
            [InlineKeyboardButton(tr.gettext("No, keep my data"), callback_data=keep.pack())],
        ]
    )
