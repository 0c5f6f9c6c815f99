"""What a writer is: one story cluster in, one Story out.

Writers differ in how they word a story (extractive sentences offline, a model
when configured) but never in what a Story contains, so the renderer and the
hand-editing workflow do not care which one wrote it.
"""

from __future__ import annotations

from typing import Protocol

from newsletter.brief.select import Cluster
from newsletter.model import Source, Story

#: Emoji per section; a section not listed gets the generic newspaper.
SECTION_EMOJI: dict[str, str] = {
    "ai": "🤖",
    "hardware": "🔌",
    "policy": "🌐",
    "funding": "💰",
    "tools": "🛠️",
    "security": "🔒",
    "science": "🔬",
    "mobile": "📱",
    "cloud": "☁️",
    "tech": "💡",
}
DEFAULT_EMOJI = "📰"


class Writer(Protocol):
    """Turns one cluster of items into one Story in the edition's language."""

    def write(self, cluster: Cluster, language: str) -> Story: ...


def emoji_for(section: str) -> str:
    return SECTION_EMOJI.get(section.lower(), DEFAULT_EMOJI)


def sources_of(cluster: Cluster) -> list[Source]:
    """Every distinct article of the cluster, so readers can check each publisher."""
    seen: set[str] = set()
    sources = []
    for item in cluster.items:
        if item.url in seen:
            continue
        seen.add(item.url)
        sources.append(Source(item.title, item.url, item.feed_title, item.published))
    return sources
