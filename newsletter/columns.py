"""How much room text takes on a screen: terminal columns and user-perceived characters.

A Hangul syllable, a CJK ideograph and most emoji take two columns, combining
marks and joiners none, so a limit in code points lets a Korean or Chinese line
run half again as wide as an English one. The text edition wraps by these
columns, and the draft caps headlines by them, cutting only between grapheme
clusters so an accent, a skin tone or a family emoji is never torn apart.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

ELLIPSIS = "…"
_VARIATION_EMOJI = "\ufe0f"
_JOINER = "\u200d"
_ZERO_WIDTH = {"\u200b", "\u200c", _JOINER, "\u2060", "\ufeff", "\ufe0e", _VARIATION_EMOJI}

#: Printable ASCII and the 11,172 Hangul syllables: CP949 (Korean Windows) stores each of
#: these in as many bytes as a terminal gives it columns (tests/test_columns.py checks every
#: one), so the width of such text is the length of its CP949 bytes, and a space byte there
#: is always a space (no two-byte character contains 0x20). Asked with `fullmatch`, which
#: costs a third less than searching for a character outside the class.
_ONE_BYTE_PER_COLUMN = re.compile("[\x20-\x7e\uac00-\ud7a3]*")
_PLAIN_RUN = re.compile("([\x20-\x7e\uac00-\ud7a3]+)")  # split: the runs at odd indices
COLUMN_CODEC = "cp949"


@cache
def char_width(char: str) -> int:
    """Columns a terminal gives one code point: 2 for wide/fullwidth, 0 for marks."""
    if char in _ZERO_WIDTH or unicodedata.combining(char):
        return 0
    if unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Columns of `text`; VS16 turns a text-style symbol (🛠) into a wide emoji (🛠️)."""
    if text.isascii():
        return len(text)
    return _wide_width(text)


@lru_cache(maxsize=16384)
def _wide_width(text: str) -> int:
    """The per-code-point sum, remembered: the draft and the text edition measure the same
    headlines again. English and Korean runs are measured whole (their CP949 length), so
    only the rest (an emoji, an accent) is summed code point by code point."""
    width = 0
    previous = 0
    for index, part in enumerate(_PLAIN_RUN.split(text)):
        if not part:
            continue
        if index % 2:  # a run of one-byte-per-column characters
            width += len(part.encode(COLUMN_CODEC))
            previous = 1 if part[-1] <= "\x7e" else 2
            continue
        for char in part:
            if char == _VARIATION_EMOJI and previous == 1:
                width += 1
                previous = 2
                continue
            previous = char_width(char)
            width += previous
    return width


def column_bytes(text: str) -> bytes | None:
    """`text` as bytes that take one column each (English, Korean), else None.

    Measuring and wrapping these needs no loop over characters in Python: the
    text edition cuts its lines with `bytes.rfind` and slices. Printable, so the
    only whitespace in them is the space.
    """
    if _ONE_BYTE_PER_COLUMN.fullmatch(text):
        return text.encode(COLUMN_CODEC)
    return None


def graphemes(text: str) -> list[str]:
    """Code points grouped so marks, VS16 and ZWJ sequences are never split from their base."""
    clusters: list[str] = []
    for char in text:
        if clusters and (char_width(char) == 0 or clusters[-1].endswith(_JOINER)):
            clusters[-1] += char
        else:
            clusters.append(char)
    return clusters


def clip_columns(text: str, columns: int) -> str:
    """`text` within `columns`, cut with an ellipsis: at a space when one is near the end
    (Latin, Hangul), else between graphemes (Chinese, Japanese, one endless "word")."""
    if display_width(text) <= columns:
        return text
    room = columns - display_width(ELLIPSIS)
    kept: list[str] = []
    used = 0
    for cluster in graphemes(text):
        used += display_width(cluster)
        if used > room:
            break
        kept.append(cluster)
    cut = "".join(kept)
    space = cut.rfind(" ")
    if space > len(cut) * 2 // 3:
        cut = cut[:space]
    return cut.rstrip(" ,.;:·-–—") + ELLIPSIS
