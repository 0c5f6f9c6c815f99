"""Run every group of checks in order and collect their lines.

Groups run even when an earlier one failed (a broken database says nothing
about SES), and each reads what earlier groups found from the shared `Context`.
A bug in a check becomes one failed "could not check" line for its group (we
cannot vouch for what we did not check), never a traceback: `doctor` is what
people run when things are already going wrong.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from newsletter.doctor import (
    config_secrets,
    database,
    editions,
    feeds,
    ses,
    ses_feedback,
    ses_mailbox,
    smtp,
    writer,
)
from newsletter.doctor.check import FAIL, OK, SKIP, WARN, Check
from newsletter.doctor.context import Context
from newsletter.runtime import Runtime

GROUPS: tuple[tuple[str, Callable[[Context], Iterator[Check]]], ...] = (
    ("config", config_secrets.checks),
    ("database", database.checks),
    ("ses", ses.checks),
    ("ses feedback", ses_feedback.checks),
    ("ses feedback", ses_mailbox.checks),
    ("smtp", smtp.checks),
    ("feeds", feeds.checks),
    ("writer", writer.checks),
    ("editions", editions.checks),
)


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(check.status == FAIL for check in self.checks)

    def counts(self) -> dict[str, int]:
        return {
            status: sum(c.status == status for c in self.checks)
            for status in (OK, WARN, FAIL, SKIP)
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": not self.failed,
            "counts": self.counts(),
            "checks": [check.to_json() for check in self.checks],
        }


def run(
    config: str | os.PathLike[str] | None = None, on_check: Callable[[Check], None] | None = None
) -> Report:
    """All checks for the config at `config` (found as every command finds it)."""
    report = Report()

    def add(check: Check) -> None:
        report.checks.append(check)
        if on_check is not None:
            on_check(check)

    settings, applied, loaded = config_secrets.load(config)
    add(loaded)
    if settings is None:
        return report
    ctx = Context(Runtime(settings), env=applied)
    try:
        for group, checks in GROUPS:
            try:
                for check in checks(ctx):
                    add(check)
            except Exception as exc:  # a bug in a check must not hide the other groups
                add(
                    Check(
                        group,
                        FAIL,
                        f"could not check: internal error: {type(exc).__name__}: {exc}",
                        "please report this as a bug of newsletter doctor",
                    )
                )
    finally:
        if ctx.aws is not None:
            ctx.aws.close()
        if applied is not None:
            applied.undo()
    return report
