"""Fetch, extract and cache the article pages of the picked stories.

Pages are fetched concurrently with the collector's machinery — the same
connection and per-host limits, timeouts, body cap, redirect limit and network
policy (`collect.network`: no loopback, private or link-local address unless
`[collect] allow_private_networks`) — and a polite User-Agent that says who
reads the page and why. Extraction runs in threads while other pages are still
downloading. The wall time of the whole step is therefore close to the slowest
single page, not the sum (`bench/articles.py` measures it).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from sqlalchemy import Engine

from newsletter import __version__
from newsletter.articles.cache import ArticleCache, CachedArticle
from newsletter.articles.counts import ArticleCounts
from newsletter.articles.extract import extract_text
from newsletter.collect.cache import CacheRow
from newsletter.collect.fetch import Fetched, Limits, fetch
from newsletter.collect.slots import Lanes
from newsletter.config import CollectSettings
from newsletter.model import Item

#: Characters of article text a writer gets per source: the lead and the facts after it.
ARTICLE_CHARS = 6000


@dataclass(frozen=True)
class ArticleSource:
    """Where and how to read article pages (from `[collect]`, `[brief]` and the database)."""

    engine: Engine | None
    limits: Limits
    connections: int = 16
    per_host: int = 2
    mirror: str = ""  # "http://127.0.0.1:8787/": read https://host/path as {mirror}host/path
    budget: int = ARTICLE_CHARS

    @classmethod
    def of(
        cls, collect: CollectSettings, base_url: str, engine: Engine | None, mirror: str = ""
    ) -> ArticleSource:
        limits = Limits.of(collect, user_agent(base_url))
        return cls(engine, limits, min(collect.connections, 32), min(collect.per_host, 2), mirror)


def user_agent(base_url: str) -> str:
    """Who reads the page and why: a publisher looking at its logs should know."""
    return (
        f"newsletter/{__version__} (daily briefing; reads the articles it links to, "
        f"once per edition; +{base_url})"
    )


def read_articles(items: list[Item], source: ArticleSource, counts: ArticleCounts) -> list[Item]:
    """The items, with `article` set on each whose page gave text; `counts` filled in."""
    urls = list(dict.fromkeys(item.url for item in items))
    counts.wanted = len(urls)
    if not urls:
        return items
    cache = ArticleCache(source.engine) if source.engine is not None else None
    cached = cache.load(urls) if cache is not None else {}
    texts, fresh = asyncio.run(_read_all(urls, cached, source, counts))
    if cache is not None:
        cache.save(fresh)
    counts.fetched = len(texts)
    return [replace(item, article=texts[item.url]) if item.url in texts else item for item in items]


async def _read_all(
    urls: list[str], cached: dict[str, CachedArticle], source: ArticleSource, counts: ArticleCounts
) -> tuple[dict[str, str], list[CachedArticle]]:
    texts: dict[str, str] = {}
    fresh: list[CachedArticle] = []
    locations = {url: _location(url, source.mirror) for url in urls}

    async def one(lanes: Lanes, url: str) -> None:
        page = cached.get(url)
        row = None
        if page is not None:
            row = CacheRow(url, etag=page.etag, last_modified=page.last_modified, has_entries=True)
        location = locations[url]
        async with lanes.slot(location) as client:
            fetched = await fetch(client, location, row, source.limits)
        if fetched.status == "not_modified" and page is not None:
            texts[url] = page.text
            counts.cached += 1
            fresh.append(page)  # refreshes fetched_at
            return
        if fetched.status != "ok" or fetched.body is None:
            counts.failed(failure_kind(fetched))
            return
        text, cpu = await asyncio.to_thread(
            _timed_extract, fetched.body, fetched.url, fetched.charset, source.budget
        )
        counts.extract_seconds.append(cpu)
        if not text:
            counts.failed("no article text found")
            return
        texts[url] = text
        fresh.append(CachedArticle(url, fetched.etag, fetched.last_modified, text))

    lanes = Lanes(source.limits, list(locations.values()), source.connections, source.per_host)
    async with lanes:
        await asyncio.gather(*(one(lanes, url) for url in urls))
    return texts, fresh


def _timed_extract(body: bytes, url: str, charset: str, budget: int) -> tuple[str, float]:
    """The text and the CPU seconds this thread spent extracting it."""
    started = time.thread_time()
    text = extract_text(body, url, charset, budget)
    return text, time.thread_time() - started


def _location(url: str, mirror: str) -> str:
    """Where to fetch `url`: itself, or its copy under a mirror (wget --mirror layout)."""
    if not mirror:
        return url
    parts = urlsplit(url)
    path = parts.path.lstrip("/") + (f"?{parts.query}" if parts.query else "")
    return mirror.rstrip("/") + f"/{parts.netloc}/{path}"


def failure_kind(fetched: Fetched) -> str:
    """A short, countable reason ("HTTP 404", "timed out", "refused by the network policy")."""
    reason = fetched.reason
    if reason.startswith("HTTP "):
        return " ".join(reason.split()[:2])
    if reason.startswith("refused to connect"):
        return "refused by the network policy"
    for start, kind in (
        ("timed out", "timed out"),
        ("could not connect", "timed out"),
        ("body larger", "too large"),
        ("DNS", "DNS failure"),
        ("connection refused", "connection refused"),
        ("more than", "too many redirects"),
        ("server asked us to wait", "asked us to wait"),
    ):
        if reason.startswith(start):
            return kind
    return reason.split(":")[0][:40] or fetched.status
