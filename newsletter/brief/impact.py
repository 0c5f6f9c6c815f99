"""Which sentences say why a story matters, and what to call that section.

"Why it matters" must be the feed's own analysis or it must be absent: filler
written by a template would be worse than nothing. A sentence qualifies when it
carries a consequence cue ("could reshape", "전망", "우려"); its heading names the
kind of stakes the chosen sentences talk about most (risks, competition, who is
affected, …) instead of a constant.
"""

from __future__ import annotations

import re
from functools import cache

from newsletter.i18n import catalog

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

#: (theme, cues); the first theme wins a tie, "change" is the default. The heading of a
#: theme is `why_title.<theme>` in the catalogs (newsletter/i18n).
THEMES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "risk",
        (
            "risk",
            "threat",
            "concern",
            "warn",
            "vulnerab",
            "danger",
            "attack",
            "breach",
            "uncertain",
            "backlash",
            "위험",
            "위협",
            "우려",
            "경고",
            "취약",
            "공격",
            "유출",
            "불확실",
        ),
    ),
    (
        "competition",
        (
            "compet",
            "rival",
            "dominan",
            "market share",
            "monopol",
            "incumbent",
            "경쟁",
            "독점",
            "점유율",
            "도전",
            "주도권",
            "판도",
        ),
    ),
    (
        "regulation",
        (
            "regulat",
            "lawmaker",
            "compliance",
            "privacy",
            "antitrust",
            "legislat",
            "규제",
            "법안",
            "준수",
            "개인정보",
            "당국",
        ),
    ),
    (
        "people",
        (
            "developers",
            "users",
            "customers",
            "consumers",
            "businesses",
            "workers",
            "enterprise",
            "개발자",
            "사용자",
            "이용자",
            "소비자",
            "고객",
            "기업들",
        ),
    ),
    (
        "opportunity",
        (
            "opportunit",
            "growth",
            "unlock",
            "boost",
            "accelerat",
            "productiv",
            "기회",
            "성장",
            "가속",
            "생산성",
            "혁신",
        ),
    ),
)
DEFAULT_THEME = "change"


def carries_impact(sentence: str) -> bool:
    """True when the sentence states a consequence rather than a fact.

    Both languages' cues apply whatever the edition's language: a Korean edition
    quotes English feeds too.
    """
    lowered = sentence.lower()
    for phrase in _NOT_IMPACT:
        lowered = lowered.replace(phrase, " ")
    return _cue_pattern(IMPACT_CUES["en"] + IMPACT_CUES["ko"]).search(lowered) is not None


def why_title(sentences: list[str], language: str) -> str:
    """The heading over the why-it-matters sentences: the theme they mention most."""
    text = " ".join(sentences).lower()
    best, best_hits = DEFAULT_THEME, 0
    for theme, cues in THEMES:
        hits = len(_cue_pattern(cues).findall(text))
        if hits > best_hits:
            best, best_hits = theme, hits
    return catalog(language).text(f"why_title.{best}")


@cache
def _cue_pattern(cues: tuple[str, ...]) -> re.Pattern[str]:
    """Latin cues match at a word start; Hangul cues anywhere (particles attach to words)."""
    parts = [rf"\b{re.escape(c)}" if c.isascii() else re.escape(c) for c in cues]
    return re.compile("|".join(parts))
