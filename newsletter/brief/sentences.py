"""Sentence splitting (and clipping) that works for Korean and English news prose.

The extractive writer ranks sentences, so a wrong split becomes a broken
summary in front of every reader. The rules cover what feeds really contain:
abbreviations (U.S., Dr., Inc.), decimals and versions (3.5, v4.6), quotes
closing a sentence, and Korean endings (…다. …요.) that need no space rules.
A blank line (a paragraph break in the feed text) always ends a sentence,
because headings and captions often carry no final stop.
"""

from __future__ import annotations

import re

_ABBREVIATIONS = frozenset(
    [
        *("mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "ft", "gen", "gov", "sen"),
        *("rep", "rev", "vs", "etc", "inc", "ltd", "co", "corp", "llc", "dept", "univ", "est"),
        *("e.g", "i.e", "u.s", "u.k", "u.n", "e.u", "no", "nos", "fig", "approx", "vol", "ver"),
        *("jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"),
        *("a.m", "p.m", "ph.d", "cf", "al"),
    ]
)
_CLOSERS = "\"'”’)\\]」』》〉"
# A sentence ends at . ! ? … (or the ideographic full stop), optionally followed by closing
# quotes/brackets, then whitespace. A dot between digits (3.5) never matches: no space follows.
_BOUNDARY = re.compile(rf"(?<=[.!?…。])[{_CLOSERS}]*\s+")
_WORD_BEFORE = re.compile(rf"([\w.]+)\.[{_CLOSERS}]*$")
_PARAGRAPH = re.compile(r"\n\s*\n")


def split_sentences(text: str) -> list[str]:
    """Sentences of `text` in order, whitespace-normalised; empty input gives []."""
    sentences: list[str] = []
    for paragraph in _PARAGRAPH.split(text):
        sentences.extend(_split_paragraph(re.sub(r"\s+", " ", paragraph).strip()))
    return sentences


def _split_paragraph(text: str) -> list[str]:
    if not text:
        return []
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        # keep closing quotes with their sentence
        end = match.start() + len(match.group(0).rstrip())
        candidate = text[start:end].strip()
        if _ends_with_abbreviation(candidate) or _continues(text, match.end()):
            continue
        sentences.append(candidate)
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def _ends_with_abbreviation(candidate: str) -> bool:
    match = _WORD_BEFORE.search(candidate)
    if not match:
        return False
    word = match.group(1).lower()
    # single capital letters (J. R. R. Tolkien) and listed abbreviations are not sentence ends
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha() and word.isascii())


def _continues(text: str, position: int) -> bool:
    """A lowercase ASCII word or a comma after the stop continues the sentence.

    English sentences start with a capital, digit or quote, so `"Why?" he asked` is one
    sentence, and so is `… 3 p.m. on Friday`.
    """
    following = text[position : position + 1]
    return following in (",", ";") or (following.isascii() and following.islower())


def clip(text: str, limit: int) -> str:
    """`text` within `limit` characters, cut at a word boundary with an ellipsis.

    Shared by the writers (headlines, summaries) and the renderer (the preheader), so
    a cut looks the same wherever a reader meets it; a stop or comma left dangling
    before the ellipsis goes."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:·-") + "…"
