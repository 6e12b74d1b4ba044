"""Data requests by phone or at the desk, as staff see them (handlers/person.py).

Staff find the person, confirm who is asking, and only then see a summary of what Nabo
stores and may send it (the same file a resident gets from /mydata) or erase it. Texts
in the staff member's language; names and numbers isolated for Arabic.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.clock import from_db
from bot.core.i18n import LANGUAGE_NAMES, Translator
from bot.db.lookup import Found
from bot.views.activity import area_name, fit_message, shorten
from bot.views.buttons import (
    CheckedBy,
    PersonAction,
    PersonCancelSignup,
    PersonSure,
    PickFound,
)
from bot.views.on_behalf import TOLD_HOW
from bot.views.team_messages import phone_shown

PERSON_FILE_NAME = "nabo-person-data.json"


def ask_query(tr: Translator) -> str:
    """Ask how to find the person."""
    return tr.gettext(
        "🔎 Someone asks to see or delete their data. Write their phone number, their "
        "first name, or their Telegram user number. (Send /cancel to stop.)"
    )


def nothing_found(tr: Translator) -> str:
    """Say no one matched, and what else to try."""
    return tr.gettext(
        "No one found. Try another spelling, a phone number or a Telegram user number."
    )


def found_line(tr: Translator, number: int, found: Found) -> str:
    """Describe one match with what tells namesakes apart (never more)."""
    name = tr.ltr(found.name) if found.name else tr.gettext("(no name)")
    how = (
        tr.gettext("uses the chat")
        if found.kind == "resident"
        else tr.gettext("not on Telegram, {area}").format(area=area_name(tr, found.area or ""))
    )
    coming = ", ".join(
        f"{tr.ltr(item.title_da)} ({tr.date(item.starts_at)})" for item in found.coming
    ) or tr.gettext("nothing coming")
    return tr.gettext("{number}. {name}, {how}. Coming: {coming}").format(
        number=tr.ltr(number), name=name, how=how, coming=coming
    )


def found_list(tr: Translator, found: list[Found]) -> tuple[str, InlineKeyboardMarkup]:
    """List the matches, each a button."""
    lines = [tr.gettext("Who is it?"), ""]
    rows = []
    for number, item in enumerate(found, start=1):
        lines.append(found_line(tr, number, item))
        label = f"{number}. {item.name or '?'}"
        kind = "r" if item.kind == "resident" else "p"
        rows.append(
            [
                InlineKeyboardButton(
                    shorten(label, 40), callback_data=PickFound(kind, item.id).pack()
                )
            ]
        )
    return fit_message("\n".join(lines)), InlineKeyboardMarkup(rows)


def ask_check(tr: Translator, found: Found) -> tuple[str, InlineKeyboardMarkup]:
    """Ask how staff confirm who is asking, before anything is shown or erased."""
    _ = tr.gettext
    rows = []
    if found.reachable:
        rows.append(
            [
                InlineKeyboardButton(
                    _("📨 Send a code to their chat"), callback_data=CheckedBy("code").pack()
                )
            ]
        )
    rows += [
        [InlineKeyboardButton(_("🪪 I saw their ID"), callback_data=CheckedBy("id").pack())],
        [
            InlineKeyboardButton(
                _("📞 I called them back on their own number"),
                callback_data=CheckedBy("callback").pack(),
            )
        ],
        [
            InlineKeyboardButton(
                _("✍️ Another way (I will write how)"), callback_data=CheckedBy("other").pack()
            )
        ],
    ]
    text = _(
        "Before anything is shown or deleted: how do you know that the person asking is "
        "{name}? This goes in the audit log."
    ).format(name=tr.ltr(found.name or "?"))
    return text, InlineKeyboardMarkup(rows)


def code_for_resident(tr: Translator, code: str) -> str:
    """Write the code message a resident gets in their own chat, in their language."""
    return tr.gettext(
        "🔐 Someone from the team is helping you with your data in Nabo. If you asked for "
        "this, read this code to them: {code}\n\n"
        "If you did not ask, do nothing: without the code, nothing is shown or deleted."
    ).format(code=tr.ltr(code))


def ask_code(tr: Translator) -> str:
    """Ask staff for the code the person reads to them."""
    return tr.gettext("📨 Nabo sent a code to their chat. Write the code they read to you.")


def wrong_code(tr: Translator, tries_left: int) -> str:
    """Say the code was not the one sent."""
    if tries_left <= 0:
        return tr.gettext("That is not the code. Nothing is shown; start again with /person.")
    return tr.gettext("That is not the code Nabo sent. Please check it and write it again.")


def ask_how(tr: Translator) -> str:
    """Ask staff to write how they checked."""
    return tr.gettext(
        "Write in a few words how you checked who they are (at most 200 characters, no "
        "phone numbers)."
    )


def summary(
    tr: Translator,
    found: Found,
    export: dict[str, Any],
    keep_days: int,
    cancellable: tuple[tuple[int, str, datetime], ...] = (),
) -> tuple[str, InlineKeyboardMarkup]:
    """Show what Nabo stores about the person, and what staff can do."""
    _ = tr.gettext
    lines = [_("This is what Nabo stores about {name}:").format(name=tr.ltr(found.name or "?"))]
    rows = [
        [
            InlineKeyboardButton(
                _("📄 Send me their data as a file"), callback_data=PersonAction("export").pack()
            )
        ],
        [
            InlineKeyboardButton(
                _("🗑 Delete their data"), callback_data=PersonAction("erase").pack()
            )
        ],
    ]
    if found.kind == "resident":
        resident = export.get("resident") or {}
        lines += [
            _("• Uses the chat, Telegram user number {user_id}").format(user_id=tr.ltr(found.id)),
            _("• Language: {language}").format(
                language=LANGUAGE_NAMES.get(resident.get("language") or "", "–")
            ),
            _("• Privacy notice accepted: {date}").format(
                date=_date(tr, resident.get("consented_at"))
            ),
            _("• Offer of help as a volunteer: yes (see /volunteers)")
            if export.get("volunteer_offer")
            else _("• Offer of help as a volunteer: no"),
            _("• Feedback linked to them: {count}").format(
                count=tr.ltr(len(export.get("feedback", [])))
            ),
        ]
    else:
        person = export["person"]
        last = max(
            filter(None, (from_db(person["last_activity_at"]), from_db(person.get("renewed_at")))),
        )
        lines += [
            _("• Not on Telegram; signed up by the team"),
            _("• Language: {language}").format(language=LANGUAGE_NAMES[person["language"]]),
            _("• Area: {area}").format(area=area_name(tr, person["area"])),
            _("• Phone: {phone}").format(phone=phone_shown(tr, person["phone"]))
            if person["phone"]
            else _("• Phone: no calls"),
            _("• Registered {date} by {role}; told about privacy: {how}").format(
                date=_date(tr, person["registered_at"]),
                role=_("staff") if person["registered_role"] == "staff" else _("a host"),
                how=_(TOLD_HOW[person["told_how"]]),
            ),
            _("• Kept until {date}, unless renewed").format(
                date=tr.date(last + timedelta(days=keep_days))
            ),
        ]
        rows.insert(
            2,
            [
                InlineKeyboardButton(
                    _("♻️ Keep their record another period"),
                    callback_data=PersonAction("renew").pack(),
                )
            ],
        )
        rows.insert(
            3,
            [
                InlineKeyboardButton(
                    _("🔗 Link to join in Telegram"), callback_data=PersonAction("link").pack()
                )
            ],
        )
    signups = export.get("signups", [])
    lines.append(_("• Sign-ups, past ones too: {count}").format(count=tr.ltr(len(signups))))
    for item in found.coming:
        lines.append(f"   – {tr.ltr(item.title_da)}, {tr.date(item.starts_at)}")
    # Someone without Telegram cannot cancel themselves: staff do it when they ask.
    for signup_id, title, starts_at in cancellable:
        label = _("❌ Cancel: {title}, {date}").format(title=tr.ltr(title), date=tr.date(starts_at))
        rows.append(
            [
                InlineKeyboardButton(
                    shorten(label, 60), callback_data=PersonCancelSignup(signup_id).pack()
                )
            ]
        )
    rows.append([InlineKeyboardButton(_("✔ Done"), callback_data=PersonAction("done").pack())])
    return fit_message("\n".join(lines)), InlineKeyboardMarkup(rows)


def _date(tr: Translator, text: str | None) -> str:
    moment = from_db(text)
    return tr.date(moment) if moment is not None else "–"


def confirm_export(tr: Translator, name: str, token: str) -> tuple[str, InlineKeyboardMarkup]:
    """Ask before sending the person's data to staff."""
    _ = tr.gettext
    return _(
        "Send everything Nabo stores about {name} to you, as a file in this chat? Give it "
        "only to them."
    ).format(name=tr.ltr(name)), InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("📄 Yes, send it"), callback_data=PersonSure("export", token).pack()
                )
            ],
            [InlineKeyboardButton(_("No"), callback_data=PersonAction("done").pack())],
        ]
    )


def confirm_erase(tr: Translator, name: str, token: str) -> tuple[str, InlineKeyboardMarkup]:
    """Ask before erasing the person, saying what it means."""
    _ = tr.gettext
    return _(
        "Delete everything Nabo stores about {name}? Their coming sign-ups are cancelled "
        "and the places go to the waitlist; past ones stay only as numbers. It cannot be "
        "undone."
    ).format(name=tr.ltr(name)), InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("🗑 Yes, delete it all"), callback_data=PersonSure("erase", token).pack()
                )
            ],
            [InlineKeyboardButton(_("No, keep it"), callback_data=PersonAction("done").pack())],
        ]
    )


def erased(tr: Translator, name: str) -> str:
    """Say the person's data is gone."""
    return tr.gettext("Done. Nabo has deleted everything about {name}.").format(name=tr.ltr(name))


def file_caption(tr: Translator, name: str) -> str:
    """Caption the file with the person's data."""
    return tr.gettext(
        "📎 Everything Nabo stores about {name} (JSON). Give it only to them."
    ).format(name=tr.ltr(name))
