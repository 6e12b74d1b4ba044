"""What activity hosts see, and what staff see of hosts.

A host sees their activities, each one's roster (first names, party sizes, and those
without Telegram with the number to call), attendance, and the way to sign someone up,
write to the participants or propose an activity. Staff see who hosts what, invite and
remove hosts. Texts in each reader's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot.core.i18n import N_, Translator
from bot.db.activities import ORGANISER_KINDS, TEAM_NAME_DA, Activity, ActivityListing
from bot.db.checkins import DoorCount
from bot.db.hosts import Host, PendingInvitation
from bot.db.people import OfflinePerson
from bot.db.signups import Signup
from bot.views.activity import activity_title_when, fit_message, shorten
from bot.views.attendance import AttendanceButtons
from bot.views.buttons import (
    ORGANISER_CODES,
    AcceptHosting,
    AskRemoveHost,
    DeclineHosting,
    HostActivity,
    HostAttendance,
    HostDoorPoster,
    HostMarkAttendance,
    HostMenu,
    HostPropose,
    HostSignUpFor,
    HostWalkIns,
    HostWriteMessage,
    InviteAnyone,
    InviteHost,
    InviteOrganiser,
    InviteScope,
    MenuHome,
    RemoveHost,
    StaffActivity,
    StaffHosts,
)
from bot.views.staff_activity import roster_text
from bot.views.staff_menu import staff_menu_button

assert tuple(ORGANISER_KINDS) == ORGANISER_CODES
# How the team itself is named where an organisation is stored (the export is Danish).
TEAM_ORGANISATION = TEAM_NAME_DA
HOST_LIST_SHOWN = 20  # hostings listed with a remove button: well under Telegram's 100


def organisation_name(tr: Translator, host: Host) -> str:
    """Name who a host comes from: the team in the reader's language, else as staff wrote."""
    if host.organiser_kind == "team":
        return tr.gettext(ORGANISER_KINDS["team"])
    return tr.ltr(host.organisation)


def hosting_text(tr: Translator, activity: Activity, whole_series: bool) -> str:
    """Say what a hosting covers: one date, or every date of a series."""
    if whole_series and activity.series_id is not None:
        return tr.gettext("Every date of this weekly activity, from:\n{activity}").format(
            activity=activity_title_when(tr, activity)
        )
    return activity_title_when(tr, activity)


# ---------------------------------------------------------------- the host's own screens


def host_menu(
    tr: Translator, listings: list[ActivityListing], now: datetime
) -> tuple[str, InlineKeyboardMarkup]:
    """List a host's activities, each a button to its roster, and the proposal button."""
    _ = tr.gettext
    lines = [_("🤝 Your activities as host")]
    rows = []
    if not listings:
        lines += ["", _("You host no coming activities right now.")]
    for number, listing in enumerate(listings, start=1):
        activity = listing.activity
        title = activity.title(tr.language)
        lines += ["", f"{tr.ltr(number)}. {tr.ltr(title)}", f"🗓 {tr.when(activity.starts_at)}"]
        if activity.status == "cancelled":
            lines.append(_("❌ Cancelled"))
        elif activity.ends_at <= now:
            lines.append(_("✔ Ended"))
        rows.append(
            [
                InlineKeyboardButton(
                    shorten(f"{number}. {title}", 40),
                    callback_data=HostActivity(activity.id).pack(),
                )
            ]
        )
    rows.append(
        [InlineKeyboardButton(_("💡 Propose an activity"), callback_data=HostPropose().pack())]
    )
    rows.append([InlineKeyboardButton(_("☰ Menu"), callback_data=MenuHome().pack())])
    return fit_message("\n".join(lines)), InlineKeyboardMarkup(rows)


def host_activity_screen(
    tr: Translator,
    activity: Activity,
    roster: list[Signup],
    offline: Mapping[int, OfflinePerson],
    now: datetime,
    door: DoorCount | None = None,
) -> tuple[str, InlineKeyboardMarkup]:
    """Show a host one of their activities: who is coming, and what they can do.

    As on staff's view: who checked in at the door so far, and the door poster to print.
    """
    _ = tr.gettext
    rows = []
    if activity.status == "published" and activity.starts_at <= now:
        rows.append(
            [
                InlineKeyboardButton(
                    _("🧾 Attendance"), callback_data=HostAttendance(activity.id).pack()
                )
            ]
        )
    if activity.is_open_for_signup(now):
        rows.append(
            [
                InlineKeyboardButton(
                    _("➕ Sign up someone without Telegram"),
                    callback_data=HostSignUpFor(activity.id).pack(),
                )
            ]
        )
    if activity.status == "published" and activity.ends_at > now:
        rows.append(
            [
                InlineKeyboardButton(
                    _("📣 Message to the participants"),
                    callback_data=HostWriteMessage(activity.id).pack(),
                )
            ]
        )
        rows.append(
            [
                InlineKeyboardButton(
                    _("🚪 Door poster"), callback_data=HostDoorPoster(activity.id).pack()
                )
            ]
        )
    rows.append([InlineKeyboardButton(_("◀ Back"), callback_data=HostMenu().pack())])
    return roster_text(tr, activity, roster, offline, door), InlineKeyboardMarkup(rows)


def host_attendance_buttons(activity_id: int) -> AttendanceButtons:
    """Return the kinds of button a host's attendance list uses (each checks the host)."""
    return AttendanceButtons(
        page=HostAttendance,
        mark=HostMarkAttendance,
        walk_ins=HostWalkIns,
        back=HostActivity(activity_id),
    )


# ---------------------------------------------------------------- being invited


HOST_NOTICE = N_(
    "As host you act on the team's behalf, for this activity only: you see who is coming "
    "(first names, how many, and the phone numbers of those who agreed to be called), take "
    "attendance, sign people up and write to the participants. Please keep what you see to "
    "yourself and use it only for the activity.\n"
    "\n"
    "Nabo stores your Telegram user number, your first name and language, and what you do "
    "as host. It ends when the team removes you, or some months after the activity; "
    "/mydata shows it and /deleteme deletes it."
)


def invitation_text(
    tr: Translator, invitation: PendingInvitation, activity: Activity, organisation: str, token: str
) -> tuple[str, InlineKeyboardMarkup]:
    """Show what an invitation to host is, what it means, and ask to accept it."""
    _ = tr.gettext
    text = "\n\n".join(
        [
            _("🤝 The team invites you to host an activity:"),
            hosting_text(tr, activity, invitation.whole_series),
            _("For: {organisation}, as {role}").format(
                organisation=organisation, role=tr.ltr(invitation.role)
            ),
            _(HOST_NOTICE),
            _("Do you accept?"),
        ]
    )
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("✅ I accept"), callback_data=AcceptHosting(token).pack())],
            [InlineKeyboardButton(_("No thanks"), callback_data=DeclineHosting().pack())],
        ]
    )
    return fit_message(text), keyboard


def invitation_not_valid(tr: Translator) -> str:
    """Say an invitation link does not work (used, expired or forged), and what to do."""
    return tr.gettext(
        "This invitation does not work any more: it was used already, it has expired, or "
        "the link is not complete. Please ask the team for a new one."
    )


def share_phone_request(tr: Translator) -> str:
    """Ask the opener to share their number, to check the invitation is theirs."""
    return tr.gettext(
        "This invitation was made for one person. To check it is you, please share your "
        "phone number with the button below. Nabo only compares it and does not keep it."
    )


def someone_else(tr: Translator) -> str:
    """Say the number shared is not the one the invitation was made for."""
    return tr.gettext(
        "That phone number is not the one this invitation was made for, so nothing has "
        "changed. If it should be yours, please ask the team."
    )


def hosting_accepted(
    tr: Translator, activity: Activity, whole_series: bool
) -> tuple[str, InlineKeyboardMarkup]:
    """Welcome a new host, and show the way to their tools."""
    text = tr.gettext(
        "✅ You are now host of:\n{activity}\n\n"
        "Your tools are under /host. Nabo tells you here when someone without Telegram "
        "needs a call."
    ).format(activity=hosting_text(tr, activity, whole_series))
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(tr.gettext("🤝 Your activities"), callback_data=HostMenu().pack())]]
    )
    return fit_message(text), keyboard


def hosting_ended(tr: Translator, activity: Activity) -> str:
    """Tell a host that the team removed them from an activity."""
    return tr.gettext(
        "You are no longer host of this activity. Thank you for your help!\n\n{activity}"
    ).format(activity=activity_title_when(tr, activity))


# ---------------------------------------------------------------- staff's view of hosts


def host_line(tr: Translator, host: Host) -> str:
    """Describe one hosting for staff: who, from where, in which role."""
    return tr.gettext("{name} — {organisation}, {role}").format(
        name=tr.ltr(host.first_name or "?"),
        organisation=organisation_name(tr, host),
        role=tr.ltr(host.role),
    )


def activity_hosts_screen(
    tr: Translator, activity: Activity, hosts: list[Host]
) -> tuple[str, InlineKeyboardMarkup]:
    """Show staff an activity's hosts, with buttons to invite another or remove one."""
    _ = tr.gettext
    lines = [_("👤 Hosts"), activity_title_when(tr, activity), ""]
    if not hosts:
        lines.append(_("No one hosts this activity yet."))
    rows = []
    for host in hosts:
        line = host_line(tr, host)
        if host.whole_series:
            line += " · " + _("the whole series")
        lines.append(f"{tr.line_start()}• {line}")
        rows.append(
            [
                InlineKeyboardButton(
                    shorten(_("❌ Remove {name}").format(name=host.first_name or "?"), 40),
                    callback_data=AskRemoveHost(host.id).pack(),
                )
            ]
        )
    if activity.status == "published":
        rows.append(
            [
                InlineKeyboardButton(
                    _("➕ Invite a host"), callback_data=InviteHost(activity.id).pack()
                )
            ]
        )
    rows.append(
        [InlineKeyboardButton(_("◀ Back"), callback_data=StaffActivity(activity.id).pack())]
    )
    return fit_message("\n".join(lines)), InlineKeyboardMarkup(rows)


def all_hosts_screen(
    tr: Translator, hosted: list[tuple[Host, Activity]]
) -> tuple[str, InlineKeyboardMarkup]:
    """List every current hosting for staff, with a button to remove each."""
    _ = tr.gettext
    if not hosted:
        # A message needs a button or none at all: the way back to the staff menu.
        return _("No one hosts an activity right now."), InlineKeyboardMarkup(
            [[staff_menu_button(tr)]]
        )
    lines = [_("👤 Hosts now:")]
    rows = []
    for number, (host, activity) in enumerate(hosted[:HOST_LIST_SHOWN], start=1):
        what = activity.title(tr.language)
        if host.whole_series:
            what = _("{title} (the whole series)").format(title=tr.ltr(what))
        else:
            what = tr.ltr(what)
        lines += ["", f"{tr.ltr(number)}. {host_line(tr, host)}", f"   {what}"]
        rows.append(
            [
                InlineKeyboardButton(
                    _("❌ Remove number {number}").format(number=number),
                    callback_data=AskRemoveHost(host.id).pack(),
                )
            ]
        )
    if len(hosted) > HOST_LIST_SHOWN:
        lines += [
            "",
            _("…and {count} more: see each activity under /signups.").format(
                count=tr.ltr(len(hosted) - HOST_LIST_SHOWN)
            ),
        ]
    return fit_message("\n".join(lines)), InlineKeyboardMarkup(rows)


def ask_remove(tr: Translator, host: Host, activity: Activity) -> tuple[str, InlineKeyboardMarkup]:
    """Ask staff to confirm removing a host; it takes effect at once."""
    _ = tr.gettext
    text = "\n\n".join(
        [
            _("Remove {name} as host? They lose access at once.").format(
                name=tr.ltr(host.first_name or "?")
            ),
            hosting_text(tr, activity, host.whole_series),
        ]
    )
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("Yes, remove"), callback_data=RemoveHost(host.id).pack())],
            [InlineKeyboardButton(_("No, keep"), callback_data=StaffHosts(activity.id).pack())],
        ]
    )
    return text, keyboard


def ask_scope(tr: Translator, dates: int) -> tuple[str, InlineKeyboardMarkup]:
    """Ask whether the host is for this date or for the whole weekly series."""
    _ = tr.gettext
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("This date only"), callback_data=InviteScope(False).pack())],
            [
                InlineKeyboardButton(
                    tr.ngettext(
                        "The whole series ({count} date)", "The whole series ({count} dates)", dates
                    ).format(count=dates),
                    callback_data=InviteScope(True).pack(),
                )
            ],
        ]
    )
    return _("👤 Invite a host. For this date only, or for the whole weekly series?"), keyboard


def ask_organiser(tr: Translator) -> tuple[str, InlineKeyboardMarkup]:
    """Ask who the host comes from."""
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(tr.gettext(label), callback_data=InviteOrganiser(code).pack())]
            for code, label in ORGANISER_KINDS.items()
        ]
    )
    return tr.gettext("👤 Invite a host. Who do they come from?"), keyboard


def ask_organisation(tr: Translator, kind: str) -> str:
    """Ask for the organisation's name."""
    if kind == "board":
        return tr.gettext("Which afdelingsbestyrelse? For example: Afdelingsbestyrelsen Houlkær.")
    return tr.gettext("What is the organisation called? For example: Røde Kors Viborg.")


def ask_role(tr: Translator) -> str:
    """Ask for the host's role (shown in exports instead of their name)."""
    return tr.gettext(
        "What is the host's role? For example: volunteer leader, board member. The "
        "team's workbook lists hosts by organisation and role, never by name."
    )


def ask_phone_binding(tr: Translator) -> tuple[str, InlineKeyboardMarkup]:
    """Ask whether to bind the invitation to the host's phone number."""
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    tr.gettext("🔓 Anyone with the link"), callback_data=InviteAnyone().pack()
                )
            ]
        ]
    )
    return (
        tr.gettext(
            "Should only the intended host be able to accept? Then write their phone "
            "number: they share it with Nabo to accept, and Nabo forgets it once the "
            "invitation is used or expired. Otherwise press the button."
        ),
        keyboard,
    )


def invitation_ready(tr: Translator, link: str, until: str, phone: str | None) -> str:
    """Give staff the invitation link, and say who can use it until when."""
    _ = tr.gettext
    who = (
        _("Only the person with the phone number {phone} can accept it.").format(
            phone=tr.ltr(phone)
        )
        if phone
        else _("Whoever opens it first becomes host, so send it only to them.")
    )
    return _(
        "✅ The invitation is ready. Send this link to the host; it works once, until "
        "{date}:\n{link}\n\n{who}"
    ).format(date=until, link=tr.ltr(link), who=who)


def share_number_keyboard(tr: Translator) -> ReplyKeyboardMarkup:
    """Telegram's button that shares one's own number (the only way a number is taken here)."""
    return ReplyKeyboardMarkup(
        [[KeyboardButton(tr.gettext("📞 Share my number"), request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def not_own_number(tr: Translator) -> str:
    """Say a shared contact card was someone else's: only one's own number counts."""
    return tr.gettext(
        "That is not your own number. Please tap «📞 Share my number» below to share yours."
    )


def declined(tr: Translator) -> str:
    """Say nothing changed after a "no thanks"."""
    return tr.gettext("No problem. Nothing has changed.")


def door_poster_caption(tr: Translator) -> str:
    """Say what the door poster is for, under the file sent to a host."""
    return tr.gettext(
        "🚪 The door poster: put it up at the entrance. Those who come scan its code to "
        "check in; it works from 30 minutes before the start until the end."
    )


def door_poster_problem(tr: Translator, problem: str) -> str:
    """Say why there is no door poster to print (``problem``: a printing Problem's value)."""
    if problem == "cancelled":
        return tr.gettext("This activity is cancelled.")
    if problem == "ended":
        return tr.gettext("This activity has ended, so there is nothing to print for it.")
    return tr.gettext("This button no longer works.")
