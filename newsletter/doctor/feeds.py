"""Does each feed answer? One line per feed, through the collector's own client.

The request is exactly what `collect` sends (same client settings, user agent,
redirect and size limits, and the feed cache's ETag/Last-Modified, so an
unchanged feed costs a bodiless 304), only with a shorter timeout: `doctor` is
interactive. A dead feed is a warning, not a failure: the edition still goes
out with the others. The placeholder feed of the starter config is pointed out
without being fetched.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import replace

from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError

from newsletter.collect.cache import TABLE_NAME, CacheRow, FeedCache
from newsletter.collect.fetch import Fetched, Limits, fetch
from newsletter.collect.parse import ParseError, parse_feed
from newsletter.collect.slots import Lanes
from newsletter.config import CollectSettings
from newsletter.doctor.check import Check, fail, ok, warn
from newsletter.doctor.config_secrets import is_placeholder_host
from newsletter.doctor.context import Context

CONNECT_TIMEOUT = 3.0  # seconds, at most (the config's own value when smaller)
TOTAL_TIMEOUT = 8.0


def checks(ctx: Context) -> Iterator[Check]:
    settings = ctx.settings
    if not settings.feeds:
        yield fail("feeds", "no [[feeds]] in the config: editions would be empty", "add feeds")
        return
    setup = ctx.runtime.collect_setup  # the feeds and limits exactly as `collect` reads them
    collect = setup.collect
    limits = replace(
        setup.limits(),
        connect_timeout=min(collect.connect_timeout, CONNECT_TIMEOUT),
        total_timeout=min(collect.total_timeout, TOTAL_TIMEOUT),
    )
    locations = setup.locations()
    real = [loc for loc in dict.fromkeys(locations) if not is_placeholder_host(loc)]
    rows = _cached_rows(ctx, real)
    answers = asyncio.run(_probe_all(real, rows, limits, collect)) if real else {}
    for feed, location in zip(settings.feeds, locations, strict=True):
        name = f"feed {feed.name or location}"
        if is_placeholder_host(location):
            yield warn(
                name,
                f"{location} is the starter's placeholder (example.com never serves a feed)",
                "replace it with the feeds you want in newsletter.toml ([[feeds]] url)",
            )
            continue
        answer = answers[location]
        yield answer.as_check(name, location if feed.name else "", rows.get(location))


class _Answer:
    """A fetched feed and, when there was a body, whether it parsed as a feed."""

    def __init__(self, fetched: Fetched, entries: int | None = None, problem: str = "") -> None:
        self.fetched = fetched
        self.entries = entries
        self.problem = problem

    def as_check(self, name: str, location: str, row: CacheRow | None = None) -> Check:
        """The feed's line; `location` is repeated in the message only when `name` lacks it.
        `row` (the feed cache's) adds how long the feed has been failing in `collect`."""
        fetched = self.fetched
        where = f"{location}: " if location else ""
        took = f"{fetched.seconds:.1f} s"
        note = f"; {fetched.reason}" if fetched.reason else ""
        note += _streak(row)
        if fetched.status == "not_modified":
            return ok(name, f"{where}not modified since the last collect ({took}){note}")
        if fetched.status == "ok" and self.problem:
            return warn(name, f"{where}answers but is not a feed: {self.problem}", _FIX)
        if fetched.status == "ok":
            return ok(name, f"{where}{self.entries} entries ({took}){note}")
        if fetched.status == "skipped":
            return warn(name, f"{where}{fetched.reason}", "nothing to do: it is retried later")
        return warn(name, f"{where}{fetched.reason}{_streak(row)}", _FIX)


def _streak(row: CacheRow | None) -> str:
    if row is None or not row.failures:
        return ""
    since = ""
    if row.failing_since is not None:
        since = time.strftime(" since %Y-%m-%d", time.gmtime(row.failing_since))
    runs = "the last collect" if row.failures == 1 else f"the last {row.failures} collects"
    return f"; {runs} failed{since}"


_FIX = "check the URL in a browser; fix or remove it in newsletter.toml"


async def _probe_all(
    locations: list[str], rows: dict[str, CacheRow], limits: Limits, collect: CollectSettings
) -> dict[str, _Answer]:
    """Each feed once, within the collector's limits (requests, per host, bodies)."""
    bodies = asyncio.Semaphore(collect.concurrency)

    async def one(lanes: Lanes, location: str) -> tuple[str, _Answer]:
        async with lanes.slot(location) as client:
            fetched = await fetch(client, location, rows.get(location), limits, bodies)
        if fetched.body is None:
            return location, _Answer(fetched)
        try:
            return location, await asyncio.to_thread(_parse, fetched)
        finally:
            bodies.release()  # taken by `fetch` for this body

    async with Lanes(limits, locations, collect.connections, collect.per_host) as lanes:
        return dict(await asyncio.gather(*(one(lanes, loc) for loc in locations)))


def _parse(fetched: Fetched) -> _Answer:
    body, fetched.body = fetched.body or b"", None
    try:
        parsed = parse_feed(body, fetched.url, fetched.charset)
    except ParseError as exc:
        return _Answer(fetched, problem=str(exc))
    except Exception as exc:  # a parser bug is reported, never raised
        return _Answer(fetched, problem=f"parser failed: {type(exc).__name__}")
    return _Answer(fetched, entries=len(parsed.entries))


def _cached_rows(ctx: Context, locations: list[str]) -> dict[str, CacheRow]:
    """The feed cache's validators, read without touching the schema; {} when unavailable."""
    if ctx.engine is None or not ctx.schema_current or not locations:
        return {}

    try:
        if not inspect(ctx.engine).has_table(TABLE_NAME):
            return {}
        return FeedCache(ctx.engine).load(locations)
    except SQLAlchemyError:
        return {}
