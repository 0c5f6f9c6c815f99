"""The offline frame a reader sees first: the subject line, the preheader, section names."""

from __future__ import annotations

from datetime import date

from newsletter.brief.frame import offline_frame, section_name
from newsletter.model import Source, Story

DAY = date(2026, 2, 7)


def story(headline: str, section: str = "ai") -> Story:
    return Story(
        emoji="🤖",
        headline=headline,
        summary_title="",
        summary=[f"{headline}."],
        sources=[Source(title=headline, url="https://example.com/a")],
        section=section,
    )


ENGLISH = story("Sixteen Claude AI agents working together built a new C compiler")
KOREAN = story("OpenAI, 한국어 개인정보 처리방침 공개", "policy")
FUNDING = story("AI 반도체 스타트업 누리칩, 800억 원 시리즈C 유치", "funding")


def test_a_korean_subject_opens_with_a_story_the_reader_can_read() -> None:
    frame = offline_frame(DAY, "ko", name="데일리", stories=[ENGLISH, KOREAN, FUNDING])

    assert frame.subject.startswith("OpenAI, 한국어 개인정보 처리방침 공개")
    assert frame.subject.endswith("외 2건")
    # the preheader names what the subject does not: the other two stories, in order
    assert frame.preheader.startswith("Sixteen Claude AI agents")
    assert "누리칩" in frame.preheader
    assert "한국어 개인정보" not in frame.preheader


def test_with_no_story_in_the_edition_language_the_lead_story_is_the_hook() -> None:
    frame = offline_frame(DAY, "ko", name="데일리", stories=[ENGLISH, ENGLISH])

    assert frame.subject.startswith("Sixteen Claude")


def test_an_english_edition_keeps_its_first_english_headline() -> None:
    frame = offline_frame(DAY, "en", name="Daily", stories=[FUNDING, ENGLISH])

    assert frame.subject.startswith("Sixteen Claude")


def test_known_sections_are_named_in_the_edition_language() -> None:
    assert section_name("policy", "ko") == "정책"
    assert section_name("Funding", "ko") == "투자"
    assert section_name("policy", "en") == "policy"
    assert section_name("robotics", "ko") == "robotics"  # the operator's own word, as written
