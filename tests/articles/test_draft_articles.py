"""`draft` reads the picked stories' articles: the writer quotes the article, not the teaser."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from newsletter.brief.report import DraftReport
from tests.articles.pages import CHIP, article_page
from tests.brief.factory import DAY, SEND, item
from tests.collect.feedserver import FeedServer, Reply
from tests.fixtures.edge import draft_for
from tests.fixtures.site import make_site


@pytest.fixture
def server():
    served = FeedServer()
    yield served
    served.close()


def _items(server):
    url = server.route("/chip", Reply(body=article_page("Chip maker ships 2 nm", CHIP)))
    picked = item(1, "Chip maker ships first 2 nm accelerator", "Chip maker ships a chip.")
    missing = item(2, "Second story about AI chips", "Teaser of the second story only.")
    later = SEND - timedelta(hours=3)
    return [replace(picked, url=url), replace(missing, url=server.url("/gone"), published=later)]


def test_the_writer_works_from_the_article_and_the_report_counts(tmp_path, server):
    site = make_site(
        tmp_path,
        brief={"fetch_articles": True, "max_stories": 2},
        collect={"allow_private_networks": True},
    )
    report = DraftReport()
    briefing = draft_for(_items(server), site.settings, DAY, report)
    first = " ".join(briefing.stories[0].summary + briefing.stories[0].why)
    assert "288 GB" in first or "2 nm accelerator has shipped" in first
    assert briefing.stories[1].summary == ["Teaser of the second story only."]
    assert "articles: 1/2 read (0 from the cache); 1 fell back to the feed text (1 HTTP 404)" in (
        report.lines()
    )


def test_fetch_articles_false_reads_nothing(tmp_path, server):
    site = make_site(
        tmp_path, brief={"fetch_articles": False}, collect={"allow_private_networks": True}
    )
    report = DraftReport()
    draft_for(_items(server), site.settings, DAY, report)
    assert server.log == []
    assert report.articles.line().startswith("articles: not fetched")
