"""The token bucket and the backoff schedule, on a fake clock (the real pace is in test_faults)."""

from __future__ import annotations

import random
import threading
import time

import pytest

from newsletter.send.pool import PoolShape
from newsletter.send.ratelimit import RateLimiter
from newsletter.send.retry import RetryPolicy


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.now = max(self.now, self.now + seconds)


def test_slots_are_spaced_by_the_rate_and_idle_time_gives_no_burst() -> None:
    clock = FakeClock()
    starts = []
    limiter = RateLimiter(10.0, clock=clock, sleep=clock.sleep)
    for _ in range(5):
        limiter.acquire()
        starts.append(clock.now)
    assert starts == pytest.approx([100.0, 100.1, 100.2, 100.3, 100.4])
    clock.now += 60  # a long pause (backoff, waiting for a claim)
    limiter.acquire()
    limiter.acquire()
    assert clock.now == pytest.approx(160.4 + 0.1)  # one slot now, the next 1/rate later


def test_threads_share_one_pace() -> None:
    limiter = RateLimiter(200.0)
    began = time.monotonic()
    threads = [
        threading.Thread(target=lambda: [limiter.acquire() for _ in range(10)]) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert time.monotonic() - began >= 79 / 200


def test_no_rate_never_waits() -> None:
    RateLimiter(None).acquire()
    with pytest.raises(ValueError):
        RateLimiter(0)


def test_backoff_grows_exponentially_within_the_cap_with_jitter() -> None:
    policy = RetryPolicy(attempts=8, base=0.1, cap=2.0)
    rng = random.Random(1)
    for failed in range(1, 9):
        bound = min(2.0, 0.1 * 2 ** (failed - 1))
        delays = [policy.delay(failed, rng) for _ in range(200)]
        assert all(0 <= d <= bound for d in delays)
        assert max(delays) > 0.8 * bound  # it does use the whole range (jitter)…
        assert len(set(delays)) > 150  # …and the waits differ


@pytest.mark.parametrize(
    ("workers", "rate", "expected"),
    [
        (8, None, PoolShape(8, 100, 124, 12, 4)),  # a transaction per 8 messages
        (8, 1.0, PoolShape(8, 1, 3, 1, 0)),  # one row sending at one message a second
        (8, 20.0, PoolShape(8, 10, 20, 5, 2)),
        (8, 14.0, PoolShape(8, 7, 15, 4, 2)),
        (32, 5000.0, PoolShape(32, 100, 196, 48, 16)),
    ],
)
def test_pool_shape_keeps_claimed_rows_near_one_second_of_sending(
    workers: int, rate: float | None, expected: PoolShape
) -> None:
    assert PoolShape.for_rate(workers, rate) == expected
