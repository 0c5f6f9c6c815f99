"""The offline writer: budgets, omitted sections, titles, sources, emoji."""

from __future__ import annotations

import pytest

from newsletter.brief.select import clusters_of
from newsletter.brief.writers.base import emoji_table
from newsletter.brief.writers.extractive import SUMMARY_BUDGET, ExtractiveWriter
from tests.brief.factory import CEREBRAS, COMPILER, LAWYERS, LOCALIZATION, item


def write(*items, language="en", **options):  # type: ignore[no-untyped-def]
    (cluster,) = clusters_of(list(items))
    return ExtractiveWriter(**options).write(cluster, language)


def chars(paragraphs: list[str]) -> int:
    return sum(len(p) for p in paragraphs)


@pytest.mark.parametrize(
    ("script", "sentence"),
    [
        ("en", "The new accelerator doubles memory bandwidth for large training runs number {}."),
        (
            "ko",
            "새 가속기는 대규모 학습에서 메모리 대역폭을 두 배로 늘렸고 전력 사용량은 {}% 줄였다.",
        ),
    ],
)
@pytest.mark.parametrize("language", ["en", "ko"])
def test_summary_stays_within_the_length_budget(script: str, sentence: str, language: str) -> None:
    text = " ".join(sentence.format(n) for n in range(12))  # 12 sentences, far over budget
    story = write(item(1, "Accelerator", text), language=language)
    # the budget follows the script of the text, whatever the edition's language
    assert chars(story.summary) <= SUMMARY_BUDGET[script]
    assert 2 <= story.summary[0].count(".") <= 3
    assert chars(story.summary) > SUMMARY_BUDGET[script] / 3


def test_custom_budget_and_clipping_of_one_long_sentence() -> None:
    story = write(item(1, "Budget", COMPILER), summary_budget=150)
    assert chars(story.summary) <= 150
    long = "word " * 80 + "end."
    clipped = write(item(2, "Long", long.strip()), summary_budget=100)
    assert len(clipped.summary[0]) <= 100
    assert clipped.summary[0].endswith("…")
    assert not clipped.summary[0].endswith(" …")


def test_why_is_omitted_without_impact_cues() -> None:
    plain = (
        "The company released version 2 of its editor on Tuesday. "
        "The update adds a dark theme and faster search. "
        "It is available for Windows and macOS today."
    )
    story = write(item(1, "Editor 2 released", plain))
    assert story.why == []
    assert story.why_title == ""
    assert story.summary


def test_why_carries_the_consequence_and_is_not_repeated() -> None:
    story = write(item(1, "Benchmark raises $225M to double down on Cerebras", CEREBRAS))
    assert story.why == ["The deal signals growing competition with Nvidia in AI hardware."]
    assert story.why_title == "The competitive picture"
    assert "signals" not in " ".join(story.summary)


def test_takeaway_is_the_strongest_sentence_left_over() -> None:
    story = write(item(1, "Sixteen Claude agents built a C compiler", COMPILER))
    assert len(story.summary[0].split(". ")) == 3
    assert story.why == ["The result could reshape how companies staff software teams."]
    assert story.takeaway == "It still needed deep human management along the way."
    assert story.takeaway not in " ".join(story.summary + story.why)


def test_two_sources_both_kept_and_both_summarised() -> None:
    story = write(
        item(
            1,
            "Sixteen Claude agents built a C compiler",
            COMPILER,
            site="arstechnica.com",
            cluster="c",
        ),
        item(
            2,
            "Maybe AI agents can be lawyers after all",
            LAWYERS,
            site="techcrunch.com",
            cluster="c",
        ),
    )
    assert [s.url for s in story.sources] == [
        "https://arstechnica.com/news/1",
        "https://techcrunch.com/news/2",
    ]
    assert [s.publisher for s in story.sources] == ["arstechnica.com", "techcrunch.com"]
    assert len(story.summary) == 2  # one paragraph per source, in source order
    assert "compiler" in story.summary[0] and "leaderboard" in story.summary[1]
    assert story.summary_title == "Maybe AI agents can be lawyers after all"


def test_single_source_title_names_what_the_story_is_about() -> None:
    story = write(item(1, "Benchmark raises $225M to double down on Cerebras", CEREBRAS))
    assert story.summary_title.split(" · ")[:2] == ["Cerebras", "Benchmark"]
    korean = write(item(2, "오픈AI, 지역화 전략 공개", LOCALIZATION), language="ko")
    assert korean.summary_title.startswith("오픈AI")
    assert korean.why_title == "무엇이 달라지나"


def test_title_falls_back_to_the_label_when_nothing_repeats() -> None:
    story = write(item(1, "update shipped", "a small fix went out to everyone quietly today."))
    assert story.summary_title == "What happened"


def test_boilerplate_and_title_echo_are_not_summary_text() -> None:
    text = (
        "Chipmaker ships a new inference card. "
        "Chipmaker ships a new inference card for data centers with twice the memory. "
        "The post Chipmaker ships a new inference card appeared first on Example News."
    )
    story = write(item(1, "Chipmaker ships a new inference card", text))
    assert story.summary == [
        "Chipmaker ships a new inference card for data centers with twice the memory."
    ]


def test_item_without_text_uses_its_title() -> None:
    story = write(item(1, "Only a headline here"))
    assert story.summary == ["Only a headline here"]
    assert story.why == [] and story.takeaway == ""


def test_emoji_from_the_configured_table_with_defaults() -> None:
    table = emoji_table({"AI": "🧠", "quantum": "⚛️"})
    assert write(item(1, "A", "Some text here.", section="ai"), emoji=table).emoji == "🧠"
    assert write(item(2, "B", "Some text here.", section="quantum"), emoji=table).emoji == "⚛️"
    assert write(item(3, "C", "Some text here.", section="funding"), emoji=table).emoji == "💰"
    assert write(item(4, "D", "Some text here.", section="gardening"), emoji=table).emoji == "📰"


def test_item_without_a_title_gets_a_headline_from_its_text() -> None:
    story = write(item(1, "", "The chip ships in May with twice the memory. It costs less."))
    assert story.headline == "The chip ships in May with twice the memory."
