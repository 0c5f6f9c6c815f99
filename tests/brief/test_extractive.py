"""The offline writer: budgets, omitted sections, titles, sources, emoji."""

from __future__ import annotations

import pytest

from newsletter.brief.select import clusters_of
from newsletter.brief.writers.emoji import emoji_table
from newsletter.brief.writers.extractive import QUOTE_BUDGET, SUMMARY_BUDGET, ExtractiveWriter
from newsletter.brief.writers.register import is_plain_ending
from newsletter.model import Item
from tests.brief.factory import CEREBRAS, COMPILER, LAWYERS, LOCALIZATION, item


def write(*items, language="en", **options):  # type: ignore[no-untyped-def]
    (cluster,) = clusters_of(list(items))
    return ExtractiveWriter(**options).write(cluster, language)


def agents_story() -> list[Item]:
    """Two English reports of one story (two publishers, one cluster)."""
    return [
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
    ]


def chars(paragraphs: list[str]) -> int:
    return sum(len(p) for p in paragraphs)


DISTINCT = {
    "en": [
        "The new accelerator doubles memory bandwidth for large training runs.",
        "Its maker says power draw fell by a fifth compared with last year's part.",
        "Cloud providers have ordered the first batches for their biggest regions.",
        "Analysts expect prices to stay high until a second factory opens in 2027.",
        "Software support arrives through an open compiler rather than a closed kit.",
        "Early benchmarks show inference latency cut nearly in half on chat models.",
        "Researchers warn that cooling requirements rise sharply in dense racks.",
        "A smaller edition for workstations is planned for the autumn season.",
        "Competitors responded by moving their own launches forward by months.",
        "Supply of high-bandwidth memory remains the main bottleneck this quarter.",
        "Regulators in Europe asked about export rules for the fastest versions.",
        "Developers can try the chip today through a limited preview programme.",
    ],
    "ko": [
        "새 가속기는 대규모 언어 모델 학습에서 메모리 대역폭을 이전 세대보다 두 배로 늘렸다.",
        "제조사는 같은 작업을 처리할 때 전력 사용량이 지난해 제품보다 20% 줄었다고 밝혔다.",
        "국내외 주요 클라우드 업체들이 가장 큰 리전에 넣을 첫 물량을 이미 주문해 둔 상태다.",
        "증권가는 두 번째 공장이 문을 여는 2027년까지 공급 가격이 높게 유지될 것으로 본다.",
        "소프트웨어 지원은 폐쇄형 개발 도구 대신 누구나 쓸 수 있는 공개 컴파일러로 제공된다.",
        "초기 벤치마크에서는 대화형 모델의 추론 지연 시간이 절반 가까이 줄어든 것으로 나타났다.",
        "연구자들은 고밀도 서버 랙에서는 냉각 설비에 대한 부담이 급격히 커진다고 경고했다.",
        "개인 개발자와 연구실을 위한 워크스테이션용 소형 제품은 올가을에 나올 예정이다.",
        "경쟁사들은 이 발표 직후 자체 신제품 출시 일정을 몇 달씩 앞당기며 맞대응에 나섰다.",
        "고대역폭 메모리 공급 부족이 이번 분기 생산량을 결정하는 가장 큰 병목으로 꼽힌다.",
        "유럽 규제 당국은 최고 사양 제품이 어떤 수출 규정을 따르는지 제조사에 공식 문의했다.",
        "개발자들은 제한된 프리뷰 프로그램에 신청하면 오늘부터 클라우드에서 칩을 써 볼 수 있다.",
    ],
}


@pytest.mark.parametrize("language", ["en", "ko"])
def test_summary_stays_within_the_length_budget(language: str) -> None:
    text = " ".join(DISTINCT[language])  # 12 different sentences, far over budget
    story = write(item(1, "Accelerator", text), language=language)
    assert chars(story.summary) <= SUMMARY_BUDGET[language] + 20  # + the 합니다체 endings
    assert 2 <= story.summary[0].count(".") <= 3
    assert chars(story.summary) > SUMMARY_BUDGET[language] / 3


@pytest.mark.parametrize(("language", "other"), [("ko", "en"), ("en", "ko")])
def test_another_language_is_quoted_as_the_original_never_summarised(
    language: str, other: str
) -> None:
    text = " ".join(DISTINCT[other])
    story = write(
        item(1, "가속기 공개" if other == "ko" else "Accelerator ships", text), language=language
    )
    (paragraph,) = story.summary
    marker = {"ko": "원문(영어) 요지: “", "en": "From the original (Korean): “"}[language]
    assert paragraph.startswith(marker) and paragraph.endswith("”")
    quote = paragraph[len(marker) : -1]
    assert quote == " ".join(DISTINCT[other][:2])  # the lead, as written
    assert len(quote) <= QUOTE_BUDGET
    assert story.summary_title == "" and story.why == [] and story.takeaway == ""


def test_two_foreign_sources_are_each_quoted_with_their_publisher() -> None:
    story = write(
        *agents_story(),
        language="ko",
    )
    assert [p.split(":")[0] for p in story.summary] == [
        "원문(영어, arstechnica.com) 요지",
        "원문(영어, techcrunch.com) 요지",
    ]
    assert story.headline == "Sixteen Claude agents built a C compiler"
    assert len(story.sources) == 2


def test_a_korean_source_beside_english_ones_is_the_one_summarised() -> None:
    story = write(
        item(
            1,
            "OpenAI localizes its models",
            "OpenAI explained its localization plan today.",
            cluster="c",
        ),
        item(2, "오픈AI, 지역화 전략 공개", LOCALIZATION, site="openai.com", cluster="c"),
        language="ko",
    )
    assert story.headline == "오픈AI, 지역화 전략 공개"
    assert "OpenAI explained" not in " ".join(story.summary + story.why)
    assert len(story.sources) == 2


def test_korean_sentences_are_in_the_editions_register() -> None:
    story = write(item(1, "가속기 공개", " ".join(DISTINCT["ko"])), language="ko")
    said = [*story.summary, *story.why, story.takeaway]
    sentences = [s for p in said for s in p.split(". ") if s]
    assert sentences and not any(is_plain_ending(s) for s in sentences)
    assert "경고했습니다." in " ".join(said)


def test_near_identical_sentences_are_said_once() -> None:
    """Two feeds opening with the same sentence must not make the summary repeat itself."""
    lead = "Sixteen agents built a C compiler that compiles Linux."
    first = item(1, "Compiler A", f"{lead} {COMPILER}", site="a.example", cluster="c")
    second = item(
        2, "Compiler B", lead.replace("built", "have built"), site="b.example", cluster="c"
    )
    story = write(first, second)
    said = " ".join(story.summary + story.why + [story.takeaway])
    assert said.count("compiler that compiles Linux") == 1


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
    assert story.why_title == ""  # no analysis offline: the label alone
    assert "signals" not in " ".join(story.summary)


def test_takeaway_is_the_strongest_sentence_left_over() -> None:
    story = write(item(1, "Sixteen Claude agents built a C compiler", COMPILER))
    assert len(story.summary[0].split(". ")) == 3
    assert story.why == ["The result could reshape how companies staff software teams."]
    assert story.takeaway == "It still needed deep human management along the way."
    assert story.takeaway not in " ".join(story.summary + story.why)


def test_two_sources_both_kept_and_both_summarised() -> None:
    story = write(
        *agents_story(),
    )
    assert [s.url for s in story.sources] == [
        "https://arstechnica.com/news/1",
        "https://techcrunch.com/news/2",
    ]
    assert [s.publisher for s in story.sources] == ["arstechnica.com", "techcrunch.com"]
    assert len(story.summary) == 2  # one paragraph per source, in source order
    assert "compiler" in story.summary[0] and "leaderboard" in story.summary[1]
    assert story.summary_title == "Maybe AI agents can be lawyers after all"


def test_single_source_has_no_title_beyond_the_label() -> None:
    """Never a keyword list ("Cerebras · Benchmark") and never the headline again."""
    story = write(item(1, "Benchmark raises $225M to double down on Cerebras", CEREBRAS))
    assert story.summary_title == "" and story.why_title == ""
    korean = write(item(2, "오픈AI, 지역화 전략 공개", LOCALIZATION), language="ko")
    assert korean.summary_title == "" and korean.why_title == ""


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


def test_emoji_is_chosen_from_what_the_story_is_about() -> None:
    assert (
        write(item(1, "Benchmark raises $225M to double down on Cerebras", CEREBRAS)).emoji == "💰"
    )
    assert write(item(2, "Sixteen Claude agents built a C compiler", COMPILER)).emoji == "💻"
    korean = write(item(3, "오픈AI, 지역화 전략 공개", LOCALIZATION, section="ai"), language="ko")
    assert korean.emoji == "🌐"


def test_emoji_from_the_configured_table_with_defaults() -> None:
    table = emoji_table({"AI": "🧠", "quantum": "⚛️"})
    assert write(item(1, "A", "Some text here.", section="ai"), emoji=table).emoji == "🧠"
    assert write(item(2, "B", "Some text here.", section="quantum"), emoji=table).emoji == "⚛️"
    assert write(item(3, "C", "Some text here.", section="funding"), emoji=table).emoji == "💰"
    assert write(item(4, "D", "Some text here.", section="gardening"), emoji=table).emoji == "📰"


def test_item_without_a_title_gets_a_headline_from_its_text() -> None:
    story = write(item(1, "", "The chip ships in May with twice the memory. It costs less."))
    assert story.headline == "The chip ships in May with twice the memory."


def test_a_second_report_titled_almost_like_the_first_gives_no_title() -> None:
    story = write(
        item(1, "OpenAI, 한국어 개인정보 처리방침 공개", LOCALIZATION, site="a.kr", cluster="c"),
        item(2, "OpenAI, 한국 개인정보 처리방침 공개", LOCALIZATION, site="b.kr", cluster="c"),
        language="ko",
    )
    assert story.summary_title == ""
