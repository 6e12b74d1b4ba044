"""How /mydata reads: a summary in the resident's language, and the same data as a file."""

from __future__ import annotations

import json
from typing import Any

from babel.lists import format_list

from bot.core.clock import from_db
from bot.core.i18n import LANGUAGE_NAMES, Translator
from bot.views.activity import area_name, delaftale_name, fit_message, party_text
from bot.views.volunteer import languages_text, phone_text

# The file's name is the same in every language: plain ASCII opens anywhere.
EXPORT_FILE_NAME = "nabo-my-data.json"
# Sign-ups listed one by one in the chat; the file always has all of them.
MAX_LISTED_SIGNUPS = 15


def export_file(export: dict[str, Any]) -> bytes:
    """Return the export as readable UTF-8 JSON (Arabic and Danish letters as they are)."""
    return json.dumps(export, ensure_ascii=False, indent=2).encode("utf-8")


def _date(tr: Translator, text: str | None) -> str:
    moment = from_db(text)
    return tr.date(moment) if moment is not None else "–"


def summary_text(tr: Translator, export: dict[str, Any] | None) -> str:
    """Return everything Nabo holds about the reader, readably, within one message."""
    _ = tr.gettext
    if export is None:
        return _("Nabo stores nothing about you.")
    lines = [
        _("This is everything Nabo stores about you:"),
        _("• Telegram user number: {user_id}").format(user_id=tr.ltr(export["user_id"])),
    ]
    # Staff accept no notice and may have no resident's row: only what there is.
    if export["resident"] is not None:
        lines += _resident_lines(tr, export["resident"])
    if export["interests"]:
        names = [
            delaftale_name(tr, row["value"])
            if row["kind"] == "delaftale"
            else area_name(tr, row["value"])
            for row in export["interests"]
        ]
        lines.append(
            _("• What you want to hear about: {topics}").format(
                topics=format_list(names, locale=tr.locale)
            )
        )
    source = export.get("source")
    if source is not None:
        name = _("an invitation from a neighbour") if source["code"] == "invite" else source["name"]
        lines.append(_("• You came to Nabo by: {source}").format(source=tr.ltr(name)))
    if export["resident"] is not None or export["signups"]:
        lines += _signup_lines(tr, export["signups"])
    lines += _offer_lines(tr, export["volunteer_offer"])
    counts = (
        (_("• Reminders sent to you: {count}"), export["reminders_sent"]),
        (_("• Questions after activities sent to you: {count}"), export["feedback_questions_sent"]),
        (_("• Check-ins at the door: {count}"), export.get("door_checkins", [])),
        (_("• Feedback linked to you: {count}"), export["feedback"]),
        (_("• Messages from the team to you: {count}"), export["messages_received"]),
        (
            _("• Notes by the team about your offer of help: {count}"),
            export["staff_actions_about_your_offer"],
        ),
        (_("• Translations you took on as a volunteer: {count}"), export["translations_by_you"]),
        (_("• Your actions as staff: {count}"), export["staff_actions_by_you"]),
        (_("• Messages you sent to residents as staff: {count}"), export["broadcasts_by_you"]),
        (
            _("• Translations you asked volunteers for: {count}"),
            export["translations_asked_by_you"],
        ),
        (
            _("• Your messages waiting for translations: {count}"),
            export["waiting_messages_by_you"],
        ),
        (
            _("• Posts about offers of help in your own chat: {count}"),
            export["offer_posts_in_your_chat"],
        ),
        # As a host or staff member (beyond the chat).
        (
            _("• Activities you host: {count}"),
            [row for row in export.get("hosting", []) if row["ended_at"] is None],
        ),
        (
            _("• People you signed up on their behalf: {count}"),
            export.get("people_registered_by_you", []),
        ),
        (_("• Your proposals for new activities: {count}"), export.get("proposals_by_you", [])),
        (
            _("• Invitations to host that you made: {count}"),
            export.get("host_invitations_by_you", []),
        ),
        (
            _("• Messages to you about whom to call: {count}"),
            [
                row
                for row in export.get("team_messages_to_you", [])
                if row["kind"] in ("promoted", "changed", "cancelled", "call_list")
            ],
        ),
    )
    lines += [label.format(count=tr.ltr(len(rows))) for label, rows in counts if rows]
    lines += ["", _("The file below has all of it in full. Delete everything with /deleteme.")]
    if export["staff_actions_by_you"]:
        # The audit log keeps staff actions for accountability (ResidentRepository.forget).
        lines.append(
            _(
                "What you did as staff stays in the audit log after /deleteme, so the team can "
                "see who did what."
            )
        )
    return fit_message("\n".join(lines))


def _resident_lines(tr: Translator, resident: dict[str, Any]) -> list[str]:
    """Describe the resident's own row: language, when seen, consent, what they hear."""
    _ = tr.gettext
    lines = [
        _("• Language: {language}").format(
            language=LANGUAGE_NAMES.get(resident["language"] or "", "–")
        ),
        _("• First contact: {date}").format(date=_date(tr, resident["first_seen_at"])),
        _("• Last used Nabo: {date}").format(
            date=_date(tr, resident["last_seen_at"] or resident["first_seen_at"])
        ),
    ]
    if resident["consented_at"] is not None:
        lines.append(
            _("• Privacy notice accepted: {date}").format(date=_date(tr, resident["consented_at"]))
        )
    else:
        lines.append(_("• Privacy notice: not accepted"))
    lines.append(_("• Announcements: on") if resident["subscribed"] else _("• Announcements: off"))
    lines.append(_("• Reminders: on") if resident["reminders"] else _("• Reminders: off"))
    return lines


def _signup_lines(tr: Translator, signups: list[dict[str, Any]]) -> list[str]:
    _ = tr.gettext
    lines = [
        _("• Sign-ups and waitlist places, past ones too: {count}").format(
            count=tr.ltr(len(signups))
        )
    ]
    names = sorted({row["first_name"] for row in signups if row["first_name"]})
    if names:
        lines.append(
            _("• Your first name on Telegram, on your sign-ups: {names}").format(
                names=format_list([tr.ltr(name) for name in names], locale=tr.locale)
            )
        )
    for row in signups[:MAX_LISTED_SIGNUPS]:
        title = row[f"title_{tr.language}"] or row["title_da"]
        if row["status"] == "waitlisted":
            status = _("waitlist place {position}").format(
                position=tr.ltr(row["waitlist_position"])
            )
        elif row["status"] == "cancelled":
            status = _("cancelled")
        elif row["attended"] is not None:
            status = _("signed up, came") if row["attended"] else _("signed up, did not come")
        else:
            status = _("signed up")
        lines.append(
            _("   – {title}, {date}: {status}, {party}").format(
                title=tr.ltr(title),
                date=_date(tr, row["activity_starts_at"]),
                status=status,
                party=party_text(tr, row["adults"], row["children"]),
            )
        )
    if len(signups) > MAX_LISTED_SIGNUPS:
        lines.append(
            _("   … and {count} more in the file").format(
                count=tr.ltr(len(signups) - MAX_LISTED_SIGNUPS)
            )
        )
    return lines


def _offer_lines(tr: Translator, offer: dict[str, Any] | None) -> list[str]:
    _ = tr.gettext
    if offer is None:
        return []
    if offer["status"] == "withdrawn":
        return [_("• Offer of help as a volunteer: withdrawn, no contact details kept")]
    lines = [_("• Offer of help as a volunteer: yes (see /volunteer)")]
    languages = tuple(code for code in (offer["languages"] or "").split(",") if code)
    if languages:
        lines.append(
            _("• Languages you translate or interpret between: {languages}").format(
                languages=languages_text(tr, languages)
            )
        )
    if offer["phone"]:
        lines.append(
            _("• Phone number, for your offer of help: {phone}").format(
                phone=phone_text(tr, offer["phone"])
            )
        )
    return lines
