"""Which sentences say why a story matters.

"Why it matters" must be the feed's own analysis or it must be absent: filler
written by a template would be worse than nothing. A sentence qualifies when it
carries a consequence cue ("could reshape", "전망", "우려").
"""

from __future__ import annotations

import re
from functools import cache

#: Cues of consequence or impact. English cues match at a word start ("risk" → "risks").
IMPACT_CUES: dict[str, tuple[str, ...]] = {
    "en": (
        *("matters", "means", "meaning", "could", "might", "will likely", "likely to"),
        *("expected to", "impact", "implication", "signal", "reshape", "transform", "shift"),
        *("threat", "risk", "concern", "opportunit", "because", "as a result", "consequen"),
        *("pave", "for developers", "for users", "for the industry", "poses", "raises"),
        *("challenge", "pressure", "boost", "undercut", "accelerat", "first time"),
    ),
    "ko": (
        *("의미", "영향", "전망", "시사", "중요", "변화", "위협", "기회", "때문", "보고 있다"),
        *("평가", "가능성", "기대", "우려", "예상", "관측", "계기", "발판", "가속", "파장"),
        *("전환", "경쟁", "판도", "주목"),
    ),
}
#: Phrases that look like cues but are newsroom boilerplate.
_NOT_IMPACT = ("could not be reached", "did not respond", "declined to comment", "could not")


def carries_impact(sentence: str) -> bool:
    """True when the sentence states a consequence rather than a fact.

    Both languages' cues apply whatever the edition's language: a Korean edition
    quotes English feeds too.
    """
    lowered = sentence.lower()
    for phrase in _NOT_IMPACT:
        lowered = lowered.replace(phrase, " ")
    return _cue_pattern(IMPACT_CUES["en"] + IMPACT_CUES["ko"]).search(lowered) is not None


@cache
def _cue_pattern(cues: tuple[str, ...]) -> re.Pattern[str]:
    """Latin cues match at a word start; Hangul cues anywhere (particles attach to words)."""
    parts = [rf"\b{re.escape(c)}" if c.isascii() else re.escape(c) for c in cues]
    return re.compile("|".join(parts))
