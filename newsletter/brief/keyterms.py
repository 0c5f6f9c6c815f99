"""The few names a story is about (Cerebras, Benchmark, $225M), found without a model.

The summary heading of a single-source story is built from them, so it says
something about *this* story instead of a constant "Summary". Names are what
repeats: a term must occur at least twice in the cluster (a title occurrence
counts double) to qualify, which filters out one-off adjectives and verbs in
both languages without a dictionary. Ties break on first occurrence, so the
result is deterministic.
"""

from __future__ import annotations

import re
from collections import Counter


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_HANGUL = re.compile(r"[가-힣]")
# English: runs of capitalised words or acronyms, money and percentages.
_EN_TERM = re.compile(
    r"\$\d[\d.,]*\s?(?:[MBK]|million|billion|trillion)?\b"
    r"|\d[\d.,]*\s?%"
    r"|\b[A-Z][\w'’&.-]*[\w](?:\s+(?:[A-Z][\w'’&-]*|\d[\w.]*))*"
)
_EN_STOP = _words(
    """the a an and but or if in on at of for to by with from as it its this that these those
    there their they we our you he she his her i however meanwhile also after before while when
    what why how who which today yesterday monday tuesday wednesday thursday friday saturday
    sunday new according read more said says mr ms dr"""
)
# Korean: words with their trailing particle removed; Latin names inside Korean text too.
_KO_WORD = re.compile(r"[A-Za-z0-9가-힣][A-Za-z0-9가-힣.&+-]*")
# longest first, so "에서는" is removed whole rather than as "는"
_KO_PARTICLES = (
    *("에서는", "으로는", "이라는", "에게서", "으로서", "까지", "부터", "에서", "으로", "에게"),
    *("보다", "라는", "처럼", "과의", "와의", "은", "는", "이", "가", "을", "를", "의", "에"),
    *("로", "와", "과", "도", "만"),
)
_KO_VERB_ENDINGS = tuple("다고며서면게지요했한된할될인")  # verb/adjective endings: not names
_KO_STOP = _words(
    """이번 지난 오늘 최근 현재 올해 지난해 이날 통해 위해 대한 대해 관련 이는 또한 특히 이에
    따르면 따라 것으로 것이 것을 있는 있다 없는 가장 모든 경우 이후 당시 그리고 하지만 이를"""
)


def key_terms(title: str, texts: list[str], *, limit: int = 3) -> list[str]:
    """Up to `limit` distinct names the cluster keeps returning to, most frequent first.

    Each text is read by its own script's rules: a Korean edition quotes English feeds.
    """
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    position = 0
    for weight, text in [(2, title), *((1, t) for t in texts)]:
        extract = _korean_terms if _HANGUL.search(text) else _english_terms
        for term in extract(text):
            counts[term] += weight
            first.setdefault(term, position)
            position += 1
    ranked = sorted((t for t, c in counts.items() if c >= 2), key=lambda t: (-counts[t], first[t]))
    chosen: list[str] = []
    for term in ranked:
        folded = term.casefold()
        if any(folded in c.casefold() or c.casefold() in folded for c in chosen):
            continue
        chosen.append(term)
        if len(chosen) == limit:
            break
    return chosen


def _english_terms(text: str) -> list[str]:
    terms = []
    for match in _EN_TERM.finditer(text):
        words = match.group(0).strip(" .,'’-").split()
        while words and words[0].lower().strip(".") in _EN_STOP:  # "The Verge" → "Verge"
            words.pop(0)
        term = " ".join(words)
        if len(term) >= 2 and term.lower() not in _EN_STOP:
            terms.append(term)
    return terms


def _korean_terms(text: str) -> list[str]:
    terms = []
    for match in _KO_WORD.finditer(text):
        word = match.group(0).rstrip(".")
        if word.isascii():
            if word[:1].isupper() or any(ch.isdigit() for ch in word):
                terms.append(word)
            continue
        for particle in _KO_PARTICLES:
            if word.endswith(particle) and len(word) - len(particle) >= 2:
                word = word[: -len(particle)]
                break
        if len(word) < 2 or word in _KO_STOP or word.endswith(_KO_VERB_ENDINGS):
            continue
        terms.append(word)
    return terms
