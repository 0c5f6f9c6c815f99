"""The feed cache: validators, the last good entries and first-seen times, per feed.

It exists so that re-running a collect is cheap and polite: we send the feed's
`ETag`/`Last-Modified` back, and a 304 re-uses the entries stored here instead of
downloading the body again. It also remembers when an undated entry was first
seen (so its date is stable across runs instead of "now" every morning), until
when a publisher asked us to stay away (`Retry-After`), and how many runs in a
row a feed has failed, since when (so the report can say "failing for 5 runs
since Tuesday" instead of one more error among many).

Entries are stored as a blob (see `stored`): cleaned entries for what an edition
used, raw ones for the rest. The row's `format` names the blob layout and the rules
its values were made by; a row of another format is ignored (no validators are sent, so
the feed is fetched in full and the row rewritten): a fix to `clean` reaches
cached feeds on their next run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import Engine, bindparam, select
from sqlalchemy.exc import IntegrityError

from newsletter.collect.stored import FORMAT
from newsletter.schema import feed_cache

TABLE_NAME = feed_cache.name


@dataclass
class CacheRow:
    feed: str
    etag: str = ""
    last_modified: str = ""
    title: str = ""
    first_seen: dict[str, float] = field(default_factory=dict)
    retry_until: float | None = None
    fetched_at: float | None = None
    has_entries: bool = False
    failures: int = 0  # runs in a row that ended in an error
    failing_since: float | None = None


class FeedCache:
    """Reads and writes the cache table; one instance per run, on the shared engine."""

    def __init__(self, engine: Engine) -> None:
        """`engine`'s schema is current (`db.ready`); nothing here migrates it, so `doctor`
        can read an existing table without changing the schema."""
        self.engine = engine

    def load(self, feeds: list[str]) -> dict[str, CacheRow]:
        """The validators and bookkeeping for `feeds` (without the entry blobs: they are big)."""
        t = feed_cache
        rows: dict[str, CacheRow] = {}
        columns = [
            t.c.feed,
            t.c.format,
            t.c.etag,
            t.c.last_modified,
            t.c.title,
            t.c.first_seen,
            t.c.retry_until,
            t.c.fetched_at,
            t.c.failures,
            t.c.failing_since,
            t.c.entries.isnot(None).label("has_entries"),
        ]
        with self.engine.connect() as conn:
            for chunk in _chunks(feeds, 500):
                for r in conn.execute(select(*columns).where(t.c.feed.in_(chunk))):
                    current = r.format == FORMAT
                    rows[r.feed] = CacheRow(
                        feed=r.feed,
                        etag=r.etag if current else "",
                        last_modified=r.last_modified if current else "",
                        title=r.title,
                        first_seen=_seen(r.first_seen),
                        retry_until=r.retry_until,
                        fetched_at=r.fetched_at,
                        has_entries=bool(r.has_entries) and current,
                        failures=r.failures or 0,
                        failing_since=r.failing_since,
                    )
        return rows

    def blobs(self, feeds: list[str]) -> dict[str, bytes]:
        """The stored entries of `feeds` that have any (for 304s and skipped feeds), packed."""
        t = feed_cache
        found: dict[str, bytes] = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(feeds, 500):
                query = select(t.c.feed, t.c.entries).where(
                    t.c.feed.in_(chunk), t.c.format == FORMAT, t.c.entries.isnot(None)
                )
                found.update((feed, blob) for feed, blob in conn.execute(query))
        return found

    def save(self, feed: str, values: dict[str, object], exists: bool) -> None:
        self.save_many([(feed, values, exists)])

    def save_many(self, rows: list[tuple[str, dict[str, object], bool]]) -> None:
        """Write feeds' rows in one transaction: `(feed, values, exists)` each.

        Rows with the same columns go in one `executemany`. A row inserted meanwhile by a
        concurrent run (two collects at once) is updated instead."""
        t = feed_cache
        groups: dict[tuple[bool, tuple[str, ...]], list[dict[str, object]]] = {}
        for feed, values, exists in rows:
            row = {"format": FORMAT, **values}
            groups.setdefault((exists, tuple(sorted(row))), []).append({"feed": feed, **row})
        update = t.update().where(t.c.feed == bindparam("the_feed"))
        with self.engine.begin() as conn:
            for (exists, _), params in groups.items():
                if exists:
                    conn.execute(update, [_keyed(p) for p in params])
                    continue
                try:
                    with conn.begin_nested():
                        conn.execute(t.insert(), params)
                except IntegrityError:
                    for p in params:
                        try:
                            with conn.begin_nested():
                                conn.execute(t.insert(), [p])
                        except IntegrityError:
                            conn.execute(update, [_keyed(p)])


def _keyed(params: dict[str, object]) -> dict[str, object]:
    """Update parameters: the row's key under the WHERE clause's name, not as a SET column."""
    keyed = dict(params)
    keyed["the_feed"] = keyed.pop("feed")
    return keyed


def _seen(text: str) -> dict[str, float]:
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return {}
    return {str(k): float(v) for k, v in data.items()} if isinstance(data, dict) else {}


def dump_seen(seen: dict[str, float]) -> str:
    return json.dumps(seen, separators=(",", ":"), sort_keys=True)


def _chunks(values: list[str], size: int) -> list[list[str]]:
    return [values[i : i + size] for i in range(0, len(values), size)]
