"""Parsing what servers really send: lying charsets, BOMs, broken XML, HTML, Atom, RSS 1.0."""

from __future__ import annotations

import codecs

import pytest
from feedserver import Reply, simple_feed

from newsletter.collect.parse import ParseError, decode, parse_feed
from tests.fixtures.edge import collect_for

KOREAN = "삼성전자, 차세대 HBM4 메모리 양산 시작…AI 반도체 경쟁 가열"
FRENCH = "Café crème, façade et élève"


def korean_feed(feeds, encoding_decl: str) -> str:
    return feeds.rss(
        [{"title": KOREAN, "link": "https://ko.example/1", "description": "<p>본문 첫 문장.</p>"}],
        title="한국 뉴스",
        declaration=f'<?xml version="1.0" encoding="{encoding_decl}"?>',
    )


def collect_one(feed_server, make_settings, feeds, path, reply):
    url = feed_server.route(path, reply)
    result = collect_for(make_settings([url]), feeds.day, now=feeds.now)
    return result.feeds[0], result.items


@pytest.mark.parametrize(
    ("name", "body_encoding", "declared", "http_charset"),
    [
        ("utf8-declared-latin1-in-xml", "utf-8", "ISO-8859-1", None),
        ("utf8-declared-latin1-by-http", "utf-8", "utf-8", "iso-8859-1"),
        ("euc-kr-declared-correctly", "euc-kr", "EUC-KR", None),
        ("euc-kr-http-says-utf8", "euc-kr", "EUC-KR", "utf-8"),
        ("euc-kr-declared-utf8-everywhere", "euc-kr", "utf-8", "utf-8"),
    ],
)
def test_korean_text_survives_wrong_charset_declarations(
    feed_server, make_settings, feeds, name, body_encoding, declared, http_charset
):
    body = korean_feed(feeds, declared).encode(body_encoding)
    content_type = "application/rss+xml" + (f"; charset={http_charset}" if http_charset else "")
    report, items = collect_one(
        feed_server, make_settings, feeds, f"/{name}.xml",
        Reply(body=body, headers={"Content-Type": content_type}),
    )  # fmt: skip
    assert report.status == "ok", report.reason
    assert report.name == "한국 뉴스"
    assert [item.title for item in items] == [KOREAN]
    assert items[0].summary == "본문 첫 문장."


def test_windows_1252_declared_utf8(feed_server, make_settings, feeds):
    text = feeds.rss([{"title": FRENCH, "link": "https://fr.example/1"}])
    report, items = collect_one(
        feed_server, make_settings, feeds, "/fr.xml", Reply(body=text.encode("windows-1252"))
    )
    assert report.status == "ok", report.reason
    assert items[0].title == FRENCH


@pytest.mark.parametrize("bom_encoding", ["utf-8-sig", "utf-16"])
def test_byte_order_mark(feed_server, make_settings, feeds, bom_encoding):
    text = korean_feed(feeds, "utf-8" if bom_encoding == "utf-8-sig" else "utf-16")
    body = text.encode(bom_encoding)
    assert body.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    report, items = collect_one(
        feed_server, make_settings, feeds, f"/bom-{bom_encoding}.xml", Reply(body=body)
    )
    assert report.status == "ok", report.reason
    assert [item.title for item in items] == [KOREAN]


def test_malformed_xml_with_readable_entries_is_a_warning(feed_server, make_settings, feeds):
    text = feeds.rss(
        [
            {"title": "First fine entry", "link": "https://m.example/1"},
            {"title": "Second fine entry", "link": "https://m.example/2"},
        ]
    ).replace("</channel></rss>", "<item><title>Broken & unclosed</title></channel>")
    report, items = collect_one(
        feed_server, make_settings, feeds, "/malformed.xml", Reply(body=text.encode())
    )
    assert report.status == "warning"
    assert report.reason.startswith("malformed feed (line ")
    assert {item.title for item in items} >= {"First fine entry", "Second fine entry"}
    assert report.items >= 2


def test_garbage_is_an_error(feed_server, make_settings, feeds):
    report, items = collect_one(
        feed_server, make_settings, feeds, "/garbage.xml", Reply(body=b"\x00\x01 not xml at all {")
    )
    assert report.status == "error"
    assert report.reason.startswith(("not an RSS/Atom feed", "malformed feed"))
    assert items == []


def test_html_page_instead_of_a_feed(feed_server, make_settings, feeds):
    page = (
        b"<!DOCTYPE html><html><head><title>Blog</title>"
        b'<link rel="alternate" type="application/rss+xml" href="/real-feed.xml">'
        b"</head><body><h1>Welcome</h1></body></html>"
    )
    report, items = collect_one(
        feed_server, make_settings, feeds, "/page",
        Reply(body=page, headers={"Content-Type": "text/html"}),
    )  # fmt: skip
    assert report.status == "error"
    assert report.reason == (
        f"an HTML page, not a feed (it links a feed: {feed_server.url('/real-feed.xml')})"
    )
    assert items == []


def test_empty_body_is_an_error(feed_server, make_settings, feeds):
    report, _ = collect_one(feed_server, make_settings, feeds, "/empty.xml", Reply(body=b""))
    assert (report.status, report.reason) == ("error", "empty response")


def test_atom_and_rss1_are_read(feed_server, make_settings, feeds):
    atom = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://atom.example/blog/">
  <title>Atom Blog</title><id>urn:x</id><updated>2026-02-02T12:00:00Z</updated>
  <entry><title type="html">Atom &lt;em&gt;entry&lt;/em&gt;</title><id>urn:e1</id>
    <link rel="alternate" href="posts/1"/><updated>2026-02-02T12:00:00+09:00</updated>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">
      <p>Body <a href="../about">about</a></p></div></content>
  </entry>
</feed>"""
    rdf = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
  xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://rdf.example/"><title>RDF</title><link>https://rdf.example/</link></channel>
  <item rdf:about="https://rdf.example/1"><title>RDF item</title><link>https://rdf.example/1</link>
    <dc:date>2026-02-02T10:00:00Z</dc:date></item>
</rdf:RDF>"""
    a = feed_server.route("/atom.xml", Reply(body=atom))
    b = feed_server.route("/rdf.xml", Reply(body=rdf))
    result = collect_for(make_settings([a, b]), feeds.day, now=feeds.now)
    assert [r.status for r in result.feeds] == ["ok", "ok"]
    by_title = {item.title: item for item in result.items}
    entry = by_title["Atom entry"]
    assert entry.url == "https://atom.example/blog/posts/1"
    assert entry.published.isoformat() == "2026-02-02T03:00:00+00:00"
    assert 'href="https://atom.example/about"' in entry.content_html
    assert entry.feed_title == "Atom Blog"
    assert by_title["RDF item"].url == "https://rdf.example/1"


def test_a_relative_xml_base_and_guid_links_resolve_against_the_feed_url(
    feed_server, make_settings, feeds
):
    """feedparser is not told the feed URL (see parse): relative bases are finished by us."""
    atom = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="blog/">
  <title>Relative base</title><id>urn:r</id><updated>2026-02-02T12:00:00Z</updated>
  <entry xml:base="2026/"><title>Nested</title><id>urn:r1</id>
    <link rel="alternate" href="post.html"/><updated>2026-02-02T12:00:00Z</updated>
    <content type="html">&lt;a href="img/a.png"&gt;pic&lt;/a&gt;</content>
  </entry>
</feed>"""
    guid_only = feeds.rss([{"title": "Permalink GUID"}])
    guid_only = guid_only.replace("GUID</title>", "GUID</title><guid>items/7</guid>")
    a = feed_server.route("/site/atom.xml", Reply(body=atom))
    b = feed_server.route("/site/rss.xml", Reply(body=guid_only.encode()))
    result = collect_for(make_settings([a, b]), feeds.day, now=feeds.now)
    by_title = {item.title: item for item in result.items}
    nested = by_title["Nested"]
    assert nested.url == f"{feed_server.base}/site/blog/2026/post.html"
    assert f'href="{feed_server.base}/site/blog/2026/img/a.png"' in nested.content_html
    # An RSS <guid> is a permalink unless it says otherwise: with no <link>, it is the link.
    assert by_title["Permalink GUID"].url == f"{feed_server.base}/site/items/7"


def test_decode_prefers_valid_utf8_and_falls_back_to_detection():
    assert decode("한국어".encode())[0] == "한국어"
    assert (
        decode("한국어 뉴스 본문입니다".encode("euc-kr"), "iso-8859-1")[0]
        == "한국어 뉴스 본문입니다"
    )
    assert decode(codecs.BOM_UTF8 + b"abc")[0] == "abc"


def test_parse_feed_raises_a_one_line_reason():
    with pytest.raises(ParseError, match=r"^empty response$"):
        parse_feed(b"   \n", "https://x.example/feed")


def test_decode_short_latin_text_prefers_windows_1252():
    assert decode(FRENCH.encode("cp1252"), "utf-8")[0] == FRENCH


def test_a_body_naming_a_local_file_is_not_read_from_disk(tmp_path):
    """feedparser takes bytes as a file name first; a feed must never make us read a file."""
    local = tmp_path / "secret.xml"
    local.write_bytes(simple_feed("secret", 2))
    with pytest.raises(ParseError, match="not an RSS/Atom feed"):
        parse_feed(str(local).encode(), "https://evil.example/feed")


def test_a_feed_file_on_this_machine_resolves_relative_links_against_its_site():
    """A local file's path is no base for web links: the channel's <link> is. Before, the
    entry with a relative <link> was dropped ("without an http(s) link") and relative links
    in the content lost their href."""
    rss = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Local</title><link>https://site.example.com/</link>
<item><title>Relative</title><link>/2026/02/06/post</link><guid isPermaLink="false">r1</guid>
<description>&lt;a href="/topics/ai"&gt;more&lt;/a&gt;</description></item>
</channel></rss>"""
    [entry] = parse_feed(rss, "/srv/feeds/local.xml").entries
    assert entry.link == "https://site.example.com/2026/02/06/post"
    assert entry.base == "https://site.example.com/"
    # a feed fetched over http keeps its own URL as the base
    [fetched] = parse_feed(rss, "https://feeds.example.org/x/local.xml").entries
    assert fetched.link == "https://feeds.example.org/2026/02/06/post"
