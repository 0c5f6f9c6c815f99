"""A whole run: the window, first-seen dates, item fields, ordering and the report."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from feedserver import Reply
from rich.console import Console

from newsletter.collect import CollectError, report_table
from newsletter.model import items_from_json, items_to_json
from tests.fixtures.edge import collect_for

START = datetime(2026, 2, 1, 22, 0, tzinfo=UTC)  # 2026-02-03 07:00 KST minus 24 h
END = datetime(2026, 2, 2, 22, 0, tzinfo=UTC)


def test_window_is_start_exclusive_end_inclusive(feed_server, make_settings, feeds):
    moments = {
        "at-start": START,
        "just-after-start": START + timedelta(seconds=1),
        "at-end": END,
        "after-end": END + timedelta(seconds=1),
        "last-week": START - timedelta(days=7),
        "in-kst": datetime(2026, 2, 3, 6, 59, tzinfo=UTC) - timedelta(hours=9),
    }
    body = feeds.rss(
        [{"title": k, "link": f"https://w.example/{k}", "date": v} for k, v in moments.items()]
    )
    url = feed_server.route("/window.xml", Reply(body=body.encode()))
    result = collect_for(make_settings([url]), feeds.day, now=END + timedelta(hours=1))
    assert sorted(item.title for item in result.items) == ["at-end", "in-kst", "just-after-start"]
    assert (result.window_start, result.window_end) == (START, END)
    assert result.feeds[0].items == 3


def test_window_hours_comes_from_the_brief_settings(feed_server, make_settings, feeds, tmp_path):
    body = feeds.rss(
        [
            {"title": "recent", "link": "https://h.example/1", "date": END - timedelta(hours=5)},
            {"title": "older", "link": "https://h.example/2", "date": END - timedelta(hours=30)},
        ]
    )
    url = feed_server.route("/hours.xml", Reply(body=body.encode()))
    settings = make_settings([url])
    wide = type(settings.brief)(window_hours=48)
    from dataclasses import replace

    result = collect_for(replace(settings, brief=wide), feeds.day, now=feeds.now)
    assert sorted(i.title for i in result.items) == ["older", "recent"]
    result = collect_for(settings, feeds.day, now=feeds.now)
    assert [i.title for i in result.items] == ["recent"]


def test_missing_date_is_first_seen_time_and_stays_stable(feed_server, make_settings, feeds):
    undated = [{"title": "Undated entry", "link": "https://u.example/1", "date": None}]
    future = [
        {"title": "From the future", "link": "https://u.example/2",
         "date": datetime(2030, 1, 1, tzinfo=UTC)},
        {"title": "Clock ahead", "link": "https://u.example/4",  # the publisher's clock is fast
         "date": datetime(2026, 2, 2, 11, 30, tzinfo=UTC)},
    ]  # fmt: skip
    url = feed_server.route(
        "/undated.xml", Reply(body=feeds.rss(undated + future).encode(), etag='"u1"')
    )
    settings = make_settings([url])
    first_seen = datetime(2026, 2, 2, 9, 30, tzinfo=UTC)
    first = collect_for(settings, feeds.day, now=first_seen)
    assert {i.title: i.published for i in first.items} == {
        "Undated entry": first_seen,
        "From the future": first_seen,
        "Clock ahead": first_seen,
    }
    # later runs — 304 or a changed body — keep the first-seen time
    later = collect_for(settings, feeds.day, now=first_seen + timedelta(hours=3))
    assert later.feeds[0].status == "not_modified"
    assert {i.published for i in later.items} == {first_seen}
    extra = [{"title": "Another", "link": "https://u.example/3"}]
    feed_server.route(
        "/undated.xml", Reply(body=feeds.rss(undated + future + extra).encode(), etag='"u2"')
    )
    changed = collect_for(settings, feeds.day, now=first_seen + timedelta(hours=5))
    assert changed.feeds[0].status == "ok"
    dates = {i.title: i.published for i in changed.items}
    assert dates["Undated entry"] == dates["Clock ahead"] == first_seen  # dates never jump
    # the next day the undated entry is old news, not new again
    tomorrow = collect_for(
        settings, feeds.day + timedelta(days=1), now=first_seen + timedelta(days=1)
    )
    assert "Undated entry" not in {i.title for i in tomorrow.items}


def test_items_carry_feed_settings_and_round_trip_as_json(feed_server, make_settings, feeds):
    body = feeds.rss(
        [{"title": "Hello", "link": "https://f.example/1", "guid": "g-1",
          "description": "<p>Lead <b>text</b>.</p>"}],
        title="The Feed's Own Title",
    )  # fmt: skip
    url = feed_server.route("/fields.xml", Reply(body=body.encode()))
    other = feed_server.route("/other.xml", Reply(body=feeds.simple("o", 1)))
    settings = make_settings(
        [{"url": url, "section": "ai", "weight": 2.5}, {"url": other, "name": "Configured Name"}]
    )
    result = collect_for(settings, feeds.day, now=feeds.now)
    by_feed = {item.feed_url: item for item in result.items}
    item = by_feed[url]
    assert (item.feed_title, item.section, item.weight) == ("The Feed's Own Title", "ai", 2.5)
    assert (item.title, item.url, item.guid) == ("Hello", "https://f.example/1", "g-1")
    assert item.summary == "Lead text."
    assert item.content_html == "<p>Lead <b>text</b>.</p>"
    assert item.published == feeds.in_window and item.published.tzinfo is not None
    assert item.cluster == item.id and len(item.id) == 16
    assert by_feed[other].feed_title == "Configured Name"
    assert result.feeds[1].name == "Configured Name"
    restored = items_from_json(items_to_json(result.items, feeds.day))
    assert restored == result.items


def test_ids_are_stable_and_order_is_deterministic(feed_server, make_settings, feeds):
    urls = [feed_server.route(f"/s{n}.xml", Reply(body=feeds.simple(f"s{n}", 5))) for n in range(3)]
    first = collect_for(make_settings(urls), feeds.day, now=feeds.now)
    again = collect_for(make_settings(list(reversed(urls))), feeds.day, now=feeds.now)
    assert [i.id for i in first.items] == [i.id for i in again.items]
    keys = [(-i.published.timestamp(), i.feed_url, i.id) for i in first.items]
    assert keys == sorted(keys)


def test_report_json_and_table(feed_server, make_settings, feeds):
    good = feed_server.route("/good.xml", Reply(body=feeds.simple("g", 2)))
    bad = feed_server.url("/nope.xml")
    result = collect_for(make_settings([good, bad]), feeds.day, now=feeds.now, progress=True)
    doc = json.loads(result.report_json())
    assert doc["date"] == "2026-02-03" and doc["ok"] is True and doc["items"] == 2
    assert doc["window"] == {"start": START.isoformat(), "end": END.isoformat()}
    assert doc["statuses"]["ok"] == 1 and doc["statuses"]["error"] == 1
    assert [(f["url"], f["status"], f["reason"], f["items"]) for f in doc["feeds"]] == [
        (good, "ok", "", 2),
        (bad, "error", "HTTP 404 Not Found", 0),
    ]
    assert all(isinstance(f["seconds"], float) for f in doc["feeds"])
    out = io.StringIO()
    Console(file=out, width=140).print(report_table(result))
    text = out.getvalue()
    assert "1/2 worked" in text and "HTTP 404 Not Found" in text and "error" in text


def test_unusable_cache_database_is_one_clear_error(make_settings, feeds, tmp_path):
    (tmp_path / "blocker").write_text("a file where a folder should be")
    settings = make_settings(["x.xml"])
    from dataclasses import replace

    broken = replace(settings, database=type(settings.database)(url="sqlite:///blocker/db.sqlite"))
    with pytest.raises(CollectError, match=r"^feed cache: database unavailable: ") as caught:
        collect_for(broken, feeds.day, now=feeds.now)
    assert "\n" not in str(caught.value)


def test_parse_worker_processes_give_the_same_result(feed_server, make_settings, feeds):
    urls = [
        feed_server.route(f"/p{n}.xml", Reply(body=feeds.simple(f"p{n}", 4))) for n in range(14)
    ]
    in_process = collect_for(make_settings(urls, parse_workers=1), feeds.day, now=feeds.now)
    processes = collect_for(make_settings(urls, parse_workers=2), feeds.day, now=feeds.now)
    assert len(processes.items) == 56
    assert [i.to_dict() for i in processes.items] == [i.to_dict() for i in in_process.items]
    assert {r.status for r in processes.feeds} == {"ok"}


def test_a_broken_process_pool_falls_back_to_the_thread(
    feed_server, make_settings, feeds, monkeypatch
):
    from newsletter.collect import pool

    def broken(self):
        raise OSError("cannot start worker processes")

    monkeypatch.setattr(pool.CpuPool, "_processes", broken)
    urls = [feed_server.route(f"/f{n}.xml", Reply(body=feeds.simple(f"f{n}", 2))) for n in range(3)]
    result = collect_for(make_settings(urls, parse_workers=2), feeds.day, now=feeds.now)
    assert len(result.items) == 6 and result.ok


def test_progress_bar_only_on_a_terminal(feed_server, make_settings, feeds, capfd, monkeypatch):
    url = feed_server.route("/bar.xml", Reply(body=feeds.simple("bar", 1)))
    settings = make_settings([url])
    monkeypatch.setenv("TTY_COMPATIBLE", "0")
    collect_for(settings, feeds.day, now=feeds.now, progress=True)
    assert capfd.readouterr().err == ""  # cron logs stay clean
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    collect_for(settings, feeds.day, now=feeds.now, progress=True)
    assert "Fetching feeds" in capfd.readouterr().err
