"""The signup limiter itself on SQLite and PostgreSQL, under threads and across processes
(the limits over HTTP: tests/web/signup/test_limits.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newsletter.db import ready
from newsletter.signup.limits import Limiter, limit_key, network_of

T0 = datetime(2026, 2, 7, 9, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'limits.db'}"
    return request.getfixturevalue("postgres_url")


def test_interval_cap_and_window(database_url: str) -> None:
    limiter = Limiter(ready(database_url))

    def allow(at: datetime) -> bool:
        return limiter.allow(
            "address:a", at, cap=3, window=timedelta(hours=24), interval=timedelta(minutes=10)
        )

    assert allow(T0)
    assert not allow(T0 + timedelta(minutes=9, seconds=59))  # within 10 minutes
    assert allow(T0 + timedelta(minutes=10))
    assert allow(T0 + timedelta(minutes=20))
    assert not allow(T0 + timedelta(minutes=30))  # the third of the day was the last
    assert not allow(T0 + timedelta(hours=23, minutes=59))
    assert allow(T0 + timedelta(hours=24))  # a new window
    assert limiter.allow("address:b", T0, cap=3, window=timedelta(hours=24))  # other keys free
    assert limiter.purge(T0 + timedelta(hours=1)) == 1  # b unused since T0; a used later
    assert allow(T0 + timedelta(hours=24, minutes=10))


def test_concurrent_attempts_never_exceed_the_cap(database_url: str) -> None:
    limiter = Limiter(ready(database_url))
    results: list[bool] = []
    barrier = threading.Barrier(12)

    def attempt() -> None:
        barrier.wait()
        for _ in range(3):
            results.append(limiter.allow("ip:x", T0, cap=5, window=timedelta(hours=1)))

    threads = [threading.Thread(target=attempt) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 5 and len(results) == 36


CHILD = """
import json, sys
from datetime import datetime, timedelta
from newsletter.db import ready
from newsletter.signup.limits import Limiter
limiter = Limiter(ready(sys.argv[1]))
at = datetime.fromisoformat(sys.argv[2])
print(json.dumps([limiter.allow("ip:y", at, cap=7, window=timedelta(hours=1)) for _ in range(10)]))
"""


@pytest.mark.slow
def test_the_limit_holds_across_processes(database_url: str) -> None:
    Limiter(ready(database_url))  # the table exists before the children race
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, database_url, T0.isoformat()],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        )
        for _ in range(3)
    ]
    allowed = 0
    for child in children:
        out, _ = child.communicate(timeout=60)
        assert child.returncode == 0
        allowed += json.loads(out).count(True)
    assert allowed == 7


def test_keys_are_not_readable_and_ipv6_counts_per_64() -> None:
    key = limit_key("secret-0123456789abcdef", "address", "kim@example.com")
    assert key.startswith("address:") and "kim" not in key
    assert key != limit_key("another-secret-0123456789", "address", "kim@example.com")
    assert network_of("2001:db8:1:2:aaaa::1") == network_of("2001:db8:1:2:bbbb::9")
    assert network_of("2001:db8:1:3::1") != network_of("2001:db8:1:2::1")
    assert network_of("::ffff:198.51.100.7") == "198.51.100.7"
