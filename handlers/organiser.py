"""Staff say who runs an activity: the team, an afdelingsbestyrelse or a named partner.

From an activity's edit menu ("🤝 Who runs it"): a button for the kind, then, for a board
or partner, its name. It is stored with the activity (also a column of the import,
bot/offline/importer.py), and the report counts activities and participants per
organiser. Staff only; audited.
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler, ConversationHandler, MessageHandler, filters

from bot.core.i18n import Translator
from bot.db.activities import MAX_ORGANISER_NAME, ORGANISER_KINDS, Activity
from bot.db.volunteers import has_phone_number
from bot.telegram.context import NaboApplication, NaboContext
from bot.telegram.conversations import LatestConversation
from bot.telegram.replies import answer_press, edit_query_message
from bot.telegram.staff import StaffCallbackQueryHandler
from bot.telegram.staff_screens import (
    audit_activity,
    changeable_activity,
    send_activity_screen,
    update_chat_id,
    update_user_id,
)
from bot.views.activity import activity_title_when
from bot.views.buttons import EditOrganiser, OrganiserKind
from bot.views.host import ask_organisation

KIND, NAME = range(2)
END = ConversationHandler.END
EDIT = "organiser.activity"


def organiser_text(tr: Translator, activity: Activity) -> str:
    """Say who runs an activity now."""
    kind = tr.gettext(ORGANISER_KINDS[activity.organiser_kind])
    if activity.organiser_name:
        kind = f"{kind}: {tr.ltr(activity.organiser_name)}"
    return tr.gettext("🤝 Who runs it now: {organiser}").format(organiser=kind)


async def start(update: Update, context: NaboContext) -> int:
    """Ask who runs the activity."""
    press = await answer_press(update)
    activity = await changeable_activity(
        press, context, EditOrganiser.parse(press.data).activity_id
    )
    if activity is None:
        return END
    context.user_data[EDIT] = activity.id
    tr = context.tr
    rows = [
        [InlineKeyboardButton(tr.gettext(label), callback_data=OrganiserKind(code).pack())]
        for code, label in ORGANISER_KINDS.items()
    ]
    text = "\n\n".join(
        [
            activity_title_when(tr, activity),
            organiser_text(tr, activity),
            tr.gettext("Who runs it?"),
        ]
    )
    await edit_query_message(press.query, text, InlineKeyboardMarkup(rows))
    return KIND


async def take_kind(update: Update, context: NaboContext) -> int:
    """Take the kind; the team is saved at once, a board or partner needs its name."""
    press = await answer_press(update)
    activity_id = context.user_data.get(EDIT)
    if not isinstance(activity_id, int):
        return END
    kind = OrganiserKind.parse(press.data).kind
    if kind == "team":
        return await _save(update, context, activity_id, "team", None)
    context.user_data[EDIT + ".kind"] = kind
    await edit_query_message(press.query, ask_organisation(context.tr, kind))
    return NAME


async def take_name(update: Update, context: NaboContext) -> int:
    """Take the board's or partner's name and save it."""
    message = update.effective_message
    assert message is not None
    activity_id, kind = context.user_data.get(EDIT), context.user_data.get(EDIT + ".kind")
    if not isinstance(activity_id, int) or not isinstance(kind, str):
        return END
    name = (message.text or "").strip()
    if not name or len(name) > MAX_ORGANISER_NAME or has_phone_number(name):
        await message.reply_text(
            context.tr.gettext(
                "Please write it in at most {limit} characters, without phone numbers."
            ).format(limit=context.tr.ltr(MAX_ORGANISER_NAME))
        )
        return NAME
    return await _save(update, context, activity_id, kind, name)


async def _save(
    update: Update, context: NaboContext, activity_id: int, kind: str, name: str | None
) -> int:
    context.user_data.pop(EDIT, None)
    context.user_data.pop(EDIT + ".kind", None)
    activity = await context.activities.set_organiser(activity_id, kind, name, context.clock.now())
    chat_id = update_chat_id(update)
    if activity is None:
        await context.bot.send_message(
            chat_id, context.tr.gettext("Sorry, we could not find that activity.")
        )
        return END
    await audit_activity(
        context,
        update_user_id(update),
        "activity.edit",
        activity_id,
        f"field=organiser,kind={kind}",
    )
    await context.bot.send_message(chat_id, organiser_text(context.tr, activity))
    await send_activity_screen(context, chat_id, activity_id)
    return END


async def stop(update: Update, context: NaboContext) -> int:
    """Stop; nothing changes."""
    context.user_data.pop(EDIT, None)
    context.user_data.pop(EDIT + ".kind", None)
    await context.bot.send_message(
        update_chat_id(update), context.tr.gettext("Stopped. Nothing was saved or sent.")
    )
    return END


def register(application: NaboApplication) -> None:
    """Add the organiser edit (staff only)."""
    staff = application.bot_data.config.staff_user_ids
    text = filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE

    def button(callback: Any, pattern: Any) -> StaffCallbackQueryHandler:
        return StaffCallbackQueryHandler(staff, callback, pattern)

    application.add_handler(
        LatestConversation(
            application.bot_data.conversation_flows,
            entry_points=[button(start, EditOrganiser.pattern())],
            states={
                KIND: [button(take_kind, OrganiserKind.pattern())],
                NAME: [MessageHandler(text, take_name)],
            },
            fallbacks=[CommandHandler("cancel", stop)],
            name="organiser",
            allow_reentry=True,
            conversation_timeout=30 * 60,
        )
    )
