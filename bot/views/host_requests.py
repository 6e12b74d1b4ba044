"""What a host writes for others: a message to their activity's participants, a proposal.

Both are written in the host's own language, and the host sees a preview first, with who
will get it. A message goes at once, to each reader with a line in their own language
saying it is from the host of that activity (and in which language, when not theirs),
the text set apart when it runs the other way. A proposal is decided by staff: one
written in Danish can have its Arabic and English from volunteer translators as soon as
it is published (bot/work/translations.py, as for any activity); for one written in
another language staff are told that its Danish texts are the host's words until they
change them.
"""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.bidi import set_apart
from bot.core.config import Config
from bot.core.i18n import Translator
from bot.db.activities import DELAFTALER, OTHER_AREA, Activity
from bot.db.hosts import ProposalDraft
from bot.views.activity import activity_title_when, area_name, delaftale_name, fit_message
from bot.views.activity_editor import end_question, limit_note
from bot.views.buttons import (
    DiscardProposal,
    HostDiscardMessage,
    HostMenu,
    HostSendMessage,
    ProposalArea,
    ProposalDelaftale,
    ProposalSkip,
    ProposalTranslators,
    ProposalUnlimited,
    SendProposal,
    StaffActivity,
)
from bot.views.staff_texts import date_examples, language_name, pack_messages
from bot.views.translation import translator_row

TITLE_LIMIT = 200
DESCRIPTION_LIMIT = 3000
PLACE_LIMIT = 200
MESSAGE_LIMIT = 3500  # leaves room, in one message, for the preview's own lines


def ask_message(tr: Translator, activity: Activity) -> str:
    """Ask a host for the message to their activity's participants."""
    return tr.gettext(
        "📣 A message to everyone signed up for, or waiting on:\n\n{activity}\n\n"
        "Write it in your own language; it is sent exactly as you write it. "
        "(Send /cancel to stop.)"
    ).format(activity=activity_title_when(tr, activity))


def message_for_reader(tr: Translator, activity: Activity, text: str, written_in: str) -> str:
    """Build a host's message as one reader gets it, in the reader's language (``tr``).

    A line saying it comes from the host of the activity (and, when the host wrote
    another language, which one), then the host's words as they wrote them, set apart
    when they run the other way from the reader's.
    """
    title = tr.ltr(activity.title(tr.language))
    if written_in == tr.language:
        head = tr.gettext("✉️ From the host of {activity}:").format(activity=title)
        return f"{head}\n\n{text}"
    head = tr.gettext("✉️ From the host of {activity}, written in {language}:").format(
        activity=title, language=language_name(tr, written_in)
    )
    return f"{head}\n\n{set_apart(text, rtl_reader=tr.is_rtl)}"


def other_readers(tr: Translator, count: int, written_in: str) -> str:
    """Tell the host how many readers read another language, and what they get."""
    return tr.ngettext(
        "{count} of them reads another language: they get it as you wrote it, with a line "
        "in their language saying it is from you, in {language}.",
        "{count} of them read another language: they get it as you wrote it, with a line "
        "in their language saying it is from you, in {language}.",
        count,
    ).format(count=tr.ltr(count), language=language_name(tr, written_in))


def message_preview(
    tr: Translator, shown: str, count: int, others: int, offline: int, token: str
) -> list[tuple[str, InlineKeyboardMarkup | None]]:
    """Show the host their message as readers of their language get it, and who gets it.

    ``others``: how many of the ``count`` read another language than the host.
    """
    _ = tr.gettext
    summary = [
        tr.ngettext(
            "It goes to {count} resident who signed up or is waiting. Send it?",
            "It goes to {count} residents who signed up or are waiting. Send it?",
            count,
        ).format(count=tr.ltr(count))
    ]
    if others:
        summary.insert(0, other_readers(tr, others, tr.language))
    if offline:
        summary.insert(
            0,
            tr.ngettext(
                "{count} participant is not on Telegram and does not get it: please call "
                "them (the roster has their number).",
                "{count} participants are not on Telegram and do not get it: please call "
                "them (the roster has their numbers).",
                offline,
            ).format(count=tr.ltr(offline)),
        )
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("✅ Send"), callback_data=HostSendMessage(token).pack())],
            [InlineKeyboardButton(_("🗑 Discard"), callback_data=HostDiscardMessage(token).pack())],
        ]
    )
    parts = [[_("Preview:"), shown], summary]
    *before, last = pack_messages(parts, 4096)
    return [*((part, None) for part in before), (last, keyboard)]


# ---------------------------------------------------------------- a proposal


def proposal_intro(tr: Translator) -> str:
    """Open a proposal, and ask its title."""
    return "\n\n".join(
        [
            tr.gettext(
                "💡 Propose an activity to the team. Write in your own language; the team "
                "reads it and decides whether to publish it. If they do, you are its host. "
                "(Send /cancel to stop.)"
            ),
            " ".join([tr.gettext("What is the activity called?"), limit_note(tr, TITLE_LIMIT)]),
        ]
    )


def ask_description(tr: Translator) -> tuple[str, InlineKeyboardMarkup]:
    """Ask for a short description, which may be left out."""
    text = " ".join(
        [
            tr.gettext("A short description: what happens, for whom, and what to bring."),
            limit_note(tr, DESCRIPTION_LIMIT),
        ]
    )
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(tr.gettext("Skip ⏭"), callback_data=ProposalSkip().pack())]]
    )
    return text, keyboard


def ask_start(tr: Translator, now: datetime, config: Config) -> str:
    """Ask when it starts."""
    return tr.gettext(
        "When does it start? Write the date and time, for example {examples}."
    ).format(examples=date_examples(tr, now, config.timezone))


def ask_end(tr: Translator) -> str:
    """Ask when it ends."""
    return end_question(tr)


def ask_place(tr: Translator) -> str:
    """Ask where it is."""
    return " ".join([tr.gettext("Where is it?"), limit_note(tr, PLACE_LIMIT)])


def ask_capacity(tr: Translator) -> tuple[str, InlineKeyboardMarkup]:
    """Ask how many places there are."""
    return tr.gettext(
        "How many places are there? Write a number, or press Unlimited if there is no limit."
    ), InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    tr.gettext("♾ Unlimited"), callback_data=ProposalUnlimited().pack()
                )
            ]
        ]
    )


def ask_delaftale(tr: Translator) -> tuple[str, InlineKeyboardMarkup]:
    """Ask which delaftale it belongs to."""
    rows = [
        [
            InlineKeyboardButton(
                delaftale_name(tr, code), callback_data=ProposalDelaftale(code).pack()
            )
        ]
        for code in DELAFTALER
    ]
    return tr.gettext("Which delaftale does it belong to?"), InlineKeyboardMarkup(rows)


def ask_area(tr: Translator, areas: tuple[str, ...]) -> tuple[str, InlineKeyboardMarkup]:
    """Ask which housing area it is in."""
    rows = [
        [InlineKeyboardButton(area_name(tr, area), callback_data=ProposalArea(str(index)).pack())]
        for index, area in enumerate(areas)
    ]
    rows.append(
        [InlineKeyboardButton(area_name(tr, OTHER_AREA), callback_data=ProposalArea("o").pack())]
    )
    return tr.gettext("Which housing area?"), InlineKeyboardMarkup(rows)


def proposal_summary(
    tr: Translator, draft: ProposalDraft, token: str
) -> tuple[str, InlineKeyboardMarkup]:
    """Show the host their proposal as the team will read it, to send or discard."""
    _ = tr.gettext
    places = _("unlimited") if draft.capacity is None else tr.ltr(draft.capacity)
    lines = [
        _("Your proposal:"),
        "",
        tr.ltr(draft.title),
        f"🗓 {tr.when(draft.starts_at)} – {tr.ltr(tr.time(draft.ends_at))}",
        f"📍 {tr.ltr(draft.place)}",
        _("👥 Places: {count}").format(count=places),
        f"🏘 {area_name(tr, draft.area)} · 🎯 {delaftale_name(tr, draft.delaftale)}",
    ]
    if draft.description:
        lines += ["", tr.ltr(draft.description)]
    lines += ["", _("Send it to the team?")]
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("✅ Send to the team"), callback_data=SendProposal(token).pack()
                )
            ],
            [InlineKeyboardButton(_("🗑 Discard"), callback_data=DiscardProposal(token).pack())],
        ]
    )
    return fit_message("\n".join(lines)), keyboard


def proposal_sent(tr: Translator) -> tuple[str, InlineKeyboardMarkup]:
    """Thank the host; the team decides, and they will hear here."""
    return tr.gettext(
        "✅ Sent to the team. They decide whether to publish it, and Nabo tells you here."
    ), InlineKeyboardMarkup(
        [[InlineKeyboardButton(tr.gettext("🤝 Your activities"), callback_data=HostMenu().pack())]]
    )


def proposal_published(tr: Translator, activity: Activity) -> str:
    """Tell the proposer that the team published their activity, with them as host."""
    return tr.gettext(
        "🎉 The team published your proposal, and you are its host (see /host):\n\n{activity}"
    ).format(activity=activity_title_when(tr, activity))


def proposal_declined(tr: Translator, title: str) -> str:
    """Tell the proposer that the team did not take their proposal up."""
    return tr.gettext(
        "The team did not take up your proposal “{title}” this time. Feel free to talk to "
        "them about it."
    ).format(title=tr.ltr(title))


def proposal_published_for_staff(
    tr: Translator, title: str, language: str, activity_id: int
) -> tuple[str, InlineKeyboardMarkup]:
    """Confirm a published proposal to staff, with what its other languages need.

    Written in Danish: volunteer translators can be asked for its Arabic and English at
    once, by when they are needed. Written in another language: its Danish title and
    description are the host's words until staff change them.
    """
    _ = tr.gettext
    lines = [_("✅ Published: {title}. The proposer is its host.").format(title=tr.ltr(title))]
    see = [
        InlineKeyboardButton(
            _("👀 See the activity"), callback_data=StaffActivity(activity_id).pack()
        )
    ]
    if language != "da":
        lines.append(
            _(
                "It is written in {language}: until you change them (✏️ Edit on the "
                "activity), its Danish title and description are the host's words, for "
                "residents who read Danish, on posters and in the workbook."
            ).format(language=language_name(tr, language))
        )
        return "\n\n".join(lines), InlineKeyboardMarkup([see])
    lines.append(
        _(
            "Ask volunteer translators for its Arabic and English title and description? "
            "Choose by when you need them; until then residents who read them see the Danish."
        )
    )
    row = translator_row(tr, lambda hours: ProposalTranslators(activity_id, hours))
    return "\n\n".join(lines), InlineKeyboardMarkup([row, see])
