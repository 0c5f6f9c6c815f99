"""Within one feed, a GUID makes a post; and a feed that yields nothing says why."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from feedserver import Reply

from newsletter.collect.dates import parse_localised
from tests.fixtures.edge import collect_for


def _serve(feed_server, feeds, name, items):
    return feed_server.route(f"/{name}.xml", Reply(body=feeds.rss(items, title=name).encode()))


def _by_url(result):
    return {feed.url: feed for feed in result.feeds}


def test_fragment_only_links_with_their_own_guids_are_all_kept(feed_server, make_settings, feeds):
    items = [
        {"title": f"Note {i}", "link": f"https://blog.example/notes#n{i}", "guid": f"note-{i}",
         "date": feeds.in_window + timedelta(minutes=i)}
        for i in range(50)
    ]  # fmt: skip
    url = _serve(feed_server, feeds, "notes", items)
    result = collect_for(make_settings([url]), feeds.day, now=feeds.now)
    assert len(result.items) == 50
    assert len({item.id for item in result.items}) == 50
    assert "duplicate" not in _by_url(result)[url].reason
    assert {item.url for item in result.items} == {
        f"https://blog.example/notes#n{i}" for i in range(50)
    }


def test_podcast_episodes_linking_to_the_homepage_are_all_kept(feed_server, make_settings, feeds):
    items = [
        {"title": f"Episode {i}: guest {i}", "link": "https://show.example/", "guid": f"ep-{i}",
         "date": feeds.in_window + timedelta(minutes=i)}
        for i in range(30)
    ]  # fmt: skip
    url = _serve(feed_server, feeds, "show", items)
    settings = make_settings([url])
    first = collect_for(settings, feeds.day, now=feeds.now)
    assert len(first.items) == 30
    again = collect_for(settings, feeds.day, now=feeds.now)  # from the cache (304-less rerun)
    assert sorted(i.id for i in again.items) == sorted(i.id for i in first.items)


def test_the_same_guid_twice_is_still_one_post(feed_server, make_settings, feeds):
    items = [
        {"title": "Post", "link": "https://blog.example/a", "guid": "same"},
        {"title": "Post (updated)", "link": "https://blog.example/a-updated", "guid": "same"},
        {"title": "No guid", "link": "https://blog.example/b"},
        {"title": "No guid again", "link": "https://blog.example/b"},
    ]
    url = _serve(feed_server, feeds, "dupes", items)
    result = collect_for(make_settings([url]), feeds.day, now=feeds.now)
    assert [item.title for item in result.items] == ["Post", "No guid"]
    assert "2 duplicate entries dropped" in _by_url(result)[url].reason


def test_the_same_article_in_two_feeds_is_still_merged(feed_server, make_settings, feeds):
    story = {"title": "Chip maker ships 2 nm parts", "link": "https://wire.example/2nm"}
    first = _serve(feed_server, feeds, "wire", [{**story, "guid": "w-1"}])
    second = _serve(feed_server, feeds, "aggregator", [{**story, "guid": "agg-77"}])
    result = collect_for(make_settings([first, second]), feeds.day, now=feeds.now)
    assert len(result.items) == 1
    reasons = _by_url(result)
    assert reasons[second].reason == "its 1 entry is a duplicate of another feed's"
    assert (reasons[first].kept, reasons[second].kept) == (1, 0)


def test_a_feed_of_old_entries_says_so(feed_server, make_settings, feeds, tmp_path):
    old = datetime(2018, 9, 24, 10, 0, tzinfo=UTC)
    items = [{"title": f"Old {i}", "link": f"https://old.example/{i}", "guid": f"o{i}",
              "date": old - timedelta(days=i)} for i in range(47)]  # fmt: skip
    url = _serve(feed_server, feeds, "old", items)
    result = collect_for(make_settings([url]), feeds.day, now=feeds.now)
    report = _by_url(result)[url]
    assert (report.status, report.items) == ("ok", 0)
    assert report.reason == "47 entries, all older than the window (newest 2018-09-24)"
    assert json.loads(result.report_json())["feeds"][0]["reason"] == report.reason


def test_an_undated_feed_collected_for_a_past_day_says_it_has_no_dates(
    feed_server, make_settings, feeds
):
    items = [{"title": f"Undated {i}", "link": f"https://rdf.example/{i}", "date": None}
             for i in range(3)]  # fmt: skip
    url = _serve(feed_server, feeds, "rdf", items)
    later = feeds.now + timedelta(days=3)  # collecting an earlier edition: first seen is too late
    result = collect_for(make_settings([url]), feeds.day, now=later)
    reason = _by_url(result)[url].reason
    assert reason.startswith("3 entries, no entry has a date we can read")


def test_an_empty_feed_says_it_is_empty(feed_server, make_settings, feeds):
    url = _serve(feed_server, feeds, "empty", [])
    result = collect_for(make_settings([url]), feeds.day, now=feeds.now)
    assert _by_url(result)[url].reason == "the feed has no entries"


def test_a_mixed_feed_lists_each_reason(feed_server, make_settings, feeds):
    items = [
        {"title": "Old", "link": "https://m.example/1", "date": datetime(2025, 1, 2, tzinfo=UTC)},
        {
            "title": "Later",
            "link": "https://m.example/2",
            "date": feeds.now + timedelta(minutes=90),
        },
    ]
    url = _serve(feed_server, feeds, "mixed", items)
    result = collect_for(make_settings([url]), feeds.day, now=feeds.now + timedelta(hours=2))
    assert _by_url(result)[url].reason == (
        "2 entries, none in the window: 1 older than the window (newest 2025-01-02), 1 after it"
    )


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Sex, 06 Fev 2026 14:03:00 -0300", "2026-02-06T17:03:00"),  # Portuguese
        ("6 de fevereiro de 2026 às 14:03 BRT", "2026-02-06T17:03:00"),
        ("Fr, 06 Feb. 2026 14:03:00 +0100", "2026-02-06T13:03:00"),  # German
        ("Mo, 02 Mär 2026 10:00:00 GMT", "2026-03-02T10:00:00"),
        ("vendredi 6 février 2026 14:03", "2026-02-06T14:03:00"),  # French
        ("mar., 3 de feb. de 2026", "2026-02-03T00:00:00"),  # Spanish: "mar." is Tuesday
        ("viernes, 6 de febrero de 2026 14:03", "2026-02-06T14:03:00"),
        ("2026년 2월 6일 (금) 오후 2:03", "2026-02-06T05:03:00"),  # Korean, KST
        ("2026년 2월 6일 오전 12:30", "2026-02-05T15:30:00"),
        ("2026.02.06 14:03", "2026-02-06T05:03:00"),  # Korean news sites' numeric stamp
        ("2026. 2. 6. 14:03:09", "2026-02-06T05:03:09"),
        ("2026.02.06 14:03 +00:00", "2026-02-06T14:03:00"),
    ],
)
def test_localised_dates_are_read(written, expected):
    moment = parse_localised(written)
    assert moment is not None
    assert datetime.fromtimestamp(moment, UTC).isoformat() == expected + "+00:00"


@pytest.mark.parametrize(
    "written", ["", "tomorrow", "lundi", "6 fevereiro", "2026", "x" * 200, "2026.02", "1.2.3 4:05"]
)
def test_what_is_not_a_date_stays_none(written):
    assert parse_localised(written) is None


def test_a_portuguese_feed_yields_its_entries(feed_server, make_settings, feeds):
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Notícias</title>'
        "<item><title>Chip novo</title><link>https://pt.example/1</link>"
        "<pubDate>Seg, 02 Fev 2026 12:00:00 +0000</pubDate></item>"
        "<item><title>Velho</title><link>https://pt.example/2</link>"
        "<pubDate>Qui, 24 Set 2018 10:00:00 +0000</pubDate></item></channel></rss>"
    )
    url = feed_server.route("/pt.xml", Reply(body=body.encode()))
    result = collect_for(make_settings([url]), feeds.day, now=feeds.now)
    assert [item.title for item in result.items] == ["Chip novo"]
    assert result.items[0].published == datetime(2026, 2, 2, 12, 0, tzinfo=UTC)


def test_feed_furniture_never_reaches_an_item(feed_server, make_settings, feeds):
    items = [
        {"title": "Homelab", "link": "https://r.example/1", "guid": "r1",
         "description": "<p>Rack mounted GPUs arrived.</p> submitted by /u/rackfan "
                        '<a href="https://r.example/1">[link]</a> <a href="#">[comments]</a>'},
        {"title": "Blog", "link": "https://b.example/2", "guid": "b2",
         "content": "<p>New compiler release.</p><p>The post New compiler release appeared "
                    "first on Blog.</p>"},
        {"title": "뉴스", "link": "https://k.example/3", "guid": "k3",
         "description": "<p>정부가 AI 기본법 시행령을 발표했다.</p><p>관련 기사는 'AI 기본법' "
                        "태그에 모아 두었다.</p><p>홍길동 기자 hong@k.example</p>"},
    ]  # fmt: skip
    url = _serve(feed_server, feeds, "furniture", items)
    result = collect_for(make_settings([url]), feeds.day, now=feeds.now)
    summaries = {item.title: item.summary for item in result.items}
    assert summaries == {
        "Homelab": "Rack mounted GPUs arrived.",
        "Blog": "New compiler release.",
        "뉴스": "정부가 AI 기본법 시행령을 발표했다.",
    }
