"""Blocking work (database, certificate downloads) off the event loop, in bounded threads.

SQLite takes one writer at a time, and a writer that finds the file locked
waits in SQLite's sleep-and-retry busy handler (sleeps of up to 100 ms), which
is what wrecks tail latency when fifty clicks arrive at once. So on SQLite the
app funnels its own writes through a single thread: they queue in memory and
each one finds the lock free. Other processes (a send, `feedback poll`) still
meet the busy timeout, as before. PostgreSQL gets a few concurrent writers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from anyio import CapacityLimiter, to_thread

T = TypeVar("T")


class Offload:
    def __init__(self, dialect: str, *, readers: int = 8, writers: int = 8) -> None:
        self._reads = CapacityLimiter(readers)
        self._writes = CapacityLimiter(1 if dialect == "sqlite" else writers)

    async def read(self, function: Callable[..., T], *args: Any) -> T:
        """Run a call that does not write to the database (or writes nothing of ours)."""
        return await to_thread.run_sync(function, *args, limiter=self._reads)

    async def write(self, function: Callable[..., T], *args: Any) -> T:
        """Run a call that writes to the database."""
        return await to_thread.run_sync(function, *args, limiter=self._writes)
