"""The privacy notice shown at /start and /privacy, and its consent buttons."""

from __future__ import annotations

from babel.lists import format_list
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.callback_data import ButtonData
from bot.core.config import LANGUAGES
from bot.core.i18n import LANGUAGE_NAMES, Translator
from bot.views.buttons import ConfirmDelete, ConsentNo, ConsentYes, ReadNotice

# Still read by tests/test_dockerfile.py.

# The partners behind the helhedsplan: proper names, never translated.
PARTNERS = ("BoligViborg", "Boligselskabet Sct. Jørgen", "Viborg Kommune")


def privacy_notice_text(tr: Translator) -> str:
    """Return the privacy notice in the reader's language."""
    _ = tr.gettext
    partners = format_list([tr.ltr(name) for name in PARTNERS], locale=tr.locale)
    return _(
        "🔒 About your data\n"
        "\n"
        "Nabo is run by the social housing master plan in Viborg: {partners}. "
        "They are responsible for your data.\n"
        "\n"
        "What Nabo stores: your Telegram user number, your language, what you sign up for, "
        "and what you choose to send us (an offer of help, feedback). Your phone number "
        "only if you share it as a volunteer. We use it only to run the activities with "
        "you, we do not keep the chat itself, and we never pass your data on.\n"
        "\n"
        "Some activities are run with a tenants' board or a partner. Their host sees the "
        "first names of those coming to that activity, and works on the team's behalf.\n"
        "\n"
        "Using Nabo is voluntary. Everything is also announced in other ways, for example "
        "on the notice boards, and the team can sign you up by phone or at the office.\n"
        "\n"
        "You can see your data with /mydata (also as a file) and delete it with /deleteme "
        "at any time, or ask the team by phone or at the office. If you do not use Nabo for "
        "a year, your data is deleted; we tell you two weeks before. From the age of 15 you "
        "can agree yourself."
    ).format(partners=partners)


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
