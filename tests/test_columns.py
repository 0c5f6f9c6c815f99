"""Display columns: the fast paths against the per-code-point definition.

`display_width` skips the per-character loop for English and Korean (CP949 bytes
are columns there) and remembers what it measured; `char_width` is the definition.
These tests fail if a fast path ever counts differently from the plain sum.
"""

from __future__ import annotations

import random
import sys

from newsletter.columns import (
    _ONE_BYTE_PER_COLUMN,
    COLUMN_CODEC,
    char_width,
    column_bytes,
    display_width,
)

_VS16 = "\ufe0f"


def straightforward_width(text: str) -> int:
    """The definition: the sum of `char_width`, VS16 widening a one-column symbol."""
    width = 0
    previous = 0
    for char in text:
        if char == _VS16 and previous == 1:
            width += 1
            previous = 2
            continue
        previous = char_width(char)
        width += previous
    return width


def test_every_one_byte_per_column_character_is_as_wide_as_its_bytes() -> None:
    every = "".join(chr(code) for code in range(sys.maxunicode + 1))
    chosen = "".join(_ONE_BYTE_PER_COLUMN.findall(every))
    assert len(chosen) == 95 + 11172  # printable ASCII, Hangul syllables
    for char in chosen:
        encoded = char.encode(COLUMN_CODEC)
        assert len(encoded) == char_width(char), repr(char)
        assert encoded.decode(COLUMN_CODEC) == char
        assert b" " not in encoded or char == " "  # a space byte is only ever a space
    for code in range(128):  # ASCII takes this path without the regex: all of it
        assert len(chr(code).encode(COLUMN_CODEC)) == char_width(chr(code)) == 1


# Words from every script and trap the text edition meets.
ASCII_WORDS = ["AI", "agent", "C", "compiler,", "2.5", "(OpenAI)", "it's", "e.g.", "[1]", "a"]
HANGUL_WORDS = ["에이전트", "한글", "뉴스를", "Claude가", "2만", "달러", "컴파일러를", "했습니다."]
CJK_WORDS = ["中文", "日本語の", "カタカナ", "ＡＢＣ", "AI·칩", "“quoted”", "—", "…"]
LONG_WORDS = ["x" * 30, "가" * 40, "漢字" * 19, "a" * 80, "👩\u200d💻" * 30]
EMOJI_WORDS = [
    "💥",
    "🛠️",  # text-style symbol made wide by VS16
    "\ufe0f",  # a stray VS16: widens a preceding one-column character
    "❤️",
    "👩\u200d💻",  # ZWJ sequence
    "👍🏽",
    "🇰🇷",
    "☕",
    "✔\ufe0e",  # VS15
]
MARK_WORDS = ["e\u0301", "café", "naïve", "\u0301", "a\u200bb", "\u200d", "\u00ad", "Ω≈ç√"]
URLS = [
    "https://example.com/" + "a" * 90,
    "https://news.example/기사/123",
    "mailto:someone@example.com",
    "%%UNSUBSCRIBE_URL%%",
    "%%NAME%%",
    "http://x.y/" + "z" * 200,
]
SPACES = [" "] * 12 + ["  ", "\t", "\n", "\u3000", "\xa0", " \u2028 "]
POOLS = [ASCII_WORDS, HANGUL_WORDS, CJK_WORDS, EMOJI_WORDS, MARK_WORDS, URLS, LONG_WORDS]


def random_text(rng: random.Random) -> str:
    """Mostly one script with one space between words (the fast paths), sometimes a mix."""
    pools = rng.choice([[ASCII_WORDS], [HANGUL_WORDS], [ASCII_WORDS, HANGUL_WORDS], POOLS])
    pools = [*pools, rng.choice([URLS, LONG_WORDS])] if rng.random() < 0.2 else pools
    words = [rng.choice(rng.choice(pools)) for _ in range(rng.randrange(0, 40))]
    if rng.random() < 0.3:  # words of random characters of the pools, not only whole ones
        alphabet = "".join(w for pool in pools for w in pool)
        words += ["".join(rng.choices(alphabet, k=rng.randrange(1, 12))) for _ in range(5)]
        rng.shuffle(words)
    separators = [" "] if rng.random() < 0.7 else SPACES
    text = ""
    for index, word in enumerate(words):
        text += (rng.choice(separators) if index else "") + word
    return text if rng.random() < 0.9 else f" {text}  "


def test_display_width_is_the_sum_of_char_widths_for_random_text() -> None:
    rng = random.Random(22)
    for _ in range(4000):
        text = random_text(rng)
        assert display_width(text) == straightforward_width(text), repr(text)
        encoded = column_bytes(text)
        if encoded is not None:
            assert len(encoded) == straightforward_width(text), repr(text)
            assert encoded.decode(COLUMN_CODEC) == text


def test_column_bytes_only_for_english_and_korean() -> None:
    assert column_bytes("AI 에이전트 16개") == "AI 에이전트 16개".encode(COLUMN_CODEC)
    for text in ["AI·칩", "中文", "💥", "e\u0301", "“quoted”", "…", "a\tb", "가\n"]:
        assert column_bytes(text) is None, text
