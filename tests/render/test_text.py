"""The plain-text edition and its Hangul-aware 72-column wrapping."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsletter.columns import graphemes
from newsletter.model import UNSUBSCRIBE_PLACEHOLDER, Briefing, Edition
from newsletter.render.text import WIDTH, _sliced, display_width, underline, wrap
from tests.test_columns import random_text, straightforward_width


@pytest.mark.parametrize(
    ("text", "width"),
    [
        ("abc", 3),
        ("한글", 4),
        ("AI 에이전트", 11),
        ("💥", 2),
        ("🛠️", 2),  # U+1F6E0 is narrow alone; VS16 makes it an emoji, two columns
        ("e\u0301", 1),  # combining accent takes no column
        ("ＡＢ", 4),  # fullwidth Latin
        ("a\u200bb", 2),  # zero-width space
    ],
)
def test_display_width(text: str, width: int) -> None:
    assert display_width(text) == width


def test_korean_paragraph_wraps_at_72_display_columns() -> None:
    paragraph = (
        "Anthropic의 Claude 에이전트 16개가 서로 역할을 나누고 결과물을 검토하면서 새로운 "
        "C 컴파일러를 처음부터 만들어 냈습니다. 약 2만 달러가 든 이 실험에서 완성된 "
        "컴파일러는 리눅스 커널을 빌드하는 데까지 성공했습니다."
    )
    lines = wrap(paragraph).splitlines()
    assert all(display_width(line) <= WIDTH for line in lines)
    # code-point counting (textwrap) would have allowed 72 Hangul = 144 columns; we use them well
    assert max(display_width(line) for line in lines) >= WIDTH - 8
    assert " ".join(lines).split() == paragraph.split()


def test_urls_and_placeholders_are_never_broken() -> None:
    url = "https://example.com/" + "a" * 100
    lines = wrap(f"see {url} and {UNSUBSCRIBE_PLACEHOLDER} here", 30).splitlines()
    assert url in lines
    assert any(UNSUBSCRIBE_PLACEHOLDER in line for line in lines)


def test_an_unbreakable_hangul_run_is_cut_by_columns() -> None:
    word = "가" * 50  # 100 columns, no space to break at
    lines = wrap(word).splitlines()
    assert [display_width(line) for line in lines] == [72, 28]
    assert "".join(lines) == word


def test_prefixes_count_towards_the_width() -> None:
    lines = wrap("가나다 " * 30, first="[1] ", indent="    ").splitlines()
    assert lines[0].startswith("[1] 가나다")
    assert all(line.startswith("    ") for line in lines[1:])
    assert all(display_width(line) <= WIDTH for line in lines)


def test_underline_matches_the_display_width() -> None:
    heading, rule = underline("요약: 핵심 내용", "-").splitlines()
    assert rule == "-" * display_width(heading) == "-" * 15


pieces = [*"abcXYZ12,.", *"가나다한글뉴스", "💥", "🛠️", "e\u0301"]
words = st.lists(st.sampled_from(pieces), min_size=1, max_size=40).map("".join)


@settings(max_examples=150, deadline=None)
@given(st.lists(words, min_size=0, max_size=60), st.integers(min_value=10, max_value=80))
def test_wrap_keeps_every_character_and_the_width(parts: list[str], width: int) -> None:
    text = " ".join(parts)
    wrapped = wrap(text, width)
    assert "".join(wrapped.split()) == "".join(text.split())
    assert all(display_width(line) <= width for line in wrapped.splitlines())


# -- the text edition ---------------------------------------------------------------------


def test_every_line_fits_72_columns_except_bare_urls(edition_ko: Edition) -> None:
    for line in edition_ko.text.splitlines():
        if re.fullmatch(r"\s*https?://\S+", line):
            continue
        assert display_width(line) <= WIDTH, line


def test_headlines_are_underlined(edition_ko: Edition, briefing_ko: Briefing) -> None:
    lines = edition_ko.text.splitlines()
    for story in briefing_ko.stories:
        title = f"{story.emoji} {story.headline}"
        index = lines.index(title)
        assert lines[index + 1] == "=" * display_width(title)
    assert lines[lines.index("요약") + 1] == "-" * 4  # no title: the label alone


def test_sources_are_numbered_references_under_each_story(
    edition_ko: Edition, briefing_ko: Briefing
) -> None:
    text = edition_ko.text
    urls = [s.url for story in briefing_ko.stories for s in story.sources]
    numbers = [int(n) for n in re.findall(r"^\[(\d+)\] ", text, re.MULTILINE)]
    assert numbers == list(range(1, len(urls) + 1))
    lines = text.splitlines()
    found = []
    for index, line in enumerate(lines):
        if re.match(r"\[\d+\] ", line):
            # the title may wrap onto indented lines; the URL follows on its own line
            url_line = next(x for x in lines[index + 1 :] if x.startswith("    http"))
            found.append(url_line.strip())
    assert found == urls
    # each reference sits after its story's headline and before the next one
    second_story = text.index(briefing_ko.stories[1].headline, text.index("\n01 · "))
    assert text.index("[2] ") < second_story < text.index("[3] ")
    assert "[5] Korea privacy policy (openai.com)" in text


def test_korean_labels_and_structure(edition_ko: Edition, briefing_ko: Briefing) -> None:
    text = edition_ko.text
    assert text.count("요약: ") == 4 and text.count("\n요약\n----\n") == 1
    assert text.count("왜 중요한가: ") == 4
    assert text.count("\n출처:\n") == 5
    assert "Source" not in text
    assert text.count("\n안녕하세요!\n") == 1  # the intro's own greeting is not repeated
    assert "2026년 2월 7일 토요일" in text
    assert "> 에이전트 '팀'이 큰 프로젝트를" in text
    assert text.count("\n> ") == 6  # three takeaways, two lines each at 72 columns


def test_english_labels(edition_en: Edition) -> None:
    text = edition_en.text
    assert "Summary: An agent team finishes a systems project" in text
    assert "\nWhy it matters\n--------------\n" in text  # no why_title: the label alone
    assert "\nSources:\n[1] " in text
    assert "Saturday, February 7, 2026" in text
    assert "<maybe> & more" in text  # text is not HTML: nothing escaped


def test_footer_and_unsubscribe_placeholder(edition_ko: Edition, edition_en: Edition) -> None:
    assert edition_ko.text.endswith(f"수신 거부: {UNSUBSCRIBE_PLACEHOLDER}\n")
    assert "\nDaily AI & Tech News\n보낸 사람: Daily Briefing <briefing@example.com>\n" in (
        edition_ko.text
    )
    assert edition_en.text.endswith(f"Unsubscribe: {UNSUBSCRIBE_PLACEHOLDER}\n")


def test_no_runs_of_blank_lines(edition_ko: Edition) -> None:
    assert "\n\n\n" not in edition_ko.text


# -- the fast wrap against the word-by-word definition ------------------------------------


def _reference_wrap(text: str, width: int, indent: str, first: str | None) -> str:
    """`wrap` as first written: word by word, each width the plain per-code-point sum."""
    first = indent if first is None else first
    lines: list[str] = []
    words: list[str] = []
    prefix = first
    used = straightforward_width(prefix)

    def flush() -> None:
        nonlocal prefix, used, words
        lines.append((prefix + " ".join(words)).rstrip())
        prefix, words, used = indent, [], straightforward_width(indent)

    for word in text.split():
        cols = straightforward_width(word)
        if used + cols + (1 if words else 0) <= width:
            used += cols + (1 if words else 0)
            words.append(word)
            continue
        if words:
            flush()
        if used + cols <= width or re.match(r"^(https?://|mailto:|%%)\S*$", word):
            words.append(word)
            used += cols
            continue
        room = max(width - max(straightforward_width(first), straightforward_width(indent)), 2)
        pieces, piece, piece_width = [], "", 0
        for cluster in graphemes(word):
            cols = straightforward_width(cluster)
            if piece and piece_width + cols > room:
                pieces.append(piece)
                piece, piece_width = "", 0
            piece += cluster
            piece_width += cols
        pieces += [piece] if piece else []
        for piece in pieces:
            if words:
                flush()
            words.append(piece)
            used += straightforward_width(piece)
    if words or not lines:
        lines.append((prefix + " ".join(words)).rstrip())
    return "\n".join(lines)


def test_wrap_and_underline_agree_with_the_definition_on_random_text() -> None:
    rng = random.Random(72)
    sliced = 0
    for _ in range(6000):
        text = random_text(rng)
        width = rng.choice([72, 72, 72, 40, rng.randrange(1, 100)])
        indent = rng.choice(["", "    ", "> ", "가 "])
        first = rng.choice([None, None, "[1] ", " 7. ", "[12] ", "가나다라마바 " * 3])
        expected = _reference_wrap(text, width, indent, first)
        assert wrap(text, width, indent, first) == expected, (text, width, indent, first)
        if text.strip():
            heading = _reference_wrap(text, width, "", "")
            rule = max(straightforward_width(line) for line in heading.splitlines())
            assert underline(text, "-", width) == f"{heading}\n{'-' * rule}"
        sliced += _sliced(text, width, indent, indent if first is None else first) is not None
    assert sliced > 2000  # the fast path was taken, and agreed, in thousands of cases
