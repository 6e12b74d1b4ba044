"""How an offer of help reads: to the resident, on the staff's card, and in the staff's list."""

from __future__ import annotations

from babel.lists import format_list
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.i18n import LANGUAGE_NAMES, Translator
from bot.db.volunteers import (
    KINDS,
    LANGUAGES,
    STAFF_STATUSES,
    STATUSES,
    TIMES,
    Offer,
    OfferDraft,
)
from bot.views.activity import fit_message
from bot.views.buttons import STATUS_CODES, OfferOpen, OfferStatus, OfferWrite

# Offers with a button in the staff's list: three to a row, well under Telegram's 100.
LIST_BUTTONS = 24


def kinds_text(tr: Translator, kinds: tuple[str, ...], other_help: str | None) -> str:
    """List the kinds of help, with the resident's own words for "something else"."""
    names = []
    for code in KINDS:
        if code not in kinds:
            continue
        if code == "other" and other_help:
            names.append(tr.gettext("Something else: {text}").format(text=tr.ltr(other_help)))
        else:
            names.append(tr.gettext(KINDS[code]))
    return format_list(names, locale=tr.locale)


def times_text(tr: Translator, times: tuple[str, ...]) -> str:
    """List when the volunteer can help."""
    return format_list(
        [tr.gettext(TIMES[code]) for code in TIMES if code in times], locale=tr.locale
    )


def languages_text(tr: Translator, languages: tuple[str, ...]) -> str:
    """List the languages a volunteer goes between: Nabo's by their own names."""
    names = []
    for code in LANGUAGES:
        if code not in languages:
            continue
        if code == "other":
            names.append(tr.gettext(LANGUAGES[code]))
        else:
            # A name in Latin letters is a left-to-right value inside Arabic text.
            names.append(LANGUAGES[code] if code == "ar" else tr.ltr(LANGUAGES[code]))
    return format_list(names, locale=tr.locale)


def _languages_line(tr: Translator, languages: tuple[str, ...]) -> list[str]:
    if not languages:
        return []
    text = tr.gettext("Languages: {languages}")
    return [text.format(languages=languages_text(tr, languages))]


def phone_text(tr: Translator, phone: str) -> str:
    """Show a phone number shared from Telegram (which gives it without the +)."""
    return tr.ltr(phone if phone.startswith("+") else f"+{phone}")


def offer_lines(tr: Translator, draft: OfferDraft) -> list[str]:
    """Return the offer's details as the resident sees them."""
    _ = tr.gettext
    lines = [
        _("Help with: {kinds}").format(kinds=kinds_text(tr, draft.kinds, draft.other_help)),
        *_languages_line(tr, draft.languages),
        _("When: {times}").format(times=times_text(tr, draft.times)),
        _("How the team reaches you: by phone, {phone}").format(phone=phone_text(tr, draft.phone))
        if draft.phone
        else _("How the team reaches you: through Nabo"),
    ]
    if draft.note:
        lines.append(_("Note: {note}").format(note=tr.ltr(draft.note)))
    return lines


def resident_offer_text(tr: Translator, offer: Offer) -> str:
    """Show the resident their current offer."""
    lines = [tr.gettext("🙋 Your offer of help"), "", *offer_lines(tr, offer.draft())]
    return fit_message("\n".join(lines))


def staff_card_text(tr: Translator, offer: Offer, language: str | None, heading: str = "") -> str:
    """Render an offer for the staff (no name: staff know it by its number).

    ``heading`` is "new" or "changed" for a fresh post, empty for a card shown again.
    """
    _ = tr.gettext
    number = tr.ltr(offer.id)
    if not offer.is_open:
        return _("🙋 Offer of help #{number} was withdrawn.").format(number=number)
    if heading == "new":
        title = _("🙋 New offer of help #{number}")
    elif heading == "changed":
        title = _("✏️ Changed offer of help #{number}")
    else:
        title = _("🙋 Offer of help #{number}")
    lines = [
        title.format(number=number),
        "",
        _("Help with: {kinds}").format(kinds=kinds_text(tr, offer.kinds, offer.other_help)),
        *_languages_line(tr, offer.languages),
        _("When: {times}").format(times=times_text(tr, offer.times)),
        _("Contact: by phone, {phone}").format(phone=phone_text(tr, offer.phone))
        if offer.phone
        else _("Contact: through Nabo (use «Write to them»)"),
    ]
    if offer.note:
        lines.append(_("Note: {note}").format(note=tr.ltr(offer.note)))
    if language in LANGUAGE_NAMES:
        lines.append(_("Language: {language}").format(language=LANGUAGE_NAMES[language]))
    lines.append(_("Status: {status}").format(status=_(STATUSES[offer.status])))
    return fit_message("\n".join(lines))


def staff_card_keyboard(tr: Translator, offer: Offer) -> InlineKeyboardMarkup | None:
    """Build the staff's buttons for an offer: its status, and writing to the volunteer."""
    if not offer.is_open:
        return None
    _ = tr.gettext
    labels = {"contacted": _("📞 Contacted"), "active": _("✅ Active"), "not_now": _("⏸ Not now")}
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    labels[status], callback_data=OfferStatus(offer.id, STATUS_CODES[status]).pack()
                )
                for status in STAFF_STATUSES
            ],
            [InlineKeyboardButton(_("✍️ Write to them"), callback_data=OfferWrite(offer.id).pack())],
        ]
    )


def changed_card_text(tr: Translator, offer_id: int) -> str:
    """Tell the team an earlier post about an offer is out of date."""
    return tr.gettext("✏️ Offer of help #{number} was changed: see the newer message.").format(
        number=tr.ltr(offer_id)
    )


def relayed_reply(tr: Translator, offer_id: int, text: str) -> tuple[str, InlineKeyboardMarkup]:
    """Pass a volunteer's reply on to the team, with the button to write back."""
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    tr.gettext("✍️ Write to them"), callback_data=OfferWrite(offer_id).pack()
                )
            ]
        ]
    )
    reply = tr.gettext("↩️ Reply from volunteer #{number}:\n\n{text}").format(
        number=tr.ltr(offer_id), text=tr.ltr(text)
    )
    return reply, keyboard


def staff_overview(tr: Translator, offers: list[Offer]) -> tuple[str, InlineKeyboardMarkup | None]:
    """List offers by status and by kind of help, with buttons to open the open ones."""
    _ = tr.gettext
    if not offers:
        return _("🙋 There are no offers of help yet."), None

    def numbers(selected: list[Offer]) -> str:
        return tr.ltr(", ".join(f"#{offer.id}" for offer in selected)) if selected else "–"

    lines = [_("🙋 Offers of help"), "", _("By status:")]
    for status, label in STATUSES.items():
        with_status = [offer for offer in offers if offer.status == status]
        # Withdrawn offers are only counted: there is nothing left to act on.
        value = tr.ltr(len(with_status)) if status == "withdrawn" else numbers(with_status)
        lines.append(_("{label}: {value}").format(label=_(label), value=value))
    open_offers = [offer for offer in offers if offer.is_open]
    lines += ["", _("By kind of help (offers not withdrawn):")]
    for code, label in KINDS.items():
        with_kind = [offer for offer in open_offers if code in offer.kinds]
        lines.append(_("{label}: {value}").format(label=_(label), value=numbers(with_kind)))
    buttons = [
        InlineKeyboardButton(f"#{offer.id}", callback_data=OfferOpen(offer.id).pack())
        for offer in open_offers[:LIST_BUTTONS]
    ]
    if len(open_offers) > LIST_BUTTONS:
        lines += ["", _("The buttons open the newest offers.")]
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    return fit_message("\n".join(lines)), InlineKeyboardMarkup(rows) if rows else None
