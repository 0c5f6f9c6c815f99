"""The per-feed report: what happened to each feed in one collect run.

The collector runs unattended against feeds we do not control, so the report is
how a person finds out that a publisher moved its feed or started answering 429.
The same rows go to the terminal (Rich table), to `--json` and to
`editions/D/feeds.json`, so a cron mail and a later look at the edition folder
tell the same story.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from rich.table import Table
from rich.text import Text

from newsletter.model import Item

#: Statuses that count as "the feed worked" for the exit status of a run.
WORKED = frozenset({"ok", "not_modified", "warning"})
STATUSES = ("ok", "not_modified", "warning", "error", "skipped")


class CollectError(Exception):
    """The run itself cannot proceed (e.g. the feed-cache database is unreachable).

    One line, meant for the user; a failing *feed* is never this, only a report row."""


@dataclass
class FeedReport:
    """One row of the report.

    `items` is what this feed contributed to the edition: entries inside the
    window, before cross-feed dedupe (so a feed is not blamed for being second).
    `reason` is one line a person can act on (empty when there is nothing to say).
    `failing_runs` counts the runs in a row that ended in an error, this one
    included (0 when the feed worked), since the date in `failing_since`.
    A feed that gives the edition nothing (`kept == 0`) always has a `reason`.
    """

    url: str
    name: str
    status: str
    reason: str = ""
    items: int = 0
    seconds: float = 0.0
    failing_runs: int = 0
    failing_since: str = ""  # YYYY-MM-DD (UTC), when failing_runs > 0
    kept: int = 0  # of `items`, those that reached the edition (not another feed's repeat)


@dataclass
class CollectResult:
    """Everything one run produced: the edition's items and the per-feed report."""

    items: list[Item]
    feeds: list[FeedReport]
    day: date | None = None
    window_start: datetime | None = None
    window_end: datetime | None = None
    clusters: int = field(default=0)

    @property
    def ok(self) -> bool:
        """True when at least one feed worked: the exit status is 0 then, 1 otherwise."""
        return any(feed.status in WORKED for feed in self.feeds)

    def report_json(self) -> str:
        """The per-feed report document (`editions/D/feeds.json`, `collect --json`)."""
        counts = {status: 0 for status in STATUSES}
        for feed in self.feeds:
            counts[feed.status] = counts.get(feed.status, 0) + 1
        doc = {
            "schema": 1,
            "date": self.day.isoformat() if self.day else None,
            "window": {
                "start": self.window_start.isoformat() if self.window_start else None,
                "end": self.window_end.isoformat() if self.window_end else None,
            },
            "ok": self.ok,
            "items": len(self.items),
            "stories": self.clusters,
            "statuses": counts,
            "feeds": [{**asdict(feed), "seconds": round(feed.seconds, 3)} for feed in self.feeds],
        }
        return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


_STYLES = {
    "ok": "green",
    "not_modified": "cyan",
    "warning": "yellow",
    "error": "bold red",
    "skipped": "magenta",
}


def report_table(result: CollectResult) -> Table:
    """The report as a Rich table for the terminal; the CLI prints it."""
    items, stories = len(result.items), result.clusters
    title = f"{items} item{'s' * (items != 1)}"
    if stories:
        title += f" in {stories} {'story' if stories == 1 else 'stories'}"
    worked = sum(feed.status in WORKED for feed in result.feeds)
    table = Table(
        title=f"Feeds: {worked}/{len(result.feeds)} worked, {title}", title_justify="left"
    )
    table.add_column("Feed", overflow="fold", max_width=40)
    table.add_column("Status")
    table.add_column("Items", justify="right")
    table.add_column("Time", justify="right")
    table.add_column("Reason", overflow="fold")
    for feed in result.feeds:
        table.add_row(
            Text(feed.name or feed.url),
            Text(feed.status.replace("_", " "), style=_STYLES.get(feed.status, "")),
            str(feed.items),
            f"{feed.seconds:.2f} s",
            Text(feed.reason),
        )
    return table
