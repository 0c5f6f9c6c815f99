"""Abuse limits over HTTP: the per-IP limit (from the config, across a restart) and the
per-address limit (the limiter itself: tests/signup/test_limits.py)."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx

from newsletter.web.server import url_of
from tests.fixtures.site import make_site
from tests.web.conftest import write_config
from tests.web.signup.conftest import Clock, start_site


def test_per_ip_limit_over_http_survives_a_restart(
    tmp_path: Path,
    listener: socket.socket,
    serve,  # type: ignore[no-untyped-def]
) -> None:
    """uvicorn takes X-Forwarded-For from a proxy on 127.0.0.1, as behind nginx. The
    limit comes from the config's [signup] section."""
    from newsletter.web.server import bind

    path = write_config(tmp_path, url_of(listener)).path
    settings = make_site(tmp_path, base=path, signup={"network_per_hour": 3}).settings
    clock = Clock()
    for site in start_site(tmp_path, listener, serve, settings=settings, clock=clock):
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
