"""The feed cache through real databases: a SQLite file and, when available, PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from feedserver import Reply
from sqlalchemy import select

from newsletter.collect.cache import feed_cache
from newsletter.db import engine
from tests.fixtures.edge import collect_for


def test_validators_entries_first_seen_and_retry_after_persist(
    feed_server, make_settings, feeds, database
):
    undated = feeds.rss(
        [
            {"title": "Dated", "link": "https://c.example/1"},
            {"title": "Undated", "link": "https://c.example/2", "date": None},
        ]
    ).encode()
    url = feed_server.route("/c.xml", Reply(body=undated, etag='"c1"'))
    settings = make_settings([url], database=database)
    first_seen = datetime(2026, 2, 2, 13, 0, tzinfo=UTC)  # the dated entry is from 12:00
    first = collect_for(settings, feeds.day, now=first_seen)
    assert first.feeds[0].status == "ok" and len(first.items) == 2

    second = collect_for(settings, feeds.day, now=first_seen + timedelta(hours=3))
    assert second.feeds[0].status == "not_modified"
    assert feed_server.requests("/c.xml")[-1].body_bytes == 0
    assert [i.to_dict() for i in second.items] == [i.to_dict() for i in first.items]

    feed_server.route("/c.xml", Reply(429, b"", {"Retry-After": "120"}))
    third = collect_for(settings, feeds.day, now=first_seen + timedelta(hours=4))
    assert third.feeds[0].status == "skipped"
    from newsletter.config import database_url

    with engine(database_url(settings)).connect() as connection:
        row = connection.execute(select(feed_cache).where(feed_cache.c.feed == url)).one()
    assert row.etag == '"c1"'
    assert row.retry_until is not None and row.retry_until > datetime.now(UTC).timestamp()
    assert row.first_seen.count(":") == 1  # exactly the undated entry is remembered
    assert row.title == "Test Feed"


def test_a_damaged_cache_row_is_a_miss_not_a_crash(feed_server, make_settings, feeds, database):
    url = feed_server.route("/d.xml", Reply(body=feeds.simple("d", 2), etag='"d1"'))
    settings = make_settings([url], database=database)
    assert len(collect_for(settings, feeds.day, now=feeds.now).items) == 2
    from newsletter.config import database_url

    with engine(database_url(settings)).begin() as connection:
        connection.execute(feed_cache.update().values(entries=b"not zlib"))
    damaged = collect_for(settings, feeds.day, now=feeds.now)
    (report,) = damaged.feeds
    assert report.status == "error"
    assert "cached copy is unreadable" in report.reason
    healed = collect_for(settings, feeds.day, now=feeds.now)  # validators were dropped
    assert healed.feeds[0].status == "ok" and len(healed.items) == 2


def _row(settings, url):
    from newsletter.config import database_url

    with engine(database_url(settings)).connect() as connection:
        return connection.execute(select(feed_cache).where(feed_cache.c.feed == url)).one()


def _set_row(settings, url, **values):
    from newsletter.config import database_url

    with engine(database_url(settings)).begin() as connection:
        connection.execute(feed_cache.update().where(feed_cache.c.feed == url).values(**values))


def test_a_row_of_the_old_format_is_a_miss_and_is_rewritten(
    feed_server, make_settings, feeds, database
):
    """A row written before cleaned entries were kept (format 1: raw rows, no kind tag)."""
    import json
    import zlib

    from newsletter.collect.stored import FORMAT

    url = feed_server.route("/old.xml", Reply(body=feeds.simple("old", 3), etag='"o1"'))
    settings = make_settings([url], database=database)
    fresh = collect_for(settings, feeds.day, now=feeds.now)
    old_rows = [["old-0", "https://old.example/post/0", "Stale", False, "<p>x</p>", url, "", 1.0]]
    _set_row(settings, url, format=1, entries=zlib.compress(json.dumps(old_rows).encode()))

    again = collect_for(settings, feeds.day, now=feeds.now)
    (report,) = again.feeds
    assert report.status == "ok"  # fetched in full, not "not modified" on unreadable data
    latest = feed_server.requests("/old.xml")[-1]
    assert "if-none-match" not in latest.headers and latest.body_bytes > 0
    assert [i.to_dict() for i in again.items] == [i.to_dict() for i in fresh.items]
    assert _row(settings, url).format == FORMAT
    third = collect_for(settings, feeds.day, now=feeds.now)
    assert third.feeds[0].status == "not_modified" and len(third.items) == 3


def test_old_layout_data_under_the_current_format_is_a_miss(
    feed_server, make_settings, feeds, database
):
    import json
    import zlib

    url = feed_server.route("/mixed.xml", Reply(body=feeds.simple("mixed", 2), etag='"m1"'))
    settings = make_settings([url], database=database)
    collect_for(settings, feeds.day, now=feeds.now)
    layout_one = [["g", "https://mixed.example/x", "T", False, "", url, "", 1.0]]
    _set_row(settings, url, entries=zlib.compress(json.dumps(layout_one).encode()))
    damaged = collect_for(settings, feeds.day, now=feeds.now)
    assert damaged.feeds[0].status == "error"
    assert "cached copy is unreadable" in damaged.feeds[0].reason
    healed = collect_for(settings, feeds.day, now=feeds.now)
    assert healed.feeds[0].status == "ok" and len(healed.items) == 2


def test_a_304_cleans_entries_a_new_window_reaches_and_keeps_them_cleaned(
    feed_server, make_settings, feeds, database
):
    from datetime import date

    from newsletter.collect.entries import CleanEntry
    from newsletter.collect.parse import RawEntry
    from newsletter.collect.stored import unpack

    end = datetime(2026, 2, 2, 22, 0, tzinfo=UTC)  # the 2026-02-03 edition's window end
    body = feeds.rss(
        [
            {"title": "Today", "link": "https://w.example/1", "date": end - timedelta(hours=2)},
            {
                "title": "Tomorrow",
                "link": "https://w.example/2",
                "date": end + timedelta(hours=3),
                "content": '<p>Next <a href="/more?utm_source=rss">more</a></p><script>x</script>',
            },
        ]
    ).encode()
    url = feed_server.route("/w.xml", Reply(body=body, etag='"w1"'))
    settings = make_settings([url], database=database)
    today = collect_for(settings, feeds.day, now=end + timedelta(hours=4))
    assert [i.title for i in today.items] == ["Today"]
    kinds = [type(e) for e in unpack(_row(settings, url).entries)]
    assert kinds == [CleanEntry, RawEntry]  # only what an edition used was cleaned

    next_day, later = date(2026, 2, 4), end + timedelta(days=1, hours=1)
    tomorrow = collect_for(settings, next_day, now=later)
    assert tomorrow.feeds[0].status == "not_modified"
    (item,) = tomorrow.items
    assert item.title == "Tomorrow" and "<script" not in item.content_html
    assert f'href="{feed_server.base}/more"' in item.content_html
    assert [type(e) for e in unpack(_row(settings, url).entries)] == [CleanEntry, CleanEntry]
    again = collect_for(settings, next_day, now=later)
    assert [i.to_dict() for i in again.items] == [i.to_dict() for i in tomorrow.items]
