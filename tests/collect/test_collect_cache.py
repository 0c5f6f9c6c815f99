"""The feed cache through real databases: a SQLite file and, when available, PostgreSQL."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
from feedserver import Reply
from sqlalchemy import select

from newsletter.collect import collect_edition
from newsletter.collect.cache import feed_cache
from newsletter.db import engine


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> str:
    if request.param == "sqlite":
        return "sqlite:///data/newsletter.db"
    try:  # the session PostgreSQL server from tests/fixtures/postgres.py (audience)
        return request.getfixturevalue("postgres_url")
    except pytest.FixtureLookupError:
        if os.environ.get("NEWSLETTER_REQUIRE_ALL") == "1":
            pytest.fail(
                "PostgreSQL is required (NEWSLETTER_REQUIRE_ALL=1): no postgres_url fixture"
            )
        pytest.skip("no postgres_url fixture in this tree")


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
    first = collect_edition(settings, feeds.day, now=first_seen)
    assert first.feeds[0].status == "ok" and len(first.items) == 2

    second = collect_edition(settings, feeds.day, now=first_seen + timedelta(hours=3))
    assert second.feeds[0].status == "not_modified"
    assert feed_server.requests("/c.xml")[-1].body_bytes == 0
    assert [i.to_dict() for i in second.items] == [i.to_dict() for i in first.items]

    feed_server.route("/c.xml", Reply(429, b"", {"Retry-After": "120"}))
    third = collect_edition(settings, feeds.day, now=first_seen + timedelta(hours=4))
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
    assert len(collect_edition(settings, feeds.day, now=feeds.now).items) == 2
    from newsletter.config import database_url

    with engine(database_url(settings)).begin() as connection:
        connection.execute(feed_cache.update().values(entries=b"not zlib"))
    damaged = collect_edition(settings, feeds.day, now=feeds.now)
    (report,) = damaged.feeds
    assert report.status == "error"
    assert "cached copy is unreadable" in report.reason
    healed = collect_edition(settings, feeds.day, now=feeds.now)  # validators were dropped
    assert healed.feeds[0].status == "ok" and len(healed.items) == 2
