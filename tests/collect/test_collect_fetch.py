"""Fetching through a real HTTP server on 127.0.0.1: limits, redirects, 304, errors, isolation."""

from __future__ import annotations

import time

from feedserver import Reply

from tests.fixtures.edge import collect_for


def run(settings, feeds):
    return collect_for(settings, feeds.day, now=feeds.now)


def by_url(result):
    return {report.url: report for report in result.feeds}


def test_one_slow_feed_times_out_and_the_others_still_arrive(feed_server, make_settings, feeds):
    # the slow feed never answers while the test runs; the budget is generous for the fast
    # one on a busy machine, and far below the slow one's delay
    slow = feed_server.route("/slow.xml", Reply(body=feeds.simple("slow"), delay=600))
    fast = feed_server.route("/fast.xml", Reply(body=feeds.simple("fast")))
    settings = make_settings([slow, fast], total_timeout=3, connect_timeout=3)
    started = time.monotonic()
    result = run(settings, feeds)
    assert time.monotonic() - started < 300, "collect waited for the slow feed"
    reports = by_url(result)
    assert reports[slow].status == "error"
    assert "timed out after 3 s" in reports[slow].reason
    assert reports[fast].status == "ok" and reports[fast].items == 3
    assert result.ok
    assert {item.feed_url for item in result.items} == {fast}


def test_endless_body_is_cut_at_the_cap_while_streaming(feed_server, make_settings, feeds):
    endless = feed_server.route("/endless.xml", Reply(body=feed_server.endless))
    settings = make_settings([endless], max_bytes=200_000, total_timeout=600)
    result = run(settings, feeds)  # an endless body that is not cut would hang here
    (report,) = result.feeds
    assert report.status == "error"
    assert report.reason == "body larger than 200 kB: download stopped"
    assert not result.ok


def test_declared_oversize_is_refused_without_reading(feed_server, make_settings, feeds):
    big = feed_server.route("/big.xml", Reply(body=b"x" * 300_000))
    result = run(make_settings([big], max_bytes=100_000), feeds)
    assert result.feeds[0].reason == "body larger than 100 kB: download stopped"


def test_redirect_chain_is_followed_and_a_permanent_move_is_reported(
    feed_server, make_settings, feeds
):
    feed_server.route("/final.xml", Reply(body=feeds.simple("moved")))
    feed_server.route("/b", Reply(302, headers={"Location": "/final.xml"}))
    start = feed_server.route("/a", Reply(301, headers={"Location": feed_server.url("/b")}))
    result = run(make_settings([start]), feeds)
    (report,) = result.feeds
    assert report.status == "ok" and report.items == 3
    assert f"moved permanently to {feed_server.url('/final.xml')}" in report.reason


def test_redirect_loop_and_too_many_redirects_fail_cleanly(feed_server, make_settings, feeds):
    loop = feed_server.route("/loop1", Reply(302, headers={"Location": "/loop2"}))
    feed_server.route("/loop2", Reply(302, headers={"Location": "/loop1"}))
    for n in range(7):
        feed_server.route(f"/hop{n}", Reply(302, headers={"Location": f"/hop{n + 1}"}))
    feed_server.route("/hop7", Reply(body=feeds.simple("far")))
    far = feed_server.url("/hop0")
    result = run(make_settings([loop, far]), feeds)
    for report in result.feeds:
        assert report.status == "error"
        assert report.reason == "more than 5 redirects (a redirect loop?)"
    assert len(feed_server.requests("/loop1")) + len(feed_server.requests("/loop2")) == 6


def test_second_run_sends_validators_gets_304_and_downloads_no_body(
    feed_server, make_settings, feeds
):
    body = feeds.simple("cached", count=4)
    url = feed_server.route("/etag.xml", Reply(body=body, etag='"v1"'))
    lm_body = feeds.simple("lm", count=2)
    stamp = "Mon, 02 Feb 2026 10:00:00 GMT"

    def last_modified(request):
        if request.headers.get("If-Modified-Since") == stamp:
            return Reply(304, headers={"Last-Modified": stamp})
        return Reply(body=lm_body, headers={"Last-Modified": stamp})

    lm_url = feed_server.route("/lm.xml", last_modified)
    settings = make_settings([url, lm_url])
    first = run(settings, feeds)
    assert [r.status for r in first.feeds] == ["ok", "ok"]
    second = run(settings, feeds)
    assert [r.status for r in second.feeds] == ["not_modified", "not_modified"]
    assert second.ok
    for path in ("/etag.xml", "/lm.xml"):
        initial, repeat = feed_server.requests(path)
        assert initial.status == 200 and initial.body_bytes > 0
        assert repeat.status == 304 and repeat.body_bytes == 0
    assert feed_server.requests("/etag.xml")[1].headers["if-none-match"] == '"v1"'
    assert [i.to_dict() for i in second.items] == [i.to_dict() for i in first.items]
    assert len(second.items) == 6


def test_changed_feed_is_downloaded_again(feed_server, make_settings, feeds):
    url = feed_server.route("/v.xml", Reply(body=feeds.simple("one", 1), etag='"1"'))
    settings = make_settings([url])
    assert len(run(settings, feeds).items) == 1
    feed_server.route("/v.xml", Reply(body=feeds.simple("two", 2), etag='"2"'))
    again = run(settings, feeds)
    assert again.feeds[0].status == "ok"
    assert sorted(i.url for i in again.items) == [
        "https://two.example/post/0",
        "https://two.example/post/1",
    ]


def test_http_errors_are_report_lines(feed_server, make_settings, feeds):
    missing = feed_server.url("/missing.xml")
    broken = feed_server.route("/500.xml", Reply(500, b"oops"))
    good = feed_server.route("/good.xml", Reply(body=feeds.simple("good")))
    refused = "http://127.0.0.1:9/closed.xml"
    result = run(make_settings([missing, broken, good, refused]), feeds)
    reports = by_url(result)
    assert (reports[missing].status, reports[missing].reason) == ("error", "HTTP 404 Not Found")
    assert (reports[broken].status, reports[broken].reason) == (
        "error",
        "HTTP 500 Internal Server Error",
    )
    assert reports[refused].status == "error"
    assert reports[refused].reason == "connection refused or host unreachable"
    assert reports[good].status == "ok"
    assert result.ok


def test_429_with_retry_after_skips_the_feed_now_and_on_the_next_run(
    feed_server, make_settings, feeds
):
    url = feed_server.route("/busy.xml", Reply(body=feeds.simple("busy"), etag='"b"'))
    settings = make_settings([url])
    assert run(settings, feeds).feeds[0].status == "ok"
    feed_server.route("/busy.xml", Reply(429, b"slow down", {"Retry-After": "3600"}))
    limited = run(settings, feeds)
    (report,) = limited.feeds
    assert report.status == "skipped"
    assert report.reason.startswith("HTTP 429 Too Many Requests, Retry-After 3600 s")
    assert "using 3 cached entries" in report.reason
    assert len(limited.items) == 3  # the last good copy still serves the edition
    assert not limited.ok  # a skipped feed did not "work" today
    requests_before = len(feed_server.requests("/busy.xml"))
    later = run(settings, feeds)
    assert later.feeds[0].status == "skipped"
    assert "server asked us to wait until" in later.feeds[0].reason
    assert len(feed_server.requests("/busy.xml")) == requests_before  # we did not ask again


def test_503_with_http_date_retry_after(feed_server, make_settings, feeds):
    url = feed_server.route(
        "/down.xml", Reply(503, b"", {"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"})
    )
    (report,) = run(make_settings([url]), feeds).feeds
    assert report.status == "skipped"
    assert report.reason.startswith("HTTP 503 Service Unavailable, Retry-After 604800 s")


def test_gzip_body_is_decoded(feed_server, make_settings, feeds):
    url = feed_server.route(
        "/gz.xml",
        Reply(body=feeds.simple("zipped"), gzip=True, headers={"Vary": "Accept-Encoding"}),
    )
    result = run(make_settings([url]), feeds)
    assert result.feeds[0].status == "ok"
    assert len(result.items) == 3
    assert feed_server.requests("/gz.xml")[0].headers["accept-encoding"].startswith("gzip")


def test_polite_request_headers(feed_server, make_settings, feeds):
    url = feed_server.route("/ua.xml", Reply(body=feeds.simple("ua")))
    run(make_settings([url]), feeds)
    headers = feed_server.requests("/ua.xml")[0].headers
    assert headers["user-agent"].startswith("newsletter/")
    assert "+https://news.example.com)" in headers["user-agent"]  # the site says who asks
    assert "application/rss+xml" in headers["accept"]


def test_all_feeds_failing_means_not_ok(feed_server, make_settings, feeds):
    result = run(make_settings([feed_server.url("/a"), feed_server.url("/b")]), feeds)
    assert not result.ok
    assert [r.status for r in result.feeds] == ["error", "error"]
    assert result.items == []


def test_local_paths_and_file_urls(tmp_path, make_settings, feeds):
    (tmp_path / "local.xml").write_bytes(feeds.simple("local", 2))
    (tmp_path / "other.xml").write_bytes(feeds.simple("other", 1))
    settings = make_settings(["local.xml", (tmp_path / "other.xml").as_uri(), "missing.xml"])
    result = run(settings, feeds)
    assert [r.status for r in result.feeds] == ["ok", "ok", "error"]
    assert result.feeds[2].reason == f"file not found: {tmp_path / 'missing.xml'}"
    assert len(result.items) == 3
    again = run(settings, feeds)
    assert [r.status for r in again.feeds][:2] == ["not_modified", "not_modified"]
    assert len(again.items) == 3


def test_tls_failure_is_a_report_line(feed_server, make_settings, feeds):
    plain = feed_server.route("/plain.xml", Reply(body=feeds.simple("plain")))
    tls = plain.replace("http://", "https://")  # a TLS handshake against a plain-HTTP port
    result = run(make_settings([tls, plain]), feeds)
    reports = by_url(result)
    assert reports[tls].status == "error"
    assert reports[tls].reason.startswith("TLS error: ")
    assert reports[plain].status == "ok"


def test_unusable_urls_are_report_lines(feed_server, make_settings, feeds):
    good = feed_server.route("/ok.xml", Reply(body=feeds.simple("ok", 1)))
    result = run(make_settings(["http://[::1/feed", "ftp://example.com/feed.xml", good]), feeds)
    assert [r.status for r in result.feeds] == ["error", "error", "ok"]
    assert result.feeds[0].reason.startswith("invalid URL: ")
    assert result.feeds[1].reason.startswith("unsupported URL: ")
