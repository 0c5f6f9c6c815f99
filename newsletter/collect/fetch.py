"""Getting a feed's bytes: HTTP with limits and conditional GET, or a local file.

Publishers are strangers: a feed may hang, stream forever, redirect in a circle,
answer 429, serve a 40 MB archive, or point us at our own network. Every fetch
therefore has a connect and a total timeout, a redirect limit, a body cap
enforced *while* streaming (the body is never buffered past the cap), and only
connects to addresses the network policy allows (see `network`). Validators from the cache turn an
unchanged feed into a bodiless 304. Failures come back as a `Fetched` with a
one-line reason, never as an exception, so one feed can never stop the others.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import ssl
import threading
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx

from newsletter import __version__
from newsletter.collect.cache import CacheRow
from newsletter.collect.network import BlockedAddress, NetworkPolicy, guarded_transport
from newsletter.config import CollectSettings

ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
MAX_RETRY_AFTER = 7 * 24 * 3600.0


@dataclass(frozen=True)
class Limits:
    connect_timeout: float = 5.0
    total_timeout: float = 20.0
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    user_agent: str = ""
    network: NetworkPolicy = field(default_factory=NetworkPolicy)  # public addresses only

    @classmethod
    def of(cls, collect: CollectSettings, user_agent: str) -> Limits:
        """The `[collect]` limits and network policy; `user_agent` unless one is configured."""
        return cls(
            connect_timeout=collect.connect_timeout,
            total_timeout=collect.total_timeout,
            max_bytes=collect.max_bytes,
            max_redirects=collect.max_redirects,
            user_agent=collect.user_agent or user_agent,
            network=NetworkPolicy.from_setting(collect.allow_private_networks),
        )


@dataclass
class Fetched:
    """The outcome of one fetch. `status`: ok | not_modified | error | skipped."""

    feed: str
    status: str
    body: bytes | None = None
    url: str = ""  # where the body came from (after redirects): the base for relative links
    charset: str = ""
    etag: str = ""
    last_modified: str = ""
    reason: str = ""
    retry_until: float | None = None
    seconds: float = 0.0


class _TooLarge(Exception):
    pass


def default_user_agent(base_url: str) -> str:
    """Who we are and where to complain: publishers look at this when we misbehave."""
    return f"newsletter/{__version__} (daily briefing feed collector; +{base_url})"


def is_local(location: str) -> bool:
    return "://" not in location or location.lower().startswith("file://")


def make_client(
    limits: Limits, concurrency: int, tls: ssl.SSLContext | None = None
) -> httpx.AsyncClient:
    """`tls`: a context to share between clients (loading the CA bundle takes ~15 ms)."""
    pool = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    return httpx.AsyncClient(
        transport=guarded_transport(
            limits.network, verify=tls if tls is not None else True, limits=pool
        ),
        follow_redirects=True,
        max_redirects=limits.max_redirects,
        timeout=httpx.Timeout(limits.total_timeout, connect=limits.connect_timeout),
        headers={"User-Agent": limits.user_agent, "Accept": ACCEPT},
        trust_env=False,
    )


def tls_context_soon() -> concurrent.futures.Future[ssl.SSLContext]:
    """Start loading the CA bundle now, in a thread: it takes ~15 ms, which the feed
    cache's start-up can hide, instead of delaying the first request."""
    future: concurrent.futures.Future[ssl.SSLContext] = concurrent.futures.Future()

    def load() -> None:
        try:
            future.set_result(httpx.create_ssl_context(trust_env=False))
        except BaseException as exc:  # handed to whoever waits for it
            future.set_exception(exc)

    threading.Thread(target=load, name="collect-tls", daemon=True).start()
    return future


async def fetch(
    client: httpx.AsyncClient,
    feed: str,
    row: CacheRow | None,
    limits: Limits,
    bodies: asyncio.Semaphore | None = None,
) -> Fetched:
    """Fetch one feed; never raises (except cancellation).

    `bodies` bounds the feed bodies in memory (see `slots`): one is taken before a
    body's first byte is read. When the result has a body, the caller owns that one
    and gives it back (`bodies.release()`) once the body is parsed."""
    started = time.monotonic()
    now = time.time()
    slot = _BodySlot(bodies)
    result: Fetched | None = None
    try:
        if row is not None and row.retry_until and row.retry_until > now:
            until = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(row.retry_until))
            result = Fetched(feed, "skipped", reason=f"server asked us to wait until {until}")
            result.retry_until = row.retry_until
        elif is_local(feed):
            await slot.take()
            result = await asyncio.to_thread(_read_file, feed, row, limits)
        else:
            result = await _get_within_limits(client, feed, row, limits, slot)
    finally:
        if slot.taken and (result is None or result.body is None):
            slot.give_back()
    assert result is not None  # every branch sets it or raises
    result.seconds = time.monotonic() - started
    return result


class _BodySlot:
    """One of `fetch`'s `bodies`, taken at most once."""

    def __init__(self, bodies: asyncio.Semaphore | None) -> None:
        self.bodies = bodies
        self.taken = False

    async def take(self, deadline: asyncio.Timeout | None = None) -> None:
        """Wait for a slot. Waiting for memory is our doing, not the publisher's slowness:
        the deadline stops while we wait and resumes with the budget it had left."""
        if self.bodies is None or self.taken:
            return
        loop = asyncio.get_running_loop()
        when = deadline.when() if deadline is not None else None
        if deadline is not None and when is not None:
            left = when - loop.time()
            deadline.reschedule(None)
        await self.bodies.acquire()
        self.taken = True
        if deadline is not None and when is not None:
            deadline.reschedule(loop.time() + left)

    def give_back(self) -> None:
        if self.bodies is not None and self.taken:
            self.taken = False
            self.bodies.release()


async def _get_within_limits(
    client: httpx.AsyncClient, feed: str, row: CacheRow | None, limits: Limits, slot: _BodySlot
) -> Fetched:
    try:
        async with asyncio.timeout(limits.total_timeout) as deadline:
            return await _get(client, feed, row, limits, slot, deadline)
    except TimeoutError:
        return Fetched(feed, "error", reason=f"timed out after {limits.total_timeout:g} s")
    except _TooLarge:
        return Fetched(feed, "error", reason=_too_large(limits))
    except BlockedAddress as exc:
        return Fetched(feed, "error", reason=str(exc))
    except httpx.HTTPError as exc:
        return Fetched(feed, "error", reason=_describe(exc, limits))
    except httpx.InvalidURL as exc:
        return Fetched(feed, "error", reason=f"invalid URL: {_one_line(exc)}")
    except Exception as exc:  # one feed must never stop the others
        return Fetched(feed, "error", reason=f"{type(exc).__name__}: {_one_line(exc)}")


async def _get(
    client: httpx.AsyncClient,
    feed: str,
    row: CacheRow | None,
    limits: Limits,
    slot: _BodySlot,
    deadline: asyncio.Timeout,
) -> Fetched:
    headers = {}
    if row is not None and row.has_entries:
        if row.etag:
            headers["If-None-Match"] = row.etag
        if row.last_modified:
            headers["If-Modified-Since"] = row.last_modified
    async with client.stream("GET", feed, headers=headers) as response:
        code = response.status_code
        moved = _moved(response)
        if code == 304:
            # A 304 has no body; finishing the (empty) read is what lets the connection go
            # back to the pool instead of being closed: the next feed on this host then
            # costs one round trip, not a TCP handshake plus one.
            await response.aread()
            if not headers:
                return Fetched(feed, "error", reason="HTTP 304 but we hold no cached copy")
            return Fetched(
                feed,
                "not_modified",
                url=str(response.url),
                etag=response.headers.get("etag", row.etag if row else ""),
                last_modified=response.headers.get(
                    "last-modified", row.last_modified if row else ""
                ),
                reason=moved,
            )
        if code in (429, 503):
            wait = retry_after(response.headers.get("retry-after", ""), time.time())
            reason = f"HTTP {code} {response.reason_phrase}".strip()
            if wait is not None:
                reason += f", Retry-After {wait:.0f} s: skipped for this run"
                return Fetched(feed, "skipped", reason=reason, retry_until=time.time() + wait)
            return Fetched(feed, "skipped", reason=reason + ": skipped for this run")
        if code >= 400 or code < 200 or code in (204, 205):
            return Fetched(feed, "error", reason=f"HTTP {code} {response.reason_phrase}".strip())
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limits.max_bytes:
            raise _TooLarge
        await slot.take(deadline)
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limits.max_bytes:
                raise _TooLarge
            chunks.append(chunk)
        return Fetched(
            feed,
            "ok",
            body=b"".join(chunks),
            url=str(response.url),
            charset=response.charset_encoding or "",
            etag=response.headers.get("etag", ""),
            last_modified=response.headers.get("last-modified", ""),
            reason=moved,
        )


def _moved(response: httpx.Response) -> str:
    """A hint to update the config when the feed moved permanently."""
    if any(step.status_code in (301, 308) for step in response.history):
        return f"moved permanently to {response.url} (update the config)"
    return ""


def retry_after(value: str, now: float) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta-seconds or HTTP-date), capped."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        return None
    return min(max(moment.timestamp() - now, 0.0), MAX_RETRY_AFTER)


def _read_file(feed: str, row: CacheRow | None, limits: Limits) -> Fetched:
    path = Path(unquote(urlsplit(feed).path)) if feed.lower().startswith("file://") else Path(feed)
    try:
        stat = path.stat()
    except FileNotFoundError:
        return Fetched(feed, "error", reason=f"file not found: {path}")
    except OSError as exc:
        return Fetched(feed, "error", reason=f"cannot read {path}: {exc.strerror}")
    validator = f"file:{stat.st_mtime_ns}:{stat.st_size}"
    url = path.resolve().as_uri()
    if row is not None and row.has_entries and row.etag == validator:
        return Fetched(feed, "not_modified", url=url, etag=validator)
    if stat.st_size > limits.max_bytes:
        return Fetched(feed, "error", reason=_too_large(limits))
    try:
        with open(path, "rb") as handle:
            body = handle.read(limits.max_bytes + 1)
    except OSError as exc:
        return Fetched(feed, "error", reason=f"cannot read {path}: {exc.strerror or exc}")
    if len(body) > limits.max_bytes:
        return Fetched(feed, "error", reason=_too_large(limits))
    return Fetched(feed, "ok", body=body, url=url, etag=validator)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200]


def _too_large(limits: Limits) -> str:
    return f"body larger than {_size(limits.max_bytes)}: download stopped"


def _size(n: int) -> str:
    return f"{n / 1e6:g} MB" if n >= 1_000_000 else f"{n / 1e3:g} kB"


def _describe(exc: httpx.HTTPError, limits: Limits) -> str:
    """An httpx error as the report's one-line reason."""
    text = " ".join(str(exc).split())
    if isinstance(exc, httpx.ConnectTimeout):
        return f"could not connect within {limits.connect_timeout:g} s"
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out after {limits.total_timeout:g} s"
    if isinstance(exc, httpx.TooManyRedirects):
        return f"more than {limits.max_redirects} redirects (a redirect loop?)"
    if isinstance(exc, httpx.UnsupportedProtocol):
        return f"unsupported URL: {text}"
    if isinstance(exc, httpx.DecodingError):
        return "could not decompress the response body"
    if isinstance(exc, httpx.ConnectError):
        lowered = text.lower()
        if "name or service" in lowered or "nodename" in lowered or "getaddrinfo" in lowered:
            return f"DNS: cannot resolve {urlsplit(str(exc.request.url)).hostname}"
        if "certificate" in lowered or "ssl" in lowered or "tls" in lowered:
            return f"TLS error: {text[:160]}"
        if "refused" in lowered or "all connection attempts failed" in lowered:
            return "connection refused or host unreachable"
        return f"cannot connect: {text[:160]}"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"broken HTTP response: {text[:160]}"
    return f"{type(exc).__name__}: {text[:160]}" if text else type(exc).__name__
