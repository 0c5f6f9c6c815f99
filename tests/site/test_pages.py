"""The site's pages in the list's language, down to the words only a screen reader says."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import lxml.html

from newsletter.brief.briefing_file import load_briefing
from newsletter.runtime import render_options
from newsletter.site.archive import PublicEdition
from newsletter.site.pages import PAGE_SIZE, SitePages
from tests.web.conftest import place_briefing, write_config


class _Archive:
    """Editions enough for two archive pages (the archive's own reading is tested in web/)."""

    def __init__(self, editions: list[PublicEdition]) -> None:
        self._editions = editions

    def editions(self) -> list[PublicEdition]:
        return self._editions


def _pages(tmp_path: Path, language: str) -> SitePages:
    settings = write_config(tmp_path, "https://news.example.com", language=language)
    directory = place_briefing(settings, language).parent
    briefing = load_briefing(directory)
    sent = datetime(2026, 2, 7, tzinfo=UTC)
    editions = [
        PublicEdition(date(2026, 2, 7) - timedelta(days=n), briefing, directory, sent, sent)
        for n in range(PAGE_SIZE + 1)
    ]
    return SitePages(render_options(settings), _Archive(editions))  # type: ignore[arg-type]


def test_the_archive_pager_is_named_in_the_page_language(tmp_path: Path) -> None:
    page = _pages(tmp_path, "ko").archive_page(1)
    assert page is not None
    tree = lxml.html.fromstring(page.body)
    pager = tree.cssselect("nav.pager")
    assert len(pager) == 1, "21 editions make two pages"
    labels = [e.get("aria-label") for e in tree.iter() if e.get("aria-label")]
    assert labels and not [label for label in labels if re.search(r"[A-Za-z]", label)], labels


def test_the_english_archive_pager_is_named_in_english(tmp_path: Path) -> None:
    page = _pages(tmp_path, "en").archive_page(2)
    assert page is not None
    (pager,) = lxml.html.fromstring(page.body).cssselect("nav.pager")
    assert pager.get("aria-label") == "Archive pages"


def _levels(body: bytes) -> list[int]:
    tree = lxml.html.fromstring(body)
    return [int(e.tag[1]) for e in tree.iter("h1", "h2", "h3", "h4", "h5", "h6")]


def test_headings_never_skip_a_level(tmp_path: Path) -> None:
    """A screen reader's list of headings is the page's outline: an edition is one level
    below the page's heading on the archive (h1 → h2) as on the landing page (h2 → h3)."""
    pages = _pages(tmp_path, "ko")
    archive = pages.archive_page(1)
    assert archive is not None
    for name, body in {"landing": pages.landing().body, "archive": archive.body}.items():
        levels = _levels(body)
        assert levels[0] == 1, (name, levels)
        skips = [(a, b) for a, b in pairwise(levels) if b > a + 1]
        assert skips == [], (name, levels)


def test_a_headline_in_another_script_is_marked_with_its_language(tmp_path: Path) -> None:
    """An English list quoting a Korean source keeps its Korean headline: a screen reader
    must read it with a Korean voice (WCAG 3.1.2), and the English ones with the page's."""
    pages = _pages(tmp_path, "en")
    edition = pages.archive.editions()[0]
    first = edition.briefing.stories[0]
    korean = replace(first, headline="OpenAI, 한국어 개인정보 처리방침 공개…'현지화' 전략 본격화")
    briefing = replace(edition.briefing, stories=[korean, *edition.briefing.stories[1:]])
    pages.archive.editions()[0] = replace(edition, briefing=briefing)
    tree = lxml.html.fromstring(pages.landing().body)
    items = tree.cssselect(".headlines li")
    marked = [(li.text_content().strip(), li.get("lang")) for li in items]
    assert (f"{first.emoji} {korean.headline}".strip(), "ko") in marked
    assert {lang for text, lang in marked if "한국어" not in text} == {None}
