"""Choose the day's stories from the collected items, and say why for each one.

Score = relevance to the beat + independent publishers + feed weight + recency,
minus a penalty for what is not news. With `[brief] topics` set, a story that
talks about none of them is off the beat and never picked, however many feeds
carry it; `[brief] exclude` phrases keep a story out; questions, deals, live
blogs, job posts and discussion threads (`newsworthy`) are demoted below all
news and not picked. Among the rest, a story that several independent publishers
report is more likely to matter, so the number of distinct publishers counts
most (two feeds of one site are one voice); a topic in the headline helps, feed
weight and recency break ties; a per-section cap keeps one busy topic from
filling the edition. Every candidate keeps its score parts and the reason it was
or was not picked, for `draft --explain` and the draft report. The order is fully determined by the
input *set* (not its order), so a re-run drafts the same edition. Everything is
linear in the number of items apart from one sort of the clusters.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from urllib.parse import urlsplit

from newsletter.brief.newsworthy import label, not_news
from newsletter.model import Item
from newsletter.text.topics import Matcher

SOURCE_POINTS = 3.0  # one more independent publisher outweighs any weight or recency bonus
RECENCY_HALF_LIFE_HOURS = 12.0
TOPIC_POINTS = 2.0  # per beat topic in a headline (half that in the text only)
MAX_TOPIC_POINTS = 4.0  # relevance helps, but two more publishers still count more
NOT_NEWS_PENALTY = 8.0  # below every news story: shown in the explanation, never picked
BEAT_CHARS = 600  # of each item's text the beat is looked for in (the lead says the topic)


@dataclass(frozen=True)
class Cluster:
    """Items reporting one story, best first; `items[0]` gives the headline and section."""

    key: str
    items: tuple[Item, ...]

    @property
    def section(self) -> str:
        return self.items[0].section

    @cached_property
    def publishers(self) -> int:
        """Independent voices: distinct sites, so a site's two feeds count once."""
        return len({publisher_of(item) for item in self.items})

    @property
    def newest(self) -> datetime:
        return max(item.published for item in self.items)

    @property
    def weight(self) -> float:
        return max(item.weight for item in self.items)


def publisher_of(item: Item) -> str:
    """The article's site without `www.`: the unit of independence between sources."""
    host = urlsplit(item.url).hostname or item.feed_url
    return host.removeprefix("www.")


def in_window(items: list[Item], *, now: datetime, hours: int) -> list[Item]:
    """Items published in (now − hours, now]: the same window the collector applies."""
    start = now - timedelta(hours=hours)
    return [item for item in items if start < item.published <= now]


def clusters_of(items: list[Item]) -> list[Cluster]:
    """Group items by `Item.cluster` (the collector's dedupe); an item without one stands alone.

    Inside a cluster the heaviest feed leads, then the fuller text, then the id, so
    the headline does not depend on the order items arrive in.
    """
    groups: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        groups[item.cluster or item.id].append(item)
    return [
        Cluster(key, tuple(sorted(group, key=lambda i: (-i.weight, -len(i.summary), i.id))))
        for key, group in groups.items()
    ]


@dataclass(frozen=True)
class Beat:
    """What the newsletter is about: `[brief] topics` and `[brief] exclude` (may be empty)."""

    topics: Matcher = field(default_factory=Matcher)
    exclude: Matcher = field(default_factory=Matcher)

    @classmethod
    def of(cls, topics: list[str], exclude: list[str]) -> Beat:
        return cls(Matcher.of(topics), Matcher.of(exclude))


@dataclass(eq=False)
class Candidate:
    """One story the editor looked at: its score, in parts, and why it was (not) picked."""

    cluster: Cluster
    topic: float = 0.0  # relevance to the beat
    publishers: float = 0.0  # independent publishers telling the story
    weight: float = 0.0  # the best feed weight
    recency: float = 0.0  # 1.0 new → 0.5 at 12 h
    penalty: float = 0.0  # not news (a question, a deal, a live blog, …)
    topics: list[str] = field(default_factory=list)  # beat phrases it talks about
    excluded: list[str] = field(default_factory=list)  # `[brief] exclude` phrases it matches
    not_news: str = ""  # newsworthy kind, when demoted
    picked: int = 0  # its place in the edition (1-based), 0 when not picked
    reason: str = ""  # why it was or was not picked

    @property
    def score(self) -> float:
        return self.topic + self.publishers + self.weight + self.recency - self.penalty

    @property
    def eligible(self) -> bool:
        return not self.excluded and not self.not_news and self.reason != OFF_BEAT

    def parts(self) -> dict[str, float]:
        return {
            "topic": round(self.topic, 2),
            "publishers": round(self.publishers, 2),
            "weight": round(self.weight, 2),
            "recency": round(self.recency, 2),
            "not_news": round(-self.penalty, 2),
        }


OFF_BEAT = "off the beat: no topic matched"


def rank(items: list[Item], *, now: datetime, beat: Beat | None = None) -> list[Candidate]:
    """Every cluster of `items` as a scored Candidate, best first (ties by cluster key)."""
    beat = beat or Beat()
    candidates = []
    for cluster in clusters_of(items):
        candidate = Candidate(cluster)
        if beat.topics or beat.exclude:
            _place_on_beat(candidate, beat)
        candidate.not_news = not_news(cluster.items[0].title)
        if candidate.not_news:
            candidate.penalty = NOT_NEWS_PENALTY
        age_hours = max(0.0, (now - cluster.newest).total_seconds() / 3600)
        candidate.publishers = SOURCE_POINTS * cluster.publishers
        candidate.weight = cluster.weight
        candidate.recency = 1.0 / (1.0 + age_hours / RECENCY_HALF_LIFE_HOURS)
        candidates.append(candidate)
    candidates.sort(key=lambda c: (-c.score, c.cluster.key))
    return candidates


def _place_on_beat(candidate: Candidate, beat: Beat) -> None:
    """The candidate's topics, relevance and excluded phrases."""
    items = candidate.cluster.items
    # The feed's section is the editor's own filing: a "security" feed is on a beat
    # that lists "security", also when a story's words do not say so.
    text = "\n".join(f"{i.title}\n{i.section}\n{i.summary[:BEAT_CHARS]}" for i in items)
    if beat.topics:
        candidate.topics = beat.topics.found(text)
        in_titles = beat.topics.found("\n".join(i.title for i in items)) if candidate.topics else []
        elsewhere = len(candidate.topics) - len(in_titles)
        relevance = TOPIC_POINTS * len(in_titles) + TOPIC_POINTS / 2 * elsewhere
        candidate.topic = min(MAX_TOPIC_POINTS, relevance)
        if not candidate.topics:
            candidate.reason = OFF_BEAT
    if beat.exclude:
        candidate.excluded = beat.exclude.found(text)


def choose(
    items: list[Item],
    *,
    max_stories: int,
    max_per_section: int,
    now: datetime,
    window_hours: int | None = None,
    beat: Beat | None = None,
) -> list[Candidate]:
    """All candidates, best first, the picked ones with `picked` set and every one with a reason.

    Off the beat (topics set, none matched), excluded and not-news candidates are
    never picked; the rest fill the edition best first, at most `max_per_section`
    per section, and on a thin day a capped section may fill the remaining places:
    an edition with a third AI story beats an edition with two stories.
    """
    if window_hours is not None:
        items = in_window(items, now=now, hours=window_hours)
    candidates = rank(items, now=now, beat=beat)
    for candidate in candidates:
        if candidate.excluded:
            candidate.reason = "excluded by [brief] exclude: " + ", ".join(candidate.excluded)
        elif candidate.not_news:
            news = f"not news: looks like {label(candidate.not_news)}"
            candidate.reason = f"{OFF_BEAT}; {news}" if candidate.reason == OFF_BEAT else news
    chosen: list[Candidate] = []
    per_section: dict[str, int] = defaultdict(int)
    for candidate in candidates:
        if len(chosen) == max_stories or not candidate.eligible:
            continue
        section = candidate.cluster.section
        if per_section[section] < max_per_section:
            chosen.append(candidate)
            per_section[section] += 1
        else:
            candidate.reason = f"section {section!r} already has {max_per_section}"
    for candidate in candidates:  # a thin day: capped sections fill the rest
        if len(chosen) == max_stories:
            break
        if candidate.eligible and candidate not in chosen:
            chosen.append(candidate)
    chosen.sort(key=lambda c: (-c.score, c.cluster.key))
    for place, candidate in enumerate(chosen, start=1):
        candidate.picked = place
        candidate.reason = f"picked #{place}" + (
            f" ({', '.join(candidate.topics)})" if candidate.topics else ""
        )
    lowest = chosen[-1].score if chosen else 0.0
    for candidate in candidates:
        if not candidate.picked and candidate.eligible and not candidate.reason:
            candidate.reason = (
                f"below the {len(chosen)} picked (score {candidate.score:.2f} < {lowest:.2f})"
            )
    return candidates


def select_stories(
    items: list[Item],
    *,
    max_stories: int,
    max_per_section: int,
    now: datetime,
    window_hours: int | None = None,
    beat: Beat | None = None,
) -> list[Cluster]:
    """The clusters `choose` picks, in the edition's order."""
    candidates = choose(
        items,
        max_stories=max_stories,
        max_per_section=max_per_section,
        now=now,
        window_hours=window_hours,
        beat=beat,
    )
    picked = sorted((c for c in candidates if c.picked), key=lambda c: c.picked)
    return [candidate.cluster for candidate in picked]
