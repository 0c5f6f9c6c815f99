"""Content gates: what a reader would notice is wrong with the words, listed or blocking."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from newsletter.brief.briefing_file import save_briefing
from newsletter.brief.sentences import clip
from newsletter.model import Briefing, Source, Story
from newsletter.pipeline import StageError, render_stage
from newsletter.render.content import content_checks
from newsletter.runtime import Paths, Runtime
from tests.brief.factory import DAY, demo_items, write_config
from tests.fixtures.edge import draft_for

SOURCE = [Source("Original", "https://example.com/a", "example.com")]


def story(headline: str, **fields: object) -> Story:
    values: dict[str, object] = {
        "emoji": "🧪",
        "headline": headline,
        "summary_title": "세레브라스에 대한 특별 투자",
        "summary": ["세레브라스가 특별 펀드로 투자를 받았습니다. 규모는 2억 2500만 달러입니다."],
        "why_title": "엔비디아 독주에 대한 도전",
        "why": ["대규모 투자는 하드웨어 경쟁이 자본 경쟁으로 번졌음을 보여 줍니다."],
        "takeaway": "칩 전쟁은 이제 자본의 전쟁입니다.",
        "sources": SOURCE,
    }
    values.update(fields)
    return Story(**values)  # type: ignore[arg-type]


def briefing(*stories: Story, language: str = "ko") -> Briefing:
    return Briefing(date(2026, 2, 7), "2026-02-07 브리핑", language, ["안녕하세요!"], list(stories))


def findings(brief: Briefing, **levels: str) -> dict[str, str]:
    return {r.rule: r.message for r in content_checks(brief, levels) if not r.ok}


def test_a_clean_story_passes_every_gate() -> None:
    assert findings(briefing(story("세레브라스, 2.25억 달러 유치"))) == {}


def test_english_under_a_korean_heading_is_named() -> None:
    english = "Benchmark raised $225M in special funds to invest more in Cerebras."
    found = findings(briefing(story("첫 소식"), story("둘째 소식", summary=[english])))
    assert found == {
        "language-mismatch": f"story 2 “둘째 소식”: 영어 under 요약: “{clip(english, 50)}”"
    }


def test_a_quote_marked_as_the_original_is_not_a_mismatch() -> None:
    quoted = (
        "원문(영어) 요지: “Benchmark raised $225M in special funds to invest more in Cerebras.”"
    )
    clean = story("Benchmark raises $225M", summary_title="", summary=[quoted], why=[], takeaway="")
    assert "language-mismatch" not in findings(briefing(clean))


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("Malicious · AI SDKs · API", "keyword-list title"),
        ("Code", "one-word title"),
        ("Carrot", "one-word title"),
        ("Using · I'm · Leader", "keyword-list title"),
    ],
)
def test_keyword_lists_and_one_word_titles(title: str, kind: str) -> None:
    found = findings(briefing(story("Headline here", summary_title=title)))
    assert found["keyword-title"] == f"story 1 “Headline here”: {kind} “{title}”"


def test_a_title_repeating_the_headline() -> None:
    found = findings(
        briefing(story("세레브라스, 투자 유치", summary_title="세레브라스, 투자 유치"))
    )
    assert (
        found["title-is-headline"] == "story 1 “세레브라스, 투자 유치”: title repeats the headline"
    )


def test_a_sentence_said_twice_within_a_story() -> None:
    twice = "세레브라스가 특별 펀드로 투자를 받았습니다."
    found = findings(briefing(story("소식", why=[twice], takeaway="")))
    assert found == {
        "repeated-sentence": f"story 1 “소식”: said twice: “{twice}”",
        "missing-takeaway": "1 of 1 stories have no takeaway (1)",
    }


def test_feed_furniture_left_in_the_text() -> None:
    text = "The chip ships in May with twice the memory. Continue reading on Example News"
    found = findings(briefing(story("Chip ships", summary=[text]), language="en"))
    assert found["boilerplate"].startswith("story 1 “Chip ships”: feed furniture in “The chip")


def test_missing_why_and_takeaway_are_counted() -> None:
    found = findings(
        briefing(story("하나"), story("둘", why=[], why_title=""), story("셋", why=[], takeaway=""))
    )
    assert found == {
        "missing-why": "2 of 3 stories have no 왜 중요한가 (2, 3)",
        "missing-takeaway": "1 of 3 stories have no takeaway (3)",
    }


def test_levels_come_from_the_config() -> None:
    brief = briefing(story("하나", why=[], why_title=""))
    (result,) = [r for r in content_checks(brief, {"missing_why": "block"}) if not r.ok]
    assert result.level == "error"
    (result,) = [r for r in content_checks(brief, {}) if not r.ok]
    assert result.level == "warning"


def test_the_offline_demo_edition_warns_instead_of_passing(tmp_path: Path) -> None:
    """A Korean edition fed English reports: quoted, not summarised, and its gaps are listed."""
    settings = write_config(tmp_path, language="ko")
    brief = draft_for(demo_items(), settings, DAY)
    found = findings(brief)
    assert "language-mismatch" not in found and "keyword-title" not in found
    assert found["missing-why"] == "2 of 3 stories have no 왜 중요한가 (1, 2)"


def test_render_lists_warnings_and_blocks_what_is_set_to_block(tmp_path: Path) -> None:
    english = "Benchmark raised $225M in special funds to invest more in Cerebras."
    stories = [story("첫 소식"), story("둘째 소식", summary=[english]), story("셋째 소식")]
    settings = write_config(tmp_path, language="ko")
    save_briefing(briefing(*stories), Paths.of(settings).edition_dir(DAY))
    rendered = render_stage(Runtime(settings), DAY)
    assert rendered.warnings() == [
        f"language-mismatch: story 2 “둘째 소식”: 영어 under 요약: “{clip(english, 50)}”"
    ]
    assert rendered.dropped == []

    blocking = write_config(tmp_path / "block", language="ko", gates={"language_mismatch": "block"})
    save_briefing(briefing(*stories), Paths.of(blocking).edition_dir(DAY))
    rendered = render_stage(Runtime(blocking), DAY)
    assert [d.number for d in rendered.dropped] == [2]
    assert rendered.dropped[0].reasons[0].startswith("language-mismatch: story 2")
    assert [s.headline for s in rendered.briefing.stories] == ["첫 소식", "셋째 소식"]
    assert "둘째 소식" not in rendered.edition.text

    counted = write_config(tmp_path / "count", language="ko", gates={"missing_why": "block"})
    save_briefing(
        briefing(story("하나"), replace(story("둘"), why=[])), Paths.of(counted).edition_dir(DAY)
    )
    with pytest.raises(StageError, match="missing-why: 1 of 2 stories have no 왜 중요한가"):
        render_stage(Runtime(counted), DAY)
