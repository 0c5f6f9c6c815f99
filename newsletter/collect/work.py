"""The CPU half of collecting one feed: bytes or cached entries → the feed's Items.

It is separate from `run` so it can execute in another process: parsing with
feedparser costs ~10 ms per 50-entry feed in pure Python, and on a machine with
more than one core the parse of a hundred feeds should not queue behind one
GIL. This module therefore imports only the light parts (feedparser, nh3, the
model), never httpx or SQLAlchemy, and everything it takes and returns pickles.
The items' dedupe features are made here too (see `entries`), so the cross-feed
clustering at the end of a run only compares.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from newsletter.collect.entries import Entry, FeedContext, Selection, select_entries
from newsletter.collect.parse import ParseError, parse_feed
from newsletter.collect.stored import pack, unpack


@dataclass
class Job:
    """What turning one feed into items needs besides its entries."""

    feed_url: str
    name: str  # from the config; wins over the feed's own title
    fallback_title: str  # the title remembered in the cache, or the host name
    section: str
    weight: float
    seen_before: dict[str, float]
    now: float
    window: tuple[float, float]


@dataclass
class WorkResult:
    title: str = ""  # the feed's own title, when it was parsed now
    feed_title: str = ""  # what the items carry
    # Entries for the cache: after a fresh parse, or when cached entries were cleaned now.
    blob: bytes | None = None
    entries: int = 0
    warning: str = ""
    error: str = ""
    selection: Selection | None = None
    seconds: float = 0.0


def from_body(body: bytes, url: str, charset: str, job: Job) -> WorkResult:
    """Parse a fetched body, pack it for the cache and select the edition's items."""
    started = time.monotonic()
    try:
        parsed = parse_feed(body, url, charset)
    except ParseError as exc:
        return WorkResult(error=str(exc), seconds=time.monotonic() - started)
    except Exception as exc:  # a parser bug must not take the other feeds down
        text = " ".join(str(exc).split())[:160]
        reason = f"parser failed: {type(exc).__name__}: {text}"
        return WorkResult(error=reason, seconds=time.monotonic() - started)
    del body
    try:
        result = _select(parsed.entries, job, parsed.title)
    except Exception as exc:  # a cleaning bug must not take the other feeds down
        text = " ".join(str(exc).split())[:160]
        return WorkResult(error=f"could not read entries: {type(exc).__name__}: {text}")
    result.title = parsed.title
    selection = result.selection
    if selection is not None:
        result.blob = pack(selection.entries)
        selection.entries = []  # packed: not sent back to the main process
    result.warning = parsed.warning
    result.seconds = time.monotonic() - started
    return result


def from_cache(blob: bytes, job: Job) -> WorkResult:
    """Select the edition's items from the entries the cache kept (304, Retry-After).

    Raises ValueError when the blob is unreadable. Entries the window reaches for the
    first time are cleaned now, and the blob comes back updated for the cache."""
    started = time.monotonic()
    result = _select(unpack(blob), job, "")
    selection = result.selection
    if selection is not None:
        if selection.cleaned:
            result.blob = pack(selection.entries)
        selection.entries = []
    result.seconds = time.monotonic() - started
    return result


def from_cache_or_none(blob: bytes, job: Job) -> WorkResult | None:
    """`from_cache`, with None for a blob that cannot be read: a cache miss, never a crash."""
    try:
        return from_cache(blob, job)
    except (ValueError, TypeError, AttributeError):
        return None


def _select(entries: Sequence[Entry], job: Job, title: str) -> WorkResult:
    feed_title = job.name or title or job.fallback_title
    context = FeedContext(job.feed_url, feed_title, job.section, job.weight)
    selection = select_entries(entries, context, job.seen_before, job.now, job.window)
    return WorkResult(feed_title=feed_title, entries=len(entries), selection=selection)


def warm_up() -> bool:
    """A no-op a new worker process runs first, so its imports overlap the first downloads."""
    return True
