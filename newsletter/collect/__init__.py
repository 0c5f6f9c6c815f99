"""collect: the configured feeds → clean, windowed, deduplicated Items for one edition.

Importing it imports httpx, feedparser and SQLAlchemy: the CLI imports it only
inside the commands that collect, so `newsletter --help` stays fast.
"""

from __future__ import annotations

from datetime import date, datetime

from newsletter.collect.report import CollectError, CollectResult, FeedReport, report_table
from newsletter.collect.run import collect_edition as run
from newsletter.config import Settings


def collect_edition(
    settings: Settings, day: date, *, progress: bool = False, now: datetime | None = None
) -> CollectResult:
    """The cleaned, windowed, deduplicated items of `day`'s edition and a per-feed report.

    Raises `CollectError` (one-line message) only when the run
    itself cannot proceed, e.g. the feed-cache database is unreachable; a failing
    feed is a report line, never an exception.
    """
    return run(settings, day, progress=progress, now=now)


__all__ = ["CollectError", "CollectResult", "FeedReport", "collect_edition", "report_table"]
