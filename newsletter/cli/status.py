"""How `newsletter status` looks: a Rich table of editions, or JSON for monitoring."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from rich.table import Table
from rich.text import Text

from newsletter.cli.hints import approval_hint
from newsletter.cli.output import print_json, print_table, say, styled
from newsletter.operations.status import AWAITING_APPROVAL, EditionStatus

STAGE_STYLE = {
    "sent": "green",
    "failed": "bold red",
    "interrupted": "bold red",
    "skipped": "bold red",
    "sending": "cyan",
    "awaiting approval": "yellow",
}


def print_statuses(statuses: list[EditionStatus], zone: ZoneInfo, *, as_json: bool) -> None:
    if as_json:
        print_json([{**status.to_json(), "advice": _advice(status)} for status in statuses])
        return
    if not statuses:
        say("no edition yet: run `newsletter daily`")
        return
    table = Table(box=None, header_style="bold", pad_edge=False, collapse_padding=True)
    table.add_column("edition")
    table.add_column("stage")
    for name in ("sent", "failed", "pending", "ambig.", "rate", "started", "took"):
        table.add_column(name, justify="right")
    for name in ("unsub.", "bounced", "compl."):
        table.add_column(name, justify="right")
    for status in statuses:
        stage = Text(status.stage, style=STAGE_STYLE.get(status.stage, ""))
        if status.running and status.stage != "sending":
            stage.append(" (running)")
        pending = f"{status.pending:,}"
        if status.in_flight:
            pending += f" +{status.in_flight:,} in flight"
        table.add_row(
            status.edition,
            stage,
            f"{status.sent:,}",
            f"{status.failed:,}",
            pending,
            f"{status.ambiguous:,}",
            _rate(status.rate),
            status.started.astimezone(zone).strftime("%m-%d %H:%M") if status.started else "–",
            _took(status.started, status.finished),
            f"{status.unsubscribed:,}",
            f"{status.bounced:,}",
            f"{status.complained:,}",
        )
    print_table(table)
    for status in statuses:
        if status.reason:
            advice = _advice(status)
            reason = f"{status.reason}; {advice}" if advice else status.reason
            step = f" ({status.failed_step})" if status.failed_step else ""
            say(
                styled(
                    "[red]{edition} {stage}{step}:[/] {reason}",
                    edition=status.edition,
                    stage=status.stage,
                    step=step,
                    reason=reason,
                )
            )
    for status in statuses:
        for finding in status.content:
            say(
                styled(
                    "[yellow]{edition} content:[/] {finding}",
                    edition=status.edition,
                    finding=finding,
                )
            )
    say(
        styled(
            "[dim]unsub. / bounced / compl.: recorded since the edition began to go out; "
            "times in the newsletter's zone; delivery, opens and clicks per edition: "
            "`newsletter report`[/]"
        )
    )


def _rate(rate: float | None) -> str:
    if not rate:
        return "–"
    return f"{rate:,.0f}/s" if rate >= 10 else f"{rate:.1f}/s"


def _took(started: datetime | None, finished: datetime | None) -> str:
    if not (started and finished):
        return "–"
    seconds = (finished - started).total_seconds()
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min" if seconds < 7200 else f"{seconds / 3600:.1f} h"


def _advice(status: EditionStatus) -> str | None:
    """What to run about the edition's state, in the CLI's words (None: nothing to run)."""
    if status.stage == AWAITING_APPROVAL:
        return approval_hint(status.edition)
    if status.stage == "interrupted":
        return f"re-run `newsletter daily --date {status.edition}` (or `send`) to finish it"
    return None
