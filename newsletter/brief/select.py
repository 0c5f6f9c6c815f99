"""Choose the day's stories from the collected items.

A story that several independent publishers report is more likely to matter, so
the number of distinct feeds in a cluster dominates; feed weight and recency
break ties; a per-section cap keeps one busy topic from filling the edition.
The order is fully determined by the input, so a re-run drafts the same edition.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from newsletter.model import Item


@dataclass(frozen=True)
class Cluster:
    """Items reporting one story, best first; `items[0]` gives the headline."""

    key: str
    items: list[Item]

    @property
    def section(self) -> str:
        return self.items[0].section

    @property
    def feeds(self) -> int:
        return len({item.feed_url for item in self.items})

    @property
    def newest(self) -> datetime:
        return max(item.published for item in self.items)


def clusters_of(items: list[Item]) -> list[Cluster]:
    """Group items by `Item.cluster` (the collector's dedupe); an item without one stands alone."""
    groups: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        groups[item.cluster or item.id].append(item)
    return [
        Cluster(key, sorted(group, key=lambda i: (-i.weight, -len(i.summary), i.id)))
        for key, group in groups.items()
    ]


def select_stories(
    items: list[Item], *, max_stories: int, max_per_section: int, now: datetime
) -> list[Cluster]:
    """The top `max_stories` clusters, at most `max_per_section` from one section."""
    ranked = sorted(clusters_of(items), key=lambda c: (-_score(c, now), c.key))
    chosen: list[Cluster] = []
    per_section: dict[str, int] = defaultdict(int)
    for cluster in ranked:
        if per_section[cluster.section] >= max_per_section:
            continue
        chosen.append(cluster)
        per_section[cluster.section] += 1
        if len(chosen) == max_stories:
            break
    if len(chosen) < max_stories:  # a thin day: fill from capped sections rather than send less
        for cluster in ranked:
            if cluster not in chosen:
                chosen.append(cluster)
            if len(chosen) == max_stories:
                break
    return chosen


def _score(cluster: Cluster, now: datetime) -> float:
    age_hours = max(0.0, (now - cluster.newest).total_seconds() / 3600)
    recency = 1.0 / (1.0 + age_hours / 12)  # 1.0 for brand new, 0.5 after 12 h
    weight = max(item.weight for item in cluster.items)
    return 3.0 * cluster.feeds + weight + recency
