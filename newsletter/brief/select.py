"""Choose the day's stories from the collected items.

A story that several independent publishers report is more likely to matter, so
the number of distinct publishers in a cluster dominates (two feeds of one
site are one voice); feed weight and recency break ties; a per-section cap keeps
one busy topic from filling the edition. The order is fully determined by the
input *set* (not its order), so a re-run drafts the same edition. Everything is
linear in the number of items apart from one sort of the clusters.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from urllib.parse import urlsplit

from newsletter.model import Item

SOURCE_POINTS = 3.0  # one more independent publisher outweighs any weight or recency bonus
RECENCY_HALF_LIFE_HOURS = 12.0


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

    def score(self, now: datetime) -> float:
        """Publishers first, then the best feed weight, then freshness (1.0 new → 0.5 at 12 h)."""
        age_hours = max(0.0, (now - self.newest).total_seconds() / 3600)
        recency = 1.0 / (1.0 + age_hours / RECENCY_HALF_LIFE_HOURS)
        return SOURCE_POINTS * self.publishers + self.weight + recency


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


def select_stories(
    items: list[Item],
    *,
    max_stories: int,
    max_per_section: int,
    now: datetime,
    window_hours: int | None = None,
) -> list[Cluster]:
    """The top `max_stories` clusters, at most `max_per_section` from one section.

    On a thin day a capped section may fill the remaining places: an edition with
    a third AI story beats an edition with two stories.
    """
    if window_hours is not None:
        items = in_window(items, now=now, hours=window_hours)
    clusters = clusters_of(items)
    scores = {cluster.key: cluster.score(now) for cluster in clusters}
    ranked = sorted(clusters, key=lambda c: (-scores[c.key], c.key))
    chosen: list[Cluster] = []
    taken: set[str] = set()
    per_section: dict[str, int] = defaultdict(int)
    for cluster in ranked:
        if len(chosen) == max_stories:
            break
        if per_section[cluster.section] < max_per_section:
            chosen.append(cluster)
            taken.add(cluster.key)
            per_section[cluster.section] += 1
    for cluster in ranked:
        if len(chosen) == max_stories:
            break
        if cluster.key not in taken:
            chosen.append(cluster)
            taken.add(cluster.key)
    chosen.sort(key=lambda c: (-scores[c.key], c.key))
    return chosen
