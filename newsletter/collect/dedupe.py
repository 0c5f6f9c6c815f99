"""The same article once; the same story as one cluster.

Two feeds often carry the same article (an aggregator and the original): its
normalised URL gives it the same id, and the first feed in config order keeps
it. Several outlets reporting the same *news* write different titles, so those
are grouped by similarity instead: titles and leads are reduced to features —
English words (lower-cased, stop words out, plural `s` off) and, for Hangul,
character bigrams inside each word, which is what makes "삼성전자가"/"삼성전자는"
match without a morphological analyser — weighted by how rare each feature is in
the day's items (IDF: "AI" says little, "o5" a lot) and compared by cosine.
Pairs from different feeds at or above `threshold` are joined (union-find), so
a cluster is every item reachable through similar pairs; within one feed,
similar titles are a series ("Weekly roundup #12/#13"), not one story. There is
no translation: an English and a Korean report of the same news stay apart.
Candidate pairs come from an inverted index on title features, so a day of
thousands of items is not a quadratic loop. Each item's features can be made
ahead (`item_features`, in the parse workers or while other feeds are still
downloading) and handed to `cluster`, which then only compares.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import replace

from newsletter.model import Item

DEFAULT_THRESHOLD = 0.45
LEAD_CHARS = 300
TITLE_WEIGHT = 2.0

_WORD = re.compile(r"[0-9a-z]+(?:[.'][0-9a-z]+)*")
_SYLLABLES = re.compile(r"[\uac00-\ud7a3]+|[\u3040-\u30ff\u4e00-\u9fff]+")  # Hangul, kana, CJK
_STOP_TEXT = """a an and are as at be by for from has have how in into is it its of on or that
the their this to was were what when which who why will with new says said after over about
just now more than up out your you we our vs via"""
STOP_WORDS = frozenset(_STOP_TEXT.split())


Features = tuple[list[str], list[str]]  # an item's title features, its lead's features
# Bump when `features` changes: the feed cache keeps features made by this version.
FEATURES = 1


def features(text: str) -> list[str]:
    """Comparable features of a title or lead, English and Korean alike."""
    text = unicodedata.normalize("NFKC", text).lower()
    memo = _TOKENS
    found: list[str] = []
    for token in _WORD.findall(text):
        feature = memo.get(token)
        if feature is None:
            if len(memo) >= _TOKENS_KEPT:
                memo.clear()
            feature = memo[token] = _feature(token)
        if feature:
            found.append(feature)
    if not text.isascii():
        for run in _SYLLABLES.findall(text):
            if len(run) == 1:
                found.append(run)
            else:
                found.extend([run[i : i + 2] for i in range(len(run) - 1)])
    return found


# A day's items use a few thousand distinct words: each is reduced to its feature once.
_TOKENS: dict[str, str] = {}
_TOKENS_KEPT = 100_000


def _feature(token: str) -> str:
    """A word's feature ("" when it does not count): stop words out, plural `s` off."""
    if token in STOP_WORDS or (len(token) < 2 and not token.isdigit()):
        return ""
    token = token.replace("'", "")
    if len(token) > 3 and token[-1] == "s" and token[-2] != "s":
        token = token[:-1]
    return token


def item_features(item: Item) -> Features:
    """What `cluster` compares of one item; pure, so it can be computed anywhere ahead."""
    return features(item.title), features(item.summary[:LEAD_CHARS])


def dedupe(items: list[Item]) -> list[Item]:
    """Drop repeats of the same article (same id); the first occurrence wins."""
    seen: set[str] = set()
    unique = []
    for item in items:
        if item.id not in seen:
            seen.add(item.id)
            unique.append(item)
    return unique


def cluster(
    items: list[Item],
    threshold: float = DEFAULT_THRESHOLD,
    known: dict[str, Features] | None = None,
) -> list[Item]:
    """Items with `cluster` set: the id of the cluster's first-published item.

    `known` holds `item_features` by item id, made ahead; the others are made here."""
    if len(items) < 2:
        return [_labelled(item, item.id) for item in items]
    known = known or {}
    made = [known.get(item.id) or item_features(item) for item in items]
    titles = [set(title) for title, _ in made]
    # Pairs from different feeds only; weights (IDF over all items) only for their members:
    # on most days few items have a candidate at all.
    pairs = [(i, j) for i, j in _candidates(titles) if items[i].feed_url != items[j].feed_url]
    vectors = _vectors([lead for _, lead in made], titles, {k for pair in pairs for k in pair})
    parent = list(range(len(items)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in pairs:  # one feed's "Weekly roundup #12/#13" are a series, not one story
        if root(i) != root(j) and _cosine(vectors[i], vectors[j]) >= threshold:
            parent[root(i)] = root(j)
    groups: dict[int, list[int]] = defaultdict(list)
    for index in range(len(items)):
        groups[root(index)].append(index)
    labelled = list(items)
    for members in groups.values():
        first = min(members, key=lambda k: (items[k].published, items[k].id))
        for k in members:
            labelled[k] = _labelled(items[k], items[first].id)
    return labelled


def _labelled(item: Item, cluster_id: str) -> Item:
    return item if item.cluster == cluster_id else replace(item, cluster=cluster_id)


def _vectors(
    leads: list[list[str]], titles: list[set[str]], wanted: set[int]
) -> dict[int, dict[str, float]]:
    """Unit TF-IDF vectors of the `wanted` items; document frequencies count every item."""
    if not wanted:
        return {}
    frequency: Counter[str] = Counter()
    for lead, title in zip(leads, titles, strict=True):
        frequency.update(title.union(lead))
    total = len(titles)
    vectors = {}
    for k in wanted:
        bag: dict[str, float] = defaultdict(float, Counter(leads[k]))
        for feature in titles[k]:
            bag[feature] += TITLE_WEIGHT
        vector = {
            f: (1.0 + math.log(count)) * (math.log((total + 1) / (frequency[f] + 1)) + 1.0)
            for f, count in bag.items()
        }
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        vectors[k] = {f: v / norm for f, v in vector.items()}
    return vectors


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(value * b.get(key, 0.0) for key, value in a.items())


def _candidates(titles: list[set[str]]) -> list[tuple[int, int]]:
    """Pairs sharing at least two title features; very common features do not count."""
    index: dict[str, list[int]] = defaultdict(list)
    for i, title in enumerate(titles):
        for feature in title:
            index[feature].append(i)
    common = max(20, min(100, len(titles) // 20))
    shared: Counter[tuple[int, int]] = Counter()
    for members in index.values():
        if len(members) > common:
            continue
        for a in range(len(members)):
            for b in range(a + 1, len(members)):
                shared[(members[a], members[b])] += 1
    return sorted(pair for pair, count in shared.items() if count >= 2)
