"""The update processor: one chat's updates in order, chats side by side, slots never hoarded."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.telegram.updates import PerChatUpdateProcessor


def update_from(chat_id: int, update_id: int) -> Update:
    """A text message update from a resident in their private chat."""
    user = {"id": chat_id, "is_bot": False, "first_name": "R"}
    return Update.de_json(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": 0,
                "chat": {"id": chat_id, "type": "private"},
                "from": user,
                "text": "hej",
            },
        },
        bot=None,
    )


def feed(
    processor: PerChatUpdateProcessor,
    updates: list[Update],
    handle: Callable[[Update], Awaitable[None]],
) -> list[asyncio.Task[None]]:
    """Hand each update to the processor in its own task, as PTB's Application does."""
    return [
        asyncio.create_task(processor.process_update(update, handle(update))) for update in updates
    ]


async def let_everything_run() -> None:
    """Give every task that can go on a chance to, a good many times over."""
    for _ in range(20):
        await asyncio.sleep(0)


def test_ptbs_final_process_update_is_left_alone() -> None:
    # PTB marks it @final; the documented extension point is do_process_update.
    assert PerChatUpdateProcessor.process_update is BaseUpdateProcessor.process_update
    assert "do_process_update" in PerChatUpdateProcessor.__dict__


async def test_one_chats_updates_run_one_at_a_time_in_order() -> None:
    processor = PerChatUpdateProcessor(8)
    done: list[int] = []
    running = 0

    async def handle(update: Update) -> None:
        nonlocal running
        running += 1
        assert running == 1, "two updates of one chat ran at once"
        await let_everything_run()
        done.append(update.update_id)
        running -= 1

    await asyncio.gather(*feed(processor, [update_from(7, n) for n in range(1, 21)], handle))
    assert done == list(range(1, 21))
    assert processor.waiting_updates == 0
    assert processor.current_concurrent_updates == 0


async def test_chats_run_side_by_side_up_to_the_limit() -> None:
    processor = PerChatUpdateProcessor(2)
    started: list[int] = []
    release = asyncio.Event()

    async def handle(update: Update) -> None:
        started.append(update.update_id)
        await release.wait()

    tasks = feed(processor, [update_from(chat, chat) for chat in (1, 2, 3)], handle)
    await let_everything_run()
    assert started == [1, 2]  # two chats at once; the third waits for a slot
    release.set()
    await asyncio.gather(*tasks)
    assert started == [1, 2, 3]


async def test_a_pile_of_taps_in_one_chat_leaves_the_slots_to_others() -> None:
    processor = PerChatUpdateProcessor(2)
    busy = asyncio.Event()
    pile_started: list[int] = []

    async def slow(update: Update) -> None:
        pile_started.append(update.update_id)
        await busy.wait()

    async def quick(update: Update) -> None:
        pass

    pile = feed(processor, [update_from(1, n) for n in range(1, 11)], slow)
    await let_everything_run()
    # The other nine wait in their chat's line, not in the shared slots.
    assert pile_started == [1]
    assert processor.waiting_updates == 10
    other = feed(processor, [update_from(2, 100)], quick)
    await asyncio.wait_for(asyncio.gather(*other), timeout=10)  # a guard, not a speed check
    assert pile_started == [1]
    busy.set()
    await asyncio.gather(*pile)
    assert pile_started == list(range(1, 11))
    assert processor.waiting_updates == 0
