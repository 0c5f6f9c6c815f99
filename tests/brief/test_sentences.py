"""Sentence splitting for Korean and English news prose."""

from __future__ import annotations

import pytest

from newsletter.brief.sentences import split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The U.S. Senate voted. Dr. Kim disagreed.",
            ["The U.S. Senate voted.", "Dr. Kim disagreed."],
        ),
        ("Revenue grew 3.5 percent. Version 4.6 shipped!", ["Revenue grew 3.5 percent.", "Version 4.6 shipped!"]),
        ('She said "it works." Then it broke?', ['She said "it works."', "Then it broke?"]),
        ("Apple Inc. reported results. Shares rose.", ["Apple Inc. reported results.", "Shares rose."]),
        (
            "앤트로픽은 에이전트 16개를 투입했다. 비용은 약 2만 달러였다! 결과가 놀랍지 않은가?",
            ["앤트로픽은 에이전트 16개를 투입했다.", "비용은 약 2만 달러였다!", "결과가 놀랍지 않은가?"],
        ),
        ("세레브라스는 2.25억 달러를 유치했다. “의미가 크다.” 업계의 평가다.",
         ["세레브라스는 2.25억 달러를 유치했다.", "“의미가 크다.”", "업계의 평가다."]),
        ("  \n ", []),
        ("No final stop", ["No final stop"]),
    ],
)
def test_split(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected
