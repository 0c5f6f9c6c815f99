"""Secrets from a `.env` file beside `newsletter.toml`, for variables not already set.

Secrets stay out of `newsletter.toml` (it is shared, committed, pasted into bug
reports), but a cron job or a systemd unit rarely has a shell profile to export
them from. `newsletter init` therefore writes the generated key into a
git-ignored `.env` next to the config, and every command reads it from there.
The real environment always wins, so a deployment can override any value
without editing the file.

Only the simple, common subset of the format is read: `KEY=value`, an optional
`export ` prefix, `#` comments, and single or double quotes around the value.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

ENV_FILE = ".env"
_LINE = re.compile(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")


class EnvFileError(ValueError):
    """A line of `.env` that is not `KEY=value`; the message names file and line."""


@dataclass
class Applied:
    """What one `apply_env_file` call did, and how to take it back."""

    path: Path
    found: bool = False
    keys: list[str] = field(default_factory=list)  # variables set from the file

    def undo(self) -> None:
        """Remove the variables this call set (tests and in-process runs stay isolated)."""
        for key in self.keys:
            os.environ.pop(key, None)
        self.keys = []


def read_env_file(path: Path) -> dict[str, str]:
    """The `KEY=value` pairs of `path` (empty when it does not exist)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise EnvFileError(f"{path}: cannot read: {exc}") from None
    values: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            raise EnvFileError(f"{path}:{number}: expected KEY=value")
        values[match.group(1)] = _unquote(match.group(2).strip(), path, number)
    return values


def _unquote(value: str, path: Path, number: int) -> str:
    if value[:1] in ("'", '"'):
        quote = value[0]
        end = value.find(quote, 1)
        if end < 0:
            raise EnvFileError(f"{path}:{number}: unterminated {quote} quote")
        return value[1:end]
    return value.split(" #", 1)[0].strip()


def apply_env_file(folder: Path) -> Applied:
    """Set each variable of `folder/.env` that the environment does not already have."""
    path = folder / ENV_FILE
    applied = Applied(path, found=path.is_file())
    for key, value in read_env_file(path).items():
        if key not in os.environ:
            os.environ[key] = value
            applied.keys.append(key)
    return applied
