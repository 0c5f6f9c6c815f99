"""One check's outcome: what was looked at, how it went, and what to do about it.

Every check answers with a `Check`, never with an exception: `doctor` is run
exactly when something is wrong, so it must report every problem on its own line
instead of stopping at the first one. `fix` is the concrete next step, because
"DKIM: NOT_STARTED" alone sends people searching.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

OK = "ok"
WARN = "warn"
FAIL = "fail"
SKIP = "skip"
STATUSES = (OK, WARN, FAIL, SKIP)


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    message: str
    fix: str = ""

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown check status {self.status!r}")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def ok(name: str, message: str) -> Check:
    return Check(name, OK, message)


def warn(name: str, message: str, fix: str = "") -> Check:
    return Check(name, WARN, message, fix)


def fail(name: str, message: str, fix: str = "") -> Check:
    return Check(name, FAIL, message, fix)


def skip(name: str, message: str) -> Check:
    return Check(name, SKIP, message)


def could_not_check(name: str, reason: str, fix: str = "") -> Check:
    """The endpoint or permissions did not let us look: a warning, so a person looks instead."""
    return Check(name, WARN, f"could not check: {reason}", fix)
