"""The worker pool: claim rows in batches, deliver them on threads, record outcomes in batches.

Only the calling (main) thread talks to the database. It keeps a buffer of rows
`claimed` for this process (nothing has left for them: a crash hands them back),
and whenever the threads run low on work it marks the next few `sending` — in
the same transaction that records the outcomes so far — and only then queues
them. So a message costs a fraction of a database round-trip, while a crash
leaves at most `armed` rows (about two per thread) in `sending`: the ambiguous ones.

When the stop is set (account error, Ctrl-C, SIGTERM, the scheduler stopping) no
new rows are armed, messages already with SES finish, and every claimed row that
never left goes back to `pending`: nothing is lost and a re-run resumes.

The workers wake the main thread only when it has something to do (enough rows
came back to arm the next ones, or all did); it wakes by itself to write outcomes
at least every `FLUSH_SECONDS`. Waking it for every message cost a GIL hand-over
and a context switch each, a tenth of the client's CPU at a thousand a second.
"""

from __future__ import annotations

import math
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from newsletter.send.delivery import Stop
from newsletter.send.sendlog import Claimed, Outcome, SendLog

FLUSH_SECONDS = 0.2


@dataclass(frozen=True)
class PoolShape:
    """Threads; rows per claim; rows held (claimed + in flight); rows `sending` at most,
    and how few may be left in flight before the next ones are armed."""

    workers: int
    batch: int
    window: int
    armed: int
    refill: int

    @classmethod
    def for_rate(cls, workers: int, rate: float | None) -> PoolShape:
        """Unlimited: claims of 100 rows to amortise the round-trip, one row armed per thread
        and half as many ready behind them, armed again when half the threads are free
        (a transaction per `workers` messages, at most `armed` rows ambiguous).
        Rate-limited: about a second of sending held and at most a quarter second armed,
        so that rows do not wait behind the limiter while marked `sending`."""
        workers = max(1, workers)
        largest = 100
        most = workers + max(1, workers // 2)
        if not rate:
            batch, armed = largest, most
        else:
            batch = max(1, min(largest, math.ceil(rate / 2)))
            armed = max(1, min(most, math.ceil(rate / 4)))
        refill = max(1, workers // 2) if armed > workers else armed // 2
        return cls(workers, batch, 2 * armed + batch, armed, refill)


class Inbox:
    """Outcomes from the worker threads; `take` waits until `wanted` of them are in."""

    def __init__(self) -> None:
        self._items: list[Outcome] = []
        self._ready = threading.Condition(threading.Lock())
        self._wanted = 1

    def put(self, outcome: Outcome) -> None:
        with self._ready:
            self._items.append(outcome)
            if len(self._items) >= self._wanted:
                self._ready.notify()

    def take(self, wanted: int, timeout: float) -> list[Outcome]:
        """Everything in now, after waiting (at most `timeout`) until `wanted` items are."""
        with self._ready:
            self._wanted = wanted
            if timeout > 0:
                self._ready.wait_for(lambda: len(self._items) >= self._wanted, timeout)
            items, self._items = self._items, []
            return items


@dataclass
class PoolResult:
    claimed: int = 0
    budget_exhausted: bool = False


def run_pool(
    log: SendLog,
    deliver: Callable[[Claimed], Outcome],
    *,
    owner: str,
    shape: PoolShape,
    stop: Stop,
    budget: int | None,
    on_outcomes: Callable[[list[Outcome]], None],
    recover: Callable[[], int] | None = None,
) -> PoolResult:
    """Send every pending row of `log` (at most `budget` of them) until done or stopped.

    `recover()` is asked, when no pending row is left, to hand back rows that dead
    processes had claimed; the pool goes on while it finds some.
    """
    work: queue.SimpleQueue[Claimed | None] = queue.SimpleQueue()
    results = Inbox()
    threads = [
        threading.Thread(
            target=_worker, args=(work, results, deliver, stop), name=f"send-{i}", daemon=True
        )
        for i in range(shape.workers)
    ]
    for thread in threads:
        thread.start()
    state = _State(log, owner, budget, recover)
    try:
        try:
            _loop(shape, stop, state, work, results, on_outcomes)
        except KeyboardInterrupt:
            stop.set("interrupted")
            _loop(shape, stop, state, work, results, on_outcomes)  # hand rows back
        except BaseException as exc:
            stop.set(f"{type(exc).__name__}: {exc}")
            stop.crash = stop.crash or exc
            raise
    finally:
        for _thread in threads:
            work.put(None)
        for thread in threads:
            thread.join(timeout=60)
        state.unwritten += results.take(0, 0.0)  # after an error: rows the loop did not wait for
        _flush(state, on_outcomes)
        log.release_claimed(owner)
    if stop.crash is not None:
        raise stop.crash
    return PoolResult(claimed=state.claimed, budget_exhausted=state.budget_exhausted)


class _State:
    def __init__(
        self, log: SendLog, owner: str, budget: int | None, recover: Callable[[], int] | None
    ) -> None:
        self.log = log
        self.owner = owner
        self.budget = budget
        self.recover = recover
        self.claimed = 0
        self.buffer: deque[Claimed] = deque()  # claimed, not yet armed
        self.active = 0  # armed and queued or with a worker
        self.exhausted = False
        self.budget_exhausted = False
        self.unwritten: list[Outcome] = []
        self.last_flush = time.monotonic()


def _loop(
    shape: PoolShape,
    stop: Stop,
    state: _State,
    work: queue.SimpleQueue[Claimed | None],
    results: Inbox,
    on_outcomes: Callable[[list[Outcome]], None],
) -> None:
    while True:
        _fill(shape, stop, state)
        if state.buffer and not stop.is_set() and state.active <= shape.refill:
            _arm(shape, state, work, on_outcomes)
        if state.active == 0 and (stop.is_set() or (state.exhausted and not state.buffer)):
            return
        # wake when enough rows came back to arm the next ones (or all of them did)
        can_arm = state.buffer and not stop.is_set()
        wanted = state.active - shape.refill if can_arm else state.active
        timeout = 0.0
        if state.active:  # and at the latest when outcomes are due to be written
            waited = time.monotonic() - state.last_flush if state.unwritten else 0.0
            timeout = max(FLUSH_SECONDS - waited, 0.0)
        done = results.take(max(wanted, 1), timeout)
        state.active -= len(done)
        state.unwritten += done
        if state.unwritten and (
            len(state.unwritten) >= shape.batch
            or time.monotonic() - state.last_flush >= FLUSH_SECONDS
            or state.active == 0
        ):
            _flush(state, on_outcomes)


def _fill(shape: PoolShape, stop: Stop, state: _State) -> None:
    """Claim batches while the buffer is low and the rows held stay within the window."""
    while not stop.is_set() and not state.exhausted and len(state.buffer) <= shape.armed:
        if len(state.buffer) + state.active + shape.batch > shape.window:
            return
        want = shape.batch
        if state.budget is not None:
            want = min(want, state.budget - state.claimed)
            if want <= 0:
                state.exhausted = state.budget_exhausted = True
                return
        rows = state.log.claim(want, state.owner)
        if not rows:
            if state.recover is not None and state.recover():
                continue  # a dead sender's claimed rows are pending again
            state.exhausted = True
            return
        for row in rows:
            if row.status != "active":
                reason = f"subscriber is {row.status}" if row.status else "subscriber erased"
                state.unwritten.append(Outcome(row.row_id, "skipped", error=reason))
                continue
            state.claimed += 1
            state.buffer.append(row)


def _arm(
    shape: PoolShape,
    state: _State,
    work: queue.SimpleQueue[Claimed | None],
    on_outcomes: Callable[[list[Outcome]], None],
) -> None:
    """Mark the next rows `sending` (recording outcomes in the same transaction), then queue
    them: a row is never with a worker before the database says it may have left."""
    count = min(len(state.buffer), shape.armed - state.active)
    rows = [state.buffer.popleft() for _ in range(count)]
    done = state.unwritten
    queued: set[int] = set()
    try:
        moved = state.log.arm([row.row_id for row in rows], state.owner, done)
        state.unwritten = []
        state.last_flush = time.monotonic()
        for row in rows:
            if row.row_id in moved:
                state.active += 1
                work.put(row)
                queued.add(row.row_id)
            else:  # recovery gave it to another sender while this one looked dead
                state.claimed -= 1
    except BaseException:
        # Ctrl-C or SIGTERM between marking rows `sending` and queueing them: those never
        # reached a worker, so they must not stay `sending` (ambiguous) but be handed back
        state.log.disarm([row.row_id for row in rows if row.row_id not in queued], state.owner)
        raise
    if done:
        on_outcomes(done)


def _flush(state: _State, on_outcomes: Callable[[list[Outcome]], None]) -> None:
    if state.unwritten:
        done = state.unwritten
        state.log.finish(done)  # interrupted here: the outcomes stay unwritten for the next try
        state.unwritten = []
        on_outcomes(done)
    state.last_flush = time.monotonic()


def _worker(
    work: queue.SimpleQueue[Claimed | None],
    results: Inbox,
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
