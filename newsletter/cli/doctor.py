"""Printing `doctor`'s checks: one line each, as they finish, and a summary.

Lines stream as the checks run (the AWS and feed checks can take seconds); they
are built as Rich `Text`, so a feed URL or an AWS error with brackets in it prints
as it is (`newsletter.cli.output`).
"""

from __future__ import annotations

import os

from rich.text import Text

from newsletter.cli.output import print_json, say
from newsletter.doctor import Check, Report, run

SYMBOLS = {
    "ok": ("✔", "green"),
    "warn": ("⚠", "yellow"),
    "fail": ("✖", "bold red"),
    "skip": ("–", "dim"),
}


def check_line(check: Check) -> Text:
    """`✔ name: message`, and for warnings and failures ` → fix`."""
    symbol, style = SYMBOLS[check.status]
    line = Text()
    line.append(symbol, style=style)
    line.append(f" {check.name}: ", style="bold" if check.status != "skip" else "dim")
    line.append(check.message, style="dim" if check.status == "skip" else "")
    if check.fix and check.status in ("warn", "fail"):
        line.append(f" → {check.fix}", style="cyan")
    return line


def summary_line(report: Report) -> Text:
    counts = report.counts()
    parts = [
        f"{counts['ok']} ok",
        f"{counts['warn']} warning{'s' * (counts['warn'] != 1)}",
        f"{counts['fail']} failed",
        f"{counts['skip']} skipped",
    ]
    verdict = "not ready: fix the ✖ lines" if report.failed else "nothing failed"
    return Text(f"{', '.join(parts)} — {verdict}", style="bold red" if report.failed else "bold")


def run_doctor(config: str | os.PathLike[str] | None, *, as_json: bool) -> Report:
    """Run every check and print it (lines, or one JSON document with `as_json`)."""

    def show(check: Check) -> None:
        say(check_line(check))

    report = run(config, on_check=None if as_json else show)
    if as_json:
        print_json(report.to_json())
    else:
        say(summary_line(report))
    return report
