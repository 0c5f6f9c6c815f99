"""A token bucket shared by every worker thread: the campaign's pace never exceeds the quota.

SES counts every request against `MaxSendRate`, retries included, so each
attempt takes a token. The bucket holds one token at most: a campaign that was
idle (waiting for a claim, backing off) gets no burst afterwards, which keeps the
rate measured over any stretch of the send at or under the configured rate.
Tokens are handed out as future time slots under a lock and the sleeping happens
outside it, so many threads can wait for their slots at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class RateLimiter:
    """`acquire()` blocks until the caller may make one request; `rate=None` never blocks."""

    def __init__(
        self,
        rate: float | None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        if rate is not None and rate <= 0:
            raise ValueError("rate must be positive (or None for no limit)")
        self.rate = rate
        self._interval = 1.0 / rate if rate else 0.0
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next = 0.0

    def set_rate(self, rate: float | None) -> None:
        """A new pace from now on (the process's share changed as senders came and went)."""
        if rate is not None and rate <= 0:
            raise ValueError("rate must be positive (or None for no limit)")
        with self._lock:
            self.rate = rate
            self._interval = 1.0 / rate if rate else 0.0

    def acquire(self) -> None:
        if not self._interval:
            return
        with self._lock:
            now = self._clock()
            slot = max(self._next, now)  # no credit for idle time: no bursts
            self._next = slot + self._interval
        wait = slot - now
        if wait > 0:
            self._sleep(wait)
