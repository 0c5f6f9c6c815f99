"""One collect run: fetch every feed concurrently, parse, select, dedupe, report.

Fetching is asynchronous (one httpx client, a bounded pool); parsing and
cleaning are CPU work, so they run in a worker thread while the event loop keeps
the other downloads moving, and each body is dropped as soon as it is parsed (a
second semaphore bounds how many bodies wait in memory). Every per-feed step is
wrapped so a failure becomes a report line for that feed and nothing else.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

from newsletter import db
from newsletter.collect import dedupe as dedupe_mod
from newsletter.collect.cache import CacheRow, FeedCache, dump_seen, pack
from newsletter.collect.entries import FeedContext, Selection, select_entries
from newsletter.collect.fetch import Fetched, Limits, default_user_agent, fetch, make_client
from newsletter.collect.parse import ParseError, RawEntry, parse_feed
from newsletter.collect.report import CollectResult, FeedReport
from newsletter.config import Settings, database_url, feed_location

T = TypeVar("T")


class CollectError(Exception):
    """The run itself cannot proceed (e.g. the feed cache database is unreachable)."""


@dataclass
class _Outcome:
    """Everything we learnt about one feed location in this run."""

    fetched: Fetched
    title: str = ""
    entries: list[RawEntry] | None = None
    blob: bytes | None = None
    warning: str = ""
    error: str = ""
    parse_seconds: float = 0.0


def collect_edition(
    settings: Settings, day: date, *, progress: bool = False, now: datetime | None = None
) -> CollectResult:
    """The cleaned, windowed, deduplicated items of `day`'s edition and a per-feed report."""
    from sqlalchemy.exc import SQLAlchemyError

    moment = (now or datetime.now(UTC)).astimezone(UTC)
    end = settings.send_moment(day).astimezone(UTC)
    start = end - timedelta(hours=settings.brief.window_hours)
    feeds = settings.feeds
    locations = [feed_location(settings, feed) for feed in feeds]
    unique = list(dict.fromkeys(locations))
    try:
        cache = FeedCache(db.engine(database_url(settings)))
        rows = cache.load(unique)
    except (SQLAlchemyError, OSError) as exc:
        raise CollectError(f"feed cache: database unavailable: {_first_line(exc)}") from None
    collect = settings.collect
    limits = Limits(
        connect_timeout=collect.connect_timeout,
        total_timeout=collect.total_timeout,
        max_bytes=collect.max_bytes,
        max_redirects=collect.max_redirects,
        user_agent=collect.user_agent or default_user_agent(settings.newsletter.base_url),
    )
    outcomes = _run_async(_fetch_all(unique, rows, limits, collect.concurrency, progress))
    reuse = [
        loc
        for loc, out in outcomes.items()
        if out.entries is None and out.fetched.status in ("not_modified", "skipped")
    ]
    try:
        cached = cache.entries(reuse) if reuse else {}
    except SQLAlchemyError as exc:
        raise CollectError(f"feed cache: cannot read entries: {_first_line(exc)}") from None
    now_ts, window = moment.timestamp(), (start.timestamp(), end.timestamp())
    items, reports, updates = [], [], {}
    for feed, location in zip(feeds, locations, strict=True):
        out = outcomes[location]
        row = rows.get(location)
        entries = out.entries if out.entries is not None else cached.get(location)
        title = feed.name or out.title or (row.title if row else "") or _host(location)
        report = _report(title, location, out, entries)
        if entries is not None:
            selection = select_entries(
                entries,
                FeedContext(location, title, feed.section, feed.weight),
                row.first_seen if row else {},
                now_ts,
                window,
            )
            items.extend(selection.items)
            report.items = len(selection.items)
            _note_selection(report, selection)
            if location not in updates:
                updates[location] = _update(out, row, selection, now_ts)
        elif location not in updates:
            updates[location] = _update(out, row, None, now_ts)
        reports.append(report)
    try:
        cache.save({k: v for k, v in updates.items() if v}, set(rows))
    except SQLAlchemyError as exc:
        raise CollectError(f"feed cache: cannot save: {_first_line(exc)}") from None
    unique_items = dedupe_mod.dedupe(items)
    clustered = dedupe_mod.cluster(unique_items, collect.dedupe_threshold)
    clustered.sort(key=lambda item: (-item.published.timestamp(), item.feed_url, item.id))
    return CollectResult(
        items=clustered,
        feeds=reports,
        day=day,
        window_start=start,
        window_end=end,
        clusters=len({item.cluster for item in clustered}),
    )


async def _fetch_all(
    locations: list[str],
    rows: dict[str, CacheRow],
    limits: Limits,
    concurrency: int,
    progress: bool,
) -> dict[str, _Outcome]:
    fetching = asyncio.Semaphore(concurrency)
    in_memory = asyncio.Semaphore(concurrency * 2)  # bodies downloaded but not parsed yet
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="parse")
    loop = asyncio.get_running_loop()
    bar = _progress(len(locations)) if progress else None

    async def one(client: object, location: str) -> tuple[str, _Outcome]:
        async with in_memory:
            async with fetching:
                fetched = await fetch(client, location, rows.get(location), limits)  # type: ignore[arg-type]
            outcome = _Outcome(fetched)
            if fetched.body is not None:
                outcome = await loop.run_in_executor(pool, _parse, fetched)
        if bar is not None:
            bar.advance()
        return location, outcome

    try:
        async with make_client(limits, concurrency) as client:
            done = await asyncio.gather(*(one(client, loc) for loc in locations))
    finally:
        pool.shutdown(wait=True)
        if bar is not None:
            bar.stop()
    return dict(done)


def _parse(fetched: Fetched) -> _Outcome:
    """Bytes → entries (+ the cache blob) in the worker thread; the body is released here."""
    import time

    started = time.monotonic()
    body, fetched.body = fetched.body or b"", None
    try:
        parsed = parse_feed(body, fetched.url, fetched.charset)
    except ParseError as exc:
        fetched.status = "error"
        return _Outcome(fetched, error=str(exc), parse_seconds=time.monotonic() - started)
    except Exception as exc:  # a parser bug must not take the other feeds down
        fetched.status = "error"
        reason = f"parser failed: {type(exc).__name__}: {_first_line(exc)}"
        return _Outcome(fetched, error=reason, parse_seconds=time.monotonic() - started)
    del body
    return _Outcome(
        fetched,
        title=parsed.title,
        entries=parsed.entries,
        blob=pack(parsed.entries),
        warning=parsed.warning,
        parse_seconds=time.monotonic() - started,
    )


def _report(name: str, location: str, out: _Outcome, entries: list[RawEntry] | None) -> FeedReport:
    fetched = out.fetched
    status, notes = fetched.status, []
    if out.error:
        status, notes = "error", [out.error]
    elif fetched.reason:
        notes.append(fetched.reason)
    if out.warning:
        status = "warning"
        notes.insert(0, out.warning)
    if status == "skipped" and entries:
        notes.append(f"using {len(entries)} cached entries")
    return FeedReport(
        url=location,
        name=name,
        status=status,
        reason="; ".join(notes),
        seconds=fetched.seconds + out.parse_seconds,
    )


def _note_selection(report: FeedReport, selection: Selection) -> None:
    notes = [report.reason] if report.reason else []
    if selection.without_link:
        notes.append(f"{selection.without_link} entries without an http(s) link skipped")
        if report.status == "ok":
            report.status = "warning"
    if selection.duplicates:
        notes.append(f"{selection.duplicates} duplicate entries dropped")
    report.reason = "; ".join(notes)


def _update(
    out: _Outcome, row: CacheRow | None, selection: Selection | None, now: float
) -> dict[str, object]:
    """The cache row's new values for this feed (empty: nothing to write)."""
    fetched = out.fetched
    values: dict[str, object] = {"checked_at": now}
    if fetched.status in ("ok", "warning") and out.blob is not None:
        values.update(
            etag=fetched.etag,
            last_modified=fetched.last_modified,
            title=out.title,
            entries=out.blob,
            fetched_at=now,
            retry_until=None,
        )
    elif fetched.status == "not_modified":
        values.update(etag=fetched.etag, last_modified=fetched.last_modified, retry_until=None)
    elif fetched.status == "skipped" and fetched.retry_until:
        values["retry_until"] = fetched.retry_until
    elif row is None:
        return {}  # nothing worth remembering about a feed that has never worked
    if selection is not None and (row is None or selection.first_seen != row.first_seen):
        values["first_seen"] = dump_seen(selection.first_seen)
    return values


def _progress(total: int) -> _Bar | None:
    from rich.console import Console

    console = Console(stderr=True)
    if not console.is_terminal:
        return None
    return _Bar(console, total)


class _Bar:
    """A Rich progress bar on stderr, only on a terminal (cron logs stay clean)."""

    def __init__(self, console: object, total: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        self.progress = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,  # type: ignore[arg-type]
            transient=True,
        )
        self.task = self.progress.add_task("Fetching feeds", total=total)
        self.progress.start()

    def advance(self) -> None:
        self.progress.advance(self.task)

    def stop(self) -> None:
        self.progress.stop()


def _run_async(coro: Coroutine[Any, Any, T]) -> T:
    """asyncio.run, also when the caller already runs an event loop (then in a thread)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=target, name="collect")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]


def _host(location: str) -> str:
    return urlsplit(location).hostname or location.rsplit("/", 1)[-1]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
