"""How many fetches run at once: three limits, because they protect three things.

- **Requests in flight** (`collect.connections`): sockets waiting on
  servers. A request costs a socket and a round trip; on a daily run most feeds
  answer 304 with no body, so this is what sets the warm run's time (a hundred
  feeds at 100 ms each take ceil(100 / connections) round trips).
- **Requests per host** (`collect.per_host`): politeness. A
  publisher with twenty section feeds sees a few requests at a time, never
  twenty, however high the first limit is; and once it answers one of them with
  429/503 and a Retry-After, its other feeds are not asked until then either.
  `Lanes` enforces both.
- **Bodies in memory** (`collect.concurrency`, a semaphore handed to
  `fetch.fetch`): a feed body is held from its first byte until it is parsed.
  Only a 200 takes one, after its headers, so a 304 never waits behind a
  download and a hundred 1.5 MB feeds never sit in memory at once.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import httpx

from newsletter.collect.fetch import Limits, is_local, make_client

# Connections per httpx client. httpcore's pool scans all of its connections, for each
# waiting request, every time a request starts or ends (encode/httpcore#1035): with 64
# connections in one client that bookkeeping outweighs the HTTP work. `Lanes` therefore
# spreads the requests over several small clients.
LANE_SIZE = 8


class Lanes:
    """Request slots: `connections` in all, `per_host` for one host, over small clients.

    `async with lanes.slot(location) as client` waits until the feed's host has fewer
    than `per_host` requests running and fewer than `connections` run in all, then
    hands out a client (a lane: at most LANE_SIZE connections) with a free connection,
    so no client's own pool ever queues. A host uses its home lane whenever that has
    room, so its kept-alive connections are reused: a publisher's twenty section feeds
    cost a few TCP (and TLS) handshakes, not twenty. Homes are spread over the lanes by
    how many feeds each host has; when a home lane is full, another takes the request
    rather than letting it wait.
    """

    def __init__(
        self,
        limits: Limits,
        locations: list[str],
        connections: int,
        per_host: int,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        lane_size = max(LANE_SIZE, min(per_host, connections))
        count = -(-connections // lane_size)
        sizes = [connections // count + (i < connections % count) for i in range(count)]
        tls = tls or httpx.create_ssl_context(trust_env=False)  # one for all the clients
        self.clients = [make_client(limits, size, tls) for size in sizes]
        self._free = list(sizes)  # idle connections per lane
        self._total = asyncio.Semaphore(connections)
        self._per_host = per_host
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._paused: dict[str, float] = {}
        self._home: dict[str, int] = {}
        feeds: dict[str, int] = {}
        for location in locations:
            key = host_key(location)
            feeds[key] = feeds.get(key, 0) + 1
        load = [0] * count
        for key in sorted(feeds, key=lambda k: (-feeds[k], k)):  # the busiest hosts first
            lane = min(range(count), key=lambda i: (load[i] / sizes[i], i))
            self._home[key] = lane
            load[lane] += feeds[key]

    @asynccontextmanager
    async def slot(self, location: str) -> AsyncIterator[httpx.AsyncClient]:
        key = host_key(location)
        host = self._hosts.get(key)
        if host is None:
            host = self._hosts[key] = asyncio.Semaphore(self._per_host)
        async with host, self._total:
            # Fewer than `connections` in flight, so some lane has room.
            lane = self._home.get(key, 0)
            if not self._free[lane]:
                lane = max(range(len(self._free)), key=self._free.__getitem__)
            self._free[lane] -= 1
            try:
                yield self.clients[lane]
            finally:
                self._free[lane] += 1

    def pause(self, location: str, until: float) -> None:
        """The feed's host asked us to wait (Retry-After) until `until` (epoch seconds)."""
        key = host_key(location)
        if key:
            self._paused[key] = max(until, self._paused.get(key, 0.0))

    def paused_until(self, location: str) -> float | None:
        """When the feed's host said we may come back, if it said so during this run."""
        return self._paused.get(host_key(location))

    async def __aenter__(self) -> Lanes:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.gather(*(client.aclose() for client in self.clients))


def host_key(location: str) -> str:
    """What `per_host` counts by: the URL's host name ("" for local files)."""
    if is_local(location):
        return ""
    try:
        host = urlsplit(location).hostname
    except ValueError:
        return ""
    return host or ""
