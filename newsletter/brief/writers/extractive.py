"""The offline writer: picks the cluster's own most central sentences.

No model, no network, fully deterministic: the same items always give the same
edition, which makes the default safe for an unattended morning send. Sentences
are ranked by TextRank-style centrality over character bigrams (which works for
Korean without a morphological analyser and for English alike). It never invents
text: the summary, why-it-matters and takeaway are the sources' own sentences,
and a section with nothing to say is left out rather than filled.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import groupby

from newsletter.brief.impact import carries_impact, why_title
from newsletter.brief.keyterms import key_terms
from newsletter.brief.select import Cluster
from newsletter.brief.sentences import clip, split_sentences
from newsletter.brief.writers.base import emoji_for, sources_of
from newsletter.i18n import catalog
from newsletter.model import Story

#: Characters, by the script of the sources' text (not the edition's language: a Korean
#: edition quotes English feeds): a Hangul syllable carries more than a Latin letter.
SUMMARY_BUDGET = {"ko": 360, "en": 520}
WHY_BUDGET = {"ko": 300, "en": 420}
MAX_TAKEAWAY = 200
MIN_SENTENCE = 12  # shorter "sentences" are captions, datelines and link texts
SENTENCES_PER_ITEM = 15  # news states the key facts first; this bounds the O(n²) ranking
MAX_TITLE = 90
#: Two sentences sharing this share of the shorter one's bigrams say the same thing
#: (two feeds reporting one story often open with near-identical sentences).
REDUNDANT = 0.6
_HANGUL = re.compile(r"[가-힣]")
#: Feed furniture that is not part of the story.
_BOILERPLATE = re.compile(
    r"appeared first on|continue reading|read more|click here|subscribe to|sign up for"
    r"|all rights reserved|\[(?:…|\.\.\.)\]|^(?:photo|image|credit|source)s?\s*:"
    r"|무단\s*전재|재배포\s*금지|기자\s*=|\S+@\S+\.\w+",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Sentence:
    text: str
    item: int  # index of the item in the cluster (its source)
    position: int  # index inside that item: the lead sentence is 0


class ExtractiveWriter:
    """Summary = best 2–3 sentences; why = impact sentences (or none); takeaway = best rest."""

    def __init__(
        self,
        *,
        emoji: Mapping[str, str] | None = None,
        summary_budget: int | None = None,
        why_budget: int | None = None,
    ) -> None:
        self.emoji = emoji
        self.summary_budget = summary_budget
        self.why_budget = why_budget

    def write(self, cluster: Cluster, language: str) -> Story:
        pool = _pool(cluster)
        texts = [s.text for s in pool]
        lengths = [len(t) for t in texts]
        grams = [_bigrams(t) for t in texts]

        def take(
            order: list[int],
            budget: int,
            allowed: Callable[[int], bool],
            chosen: list[int],
            also: tuple[int, ...] = (),
        ) -> list[int]:
            def fresh(index: int, taken: list[int]) -> bool:
                return allowed(index) and not any(
                    _overlap(grams[index], grams[j]) >= REDUNDANT for j in (*taken, *also)
                )

            return _take(order, lengths, budget, fresh, chosen)

        scores = centrality(texts, [s.position for s in pool])
        ranked = sorted(range(len(pool)), key=lambda i: (-scores[i], i))
        impact = {i for i, t in enumerate(texts) if carries_impact(t)}
        script = script_of(texts)
        summary_budget = self.summary_budget or SUMMARY_BUDGET[script]

        # each source gets its best sentence in first, then the strongest of the rest
        firsts = [next(i for i in ranked if pool[i].item == k) for k in _items_of(pool)]
        order = firsts + [i for i in ranked if i not in firsts]
        summary = take(order, summary_budget, lambda i: i not in impact, [])
        if len(summary) < 2:  # too few plain facts: use impact sentences, keep the best for "why"
            reserve = next((i for i in ranked if i in impact), -1)
            summary = take(order, summary_budget, lambda i: i != reserve, summary)
        clipped = ""
        if not summary:  # even the best sentence is over budget: clip it at a word
            summary, clipped = [order[0]], clip(texts[order[0]], summary_budget)

        why_budget = self.why_budget or WHY_BUDGET[script]
        why = take(ranked, why_budget, lambda i: i in impact and i not in summary, [], (*summary,))
        used = [*summary, *why]
        takeaway = next(
            (
                texts[i]
                for i in ranked
                if i not in used
                and 20 <= lengths[i] <= MAX_TAKEAWAY
                and not texts[i].endswith("?")
                and not any(_overlap(grams[i], grams[j]) >= REDUNDANT for j in used)
            ),
            "",
        )
        lead = cluster.items[0]
        headline = lead.title.strip() or clip(texts[0], MAX_TITLE) or lead.url
        why_texts = [texts[i] for i in sorted(why)]
        return Story(
            emoji=emoji_for(lead.section, self.emoji),
            headline=headline,
            section=lead.section,
            summary_title=summary_title(cluster, texts, language),
            summary=[clipped] if clipped else _paragraphs(summary, pool),
            why_title=why_title(why_texts, language) if why else "",
            why=[" ".join(why_texts)] if why else [],
            takeaway=takeaway,
            sources=sources_of(cluster),
        )


def summary_title(cluster: Cluster, texts: list[str], language: str) -> str:
    """A short heading that says something about this story.

    With two or more reports, the second source's headline gives the other angle;
    with one, the names the story keeps returning to; else the plain label.
    """
    titles = list(dict.fromkeys(item.title.strip() for item in cluster.items if item.title))
    if len(titles) >= 2:
        return clip(titles[1], MAX_TITLE)
    terms = key_terms(cluster.items[0].title, texts)
    if terms:
        return clip(" · ".join(terms), MAX_TITLE)
    return catalog(language).text("edition.default_summary_title")


def centrality(sentences: list[str], positions: list[int] | None = None) -> list[float]:
    """TextRank-style scores: a sentence similar to many others states the core of the story.

    A small bonus for early positions reflects the news habit of putting the key
    fact first. Quadratic in the number of sentences of one cluster, which
    `SENTENCES_PER_ITEM` bounds.
    """
    n = len(sentences)
    grams = [_bigrams(s) for s in sentences]
    sizes = [len(g) for g in grams]
    weights = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            shared = len(grams[i] & grams[j])
            if shared:
                weights[i][j] = weights[j][i] = shared / (1 + (sizes[i] * sizes[j]) ** 0.5)
    totals = [sum(row) or 1.0 for row in weights]
    scores = [1.0] * n
    for _ in range(20):  # power iteration converges well before 20 rounds for news-length input
        share = [scores[j] / totals[j] for j in range(n)]
        scores = [
            0.15 + 0.85 * sum(w * s for w, s in zip(weights[i], share, strict=True))
            for i in range(n)
        ]
    positions = positions if positions is not None else list(range(n))
    return [score + 0.3 / (1 + position) for score, position in zip(scores, positions, strict=True)]


def script_of(texts: list[str]) -> str:
    """ "ko" when Hangul carries the text (a syllable ≈ two or three Latin letters), else "en"."""
    joined = "".join(texts)
    hangul = len(_HANGUL.findall(joined))
    latin = sum(1 for ch in joined if ch.isascii() and ch.isalpha())
    return "ko" if hangul * 2 >= latin and hangul else "en"


def _pool(cluster: Cluster) -> list[_Sentence]:
    """The cluster's distinct, story-bearing sentences; an item without text offers its title."""
    titles = {_key(item.title) for item in cluster.items}
    pool: list[_Sentence] = []
    seen: set[str] = set()
    for index, item in enumerate(cluster.items):
        found = [
            s
            for s in split_sentences(item.body)[:SENTENCES_PER_ITEM]
            if len(s) >= MIN_SENTENCE and not _BOILERPLATE.search(s) and _key(s) not in titles
        ] or [item.title or item.url]
        for position, text in enumerate(found):
            key = _key(text)
            if key and key not in seen:
                seen.add(key)
                pool.append(_Sentence(text, index, position))
    return pool or [_Sentence(cluster.items[0].title or cluster.items[0].url, 0, 0)]


def _take(
    order: list[int],
    lengths: list[int],
    budget: int,
    allowed: Callable[[int, list[int]], bool],
    chosen: list[int],
    limit: int = 3,
) -> list[int]:
    """Add sentences in `order` while they fit the character budget (joined with spaces)."""
    chosen = list(chosen)
    used = sum(lengths[i] + 1 for i in chosen)
    for index in order:
        if len(chosen) >= limit:
            break
        if index in chosen or used + lengths[index] > budget or not allowed(index, chosen):
            continue
        chosen.append(index)
        used += lengths[index] + 1
    return chosen


def _paragraphs(chosen: list[int], pool: list[_Sentence]) -> list[str]:
    """One paragraph per source, in source order, sentences in their original order."""
    ordered = sorted(chosen, key=lambda i: (pool[i].item, pool[i].position))
    return [
        " ".join(pool[i].text for i in group)
        for _, group in groupby(ordered, key=lambda i: pool[i].item)
    ]


def _items_of(pool: list[_Sentence]) -> list[int]:
    return list(dict.fromkeys(s.item for s in pool))


def _bigrams(sentence: str) -> frozenset[str]:
    words = re.sub(r"[^\w]+", " ", sentence.lower()).split()
    return frozenset(w[i : i + 2] for w in words for i in range(max(1, len(w) - 1)))


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Shared bigrams as a share of the shorter sentence's: 1.0 when one restates the other."""
    return len(a & b) / (min(len(a), len(b)) or 1)


def _key(text: str) -> str:
    return re.sub(r"\W+", "", text.lower())
