"""The archive post: the reference's Jekyll shape, safe for somebody else's Jekyll."""

from __future__ import annotations

import json
import random
import re
from dataclasses import replace
from pathlib import Path

import pytest

from newsletter.model import Briefing, Edition, Source
from newsletter.render.context import SourceView
from newsletter.render.markdown import md, md_link, yaml_scalar
from newsletter.runtime import render_options
from tests.render.conftest import DATA, make_settings
from tests.render.post_skeleton import skeleton
from tests.test_columns import random_text

#: The reference post reduced to structure only (keys, heading levels and labels, counts).
SEED = json.loads((DATA / "seed-skeleton.json").read_text(encoding="utf-8"))


def test_post_has_the_reference_structure(briefing_ko: Briefing, settings_ko) -> None:
    from newsletter.render import render_edition

    # the reference has four stories, each with summary and why-it-matters
    four = replace(briefing_ko, stories=briefing_ko.stories[:4])
    post = render_edition(four, render_options(settings_ko)).markdown
    ours = skeleton(post)
    for key in ("front_matter_keys", "layout", "date_shape", "opening", "headings", "separators"):
        assert ours[key] == SEED[key], key
    assert ours["fixed_categories"] == SEED["fixed_categories"]
    assert ours["fixed_tags"] == SEED["fixed_tags"]
    assert ours["source_lines"] == SEED["source_lines"]


def test_five_story_post(edition_ko: Edition, briefing_ko: Briefing) -> None:
    post = edition_ko.markdown
    ours = skeleton(post)
    assert [h for h in ours["headings"] if h[0] == "##"] == [["##", ""]] * 5
    assert ours["headings"][-2:] == [["##", ""], ["###", "요약"]]  # story 5: no why
    assert ours["separators"] == 4
    for story in briefing_ko.stories:
        assert f"\n## {story.emoji} {story.headline}\n" in post
    assert "\n### 요약\n대기업들이" in post  # heading (the label alone), then the paragraph
    assert "\n> 에이전트 '팀'이 큰 프로젝트를 끝까지 해내는 시대가 열렸지만," in post
    assert post.count("\n> ") == 3
    assert (
        "**출처:** [Making AI work for everyone, everywhere: our approach to localization]"
        "(https://openai.com/index/our-approach-to-localization), "
        "[Korea privacy policy](https://openai.com/policies/kr-privacy-policy)\n"
    ) in post
    assert post.endswith("오늘 브리핑은 여기까지입니다. 좋은 하루 보내세요!\n")
    # a `---` right under a paragraph would turn it into a heading: always a blank line before
    assert not re.search(r"[^\n]\n---\n", post.split("---\n", 2)[2])


def test_front_matter(edition_ko: Edition) -> None:
    front = edition_ko.markdown.split("---\n")[1]
    assert front == (
        "categories:\n- news\n- ai\n- hardware\n- tools\n- business\n"
        "date: 2026-02-07 07:00:00 +0900\n"
        "layout: post\n"
        "tags:\n- daily-news\n- automation\n- ai\n- hardware\n- tools\n- business\n"
        "title: 2026-02-07 Daily AI & Tech News\n"
    )


def test_date_uses_the_configured_time_zone(briefing_en: Briefing, tmp_path: Path) -> None:
    from newsletter.render import render_edition

    settings = make_settings("en", tmp_path, timezone="America/New_York", send_time="06:30")
    post = render_edition(briefing_en, render_options(settings)).markdown
    assert "\ndate: 2026-02-07 06:30:00 -0500\n" in post
    assert "### Summary: An agent team finishes a systems project\n" in post
    assert "### Why it matters\n" in post
    assert "**Source:** [Sixteen Claude" in post


def test_feed_text_stays_text_in_jekyll() -> None:
    assert md("<script>alert(1)</script>") == "&lt;script>alert(1)&lt;/script>"
    assert md("# not a heading") == "\\# not a heading"
    assert md("- not a list") == "\\- not a list"
    assert md("use {{ site.secret }} here") == "use &#123;&#123; site.secret &#125;&#125; here"
    link = md_link(SourceView(1, "A [bracket] title", "https://x.example/a_(b)", "x"))
    assert link == "[A \\[bracket\\] title](https://x.example/a_%28b%29)"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-02-07 Daily AI & Tech News", "2026-02-07 Daily AI & Tech News"),
        ("AI: the week", '"AI: the week"'),
        ("#1 story", '"#1 story"'),
        ("yes", '"yes"'),
        ("2026", '"2026"'),
        ('say "hi"', 'say "hi"'),
        ("- dash", '"- dash"'),
        ("뉴스 · 요약", "뉴스 · 요약"),
    ],
)
def test_yaml_scalars(value: str, expected: str) -> None:
    assert yaml_scalar(value) == expected


def test_title_with_a_colon_is_quoted(briefing_ko: Briefing, settings_ko) -> None:
    from newsletter.render import render_edition

    titled = replace(briefing_ko, title="AI 브리핑: 2월 7일")
    edition = render_edition(titled, render_options(settings_ko))
    assert '\ntitle: "AI 브리핑: 2월 7일"\n' in edition.markdown
    assert edition.subject == "AI 브리핑: 2월 7일"


def test_source_without_publisher_keeps_its_title(briefing_en: Briefing, settings_en) -> None:
    from newsletter.render import render_edition

    story = replace(
        briefing_en.stories[0],
        sources=[Source(title="Paper (PDF)", url="https://example.org/p?a=1&b=(2)")],
    )
    post = render_edition(
        replace(briefing_en, stories=[story]), render_options(settings_en)
    ).markdown
    assert "**Source:** [Paper (PDF)](https://example.org/p?a=1&b=%282%29)\n" in post


def test_md_takes_its_shortcut_only_where_the_substitutions_would_change_nothing() -> None:
    # A trailing line break always sends `md` through the substitutions, which turn it into
    # a space that is then stripped: the answer must be the one the shortcut gave. And
    # whichever way it went, no line break of any kind is left to start a block.
    rng = random.Random(47)
    traps = [*"\\[]`&<>{}#-+*=~|:1.)", "&amp;", "&#123;", "\u2028", "\x85", "\t", "\xa0", "  "]
    for _ in range(3000):
        text = random_text(rng)
        if rng.random() < 0.5:
            pieces = list(text)
            for _ in range(rng.randrange(1, 4)):
                pieces.insert(rng.randrange(len(pieces) + 1), rng.choice(traps))
            text = "".join(pieces)
        assert md(text) == md(text + "\n"), repr(text)
        assert not re.search(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]", md(text)), repr(text)
