"""Abuse limits: the per-address and per-IP limits over HTTP, and the limiter itself on
SQLite and PostgreSQL, under threads and across processes."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from newsletter.db import engine
from newsletter.web.server import url_of
from newsletter.web.signup.limits import Limiter, limit_key, network_of
from tests.web.conftest import write_config
from tests.web.signup.conftest import Clock, start_site

T0 = datetime(2026, 2, 7, 9, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'limits.db'}"
    return request.getfixturevalue("postgres_url")


def test_interval_cap_and_window(database_url: str) -> None:
    limiter = Limiter(engine(database_url))

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
    limiter = Limiter(engine(database_url))
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
from newsletter.db import engine
from newsletter.web.signup.limits import Limiter
limiter = Limiter(engine(sys.argv[1]))
at = datetime.fromisoformat(sys.argv[2])
print(json.dumps([limiter.allow("ip:y", at, cap=7, window=timedelta(hours=1)) for _ in range(10)]))
"""


@pytest.mark.slow
def test_the_limit_holds_across_processes(database_url: str) -> None:
    Limiter(engine(database_url))  # the table exists before the children race
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


def test_per_ip_limit_over_http_survives_a_restart(
    tmp_path: Path,
    listener: socket.socket,
    serve,  # type: ignore[no-untyped-def]
) -> None:
    """uvicorn takes X-Forwarded-For from a proxy on 127.0.0.1, as behind nginx. The
    limit comes from the config's [signup] section."""
    from newsletter.config import load_settings
    from newsletter.web.server import bind

    path = write_config(tmp_path, url_of(listener)).path
    path.write_text(path.read_text() + "\n[signup]\nnetwork_per_hour = 3\n", encoding="utf-8")
    clock = Clock()
    for site in start_site(tmp_path, listener, serve, settings=load_settings(path), clock=clock):
        for n in range(3):
            assert site.post(f"p{n}@example.com", ip="198.51.100.7").status_code == 200
        busy = site.post("p4@example.com", ip="198.51.100.7")
        assert busy.status_code == 429 and busy.headers["retry-after"] == "3600"
        assert "Too many signups from your network" in busy.text
        # another network is not affected
        assert site.post("q@example.com", ip="203.0.113.5").status_code == 200
        site.wait(4)
        assert site.status("p4@example.com") == "absent"
        settings = site.settings

    # a new server process on the same database remembers the count
    second = bind("127.0.0.1", 0)
    for site in start_site(tmp_path, second, serve, settings=settings, clock=clock):
        assert site.post("p5@example.com", ip="198.51.100.7").status_code == 429
        clock.advance(hours=1)
        assert site.post("p6@example.com", ip="198.51.100.7").status_code == 200


def test_per_address_limit_over_http(site) -> None:  # type: ignore[no-untyped-def]
    """One mail per 10 minutes, five per 24 hours; the answers never differ."""
    sent_ids: list[str] = []
    pages = set()
    done = 0

    def ask() -> None:
        nonlocal done
        answer = site.post("kim@example.com")
        pages.add((answer.status_code, answer.text))
        done += 1
        site.wait(done)
        message_id = site.outbox()["kim@example.com"]["Message-ID"]
        if message_id not in sent_ids:
            sent_ids.append(message_id)

    ask()
    ask()  # at once: no second mail
    site.clock.advance(minutes=9)
    ask()
    assert len(sent_ids) == 1
    for _ in range(4):
        site.clock.advance(minutes=10)
        ask()
    assert len(sent_ids) == 5
    site.clock.advance(minutes=30)
    ask()  # the sixth within 24 hours
    assert len(sent_ids) == 5
    site.clock.advance(hours=24)
    ask()
    assert len(sent_ids) == 6
    assert len(pages) == 1  # throttled or not, the same answer
    assert httpx.get(f"{site.url}/healthz").status_code == 200
