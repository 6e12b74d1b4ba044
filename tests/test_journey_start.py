"""Getting started, end to end: the real Application polling the local Bot API over HTTP."""

import logging
from dataclasses import replace

import pytest

from bot.core.i18n import Catalogs, Translator
from bot.core.logs import apply_log_policy
from bot.db.residents import PRIVACY_NOTICE_VERSION
from bot.sandbox.botapi import BotApiServer
from bot.views.notice import consent_request_text, deletion_question
from handlers.help import help_text
from tests.conftest import STAFF_CHAT_ID, STAFF_ID, Nabo, buttons, refused, settle

LANGUAGES = ["da", "ar", "en"]


def menu_labels(tr: Translator) -> list[str]:
    """The main menu's buttons, in order."""
    return [
        tr.gettext(label)
        for label in (
            "📅 Activities",
            "🗓 My sign-ups",
            "⚙️ What I hear about",
            "🙋 Volunteer",
            "💬 Feedback",
            "❓ Help",
            "🌐 Language",
            "🔒 My data",
        )
    ]


async def say(server: BotApiServer, user_id: int, text: str) -> list[dict]:
    server.send_text(user_id, text)
    return await server.wait_for_messages(user_id)


async def _consent(server: BotApiServer, user_id: int, tr: Translator) -> dict:
    """Start and accept; return the message with the main menu."""
    server.send_command(user_id, "start")
    [notice] = await server.wait_for_messages(user_id)
    server.press(user_id, notice, tr.gettext("✅ Yes, that's fine"))
    [menu] = await server.wait_for_messages(user_id)
    return menu


@pytest.mark.parametrize("language", LANGUAGES)
async def test_consent_given(nabo: Nabo, catalogs: Catalogs, language: str) -> None:
    tr = catalogs.translator(language)
    server = nabo.server
    server.user(101, first_name="Amal", language_code=language)

    server.send_command(101, "start")
    [notice] = await server.wait_for_messages(101)
    assert notice["text"] == consent_request_text(tr)
    assert buttons(notice)[:2] == [tr.gettext("✅ Yes, that's fine"), tr.gettext("No thanks")]
    # Nothing is stored just for reading the notice.
    assert await nabo.resident(101) is None

    query = server.press(101, notice, tr.gettext("✅ Yes, that's fine"))
    [menu] = await server.wait_for_messages(101)
    await server.wait_for_callback_answer(query)
    assert menu["text"].startswith(tr.gettext("Thank you! You are all set."))
    assert buttons(menu) == menu_labels(tr)
    # The notice stays readable but loses its buttons.
    assert buttons(server.messages(101)[0]) == []

    resident = await nabo.resident(101)
    assert resident is not None
    assert resident.language == language
    assert resident.consent_version == PRIVACY_NOTICE_VERSION
    assert resident.consented_at == nabo.clock.now()
    assert not resident.blocked

    # A second /start greets by name and shows the menu, no notice.
    server.send_command(101, "start")
    [again] = await server.wait_for_messages(101)
    assert again["text"].startswith(tr.gettext("Hello, {name}! 👋").format(name=tr.ltr("Amal")))
    assert buttons(again) == buttons(menu)


async def test_danish_is_really_danish(nabo: Nabo, catalogs: Catalogs) -> None:
    nabo.server.user(102, language_code="da")
    menu = await _consent(nabo.server, 102, catalogs.translator("da"))
    assert menu["text"] == "Tak! Så er du klar.\n\nHvad vil du gerne gøre?"


@pytest.mark.parametrize("language", LANGUAGES)
async def test_consent_declined_stores_nothing(
    nabo: Nabo, catalogs: Catalogs, language: str
) -> None:
    tr = catalogs.translator(language)
    server = nabo.server
    server.user(103, language_code=language)
    server.send_command(103, "start")
    [notice] = await server.wait_for_messages(103)
    server.press(103, notice, tr.gettext("No thanks"))
    edited = await server.wait_for_edit(103, notice["message_id"])
    assert edited["text"] == tr.gettext(
        "No problem. Nabo has not stored anything about you.\n"
        "If you change your mind, just send /start."
    )
    assert buttons(edited) == []
    assert await nabo.rows("SELECT * FROM residents") == []

    # Writing again only brings the notice back; still nothing is stored.
    server.send_text(103, "hej")
    [again] = await server.wait_for_messages(103)
    assert again["text"] == consent_request_text(tr)
    assert await nabo.rows("SELECT * FROM residents") == []


async def test_language_picked_before_declining_is_forgotten(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    server = nabo.server
    server.user(104, language_code="da")
    server.send_command(104, "start")
    [notice] = await server.wait_for_messages(104)
    server.press(104, notice, "العربية")
    edited = await server.wait_for_edit(104, notice["message_id"])
    ar = catalogs.translator("ar")
    assert edited["text"] == consent_request_text(ar)
    resident = await nabo.resident(104)
    assert resident is not None
    assert resident.language == "ar"
    assert not resident.has_consented

    server.press(104, edited, ar.gettext("No thanks"))
    await server.wait_for_edit(104, notice["message_id"])
    assert await nabo.rows("SELECT * FROM residents") == []


async def test_language_switch_survives_restart(nabo: Nabo, catalogs: Catalogs) -> None:
    server = nabo.server
    da, en, ar = (catalogs.translator(code) for code in ("da", "en", "ar"))
    server.user(105, language_code="da")
    await _consent(server, 105, da)

    server.send_command(105, "language")
    [choice] = await server.wait_for_messages(105)
    assert buttons(choice) == ["Dansk", "العربية", "English"]
    assert ar.gettext("Choose your language:") in choice["text"]
    server.press(105, choice, "English")
    switched = await server.wait_for_edit(105, choice["message_id"])
    assert switched["text"] == "Nabo now speaks English with you."
    assert buttons(switched) == menu_labels(en)

    await nabo.restart()

    server.send_command(105, "help")
    [help_message] = await server.wait_for_messages(105)
    assert help_message["text"].startswith("Nabo is the chat helper")
    resident = await nabo.resident(105)
    assert resident is not None
    assert resident.language == "en"


async def test_language_from_the_menu_button(nabo: Nabo, catalogs: Catalogs) -> None:
    server = nabo.server
    en = catalogs.translator("en")
    server.user(106, language_code="en")
    menu = await _consent(server, 106, en)
    server.press(106, menu, en.gettext("🌐 Language"))
    [choice] = await server.wait_for_messages(106)
    server.press(106, choice, "العربية")
    switched = await server.wait_for_edit(106, choice["message_id"])
    assert switched["text"] == catalogs.translator("ar").gettext(
        "Nabo now speaks English with you."
    )


async def test_blocked_and_unblocked(nabo: Nabo, catalogs: Catalogs) -> None:
    server = nabo.server
    server.user(107, language_code="da")
    await _consent(server, 107, catalogs.translator("da"))

    server.block(107)
    await settle(nabo)
    resident = await nabo.resident(107)
    assert resident is not None
    assert resident.blocked

    server.unblock(107)
    await settle(nabo)
    resident = await nabo.resident(107)
    assert resident is not None
    assert not resident.blocked


async def test_block_by_a_stranger_stores_nothing(nabo: Nabo) -> None:
    nabo.server.user(108, language_code="ar")
    nabo.server.block(108)
    await settle(nabo)
    assert await nabo.rows("SELECT * FROM residents") == []


async def test_group_chat_said_once_and_nothing_stored(nabo: Nabo, catalogs: Catalogs) -> None:
    server = nabo.server
    server.user(109, language_code="en")
    server.add_bot_to_group(109, -555, title="Neighbours")
    [hello] = await server.wait_for_messages(-555)
    assert hello["text"] == catalogs.translator("en").gettext(
        "Hello! Nabo only works in a private chat. Write to me directly to use it. "
        "I do not store anything about this group or its members."
    )
    server.send_text(109, "/start", chat_id=-555, chat_type="group")
    server.send_text(109, "hello everyone", chat_id=-555, chat_type="group")
    await settle(nabo)
    assert len(server.messages(-555)) == 1
    assert await nabo.rows("SELECT * FROM residents") == []


async def test_staff_group_gets_a_staff_greeting(nabo: Nabo, catalogs: Catalogs) -> None:
    server = nabo.server
    server.add_bot_to_group(STAFF_ID, STAFF_CHAT_ID, title="Boligsocialt team")
    [hello] = await server.wait_for_messages(STAFF_CHAT_ID)
    assert hello["text"] == catalogs.translator("da").gettext(
        "Hello, team! Nabo will post notifications and error reports here."
    )


JUNK = {
    "unknown command": lambda s, u: s.send_command(u, "frobnicate", "now"),
    "upper-case command": lambda s, u: s.send_text(u, "/FROBNICATE"),
    "free text": lambda s, u: s.send_text(u, "hvornår er der lektiecafé?"),
    "sticker": lambda s, u: s.send_sticker(u),
    "photo": lambda s, u: s.send_photo(u),
    "voice": lambda s, u: s.send_voice(u),
    "location": lambda s, u: s.send_location(u),
    "10,000 characters": lambda s, u: s.send_text(u, "ب" * 10_000),
}


@pytest.mark.parametrize("language", LANGUAGES)
async def test_junk_gets_a_friendly_way_back(nabo: Nabo, catalogs: Catalogs, language: str) -> None:
    tr = catalogs.translator(language)
    server = nabo.server
    user_id = 110 + LANGUAGES.index(language)
    server.user(user_id, language_code=language)
    menu = await _consent(server, user_id, tr)
    for kind, send in JUNK.items():
        send(server, user_id)
        [reply] = await server.wait_for_messages(user_id)
        expected = (
            tr.gettext("I don't know that command. Here is what I can do:")
            if "command" in kind
            else tr.gettext("Sorry, I can't read that. Please use the buttons:")
        )
        assert reply["text"] == expected, kind
        assert buttons(reply) == buttons(menu), kind
    assert refused(server) == []


async def test_edited_message_is_ignored(nabo: Nabo, catalogs: Catalogs) -> None:
    server = nabo.server
    server.user(120, language_code="da")
    await _consent(server, 120, catalogs.translator("da"))
    sent = server.send_text(120, "hej")
    await server.wait_for_messages(120)
    server.edit_text(120, sent["message"]["message_id"], "hej igen")
    await settle(nabo)
    assert len(server.messages(120)) == 3  # notice, menu, one reply to "hej"; none to the edit


async def test_forged_and_stale_buttons(nabo: Nabo, catalogs: Catalogs) -> None:
    server = nabo.server
    da = catalogs.translator("da")
    server.user(121, language_code="da")
    menu = await _consent(server, 121, da)
    for data in ("act:join:99999", "lang:set:xx", "consent:maybe", "ü" * 20, "menu:home:extra"):
        query = server.press_button(121, menu["message_id"], data)
        answer = await server.wait_for_callback_answer(query)
        assert answer.get("text") == da.gettext("This button no longer works."), data
        [reply] = await server.wait_for_messages(121)
        assert reply["text"] == da.gettext("This button no longer works. Here is the menu:")
    resident = await nabo.resident(121)
    assert resident is not None
    assert resident.language == "da"


async def test_double_tap_on_yes_consents_once(nabo: Nabo, catalogs: Catalogs) -> None:
    server = nabo.server
    da = catalogs.translator("da")
    server.user(122, language_code="da")
    server.send_command(122, "start")
    [notice] = await server.wait_for_messages(122)
    first = server.press_button(122, notice["message_id"], "consent:yes")
    second = server.press_button(122, notice["message_id"], "consent:yes")
    await server.wait_for_callback_answer(first)
    await server.wait_for_callback_answer(second)
    await settle(nabo)
    texts = [m["text"] for m in server.messages(122)]
    assert (
        texts.count(
            da.gettext("Thank you! You are all set.")
            + "\n\n"
            + da.gettext("What would you like to do?")
        )
        == 1
    )
    assert len(await nabo.rows("SELECT * FROM residents")) == 1


@pytest.mark.parametrize("language", LANGUAGES)
async def test_help_before_and_after_consent(nabo: Nabo, catalogs: Catalogs, language: str) -> None:
    tr = catalogs.translator(language)
    server = nabo.server
    user_id = 130 + LANGUAGES.index(language)
    server.user(user_id, language_code=language)
    server.send_command(user_id, "help")
    [reply] = await server.wait_for_messages(user_id)
    assert reply["text"] == help_text(tr)
    assert "/mydata" in reply["text"]
    assert buttons(reply) == [tr.gettext("☰ Menu")]
    assert await nabo.rows("SELECT * FROM residents") == []

    # After consent the menu's help button shows the same text.
    menu = await _consent(server, user_id, tr)
    server.press(user_id, menu, tr.gettext("❓ Help"))
    [reply] = await server.wait_for_messages(user_id)
    assert reply["text"] == help_text(tr)


async def test_command_menus_per_language(nabo: Nabo, catalogs: Catalogs) -> None:
    server = nabo.server
    for language in LANGUAGES:
        tr = catalogs.translator(language)
        commands = server.commands(language_code=language)
        assert [c["command"] for c in commands] == [
            "start",
            "menu",
            "activities",
            "mine",
            "settings",
            "volunteer",
            "feedback",
            "help",
            "language",
            "privacy",
            "mydata",
            "deleteme",
        ]
        assert commands[7]["description"] == tr.gettext("What Nabo can do")
    default = server.commands()
    assert default[7]["description"] == catalogs.translator("da").gettext("What Nabo can do")


async def test_mydata_and_deleteme(nabo: Nabo, catalogs: Catalogs) -> None:
    server = nabo.server
    en = catalogs.translator("en")
    server.user(140, language_code="en")
    await _consent(server, 140, en)
    server.send_command(140, "mydata")
    [summary, file] = await server.wait_for_messages(140, 2)
    today = en.date(nabo.clock.now())  # in Viborg: the day after UTC's on New Year's Eve
    assert summary["text"].splitlines() == [
        "This is everything Nabo stores about you:",
        "• Telegram user number: 140",
        "• Language: English",
        f"• First contact: {today}",
        f"• Last used Nabo: {today}",
        f"• Privacy notice accepted: {today}",
        "• Announcements: on",
        "• Reminders: on",
        "• Sign-ups and waitlist places, past ones too: 0",
        "",
        "The file below has all of it in full. Delete everything with /deleteme.",
    ]
    assert file["document"]["file_name"] == "nabo-my-data.json"
    server.send_command(140, "deleteme")
    [ask] = await server.wait_for_messages(140)
    server.press(140, ask, en.gettext("🗑 Yes, delete my data"))
    done = await server.wait_for_edit(140, ask["message_id"])
    assert done["text"] == en.gettext(
        "Done. Nabo has deleted everything about you. Send /start if you want to come back."
    )
    assert await nabo.rows("SELECT * FROM residents") == []
    # Starting again begins from scratch.
    server.send_command(140, "start")
    [notice] = await server.wait_for_messages(140)
    assert notice["text"] == consent_request_text(en)


async def test_error_is_logged_apologised_and_reported(
    nabo: Nabo, catalogs: Catalogs, caplog: pytest.LogCaptureFixture
) -> None:
    server = nabo.server
    ar = catalogs.translator("ar")
    server.user(150, language_code="ar")
    server.add_bot_to_group(STAFF_ID, STAFF_CHAT_ID, title="Team")
    await server.wait_for_messages(STAFF_CHAT_ID)
    await _consent(server, 150, ar)
    caplog.set_level(logging.DEBUG)
    apply_log_policy(logging.DEBUG)
    staff_cursor = server.cursor(STAFF_CHAT_ID)
    server.fail_next("sendMessage", 400, "Bad Request: something unexpected", chat_id=150)
    server.send_text(150, "سر 12345 secret text")
    [apology] = await server.wait_for_messages(150)
    assert apology["text"] == ar.gettext(
        "Sorry, something went wrong on our side. Please try again in a moment."
    )
    [report] = await server.wait_for_messages(STAFF_CHAT_ID, after=staff_cursor)
    assert report["text"].startswith("⚠️ Nabo fik en fejl (BadRequest)")
    assert "error while handling update" in caplog.text
    assert "secret text" not in caplog.text
    assert server.token not in caplog.text
    assert server.token.split(":")[1] not in caplog.text


async def test_error_inside_a_button_still_gets_an_apology(nabo: Nabo, catalogs: Catalogs) -> None:
    server = nabo.server
    en = catalogs.translator("en")
    server.user(160, language_code="en")
    await _consent(server, 160, en)
    server.send_command(160, "language")
    [choice] = await server.wait_for_messages(160)
    server.fail_next("editMessageText", 400, "Bad Request: something unexpected", chat_id=160)
    query = server.press(160, choice, "English")
    await server.wait_for_callback_answer(query)
    [apology] = await server.wait_for_messages(160)
    assert apology["text"] == en.gettext(
        "Sorry, something went wrong on our side. Please try again in a moment."
    )
    assert buttons(apology) == [en.gettext("☰ Menu")]


async def test_declining_an_updated_notice_asks_before_erasing(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    """Someone who accepted an older notice has a history: "No thanks" must not wipe it
    at one tap, and when they do confirm, whoever moves up the waitlist is told."""
    from bot.db.signups import SignupRepository
    from tests.factories import add_activity, add_residents

    tr = catalogs.translator("da")
    now = nabo.clock.now()
    activity = await add_activity(nabo.store, now, capacity=1)
    await add_residents(nabo.store, [108, 109], now)
    signups = SignupRepository(nabo.store)
    await signups.sign_up(activity, 108, 1, 0, now, waitlist=False, first_name="Aya")
    await signups.sign_up(activity, 109, 1, 0, now, waitlist=True, first_name="Bo")
    async with nabo.store.transaction() as db:
        await db.execute(
            "UPDATE residents SET consent_version = ? WHERE user_id = 108",
            (PRIVACY_NOTICE_VERSION - 1,),
        )
    server = nabo.server
    server.user(108, language_code="da")
    server.user(109, language_code="da")
    server.open_chat(109)  # they wrote to Nabo before
    server.send_command(108, "start")
    [notice] = await server.wait_for_messages(108)
    assert notice["text"] == consent_request_text(tr)

    server.press(108, notice, tr.gettext("No thanks"))
    question = await server.wait_for_edit(108, notice["message_id"])
    assert question["text"] == deletion_question(tr)
    assert buttons(question) == [
        tr.gettext("🗑 Yes, delete my data"),
        tr.gettext("No, keep my data"),
    ]
    # Nothing is erased yet.
    assert await nabo.rows("SELECT user_id, status FROM signups ORDER BY id") == [
        (108, "confirmed"),
        (109, "waitlisted"),
    ]

    before = server.cursor(109)
    server.press(108, question, tr.gettext("🗑 Yes, delete my data"))
    await server.wait_for_edit(108, notice["message_id"])
    [told] = await server.wait_for_messages(109, after=before)
    assert await nabo.rows("SELECT user_id, status FROM signups ORDER BY id") == [
        (None, "cancelled"),
        (109, "confirmed"),
    ]
    assert await nabo.resident(108) is None
    good_news = tr.gettext(
        "🎉 Good news! A place became free, and you are now signed up: {party}.\n\n"
        "{activity}\n\n"
        "If you can no longer come, please cancel so someone else can have the place."
    )
    assert told["text"].startswith(good_news.split("{party}")[0])


async def test_staff_command_menu_follows_a_new_language(nabo: Nabo, catalogs: Catalogs) -> None:
    from bot.views.staff_menu import STAFF_COMMANDS

    server = nabo.server
    ar = catalogs.translator("ar")
    server.user(STAFF_ID, language_code="da")
    await say(server, STAFF_ID, "/start")  # staff need not accept the notice first
    server.send_command(STAFF_ID, "language")
    [choice] = await server.wait_for_messages(STAFF_ID)
    server.press(STAFF_ID, choice, "العربية")
    await server.wait_for_edit(STAFF_ID, choice["message_id"])
    await settle(nabo)
    menu = server.command_menu(STAFF_ID, "da")
    name, text = STAFF_COMMANDS[0]
    assert {"command": name, "description": ar.gettext(text)} in menu


def staff_command_names(server: BotApiServer, user_id: int, language: str) -> dict[str, str]:
    """The command menu the staff member's Telegram app shows: name → description."""
    return {c["command"]: c["description"] for c in server.command_menu(user_id, language)}


@pytest.mark.parametrize("language", LANGUAGES)
async def test_new_staff_find_their_tools_at_start_and_in_help(
    nabo: Nabo, catalogs: Catalogs, language: str
) -> None:
    from bot.views.staff_menu import STAFF_COMMANDS

    tr = catalogs.translator(language)
    server = nabo.server
    server.user(STAFF_ID, first_name="Mette", language_code=language)

    # Start: the staff tools, not the residents' notice; nothing stored for it.
    [welcome] = await say(server, STAFF_ID, "/start")
    assert buttons(welcome) == [
        tr.gettext("🛠 Staff"),
        tr.gettext("🔒 Privacy notice for residents"),
        tr.gettext("🌐 Language"),
        tr.gettext("❓ Help"),
    ]
    for name, description in STAFF_COMMANDS:
        assert (
            f"{tr.line_start()}{tr.ltr('/' + name)} – {tr.gettext(description)}"
            in welcome["text"].splitlines()
        )
    from handlers.start import staff_welcome_text

    assert welcome["text"] == staff_welcome_text(tr, "Mette")
    assert await nabo.rows("SELECT * FROM residents") == []
    # The command menu has the staff commands, in the language the app speaks.
    menu = staff_command_names(server, STAFF_ID, language)
    assert menu["broadcast"] == tr.gettext("Send a message to residents")
    assert menu["start"] == tr.gettext("Start, or open the menu")

    server.press(STAFF_ID, welcome, tr.gettext("🛠 Staff"))
    [staff_menu] = await server.wait_for_messages(STAFF_ID)
    assert staff_menu["text"] == tr.gettext("🛠 Staff menu — what do you want to do?")
    # The menu button leads back to the tools, not to the residents' notice.
    server.press(STAFF_ID, staff_menu, tr.gettext("☰ Menu"))
    [again] = await server.wait_for_messages(STAFF_ID)
    assert again["text"] == staff_welcome_text(tr, "Mette")

    # Help: the residents' commands, then the team's, with the way to the staff menu.
    [help_message] = await say(server, STAFF_ID, "/help")
    assert help_message["text"].startswith(help_text(tr))
    assert help_message["text"].endswith(
        tr.gettext("🛠 For the team:")
        + "\n"
        + "\n".join(
            f"{tr.line_start()}{tr.ltr('/' + name)} – {tr.gettext(text)}"
            for name, text in STAFF_COMMANDS
        )
    )
    assert buttons(help_message) == [tr.gettext("🛠 Staff"), tr.gettext("☰ Menu")]
    # A resident's help has no staff part.
    server.user(150, language_code=language)
    await _consent(server, 150, tr)
    [resident_help] = await say(server, 150, "/help")
    assert resident_help["text"] == help_text(tr)

    # The residents' notice is there if they want to use Nabo as residents too.
    server.press(STAFF_ID, again, tr.gettext("🔒 Privacy notice for residents"))
    [notice] = await server.wait_for_messages(STAFF_ID)
    server.press(STAFF_ID, notice, tr.gettext("✅ Yes, that's fine"))
    [menu_message] = await server.wait_for_messages(STAFF_ID)
    assert tr.gettext("🛠 Staff") in buttons(menu_message)
    [hello] = await say(server, STAFF_ID, "/start")
    assert hello["text"].splitlines()[1] == tr.gettext(
        "🛠 Your staff tools: /staff, or the button at the bottom."
    )


async def test_staff_without_consent_get_their_command_list_at_start_up(
    nabo: Nabo, catalogs: Catalogs
) -> None:
    from bot.views.staff_menu import STAFF_COMMANDS

    ar, en = catalogs.translator("ar"), catalogs.translator("en")
    server = nabo.server
    # Someone who wrote to Nabo once, stored nothing, and is then made staff.
    server.user(905, language_code="en")
    await say(server, 905, "/start")
    # A staff member who chose Arabic in Nabo but never accepted the notice.
    server.user(STAFF_ID, language_code="da")
    [choice] = await say(server, STAFF_ID, "/language")
    server.press(STAFF_ID, choice, "العربية")
    await server.wait_for_edit(STAFF_ID, choice["message_id"])
    await nabo.stop()
    nabo.config = replace(nabo.config, staff_user_ids=frozenset({STAFF_ID, 905, 906}))
    await nabo.start()  # 906 never wrote: Telegram refuses their list, the others get it

    name, description = STAFF_COMMANDS[0]
    assert staff_command_names(server, 905, "en")[name] == en.gettext(description)
    # Their choice in Nabo wins over the app's language.
    assert staff_command_names(server, STAFF_ID, "da")[name] == ar.gettext(description)
    assert "staff" not in staff_command_names(server, 150, "en")
