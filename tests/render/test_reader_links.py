"""What a reader finds around the stories: the web copy's link, the headline index, the
forward/subscribe line, the brand, and a public web copy with nothing personal in it."""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html

from newsletter.model import UNSUBSCRIBE_PLACEHOLDER, Briefing, Edition
from newsletter.render import render_edition
from newsletter.render.checks import check_edition
from newsletter.runtime import render_options
from tests.render.conftest import make_settings

WEB_URL = "https://news.example.com/archive/2026-02-07/"


def doc(html: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(html)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def links(html: str) -> dict[str, str]:
    """Link text → href of every `<a>`."""
    return {squash(a.text_content()): a.get("href") for a in doc(html).iter("a")}


def site_settings(tmp_path: Path, language: str = "ko", **newsletter: str):
    return make_settings(language, tmp_path, base_url="https://news.example.com/", **newsletter)


def test_view_in_browser_and_subscribe_links_point_at_the_site(
    briefing_ko: Briefing, tmp_path: Path
) -> None:
    edition = render_edition(briefing_ko, render_options(site_settings(tmp_path)))
    found = links(edition.html)
    assert found["웹에서 보기"] == WEB_URL
    assert found["전달받으셨나요? 구독하기"] == "https://news.example.com/subscribe"
    assert found["수신 거부"] == UNSUBSCRIBE_PLACEHOLDER
    # the first link of the message is the web copy (clients that mangle HTML show it first)
    assert next(doc(edition.html).iter("a")).get("href") == WEB_URL
    assert f"웹에서 보기: {WEB_URL}\n" in edition.text
    assert "전달받으셨나요? 구독하기: https://news.example.com/subscribe\n" in edition.text


def test_headline_index_links_to_each_story(edition_ko: Edition, briefing_ko: Briefing) -> None:
    page = doc(edition_ko.html)
    index = page.find_class("index")[0]
    assert squash(index.find_class("index-label")[0].text_content()) == "오늘의 소식"
    entries = [(squash(a.text_content()), a.get("href")) for a in index.iter("a")]
    assert entries == [
        (f"{s.emoji} {s.headline}", f"#story-{n}")
        for n, s in enumerate(briefing_ko.stories, start=1)
    ]
    for number, story in enumerate(briefing_ko.stories, start=1):
        target = page.get_element_by_id(f"story-{number}")
        assert target.tag == "h2" and story.headline in target.text_content()
    # the index sits above the first story
    assert edition_ko.html.index('class="index"') < edition_ko.html.index('id="story-1"')


def test_text_edition_opens_with_a_numbered_index(
    edition_en: Edition, briefing_en: Briefing
) -> None:
    head = edition_en.text.split("Hello!")[0]
    assert "\nIn this edition\n" in head
    for number, story in enumerate(briefing_en.stories, start=1):
        assert f"{number:2d}. {story.emoji} {story.headline[:30]}" in squash_lines(head)


def squash_lines(text: str) -> str:
    """Wrapped index entries joined back into one line each."""
    return re.sub(r"\n {4}", " ", text)


def test_the_name_is_not_printed_twice_in_the_header(edition_ko: Edition) -> None:
    page = doc(edition_ko.html)
    assert [squash(h.text_content()) for h in page.iter("h1")] == ["Daily AI & Tech News"]
    assert page.find_class("masthead-name") == []  # the title already is the name
    head = edition_ko.text.split("오늘의 소식")[0]
    assert head.count("Daily AI & Tech News") == 1


def test_a_title_of_its_own_keeps_the_name_above_it(briefing_en: Briefing, tmp_path) -> None:
    from dataclasses import replace

    own = replace(briefing_en, title="Agents write a compiler")
    edition = render_edition(own, render_options(make_settings("en", tmp_path)))
    page = doc(edition.html)
    assert squash(page.find_class("masthead-name")[0].text_content()) == "Daily AI & Tech News"
    assert [squash(h.text_content()) for h in page.iter("h1")] == ["Agents write a compiler"]


def test_korean_edition_has_no_english_labels(edition_ko: Edition) -> None:
    visible = squash(doc(edition_ko.html).find("body").text_content())
    for english in ("Source", "View in browser", "In this edition", "Unsubscribe", "Subscribe"):
        assert english not in visible
        assert english not in edition_ko.text
    assert "**출처:**" in edition_ko.markdown and "Source" not in edition_ko.markdown


def test_brand_accent_logo_and_footer_note(briefing_en: Briefing, tmp_path: Path) -> None:
    settings = make_settings(
        "en",
        tmp_path,
        accent_color="#c2410c",
        logo_url="https://news.example.com/logo.png",
        logo_alt="Daily AI logo",
        footer_note="Written in Seoul by two humans and a cron job.",
    )
    edition = render_edition(briefing_en, render_options(settings))
    page = doc(edition.html)
    logo = page.find_class("logo")[0]
    assert (logo.tag, logo.get("src"), logo.get("alt")) == (
        "img",
        "https://news.example.com/logo.png",
        "Daily AI logo",
    )
    labels = page.find_class("label")
    assert "color:#c2410c" in labels[0].get("style").replace(" ", "")
    assert "#1d4ed8" not in edition.html  # the default accent is gone everywhere
    note = page.find_class("footer-note")[0]
    assert squash(note.text_content()) == "Written in Seoul by two humans and a cron job."
    assert "Written in Seoul by two humans and a cron job." in edition.text


def test_web_copy_has_nothing_personal(briefing_ko: Briefing, tmp_path: Path) -> None:
    edition = render_edition(briefing_ko, render_options(site_settings(tmp_path)))
    web = edition.web_html
    assert UNSUBSCRIBE_PLACEHOLDER not in web and "%%" not in web
    assert "웹에서 보기" not in web  # it is the web copy
    assert edition.preheader not in web.split("<body")[1].split('class="index"')[0]
    found = links(web)
    assert found["지난 호 보기"] == "https://news.example.com/archive/"
    assert found["구독하기"] == "https://news.example.com/subscribe"
    assert [squash(h.text_content()) for h in doc(web).iter("h2")] == [
        f"{s.emoji} {s.headline}" for s in briefing_ko.stories
    ]


def test_the_email_passes_every_gate_with_the_new_links(
    briefing_ko: Briefing, tmp_path: Path
) -> None:
    edition = render_edition(
        briefing_ko, render_options(site_settings(tmp_path, logo_url="https://x.example/l.png"))
    )
    assert [r.rule for r in check_edition(edition, briefing_ko) if not r.ok] == []
    assert len(edition.html.encode()) < 60 * 1024  # far from Gmail's 102 KB clipping
