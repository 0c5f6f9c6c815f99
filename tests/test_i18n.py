"""The message catalogs: every language says everything English says, with the same blanks."""

from __future__ import annotations

import re
import shutil
import string
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from newsletter import i18n
from newsletter.i18n import FALLBACK, Catalog, catalog, languages, load_entries
from newsletter.model import Briefing
from newsletter.render import render_edition
from newsletter.signup.reasons import _REASONS
from tests.fixtures.site import make_site


def placeholders(value: str | list[str]) -> set[str]:
    lines = [value] if isinstance(value, str) else value
    return {name for line in lines for _, name, _, _ in string.Formatter().parse(line) if name}


REFERENCE = load_entries(FALLBACK)
OTHERS = [language for language in languages() if language != FALLBACK]


def test_korean_and_english_are_there() -> None:
    assert {"ko", "en"} <= set(languages())


@pytest.mark.parametrize("language", OTHERS)
def test_every_key_exists_in_every_catalog(language: str) -> None:
    entries = load_entries(language)
    assert sorted(set(REFERENCE) - set(entries)) == [], f"missing in {language}.toml"
    assert sorted(set(entries) - set(REFERENCE)) == [], f"only in {language}.toml"


@pytest.mark.parametrize("language", OTHERS)
def test_placeholders_and_shapes_match_english(language: str) -> None:
    entries = load_entries(language)
    for key, english in REFERENCE.items():
        value = entries[key]
        assert type(value) is type(english), f"{language}: {key} is a {type(value).__name__}"
        assert placeholders(value) == placeholders(english), f"{language}: {key}"
        if key.endswith((".weekdays", ".months")):
            assert len(value) == len(english), f"{language}: {key}"


def test_an_unknown_language_and_a_missing_key_fall_back_to_english() -> None:
    assert catalog("xx").text("edition.unsubscribe") == "Unsubscribe"
    partial = Catalog("xx", {"edition.greeting": "Salut !"}, catalog("en"))
    assert partial.text("edition.greeting") == "Salut !"
    assert partial.text("edition.unsubscribe") == "Unsubscribe"
    with pytest.raises(KeyError):
        catalog("ko").text("edition.no_such_key")


def test_placeholders_plurals_and_dates() -> None:
    ko, en = catalog("ko"), catalog("en")
    assert en.text("edition.why_you_get_this", name="Daily") == (
        "You receive this because you subscribed to Daily."
    )
    assert (en.plural("frame.stories", 1), en.plural("frame.stories", 3)) == (
        "1 story",
        "3 stories",
    )
    assert ko.plural("frame.stories", 3) == "3건"
    day = date(2026, 2, 7)
    assert ko.date("frame.date", day) == "2026년 2월 7일 (토)"
    assert ko.date("edition.date_long", day) == "2026년 2월 7일 토요일"
    assert en.date("edition.date_long", day) == "Saturday, February 7, 2026"


ROOT = Path(__file__).resolve().parents[1]
_LOOKUP = re.compile(r"\.(text|lines|plural|date|raw)\(\s*\"([a-z_.]+)\"")
_TABLE = re.compile(r"\.table\(\s*\"([a-z_.]+)\"\s*\)")
_LABEL = re.compile(r"\blabels\[\"([a-z_]+)\"\]")


def test_every_key_the_code_asks_for_is_in_the_english_catalog() -> None:
    """A mistyped key would fail at send time; this finds it now (literal keys only)."""
    asked: set[str] = set()
    tables: set[str] = set()
    for path in (ROOT / "newsletter").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for kind, key in _LOOKUP.findall(text):
            if kind == "plural":
                asked |= {f"{key}.one", f"{key}.other"}
            elif kind == "date":
                table = key.rpartition(".")[0]
                asked |= {key, f"{table}.weekdays", f"{table}.months"}
            else:
                asked.add(key)
        tables |= set(_TABLE.findall(text))
    for path in (ROOT / "templates").rglob("*.j2"):
        asked |= {f"edition.{key}" for key in _LABEL.findall(path.read_text(encoding="utf-8"))}
    asked |= {f"refusal.{key}" for _pattern, key in _REASONS}
    assert len(asked) > 30 and tables  # the scan found the lookups
    assert sorted(asked - set(REFERENCE)) == []
    assert sorted(t for t in tables if not any(k.startswith(t + ".") for k in REFERENCE)) == []


@pytest.fixture
def catalogs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A catalog folder of our own (a copy of the real one), the caches emptied around it."""
    folder = tmp_path / "i18n"
    shutil.copytree(Path(i18n.__file__).parent, folder, ignore=shutil.ignore_patterns("*.py*"))
    monkeypatch.setattr(i18n, "_FOLDER", folder)
    i18n.languages.cache_clear()
    i18n._catalog.cache_clear()
    yield folder
    monkeypatch.undo()
    i18n.languages.cache_clear()
    i18n._catalog.cache_clear()


def test_a_new_language_is_one_file(catalogs: Path, tmp_path: Path) -> None:
    english = (catalogs / "en.toml").read_text(encoding="utf-8")
    french = english.replace('greeting = "Hello!"', 'greeting = "Bonjour !"', 1)
    assert french != english
    (catalogs / "fr.toml").write_text(french, encoding="utf-8")

    site = make_site(tmp_path / "site", newsletter={"language": "fr"})  # the config takes it
    english_briefing = Briefing.from_json(
        (ROOT / "tests" / "render" / "data" / "briefing-en.json").read_text(encoding="utf-8")
    )
    briefing = Briefing.from_json(replace(english_briefing, language="fr").to_json())
    edition = render_edition(briefing, site.runtime.render_options)

    assert "fr" in languages()
    assert "Bonjour !" in edition.text
