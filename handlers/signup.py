"""Signing up: how many are coming, the waitlist, cancelling, /mine and reminders on/off.

Every step carries its state in the button's callback data, so a half-finished sign-up
survives a restart and a stale button is simply re-checked against the database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.core.callback_data import ButtonData
from bot.db.signups import Outcome, SignupResult
from bot.telegram.context import NaboApplication, NaboContext
from bot.telegram.replies import ButtonPress, answer_press, edit_query_message
from bot.telegram.session import require_consent
from bot.views.activity import activity_title_when, fit_message, party_text, shorten
from bot.views.buttons import (
    ActivityCalendar,
    AskCancelSignup,
    CancelSignup,
    ChooseAdults,
    ConfirmSignup,
    KeepSignup,
    MenuActivities,
    MenuHome,
    MenuMine,
    SetReminders,
    StartSignup,
)
from bot.views.menu import back_to_menu_keyboard, menu_button
from bot.views.signup_news import cancel_button

log = logging.getLogger(__name__)

# StartSignup → how many adults?  ChooseAdults → how many children?  ConfirmSignup → sign up.
# AskCancelSignup → are you sure?  CancelSignup → cancel.  KeepSignup → keep it.
MINE_SHOWN = 10  # sign-ups listed in /mine: a phone screen's worth, and far below 4096


def _number_rows(
    numbers: range, button: Callable[[int], ButtonData], per_row: int = 4
) -> list[list[InlineKeyboardButton]]:
    buttons = [InlineKeyboardButton(str(n), callback_data=button(n).pack()) for n in numbers]
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]


async def _open_activity(press: ButtonPress, context: NaboContext, activity_id: int) -> bool:
    """Check the activity can still be signed up for; say why not if it cannot."""
    activity = await context.activities.get(activity_id)
    _ = context.tr.gettext
    if activity is None:
        await edit_query_message(press.query, _("Sorry, we could not find that activity."))
        return False
    if not activity.is_open_for_signup(context.clock.now()):
        await edit_query_message(
            press.query,
            _("Sorry, sign-up for this activity is closed."),
            InlineKeyboardMarkup(
                [[InlineKeyboardButton(_("📅 Activities"), callback_data=MenuActivities().pack())]]
            ),
        )
        return False
    return True


async def ask_adults(update: Update, context: NaboContext) -> None:
    """Ask how many adults are coming."""
    press = await answer_press(update)
    if not await require_consent(update, context):
        return
    button = StartSignup.parse(press.data)
    activity_id, waitlist = button.activity_id, button.waitlist
    activity = await context.activities.get(activity_id)
    _ = context.tr.gettext
    if activity is None or not activity.is_open_for_signup(context.clock.now()):
        await context.bot.send_message(
            press.chat_id,
            _("Sorry, sign-up for this activity is closed."),
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton(_("📅 Activities"), callback_data=MenuActivities().pack())]]
            ),
        )
        return
    rows = _number_rows(
        range(0, activity.max_per_signup + 1),
        lambda adults: ChooseAdults(activity_id, waitlist, adults, button.source),
    )
    rows.append([InlineKeyboardButton(_("✖ Stop"), callback_data=MenuHome().pack())])
    await context.bot.send_message(
        press.chat_id,
        _("{activity}\n\nHow many adults are coming?").format(
            activity=activity_title_when(context.tr, activity)
        ),
        reply_markup=InlineKeyboardMarkup(rows),
    )


async def ask_children(update: Update, context: NaboContext) -> None:
    """Ask how many children are coming, within the activity's cap per sign-up."""
    press = await answer_press(update)
    if not await require_consent(update, context):
        return
    button = ChooseAdults.parse(press.data)
    activity_id, waitlist, adults = button.activity_id, button.waitlist, button.adults
    if not await _open_activity(press, context, activity_id):
        return
    activity = await context.activities.get(activity_id)
    assert activity is not None
    _ = context.tr.gettext
    if adults > activity.max_per_signup:
        await edit_query_message(press.query, _("This button no longer works."))
        return
    lowest = 0 if adults > 0 else 1
    rows = _number_rows(
        range(lowest, activity.max_per_signup - adults + 1),
        lambda children: ConfirmSignup(activity_id, waitlist, adults, children, button.source),
    )
    rows.append([InlineKeyboardButton(_("✖ Stop"), callback_data=MenuHome().pack())])
    await edit_query_message(
        press.query,
        _("{activity}\n\nAnd how many children?").format(
            activity=activity_title_when(context.tr, activity)
        ),
        InlineKeyboardMarkup(rows),
    )


async def sign_up(update: Update, context: NaboContext) -> None:
    """Sign the party up (or put it on the waitlist) and confirm in the resident's language."""
    press = await answer_press(update)
    if not await require_consent(update, context):
        return
    button = ConfirmSignup.parse(press.data)
    activity_id, waitlist = button.activity_id, button.waitlist
    adults, children = button.adults, button.children
    assert update.effective_user is not None
    # Begun on a card a source's link opened: the sign-up counts for that source, if it
    # still counts links (a deleted one does not).
    source = await context.sources.by_code(button.source) if button.source else None
    result = await context.signups.sign_up(
        activity_id,
        press.user_id,
        adults,
        children,
        context.clock.now(),
        waitlist=waitlist,
        first_name=update.effective_user.first_name,
        source_id=source.id if source is not None and source.is_active else None,
    )
    log.info("sign-up for activity %s: %s", activity_id, result.outcome)
    await _confirm(press, context, activity_id, adults, children, result, button.source)


async def _confirm(
    press: ButtonPress,
    context: NaboContext,
    activity_id: int,
    adults: int,
    children: int,
    result: SignupResult,
    source: str | None = None,
) -> None:
    tr = context.tr
    _ = tr.gettext
    # The activity as the sign-up was decided on, read in the same transaction.
    activity = result.activity or await context.activities.get(activity_id)
    menu = menu_button(tr)
    if activity is None or result.outcome is Outcome.NOT_FOUND:
        await edit_query_message(press.query, _("Sorry, we could not find that activity."))
        return
    about = activity_title_when(tr, activity)
    calendar = InlineKeyboardButton(
        _("📆 Add to calendar"), callback_data=ActivityCalendar(activity_id).pack()
    )
    signup = result.signup
    if result.outcome is Outcome.CONFIRMED and signup is not None:
        lines = [
            _("✅ You are signed up: {party}.").format(party=party_text(tr, adults, children)),
            "",
            about,
        ]
        resident = context.resident
        if resident is not None and resident.reminders and context.config.reminder_offsets:
            lines += ["", _("We will remind you before it starts.")]
        keyboard = [[calendar], [cancel_button(tr, signup)], [menu]]
        await edit_query_message(press.query, "\n".join(lines), InlineKeyboardMarkup(keyboard))
    elif result.outcome is Outcome.WAITLISTED and signup is not None:
        text = _(
            "⏳ There is no room right now, so you are on the waitlist as number {position}: "
            "{party}.\n\n{activity}\n\n"
            "If a place becomes free, it is yours automatically, and we will tell you here."
        ).format(
            position=tr.ltr(result.waitlist_position),
            party=party_text(tr, adults, children),
            activity=about,
        )
        await edit_query_message(
            press.query, text, InlineKeyboardMarkup([[cancel_button(tr, signup)], [menu]])
        )
    elif result.outcome is Outcome.NO_ROOM:
        left = result.places_left or 0
        text = tr.ngettext(
            "Only {count} place is left — not enough for {party}.",
            "Only {count} places are left — not enough for {party}.",
            left,
        ).format(count=tr.ltr(left), party=party_text(tr, adults, children))
        text += "\n" + _("You can choose fewer people or join the waitlist.")
        keyboard = [
            [
                InlineKeyboardButton(
                    _("⏳ Join the waitlist"),
                    callback_data=ConfirmSignup(activity_id, True, adults, children, source).pack(),
                )
            ],
            [
                InlineKeyboardButton(
                    _("🔢 Change the numbers"),
                    callback_data=StartSignup(activity_id, waitlist=False, source=source).pack(),
                )
            ],
            [menu],
        ]
        await edit_query_message(press.query, text, InlineKeyboardMarkup(keyboard))
    elif result.outcome is Outcome.ALREADY and signup is not None:
        status = (
            _("You are already on the waitlist for this activity.")
            if signup.status == "waitlisted"
            else _("You are already signed up for this activity.")
        )
        text = f"{status}\n{party_text(tr, signup.adults, signup.children)}\n\n{about}"
        await edit_query_message(
            press.query, text, InlineKeyboardMarkup([[cancel_button(tr, signup)], [menu]])
        )
    elif result.outcome is Outcome.CLOSED:
        await edit_query_message(
            press.query,
            _("Sorry, sign-up for this activity is closed."),
            InlineKeyboardMarkup([[menu]]),
        )
    else:
        await edit_query_message(
            press.query, _("This button no longer works."), InlineKeyboardMarkup([[menu]])
        )


async def ask_cancel(update: Update, context: NaboContext) -> None:
    """Ask before cancelling a sign-up, so a slip of the thumb costs nothing."""
    press = await answer_press(update)
    if not await require_consent(update, context):
        return
    signup = await context.signups.get(AskCancelSignup.parse(press.data).signup_id)
    _ = context.tr.gettext
    if signup is None or signup.user_id != press.user_id or signup.status == "cancelled":
        await context.bot.send_message(press.chat_id, _("You have no active sign-up there."))
        return
    activity = await context.activities.get(signup.activity_id)
    assert activity is not None
    question = (
        _("Leave the waitlist for this activity?")
        if signup.status == "waitlisted"
        else _("Cancel your sign-up for this activity?")
    )
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("Yes, cancel"), callback_data=CancelSignup(signup.id).pack())],
            [InlineKeyboardButton(_("No, keep my place"), callback_data=KeepSignup().pack())],
        ]
    )
    await context.bot.send_message(
        press.chat_id,
        f"{question}\n\n{activity_title_when(context.tr, activity)}",
        reply_markup=keyboard,
    )


async def cancel(update: Update, context: NaboContext) -> None:
    """Cancel the resident's sign-up and give freed places to the waitlist."""
    press = await answer_press(update)
    if not await require_consent(update, context):
        return
    signup_id = CancelSignup.parse(press.data).signup_id
    result = await context.signups.cancel(signup_id, press.user_id, context.clock.now())
    _ = context.tr.gettext
    menu = back_to_menu_keyboard(context.tr)
    if result.too_late:
        await edit_query_message(
            press.query, _("The activity has already started, so the sign-up stays."), menu
        )
        return
    if result.signup is None:
        await edit_query_message(press.query, _("You have no active sign-up there."), menu)
        return
    log.info("sign-up cancelled; %d promoted from the waitlist", len(result.promoted))
    # Whoever moved up was told durably with the promotion (residents by deliveries, the
    # team about those without Telegram): whatever happens to the edit below, the
    # senders tell them.
    context.bot_data.services.sender.wake()
    done = (
        _("Done — you have left the waitlist.")
        if result.signup.confirmed_at is None
        else _("Done — your sign-up is cancelled.")
    )
    await edit_query_message(press.query, done, menu)


async def keep(update: Update, context: NaboContext) -> None:
    """Leave the sign-up as it is."""
    press = await answer_press(update)
    await edit_query_message(press.query, context.tr.gettext("Good — nothing has changed."))


async def show_mine(update: Update, context: NaboContext) -> None:
    """List the resident's coming sign-ups and waitlist places."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    if not await require_consent(update, context):
        return
    assert update.effective_user is not None
    assert update.effective_chat is not None
    tr = context.tr
    _ = tr.gettext
    mine = await context.signups.mine(update.effective_user.id, context.clock.now())
    rows: list[list[InlineKeyboardButton]] = []
    if not mine:
        text = _("You have no sign-ups at the moment.")
        rows.append(
            [InlineKeyboardButton(_("📅 Activities"), callback_data=MenuActivities().pack())]
        )
    else:
        parts = [_("🗓 Your sign-ups")]
        for item in mine[:MINE_SHOWN]:
            if item.waitlist_position is not None:
                status = _("⏳ Waitlist, number {position}").format(
                    position=tr.ltr(item.waitlist_position)
                )
            else:
                status = _("✅ Signed up")
            parts += [
                "",
                activity_title_when(tr, item.activity),
                f"{party_text(tr, item.signup.adults, item.signup.children)} – {status}",
            ]
            rows.append(
                [
                    InlineKeyboardButton(
                        f"{cancel_button(tr, item.signup).text}: "
                        f"{shorten(item.activity.title(tr.language), 30)}",
                        callback_data=AskCancelSignup(item.signup.id).pack(),
                    )
                ]
            )
        if len(mine) > MINE_SHOWN:
            parts += ["", _("…and more: see each activity under /activities.")]
        text = fit_message("\n".join(parts))
    resident = context.resident
    if resident is not None:
        rows.append(
            [
                InlineKeyboardButton(
                    _("🔕 Turn reminders off"), callback_data=SetReminders(on=False).pack()
                )
                if resident.reminders
                else InlineKeyboardButton(
                    _("🔔 Turn reminders on"), callback_data=SetReminders(on=True).pack()
                )
            ]
        )
    rows.append([menu_button(tr)])
    await update.effective_chat.send_message(text, reply_markup=InlineKeyboardMarkup(rows))


async def set_reminders(update: Update, context: NaboContext) -> None:
    """Turn reminders on or off."""
    press = await answer_press(update)
    if not await require_consent(update, context):
        return
    on = SetReminders.parse(press.data).on
    await context.residents.set_reminders(press.user_id, on, context.clock.now())
    _ = context.tr.gettext
    text = (
        _("🔔 Reminders are on. We will remind you before your activities.")
        if on
        else _("🔕 Reminders are off. You can turn them on again under My sign-ups.")
    )
    await context.bot.send_message(
        press.chat_id,
        text,
        reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton(_("🗓 My sign-ups"), callback_data=MenuMine().pack())]]
        ),
    )


def register(application: NaboApplication) -> None:
    """Add the sign-up handlers."""
    application.add_handler(CommandHandler("mine", show_mine, filters=filters.ChatType.PRIVATE))
    application.add_handler(CallbackQueryHandler(show_mine, pattern=MenuMine.pattern()))
    application.add_handler(CallbackQueryHandler(ask_adults, pattern=StartSignup.pattern()))
    application.add_handler(CallbackQueryHandler(ask_children, pattern=ChooseAdults.pattern()))
    application.add_handler(CallbackQueryHandler(sign_up, pattern=ConfirmSignup.pattern()))
    application.add_handler(CallbackQueryHandler(ask_cancel, pattern=AskCancelSignup.pattern()))
    application.add_handler(CallbackQueryHandler(cancel, pattern=CancelSignup.pattern()))
    application.add_handler(CallbackQueryHandler(keep, pattern=KeepSignup.pattern()))
    application.add_handler(CallbackQueryHandler(set_reminders, pattern=SetReminders.pattern()))
