"""The HTML edition: what a subscriber's mail client receives."""

from __future__ import annotations

import re

import lxml.html
import pytest

from newsletter.model import UNSUBSCRIBE_PLACEHOLDER, Briefing, Edition
from newsletter.render.checks import GMAIL_CLIP_BYTES
from newsletter.render.context import PREHEADER_MAX, PREHEADER_MIN, preheader_for
from newsletter.runtime import render_options
from tests.render.conftest import POSTAL, SENDER


def tree(edition: Edition) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(edition.html)


def text_of(element: lxml.html.HtmlElement) -> str:
    return re.sub(r"\s+", " ", element.text_content()).strip()


def test_every_headline_is_an_h2_with_its_emoji(edition_ko: Edition, briefing_ko: Briefing) -> None:
    h2 = [text_of(h) for h in tree(edition_ko).iter("h2")]
    assert h2 == [f"{s.emoji} {s.headline}" for s in briefing_ko.stories]


def test_korean_labels_and_defaults(edition_ko: Edition, briefing_ko: Briefing) -> None:
    h3 = [text_of(h) for h in tree(edition_ko).iter("h3")]
    summaries = [h for h in h3 if h.startswith("요약")]
    whys = [h for h in h3 if h.startswith("왜 중요한가: ")]
    assert len(summaries) == 5
    # the fifth story has no `why` at all: no empty "why it matters" block for it
    assert len(whys) == 4
    assert summaries[4] == "요약"  # empty summary_title → the label alone, no placeholder title
    assert "Summary" not in edition_ko.html


def test_english_labels(edition_en: Edition) -> None:
    h3 = [text_of(h) for h in tree(edition_en).iter("h3")]
    assert h3[0] == "Summary: An agent team finishes a systems project"
    assert "Why it matters" in h3  # empty why_title with paragraphs → the label alone
    assert sum(h.startswith("Why it matters") for h in h3) == 2  # story 3 has no why
    labels = [text_of(p) for p in tree(edition_en).find_class("sources-label")]
    assert labels == ["Sources", "Source", "Source"]
    assert "요약" not in edition_en.html


def test_lang_charset_and_color_scheme(edition_ko: Edition, edition_en: Edition) -> None:
    assert edition_ko.html.lstrip().lower().startswith("<!doctype html>")
    assert tree(edition_ko).get("lang") == "ko"
    assert tree(edition_en).get("lang") == "en"
    doc = tree(edition_ko)
    metas = {m.get("name") or m.get("http-equiv"): m.get("content") for m in doc.iter("meta")}
    assert "charset=utf-8" in metas["Content-Type"].lower()
    assert metas["color-scheme"] == "light dark"
    head_css = " ".join(s.text or "" for s in doc.iter("style"))
    assert "prefers-color-scheme: dark" in head_css
    assert "max-width: 480px" in head_css  # the phone rules stay in the head


def test_css_is_inlined_and_nothing_is_fetched(edition_ko: Edition) -> None:
    doc = tree(edition_ko)
    paragraph = doc.find_class("para")[0]
    assert "margin:0 0 14px" in paragraph.get("style")
    head_css = " ".join(s.text or "" for s in doc.iter("style"))
    assert ".para" not in head_css  # inlined, so Gmail's style stripping cannot lose it
    assert "googleapis" not in edition_ko.html
    assert "<link" not in edition_ko.html
    assert "<mj-" not in edition_ko.html  # mjml-python keeps unknown tags silently


def test_unsubscribe_placeholder_survives_mjml_and_premailer(edition_ko: Edition) -> None:
    assert f'href="{UNSUBSCRIBE_PLACEHOLDER}"' in edition_ko.html
    links = [a for a in tree(edition_ko).iter("a") if a.get("href") == UNSUBSCRIBE_PLACEHOLDER]
    assert [text_of(a) for a in links] == ["수신 거부"]
    # plain substitution (what `send` does) yields a working link
    real = "https://news.example.com/u/abc.DEF-123?list=daily&x=1"
    sent = lxml.html.document_fromstring(edition_ko.html.replace(UNSUBSCRIBE_PLACEHOLDER, real))
    assert real in [a.get("href") for a in sent.iter("a")]


def test_footer(edition_ko: Edition, edition_en: Edition) -> None:
    footer = text_of(tree(edition_ko).find_class("footer")[0])
    assert "Daily AI & Tech News" in footer
    assert POSTAL in footer
    assert f"보낸 사람: {SENDER}" in footer
    assert "이 메일은 Daily AI & Tech News 뉴스레터를 구독하셨기 때문에 발송되었습니다." in footer
    footer_en = text_of(tree(edition_en).find_class("footer")[0])
    assert "You receive this because you subscribed to Daily AI & Tech News." in footer_en
    assert f"From: {SENDER}" in footer_en
    assert "Unsubscribe" in footer_en


def test_preheader_is_the_hidden_first_line(edition_ko: Edition, briefing_ko: Briefing) -> None:
    assert PREHEADER_MIN <= len(edition_ko.preheader) <= PREHEADER_MAX
    # the day's headlines, not the greeting or the intro's dateline
    assert edition_ko.preheader.startswith(briefing_ko.stories[0].headline)
    assert briefing_ko.stories[1].headline in edition_ko.preheader
    assert "안녕하세요" not in edition_ko.preheader
    body = tree(edition_ko).find("body")
    hidden = body[0]
    assert "display:none" in hidden.get("style").replace(" ", "")
    assert text_of(hidden).startswith(edition_ko.preheader)
    assert edition_ko.subject == briefing_ko.title


def test_preheader_is_the_headlines_whatever_the_intro(briefing_en: Briefing) -> None:
    from dataclasses import replace

    short = replace(briefing_en, intro=["Hello!", "Three stories today."])
    preheader = preheader_for(short)
    first, second = (s.headline for s in briefing_en.stories[:2])
    assert preheader.startswith(f"{first} · {second}")
    assert "Hello" not in preheader and "Three stories" not in preheader
    assert PREHEADER_MIN <= len(preheader) <= PREHEADER_MAX
    long = replace(briefing_en, stories=[replace(briefing_en.stories[0], headline="word " * 60)])
    assert len(preheader_for(long)) <= PREHEADER_MAX
    assert preheader_for(long).endswith("…")


def test_sources_link_with_publisher_names(edition_ko: Edition, briefing_ko: Briefing) -> None:
    doc = tree(edition_ko)
    sources = [text_of(p) for p in doc.find_class("source")]
    assert sources[0] == (
        "Sixteen Claude AI agents working together created a new C compiler · Ars Technica"
    )
    assert "Korea privacy policy · openai.com" in sources  # no publisher → the host name
    hrefs = [a.get("href") for p in doc.find_class("source") for a in p.iter("a")]
    assert hrefs == [s.url for story in briefing_ko.stories for s in story.sources]


def test_takeaways_are_highlighted_only_where_present(edition_ko: Edition) -> None:
    quotes = tree(edition_ko).find_class("takeaway")
    assert len(quotes) == 3  # stories 4 and 5 have no takeaway
    assert "border-left:4px solid" in quotes[0].get("style").replace(": ", ":")


def test_feed_text_is_escaped_never_markup(edition_en: Edition) -> None:
    doc = tree(edition_en)
    assert not list(doc.iter("maybe"))
    assert text_of(list(doc.iter("h2"))[1]).endswith("wafers > GPUs? <maybe> & more")
    assert "&lt;maybe&gt;" in edition_en.html


def test_size_stays_far_below_gmail_clipping(edition_ko: Edition) -> None:
    assert len(edition_ko.html.encode()) < GMAIL_CLIP_BYTES * 0.75


@pytest.mark.parametrize("count", [1, 10])
def test_story_counts_render(count: int, briefing_ko: Briefing, settings_ko) -> None:
    from newsletter.render import render_edition
    from tests.render.conftest import with_stories

    edition = render_edition(with_stories(briefing_ko, count), render_options(settings_ko))
    assert len(list(tree(edition).iter("h2"))) == count
    assert f"오늘의 소식 {count}건" in edition.html


def test_mjml_column_rules_pass_premailer_untouched(edition_ko: Edition) -> None:
    head_css = " ".join(s.text or "" for s in tree(edition_ko).iter("style"))
    assert "@media only screen and (min-width:480px) { .mj-column-per-100" in head_css
    assert len(list(tree(edition_ko).iter("style"))) >= 4  # columns, phone, dark, Outlook.com


def test_rendering_logs_no_css_warnings(
    briefing_en: Briefing, settings_en, caplog: pytest.LogCaptureFixture, capfd
) -> None:
    from newsletter.render import build_edition

    with caplog.at_level("DEBUG"):
        build_edition(briefing_en, render_options(settings_en))
    assert not [r for r in caplog.records if r.levelno >= 30]
    assert "Unknown Property" not in capfd.readouterr().err


def test_subject_is_one_line_whatever_the_json_says(briefing_en: Briefing, settings_en) -> None:
    from dataclasses import replace

    from newsletter.render import render_edition

    edition = render_edition(
        replace(briefing_en, title="Daily\r\nBcc: x@example.com"), render_options(settings_en)
    )
    assert edition.subject == "Daily Bcc: x@example.com"  # no header injection through `send`
