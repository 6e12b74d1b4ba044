"""Text that looks like HTML or Markdown is shown exactly as written, wherever it is echoed.

Nabo never sets a parse_mode, so Telegram renders nothing in what people wrote. Broadcasts,
feedback comments and volunteer notes are checked in their journey tests; here: activity
titles, places and descriptions, and residents' names in the staff's sign-up list.
"""

from pathlib import Path

from tests.conftest import STAFF_ID, Nabo, settle
from tests.factories import add_activity, add_residents

MARKUP = ["<b>x</b>", "*x*", "_x_", "[a](http://x)", "&amp;", "<i>", "`code`", "||s||"]
TITLE = "Café " + " ".join(MARKUP)
NAME = "<b>Ali</b> *Ø* _x_ &amp;"
RESIDENT = 51
ROOT = Path(__file__).resolve().parent.parent


def test_no_code_asks_telegram_to_parse_markup() -> None:
    # A parse_mode anywhere would make residents' and staff's own words markup.
    sources = [*ROOT.joinpath("bot").glob("*.py"), *ROOT.joinpath("handlers").glob("*.py")]
    assert len(sources) > 20
    assert [path.name for path in sources if "parse_mode" in path.read_text()] == []


async def test_titles_and_names_are_shown_literally(nabo: Nabo) -> None:
    server, now = nabo.server, nabo.clock.now()
    activity = await add_activity(
        nabo.store,
        now,
        title_da=TITLE,
        title_en=TITLE,
        place="<a href='x'>Huset</a> & *Salen*",
        description_da="_Kom_ **bare** <u>forbi</u>",
    )
    server.user(RESIDENT, first_name=NAME, language_code="en")
    server.user(STAFF_ID, language_code="da")
    await add_residents(nabo.store, [RESIDENT, STAFF_ID], now, "en")

    server.send_command(RESIDENT, "activities")
    [listing] = await server.wait_for_messages(RESIDENT)
    assert TITLE in listing["text"]
    server.press_button(RESIDENT, listing["message_id"], f"act:s:{activity}")
    [detail] = await server.wait_for_messages(RESIDENT)
    assert TITLE in detail["text"]
    assert "<a href='x'>Huset</a> & *Salen*" in detail["text"]
    assert "_Kom_ **bare** <u>forbi</u>" in detail["text"]
    server.press_button(RESIDENT, detail["message_id"], f"su:c:{activity}:0:1:0")
    confirmation = await server.wait_for_edit(RESIDENT, detail["message_id"])
    assert TITLE in confirmation["text"]

    # The staff's sign-up list shows the name the resident gave Telegram, as given.
    server.send_command(STAFF_ID, "staff")
    [menu] = await server.wait_for_messages(STAFF_ID)
    server.press_button(STAFF_ID, menu["message_id"], f"st:a:{activity}")
    await settle(nabo)
    roster = server.messages(STAFF_ID)[-1]
    assert NAME in roster["text"]
    assert TITLE in roster["text"]

    # Nothing anywhere was sent for Telegram to format.
    for chat_id in (RESIDENT, STAFF_ID):
        for message in server.messages(chat_id):
            assert message["parse_mode"] is None
            assert "entities" not in message
