"""The offline writer: picks the cluster's own most central sentences.

No model, no network, fully deterministic: the same items always give the same
edition, which makes the default safe for an unattended morning send. Sentences
are ranked by TextRank-style centrality over character bigrams (which works for
Korean without a morphological analyser and for English alike).
"""

from __future__ import annotations

import re
from collections import Counter

from newsletter.brief.labels import labels
from newsletter.brief.select import Cluster
from newsletter.brief.sentences import split_sentences
from newsletter.brief.writers.base import emoji_for, sources_of
from newsletter.model import Story

#: Phrases that signal consequence or impact: such sentences go under "why it matters".
IMPACT_CUES = {
    "en": (
        "matters",
        "means that",
        "could",
        "would",
        "will likely",
        "impact",
        "implication",
        "signal",
        "for developers",
        "for users",
        "reshape",
        "threat",
        "risk",
        "opportunit",
        "because",
        "challenge",
    ),
    "ko": (
        "의미",
        "영향",
        "전망",
        "시사",
        "중요",
        "변화",
        "위협",
        "기회",
        "때문",
        "보고 있다",
        "평가",
        "가능성",
        "기대",
        "우려",
    ),
}
SUMMARY_BUDGET = {"ko": 360, "en": 520}  # characters; Hangul carries more per character
WHY_BUDGET = {"ko": 300, "en": 420}
MAX_TAKEAWAY = 200


class ExtractiveWriter:
    """Summary = best 2–3 sentences; why = impact sentences (or none); takeaway = best rest."""

    def write(self, cluster: Cluster, language: str) -> Story:
        text = labels(language)
        sentences = _unique(
            sentence
            for item in cluster.items
            for sentence in split_sentences(item.summary or item.title)
        )
        scores = centrality(sentences)
        ranked = sorted(range(len(sentences)), key=lambda i: (-scores[i], i))
        cues = IMPACT_CUES.get(language, IMPACT_CUES["en"])
        impact = {i for i, s in enumerate(sentences) if any(cue in s.lower() for cue in cues)}

        summary = _take(ranked, sentences, SUMMARY_BUDGET.get(language, 500), exclude=impact)
        if not summary:  # every sentence carries a cue: the summary still comes first
            summary = _take(ranked, sentences, SUMMARY_BUDGET.get(language, 500), exclude=set())
        why = _take(ranked, sentences, WHY_BUDGET.get(language, 400), exclude=set(summary), only=impact)
        used = set(summary) | set(why)
        takeaway = next(
            (sentences[i] for i in ranked if i not in used and len(sentences[i]) <= MAX_TAKEAWAY),
            "",
        )
        lead = cluster.items[0]
        return Story(
            emoji=emoji_for(lead.section),
            headline=lead.title,
            section=lead.section,
            summary_title=text["default_summary_title"],
            summary=[" ".join(sentences[i] for i in sorted(summary))] if summary else [lead.title],
            why_title=text["default_why_title"] if why else "",
            why=[" ".join(sentences[i] for i in sorted(why))] if why else [],
            takeaway=takeaway,
            sources=sources_of(cluster),
        )


def centrality(sentences: list[str]) -> list[float]:
    """TextRank-style scores: a sentence similar to many others states the core of the story."""
    grams = [_bigrams(s) for s in sentences]
    n = len(sentences)
    weights = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            shared = sum((grams[i] & grams[j]).values())
            if shared:
                similarity = shared / (1 + (sum(grams[i].values()) * sum(grams[j].values())) ** 0.5)
                weights[i][j] = weights[j][i] = similarity
    scores = [1.0] * n
    totals = [sum(row) or 1.0 for row in weights]
    for _ in range(20):  # power iteration converges well before 20 rounds for news-length input
        scores = [
            0.15 + 0.85 * sum(weights[j][i] / totals[j] * scores[j] for j in range(n))
            for i in range(n)
        ]
    # a small lead bias: news puts the key fact first
    return [score + 0.3 / (1 + index) for index, score in enumerate(scores)]


def _bigrams(sentence: str) -> Counter[str]:
    letters = re.sub(r"[^\w]+", " ", sentence.lower())
    return Counter(
        word[i : i + 2] for word in letters.split() for i in range(max(1, len(word) - 1))
    )


def _take(
    ranked: list[int], sentences: list[str], budget: int, *, exclude: set[int], only: set[int] | None = None
) -> list[int]:
    chosen: list[int] = []
    used = 0
    for index in ranked:
        if index in exclude or (only is not None and index not in only):
            continue
        length = len(sentences[index])
        if chosen and used + length > budget:
            continue
        if not chosen and length > budget * 1.5:
            continue
        chosen.append(index)
        used += length
        if len(chosen) == 3:
            break
    return chosen


def _unique(sentences) -> list[str]:  # type: ignore[no-untyped-def]
    seen: set[str] = set()
    out = []
    for sentence in sentences:
        key = re.sub(r"\W+", "", sentence.lower())
        if key and key not in seen:
            seen.add(key)
            out.append(sentence)
    return out
