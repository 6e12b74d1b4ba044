"""Every button Nabo can produce carries at most 64 bytes of callback data, in every language.

Two ways: the builders of callback data with extreme ids, and a crawl of the running
bot in da/ar/en, as a resident and as staff, pressing one button of every kind it
finds; the server records every keyboard the bot sent. (Every journey test checks
it too: the local Bot API server refuses over-long data as Telegram does, and the
``botapi`` fixture fails a test that caused such a refusal.)
"""

from __future__ import annotations

import inspect
import re

import pytest

from bot.core.callback_data import ButtonData
from bot.views import buttons
from tests.conftest import STAFF_ID, Nabo, settle
from tests.factories import add_activity, add_residents

MAX_BYTES = 64
RESIDENT = 41
# Buttons the crawl does not press: they end the session it is exploring.
DEAD_ENDS = {"privacy:delete:yes", "consent:no"}


def size(data: str) -> int:
    return len(data.encode())


def test_builders_stay_within_64_bytes_with_extreme_ids() -> None:
    # Every kind of button there is, with the longest value each of its fields can take
    # (9-digit ids: larger ones are refused when the button is built).
    kinds = [
        kind
        for _, kind in inspect.getmembers(buttons, inspect.isclass)
        if issubclass(kind, ButtonData) and kind is not ButtonData
    ]
    built = [
        *(kind.longest() for kind in kinds),
        buttons.RateActivity("f" * 16, 5).pack(),
        *(buttons.OfferStatus(10**9 - 1, code).pack() for code in buttons.STATUS_CODES.values()),
    ]
    assert all(data.isascii() for data in built)
    assert max(size(data) for data in built) <= MAX_BYTES
    # And what is built reads back as the same kind.
    assert all(isinstance(kind.parse(kind.longest()), kind) for kind in kinds)


# Choices of one question (filters, themes, languages): pressing one of each is enough.
CHOICES = ("act:l:", "act:fa:", "act:fd:", "vol:k:", "vol:t:", "set:d:", "set:a:", "lang:set:")


def shape(data: str) -> str:
    """The kind of a button: its data with the numbers (or the choice) taken out."""
    return next(
        (prefix for prefix in CHOICES if data.startswith(prefix)), re.sub(r"\d+", "#", data)
    )


async def crawl(nabo: Nabo, user_id: int, commands: list[str], presses: int) -> set[str]:
    """Send the commands, then press one button of each kind ever shown; return the kinds."""
    server = nabo.server
    for command in commands:
        server.send_command(user_id, command)
        await settle(nabo)
    pressed: set[str] = set()
    for _ in range(presses):
        # Depth first: the newest kind of button not pressed yet, so journeys are
        # followed to their end. An edited message loses its old buttons, but pressing
        # their data still leads somewhere (or to a friendly "no longer works").
        fresh = [
            data
            for data in server.callback_data_sent(user_id)
            if shape(data) not in pressed and data not in DEAD_ENDS
        ]
        if not fresh:
            break
        pressed.add(shape(fresh[-1]))
        message_id = server.messages(user_id)[-1]["message_id"]
        query = server.press_button(user_id, message_id, fresh[-1])
        await server.wait_for_callback_answer(query)
        await settle(nabo)
    return pressed


@pytest.mark.parametrize("language", ["da", "ar", "en"])
async def test_every_button_a_crawl_finds_fits(nabo: Nabo, language: str) -> None:
    server, now = nabo.server, nabo.clock.now()
    # Telegram's pace has its own tests; here it would only make the crawl wait.
    server.global_rate = server.chat_rate = None
    # Ids as large as the handlers read (nine digits), so the data is as long as it gets.
    activity = await add_activity(nabo.store, now, capacity=2)
    async with nabo.store.transaction() as db:
        await db.execute("UPDATE activities SET id = 999999990 WHERE id = ?", (activity,))
    await add_activity(nabo.store, now, capacity=None, title_da="Fællesspisning")
    server.user(RESIDENT, language_code=language)
    server.user(STAFF_ID, language_code=language)
    await add_residents(nabo.store, [RESIDENT, STAFF_ID], now, language)

    resident = await crawl(
        nabo, RESIDENT, ["start", "volunteer", "feedback", "mine", "menu", "activities"], 30
    )
    # More presses for staff: their menu leads to more journeys (posters, hosts, data
    # requests).
    staff = await crawl(nabo, STAFF_ID, ["volunteers", "scheduled", "staff"], 100)
    # The crawl reached deep: sign-up, cancelling, the staff's lists and attendance.
    assert {"su:c:#:#:#:#", "su:x:#"} <= resident
    assert {"st:a:#", "st:acts:#", "st:e:#"} <= staff

    sent = server.callback_data_sent()
    assert len(sent) > 100
    too_long = sorted({data for data in sent if size(data) > MAX_BYTES})
    assert too_long == []
