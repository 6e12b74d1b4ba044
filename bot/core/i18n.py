"""Languages: gettext catalogs, the resident's language, and locale-aware formatting."""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

# The marks Translator.ltr and line_start write (bot.core.bidi), imported from here too.
from bot.core.bidi import FSI as FSI
from bot.core.bidi import PDI as PDI
from bot.core.bidi import RLM as RLM
from bot.core.config import LANGUAGES

log = logging.getLogger(__name__)

LOCALES_DIR = Path(__file__).resolve().parents[2] / "locales"
DOMAIN = "messages"


# The name of each language in that language, for the language buttons.
LANGUAGE_NAMES: dict[str, str] = {"da": "Dansk", "ar": "العربية", "en": "English"}


# A full date without its year: the locale's own full pattern ("EEEE 'den' d. MMMM y" in
# Danish) less the year, so the weekday is written out. (Babel does not widen a skeleton's
# fields as ICU does: the skeleton MMMMEEEEd came out as "tors. 12. marts".)
_YEAR = re.compile(r"[,،]?\s*y+")


def _arabic_months() -> dict[int, str]:
    """Name each month twice in Arabic: آذار (مارس).

    Levantine and Iraqi Arabic name the months آذار, نيسان …; Egyptian, Gulf and North
    African Arabic name them مارس, أبريل …. Many Arabic-speaking residents of Danish social
    housing come from Syria, Iraq, Lebanon and Palestine and say آذار; the others read
    مارس. Both names, from CLDR's ar_SY and ar, so every reader knows the month.
    """
    levant = Locale.parse("ar_SY").months["format"]["wide"]
    common = Locale.parse("ar").months["format"]["wide"]
    return {month: f"{levant[month]} ({common[month]})" for month in range(1, 13)}


ARABIC_MONTHS = _arabic_months()


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (translated where shown)."""
    return message


def resolve_language(stored: str | None, telegram_code: str | None, default: str) -> str:
    """Pick the language: the stored choice, else Telegram's language_code, else the default."""
    if stored in LANGUAGES:
        return stored
    if telegram_code:
        prefix = telegram_code.strip().lower()[:2]
        if prefix in LANGUAGES:
            return prefix
    return default


def load_translations(language: str, locales_dir: Path = LOCALES_DIR) -> Translations:
    """Load one language's catalog: the compiled .mo when current, else the .po itself.

    Reading the .po directly means a fresh clone works without a compile step; the
    Docker image compiles at build time and takes the faster path.
    """
    folder = locales_dir / language / "LC_MESSAGES"
    po_path = folder / f"{DOMAIN}.po"
    mo_path = folder / f"{DOMAIN}.mo"
    if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
        with mo_path.open("rb") as handle:
            return Translations(handle, domain=DOMAIN)
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    buffer = io.BytesIO()
    # Fuzzy entries are not trustworthy translations; the catalog test forbids them anyway.
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


@dataclass(frozen=True)
class Translator:
    """Everything language-specific for one reader: messages, plurals, dates, direction."""

    language: str
    translations: Translations
    timezone: ZoneInfo
    locale: Locale = field(init=False)

    def __post_init__(self) -> None:
        """Parse the babel locale once."""
        object.__setattr__(self, "locale", Locale.parse(self.language))

    @property
    def is_rtl(self) -> bool:
        """Tell whether this language is written right to left."""
        return self.locale.text_direction == "rtl"

    def gettext(self, message: str) -> str:
        """Translate a message."""
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        """Translate a message whose form depends on a count (Arabic has six forms)."""
        return self.translations.ngettext(singular, plural, count)

    def ltr(self, value: object) -> str:
        """Wrap a left-to-right value in Unicode isolates when the text around it is RTL."""
        text = str(value)
        return f"{FSI}{text}{PDI}" if self.is_rtl else text

    def line_start(self) -> str:
        """Return the mark that starts a line opening with a left-to-right value (RTL only)."""
        return RLM if self.is_rtl else ""

    def when(self, moment: datetime) -> str:
        """Format a moment as weekday in full, date and time, in this locale and time zone."""
        local = moment.astimezone(self.timezone)
        pattern = _YEAR.sub("", self.locale.date_formats["full"].pattern)
        day = format_date(local.date(), self._arabic(pattern, local.month), locale=self.locale)
        time = format_datetime(local, "HH:mm", tzinfo=self.timezone, locale=self.locale)
        # The weekday and month are words of the language; only the clock time is LTR.
        return self.gettext("{day} at {time}").format(day=day, time=self.ltr(time))

    def time(self, moment: datetime) -> str:
        """Format the local clock time of a moment, e.g. 17:00."""
        return format_datetime(moment, "HH:mm", tzinfo=self.timezone, locale=self.locale)

    def date(self, moment: datetime | date) -> str:
        """Format a day, or the local day of a moment, e.g. 28. november 2026."""
        day = moment.astimezone(self.timezone).date() if isinstance(moment, datetime) else moment
        pattern = self.locale.date_formats["long"].pattern
        return format_date(day, self._arabic(pattern, day.month), locale=self.locale)

    def day(self, moment: datetime) -> str:
        """Format the local day of a moment in full: weekday, day, month and year."""
        local = moment.astimezone(self.timezone)
        pattern = self.locale.date_formats["full"].pattern
        return format_date(local.date(), self._arabic(pattern, local.month), locale=self.locale)

    def day_and_month(self, moment: datetime) -> str:
        """Format the local day of a moment briefly, e.g. 6. mar. (a list of dates)."""
        local = moment.astimezone(self.timezone)
        pattern = self.locale.datetime_skeletons["MMMd"].pattern
        return format_date(local.date(), self._arabic(pattern, local.month), locale=self.locale)

    def _arabic(self, pattern: str, month: int) -> str:
        """In Arabic: the month by both names (see ARABIC_MONTHS), day and year isolated.

        A number inside Arabic text is a left-to-right value like any other (README:
        Languages and translators), so the day and the year get isolates as times do.
        """
        if self.language != "ar":
            return pattern
        for letter in ("y", "d"):
            pattern = re.sub(f"{letter}+", lambda run: f"'{FSI}'{run.group()}'{PDI}'", pattern)
        return re.sub("M{3,}", f"'{ARABIC_MONTHS[month]}'", pattern)


class Catalogs:
    """The three languages' translations, loaded once at start-up."""

    def __init__(self, timezone: ZoneInfo, locales_dir: Path = LOCALES_DIR) -> None:
        """Load every language's catalog; fail loudly if one is missing."""
        self.timezone = timezone
        self._translators = {
            language: Translator(language, load_translations(language, locales_dir), timezone)
            for language in LANGUAGES
        }

    def translator(self, language: str) -> Translator:
        """Return the translator for a language code (one of da, ar, en)."""
        return self._translators[language]
