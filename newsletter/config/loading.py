"""`newsletter.toml` → typed, validated Settings.

The scheduled send runs with nobody watching, so a typo in the config must fail
at start-up with one line that names the file and the key, never halfway
through a send. Relative paths are resolved against the config file's folder so
that the same file works from any working directory (cron, systemd, `make demo`).
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
import types
import typing
from dataclasses import MISSING, fields
from pathlib import Path
from typing import Any

from newsletter.config.checks import check_values
from newsletter.config.sections import (
    CONFIG_ENV,
    CONFIG_NAME,
    BedrockSettings,
    BriefSettings,
    CollectSettings,
    ConfigError,
    ConfigNotFound,
    DatabaseSettings,
    FeedbackSettings,
    FeedSettings,
    GatesSettings,
    NewsletterSettings,
    OpenAISettings,
    PublishSettings,
    RenderSettings,
    SenderSettings,
    Settings,
    SignupSettings,
    SmtpSettings,
)

_SECTIONS: dict[str, type] = {
    "newsletter": NewsletterSettings,
    "sender": SenderSettings,
    "smtp": SmtpSettings,
    "database": DatabaseSettings,
    "brief": BriefSettings,
    "bedrock": BedrockSettings,
    "openai": OpenAISettings,
    "gates": GatesSettings,
    "collect": CollectSettings,
    "feedback": FeedbackSettings,
    "signup": SignupSettings,
    "render": RenderSettings,
    "publish": PublishSettings,
}


def find_config(explicit: str | os.PathLike[str] | None = None) -> Path:
    """`--config`, then `$NEWSLETTER_CONFIG`, then `./newsletter.toml`."""
    candidate = explicit or os.environ.get(CONFIG_ENV) or CONFIG_NAME
    path = Path(candidate).expanduser()
    if not path.is_file():
        raise ConfigNotFound(path)
    return path.resolve()


def load_settings(explicit: str | os.PathLike[str] | None = None) -> Settings:
    path = find_config(explicit)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    return parse_settings(raw, path)


def parse_settings(raw: dict[str, Any], path: Path) -> Settings:
    """Validate a parsed TOML document; every error names `path` and the dotted key."""
    unknown = sorted(set(raw) - set(_SECTIONS) - {"feeds"})
    if unknown:
        close = difflib.get_close_matches(unknown[0], [*_SECTIONS, "feeds"], n=1)
        hint = f" (did you mean [{close[0]}]?)" if close else ""
        raise ConfigError(f"{path}: unknown section or key [{unknown[0]}]{hint}")
    sections: dict[str, Any] = {}
    for name, cls in _SECTIONS.items():
        table = raw.get(name, {})
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [{name}] must be a table")
        sections[name] = _build(cls, table, name, path)
    feeds_raw = raw.get("feeds", [])
    if not isinstance(feeds_raw, list):
        raise ConfigError(f"{path}: feeds must be an array of tables ([[feeds]])")
    feeds = []
    for index, table in enumerate(feeds_raw):
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: feeds[{index}] must be a table")
        feeds.append(_build(FeedSettings, table, f"feeds[{index}]", path))
    settings = Settings(feeds=feeds, path=path, **sections)
    check_values(settings, path)
    return settings


def _build(cls: type, table: dict[str, Any], where: str, path: Path) -> Any:
    hints = typing.get_type_hints(cls)
    known = {f.name.rstrip("_"): f for f in fields(cls)}
    for key in table:
        if key not in known:
            close = difflib.get_close_matches(key, list(known), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise ConfigError(f"{path}: unknown key {where}.{key}{hint}")
    values: dict[str, Any] = {}
    for key, spec in known.items():
        if key not in table:
            if spec.default is MISSING and spec.default_factory is MISSING:
                raise ConfigError(f"{path}: missing required key {where}.{key}")
            continue
        values[spec.name] = _coerce(table[key], hints[spec.name], f"{where}.{key}", path)
    return cls(**values)


def _coerce(value: Any, expected: Any, key: str, path: Path) -> Any:
    if typing.get_origin(expected) is list:  # an array of strings, e.g. newsletter.editors
        if not isinstance(value, list):
            raise ConfigError(f"{path}: {key} must be an array, found {value!r}")
        return [_coerce(item, str, f"{key}[{index}]", path) for index, item in enumerate(value)]
    if typing.get_origin(expected) is dict:  # a table of strings, e.g. [brief.emoji]
        if not isinstance(value, dict):
            raise ConfigError(f"{path}: {key} must be a table, found {value!r}")
        return {name: _coerce(item, str, f"{key}.{name}", path) for name, item in value.items()}
    if isinstance(expected, types.UnionType):
        choices = [t for t in typing.get_args(expected) if t is not type(None)]
        if bool in choices and isinstance(value, bool):
            return value
        fitting = [t for t in choices if isinstance(value, typing.get_origin(t) or t)]
        expected = (fitting or choices)[0]
    if typing.get_origin(expected) is list:  # e.g. collect.allow_private_networks
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{path}: {key} must be a list of strings, found {value!r}")
        return list(value)
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if expected in (int, float) and isinstance(value, bool):
        ok = False
    else:
        ok = isinstance(value, expected)
    if not ok:
        # in the file's own spelling: `true`, not Python's True
        found = (
            str(value).lower()
            if isinstance(value, bool)
            else f"{_type_name(type(value))} {value!r}"
        )
        raise ConfigError(f"{path}: {key} must be {_type_name(expected)}, found {found}")
    return value


def _type_name(kind: type) -> str:
    return {str: "a string", int: "an integer", float: "a number", bool: "true or false"}.get(
        kind, kind.__name__
    )


def database_url(settings: Settings) -> str:
    """The database URL with a relative SQLite path anchored at the config file's folder."""
    url = settings.database.url
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != "sqlite:///:memory:":
        return prefix + str(settings.root / url[len(prefix) :])
    return url


def feed_location(root: Path, feed: FeedSettings) -> str:
    """A feed's URL, or its local path resolved against `root` (the config file's folder)."""
    if re.match(r"^[a-z][a-z0-9+.-]*://", feed.url, re.IGNORECASE):
        return feed.url
    return str((root / feed.url).resolve())
