"""How an activity reads in a chat: titles, times, places left and party sizes."""

from __future__ import annotations

from babel.lists import format_list

from bot.core.i18n import FSI, N_, PDI, Translator
from bot.db.activities import DELAFTALER, OTHER_AREA, Activity, ActivityListing

# Telegram's limit for one message, in UTF-16 code units.
MAX_MESSAGE = 4096
OTHER_AREA_NAME = N_("Other area")


def delaftale_name(tr: Translator, code: str) -> str:
    """Return the delaftale's official name in the reader's language."""
    return tr.gettext(DELAFTALER[code]) if code in DELAFTALER else code


def area_name(tr: Translator, area: str) -> str:
    """Return the housing area's name (place names are never translated)."""
    return tr.gettext(OTHER_AREA_NAME) if area == OTHER_AREA else tr.ltr(area)


def party_text(tr: Translator, adults: int, children: int) -> str:
    """Say how many are coming, e.g. "1 adult and 2 children"."""
    parts = []
    if adults:
        parts.append(
            tr.ngettext("{count} adult", "{count} adults", adults).format(count=tr.ltr(adults))
        )
    if children:
        parts.append(
            tr.ngettext("{count} child", "{count} children", children).format(
                count=tr.ltr(children)
            )
        )
    return format_list(parts, locale=tr.locale)


def availability_text(tr: Translator, listing: ActivityListing) -> str:
    """Say how full the activity is from the reader's point of view."""
    if listing.activity.status == "cancelled":
        return tr.gettext("❌ This activity has been cancelled.")
    if listing.my_status == "confirmed":
        return tr.gettext("✅ You are signed up")
    if listing.my_status == "waitlisted":
        return tr.gettext("⏳ You are on the waitlist")
    left = listing.places_left
    if left is None:
        return tr.gettext("Open to all — no limit on places")
    if left == 0:
        return tr.gettext("Full — waitlist open")
    return tr.ngettext("{count} place left", "{count} places left", left).format(count=tr.ltr(left))


def activity_summary(tr: Translator, listing: ActivityListing, number: int | None = None) -> str:
    """Render an activity as a few lines for a list."""
    activity = listing.activity
    # Titles are residents' text in any script: isolated so they never scramble RTL lines.
    title = tr.ltr(activity.title(tr.language))
    heading = f"{tr.ltr(number)}. {title}" if number is not None else title
    return "\n".join(
        (
            heading,
            f"🗓 {tr.when(activity.starts_at)}",
            f"📍 {tr.ltr(activity.place)}",
            availability_text(tr, listing),
        )
    )


def activity_detail(tr: Translator, listing: ActivityListing) -> str:
    """Render everything about an activity, within Telegram's message limit."""
    activity = listing.activity
    _ = tr.gettext
    lines = [
        tr.ltr(activity.title(tr.language)),
        "",
        f"🗓 {tr.when(activity.starts_at)} – {tr.ltr(tr.time(activity.ends_at))}",
        f"📍 {tr.ltr(activity.place)}",
        f"🏘 {area_name(tr, activity.area)}",
        f"🎯 {delaftale_name(tr, activity.delaftale)}",
        availability_text(tr, listing),
    ]
    if activity.signup_deadline is not None:
        lines.append(_("Sign up by {when}").format(when=tr.when(activity.signup_deadline)))
    head = "\n".join(lines)
    description = activity.description(tr.language).strip()
    if not description:
        return head
    return fit_message(f"{head}\n\n{description}")


def fit_message(text: str, limit: int = MAX_MESSAGE) -> str:
    """Shorten a text to Telegram's limit (counted in UTF-16 units, as Telegram does)."""
    encoded = text.encode("utf-16-le")
    if len(encoded) // 2 <= limit:
        return text
    # Leave room for the ellipsis; "ignore" drops a surrogate pair cut in half.
    cut = encoded[: (limit - 1) * 2].decode("utf-16-le", errors="ignore")
    return cut.rstrip() + "…"


def shorten(text: str, limit: int) -> str:
    """Cut a text (a button's title) to ``limit`` characters, ending in an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rstrip()
    # A cut inside a left-to-right name (MitID) would leave its isolate open, and the
    # ellipsis would be laid out inside it, on the wrong side of the Arabic around it.
    return cut + PDI * max(0, cut.count(FSI) - cut.count(PDI)) + "…"


def activity_title_when(tr: Translator, activity: Activity) -> str:
    """Return the title, time and place as three lines, for confirmations and reminders."""
    return tr.gettext("{title}\n🗓 {when}\n📍 {place}").format(
        title=tr.ltr(activity.title(tr.language)),
        when=tr.when(activity.starts_at),
        place=tr.ltr(activity.place),
    )
