"""How `newsletter send` looks: a progress bar with rate and ETA, and the closing summary.

The bar only appears on a terminal (cron mail and CI logs get the summary alone);
it is fed by the campaign from one thread, after each batch of outcomes is stored.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from newsletter.cli.output import console, say, styled
from newsletter.send.campaign import NO_ACTIVE_SUBSCRIBERS, CampaignSummary
from newsletter.send.trial import DryRun


class SendProgress:
    """A Rich progress bar (messages done, messages/s, time left); silent when not a TTY."""

    def __init__(self) -> None:
        self._progress = Progress(
            TextColumn("sending"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
            disable=not console.is_terminal,
            transient=True,
        )
        self._task: Any = None

    def __enter__(self) -> SendProgress:
        self._progress.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._progress.stop()

    def start(self, total: int) -> None:
        self._task = self._progress.add_task("send", total=total, rate="")

    def advance(self, done: int) -> None:
        if self._task is None:
            return
        self._progress.advance(self._task, done)
        speed = self._progress.tasks[0].speed
        self._progress.update(self._task, rate=f"{speed:,.0f} msg/s" if speed else "")


def print_summary(summary: CampaignSummary, day: date) -> None:
    if summary.no_recipients:
        say(NO_ACTIVE_SUBSCRIBERS)
    elif summary.nothing_to_do:
        say(f"nothing to send: {summary.already_sent:,} recipients already have {day}")
    else:
        say(
            f"sent {summary.sent:,}, failed {summary.failed:,}, skipped {summary.skipped:,} "
            f"({day}) in {summary.seconds:.1f} s, {summary.messages_per_second:,.0f} msg/s"
            + (f", {summary.retries:,} retries" if summary.retries else "")
        )
        pace = f"{summary.rate:g}/s" if summary.rate else "unlimited"
        quota = f", {summary.budget:,} allowed by the 24-hour quota" if summary.budget else ""
        say(
            styled(
                "[dim]pace {pace}{quota} ({source})[/]",
                pace=pace,
                quota=quota,
                source=summary.quota_source,
            )
        )
    for email, error in summary.failures:
        say(f"  failed: {email}: {error}")
    if summary.failed > len(summary.failures):
        say(f"  … and {summary.failed - len(summary.failures):,} more failed")
    if summary.ambiguous:
        say(
            styled(
                "[yellow]{count:,} messages may or may not have left (a run stopped abruptly, or "
                "the connection dropped before the provider confirmed them); not resent "
                "(--resend-ambiguous to resend them)[/]",
                count=summary.ambiguous,
            )
        )
    if summary.elsewhere:
        say(
            styled(
                "[dim]{count:,} messages were being sent by another running send process; "
                "left to it[/]",
                count=summary.elsewhere,
            )
        )


def print_dry_run(result: DryRun) -> None:
    say(
        f"dry run: {result.recipients:,} active subscribers; {result.would_send:,} would be sent "
        f"now, {result.already_sent:,} already sent"
        + (
            f", {result.ambiguous:,} ambiguous (may or may not have left)"
            if result.ambiguous
            else ""
        )
        + f"; HTML {result.html_bytes / 1024:.1f} KB; "
        f"sample message: {result.sample or '(no recipients)'}"
    )
