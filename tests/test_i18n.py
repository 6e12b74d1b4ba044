"""Language resolution and formatting with the real catalogs."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.i18n import FSI, PDI, Catalogs, resolve_language

COPENHAGEN = ZoneInfo("Europe/Copenhagen")


@pytest.mark.parametrize(
    ("stored", "telegram", "default", "expected"),
    [
        ("ar", "da", "en", "ar"),  # a stored choice wins
        (None, "ar-EG", "da", "ar"),
        (None, "en-GB", "da", "en"),
        (None, "da", "en", "da"),
        (None, "DA", "en", "da"),
        (None, "de", "da", "da"),  # not one of ours: the default
        (None, None, "en", "en"),
        (None, "", "ar", "ar"),
        ("xx", "en", "da", "en"),  # a corrupt stored value is ignored
    ],
)
def test_resolve_language(
    stored: str | None, telegram: str | None, default: str, expected: str
) -> None:
    assert resolve_language(stored, telegram, default) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [("da", "☰ Menu"), ("ar", "☰ القائمة"), ("en", "☰ Menu")],
)
def test_menu_button_translated(catalogs: Catalogs, language: str, expected: str) -> None:
    assert catalogs.translator(language).gettext("☰ Menu") == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("da", "Nabo taler nu dansk med dig."),
        ("ar", f"سيتحدث {FSI}Nabo{PDI} معك الآن باللغة العربية."),
        ("en", "Nabo now speaks English with you."),
    ],
)
def test_each_language_names_itself(catalogs: Catalogs, language: str, expected: str) -> None:
    assert catalogs.translator(language).gettext("Nabo now speaks English with you.") == expected


def test_placeholder_filled_after_translation(catalogs: Catalogs) -> None:
    tr = catalogs.translator("ar")
    text = tr.gettext("Hello, {name}! 👋").format(name=tr.ltr("Anna"))
    assert text == f"مرحبا {FSI}Anna{PDI}! 👋"


@pytest.mark.parametrize(("language", "wrapped"), [("da", False), ("ar", True), ("en", False)])
def test_ltr_isolates_only_in_rtl(catalogs: Catalogs, language: str, wrapped: bool) -> None:
    tr = catalogs.translator(language)
    assert tr.is_rtl is wrapped
    assert tr.ltr("17:00") == (f"{FSI}17:00{PDI}" if wrapped else "17:00")


@pytest.mark.parametrize(
    ("moment", "language", "expected"),
    [
        # Winter: UTC+1. The weekday in full, as the locale writes a full date.
        (datetime(2026, 3, 12, 16, 0, tzinfo=UTC), "da", "torsdag den 12. marts kl. 17:00"),
        (datetime(2026, 3, 12, 16, 0, tzinfo=UTC), "en", "Thursday, March 12 at 17:00"),
        # Summer: UTC+2, the same local time.
        (datetime(2026, 7, 2, 15, 0, tzinfo=UTC), "da", "torsdag den 2. juli kl. 17:00"),
        (datetime(2026, 7, 4, 15, 0, tzinfo=UTC), "en", "Saturday, July 4 at 17:00"),
    ],
)
def test_when_is_local_time(
    catalogs: Catalogs, moment: datetime, language: str, expected: str
) -> None:
    assert catalogs.translator(language).when(moment) == expected


def test_when_in_arabic_isolates_the_time(catalogs: Catalogs) -> None:
    text = catalogs.translator("ar").when(datetime(2026, 3, 12, 16, 0, tzinfo=UTC))
    # The day of the month is a number inside Arabic text, isolated as the time is.
    assert text == f"الخميس، {FSI}12{PDI} آذار (مارس) الساعة {FSI}17:00{PDI}"


@pytest.mark.parametrize("language", ["da", "ar", "en"])
def test_every_weekday_is_written_in_full(catalogs: Catalogs, language: str) -> None:
    tr = catalogs.translator(language)
    monday = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
    for offset in range(7):
        moment = monday + timedelta(days=offset)
        full = tr.locale.days["format"]["wide"][offset]
        short = tr.locale.days["format"]["abbreviated"][offset]
        assert tr.when(moment).startswith(full), (language, offset)
        if short != full:  # Arabic has no short weekday names
            assert not tr.when(moment).startswith(short + " "), (language, offset)
            assert f"{short}." not in tr.when(moment)


# Levantine and Iraqi names first (residents from Syria, Iraq, Lebanon and Palestine say
# them), the Egyptian and Gulf names every Arabic reader knows in brackets.
ARABIC_MONTHS = [
    "كانون الثاني (يناير)",
    "شباط (فبراير)",
    "آذار (مارس)",
    "نيسان (أبريل)",
    "أيار (مايو)",
    "حزيران (يونيو)",
    "تموز (يوليو)",
    "آب (أغسطس)",
    "أيلول (سبتمبر)",
    "تشرين الأول (أكتوبر)",
    "تشرين الثاني (نوفمبر)",
    "كانون الأول (ديسمبر)",
]


@pytest.mark.parametrize("month", range(1, 13))
def test_arabic_months_have_both_names(catalogs: Catalogs, month: int) -> None:
    ar = catalogs.translator("ar")
    moment = datetime(2026, month, 15, 12, 0, tzinfo=UTC)
    day, year = f"{FSI}15{PDI}", f"{FSI}2026{PDI}"
    assert f" {day} {ARABIC_MONTHS[month - 1]} " in ar.when(moment)
    assert ar.date(moment) == f"{day} {ARABIC_MONTHS[month - 1]} {year}"
    assert ar.date(moment.date()) == f"{day} {ARABIC_MONTHS[month - 1]} {year}"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("da", "1. januar 2031"),
        ("en", "January 1, 2031"),
        ("ar", f"{FSI}1{PDI} كانون الثاني (يناير) {FSI}2031{PDI}"),
    ],
)
def test_date_is_the_local_day(catalogs: Catalogs, language: str, expected: str) -> None:
    tr = catalogs.translator(language)
    # 23:30 UTC on New Year's Eve is already New Year's Day in Copenhagen.
    assert tr.date(datetime(2030, 12, 31, 23, 30, tzinfo=UTC)) == expected
    assert tr.date(date(2031, 1, 1)) == expected  # a day is a day, whatever the zone


@pytest.mark.parametrize(
    ("count", "form"), [(0, 0), (1, 1), (2, 2), (3, 3), (10, 3), (11, 4), (99, 4), (100, 5)]
)
def test_arabic_plural_rule_has_six_forms(catalogs: Catalogs, count: int, form: int) -> None:
    assert catalogs.translator("ar").translations.plural(count) == form
