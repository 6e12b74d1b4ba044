"""What the privacy notice says, in every language: the chat shows it, paper prints it.

One text, from the catalogs, for both: the residents' notice in the chat
(bot/views/notice.py, at /start and /privacy) and the printed notice
(bot/offline/printing, ``python -m bot poster privacy`` and staff's and hosts' button),
which prints the chat's notice as it is and adds, before it, what Nabo keeps about
someone the team or a host signs up without Telegram, and for how long.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from babel.lists import format_list

from bot.core.i18n import Translator

# The partners behind the helhedsplan: proper names, never translated.
PARTNERS = ("BoligViborg", "Boligselskabet Sct. Jørgen", "Viborg Kommune")


def privacy_notice_text(tr: Translator) -> str:
    """Return the privacy notice in the reader's language."""
    _ = tr.gettext
    partners = format_list([tr.ltr(name) for name in PARTNERS], locale=tr.locale)
    return _(
        "🔒 About your data\n"
        "\n"
        "Nabo is run by the social housing master plan in Viborg: {partners}. "
        "They are responsible for your data.\n"
        "\n"
        "What Nabo stores: your Telegram user number, your language, what you sign up for, "
        "and what you choose to send us (an offer of help, feedback). Your phone number "
        "only if you share it as a volunteer. We use it only to run the activities with "
        "you, we do not keep the chat itself, and we never pass your data on.\n"
        "\n"
        "Some activities are run with a tenants' board or a partner. Their host sees the "
        "first names of those coming to that activity, and works on the team's behalf.\n"
        "\n"
        "Using Nabo is voluntary. Everything is also announced in other ways, for example "
        "on the notice boards, and the team can sign you up by phone or at the office.\n"
        "\n"
        "You can see your data with /mydata (also as a file) and delete it with /deleteme "
        "at any time, or ask the team by phone or at the office. If you do not use Nabo for "
        "a year, your data is deleted; we tell you two weeks before. From the age of 15 you "
        "can agree yourself."
    ).format(partners=partners)


@dataclass(frozen=True, slots=True)
class PrintedNotice:
    """The privacy notice as paper says it, in one language: headings and paragraphs."""

    language: str
    title: str
    # (heading or None, its paragraphs): who is responsible, then the two sections.
    sections: tuple[tuple[str | None, tuple[str, ...]], ...]
    footer: str


def _days(tr: Translator, days: int) -> str:
    return tr.ngettext("{count} day", "{count} days", days).format(count=tr.ltr(days))


def printed_notice(
    tr: Translator, *, phone_days: int, record_days: int, version: int, printed: datetime
) -> PrintedNotice:
    """Return the notice for paper: the chat's, with what is kept for those without Telegram.

    The chat's notice (``privacy_notice_text``) is its title, who is responsible, and what
    using Nabo in Telegram means; on paper those come in that order, with the section for
    people signed up without Telegram between the second and the rest. ``phone_days`` and
    ``record_days`` are the retention rules in force (bot/db/people.py, the settings).
    """
    _ = tr.gettext
    title, responsible, *chat = privacy_notice_text(tr).split("\n\n")
    registered = (
        _(
            "The team, or the host of an activity, can sign you up by phone, at the office "
            "or at the door. Then Nabo stores your first name, your language, the area you "
            "live in, what you are signed up for, who signed you up and how you were told "
            "about your data. Your phone number only if you agree to be called about your "
            "activities: the team and the activity's host call you when a place becomes "
            "free, when something changes, and the day before."
        ),
        _(
            "Your phone number is deleted {phone} after your last activity, and the rest "
            "{record} after it, unless you ask the team to keep it longer. Past sign-ups "
            "stay only as numbers, without your name."
        ).format(phone=_days(tr, phone_days), record=_days(tr, record_days)),
        _(
            "You can ask the team by phone or at the office to see what Nabo stores about "
            "you, or to delete it; they first check that it is you. With a link from the "
            "team you can also get your sign-ups in Telegram yourself."
        ),
    )
    return PrintedNotice(
        language=tr.language,
        # Paper has no emoji font: the title without the chat's padlock.
        title=title.lstrip("🔒").strip(),
        sections=(
            (None, (responsible,)),
            (_("If the team signed you up without Telegram"), registered),
            (_("If you use Nabo in Telegram"), tuple(chat)),
        ),
        footer=_("Privacy notice, version {version}, printed {date}").format(
            version=tr.ltr(version), date=tr.date(printed)
        ),
    )
