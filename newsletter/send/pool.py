"""The worker pool: claim rows in batches, deliver them on threads, record outcomes in batches.

Only the calling (main) thread talks to the database: it claims a batch when the
rows in flight run low, hands the rows to the workers through a queue, and
writes the outcomes back every `batch` rows or every fraction of a second. So a
message costs a fraction of a database round-trip, while a crash leaves at most
`window` rows plus one unwritten batch in `sending` — the ambiguous ones.

When the stop is set (account error, Ctrl-C, SIGTERM) no new rows are claimed,
messages already with SES finish, and every claimed row that never left goes
back to `pending`: nothing is lost and a re-run resumes.
"""

from __future__ import annotations

import math
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from newsletter.send.delivery import Stop
from newsletter.send.sendlog import Claimed, Outcome, SendLog

FLUSH_SECONDS = 0.2


@dataclass(frozen=True)
class PoolShape:
    """How many threads, how many rows per claim, and how many rows may be in flight."""

    workers: int
    batch: int
    window: int

    @classmethod
    def for_rate(cls, workers: int, rate: float | None) -> PoolShape:
        """Unlimited: claims big enough to amortise the round-trip. Rate-limited: about one
        second of sending in flight, so claimed rows do not wait long behind the limiter."""
        workers = max(1, workers)
        largest = min(100, 4 * workers)
        if not rate:
            return cls(workers, largest, workers + largest)
        batch = max(1, min(largest, math.ceil(rate / 2)))
        window = max(batch, min(workers + batch, math.ceil(rate)))
        return cls(workers, batch, window)


@dataclass
class PoolResult:
    claimed: int = 0
    budget_exhausted: bool = False


def run_pool(
    log: SendLog,
    deliver: Callable[[Claimed], Outcome],
    *,
    shape: PoolShape,
    stop: Stop,
    budget: int | None,
    on_outcomes: Callable[[list[Outcome]], None],
) -> PoolResult:
    """Send every pending row of `log` (at most `budget` of them) until done or stopped."""
    work: queue.Queue[Claimed | None] = queue.Queue()
    results: queue.Queue[Outcome] = queue.Queue()
    threads = [
        threading.Thread(
            target=_worker, args=(work, results, deliver, stop), name=f"send-{i}", daemon=True
        )
        for i in range(shape.workers)
    ]
    for thread in threads:
        thread.start()
    state = _State(budget)
    try:
        try:
            _loop(log, shape, stop, state, work, results, on_outcomes)
        except KeyboardInterrupt:
            stop.set("interrupted")
            _loop(log, shape, stop, state, work, results, on_outcomes)  # hand rows back
        except BaseException as exc:
            stop.set(f"{type(exc).__name__}: {exc}")
            stop.crash = stop.crash or exc
            raise
    finally:
        for _thread in threads:
            work.put(None)
        for thread in threads:
            thread.join(timeout=60)
        while not results.empty():  # only after an error: rows the loop did not wait for
            state.unwritten.append(results.get_nowait())
        _flush(log, state, on_outcomes)
    if stop.crash is not None:
        raise stop.crash
    return PoolResult(claimed=state.claimed, budget_exhausted=state.budget_exhausted)


class _State:
    def __init__(self, budget: int | None) -> None:
        self.budget = budget
        self.claimed = 0
        self.in_flight = 0
        self.exhausted = False
        self.budget_exhausted = False
        self.unwritten: list[Outcome] = []
        self.last_flush = time.monotonic()


def _loop(
    log: SendLog,
    shape: PoolShape,
    stop: Stop,
    state: _State,
    work: queue.Queue[Claimed | None],
    results: queue.Queue[Outcome],
    on_outcomes: Callable[[list[Outcome]], None],
) -> None:
    while True:
        while not stop.is_set() and not state.exhausted:
            if state.in_flight + shape.batch > shape.window:
                break
            want = shape.batch
            if state.budget is not None:
                want = min(want, state.budget - state.claimed)
                if want <= 0:
                    state.exhausted = state.budget_exhausted = True
                    break
            rows = log.claim(want)
            if not rows:
                state.exhausted = True
                break
            for row in rows:
                if row.status != "active":
                    reason = f"subscriber is {row.status}" if row.status else "subscriber erased"
                    state.unwritten.append(Outcome(row.row_id, "skipped", error=reason))
                    continue
                state.claimed += 1
                state.in_flight += 1
                work.put(row)
        if state.in_flight == 0 and (state.exhausted or stop.is_set()):
            return
        timeout = FLUSH_SECONDS if state.in_flight else 0.0
        try:
            state.unwritten.append(results.get(timeout=timeout))
            state.in_flight -= 1
            while True:
                state.unwritten.append(results.get_nowait())
                state.in_flight -= 1
        except queue.Empty:
            pass
        if state.unwritten and (
            len(state.unwritten) >= shape.batch
            or time.monotonic() - state.last_flush >= FLUSH_SECONDS
            or state.in_flight == 0
        ):
            _flush(log, state, on_outcomes)


def _flush(log: SendLog, state: _State, on_outcomes: Callable[[list[Outcome]], None]) -> None:
    if state.unwritten:
        done = state.unwritten
        log.finish(done)  # interrupted here: the outcomes stay unwritten for the next try
        state.unwritten = []
        on_outcomes(done)
    state.last_flush = time.monotonic()


def _worker(
    work: queue.Queue[Claimed | None],
    results: queue.Queue[Outcome],
    deliver: Callable[[Claimed], Outcome],
    stop: Stop,
) -> None:
    while True:
        row = work.get()
        if row is None:
            return
        try:
            outcome = deliver(row)
        except BaseException as exc:  # a bug, not a delivery failure: stop, hand the row back
            stop.crash = stop.crash or exc
            stop.set(f"internal error: {type(exc).__name__}: {exc}")
            outcome = Outcome(row.row_id, "pending", error=f"{type(exc).__name__}: {exc}")
        results.put(outcome)
