"""One case per row of the boilerplate table, and a property: prose is never emptied."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsletter.text.boilerplate import RULES, strip_boilerplate

STORY = "Chip maker ships its first 2 nm parts to phone makers."
KO_STORY = "삼성전자가 2나노 공정으로 만든 첫 칩을 스마트폰 업체에 공급했다."

# rule name → (text with that furniture, what must remain)
CASES = {
    "reddit-footer": (f"{STORY} submitted by /u/chipfan [link] [comments]", STORY),
    "appeared-first": (
        f"{STORY}\n\nThe post Chip maker ships 2 nm parts appeared first on Wire News.",
        STORY,
    ),
    "continue-reading": (f"{STORY} Continue reading…", STORY),
    "read-more": (f"{STORY} Read more »", STORY),
    "trailing-ellipsis": (
        f"{STORY} Analysts expect more orders [&#8230;]".replace("[&#8230;]", "[…]"),
        f"{STORY} Analysts expect more orders",
    ),
    "full-paper-pointer": (
        f"{STORY} The summary of the study links the full paper for subscribers.",
        STORY,
    ),
    "copyright": (f"{STORY}\n\n© 2026 Wire News Media LLC", STORY),
    "all-rights-reserved": (f"{STORY}\n\nWire News. All rights reserved.", STORY),
    "share-prompt": (f"{STORY}\n\nShare this: Twitter · Facebook · LinkedIn", STORY),
    "subscribe-prompt": (f"{STORY}\n\nSubscribe to our daily newsletter for more.", STORY),
    "english-byline": (f"By Jane Doe and John Smith | Wire News\n\n{STORY}", STORY),
    "email-signature": (f"{STORY}\n\nContact: jane.doe@wire.example", STORY),
    "ko-no-reproduction": (f"{KO_STORY} <저작권자 ⓒ 예시뉴스, 무단 전재 및 재배포 금지>", KO_STORY),
    "ko-copyright": (f"{KO_STORY}\n\nⓒ 예시일보", KO_STORY),
    "ko-tag-pointer": (
        f"{KO_STORY} 반도체 관련 기사는 '2나노' 태그에 모아 두었다.",
        KO_STORY,
    ),
    "ko-related-link": (f"{KO_STORY}\n\n▶ 관련기사: 삼성 3나노 수율 개선", KO_STORY),
    "ko-byline-lead": (f"(서울=예시뉴스) 홍길동 기자 = {KO_STORY}", KO_STORY),
    "ko-byline-dateline": (f"(서울=예시뉴스) {KO_STORY}", KO_STORY),
    "ko-byline-tail": (f"{KO_STORY} 홍길동 기자 gildong@news.example", KO_STORY),
    "ko-share-prompt": (f"{KO_STORY}\n\n기사 공유하기", KO_STORY),
}


def test_every_rule_has_a_case():
    assert {rule.name for rule in RULES} == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_rule_removes_its_furniture_and_keeps_the_story(name):
    text, expected = CASES[name]
    assert strip_boilerplate(text) == expected


@pytest.mark.parametrize(
    "prose",
    [
        "Readers who subscribe to the service pay $5, and the company said more plans follow.",
        "By 2030 the company expects half its revenue from chips.",
        "Read the room: investors want profits, not promises, said the analyst.",
        "정부는 구독 경제 전반에 대한 실태 조사를 내년까지 마치겠다고 밝혔다.",
        "The post office will close on Monday, the city said.",
        "관련 업계는 이번 조치가 반도체 수출에 미칠 영향을 주시하고 있다.",
    ],
)
def test_prose_that_merely_mentions_furniture_words_is_kept(prose):
    assert strip_boilerplate(prose) == prose


def test_paragraphs_survive():
    text = f"{STORY}\n\nSecond paragraph of the story.\n\nRead more"
    assert strip_boilerplate(text) == f"{STORY}\n\nSecond paragraph of the story."


def test_a_post_that_is_only_its_footer_comes_back_empty():
    assert strip_boilerplate("submitted by /u/someone [link] [comments]") == ""


_VOCABULARY = (
    "chip model release market open source data center 반도체 삼성 공개 모델 발표 정부 "
    "the a of to in 2026 42 GPU AI memory said company 했다 밝혔다 전했다"
)
_WORDS = st.sampled_from(_VOCABULARY.split())
_SENTENCE = st.lists(_WORDS, min_size=3, max_size=20).map(lambda w: " ".join(w) + ".")


@settings(max_examples=300, deadline=None)
@given(st.lists(_SENTENCE, min_size=1, max_size=6), st.sampled_from(sorted(CASES)))
def test_prose_is_never_emptied_and_furniture_goes(sentences, furniture):
    prose = " ".join(sentences)
    assert strip_boilerplate(prose) == prose
    text, expected = CASES[furniture]
    cleaned = strip_boilerplate(text.replace(expected, prose))
    assert cleaned == prose


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=300))
def test_cleaning_only_ever_removes(text):
    """Whatever the input, no word appears that was not there: the cleaner only cuts."""
    cleaned = strip_boilerplate(text)
    assert set(cleaned.split()) <= set(text.split())
    assert len(cleaned) <= len(text)


def test_hints_name_real_span_rules() -> None:
    from newsletter.text.boilerplate import HINTS

    spans = {rule.name for rule in RULES if rule.removes == "span"}
    assert set(HINTS) == spans  # every span rule is gated by its hints
