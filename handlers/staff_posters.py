"""Staff print posters and flyers in chat (/poster), and name where links go up (/sources).

/poster: what for (an activity or Nabo itself) → what kind (poster, flyers, door poster,
share image) → which languages → which source, then the file comes as a document. Each
step's choices travel in the button data (stateless, like every staff screen); the sheet
is made from the database as it is when the last button is pressed, in another process
(bot/offline/printing). The staff view of an activity prints its door poster in one press.
/sources lists the places links are put up, with their codes; /newsource <name> adds one.
"""

from __future__ import annotations

import io

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.core.config import LANGUAGES
from bot.db.sources import MAX_NAME, source_name
from bot.offline.printing.request import Kind, Problem, SheetError, SheetRequest
from bot.offline.worker import sheet_in_process
from bot.telegram.context import NaboApplication, NaboContext
from bot.telegram.replies import ButtonPress, answer_press, showing_upload
from bot.telegram.staff import StaffCallbackQueryHandler, staff_command
from bot.telegram.staff_screens import show_screen, update_chat_id, update_user_id
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
    SourceList,
)
from bot.views.staff_posters import (
    POSTER_PAGE,
    SOURCE_PAGE,
    delete_question,
    kind_question,
    language_question,
    pages_of,
    poster_list,
    source_question,
    sources_text,
)

KIND_OF = {letter: kind for kind, letter in POSTER_KINDS.items()}


async def show_list(update: Update, context: NaboContext) -> None:
    """Show what can be printed: Nabo itself and the activities that have not ended."""
    query = update.callback_query
    page = 0
    if query is not None:
        await query.answer()
        page = PosterList.parse(query.data).page
    activities, total = await context.activities.not_ended(
        context.clock.now(), limit=POSTER_PAGE, offset=page * POSTER_PAGE
    )
    pages = pages_of(total, POSTER_PAGE)
    text, keyboard = poster_list(context.tr, activities, min(page, pages - 1), pages)
    if query is not None:
        press = ButtonPress(query, query.data or "", update_user_id(update), update_chat_id(update))
        await show_screen(press, context, text, keyboard)
    else:
        await context.bot.send_message(update_chat_id(update), text, reply_markup=keyboard)


async def choose_kind(update: Update, context: NaboContext) -> None:
    """Ask what kind of sheet to print."""
    press = await answer_press(update)
    activity_id = PosterFor.parse(press.data).activity_id
    activity = None
    if activity_id != NABO_ITSELF:
        activity = await context.activities.get(activity_id)
        if activity is None:
            await show_screen(
                press, context, context.tr.gettext("Sorry, we could not find that activity."), None
            )
            return
    await show_screen(press, context, *kind_question(context.tr, activity))


async def choose_language(update: Update, context: NaboContext) -> None:
    """Ask which languages go on the sheet."""
    press = await answer_press(update)
    button = PosterKind.parse(press.data)
    await show_screen(
        press, context, *language_question(context.tr, button.activity_id, button.kind)
    )


async def choose_source(update: Update, context: NaboContext) -> None:
    """Ask where the sheet will be put up, a page of the places at a time."""
    press = await answer_press(update)
    button = PosterLanguage.parse(press.data)
    page = button.page or 0
    sources, total = await context.sources.page(
        limit=SOURCE_PAGE, offset=page * SOURCE_PAGE, invite=False
    )
    pages = pages_of(total, SOURCE_PAGE)
    if page >= pages:  # places deleted since the button was made: the last page there is
        page = pages - 1
        sources, _total = await context.sources.page(
            limit=SOURCE_PAGE, offset=page * SOURCE_PAGE, invite=False
        )
    await show_screen(press, context, *source_question(context.tr, button, sources, page, pages))


async def make(update: Update, context: NaboContext) -> None:
    """Make the sheet in another process and send it as a document."""
    press = await answer_press(update)
    button = PosterMake.parse(press.data)
    tr = context.tr
    kind = KIND_OF[button.kind]
    request = SheetRequest(
        None if button.activity_id == NABO_ITSELF else button.activity_id,
        Kind.POSTER if kind == "share" else Kind(kind),
        LANGUAGES if button.language == "all" else (button.language,),
        image=kind == "share",
        source=None if button.source == NO_SOURCE else button.source,
    )
    config = context.config
    username = context.bot.username
    try:
        made = await showing_upload(
            context.bot,
            press.chat_id,
            sheet_in_process(
                config.database_path, request, config.timezone, username, context.clock.now()
            ),
        )
    except SheetError as error:
        await _problem(press, context, error.problem, button)
        return
    await context.bot_data.services.audit.record(
        press.user_id,
        "poster",
        context.clock.now(),
        subject=f"activity:{button.activity_id}" if button.activity_id else "nabo",
        details=f"kind={kind},language={button.language},source={button.source}",
    )
    caption = tr.gettext("🖨 Here it is. Its code opens: {link}").format(link=tr.ltr(made.link))
    await context.bot.send_document(
        press.chat_id, document=io.BytesIO(made.data), filename=made.filename, caption=caption
    )


async def _problem(
    press: ButtonPress, context: NaboContext, problem: Problem, button: PosterMake
) -> None:
    """Say why the sheet cannot be made, with a way on."""
    _ = context.tr.gettext
    if problem is Problem.TOO_LONG:
        note = _(
            "The texts are too long for three languages on one sheet. "
            "Please choose one language per sheet."
        )
        await show_screen(
            press, context, *language_question(context.tr, button.activity_id, button.kind, note)
        )
        return
    text = {
        Problem.NOT_FOUND: _("Sorry, we could not find that activity."),
        Problem.CANCELLED: _("This activity is cancelled."),
        Problem.ENDED: _("This activity has ended, so there is nothing to print for it."),
        Problem.NO_SOURCE: _("That source has been deleted. Please choose another."),
    }.get(problem, _("This button no longer works."))
    back = InlineKeyboardMarkup(
        [[InlineKeyboardButton(_("◀ Back"), callback_data=PosterList().pack())]]
    )
    await show_screen(press, context, text, back)


async def _sources_page(context: NaboContext, page: int) -> tuple[str, InlineKeyboardMarkup]:
    """Return a page of the list of sources (the last there is, if fewer are left)."""
    sources, total = await context.sources.page(limit=SOURCE_PAGE, offset=page * SOURCE_PAGE)
    pages = pages_of(total, SOURCE_PAGE)
    if page >= pages:  # sources deleted since the button was made
        page = pages - 1
        sources, total = await context.sources.page(limit=SOURCE_PAGE, offset=page * SOURCE_PAGE)
    return sources_text(context.tr, sources, page, pages)


async def show_sources(update: Update, context: NaboContext) -> None:
    """List the sources, with their codes, a page at a time."""
    query = update.callback_query
    if query is None:
        text, keyboard = await _sources_page(context, 0)
        await context.bot.send_message(update_chat_id(update), text, reply_markup=keyboard)
        return
    press = await answer_press(update)
    text, keyboard = await _sources_page(context, SourceList.parse(press.data).page or 0)
    await show_screen(press, context, text, keyboard)


async def new_source(update: Update, context: NaboContext) -> None:
    """Add a source: /newsource and the name of the place."""
    _ = context.tr.gettext
    name = source_name(" ".join(context.args or []))
    if not name or len(name) > MAX_NAME:
        await context.bot.send_message(
            update_chat_id(update),
            _(
                "Write /newsource and the name of the place, at most 100 characters, "
                "e.g. /newsource Opslag Houlkær opgang 12"
            ),
        )
        return
    source = await context.sources.create(name, context.clock.now())
    await context.bot_data.services.audit.record(
        update_user_id(update), "source.new", context.clock.now(), subject=f"source:{source.code}"
    )
    # The page that holds the new source, so staff see it among the others.
    text, keyboard = await _sources_page(
        context, await context.sources.place_of(source.code) // SOURCE_PAGE
    )
    added = _("Added: {name}, code {code}.").format(
        name=context.tr.ltr(source.name), code=context.tr.ltr(source.code)
    )
    await context.bot.send_message(
        update_chat_id(update), f"{added}\n\n{text}", reply_markup=keyboard
    )


async def ask_delete_source(update: Update, context: NaboContext) -> None:
    """Ask before deleting a source."""
    press = await answer_press(update)
    button = AskDeleteSource.parse(press.data)
    source = await context.sources.by_code(button.code)
    if source is None or not source.is_active:
        await show_screen(press, context, *await _sources_page(context, button.page or 0))
        return
    await show_screen(press, context, *delete_question(context.tr, source, button.page or 0))


async def delete_source(update: Update, context: NaboContext) -> None:
    """Delete a source: its links stop counting; its counts so far stay."""
    press = await answer_press(update)
    button = DeleteSource.parse(press.data)
    if await context.sources.delete(button.code, context.clock.now()):
        await context.bot_data.services.audit.record(
            press.user_id, "source.delete", context.clock.now(), subject=f"source:{button.code}"
        )
    await show_screen(press, context, *await _sources_page(context, button.page or 0))


def register(application: NaboApplication) -> None:
    """Add /poster, /sources and /newsource and their buttons (staff only)."""
    staff = application.bot_data.config.staff_user_ids
    application.add_handler(staff_command(staff, "poster", show_list))
    application.add_handler(staff_command(staff, "sources", show_sources))
    application.add_handler(staff_command(staff, "newsource", new_source))
    for callback, pattern in (
        (show_list, PosterList.pattern()),
        (choose_kind, PosterFor.pattern()),
        (choose_language, PosterKind.pattern()),
        (choose_source, PosterLanguage.pattern()),
        (make, PosterMake.pattern()),
        (show_sources, SourceList.pattern()),
        (ask_delete_source, AskDeleteSource.pattern()),
        (delete_source, DeleteSource.pattern()),
    ):
        application.add_handler(StaffCallbackQueryHandler(staff, callback, pattern))
