"""What staff see when they print: the steps of /poster, and the list of sources."""

from __future__ import annotations

from collections.abc import Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.i18n import LANGUAGE_NAMES, Translator
from bot.db.activities import Activity
from bot.db.sources import INVITE_CODE, Source
from bot.views.activity import shorten
from bot.views.buttons import (
    NABO_ITSELF,
    NO_SOURCE,
    POSTER_KINDS,
    AskDeleteSource,
    DeleteSource,
    PosterFor,
    PosterKind,
    PosterLanguage,
    PosterList,
    PosterMake,
    PrintNotice,
    SourceList,
    StaffMenu,
)

POSTER_PAGE = 6
# Sources a page: staff may name a place for every stairwell, so the list is paged to stay
# within one message (4096 characters, 100 buttons).
SOURCE_PAGE = 10


def pages_of(total: int, per_page: int) -> int:
    """Return how many pages ``total`` items take (at least one)."""
    return max(1, -(-total // per_page))


def _page_line(tr: Translator, page: int, pages: int) -> str:
    return tr.gettext("Page {page} of {pages}").format(page=tr.ltr(page + 1), pages=tr.ltr(pages))


def _navigation(
    tr: Translator, page: int, pages: int, to_page: Callable[[int], str]
) -> list[list[InlineKeyboardButton]]:
    """Return the row of "Previous" and "Next" buttons a page needs (none for one page)."""
    _ = tr.gettext
    row = []
    if page > 0:
        row.append(InlineKeyboardButton(_("◀ Previous"), callback_data=to_page(page - 1)))
    if page + 1 < pages:
        row.append(InlineKeyboardButton(_("Next ▶"), callback_data=to_page(page + 1)))
    return [row] if row else []


def poster_list(
    tr: Translator, activities: list[Activity], page: int, pages: int
) -> tuple[str, InlineKeyboardMarkup]:
    """Offer what to print for: Nabo itself, or one of the coming activities."""
    _ = tr.gettext
    lines = [_("🖨 What do you want to print a poster or flyer for?")]
    if pages > 1:
        lines.append(_page_line(tr, page, pages))
    rows = [
        [InlineKeyboardButton(_("🏠 Nabo itself"), callback_data=PosterFor(NABO_ITSELF).pack())]
    ]
    for activity in activities:
        label = f"{tr.date(activity.starts_at)}: {activity.title(tr.language)}"
        rows.append(
            [InlineKeyboardButton(shorten(label, 48), callback_data=PosterFor(activity.id).pack())]
        )
    rows += _navigation(tr, page, pages, lambda to: PosterList(to).pack())
    # Not a poster, but printed too: for people signed up without Telegram.
    rows.append(
        [
            InlineKeyboardButton(
                _("🔒 Privacy notice to print"), callback_data=PrintNotice("all").pack()
            )
        ]
    )
    rows.append([InlineKeyboardButton(_("🛠 Staff menu"), callback_data=StaffMenu().pack())])
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def kind_question(tr: Translator, activity: Activity | None) -> tuple[str, InlineKeyboardMarkup]:
    """Ask what kind of sheet: a poster, flyers, the door poster or a share image."""
    _ = tr.gettext
    about = activity.title(tr.language) if activity is not None else _("Nabo itself")
    activity_id = activity.id if activity is not None else NABO_ITSELF
    choices = [
        (_("🪧 Poster (A4)"), "poster"),
        (_("✂️ Four flyers (A6 on A4)"), "flyer"),
        (_("📱 Image for Facebook and WhatsApp"), "share"),
    ]
    if activity is not None:
        choices.insert(2, (_("🚪 Door poster: check in by scanning"), "door"))
    rows = [
        [
            InlineKeyboardButton(
                label, callback_data=PosterKind(activity_id, POSTER_KINDS[kind]).pack()
            )
        ]
        for label, kind in choices
    ]
    rows.append([InlineKeyboardButton(_("◀ Back"), callback_data=PosterList().pack())])
    text = _("🖨 {title}\n\nWhat kind?").format(title=tr.ltr(about))
    return text, InlineKeyboardMarkup(rows)


def language_question(
    tr: Translator, activity_id: int, kind: str, note: str | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    """Ask for the three languages on one sheet, or one language per sheet."""
    _ = tr.gettext
    rows = [
        [
            InlineKeyboardButton(
                _("All three languages on one sheet"),
                callback_data=PosterLanguage(activity_id, kind, "all").pack(),
            )
        ],
        [
            InlineKeyboardButton(
                LANGUAGE_NAMES[code], callback_data=PosterLanguage(activity_id, kind, code).pack()
            )
            for code in LANGUAGE_NAMES
        ],
        [InlineKeyboardButton(_("◀ Back"), callback_data=PosterFor(activity_id).pack())],
    ]
    question = _("Which languages?")
    return (f"{note}\n\n{question}" if note else question), InlineKeyboardMarkup(rows)


def source_question(
    tr: Translator,
    choice: PosterLanguage,
    sources: list[Source],
    page: int,
    pages: int,
) -> tuple[str, InlineKeyboardMarkup]:
    """Ask where it will be put up (a page of the places), so its link counts for that place."""
    _ = tr.gettext
    activity_id, kind, language = choice.activity_id, choice.kind, choice.language
    rows = [
        [
            InlineKeyboardButton(
                _("No source"),
                callback_data=PosterMake(activity_id, kind, language, NO_SOURCE).pack(),
            )
        ]
    ]
    for source in sources:
        rows.append(
            [
                InlineKeyboardButton(
                    shorten(source.name, 48),
                    callback_data=PosterMake(activity_id, kind, language, source.code).pack(),
                )
            ]
        )
    rows += _navigation(
        tr, page, pages, lambda to: PosterLanguage(activity_id, kind, language, to).pack()
    )
    rows.append(
        [InlineKeyboardButton(_("◀ Back"), callback_data=PosterKind(activity_id, kind).pack())]
    )
    text = _(
        "Where will it be put up? What its link brings (new residents, sign-ups, check-ins) "
        "then counts for that place in the report. Add a place with /newsource."
    )
    if pages > 1:
        text = f"{text}\n{_page_line(tr, page, pages)}"
    return text, InlineKeyboardMarkup(rows)


def sources_text(
    tr: Translator, sources: list[Source], page: int, pages: int
) -> tuple[str, InlineKeyboardMarkup]:
    """List a page of the sources with their codes, each with a button to delete it."""
    _ = tr.gettext
    lines = [_("📍 Where links are put up (sources) and their codes:")]
    if pages > 1:
        lines.append(_page_line(tr, page, pages))
    lines.append("")
    rows = []
    for source in sources:
        name = _("Invitations from neighbours") if source.code == INVITE_CODE else source.name
        lines.append(f"{tr.line_start()}{tr.ltr(source.code)} – {tr.ltr(name)}")
        if source.code != INVITE_CODE:
            rows.append(
                [
                    InlineKeyboardButton(
                        _("🗑 {name}").format(name=shorten(source.name, 40)),
                        callback_data=AskDeleteSource(source.code, page).pack(),
                    )
                ]
            )
    rows += _navigation(tr, page, pages, lambda to: SourceList(to).pack())
    lines += [
        "",
        _(
            "Add one with /newsource and its name, e.g. /newsource Opslag Houlkær opgang 12. "
            "Choose it when you print with /poster; the report counts what each brings."
        ),
    ]
    rows.append([InlineKeyboardButton(_("🛠 Staff menu"), callback_data=StaffMenu().pack())])
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def delete_question(tr: Translator, source: Source, page: int) -> tuple[str, InlineKeyboardMarkup]:
    """Ask before deleting a source: its links stop counting, its past counts stay."""
    _ = tr.gettext
    text = _(
        "Delete the source {name}? Its links then open Nabo's start only; what it brought "
        "so far stays in the report."
    ).format(name=tr.ltr(source.name))
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("🗑 Yes, delete it"), callback_data=DeleteSource(source.code, page).pack()
                )
            ],
            [InlineKeyboardButton(_("◀ Back"), callback_data=SourceList(page).pack())],
        ]
    )
    return text, keyboard
