"""The feed cache's reads and writes during a run, batched.

A run touches the cache once or twice per feed: read the entry blob after a
304, write the row once the feed is done. One statement and one commit per feed
costs more than the rows themselves (SQLAlchemy and the driver spend ~0.3 ms a
statement), and answers come in bursts: sixteen 304s arrive within a
millisecond. So the requests queue up here, and whatever queued while the
database thread was busy goes in the next batch: one `SELECT … IN` for the
reads, one transaction (an `executemany` per kind of row) for the writes. Under
a trickle a batch is one feed, under a burst it is the burst.

Failures stay per feed: an unreadable batch is a miss for each of its feeds, and
a batch of writes that fails is retried row by row, so one bad row is reported
on its own feed and the others are still saved.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.exc import SQLAlchemyError

from newsletter.collect.cache import FeedCache

T = TypeVar("T")
InThread = Callable[..., Awaitable[Any]]


class CacheIO:
    def __init__(self, cache: FeedCache, in_thread: InThread) -> None:
        """`in_thread(fn, *args)` runs blocking database work off the event loop."""
        self.cache = cache
        self.in_thread = in_thread
        self._reads: dict[str, list[asyncio.Future[bytes | None]]] = {}
        self._writes: list[tuple[str, dict[str, object], bool, asyncio.Future[str]]] = []
        self._draining: asyncio.Task[None] | None = None

    async def blob(self, feed: str) -> bytes | None:
        """The feed's stored entries (None: no usable row, or the database failed)."""
        future: asyncio.Future[bytes | None] = asyncio.get_running_loop().create_future()
        self._reads.setdefault(feed, []).append(future)
        self._kick()
        return await future

    async def save(self, feed: str, values: dict[str, object], exists: bool) -> str:
        """Write the feed's row; "" when saved, else the report's note."""
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._writes.append((feed, values, exists, future))
        self._kick()
        return await future

    def _kick(self) -> None:
        if self._draining is None or self._draining.done():
            self._draining = asyncio.create_task(self._drain())

    async def _drain(self) -> None:
        while self._reads or self._writes:
            reads, self._reads = self._reads, {}
            writes, self._writes = self._writes, []
            try:
                found, errors = await self.in_thread(
                    _batch, self.cache, list(reads), [(f, v, e) for f, v, e, _ in writes]
                )
            except Exception as exc:  # never leave a feed waiting forever
                found, errors = {}, {f: _note(exc) for f, _, _, _ in writes}
            for feed, futures in reads.items():
                for future in futures:
                    if not future.done():
                        future.set_result(found.get(feed))
            for feed, _, _, written in writes:
                if not written.done():
                    written.set_result(errors.get(feed, ""))


def _batch(
    cache: FeedCache, reads: list[str], writes: list[tuple[str, dict[str, object], bool]]
) -> tuple[dict[str, bytes], dict[str, str]]:
    found: dict[str, bytes] = {}
    if reads:
        try:
            found = cache.blobs(reads)
        except SQLAlchemyError:
            found = {}  # each of them is a cache miss
    errors: dict[str, str] = {}
    if writes:
        try:
            cache.save_many(writes)
        except SQLAlchemyError:
            for feed, values, exists in writes:  # find the row that fails; save the rest
                try:
                    cache.save_many([(feed, values, exists)])
                except SQLAlchemyError as exc:
                    errors[feed] = _note(exc)
    return found, errors


def _note(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return "feed cache not updated: " + (text[0][:200] if text else type(exc).__name__)
