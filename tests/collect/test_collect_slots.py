"""The three fetch limits, through real HTTP servers on loopback addresses.

Requests in flight (`connections`), requests per host (`per_host`), and bodies in
memory (`concurrency`, taken only by a 200's body, never by a 304).
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import replace

import pytest
from feedserver import FeedServer, Reply

from newsletter.collect.cache import CacheRow
from newsletter.collect.fetch import Limits, fetch, make_client
from newsletter.collect.network import NetworkPolicy
from newsletter.collect.slots import Lanes, host_key
from tests.fixtures.edge import collect_for

LOOPBACK = Limits(network=NetworkPolicy(allow_all=True))  # the feed server is on 127.0.0.1


def run(settings, feeds):
    return collect_for(settings, feeds.day, now=feeds.now)


class Meter:
    """Counts the requests a server is answering at the same moment (over its routes)."""

    def __init__(self, hold: float = 0.05) -> None:
        self.active = self.peak = 0
        self.lock = threading.Lock()
        self.hold = hold

    def route(self, server: FeedServer, path: str, body: bytes) -> str:
        def counted(request):
            with self.lock:
                self.active += 1
                self.peak = max(self.peak, self.active)
            server.stopping.wait(self.hold)
            with self.lock:
                self.active -= 1
            return Reply(body=body)

        return server.route(path, counted)


@pytest.fixture
def second_host():
    """A feed server on another loopback address: another publisher."""
    server = FeedServer("127.0.0.2")
    yield server
    server.close()


def test_one_host_never_sees_more_than_per_host_requests(feed_server, make_settings, feeds):
    meter = Meter()
    urls = [meter.route(feed_server, f"/c{n}.xml", feeds.simple(f"c{n}", 1)) for n in range(24)]
    result = run(make_settings(urls, per_host=3, connections=50), feeds)
    assert len(result.items) == 24
    assert 2 <= meter.peak <= 3


def test_connections_bound_the_requests_to_all_hosts_together(
    feed_server, second_host, make_settings, feeds
):
    meter = Meter()
    urls = [
        meter.route(server, f"/{tag}{n}.xml", feeds.simple(f"{tag}{n}", 1))
        for n in range(15)
        for tag, server in (("a", feed_server), ("b", second_host))
    ]
    result = run(make_settings(urls, per_host=4, connections=6), feeds)
    assert len(result.items) == 30
    # Above one host's four: both hosts were asked at once; never above the six connections.
    assert 5 <= meter.peak <= 6


def test_a_304_round_reuses_each_hosts_kept_alive_connections(
    feed_server, second_host, make_settings, feeds
):
    urls = [
        server.route(f"/k{n}.xml", Reply(body=feeds.simple(f"k{n}", 1), etag=f'"k{n}"'))
        for n in range(12)
        for server in (feed_server, second_host)
    ]
    # Many lanes (httpx clients), yet each host's requests stay on its own lane's connections.
    settings = make_settings(urls, per_host=3, connections=40)
    run(settings, feeds)
    marks = len(feed_server.log), len(second_host.log)
    second = run(settings, feeds)
    assert {r.status for r in second.feeds} == {"not_modified"}
    for server, mark in zip((feed_server, second_host), marks, strict=True):
        assert len(server.log) - mark == 12
        assert len({entry.client_port for entry in server.log[mark:]}) <= 3


def test_hosts_are_spread_over_the_lanes_busiest_first():
    locations = [f"http://big.example/{n}" for n in range(8)]
    locations += [f"http://small{n}.example/feed" for n in range(8)]
    lanes = Lanes(Limits(), locations, connections=16, per_host=4)
    try:
        homes = lanes._home  # which lane each host uses
        assert len(lanes.clients) == 2
        small = [homes[f"small{n}.example"] for n in range(8)]
        # The big publisher fills one lane; the eight small ones share the other.
        assert small.count(homes["big.example"]) == 0
        assert host_key("/srv/feeds/local.xml") == host_key("file:///srv/x.xml") == ""
    finally:
        asyncio.run(lanes.__aexit__())


# -- bodies in memory, at the level of one fetch ----------------------------------------------


async def _fetch_with_no_body_free(url, row, limits, release_after):
    """fetch() while the only body slot is held elsewhere; it is freed after `release_after` s."""
    bodies = asyncio.Semaphore(1)
    await bodies.acquire()
    loop = asyncio.get_running_loop()
    loop.call_later(release_after, bodies.release)
    async with make_client(limits, 2) as client:
        started = time.monotonic()
        fetched = await fetch(client, url, row, limits, bodies)
        took = time.monotonic() - started
    return fetched, took, bodies


def test_a_304_needs_no_body_slot(feed_server, feeds):
    url = feed_server.route("/same.xml", Reply(body=feeds.simple("same", 1), etag='"s1"'))
    row = CacheRow(url, etag='"s1"', has_entries=True)
    fetched, took, bodies = asyncio.run(_fetch_with_no_body_free(url, row, LOOPBACK, 120.0))
    assert fetched.status == "not_modified"
    assert took < 60.0  # it did not wait for the body slot freed after two minutes
    assert bodies.locked()  # and it took none


def test_a_body_waits_for_a_slot_without_spending_its_timeout(feed_server, feeds):
    url = feed_server.route("/new.xml", Reply(body=feeds.simple("new", 2)))
    limits = replace(LOOPBACK, total_timeout=2.0)  # ample for one loopback download
    fetched, took, bodies = asyncio.run(_fetch_with_no_body_free(url, None, limits, 4.0))
    assert fetched.status == "ok", fetched.reason
    assert fetched.body and b"<rss" in fetched.body
    assert took > 3.0  # it waited for the slot (freed at 4 s), longer than its 2 s budget
    assert bodies.locked()  # the caller now holds the slot for this body
    bodies.release()


def test_a_failed_download_gives_its_body_slot_back(feed_server, feeds):
    url = feed_server.route("/huge.xml", Reply(body=b"<rss>" + b"x" * 50_000 + b"</rss>"))
    limits = replace(LOOPBACK, max_bytes=10_000)

    async def go():
        bodies = asyncio.Semaphore(1)
        async with make_client(limits, 2) as client:
            fetched = await fetch(client, url, None, limits, bodies)
        return fetched, bodies

    fetched, bodies = asyncio.run(go())
    assert fetched.status == "error" and "larger than" in fetched.reason
    assert not bodies.locked()


def test_a_retry_after_pauses_the_whole_host_for_this_run(
    feed_server, second_host, make_settings, feeds
):
    busy = feed_server.route("/a.xml", Reply(429, headers={"Retry-After": "3600"}))
    sibling = feed_server.route("/b.xml", Reply(body=feeds.simple("b", 1)))
    elsewhere = second_host.route("/c.xml", Reply(body=feeds.simple("c", 1)))
    # One request to the host at a time, so /b.xml comes after /a.xml's answer.
    result = run(make_settings([busy, sibling, elsewhere], per_host=1), feeds)
    reports = {report.url: report for report in result.feeds}
    assert reports[busy].status == "skipped" and "Retry-After 3600 s" in reports[busy].reason
    assert reports[sibling].status == "skipped"
    assert "127.0.0.1 asked us to wait until" in reports[sibling].reason
    assert feed_server.requests("/b.xml") == []  # not even asked
    assert reports[elsewhere].status == "ok"  # another publisher is not affected
    # A run within the hour: /a.xml remembers the wait, and the host is left alone again.
    again = run(make_settings([busy, sibling, elsewhere], per_host=1), feeds)
    assert [r.status for r in again.feeds] == ["skipped", "skipped", "ok"]
    assert len(feed_server.requests("/a.xml")) == 1 and feed_server.requests("/b.xml") == []
