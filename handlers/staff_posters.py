"""Staff print posters and flyers in chat (/poster), and name where links go up (/sources).

/poster: what for (an activity or Nabo itself) → what kind (poster, flyers, door poster,
share image) → which languages → which source, then the file comes as a document. Each
step's choices travel in the button data (stateless, like every staff screen); the sheet
is made from the database as it is when the last button is pressed, in another process
(bot/offline/printing). The staff view of an activity prints its door poster in one press.
/sources lists the places links are put up, with their codes; /newsource <name> adds one.
"""

from __future__ import annotations

import asyncio
import io
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction
from telegram.error import TelegramError

from bot.core.config import LANGUAGES
from bot.offline.printing.request import Kind, Problem, SheetError, SheetRequest
from bot.offline.worker import sheet_in_process
from bot.telegram.context import NaboApplication, NaboContext
from bot.telegram.replies import ButtonPress, answer_press
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
    delete_question,
    kind_question,
    language_question,
    poster_list,
    source_question,
    sources_text,
)

log = logging.getLogger(__name__)
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
    pages = max(1, -(-total // POSTER_PAGE))
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
    """Ask where the sheet will be put up."""
    press = await answer_press(update)
    button = PosterLanguage.parse(press.data)
    sources = await context.sources.active()
    await show_screen(
        press,
        context,
        *source_question(context.tr, button.activity_id, button.kind, button.language, sources),
    )


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
    with_action = asyncio.ensure_future(_upload_action(context, press.chat_id))
    try:
        made = await sheet_in_process(
            config.database_path, request, config.timezone, username, context.clock.now()
        )
    except SheetError as error:
        with_action.cancel()
        await _problem(press, context, error.problem, button)
        return
    with_action.cancel()
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


async def _upload_action(context: NaboContext, chat_id: int) -> None:
    """Show "sending a file…" while the sheet is made."""
    try:
        await context.bot.send_chat_action(chat_id, ChatAction.UPLOAD_DOCUMENT)
    except TelegramError:
        log.info("could not show the upload action")


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


async def show_sources(update: Update, context: NaboContext) -> None:
    """List the sources, with their codes."""
    query = update.callback_query
    text, keyboard = sources_text(context.tr, await context.sources.active())
    if query is not None:
        await query.answer()
        press = ButtonPress(query, query.data or "", update_user_id(update), update_chat_id(update))
        await show_screen(press, context, text, keyboard)
    else:
        await context.bot.send_message(update_chat_id(update), text, reply_markup=keyboard)


async def new_source(update: Update, context: NaboContext) -> None:
    """Add a source: /newsource and the name of the place."""
    _ = context.tr.gettext
    name = " ".join(context.args or [])
    if not name or len(name) > 100:
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
    text, keyboard = sources_text(context.tr, await context.sources.active())
    added = _("Added: {name}, code {code}.").format(
        name=context.tr.ltr(source.name), code=context.tr.ltr(source.code)
    )
    await context.bot.send_message(
        update_chat_id(update), f"{added}\n\n{text}", reply_markup=keyboard
    )


async def ask_delete_source(update: Update, context: NaboContext) -> None:
    """Ask before deleting a source."""
    press = await answer_press(update)
    source = await context.sources.by_code(AskDeleteSource.parse(press.data).code)
    if source is None or not source.is_active:
        await show_sources(update, context)
        return
    await show_screen(press, context, *delete_question(context.tr, source))


async def delete_source(update: Update, context: NaboContext) -> None:
    """Delete a source: its links stop counting; its counts so far stay."""
    press = await answer_press(update)
    code = DeleteSource.parse(press.data).code
    if await context.sources.delete(code, context.clock.now()):
        await context.bot_data.services.audit.record(
            press.user_id, "source.delete", context.clock.now(), subject=f"source:{code}"
        )
    text, keyboard = sources_text(context.tr, await context.sources.active())
    await show_screen(press, context, text, keyboard)


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
