"""The sandbox's chat page in a real browser: Debian's Chromium, headless, driven by Playwright.

Screenshots of each end state go to test-output/sandbox/ (git ignores test-output/); the
summary at the end of the pytest run names them. Without Chromium (or Playwright) these
tests skip with the reason, except in CI (CI=true), where they fail.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from icalendar import Calendar

from bot.core.config import Config
from bot.core.i18n import PDI, Catalogs, Translator
from bot.sandbox.demo import PERSONAS, demo_drafts
from bot.sandbox.runner import BANNER, Sandbox, running_sandbox
from bot.views.activity import party_text
from tests.conftest import SCREENSHOTS, TestClock

try:
    from playwright.async_api import Browser, Locator, Page, async_playwright, expect
except ImportError:  # the 'test' extra brings it; say so rather than fail on import
    async_playwright = None  # type: ignore[assignment]

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOT_DIR = ROOT / "test-output" / "sandbox"
# Quiet and self-contained: no sandbox for root in CI, no GPU, nothing fetched from outside.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# A guard against hanging on a busy machine, not a speed check.
WAIT_MS = 20_000
LABELS = {persona.key: persona.label for persona in PERSONAS}


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must run the browser tests (.ci/run installs chromium)")
    pytest.skip(reason)


def chromium() -> str:
    """Return the system's Chromium, or skip (fail in CI) with the reason."""
    if async_playwright is None:
        _unavailable("playwright is not installed (pip install -e '.[test]')")
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        _unavailable("no Chromium found: install Debian's package (apt-get install chromium)")
    assert found is not None
    return found


# One browser for the module (starting it is the slow part); a fresh sandbox for each test.
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def browser() -> AsyncIterator[Browser]:
    executable = chromium()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            await browser.close()


@pytest_asyncio.fixture(loop_scope="module")
async def sandbox_page(browser: Browser, tmp_path: Path) -> AsyncIterator[tuple[Sandbox, Page]]:
    expect.set_options(timeout=WAIT_MS)
    database = tmp_path / "sandbox.sqlite3"
    # The run's clock, not today's: the demo week is then the same on any day.
    async with running_sandbox(
        Config.from_env({}), port=0, database=database, clock=TestClock(), poll_timeout=1
    ) as sb:
        page = await browser.new_page(viewport={"width": 1100, "height": 800})
        try:
            page.set_default_timeout(WAIT_MS)
            await page.goto(sb.url)
            await expect(page.get_by_role("banner")).to_contain_text(BANNER)
            yield sb, page
        finally:
            await page.close()


async def be(page: Page, key: str) -> None:
    await page.get_by_role("button", name=LABELS[key]).click()
    await expect(page.locator("#chat-title")).to_have_text(LABELS[key])


async def say(page: Page, text: str) -> None:
    """Type into the message field and press Enter, as a person would."""
    field = page.get_by_placeholder("Write a message")
    await field.fill(text)
    await field.press("Enter")
    await expect(page.locator(".msg.user").last).to_have_text(text)


def bot_says(page: Page, text: str) -> Locator:
    """The newest bot message containing ``text``."""
    return page.locator(".msg.bot").filter(has_text=text).last


async def press(page: Page, label: str | re.Pattern[str], after: str) -> None:
    """Press the newest inline button with that label on a message that says ``after``."""
    message = bot_says(page, after)
    await message.get_by_role("button", name=label, exact=True).last.click()


async def start_and_consent(page: Page, key: str, tr: Translator) -> None:
    """Be that person, pick /start from the command menu and accept the privacy notice."""
    await be(page, key)
    await page.locator("#menu").click()
    commands = page.locator("#commands")
    await commands.get_by_role("button", name=tr.gettext("Start, or open the menu")).click()
    await expect(commands).to_be_hidden()
    await expect(page.locator(".msg.user").last).to_have_text("/start")
    await press(page, tr.gettext("✅ Yes, that's fine"), after=tr.gettext("No thanks"))
    await expect(bot_says(page, tr.gettext("Thank you! You are all set."))).to_be_visible()


async def screenshot(page: Page, name: str) -> None:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    await page.screenshot(path=path)
    SCREENSHOTS.append(path)


async def test_arabic_resident_starts_consents_and_signs_up(
    sandbox_page: tuple[Sandbox, Page], catalogs: Catalogs
) -> None:
    sandbox, page = sandbox_page
    ar = catalogs.translator("ar")
    await start_and_consent(page, "ar", ar)
    # Arabic is laid out right to left, bubble by bubble; the page's own texts are not.
    direction = "e => getComputedStyle(e).direction"
    welcome = ar.gettext("Thank you! You are all set.")
    assert await bot_says(page, welcome).locator(".text").evaluate(direction) == "rtl"
    assert await page.locator("#chat-title").evaluate(direction) == "ltr"
    await press(page, ar.gettext("📅 Activities"), after=welcome)
    # The demo week as loaded at the run's instant: the listing starts with the next one.
    first = demo_drafts(sandbox.clock.now(), sandbox.config.timezone, sandbox.config.areas)[0]
    title = first.title_ar
    assert title is not None
    listing = page.locator(".msg.bot", has=page.get_by_role("button", name=re.compile(r"^1\. ")))
    label = (await listing.last.get_by_role("button").first.inner_text()).split(". ", 1)[1]
    # A long title is cut to fit the button; the detail and the calendar have all of it.
    assert label == title or (label.endswith("…") and title.startswith(label[:-1].rstrip(PDI)))
    await listing.last.get_by_role("button", name=re.compile(r"^1\. ")).click()
    await press(page, ar.gettext("✍️ Sign up"), after=title)
    adults = ar.gettext("{activity}\n\nHow many adults are coming?").replace("{activity}", "")
    await press(page, "1", after=adults.strip())
    children = ar.gettext("{activity}\n\nAnd how many children?").replace("{activity}", "")
    await press(page, "0", after=children.strip())
    signed_up = ar.gettext("✅ You are signed up: {party}.").format(party=party_text(ar, 1, 0))
    confirmation = bot_says(page, signed_up)
    # The question was edited in place into the confirmation: one bubble, marked edited.
    await expect(confirmation.locator(".edited")).to_be_visible()
    await expect(page.locator(".msg.bot").filter(has_text=children.strip())).to_have_count(0)

    # The calendar file downloads from the page.
    async with page.expect_download() as download_info:
        await press(page, ar.gettext("📆 Add to calendar"), after=signed_up)
        await page.locator(".msg.bot a.file").last.click()
    download = await download_info.value
    assert download.suggested_filename.endswith(".ics")
    saved = Path(await download.path())
    calendar = Calendar.from_ical(await asyncio.to_thread(saved.read_bytes))
    [event] = calendar.walk("VEVENT")
    assert str(event["summary"]) == title
    await screenshot(page, "arabic-resident-signed-up")

    rows = await sandbox.application.bot_data.services.store.fetch_all(
        "SELECT user_id, adults, children, status FROM signups"
    )
    assert [tuple(row) for row in rows] == [(1002, 1, 0, "confirmed")]


async def test_staff_broadcast_reaches_a_resident(
    sandbox_page: tuple[Sandbox, Page], catalogs: Catalogs
) -> None:
    _, page = sandbox_page
    da = catalogs.translator("da")
    # A resident who gets messages: Mette consents first.
    await start_and_consent(page, "da", da)

    await be(page, "staff")
    await say(page, "/broadcast")
    announcement = "Husk fællesspisning i aften kl. 18 – alle er velkomne!"
    await expect(bot_says(page, "📣")).to_be_visible()
    await say(page, announcement)
    arabic = da.gettext(
        "Add an Arabic version? Write it, press Skip, or ask volunteer translators: "
        "choose by when you need the text."
    )
    await press(page, da.gettext("Skip"), after=arabic)
    english = da.gettext(
        "Add an English version? Write it, press Skip, or ask volunteer translators: "
        "choose by when you need the text."
    )
    await press(page, da.gettext("Skip"), after=english)
    everyone = da.gettext("Everyone who gets messages ({count})").format(count=1)
    await press(page, everyone, after=da.gettext("Who should get the message?"))
    await press(page, da.gettext("Send now"), after=da.gettext("When should it go out?"))
    summary = da.ngettext(
        "It goes to {count} resident, {when}. Send it?",
        "It goes to {count} residents, {when}. Send it?",
        1,
    ).format(count=1, when=da.gettext("now"))
    await press(page, da.gettext("✅ Send"), after=summary)

    # Mette's chat shows that something new arrived, and the message itself.
    await expect(page.get_by_role("button", name=LABELS["da"])).to_contain_text("1")
    await be(page, "da")
    await expect(page.locator(".msg.bot .text").last).to_have_text(announcement)
    await screenshot(page, "resident-got-broadcast")


# Where each command's first and last letters are drawn: left to right, "/" first.
_COMMAND_GLYPHS = """bubble => [...bubble.querySelectorAll("a.command")].map(link => {
    const text = link.firstChild;
    const at = (i) => { const range = document.createRange();
        range.setStart(text, i); range.setEnd(text, i + 1);
        return range.getBoundingClientRect().left; };
    return [link.textContent, at(0), at(text.length - 1)];
})"""


async def test_arabic_help_shows_commands_the_right_way_round_and_tappable(
    sandbox_page: tuple[Sandbox, Page], catalogs: Catalogs
) -> None:
    _, page = sandbox_page
    ar = catalogs.translator("ar")
    await start_and_consent(page, "ar", ar)
    before = await page.locator(".msg.bot").count()
    await say(page, "/help")
    # The help is the one answer to /help: wait for it, so no earlier message is read.
    await expect(page.locator(".msg.bot")).to_have_count(before + 1)
    bubble = page.locator(".msg.bot").last
    await expect(bubble.locator("a.command", has_text="/help")).to_be_visible()
    glyphs = await bubble.locator(".text").evaluate(_COMMAND_GLYPHS)
    commands = [text for text, _, _ in glyphs]
    assert "/start" in commands
    assert "/deleteme" in commands
    # Read as a phone shows it: "/start", never "start/".
    assert [text for text, first, last in glyphs if not first < last] == []
    await screenshot(page, "arabic-help")
    # A command in the text is a link that sends it.
    answers = await page.locator(".msg.bot").count()
    await bubble.locator("a.command", has_text="/activities").first.click()
    await expect(page.locator(".msg.user").last).to_have_text("/activities")
    await expect(page.locator(".msg.bot")).to_have_count(answers + 1)


# An iPhone 12 to 15's screen in CSS pixels: the size the page must work at on a phone.
PHONE = {"width": 390, "height": 844}


@pytest_asyncio.fixture(loop_scope="module")
async def phone_page(browser: Browser, tmp_path: Path) -> AsyncIterator[tuple[Page, list[str]]]:
    """The chat page on a phone, and what its console would show a developer (errors, 4xx)."""
    expect.set_options(timeout=WAIT_MS)
    async with running_sandbox(
        Config.from_env({}),
        port=0,
        database=tmp_path / "sandbox.sqlite3",
        clock=TestClock(),
        poll_timeout=1,
    ) as sb:
        context = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        try:
            page = await context.new_page()
            page.set_default_timeout(WAIT_MS)
            problems: list[str] = []
            page.on(
                "console",
                lambda message: problems.append(message.text) if message.type == "error" else None,
            )
            page.on(
                "response",
                lambda response: (
                    problems.append(f"{response.status} {response.url}")
                    if response.status >= 400
                    else None
                ),
            )
            await page.goto(sb.url)
            await expect(page.get_by_role("banner")).to_contain_text(BANNER)
            yield page, problems
        finally:
            await context.close()


async def wholly_on_screen(locator: Locator) -> None:
    """The element is visible and all of it inside the viewport: not scrolled or squeezed away."""
    await expect(locator).to_be_visible()
    await expect(locator).to_be_in_viewport(ratio=1)


@pytest.mark.parametrize("key", ["da", "ar"])
async def test_on_a_phone_the_chat_scrolls_and_the_people_stay(
    phone_page: tuple[Page, list[str]], catalogs: Catalogs, key: str
) -> None:
    page, problems = phone_page
    tr = catalogs.translator(key)
    await start_and_consent(page, key, tr)
    await press(page, tr.gettext("📅 Activities"), after=tr.gettext("Thank you! You are all set."))
    newest = page.locator(".msg.bot").last
    await expect(newest.get_by_role("button", name=re.compile(r"^1\. "))).to_be_visible()
    before = await page.locator(".msg.bot").count()
    await say(page, "/help")
    await expect(page.locator(".msg.bot").nth(before)).to_be_visible()
    await screenshot(page, f"phone-{key}")

    # Longer than the screen, the chat scrolls inside itself with the newest message in view,
    # while the page does not scroll and the message field stays on screen.
    messages = page.locator("#messages")
    assert await messages.evaluate("e => e.scrollHeight > e.clientHeight")
    await expect(page.locator(".msg").last).to_be_in_viewport()
    assert await page.evaluate("document.scrollingElement.scrollTop") == 0
    await wholly_on_screen(page.get_by_placeholder("Write a message"))
    await wholly_on_screen(page.get_by_role("button", name="Send"))
    # The people are there to switch to, one tap away, and switching works.
    other = "ar" if key == "da" else "da"
    await wholly_on_screen(page.get_by_role("button", name=LABELS[other]))
    await be(page, other)
    await wholly_on_screen(page.get_by_placeholder("Write a message"))
    assert problems == []


async def test_on_a_phone_a_host_sees_their_roster_in_arabic(
    phone_page: tuple[Page, list[str]], catalogs: Catalogs
) -> None:
    """Hala hosts the next demo activity: /host, then its roster, right to left."""
    page, problems = phone_page
    ar = catalogs.translator("ar")
    await be(page, "host")
    await say(page, "/host")
    menu = bot_says(page, ar.gettext("🤝 Your activities as host"))
    await expect(menu).to_be_visible()
    await menu.get_by_role("button", name=re.compile(r"^1\. ")).click()
    roster = page.locator(".msg.bot").filter(
        has=page.get_by_role("button", name=ar.gettext("📣 Message to the participants"))
    )
    await expect(roster.last).to_be_visible()
    direction = "e => getComputedStyle(e).direction"
    assert await roster.last.locator(".text").evaluate(direction) == "rtl"
    await wholly_on_screen(
        roster.last.get_by_role("button", name=ar.gettext("➕ Sign up someone without Telegram"))
    )
    await screenshot(page, "phone-host-ar")
    assert problems == []


async def test_an_arabic_volunteer_translates_a_message_for_staff(
    sandbox_page: tuple[Sandbox, Page], catalogs: Catalogs
) -> None:
    """Amal offers to translate; Karen asks for the Arabic; Amal sends it; Amal reads it."""
    _, page = sandbox_page
    ar, da = catalogs.translator("ar"), catalogs.translator("da")
    await start_and_consent(page, "ar", ar)
    await say(page, "/volunteer")
    kinds = ar.gettext(
        "What would you like to help with? Tap everything that fits, then press Next."
    )
    await press(page, f"◻️ {ar.gettext('Translating written texts')}", after=kinds)
    await press(page, ar.gettext("Next ▶"), after=kinds)
    question = ar.gettext(
        "Which languages can you translate or interpret between? Tap at least two, "
        "then press Next. Another language? Say which in your note at step 4."
    ).split("؟")[0]
    await press(page, "◻️ Dansk", after=question)
    await press(page, "◻️ العربية", after=question)
    await press(page, ar.gettext("Next ▶"), after=question)
    when = ar.gettext("When can you help? Tap everything that fits, then press Next.")
    await press(page, f"◻️ {ar.gettext('Weekends')}", after=when)
    await press(page, ar.gettext("Next ▶"), after=when)
    await press(page, ar.gettext("💬 Through Nabo"), after=ar.gettext("📞 By phone"))
    await press(page, ar.gettext("Skip"), after=ar.gettext("Skip"))
    await press(page, ar.gettext("✅ Send my offer"), after=ar.gettext("Send it to the team?"))

    # The team marks the offer active in the staff group.
    await be(page, "staff-group")
    card = da.gettext("🙋 New offer of help #{number}").split("{")[0].strip()
    await press(page, da.gettext("✅ Active"), after=card)

    # Karen writes Danish and asks volunteer translators for the Arabic.
    await be(page, "staff")
    await say(page, "/broadcast")
    danish = "Husk fællesspisning i Houlkær i aften kl. 18. Tag MitID med. Skriv /help for hjælp."
    await expect(bot_says(page, "📣")).to_be_visible()
    await say(page, danish)
    arabic_question = da.gettext(
        "Add an Arabic version? Write it, press Skip, or ask volunteer translators: "
        "choose by when you need the text."
    )
    await press(page, da.gettext("🙋 Within 3 hours"), after=arabic_question)
    english = da.gettext(
        "Add an English version? Write it, press Skip, or ask volunteer translators: "
        "choose by when you need the text."
    )
    await press(page, da.gettext("Skip"), after=english)
    everyone = da.gettext("Everyone who gets messages ({count})").split("(")[0]
    await press(
        page, re.compile("^" + re.escape(everyone)), after=da.gettext("Who should get the message?")
    )
    await press(page, da.gettext("Send now"), after=da.gettext("When should it go out?"))
    preview = da.gettext("Preview in {language}:").format(language=da.gettext("Danish"))
    await press(page, da.gettext("💾 Keep it and ask the translators"), after=preview)

    # Amal takes it and sends the Arabic, names and the command as they are.
    await be(page, "ar")
    take = ar.gettext("🙋 I'll take it")
    await page.locator(".msg.bot").get_by_role("button", name=take).last.click()
    await expect(bot_says(page, ar.gettext("✅ It is yours. Thank you!"))).to_be_visible()
    arabic = (
        "تذكير: العشاء المشترك في Houlkær الليلة الساعة 18. أحضروا MitID. اكتبوا /help للمساعدة."
    )
    await say(page, arabic)
    await press(page, ar.gettext("✅ Send to the team"), after=ar.gettext("Send it to the team?"))
    await expect(bot_says(page, "🙏")).to_be_visible()

    # Karen sees it as Amal will, and uses it; then she sends the message.
    await be(page, "staff")
    arrived = bot_says(page, da.gettext("✅ Use it"))
    await arrived.scroll_into_view_if_needed()
    await screenshot(page, "staff-sees-the-translation")
    await press(page, da.gettext("✅ Use it"), after="Houlkær")
    ready = da.gettext("📣 Every translation of your message is decided. Here it is:")
    await press(page, da.gettext("✅ Send"), after=ready)
    await screenshot(page, "staff-translation")

    # Amal reads it in Arabic, right to left, "/help" the right way round and tappable.
    await be(page, "ar")
    bubble = bot_says(page, "تذكير")
    await expect(bubble.locator("a.command", has_text="/help")).to_be_visible()
    direction = "e => getComputedStyle(e).direction"
    assert await bubble.locator(".text").evaluate(direction) == "rtl"
    glyphs = await bubble.locator(".text").evaluate(_COMMAND_GLYPHS)
    assert [text for text, first, last in glyphs if not first < last] == []
    await screenshot(page, "arabic-translator")
