"""What a broadcast looks like to its reader: news, announcements, the overview, the tally."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.i18n import Translator
from bot.db.activities import Activity, ActivityListing
from bot.views.activity import activity_title_when, availability_text, shorten
from bot.views.buttons import ShowActivity
from bot.views.menu import menu_button


def see_activity_button(tr: Translator, activity_id: int) -> InlineKeyboardButton:
    """Build the button that opens an activity's page."""
    return InlineKeyboardButton(
        tr.gettext("👀 See the activity"), callback_data=ShowActivity(activity_id).pack()
    )


def message_keyboard(tr: Translator, activity_id: int | None) -> InlineKeyboardMarkup:
    """Build the buttons under a staff message: the activity it is about, and the menu."""
    rows = [[menu_button(tr)]]
    if activity_id is not None:
        # News about one activity: its page has the resident's own cancel button.
        rows.insert(0, [see_activity_button(tr, activity_id)])
    return InlineKeyboardMarkup(rows)


def announcement_message(
    tr: Translator, listing: ActivityListing
) -> tuple[str, InlineKeyboardMarkup]:
    """Announce a new activity, with its places and a button to open it."""
    activity = listing.activity
    text = tr.gettext("📣 New activity!\n\n{activity}\n{availability}").format(
        activity=activity_title_when(tr, activity),
        availability=availability_text(tr, listing),
    )
    return text, InlineKeyboardMarkup([[see_activity_button(tr, activity.id)], [menu_button(tr)]])


def digest_message(tr: Translator, activities: list[Activity]) -> tuple[str, InlineKeyboardMarkup]:
    """Build one resident's weekly overview with a button to open each activity."""
    parts = [tr.gettext("🗓 Activities in the coming week")]
    rows = []
    for number, activity in enumerate(activities, start=1):
        parts += ["", f"{tr.ltr(number)}. {activity_title_when(tr, activity)}"]
        rows.append(
            [
                InlineKeyboardButton(
                    f"{number}. {shorten(activity.title(tr.language), 40)}",
                    callback_data=ShowActivity(activity.id).pack(),
                )
            ]
        )
    rows.append([menu_button(tr)])
    return "\n".join(parts), InlineKeyboardMarkup(rows)


def progress_text(tr: Translator, counts: dict[str, int], *, final: bool) -> str:
    """Say how far a broadcast has come, for the staff member who sent it."""
    total = sum(counts.values())
    done = total - counts["pending"] - counts["sending"]
    head = (
        tr.gettext("✅ Message sent.")
        if final
        else tr.gettext("📤 Sending… {done} of {total}").format(
            done=tr.ltr(done), total=tr.ltr(total)
        )
    )
    return tr.gettext(
        "{head}\nSent: {sent}\nBlocked: {blocked}\nFailed: {failed}\nUncertain: {uncertain}"
    ).format(
        head=head,
        sent=tr.ltr(counts["sent"]),
        blocked=tr.ltr(counts["blocked"]),
        failed=tr.ltr(counts["failed"]),
        uncertain=tr.ltr(counts["uncertain"]),
    )
