"""Signing up someone who does not use Nabo: the questions, the summary and the outcome.

Staff and an activity's hosts see these (handlers/on_behalf.py), in their own language.
"""

from __future__ import annotations

from collections.abc import Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.callback_data import ButtonData
from bot.core.i18n import LANGUAGE_NAMES, N_, Translator
from bot.db.activities import OTHER_AREA, Activity
from bot.db.people import OfflinePerson
from bot.views.activity import activity_title_when, area_name, fit_message, party_text
from bot.views.buttons import (
    TOLD_HOW_CODES,
    ConfirmOnBehalf,
    JoinLinkFor,
    NoCalls,
    PartyAdults,
    PartyChildren,
    PersonArea,
    PersonLanguage,
    PickPerson,
    PrintNotice,
    SomeoneNew,
    StopOnBehalf,
    ToldHow,
)
from bot.views.staff_texts import language_name
from bot.views.team_messages import phone_shown

TOLD_HOW: dict[str, str] = {
    "in_person": N_("🗣 In person"),
    "phone": N_("📞 By phone"),
    "paper": N_("📄 On paper"),
}
assert tuple(TOLD_HOW) == TOLD_HOW_CODES


def stop_button(tr: Translator) -> InlineKeyboardButton:
    """Build the button that stops signing someone up."""
    return InlineKeyboardButton(tr.gettext("✖ Stop"), callback_data=StopOnBehalf().pack())


def ask_name(tr: Translator, activity: Activity) -> str:
    """Open the sign-up on someone's behalf by asking their first name."""
    return tr.gettext(
        "➕ Sign up someone who does not use Nabo for:\n\n{activity}\n\n"
        "What is their first name? (Send /cancel to stop.)"
    ).format(activity=activity_title_when(tr, activity))


def bad_name(tr: Translator) -> str:
    """Say a typed name cannot be used, and how to write it."""
    return tr.gettext(
        "Please write only their first name, without numbers (at most {limit} characters)."
    ).format(limit=tr.ltr(64))


def pick_person(tr: Translator, people: list[OfflinePerson]) -> tuple[str, InlineKeyboardMarkup]:
    """Ask whether it is someone registered before, with their area to tell them apart."""
    rows = [
        [InlineKeyboardButton(person_label(tr, person), callback_data=PickPerson(person.id).pack())]
        for person in people[:8]
    ]
    rows.append(
        [InlineKeyboardButton(tr.gettext("➕ Someone new"), callback_data=SomeoneNew().pack())]
    )
    rows.append([stop_button(tr)])
    return (
        tr.gettext("Someone with that name was signed up before. Is it one of them?"),
        InlineKeyboardMarkup(rows),
    )


def person_label(tr: Translator, person: OfflinePerson) -> str:
    """Name a registered person with what tells namesakes apart: area, registration day."""
    return tr.gettext("{name} · {area} · since {date}").format(
        name=tr.ltr(person.first_name),
        area=area_name(tr, person.area),
        date=tr.date(person.registered_at),
    )


def _numbers(
    numbers: range, button: Callable[[int], ButtonData], tr: Translator
) -> InlineKeyboardMarkup:
    cells = [InlineKeyboardButton(str(n), callback_data=button(n).pack()) for n in numbers]
    rows = [cells[i : i + 4] for i in range(0, len(cells), 4)]
    rows.append([stop_button(tr)])
    return InlineKeyboardMarkup(rows)


def ask_adults(tr: Translator, name: str, most: int) -> tuple[str, InlineKeyboardMarkup]:
    """Ask how many adults come with (and including) them."""
    text = tr.gettext("How many adults are coming with {name}, {name} included?").format(
        name=tr.ltr(name)
    )
    return text, _numbers(range(0, most + 1), PartyAdults, tr)


def ask_children(
    tr: Translator, name: str, adults: int, most: int
) -> tuple[str, InlineKeyboardMarkup]:
    """Ask how many children come."""
    text = tr.gettext("And how many children are coming with {name}?").format(name=tr.ltr(name))
    return text, _numbers(range(0 if adults else 1, most - adults + 1), PartyChildren, tr)


def ask_language(tr: Translator, name: str) -> tuple[str, InlineKeyboardMarkup]:
    """Ask which language the person reads best (each language in its own name)."""
    rows = [
        [InlineKeyboardButton(title, callback_data=PersonLanguage(code).pack())]
        for code, title in LANGUAGE_NAMES.items()
    ]
    rows.append([stop_button(tr)])
    return (
        tr.gettext("Which language does {name} read best?").format(name=tr.ltr(name)),
        InlineKeyboardMarkup(rows),
    )


def ask_area(tr: Translator, name: str, areas: tuple[str, ...]) -> tuple[str, InlineKeyboardMarkup]:
    """Ask which housing area the person lives in."""
    rows = [
        [InlineKeyboardButton(area, callback_data=PersonArea(str(index)).pack())]
        for index, area in enumerate(areas)
    ]
    rows.append(
        [InlineKeyboardButton(area_name(tr, OTHER_AREA), callback_data=PersonArea("o").pack())]
    )
    rows.append([stop_button(tr)])
    return (
        tr.gettext("Where does {name} live?").format(name=tr.ltr(name)),
        InlineKeyboardMarkup(rows),
    )


def ask_phone(tr: Translator, name: str, hosted: bool) -> tuple[str, InlineKeyboardMarkup]:
    """Ask for a phone number, only if the person agrees to be called about it."""
    text = (
        tr.gettext(
            "May the team and the activity's host call {name} about it (a free place, a "
            "change)? Then write their phone number. If not, press the button: Nabo then "
            "keeps no number."
        )
        if hosted
        else tr.gettext(
            "May the team call {name} about it (a free place, a change)? Then write their "
            "phone number. If not, press the button: Nabo then keeps no number."
        )
    ).format(name=tr.ltr(name))
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(tr.gettext("🚫 No calls"), callback_data=NoCalls().pack())],
            [stop_button(tr)],
        ]
    )
    return text, keyboard


def bad_phone(tr: Translator) -> str:
    """Say a typed phone number could not be read."""
    return tr.gettext(
        "That does not look like a phone number. Please write it with digits only, for "
        "example 12 34 56 78 or +45 12 34 56 78, or press the button."
    )


def ask_told(tr: Translator, name: str, language: str) -> tuple[str, InlineKeyboardMarkup]:
    """Ask how the person was told how Nabo handles their data; the notice to print too."""
    rows = [
        [InlineKeyboardButton(tr.gettext(label), callback_data=ToldHow(code).pack())]
        for code, label in TOLD_HOW.items()
    ]
    rows.append([notice_button(tr, language)])
    rows.append([stop_button(tr)])
    return (
        tr.gettext(
            "How was {name} told what Nabo stores about them, and how to have it shown or "
            "deleted? (Nabo stores their first name, language, area, the phone number if "
            "given, and what they sign up for.)"
        ).format(name=tr.ltr(name)),
        InlineKeyboardMarkup(rows),
    )


def summary(
    tr: Translator,
    activity: Activity,
    name: str,
    adults: int,
    children: int,
    details: list[str],
    token: str,
) -> tuple[str, InlineKeyboardMarkup]:
    """Show what will be saved, and ask to sign them up."""
    lines = [
        tr.gettext("Sign up {name} ({party})?").format(
            name=tr.ltr(name), party=party_text(tr, adults, children)
        ),
        *details,
        "",
        activity_title_when(tr, activity),
    ]
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    tr.gettext("✅ Sign up"), callback_data=ConfirmOnBehalf(token, False).pack()
                )
            ],
            [stop_button(tr)],
        ]
    )
    return fit_message("\n".join(lines)), keyboard


def new_person_details(
    tr: Translator, language: str, area: str, phone: str | None, told_how: str
) -> list[str]:
    """List what is stored about someone new, as the summary shows it."""
    return [
        tr.gettext("• Language: {language}").format(language=LANGUAGE_NAMES[language]),
        tr.gettext("• Area: {area}").format(area=area_name(tr, area)),
        tr.gettext("• Phone: {phone}").format(phone=phone_shown(tr, phone))
        if phone
        else tr.gettext("• Phone: no calls"),
        tr.gettext("• Told about privacy: {how}").format(how=tr.gettext(TOLD_HOW[told_how])),
    ]


def known_person_details(tr: Translator, person: OfflinePerson) -> list[str]:
    """List what is stored already about someone registered before."""
    return [
        tr.gettext("• Registered before: {area}, since {date}").format(
            area=area_name(tr, person.area), date=tr.date(person.registered_at)
        ),
        tr.gettext("• Phone: {phone}").format(phone=phone_shown(tr, person.phone))
        if person.phone
        else tr.gettext("• Phone: no calls"),
    ]


def signed_up(tr: Translator, name: str, adults: int, children: int) -> str:
    """Say the person is signed up, and how the team will hear of changes."""
    return tr.gettext(
        "✅ {name} is signed up: {party}.\n\n"
        "They are not on Telegram: if anything changes, or a place needs filling, the "
        "team and the activity's host get a message saying whom to call."
    ).format(name=tr.ltr(name), party=party_text(tr, adults, children))


def waitlisted(tr: Translator, name: str, position: int) -> str:
    """Say the person is on the waitlist, and that the team is told when they move up."""
    return tr.gettext(
        "⏳ There is no room right now, so {name} is on the waitlist as number {position}. "
        "If a place becomes free, it is theirs, and the team and the activity's host are "
        "told to call them."
    ).format(name=tr.ltr(name), position=tr.ltr(position))


def no_room(
    tr: Translator, left: int, adults: int, children: int, token: str
) -> tuple[str, InlineKeyboardMarkup]:
    """Say too few places are left, and offer the waitlist."""
    text = tr.ngettext(
        "Only {count} place is left — not enough for {party}.",
        "Only {count} places are left — not enough for {party}.",
        left,
    ).format(count=tr.ltr(left), party=party_text(tr, adults, children))
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    tr.gettext("⏳ Put them on the waitlist"),
                    callback_data=ConfirmOnBehalf(token, True).pack(),
                )
            ],
            [stop_button(tr)],
        ]
    )
    return text, keyboard


def not_on_telegram(tr: Translator, person: OfflinePerson) -> str:
    """Mark a roster line of someone signed up on their behalf, with how to call them."""
    if person.phone is None:
        return tr.gettext("📵 not on Telegram, no phone")
    return tr.gettext("📵 not on Telegram, {phone}").format(phone=phone_shown(tr, person.phone))


def join_link_button(tr: Translator, person_id: int) -> InlineKeyboardButton:
    """Build the staff's button that makes a joining link for the person."""
    return InlineKeyboardButton(
        tr.gettext("🔗 Link to join in Telegram"), callback_data=JoinLinkFor(person_id).pack()
    )


def join_link_text(tr: Translator, name: str, link: str, until: str) -> str:
    """Give staff a person's one-time joining link, and say what it does."""
    return tr.gettext(
        "🔗 Joining link for {name}:\n{link}\n\n"
        "Give it to them on paper or in a text message. When they open it in Telegram, "
        "their sign-ups move to their own chat and Nabo reminds them itself. It works "
        "once, until {date}; a new link replaces this one."
    ).format(name=tr.ltr(name), link=tr.ltr(link), date=until)


def slip_caption(tr: Translator, name: str, language: str) -> str:
    """Say what the joining slip is, under the file: for whom, in which language."""
    return tr.gettext(
        "🖨 A slip to print for {name}, in {language}: the same link as a code to scan with "
        "the phone's camera."
    ).format(name=tr.ltr(name), language=language_name(tr, language))


def slip_problem(tr: Translator) -> str:
    """Say that no slip could be made: the link was replaced meanwhile, or the record went."""
    return tr.gettext(
        "The slip could not be made: the link was replaced meanwhile, or the person's "
        "details are gone. Please make a new link."
    )


def notice_button(tr: Translator, language: str) -> InlineKeyboardButton:
    """Build the button that sends the privacy notice to print (``language``, or "all")."""
    return InlineKeyboardButton(
        tr.gettext("🖨 Privacy notice to print"), callback_data=PrintNotice(language).pack()
    )


def notice_caption(tr: Translator) -> str:
    """Say what the printed privacy notice is for, under the file."""
    return tr.gettext(
        "🔒 The privacy notice to print: what Nabo keeps about someone signed up without "
        "Telegram, and for how long, then the notice residents read in the chat. Hand it "
        "to the person, or read it to them."
    )
