"""A feed's include/exclude: applied at collect and counted in its report line."""

from __future__ import annotations

from feedserver import Reply

from tests.fixtures.edge import collect_for


def _feed(feed_server, feeds, titles):
    items = [{"title": t, "link": f"https://f.example/{i}", "guid": f"g{i}"}
             for i, t in enumerate(titles)]  # fmt: skip
    return feed_server.route("/f.xml", Reply(body=feeds.rss(items).encode()))


def test_include_and_exclude_are_counted(feed_server, make_settings, feeds):
    url = _feed(
        feed_server,
        feeds,
        ["AI model tops benchmark", "반도체 수출 증가", "Football results", "AI crypto coin"],
    )
    feed = {"url": url, "include": ["AI", "반도체"], "exclude": ["crypto"]}
    result = collect_for(make_settings([feed]), feeds.day, now=feeds.now)
    titles = sorted(item.title for item in result.items)
    assert titles == ["AI model tops benchmark", "반도체 수출 증가"]
    (report,) = result.feeds
    assert report.items == 2
    assert report.reason == "1 entry left out by include; 1 entry left out by exclude"


def test_a_feed_emptied_by_its_filters_says_so(feed_server, make_settings, feeds):
    url = _feed(feed_server, feeds, ["Football results", "Cricket scores"])
    result = collect_for(make_settings([{"url": url, "include": ["AI"]}]), feeds.day, now=feeds.now)
    (report,) = result.feeds
    assert (report.items, report.reason) == (
        0,
        "all 2 entries in the window excluded by filters; 2 entries left out by include",
    )
