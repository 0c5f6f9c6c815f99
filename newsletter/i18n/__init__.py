"""Every word a reader or user sees, one catalog file per language (`ko.toml`, `en.toml`, …).

A catalog is a TOML file next to this module; its tables group the words by where they
appear (`edition` for the email and archive post, `frame` for the briefing's intro and
outro, `writer` for the model's prompt, `why_title` for the analysis headings, …). A key is
the dotted path (`edition.greeting`); a value is a string or a list of strings, with
`{placeholders}` filled by `str.format`. Plurals are two keys, `.one` and `.other`.

Adding a language is adding one file with every key of `en.toml` (a test checks the keys
and their placeholders). An unknown language falls back to English, and so does a key a
catalog lacks, so a half-translated file never crashes a morning send.
"""

from __future__ import annotations

import tomllib
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

FALLBACK = "en"
_FOLDER = Path(__file__).parent


@cache
def languages() -> tuple[str, ...]:
    """The languages with a catalog file, e.g. ("en", "ko")."""
    return tuple(sorted(path.stem for path in _FOLDER.glob("*.toml")))


class Catalog:
    """The words of one language, with English behind every missing key."""

    def __init__(
        self, language: str, entries: dict[str, str | list[str]], fallback: Catalog | None
    ):
        self.language = language
        self.entries = entries
        self._fallback = fallback
        self._tables: dict[str, dict[str, str]] = {}

    def raw(self, key: str) -> str | list[str]:
        """The unformatted value of `key` (KeyError when no catalog has it)."""
        if key in self.entries:
            return self.entries[key]
        if self._fallback is not None:
            return self._fallback.raw(key)
        raise KeyError(f"no message {key!r} in the {self.language} catalog")

    def text(self, key: str, **values: Any) -> str:
        """One message, its placeholders filled."""
        value = self.raw(key)
        if not isinstance(value, str):
            raise TypeError(f"message {key!r} is a list; use lines()")
        return value.format(**values) if values else value

    def lines(self, key: str, **values: Any) -> list[str]:
        """A list message (paragraphs, weekday names), each item's placeholders filled."""
        value = self.raw(key)
        if isinstance(value, str):
            raise TypeError(f"message {key!r} is a single string; use text()")
        return [line.format(**values) for line in value] if values else list(value)

    def plural(self, key: str, count: int, **values: Any) -> str:
        """`key.one` for exactly one, else `key.other`; `{count}` is always offered."""
        return self.text(f"{key}.one" if count == 1 else f"{key}.other", count=count, **values)

    def date(self, key: str, day: date) -> str:
        """`day` in the format `key`, with the weekday and month names of `key`'s table."""
        table = key.rpartition(".")[0]
        return self.text(
            key,
            year=day.year,
            month=day.month,
            month_name=self.lines(f"{table}.months")[day.month - 1],
            day=day.day,
            weekday=self.lines(f"{table}.weekdays")[day.weekday()],
        )

    def table(self, name: str) -> dict[str, str]:
        """The string messages of one table, by their key inside it (a template's labels).

        Collected once per table (a render asks for a section's name once per story), and
        handed out as a copy the caller may change."""
        if name not in self._tables:
            prefix = name + "."
            merged = self._fallback.table(name) if self._fallback is not None else {}
            for key, value in self.entries.items():
                if key.startswith(prefix) and isinstance(value, str):
                    merged[key[len(prefix) :]] = value
            self._tables[name] = merged
        return dict(self._tables[name])


def catalog(language: str) -> Catalog:
    """The catalog of `language`; English for a language without a file."""
    return _catalog(language if language in languages() else FALLBACK)


@cache
def _catalog(language: str) -> Catalog:
    fallback = None if language == FALLBACK else _catalog(FALLBACK)
    return Catalog(language, load_entries(language), fallback)


def load_entries(language: str) -> dict[str, str | list[str]]:
    """The file's messages as flat dotted keys (tables nest: `[edition.stories_count]`)."""
    path = _FOLDER / f"{language}.toml"
    return _flatten(tomllib.loads(path.read_text(encoding="utf-8")), "", path)


def _flatten(table: dict[str, Any], prefix: str, path: Path) -> dict[str, str | list[str]]:
    flat: dict[str, str | list[str]] = {}
    for name, value in table.items():
        key = prefix + name
        if isinstance(value, dict):
            flat.update(_flatten(value, key + ".", path))
        elif isinstance(value, str) or (
            isinstance(value, list) and all(isinstance(item, str) for item in value)
        ):
            flat[key] = value
        else:
            raise ValueError(f"{path}: {key} must be a string or a list of strings")
    return flat
