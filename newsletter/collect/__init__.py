"""collect: the configured feeds → clean, windowed, deduplicated Items for one edition.

Importing it imports httpx, feedparser and SQLAlchemy: the CLI imports it only
inside the commands that collect, so `newsletter --help` stays fast.
"""

from __future__ import annotations

from newsletter.collect.report import CollectError, CollectResult, FeedReport, report_table
from newsletter.collect.run import collect_edition
from newsletter.collect.setup import CollectSetup

__all__ = [
    "CollectError",
    "CollectResult",
    "CollectSetup",
    "FeedReport",
    "collect_edition",
    "report_table",
]
