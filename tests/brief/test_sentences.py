"""Sentence splitting for Korean and English news prose."""

from __future__ import annotations

import pytest

from newsletter.brief.sentences import split_sentences

ENGLISH = [
    ("The U.S. Senate voted. Dr. Kim disagreed.", ["The U.S. Senate voted.", "Dr. Kim disagreed."]),
    (
        "Revenue grew 3.5 percent. Version 4.6 shipped!",
        ["Revenue grew 3.5 percent.", "Version 4.6 shipped!"],
    ),
    ('She said "it works." Then it broke?', ['She said "it works."', "Then it broke?"]),
    (
        "Apple Inc. reported results. Shares rose.",
        ["Apple Inc. reported results.", "Shares rose."],
    ),
    ('"Why now?" he asked. Nobody knew.', ['"Why now?" he asked.', "Nobody knew."]),
    (
        "The event starts at 3 p.m. on Friday. Tickets sold out.",
        ["The event starts at 3 p.m. on Friday.", "Tickets sold out."],
    ),
    (
        "Tools, e.g. compilers, were rewritten. J. R. R. Tolkien wrote it.",
        ["Tools, e.g. compilers, were rewritten.", "J. R. R. Tolkien wrote it."],
    ),
    (
        "It costs $2.25 billion (about 3.3 trillion won). Analysts agree.",
        ["It costs $2.25 billion (about 3.3 trillion won).", "Analysts agree."],
    ),
    ("It was slow... Then it was fast.", ["It was slow...", "Then it was fast."]),
    ("No final stop", ["No final stop"]),
]
KOREAN = [
    (
        "앤트로픽은 에이전트 16개를 투입했다. 비용은 약 2만 달러였다! 결과가 놀랍지 않은가?",
        [
            "앤트로픽은 에이전트 16개를 투입했다.",
            "비용은 약 2만 달러였다!",
            "결과가 놀랍지 않은가?",
        ],
    ),
    (
        "세레브라스는 2.25억 달러를 유치했다. “의미가 크다.” 업계의 평가다.",
        ["세레브라스는 2.25억 달러를 유치했다.", "“의미가 크다.”", "업계의 평가다."],
    ),
    (
        "U.S. 정부가 규제안을 발표했다. 버전 4.6은 다음 달 나온다.",
        ["U.S. 정부가 규제안을 발표했다.", "버전 4.6은 다음 달 나온다."],
    ),
    (
        "그는 ‘지금이 기회다.’라고 말했다. 시장은 반응했다.",
        ["그는 ‘지금이 기회다.’라고 말했다.", "시장은 반응했다."],
    ),
    (
        "「AI 기본법」이 통과됐다. 시행은 내년부터다.",
        ["「AI 기본법」이 통과됐다.", "시행은 내년부터다."],
    ),
]


@pytest.mark.parametrize(("text", "expected"), ENGLISH)
def test_english(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


@pytest.mark.parametrize(("text", "expected"), KOREAN)
def test_korean(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_paragraph_break_ends_a_heading_without_a_stop() -> None:
    text = "Key points\n\nThe chip ships in May. It costs less.\n  \nWhat comes next"
    assert split_sentences(text) == [
        "Key points",
        "The chip ships in May.",
        "It costs less.",
        "What comes next",
    ]


def test_single_newlines_are_spaces() -> None:
    assert split_sentences("The chip\nships in May.\nIt costs less.") == [
        "The chip ships in May.",
        "It costs less.",
    ]


@pytest.mark.parametrize("text", ["", "  \n ", "\n\n\n"])
def test_blank_input_has_no_sentences(text: str) -> None:
    assert split_sentences(text) == []
