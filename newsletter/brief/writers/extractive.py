"""The offline writer: picks the cluster's own most central sentences.

No model, no network, fully deterministic: the same items always give the same
edition, which makes the default safe for an unattended morning send. Sentences
are ranked by TextRank-style centrality over character bigrams (which works for
Korean without a morphological analyser and for English alike). It never invents
text: the summary, why-it-matters and takeaway are the sources' own sentences,
and a section with nothing to say is left out rather than filled.

It is honest about language: only sources in the edition's language are
summarised (Korean ones in the edition's 합니다체, see `register`); a story
reported only in another language gets its original headline and a short lead
marked as the original's words ("원문(영어) 요지: “…”"), and no why-it-matters.
Titles are another report's real headline or nothing beyond the label.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import groupby

from newsletter.brief.impact import carries_impact
from newsletter.brief.select import Cluster, publisher_of
from newsletter.brief.sentences import clip, split_sentences
from newsletter.brief.writers.base import sources_of
from newsletter.brief.writers.emoji import emoji_for_story
from newsletter.brief.writers.register import to_formal
from newsletter.i18n import catalog
from newsletter.model import Item, Story

#: Characters, by the script of the sources' text (not the edition's language: a Korean
#: edition quotes English feeds): a Hangul syllable carries more than a Latin letter.
SUMMARY_BUDGET = {"ko": 360, "en": 520}
WHY_BUDGET = {"ko": 300, "en": 420}
MAX_TAKEAWAY = 200
MIN_SENTENCE = 12  # shorter "sentences" are captions, datelines and link texts
SENTENCES_PER_ITEM = 15  # news states the key facts first; this bounds the O(n²) ranking
MAX_TITLE = 90
QUOTE_BUDGET = 300  # characters of a foreign-language lead quoted under the summary label
MAX_QUOTED_SOURCES = 2
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
    """Summary = best 2–3 sentences; why = impact sentences (or none); takeaway = best rest.

    Only sources in the edition's language are summarised; a story reported only in
    another language is quoted as such (`_quoted`), never passed off as a summary.
    """

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
        own = [item for item in cluster.items if language_of(item) == language]
        if not own:
            return self._quoted(cluster, language)
        pool = _pool(own)
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
        voice = _voice(language)
        lead = own[0]
        headline = lead.title.strip() or clip(texts[0], MAX_TITLE) or lead.url
        why_texts = [voice(texts[i]) for i in sorted(why)]
        summary_text = [voice(clipped)] if clipped else _paragraphs(summary, pool, voice)
        return Story(
            emoji=emoji_for_story(headline, texts, lead.section, self.emoji),
            headline=headline,
            section=lead.section,
            summary_title=summary_title(own, headline),
            summary=summary_text,
            why_title="",  # offline there is no analysis to name: the label stands alone
            why=[" ".join(why_texts)] if why else [],
            takeaway=voice(takeaway),
            sources=sources_of(cluster),
        )

    def _quoted(self, cluster: Cluster, language: str) -> Story:
        """A story reported only in another language: its headline and its lead, marked as
        the original's words; no why-it-matters, since a copied sentence would be no analysis."""
        words = catalog(language)
        lead = cluster.items[0]
        several = len({item.feed_title or item.url for item in cluster.items}) > 1
        paragraphs = []
        for item in cluster.items[:MAX_QUOTED_SOURCES]:
            quote = _lead_of(item.body)
            if not quote:
                continue
            origin = words.text(f"language.{language_of(item)}")
            if several:
                origin = f"{origin}, {item.feed_title or publisher_of(item)}"
            paragraphs.append(words.text("quote.lead", origin=origin, quote=quote))
        if not paragraphs:
            origin = words.text(f"language.{language_of(lead)}")
            paragraphs = [words.text("quote.title", origin=origin, quote=lead.title)]
        headline = lead.title.strip() or lead.url
        return Story(
            emoji=emoji_for_story(headline, [lead.body], lead.section, self.emoji),
            headline=headline,
            section=lead.section,
            summary_title="",
            summary=paragraphs,
            sources=sources_of(cluster),
        )


def quote_prefix(language: str) -> str:
    """How a quoted original's paragraph starts in `language` ("원문(", "From the original (")."""
    return str(catalog(language).raw("quote.lead")).split("{", 1)[0]


def is_quoted(story: Story, language: str) -> bool:
    """True for a story `_quoted` wrote: its summary quotes another language's original."""
    prefix = quote_prefix(language)
    return bool(story.summary) and story.summary[0].startswith(prefix)


def language_of(item: Item) -> str:
    """The language an item is written in, judged by its script (Hangul or not)."""
    return script_of([item.title, item.body])


def summary_title(items: list[Item], headline: str) -> str:
    """Another report's own headline (the story seen from a second angle), or nothing.

    Never a keyword list and never the headline again (nor a near copy of it, as
    two feeds often title one story): otherwise the label alone.
    """
    said = _bigrams(headline)
    for item in items:
        title = " ".join(item.title.split())
        if title and len(title.split()) >= 2 and _overlap(_bigrams(title), said) < REDUNDANT:
            return clip(title, MAX_TITLE)
    return ""


def _voice(language: str) -> Callable[[str], str]:
    """Korean sentences in the edition's 합니다체; English as written."""
    if language != "ko":
        return lambda text: text
    return lambda text: " ".join(to_formal(s)[0] for s in split_sentences(text)) if text else ""


def _lead_of(text: str) -> str:
    """The first one or two real sentences of an article, within `QUOTE_BUDGET`."""
    sentences = [
        s for s in split_sentences(text) if len(s) >= MIN_SENTENCE and not _BOILERPLATE.search(s)
    ]
    quote = ""
    for sentence in sentences[:2]:
        candidate = f"{quote} {sentence}".strip()
        if len(candidate) > QUOTE_BUDGET:
            break
        quote = candidate
    return quote or (clip(sentences[0], QUOTE_BUDGET) if sentences else "")


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


def _pool(items: list[Item]) -> list[_Sentence]:
    """The items' distinct, story-bearing sentences; an item without text offers its title."""
    titles = {_key(item.title) for item in items}
    pool: list[_Sentence] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
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
    return pool or [_Sentence(items[0].title or items[0].url, 0, 0)]


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


def _paragraphs(chosen: list[int], pool: list[_Sentence], voice: Callable[[str], str]) -> list[str]:
    """One paragraph per source, in source order, sentences in their original order."""
    ordered = sorted(chosen, key=lambda i: (pool[i].item, pool[i].position))
    return [
        " ".join(voice(pool[i].text) for i in group)
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
