"""What someone sees who opens the joining link the team gave them (handlers/join.py)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.i18n import Translator
from bot.db.activities import Activity
from bot.views.activity import activity_title_when, fit_message
from bot.views.buttons import ConsentNo, JoinAccept, JoinItIsMe, JoinNotMe, MenuMine
from bot.views.notice import privacy_notice_text


def link_not_valid(tr: Translator) -> str:
    """Say a joining link does not work (used, expired or not complete)."""
    return tr.gettext(
        "This link does not work any more: it was used already, it has expired, or it is "
        "not complete. Please ask the team for a new one."
    )


def what_it_does(tr: Translator, name: str, coming: list[Activity]) -> str:
    """Say whose link it is and what opening it does."""
    lines = [
        tr.gettext(
            "🔗 This link is for {name}. The team has signed {name} up; with it, those "
            "sign-ups move to your own Telegram chat, and Nabo reminds you itself."
        ).format(name=tr.ltr(name))
    ]
    for activity in coming[:5]:
        lines += ["", activity_title_when(tr, activity)]
    return fit_message("\n".join(lines))


def ask_phone(tr: Translator) -> str:
    """Ask to share one's number, to check the link is theirs."""
    return tr.gettext(
        "To check it is you, please share your phone number with the button below. Nabo "
        "compares it with the number the team has and does not keep it."
    )


def ask_is_it_you(tr: Translator, name: str, token: str) -> tuple[str, InlineKeyboardMarkup]:
    """Ask whether the opener is the person the link is for (a record without a number)."""
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    tr.gettext("✅ Yes, that's me"), callback_data=JoinItIsMe(token).pack()
                )
            ],
            [
                InlineKeyboardButton(
                    tr.gettext("No, it is not me"), callback_data=JoinNotMe().pack()
                )
            ],
        ]
    )
    return tr.gettext("Are you {name}?").format(name=tr.ltr(name)), keyboard


def wrong_number(tr: Translator, spent: bool) -> str:
    """Say the number shared is not the one the team has; nothing changed."""
    if spent:
        return tr.gettext(
            "That is not the number the team has for this link, so nothing has changed. "
            "The link no longer works now; please ask the team for a new one."
        )
    return tr.gettext(
        "That is not the number the team has for this link, so nothing has changed. "
        "If the link is yours, please ask the team."
    )


def not_me(tr: Translator) -> str:
    """Say a link that is someone else's changed nothing."""
    return tr.gettext(
        "Then the link is someone else's, and nothing has changed. Please give it back to the team."
    )


def consent_request(tr: Translator, token: str) -> tuple[str, InlineKeyboardMarkup]:
    """Show the privacy notice before the sign-ups move to the chat; accept or no thanks."""
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    tr.gettext("✅ Yes, that's fine"), callback_data=JoinAccept(token).pack()
                )
            ],
            [InlineKeyboardButton(tr.gettext("No thanks"), callback_data=ConsentNo().pack())],
        ]
    )
    text = "\n\n".join([privacy_notice_text(tr), tr.gettext("Is that all right with you?")])
    return text, keyboard


def joined(tr: Translator, coming: list[Activity]) -> tuple[str, InlineKeyboardMarkup]:
    """Say the sign-ups are now in the chat, and show them."""
    lines = [tr.gettext("✅ Done. Your sign-ups are here now, and Nabo reminds you before each.")]
    for activity in coming[:10]:
        lines += ["", activity_title_when(tr, activity)]
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(tr.gettext("🗓 My sign-ups"), callback_data=MenuMine().pack())]]
    )
    return fit_message("\n".join(lines)), keyboard
