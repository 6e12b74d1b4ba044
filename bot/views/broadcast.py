"""What a broadcast looks like to its reader: news, announcements, the overview, the tally."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.config import LANGUAGES
from bot.core.i18n import Translator
from bot.db.activities import Activity, ActivityListing
from bot.views.activity import activity_title_when, availability_text, shorten
from bot.views.buttons import ShowActivity
from bot.views.menu import menu_button
from bot.views.staff_texts import language_name


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


def preview_parts(
    tr: Translator,
    texts: Mapping[str, str | None],
    count: int,
    send_at: datetime | None,
    waiting: Mapping[str, datetime] | None = None,
) -> list[list[str]]:
    """Show staff a message as residents will get it: each language, who, when.

    ``waiting``: languages volunteer translators are asked for, and by when; the message
    then waits until staff have seen those texts.
    """
    _ = tr.gettext
    waiting = waiting or {}
    parts = []
    for code in LANGUAGES:
        text = texts.get(code)
        language = language_name(tr, code)
        if code in waiting:
            parts.append(
                [
                    _(
                        "Residents who read {language}: volunteer translators are asked for "
                        "the text, needed by {when}. You see it before anything is sent."
                    ).format(language=language, when=tr.when(waiting[code]))
                ]
            )
        elif text is None:
            parts.append(
                [_("Residents who read {language} get the Danish text.").format(language=language)]
            )
        else:
            parts.append([_("Preview in {language}:").format(language=language), text])
    when = _("now") if send_at is None else tr.when(send_at)
    if waiting and send_at is None:
        summary = tr.ngettext(
            "It will go to {count} resident once you have seen the translations and pressed Send.",
            "It will go to {count} residents once you have seen the translations and pressed Send.",
            count,
        )
    elif waiting:
        summary = tr.ngettext(
            "It is planned for {when}: it will go to {count} resident once you have seen the "
            "translations and pressed Send.",
            "It is planned for {when}: it will go to {count} residents once you have seen the "
            "translations and pressed Send.",
            count,
        )
    else:
        summary = tr.ngettext(
            "It goes to {count} resident, {when}. Send it?",
            "It goes to {count} residents, {when}. Send it?",
            count,
        )
    parts.append([summary.format(count=tr.ltr(count), when=when)])
    return parts


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
