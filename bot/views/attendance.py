"""An attendance list as buttons: who came, and the walk-ins (a host's, bot/views/host.py).

One button per confirmed sign-up, which carries the value it sets (a double tap cannot
undo itself), and the walk-in counter. Which kinds of button it uses is the caller's, so
a host's list checks a host's rights and staff's staff's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.callback_data import ButtonData
from bot.core.i18n import Translator
from bot.db.activities import Activity
from bot.db.people import OfflinePerson
from bot.db.signups import Signup
from bot.views.activity import activity_title_when
from bot.views.staff_activity import came_line, person_name

PAGE = 30  # a keyboard holds at most 100 buttons


@dataclass(frozen=True, slots=True)
class AttendanceButtons:
    """The kinds of button an attendance list uses, built for one activity."""

    page: Callable[[int, int], ButtonData]  # (activity, page) → show that page
    mark: Callable[[int, int, bool], ButtonData]  # (activity, sign-up, came)
    walk_ins: Callable[[int, str, int], ButtonData]  # (activity, "m" or "p", page)
    back: ButtonData


def attendance_screen(
    tr: Translator,
    activity: Activity,
    confirmed: list[Signup],
    page: int,
    buttons: AttendanceButtons,
    offline: Mapping[int, OfflinePerson] | None = None,
) -> tuple[str, InlineKeyboardMarkup]:
    """Build the attendance list at ``page``; people without Telegram are marked 📵."""
    _ = tr.gettext
    pages = max(1, -(-len(confirmed) // PAGE))
    page = min(max(page, 0), pages - 1)
    came = sum(signup.people for signup in confirmed if signup.attended)
    lines = [_("🧾 Attendance"), activity_title_when(tr, activity), ""]
    if confirmed:
        lines.append(
            _("Press a name to record whether they came: ✅ came, ❌ did not come, ◻️ not recorded.")
        )
    else:
        lines.append(_("No one was signed up."))
    lines.append(came_line(tr, came, activity.walk_ins))
    if pages > 1:
        lines.append(_("Page {page} of {pages}").format(page=tr.ltr(page + 1), pages=tr.ltr(pages)))
    rows = []
    for signup in confirmed[page * PAGE : (page + 1) * PAGE]:
        mark = {True: "✅", False: "❌", None: "◻️"}[signup.attended]
        away = " 📵" if offline and signup.id in offline else ""
        label = f"{mark} {person_name(tr, signup)}{away} ({tr.ltr(signup.people)})"
        data = buttons.mark(activity.id, signup.id, not signup.attended)
        rows.append([InlineKeyboardButton(label, callback_data=data.pack())])
    rows.append(
        [
            InlineKeyboardButton(
                "➖", callback_data=buttons.walk_ins(activity.id, "m", page).pack()
            ),
            InlineKeyboardButton(
                f"🚶 {activity.walk_ins}", callback_data=buttons.page(activity.id, page).pack()
            ),
            InlineKeyboardButton(
                "➕", callback_data=buttons.walk_ins(activity.id, "p", page).pack()
            ),
        ]
    )
    navigation = []
    if page > 0:
        navigation.append(
            InlineKeyboardButton(
                _("◀ Previous"), callback_data=buttons.page(activity.id, page - 1).pack()
            )
        )
    if page + 1 < pages:
        navigation.append(
            InlineKeyboardButton(
                _("Next ▶"), callback_data=buttons.page(activity.id, page + 1).pack()
            )
        )
    if navigation:
        rows.append(navigation)
    rows.append([InlineKeyboardButton(_("◀ Back"), callback_data=buttons.back.pack())])
    return "\n".join(lines), InlineKeyboardMarkup(rows)
