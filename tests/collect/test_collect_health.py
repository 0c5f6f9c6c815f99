"""Failure streaks: a feed failing run after run says so, and working once resets it."""

from __future__ import annotations

import json

from feedserver import Reply
from sqlalchemy import text

from newsletter import db, schema
from newsletter.collect.cache import TABLE_NAME, FeedCache
from newsletter.config import database_url
from newsletter.migrations import upgrade
from tests.fixtures.edge import collect_for


def run(settings, feeds):
    return collect_for(settings, feeds.day, now=feeds.now)


def test_a_failing_feed_counts_its_runs_and_working_once_resets(
    feed_server, make_settings, feeds, database
):
    answer = {"reply": Reply(500)}
    flaky = feed_server.route("/flaky.xml", lambda request: answer["reply"])
    steady = feed_server.route("/steady.xml", Reply(body=feeds.simple("steady", 1), etag='"s"'))
    settings = make_settings([flaky, steady], database=database)
    reports = [run(settings, feeds).feeds[0] for _ in range(3)]
    assert [r.failing_runs for r in reports] == [1, 2, 3]
    assert "failing for" not in reports[0].reason  # one failure is just an error
    assert reports[2].reason.startswith("HTTP 500")
    assert f"failing for 3 runs in a row, since {reports[2].failing_since}" in reports[2].reason
    assert reports[2].failing_since == reports[0].failing_since  # the streak's first day

    answer["reply"] = Reply(body=feeds.simple("flaky", 1), etag='"f"')
    healed = run(settings, feeds)
    assert (healed.feeds[0].status, healed.feeds[0].failing_runs) == ("ok", 0)
    assert healed.feeds[0].failing_since == ""
    # ... and the JSON report (feeds.json, --json) carries the same fields
    document = json.loads(healed.report_json())
    assert document["feeds"][0]["failing_runs"] == 0

    answer["reply"] = Reply(503)  # no Retry-After: an error, a new streak of one
    again = run(settings, feeds).feeds[0]
    assert (again.status, again.failing_runs) == ("skipped", 0)
    answer["reply"] = Reply(404)
    assert run(settings, feeds).feeds[0].failing_runs == 1


def test_retry_after_does_not_count_as_failing(feed_server, make_settings, feeds):
    answer = {"reply": Reply(500)}
    feed = feed_server.route("/busy.xml", lambda request: answer["reply"])
    settings = make_settings([feed])
    assert run(settings, feeds).feeds[0].failing_runs == 1
    answer["reply"] = Reply(429, headers={"Retry-After": "1"})
    skipped = run(settings, feeds).feeds[0]
    assert skipped.status == "skipped" and skipped.failing_runs == 1  # neither up nor reset


def test_an_old_feed_cache_gains_the_streak_columns(tmp_path, make_settings, feeds):
    """A version-2 database (before failure streaks) is upgraded in place, rows kept."""
    settings = make_settings([str(tmp_path / "local.xml")])
    bind = db.ready(database_url(settings))  # today's schema …
    with bind.begin() as connection:  # … turned back into version 2's
        connection.execute(text(f"DROP TABLE {TABLE_NAME}"))
        connection.execute(
            text(
                f"CREATE TABLE {TABLE_NAME} (feed VARCHAR(2048) PRIMARY KEY, format INTEGER "
                "NOT NULL, etag TEXT NOT NULL, last_modified TEXT NOT NULL, title TEXT NOT "
                "NULL, entries BLOB, first_seen TEXT NOT NULL, fetched_at FLOAT, checked_at "
                "FLOAT, retry_until FLOAT)"
            )
        )
        connection.execute(
            text(
                f"INSERT INTO {TABLE_NAME} (feed, format, etag, last_modified, title, first_seen)"
                " VALUES ('http://old.example/feed', 0, '', '', 'Old', '{}')"
            )
        )
        connection.execute(text("DELETE FROM schema_version WHERE version >= 3"))
    assert upgrade(bind, schema.metadata) >= 3  # what the next process does on first use
    rows = FeedCache(bind).load(["http://old.example/feed"])
    assert rows["http://old.example/feed"].title == "Old"
    assert rows["http://old.example/feed"].failures == 0
