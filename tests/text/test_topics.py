"""Topic phrases: word boundaries for Latin script, morphemes (Kiwi) for Korean."""

from __future__ import annotations

import pytest

from newsletter.text.topics import Matcher


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("AI startup raises $10M", True),
        ("ai chips are sold out", True),  # case-insensitive
        ("MAIN street reopens", False),  # inside a word
        ("The minister said nothing", False),
        ("OpenAI ships o5", False),  # a company name is not the topic
        ("AI가 바꾼 일상", True),  # a Korean particle after a Latin word
        ("Gen-AI tools", True),
    ],
)
def test_latin_phrases_need_word_boundaries(text: str, expected: bool) -> None:
    assert bool(Matcher.of(["AI"]).found(text)) is expected


def test_plurals_and_spacing() -> None:
    matcher = Matcher.of(["LLM", "machine learning"])
    assert matcher.found("Three LLMs compared") == ["LLM"]
    assert matcher.found("Machine\n learning at scale") == ["machine learning"]
    assert matcher.found("LLMOps platform") == []


# Korean headlines where a substring test is wrong, and where it is right: the case for Kiwi.
KOREAN = [
    ("반도체", "반도체가 살아났다…수출 석 달째 증가", True),
    ("반도체", "삼성, 반도체를 둘러싼 경쟁 격화", True),
    ("반도체", "AI반도체 스타트업 시리즈C 유치", True),
    ("보안", "클라우드 보안 인증 개편", True),
    ("보안", "보안관 드라마 시즌2 공개", False),  # a sheriff, not security
    ("공정", "삼성 2나노 공정 수율 개선", True),
    ("공정", "공정위, 플랫폼 사업자 제재", False),  # the competition regulator
    ("수소", "수소차 보조금 확대", True),
    ("수소", "수소문 끝에 찾은 가족", False),  # an inquiry, not hydrogen
    ("칩", "엔비디아 칩 수출 규제", True),
    ("칩", "칩거 중인 배우 복귀", False),  # seclusion
]


@pytest.mark.parametrize(("phrase", "headline", "expected"), KOREAN)
def test_korean_phrases_match_morphemes(phrase: str, headline: str, expected: bool) -> None:
    assert bool(Matcher.of([phrase]).found(headline)) is expected


def test_kiwi_is_worth_it_against_substring_matching() -> None:
    """Substring matching gets every 'False' row wrong; the morpheme matcher gets all right."""
    substring_right = sum((phrase in headline) is expected for phrase, headline, expected in KOREAN)
    kiwi_right = sum(
        bool(Matcher.of([phrase]).found(headline)) is expected
        for phrase, headline, expected in KOREAN
    )
    assert kiwi_right == len(KOREAN)
    assert substring_right == len(KOREAN) - 4


def test_a_mixed_phrase_and_the_order_of_results() -> None:
    matcher = Matcher.of(["반도체", "AI 반도체", "AI"])
    assert matcher.found("AI 반도체 스타트업, 800억 투자 유치") == ["반도체", "AI 반도체", "AI"]
    assert matcher.found("반도체 없는 기사") == ["반도체"]
    assert not Matcher.of([])
    assert Matcher.of([" ", ""]).found("anything") == []
