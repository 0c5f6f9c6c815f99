"""What a writer is: one story cluster in, one Story out.

Writers differ in how they word a story (extractive sentences offline, a model
when configured) but never in what a Story contains, so the renderer and the
hand-editing workflow do not care which one wrote it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from newsletter.brief.select import Cluster
from newsletter.model import Source, Story

#: Emoji per section (`[brief.emoji]` in the config overrides or extends these);
#: a section not listed gets the generic newspaper.
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


def emoji_table(overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """The defaults with the configured mapping on top; section names compare case-insensitively."""
    table = dict(SECTION_EMOJI)
    table.update({name.lower(): emoji for name, emoji in (overrides or {}).items()})
    return table


def emoji_for(section: str, table: Mapping[str, str] | None = None) -> str:
    return (SECTION_EMOJI if table is None else table).get(section.lower(), DEFAULT_EMOJI)


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
