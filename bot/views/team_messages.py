"""What the team's outbox says: whom to call and why, call lists, and hosts' proposals.

Texts for staff and for an activity's hosts, in each reader's language. Names and phone
numbers are read when the message is written (bot/work/team_outbox.py), so they are as
they are now; an erased person is never in one.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.i18n import LANGUAGE_NAMES, Translator
from bot.db.activities import Activity
from bot.db.hosts import Host, Proposal
from bot.db.people import OfflinePerson, OfflineSignup
from bot.db.signups import Signup, SignupStatus
from bot.views.activity import (
    activity_title_when,
    area_name,
    delaftale_name,
    fit_message,
    party_text,
)
from bot.views.buttons import DeclineProposal, PublishProposal


def phone_shown(tr: Translator, phone: str) -> str:
    """Show a stored phone number (``+4512345678``) the way people read it out."""
    digits = phone.removeprefix("+")
    if digits.startswith("45") and len(digits) == 10:
        local = digits[2:]
        shown = "+45 " + " ".join(local[i : i + 2] for i in range(0, 8, 2))
    else:
        shown = phone
    return tr.ltr(shown)


def call_how(tr: Translator, person: OfflinePerson) -> str:
    """Say how to reach them: their number, or that there is none."""
    if person.phone is None:
        return tr.gettext("📵 no phone number")
    return tr.gettext("📞 {phone}").format(phone=phone_shown(tr, person.phone))


def offline_lines(tr: Translator, people: list[OfflineSignup]) -> list[str]:
    """List people without Telegram, one a line: name, party, how to call, waiting or not."""
    lines = []
    for number, item in enumerate(people, start=1):
        line = tr.gettext("{number}. {name} · {party} · {call}").format(
            number=tr.ltr(number),
            name=tr.ltr(item.person.first_name),
            party=party_text(tr, item.signup.adults, item.signup.children),
            call=call_how(tr, item.person),
        )
        if item.signup.status is SignupStatus.WAITLISTED:
            line += " · " + tr.gettext("⏳ on the waitlist")
        lines.append(line)  # the Arabic entry starts with a right-to-left mark
    return lines


def promoted_text(tr: Translator, activity: Activity, signup: Signup, person: OfflinePerson) -> str:
    """Tell the team to call someone without Telegram who moved up from the waitlist."""
    party = party_text(tr, signup.adults, signup.children)
    if person.phone is None:
        text = tr.gettext(
            "📵 {name} moved up from the waitlist and is now signed up ({party}). They are "
            "not on Telegram and gave no phone number: please tell them when you see them."
            "\n\n{activity}"
        )
    else:
        text = tr.gettext(
            "📞 Please call {name} on {phone}: a place became free, and they are now signed "
            "up ({party}). They are not on Telegram, so Nabo cannot tell them itself."
            "\n\n{activity}"
        )
    return fit_message(
        text.format(
            name=tr.ltr(person.first_name),
            phone=phone_shown(tr, person.phone or ""),
            party=party,
            activity=activity_title_when(tr, activity),
        )
    )


def changed_text(tr: Translator, activity: Activity, people: list[OfflineSignup]) -> str:
    """Tell the team that an activity changed and whom to tell, as Nabo cannot."""
    return fit_message(
        tr.gettext(
            "📞 This activity has changed. These participants are not on Telegram, so "
            "please tell them yourselves:\n\n{people}\n\nAs it is now:\n{activity}"
        ).format(
            people="\n".join(offline_lines(tr, people)), activity=activity_title_when(tr, activity)
        )
    )


def cancelled_text(tr: Translator, activity: Activity, people: list[OfflineSignup]) -> str:
    """Tell the team that an activity is cancelled and whom to tell, as Nabo cannot."""
    return fit_message(
        tr.gettext(
            "📞 This activity is cancelled. These participants are not on Telegram, so "
            "please tell them yourselves:\n\n{people}\n\n{activity}"
        ).format(
            people="\n".join(offline_lines(tr, people)), activity=activity_title_when(tr, activity)
        )
    )


def call_list_text(tr: Translator, activity: Activity, people: list[OfflineSignup]) -> str:
    """List, the day before, the participants Nabo cannot remind itself."""
    return fit_message(
        tr.gettext(
            "📋 Call list for tomorrow. These participants are not on Telegram, so Nabo "
            "cannot remind them; a call the day before helps:\n\n{people}\n\n{activity}"
        ).format(
            people="\n".join(offline_lines(tr, people)), activity=activity_title_when(tr, activity)
        )
    )


def offer_gone_text(tr: Translator, kind: str, number: int) -> str:
    """Say, on a post about an offer of help, that the volunteer's data was deleted."""
    if kind == "offer_expired":
        text = tr.gettext(
            "🙋 Offer of help #{number} was removed: the volunteer had not used "
            "Nabo for a long time, so their data was deleted."
        )
    else:
        text = tr.gettext(
            "🙋 Offer of help #{number} was removed: the volunteer deleted their data."
        )
    return text.format(number=tr.ltr(number))


def proposal_message(
    tr: Translator, proposal: Proposal, host: Host | None
) -> tuple[str, InlineKeyboardMarkup]:
    """Show staff a host's proposal for a new activity, to publish or decline."""
    _ = tr.gettext
    draft = proposal.draft
    places = _("unlimited") if draft.capacity is None else tr.ltr(draft.capacity)
    lines = [_("💡 A host proposes a new activity")]
    if host is not None:
        lines.append(
            _("From: {organisation} ({role})").format(
                organisation=tr.ltr(host.organisation), role=tr.ltr(host.role)
            )
        )
    lines += [
        _("Written in: {language}").format(language=LANGUAGE_NAMES[draft.language]),
        "",
        tr.ltr(draft.title),
        f"🗓 {tr.when(draft.starts_at)} – {tr.ltr(tr.time(draft.ends_at))}",
        f"📍 {tr.ltr(draft.place)}",
        _("👥 Places: {count}").format(count=places),
        f"🏘 {area_name(tr, draft.area)} · 🎯 {delaftale_name(tr, draft.delaftale)}",
    ]
    if draft.description:
        lines += ["", tr.ltr(draft.description)]
    lines += [
        "",
        _(
            "Publishing makes it an activity as written (you can edit it afterwards), "
            "with the proposer as its host."
        ),
    ]
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("✅ Publish"), callback_data=PublishProposal(proposal.id).pack()
                ),
                InlineKeyboardButton(
                    _("❌ Decline"), callback_data=DeclineProposal(proposal.id).pack()
                ),
            ]
        ]
    )
    return fit_message("\n".join(lines)), keyboard
