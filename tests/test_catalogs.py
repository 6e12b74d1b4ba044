"""The catalogs are complete: every entry translated in da, ar and en, and nothing stale."""

import re
import tomllib
from pathlib import Path
from string import Formatter

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from bot.core.config import LANGUAGES
from bot.core.i18n import FSI, LOCALES_DIR, PDI

ROOT = Path(__file__).resolve().parent.parent


def _catalog(language: str) -> Catalog:
    with (LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


def _template() -> Catalog:
    with (LOCALES_DIR / "messages.pot").open("rb") as handle:
        return read_po(handle)


def _ids(catalog: Catalog) -> set[object]:
    return {message.id for message in catalog if message.id}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name is not None}


def _forms(value: object) -> list[str]:
    return list(value) if isinstance(value, tuple | list) else [str(value)]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_translated_and_not_fuzzy(language: str) -> None:
    catalog = _catalog(language)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        forms = _forms(message.string)
        if not all(form.strip() for form in forms):
            problems.append(f"untranslated: {message.id!r}")
    assert not catalog.fuzzy, "the catalog header is marked fuzzy"
    assert problems == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_match(language: str) -> None:
    problems = []
    for message in _catalog(language):
        if not message.id:
            continue
        source = _forms(message.id)
        expected = set().union(*(_fields(text) for text in source))
        forms = [_fields(form) for form in _forms(message.string)]
        if isinstance(message.id, tuple):
            # A plural form may leave out {count} (Arabic says "two" in a word), but
            # it may never invent a placeholder, and all together must cover the msgid.
            if any(not form <= expected for form in forms) or set().union(*forms) != expected:
                problems.append((message.id, forms))
        elif forms[0] != expected:
            problems.append((message.id, forms))
    assert problems == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_babel_catalog_checks_pass(language: str) -> None:
    errors = [(message.id, errs) for message, errs in _catalog(language).check()]
    assert errors == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_header_is_cldrs(language: str) -> None:
    catalog = _catalog(language)
    plural = get_plural(language)
    assert catalog.num_plurals == plural.num_plurals
    assert catalog.plural_expr == plural.plural_expr


def test_arabic_has_six_plural_forms() -> None:
    assert _catalog("ar").num_plurals == 6


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_has_exactly_the_templates_entries(language: str) -> None:
    template, catalog = _ids(_template()), _ids(_catalog(language))
    assert sorted(map(str, template - catalog)) == [], "missing: run `make catalogs`"
    assert sorted(map(str, catalog - template)) == [], "obsolete: run `make catalogs`"


def test_template_is_up_to_date_with_the_code() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["babel"]
    method_map = [(mapping["pattern"], mapping["method"]) for mapping in config["mappings"]]
    extracted: set[object] = set()
    for folder in ("bot", "handlers"):
        for _, _, message, _, _ in extract_from_dir(ROOT / folder, method_map):
            extracted.add(message if isinstance(message, str) else tuple(message))
    template = _ids(_template())
    assert sorted(map(str, extracted - template)) == [], "new strings: run `make catalogs`"
    assert sorted(map(str, template - extracted)) == [], "stale strings: run `make catalogs`"


_ISOLATED = re.compile(f"{FSI}[^{PDI}]*{PDI}")
# Placeholders are isolated by the code at runtime. /commands are isolated too: a slash
# after an isolate still starts a command, so they stay tappable (tests/test_bidi.py).
_EXEMPT = re.compile(r"\{[a-z_]+\}")


def test_arabic_isolates_left_to_right_values() -> None:
    problems = []
    for message in _catalog("ar"):
        if not message.id:
            continue
        for form in _forms(message.string):
            rest = _EXEMPT.sub("", _ISOLATED.sub("", form))
            if re.search(r"[A-Za-z0-9]", rest):
                problems.append(form)
            if form.count(FSI) != form.count(PDI):
                problems.append(form)
    assert problems == []
