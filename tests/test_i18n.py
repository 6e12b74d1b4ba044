"""Language resolution and formatting with the real catalogs."""

from datetime import UTC, datetime
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
        # Winter: UTC+1.
        (datetime(2026, 3, 12, 16, 0, tzinfo=UTC), "da", "tors. 12. marts kl. 17:00"),
        (datetime(2026, 3, 12, 16, 0, tzinfo=UTC), "en", "Thu, March 12 at 17:00"),
        # Summer: UTC+2, the same local time.
        (datetime(2026, 7, 2, 15, 0, tzinfo=UTC), "da", "tors. 2. juli kl. 17:00"),
    ],
)
def test_when_is_local_time(
    catalogs: Catalogs, moment: datetime, language: str, expected: str
) -> None:
    assert catalogs.translator(language).when(moment) == expected


def test_when_in_arabic_isolates_the_time(catalogs: Catalogs) -> None:
    text = catalogs.translator("ar").when(datetime(2026, 3, 12, 16, 0, tzinfo=UTC))
    assert text == f"الخميس، 12 مارس الساعة {FSI}17:00{PDI}"


@pytest.mark.parametrize(
    ("count", "form"), [(0, 0), (1, 1), (2, 2), (3, 3), (10, 3), (11, 4), (99, 4), (100, 5)]
)
def test_arabic_plural_rule_has_six_forms(catalogs: Catalogs, count: int, form: int) -> None:
    assert catalogs.translator("ar").translations.plural(count) == form
