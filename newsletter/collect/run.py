"""One collect run: fetch every feed concurrently, turn each into items, dedupe, report.

Fetching is asynchronous over kept-alive connections, within three limits
(requests in flight, requests per host, bodies in memory: see `slots`). As soon
as a feed arrives its CPU work starts (`work`, in a worker process or thread, see
`pool`), so parsing overlaps the downloads still in flight, and a 304's cached
entries are read and selected while other feeds are still on the wire (the reads
and writes of the feed cache go in batches, see `cache_io`). Every per-feed step
ends in a report line for that feed: nothing one feed does can stop the others.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from newsletter.collect import dedupe as dedupe_mod
from newsletter.collect.cache import CacheRow, FeedCache, dump_seen
from newsletter.collect.cache_io import CacheIO
from newsletter.collect.dedupe import Features
from newsletter.collect.fetch import Fetched, fetch, tls_context_soon
from newsletter.collect.filters import FeedFilter
from newsletter.collect.pool import AUTO_PROCESS_FEEDS, CpuPool, worker_count
from newsletter.collect.progress import progress_bar
from newsletter.collect.report import WORKED, CollectError, CollectResult, FeedReport
from newsletter.collect.setup import CollectSetup
from newsletter.collect.slots import Lanes
from newsletter.collect.work import Job, WorkResult, from_body, from_cache_or_none
from newsletter.model import Item

T = TypeVar("T")


@dataclass
class _Outcome:
    fetched: Fetched
    work: WorkResult | None = None
    cache_lost: bool = False  # a 304 whose cached entries could not be read
    cache_error: str = ""  # the feed's cache row could not be written
    failures: int = 0  # runs in a row that ended in an error, this one included
    failing_since: float | None = None


def collect_edition(
    database: Callable[[], Engine],
    setup: CollectSetup,
    day: date,
    send_moment: datetime,
    *,
    progress: bool = False,
    now: datetime | None = None,
) -> CollectResult:
    """The cleaned, windowed, deduplicated items of `day`'s edition and a per-feed report.

    The window is the `setup.window_hours` before `send_moment` (when `day`'s edition
    goes out). `database` opens the feed cache's engine, schema ready (the caller's
    one engine): it is called while the TLS context loads, and a database that cannot
    be opened or read is the run's one `CollectError` (a one-line message). A failing
    feed is a report line, never an exception.
    """
    tls = tls_context_soon()  # while the feed cache opens
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    end = send_moment.astimezone(UTC)
    start = end - timedelta(hours=setup.window_hours)
    locations = setup.locations()
    first: dict[str, int] = {}
    for index, location in enumerate(locations):
        first.setdefault(location, index)
    try:
        cache = FeedCache(database())
        rows = cache.load(list(first))
    except (SQLAlchemyError, OSError) as exc:
        raise CollectError(f"feed cache: database unavailable: {_first_line(exc)}") from None
    jobs = {}
    for location, index in first.items():
        feed, row = setup.feeds[index], rows.get(location)
        jobs[location] = Job(
            feed_url=location,
            name=feed.name,
            fallback_title=(row.title if row else "") or _host(location),
            section=feed.section,
            weight=feed.weight,
            seen_before=row.first_seen if row else {},
            now=moment.timestamp(),
            window=(start.timestamp(), end.timestamp()),
        )
    outcomes = _run_async(_collect_all(setup, jobs, rows, cache, tls, progress))
    items, reports = [], []
    known: dict[str, Features] = {}  # dedupe features made by the workers, first item wins
    for index, location in enumerate(locations):
        if first[location] != index:
            name = setup.feeds[index].name or _host(location)
            reason = f"same feed as feeds[{first[location]}]"
            reports.append(FeedReport(location, name, "skipped", reason))
            continue
        out = outcomes[location]
        report = _report(jobs[location], out)
        selection = out.work.selection if out.work is not None else None
        if selection is not None:
            feed = setup.feeds[index]
            kept, note = FeedFilter.of(feed.include, feed.exclude).apply(selection.items)
            if note:
                report.reason = "; ".join(filter(None, [report.reason, note]))
                report.items = len(kept)
            items.extend(kept)
            for item, made in zip(selection.items, selection.features, strict=True):
                known.setdefault(item.id, made)
        reports.append(report)
    unique = dedupe_mod.dedupe(items)
    _note_repeats(reports, items, unique)
    clustered = dedupe_mod.cluster(unique, setup.collect.dedupe_threshold, known)
    clustered.sort(key=lambda item: (-item.published.timestamp(), item.feed_url, item.id))
    return CollectResult(
        items=clustered,
        feeds=reports,
        day=day,
        window_start=start,
        window_end=end,
        clusters=len({item.cluster for item in clustered}),
    )


async def _collect_all(
    setup: CollectSetup,
    jobs: dict[str, Job],
    rows: dict[str, CacheRow],
    cache: FeedCache,
    tls: concurrent.futures.Future[ssl.SSLContext],
    progress: bool,
) -> dict[str, _Outcome]:
    collect = setup.collect
    limits = setup.limits()
    workers = worker_count(collect.parse_workers, len(jobs))
    # Bodies in memory: those downloading plus a short queue for the parsers.
    bodies = asyncio.Semaphore(collect.concurrency + 2 * workers)
    bar = progress_bar(len(jobs)) if progress else None

    async def one(lanes: Lanes, cpu: CpuPool, io: CacheIO, location: str) -> tuple[str, _Outcome]:
        try:
            outcome = await each(lanes, cpu, io, location)
        except Exception as exc:  # a bug on one feed's path must not lose the others
            reason = f"internal error: {type(exc).__name__}: {_first_line(exc)}"
            outcome = _Outcome(Fetched(location, "error", reason=reason))
        if bar is not None:
            bar.advance()
        return location, outcome

    async def each(lanes: Lanes, cpu: CpuPool, io: CacheIO, location: str) -> _Outcome:
        row, job = rows.get(location), jobs[location]
        async with lanes.slot(location) as client:
            until = lanes.paused_until(location)
            if until is not None:  # another feed of this host got 429/503 + Retry-After
                fetched = Fetched(location, "skipped", reason=_host_paused(location, until))
            else:
                fetched = await fetch(client, location, row, limits, bodies)
                if fetched.status == "skipped" and fetched.retry_until:
                    lanes.pause(location, fetched.retry_until)
        outcome = _Outcome(fetched)
        if fetched.body is not None:
            body, fetched.body = fetched.body, None
            try:
                outcome.work = await cpu.run(from_body, body, fetched.url, fetched.charset, job)
            finally:
                del body
                bodies.release()  # taken by `fetch` for this body
        elif fetched.status in ("not_modified", "skipped") and row and row.has_entries:
            blob = await io.blob(location)
            if blob is not None:
                # Right here, on the event loop: the entries come cleaned, so this is
                # ~1 ms a feed; measured, a worker (shipping the items back) or a
                # thread (handing the GIL back and forth) costs more than it saves.
                outcome.work = from_cache_or_none(blob, job)
            outcome.cache_lost = outcome.work is None and fetched.status == "not_modified"
        _count_failure(outcome, row, job.now)
        values = _update(outcome, row, job.now)
        if values:
            outcome.cache_error = await io.save(location, values, row is not None)
        if outcome.work is not None:
            outcome.work.blob = None  # stored: let it go
        return outcome

    try:
        async with CpuPool(workers) as cpu:
            # Feeds without validators cannot answer 304: they will be parsed.
            unknown = sum(1 for loc in jobs if not (loc in rows and rows[loc].has_entries))
            if unknown >= AUTO_PROCESS_FEEDS:
                cpu.start()
            try:
                context: ssl.SSLContext | None = await asyncio.wrap_future(tls)
            except Exception:  # it failed in the thread: Lanes tries again, and raises
                context = None
            lanes = Lanes(limits, list(jobs), collect.connections, collect.per_host, tls=context)
            async with lanes:
                io = CacheIO(cache, cpu.run_in_thread)
                done = await asyncio.gather(*(one(lanes, cpu, io, loc) for loc in jobs))
    finally:
        if bar is not None:
            bar.stop()
    return dict(done)


def _report(job: Job, out: _Outcome) -> FeedReport:
    fetched, work = out.fetched, out.work
    status = fetched.status
    notes = [fetched.reason] if fetched.reason else []
    if out.cache_lost:
        status = "error"
        notes.append("not modified, but the cached copy is unreadable (full fetch next run)")
    if work is not None:
        if work.error:
            status, notes = "error", [work.error]
        if work.warning:
            status = "warning"
            notes.insert(0, work.warning)
        selection = work.selection
        if selection is not None:
            if status == "skipped":
                notes.append(f"using {_entries(work.entries, 'cached ')}")
            if selection.without_link:
                notes.append(f"{_entries(selection.without_link)} without an http(s) link skipped")
                status = "warning" if status == "ok" else status
            if selection.duplicates:
                notes.append(f"{_entries(selection.duplicates, 'duplicate ')} dropped")
            if status in WORKED and not selection.items:
                notes.append(selection.why_empty())
    if out.cache_error:
        notes.append(out.cache_error)
    since = ""
    if out.failures and out.failing_since is not None:
        since = time.strftime("%Y-%m-%d", time.gmtime(out.failing_since))
        if status == "error" and out.failures > 1:
            notes.append(f"failing for {out.failures} runs in a row, since {since}")
    return FeedReport(
        url=job.feed_url,
        name=job.name or (work.feed_title if work else "") or job.fallback_title,
        status=status,
        reason="; ".join(notes),
        items=len(work.selection.items) if work and work.selection else 0,
        seconds=fetched.seconds + (work.seconds if work else 0.0),
        failing_runs=out.failures,
        failing_since=since,
    )


def _note_repeats(reports: list[FeedReport], items: list[Item], unique: list[Item]) -> None:
    """A feed whose every item another feed (earlier in the config) also carried says so:
    its zero in the edition is not silent."""
    kept = Counter(item.feed_url for item in unique)
    given = Counter(item.feed_url for item in items)
    for report in reports:
        report.kept = kept[report.url]
        count = given[report.url]
        if count and not report.kept:
            note = (
                "its 1 entry is a duplicate of another feed's"
                if count == 1
                else f"all {count} entries are duplicates of other feeds' entries"
            )
            report.reason = "; ".join(filter(None, [report.reason, note]))


def _count_failure(out: _Outcome, row: CacheRow | None, now: float) -> None:
    """Carry the feed's failure streak: one more after an error, none after it worked,
    unchanged when it was skipped (a publisher's Retry-After is not the feed failing)."""
    failed = out.fetched.status == "error" or out.cache_lost or bool(out.work and out.work.error)
    before, since = (row.failures, row.failing_since) if row else (0, None)
    if failed:
        out.failures, out.failing_since = before + 1, (since if before else None) or now
    elif out.fetched.status == "skipped":
        out.failures, out.failing_since = before, since


def _update(out: _Outcome, row: CacheRow | None, now: float) -> dict[str, object]:
    """The cache row's new values for this feed (empty: nothing to write)."""
    fetched, work = out.fetched, out.work
    values: dict[str, object] = {"checked_at": now}
    if fetched.status == "ok" and work is not None and work.blob is not None:
        values.update(
            etag=fetched.etag,
            last_modified=fetched.last_modified,
            title=work.title,
            entries=work.blob,
            fetched_at=now,
            retry_until=None,
        )
    elif out.cache_lost:
        values.update(etag="", last_modified="")
    elif fetched.status == "not_modified":
        values.update(etag=fetched.etag, last_modified=fetched.last_modified, retry_until=None)
    elif fetched.status == "skipped" and fetched.retry_until:
        values["retry_until"] = fetched.retry_until
    elif row is None and not out.failures:
        return {}  # a new feed, skipped before it ever answered: nothing to remember yet
    if fetched.status != "ok" and work is not None and work.blob is not None:
        values["entries"] = work.blob  # cached entries the window reached are now cleaned
    selection = work.selection if work else None
    if selection is not None and (row is None or selection.first_seen != row.first_seen):
        values["first_seen"] = dump_seen(selection.first_seen)
    if row is None or (out.failures, out.failing_since) != (row.failures, row.failing_since):
        values.update(failures=out.failures, failing_since=out.failing_since)
    return values


def _run_async(coro: Coroutine[Any, Any, T]) -> T:
    """asyncio.run, also when the caller already runs an event loop (then in a thread)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=target, name="collect")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


def _host_paused(location: str, until: float) -> str:
    moment = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(until))
    return f"{_host(location)} asked us to wait until {moment} (another of its feeds): skipped"


def _entries(count: int, kind: str = "") -> str:
    return f"{count} {kind}{'entry' if count == 1 else 'entries'}"


def _host(location: str) -> str:
    try:
        host = urlsplit(location).hostname
    except ValueError:
        host = None
    return host or location.rsplit("/", 1)[-1] or location


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
