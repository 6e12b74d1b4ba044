"""The flood guard: 100 messages in a few seconds get one polite notice; others go on.

Presses have their own, larger budget, so browsing by buttons is never paused.
"""

from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest

from bot.core.config import Config
from bot.core.i18n import Catalogs
from bot.telegram.flood import FloodGuard, Verdict
from bot.views.menu import main_menu_text
from tests.conftest import STAFF_ID, Nabo, settle
from tests.factories import add_residents

NOTICE = (
    "You are sending messages very fast, so Nabo is taking a short break. "
    "Please wait a few seconds, then try again."
)
FLOODER, NEIGHBOUR = 11, 12


@pytest.fixture
def config(config: Config) -> Config:
    # The shared fixture lifts the limits for tests that act at machine speed.
    real = Config(bot_token=None)
    return replace(config, flood_limit=real.flood_limit, flood_press_limit=real.flood_press_limit)


class FakeTime:
    """A monotonic time the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_window_counts_dropped_updates_and_warns_once() -> None:
    time = FakeTime()
    guard = FloodGuard(limit=3, window=10, now=time)
    assert [guard.check(1) for _ in range(3)] == [Verdict.ALLOW] * 3
    assert guard.check(1) is Verdict.WARN
    assert guard.check(1) is Verdict.DROP
    # Someone else is not affected.
    assert guard.check(2) is Verdict.ALLOW
    # Still hammering 9 s later: still paused (the dropped ones count).
    time.now += 9
    assert guard.check(1) is Verdict.DROP
    # A whole quiet window later: welcome back, and a new burst would warn again.
    time.now += 10
    assert [guard.check(1) for _ in range(3)] == [Verdict.ALLOW] * 3
    assert guard.check(1) is Verdict.WARN


def test_presses_have_their_own_budget_and_either_pauses_both() -> None:
    time = FakeTime()
    guard = FloodGuard(limit=3, window=10, now=time, press_limit=5)
    # Typing up to the limit leaves the presses' budget untouched, and the other way round.
    assert [guard.check(1) for _ in range(3)] == [Verdict.ALLOW] * 3
    assert [guard.check(1, press=True) for _ in range(5)] == [Verdict.ALLOW] * 5
    # One press too many pauses the person, for typing too.
    assert guard.check(1, press=True) is Verdict.WARN
    assert guard.check(1) is Verdict.DROP
    # A typed flood pauses presses as well.
    assert [guard.check(2) for _ in range(3)] == [Verdict.ALLOW] * 3
    assert guard.check(2) is Verdict.WARN
    assert guard.check(2, press=True) is Verdict.DROP
    # A quiet window later, both are welcome again.
    time.now += 10
    assert guard.check(1, press=True) is Verdict.ALLOW
    assert guard.check(2) is Verdict.ALLOW


def test_idle_people_are_forgotten() -> None:
    time = FakeTime()
    guard = FloodGuard(limit=2, window=10, now=time)
    for user_id in range(999):
        guard.check(user_id)
    time.now += 11
    guard.check(5000)  # the 1000th check sweeps everyone idle for a window
    assert set(guard._times) == {5000}


@pytest.mark.parametrize("language", ["da", "ar", "en"])
async def test_flooding_resident_is_paused_with_one_notice(nabo: Nabo, language: str) -> None:
    server, tr = nabo.server, Catalogs(ZoneInfo("Europe/Copenhagen")).translator(language)
    limit = nabo.config.flood_limit
    time = FakeTime()
    nabo.application.bot_data.flood.now = time
    # The allowed replies come faster than Telegram's per-chat pace; that limit has
    # its own tests, here it would only make the test wait.
    server.chat_rate = None
    server.user(FLOODER, language_code=language)
    server.user(NEIGHBOUR, language_code="da")
    await add_residents(nabo.store, [FLOODER], nabo.clock.now(), language)
    await add_residents(nabo.store, [NEIGHBOUR], nabo.clock.now(), "da")

    before = server.cursor(FLOODER)
    for number in range(100):
        server.send_text(FLOODER, f"hej {number}")
        if number == 50:
            # A neighbour writing in the middle of the flood is answered as usual.
            server.send_command(NEIGHBOUR, "menu")
    [menu] = await server.wait_for_messages(NEIGHBOUR)
    assert menu["text"] == main_menu_text(Catalogs(ZoneInfo("Europe/Copenhagen")).translator("da"))
    await settle(nabo)

    sent = server.messages(FLOODER)[before:]
    notices = [m for m in sent if m["text"] == tr.gettext(NOTICE)]
    assert len(notices) == 1
    # Exactly the allowed ones were answered, and then the one notice.
    assert len(sent) == limit + 1
    assert sent[-1] == notices[0]
    assert all(
        m["text"] == tr.gettext("Sorry, I can't read that. Please use the buttons:")
        for m in sent[:-1]
    )

    # A press during the pause is still answered (no spinning client), but not acted on.
    query = server.press_button(FLOODER, sent[0]["message_id"], "menu:home")
    assert await server.wait_for_callback_answer(query) is not None
    await settle(nabo)
    assert len(server.messages(FLOODER)) == before + limit + 1

    # After a quiet while, the resident is answered again, without another notice.
    time.now += nabo.config.flood_window.total_seconds()
    server.send_command(FLOODER, "menu")
    [answer] = await server.wait_for_messages(FLOODER)
    assert answer["text"] != tr.gettext(NOTICE)


async def test_staff_are_not_throttled(nabo: Nabo) -> None:
    server = nabo.server
    nabo.application.bot_data.flood.now = FakeTime()
    server.chat_rate = None
    await add_residents(nabo.store, [STAFF_ID], nabo.clock.now(), "da")
    count = nabo.config.flood_limit + 2
    for number in range(count):
        server.send_text(STAFF_ID, f"test {number}")
    await settle(nabo)
    # Every message answered, none of them with the notice.
    da = Catalogs(ZoneInfo("Europe/Copenhagen")).translator("da")
    texts = [m["text"] for m in server.messages(STAFF_ID)]
    assert texts == [da.gettext("Sorry, I can't read that. Please use the buttons:")] * count


@pytest.mark.parametrize("language", ["da", "ar", "en"])
async def test_quick_tapping_is_never_paused_but_scripted_presses_are(
    nabo: Nabo, language: str
) -> None:
    server, tr = nabo.server, Catalogs(ZoneInfo("Europe/Copenhagen")).translator(language)
    presses = nabo.config.flood_press_limit
    assert presses > nabo.config.flood_limit  # the point of a separate budget
    time = FakeTime()
    nabo.application.bot_data.flood.now = time
    server.chat_rate = None  # each press sends a menu; Telegram's pace is tested elsewhere
    server.user(FLOODER, language_code=language)
    await add_residents(nabo.store, [FLOODER], nabo.clock.now(), language)
    server.send_command(FLOODER, "menu")
    [menu] = await server.wait_for_messages(FLOODER)

    # A whole budget of presses at once (far faster than a person): every one handled.
    before = server.cursor(FLOODER)
    queries = [
        server.press_button(FLOODER, menu["message_id"], "menu:home") for _ in range(presses)
    ]
    for query in queries:
        assert await server.wait_for_callback_answer(query) is not None
    await settle(nabo)
    sent = server.messages(FLOODER)[before:]
    assert [m["text"] for m in sent] == [main_menu_text(tr)] * presses

    # One more within the same ten seconds is a script, not a person: paused, told once.
    for _ in range(3):
        server.press_button(FLOODER, menu["message_id"], "menu:home")
    await settle(nabo)
    assert [m["text"] for m in server.messages(FLOODER)[before + presses :]] == [tr.gettext(NOTICE)]
