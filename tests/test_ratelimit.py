"""The shared budget: replies to residents go out before background sends, all within it.

Tests about who goes first give the limiter a time that moves only when they move it:
how long the machine takes between two steps can never hand out a token.
"""

import asyncio

import pytest
from telegram.error import RetryAfter

from bot.telegram.ratelimit import PriorityRateLimiter, background_sends, is_background


class Recorder:
    """Stands in for PTB's request: records which request went out, in order."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.fail_with: list[BaseException] = []

    def call(self, name: str) -> object:
        async def send() -> bool:
            if self.fail_with:
                raise self.fail_with.pop(0)
            self.sent.append(name)
            return True

        return send


class HandTime:
    """A limiter's clock that stands still until the test moves it."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def request(
    limiter: PriorityRateLimiter, recorder: Recorder, name: str, data: dict[str, object]
) -> None:
    await limiter.process_request(recorder.call(name), (), {}, "sendMessage", data, None)


async def test_a_reply_overtakes_waiting_background_sends() -> None:
    time = HandTime()
    limiter = PriorityRateLimiter(rate=1, burst=1, clock=time)
    recorder = Recorder()

    async def broadcast(n: int) -> None:
        with background_sends():
            assert is_background()
            await request(limiter, recorder, f"broadcast {n}", {"chat_id": 1000 + n})

    sending = [asyncio.create_task(broadcast(n)) for n in range(6)]
    # Let every background send take its place in line (the first takes the one token).
    for _ in range(20):
        await asyncio.sleep(0)
    assert limiter.waiting == (0, 5)
    assert recorder.sent == ["broadcast 0"]
    assert not is_background()
    # A second later there is a token again: the reply gets it, not the oldest broadcast.
    time.now += 1
    await request(limiter, recorder, "reply", {"chat_id": 7})
    assert recorder.sent == ["broadcast 0", "reply"]
    assert limiter.waiting == (0, 5)
    # The next token goes to the oldest broadcast (when the limiter's timer looks again).
    time.now += 1
    await asyncio.wait_for(sending[1], 10)
    assert recorder.sent == ["broadcast 0", "reply", "broadcast 1"]
    for task in sending:
        task.cancel()
    await asyncio.gather(*sending, return_exceptions=True)
    assert limiter.waiting == (0, 0)


async def test_background_sends_use_every_token_the_replies_leave() -> None:
    limiter = PriorityRateLimiter(rate=1000, burst=5)
    recorder = Recorder()
    with background_sends():
        await asyncio.gather(
            *(request(limiter, recorder, f"b{n}", {"chat_id": n}) for n in range(20))
        )
    assert len(recorder.sent) == 20
    # In the order they asked: the oldest background send first.
    assert recorder.sent == [f"b{n}" for n in range(20)]


async def test_answers_to_presses_take_no_token() -> None:
    limiter = PriorityRateLimiter(rate=1, burst=1, clock=HandTime())
    recorder = Recorder()
    await request(limiter, recorder, "message", {"chat_id": 5})
    # The bucket is empty now; an answer (no chat) still goes at once, a message waits.
    message = asyncio.create_task(request(limiter, recorder, "waits", {"chat_id": 6}))
    answer = asyncio.create_task(request(limiter, recorder, "answer", {"callback_query_id": "1"}))
    for _ in range(20):
        await asyncio.sleep(0)
    assert answer.done()
    assert not message.done()
    message.cancel()
    with pytest.raises(asyncio.CancelledError):
        await message
    assert recorder.sent == ["message", "answer"]
    assert limiter.waiting == (0, 0)


async def test_a_flood_wait_is_retried_then_raised() -> None:
    limiter = PriorityRateLimiter(rate=1000, burst=10, max_retries=2)
    recorder = Recorder()
    recorder.fail_with = [RetryAfter(0), RetryAfter(0)]
    await request(limiter, recorder, "after two floods", {"chat_id": 5})
    assert recorder.sent == ["after two floods"]
    recorder.fail_with = [RetryAfter(0), RetryAfter(0), RetryAfter(0)]
    with pytest.raises(RetryAfter):
        await request(limiter, recorder, "never", {"chat_id": 5})
    assert recorder.sent == ["after two floods"]


async def test_a_cancelled_wait_gives_its_place_up() -> None:
    time = HandTime()
    limiter = PriorityRateLimiter(rate=20, burst=1, clock=time)
    recorder = Recorder()
    await request(limiter, recorder, "first", {"chat_id": 1})
    waiting = asyncio.create_task(request(limiter, recorder, "cancelled", {"chat_id": 2}))
    for _ in range(20):
        await asyncio.sleep(0)
    assert limiter.waiting == (1, 0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    time.now += 1 / 20
    await request(limiter, recorder, "next", {"chat_id": 3})
    assert recorder.sent == ["first", "next"]
    assert limiter.waiting == (0, 0)
