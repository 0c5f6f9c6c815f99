"""Sentence splitting that works for Korean and English news prose.

The extractive writer ranks sentences, so a wrong split becomes a broken
summary in front of every reader. The rules cover what feeds really contain:
abbreviations (U.S., Dr., Inc.), decimals and versions (3.5, v4.6), quotes
closing a sentence, and Korean endings (…다. …요.) that need no space rules.
"""

from __future__ import annotations

import re

_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st vs etc inc ltd co corp e.g i.e u.s u.k u.n no fig approx
    jan feb mar apr jun jul aug sep sept oct nov dec a.m p.m""".split()
)
# A sentence ends at . ! ? … (or the ideographic full stop), optionally followed by closing
# quotes/brackets, then whitespace. A dot between digits (3.5) never matches: no space follows.
_BOUNDARY = re.compile(r"(?<=[.!?…。])[\"'”’)\]]*\s+")
_WORD_BEFORE = re.compile(r"([\w.]+)\.[\"'”’)\]]*$")


def split_sentences(text: str) -> list[str]:
    """Sentences of `text` in order, whitespace-normalised; empty input gives []."""
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        return []
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        # keep closing quotes with their sentence
        end = match.start() + len(match.group(0).rstrip())
        candidate = text[start:end].strip()
        if _ends_with_abbreviation(candidate) or _next_starts_lowercase(text, match.end()):
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


def _next_starts_lowercase(text: str, position: int) -> bool:
    """English sentences start with a capital, digit or quote; a lowercase ASCII word continues."""
    following = text[position : position + 1]
    return following.isascii() and following.islower()
