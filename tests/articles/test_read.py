"""Article pages: fetched under the collector's limits and network policy, extracted, cached."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from newsletter import db
from newsletter.articles.counts import ArticleCounts
from newsletter.articles.extract import trim
from newsletter.articles.read import ArticleSource, _location, read_articles
from newsletter.collect.fetch import Limits
from newsletter.config import CollectSettings
from newsletter.model import Item
from tests.articles.pages import CHIP, KOREAN, article_page
from tests.collect.feedserver import FeedServer, Reply

#: What `[collect]` gives the article reader in these tests: loopback allowed, short timeouts.
COLLECT = CollectSettings(connect_timeout=2.0, total_timeout=5.0, allow_private_networks=True)
LOOPBACK = ArticleSource.of(COLLECT, "https://news.example.com", None).limits


@pytest.fixture
def server():
    served = FeedServer()
    yield served
    served.close()


@pytest.fixture
def engine(tmp_path):
    return db.ready(f"sqlite:///{tmp_path / 'articles.db'}")


def _item(url: str, summary: str = "Short feed teaser.") -> Item:
    return Item(
        id=url, feed_url="https://wire.example/feed", feed_title="Wire", section="ai",
        title="Chip maker ships 2 nm accelerator", url=url,
        published=datetime(2026, 2, 6, tzinfo=UTC), summary=summary,
    )  # fmt: skip


def _read(items, engine, limits=LOOPBACK):
    counts = ArticleCounts()
    return read_articles(items, ArticleSource(engine, limits), counts), counts


def test_the_article_text_replaces_the_teaser_and_leaves_the_page_furniture(server, engine):
    url = server.route("/chip", Reply(body=article_page("Chip maker ships 2 nm", CHIP)))
    (item,), counts = _read([_item(url)], engine)
    assert item.body == item.article
    assert "288 GB of high-bandwidth memory" in item.article
    assert "volume production would start in May" in item.article
    for furniture in ("Subscribe", "Most read", "Celebrity", "All rights reserved", "Share this",
                      "By Jane Doe"):  # fmt: skip
        assert furniture not in item.article
    assert item.article.count("\n\n") >= 2  # paragraphs kept
    assert item.article.startswith("The chip maker said")  # the headline is not a sentence
    assert (counts.wanted, counts.fetched, counts.failures) == (1, 1, {})
    user_agent = server.log[0].headers["user-agent"]
    assert "reads the articles it links to" in user_agent


def test_korean_article_and_its_furniture(server, engine):
    extra = (
        "<p>홍길동 기자 gildong@news.example</p>"
        "<p>&lt;저작권자 ⓒ 예시뉴스, 무단 전재 및 재배포 금지&gt;</p>"
    )
    page = article_page("삼성전자 2나노 칩 공급", KOREAN, lang="ko", extra=extra)
    url = server.route("/ko", Reply(body=page))
    (item,), _ = _read([_item(url)], engine)
    assert "전력 효율이 25% 높고" in item.article
    assert "무단 전재" not in item.article and "gildong@" not in item.article


def test_a_second_read_is_a_conditional_request_and_uses_the_cache(server, engine):
    page = article_page("Chip maker ships 2 nm", CHIP)
    url = server.route("/chip", Reply(body=page, etag='"v1"'))
    (first,), _ = _read([_item(url)], engine)
    (again,), counts = _read([_item(url)], engine)
    assert again.article == first.article
    assert counts.cached == 1 and counts.fetched == 1
    second = server.requests("/chip")[1]
    assert second.headers["if-none-match"] == '"v1"' and second.status == 304


@pytest.mark.parametrize(
    ("reply", "kind"),
    [
        (Reply(404, b"gone"), "HTTP 404"),
        (
            Reply(body=b"<html><body><p>Subscribe to read.</p></body></html>"),
            "no article text found",
        ),
        (Reply(body=b"x" * 20_000), "too large"),
    ],
)
def test_a_page_that_fails_leaves_the_feed_text_and_is_counted(server, engine, reply, kind):
    url = server.route("/page", reply)
    limits = replace(LOOPBACK, max_bytes=10_000)
    (item,), counts = _read([_item(url)], engine, limits)
    assert item.article == "" and item.body == "Short feed teaser."
    assert counts.failures == {kind: 1} and counts.fetched == 0
    assert f"0/1 read (0 from the cache); 1 fell back to the feed text (1 {kind})" in counts.line()


def test_articles_obey_the_network_policy(server, engine):
    url = server.route("/chip", Reply(body=article_page("Chip", CHIP)))
    moved = server.route("/moved", Reply(302, headers={"Location": "http://169.254.169.254/x"}))
    (first, second), counts = _read([_item(url), _item(moved)], engine, Limits())  # defaults
    assert first.article == "" and second.article == ""
    assert counts.failures == {"refused by the network policy": 2}
    assert server.log == []  # nothing was asked of 127.0.0.1


def test_many_pages_are_fetched_at_once(server, engine):
    """Ten pages that each take 0.3 s arrive together, not one after another."""
    urls = [
        server.route(f"/p{n}", Reply(body=article_page(f"Story {n}", CHIP), delay=0.3))
        for n in range(10)
    ]
    _, counts = _read([_item(url) for url in urls], engine)
    assert counts.fetched == 10
    clients = {entry.client_port for entry in server.log}
    assert len(clients) >= 2  # several connections in parallel (per_host = 2)


def test_the_mirror_layout_and_the_budget():
    assert _location("https://wire.example/a/b?c=1", "http://127.0.0.1:8787/") == (
        "http://127.0.0.1:8787/wire.example/a/b?c=1"
    )
    assert _location("https://wire.example/a", "") == "https://wire.example/a"
    text = "First paragraph ends here.\n\n" + "Second sentence goes on. " * 30
    trimmed = trim(text, 200)
    assert len(trimmed) <= 200 and trimmed.endswith(".")
