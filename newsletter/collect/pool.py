"""Where the CPU work of a collect runs: worker processes for many feeds, a thread otherwise.

Downloads wait on the network; parsing and cleaning wait on the CPU. With a
hundred feeds the parse work (~10 ms per 50-entry feed in feedparser) is larger
than the network time, so on a multi-core machine it goes to a few worker
processes started on demand (forkserver: they do not inherit our sockets or
threads). For a handful of feeds a process start costs more than it saves, so
one thread does it. If the process pool breaks (a worker killed, a pickling
problem), the run carries on in the thread: slower, never lost.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from pickle import PicklingError
from typing import Any, TypeVar

T = TypeVar("T")

AUTO_PROCESS_FEEDS = 12  # below this many feeds, processes cost more than they save
MAX_AUTO_WORKERS = 4


def worker_count(configured: int, feeds: int) -> int:
    """Processes to use: `configured` when set (1 = in-process), else by feeds and CPUs."""
    if configured:
        return configured
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if feeds < AUTO_PROCESS_FEEDS or not cpus or cpus < 2:
        return 1
    return min(cpus, MAX_AUTO_WORKERS)


class CpuPool:
    """Runs CPU-bound per-feed work off the event loop; use as an async context manager."""

    def __init__(self, processes: int) -> None:
        self.processes = processes if processes > 1 else 0
        self.thread = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="collect-cpu")
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._starting: asyncio.Future[concurrent.futures.ProcessPoolExecutor] | None = None

    def start(self) -> None:
        """Start the worker processes now rather than at the first body: a run that will
        surely parse many feeds (an empty cache) then has them ready when the first
        downloads arrive instead of ~0.1 s later. They start in a thread: the first start
        in a process waits ~0.1 s for the forkserver's imports, which must not hold up
        the event loop (and the first requests) meanwhile."""
        if self.processes and self._starting is None:
            self._starting = asyncio.ensure_future(asyncio.to_thread(self._processes))

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        if self.processes:
            try:
                self.start()
                assert self._starting is not None
                pool = await self._starting
                return await loop.run_in_executor(pool, fn, *args)
            except (BrokenProcessPool, PicklingError, OSError, RuntimeError):
                self.processes = 0  # the pool is unusable: finish this run in the thread
        return await loop.run_in_executor(self.thread, fn, *args)

    async def run_in_thread(self, fn: Callable[..., T], *args: Any) -> T:
        """Work that needs this process (the database connection, say)."""
        return await asyncio.get_running_loop().run_in_executor(self.thread, fn, *args)

    def _processes(self) -> concurrent.futures.ProcessPoolExecutor:
        if self._pool is None:
            from newsletter.collect.work import warm_up

            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context(
                "forkserver" if "forkserver" in methods else "spawn"
            )
            if context.get_start_method() == "forkserver":
                context.set_forkserver_preload(["newsletter.collect.work"])
            self._pool = concurrent.futures.ProcessPoolExecutor(self.processes, mp_context=context)
            for _ in range(self.processes):
                self._pool.submit(warm_up)
        return self._pool

    async def __aenter__(self) -> CpuPool:
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._starting is not None:
            await asyncio.wait([self._starting])  # started but never used: let it finish
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        self.thread.shutdown(wait=True)
