"""No input crashes the collector: arbitrary bytes and damaged feeds become report lines."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsletter.collect.work import Job, from_body

FEED = (
    '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
    "<item><title>Hello &amp; 안녕</title><link>/a?utm_source=x</link><guid>g</guid>"
    "<pubDate>Mon, 02 Feb 2026 12:00:00 GMT</pubDate>"
    '<description>&lt;p onclick="x"&gt;Body &lt;a href="javascript:x"&gt;l&lt;/a&gt;</description>'
    "</item></channel></rss>"
).encode()
JOB = Job(
    feed_url="https://feed.example/rss",
    name="",
    fallback_title="feed.example",
    section="tech",
    weight=1.0,
    seen_before={},
    now=1_770_070_000.0,
    window=(1_769_983_200.0, 1_770_069_600.0),
)


def check(body: bytes) -> None:
    result = from_body(body, "https://feed.example/rss", "", JOB)
    assert (result.error != "") != (result.selection is not None)
    assert "\n" not in result.error
    if result.selection is not None:
        for item in result.selection.items:
            assert "\n" not in item.title and "\r" not in item.title
            assert item.url.startswith(("http://", "https://"))
            assert_safe(item.content_html)


class _Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.seen.extend((tag, name, value or "") for name, value in attrs)


def assert_safe(fragment: str) -> None:
    parser = _Attributes()
    parser.feed(fragment)
    for tag, name, value in parser.seen:
        assert not name.startswith("on"), (tag, name)
        assert name in {"href", "src", "title", "alt", "rel", "width", "height", "colspan",
                        "rowspan"}, (tag, name)  # fmt: skip
        if name in ("href", "src"):
            assert value.startswith(("http://", "https://", "mailto:")), value
    assert "<script" not in fragment.lower()


def test_the_sample_feed_itself_yields_a_clean_item():
    result = from_body(FEED, "https://feed.example/rss", "", JOB)
    (item,) = result.selection.items
    assert (item.title, item.url) == ("Hello & 안녕", "https://feed.example/a")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(body):
    check(body)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_damaged_feeds_never_raise(data):
    body = bytearray(FEED)
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(body) - 1))
        action = data.draw(st.sampled_from(["flip", "delete", "insert"]))
        if action == "flip":
            body[position] = data.draw(st.integers(0, 255))
        elif action == "delete":
            del body[position : position + data.draw(st.integers(1, 40))]
        else:
            body[position:position] = data.draw(
                st.sampled_from([b"<", b"&", b"]]>", b"\x00", b"\xff\xfe", b"<![CDATA[", b"&#0;"])
            )
        if not body:
            break
    check(bytes(body))
