"""An activity's card: its buttons (sign up, cancel, calendar, invite a neighbour, back)."""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.i18n import Translator
from bot.core.start_links import OpenActivity, share_link, start_link
from bot.db.activities import Activity, ActivityListing
from bot.db.signups import Signup
from bot.db.sources import INVITE_CODE
from bot.views.buttons import ActivityCalendar, ActivityList, StartSignup
from bot.views.menu import menu_button
from bot.views.signup_news import cancel_button


def invite_button(tr: Translator, activity: Activity, bot_username: str) -> InlineKeyboardButton:
    """Build "invite a neighbour": Telegram's share link with the activity's link and title.

    The link carries the built-in "invite" source, so word of mouth counts as a source too.
    """
    link = start_link(bot_username, OpenActivity(activity.id, INVITE_CODE))
    text = tr.gettext("Join me: {title}").format(title=activity.title(tr.language))
    return InlineKeyboardButton(tr.gettext("📣 Invite a neighbour"), url=share_link(link, text))


def detail_keyboard(
    tr: Translator,
    listing: ActivityListing,
    signup: Signup | None,
    now: datetime,
    *,
    source: str | None = None,
    bot_username: str | None = None,
) -> InlineKeyboardMarkup:
    """Build the buttons under an activity: sign up, waitlist or cancel, calendar, invite, back.

    ``source``: the card was opened by a source's link, and a sign-up from it counts for it.
    """
    _ = tr.gettext
    activity = listing.activity
    rows = []
    if activity.status != "published":
        pass  # cancelled: nothing to sign up for or cancel
    elif signup is not None:
        rows.append([cancel_button(tr, signup)])
    elif activity.is_open_for_signup(now):
        full = listing.places_left == 0
        label = _("⏳ Join the waitlist") if full else _("✍️ Sign up")
        button = StartSignup(activity.id, waitlist=full, source=source)
        rows.append([InlineKeyboardButton(label, callback_data=button.pack())])
    if activity.status == "published":
        rows.append(
            [
                InlineKeyboardButton(
                    _("📆 Add to calendar"), callback_data=ActivityCalendar(activity.id).pack()
                )
            ]
        )
        if bot_username and activity.ends_at > now:
            rows.append([invite_button(tr, activity, bot_username)])
    rows.append(
        [
            InlineKeyboardButton(_("◀ All activities"), callback_data=ActivityList().pack()),
            menu_button(tr),
        ]
    )
    return InlineKeyboardMarkup(rows)
