"""What a collect run reads from the configuration, handed in by whoever runs it.

The collector sees the feeds, the `[collect]` limits, the folder local feed paths
are relative to, the public address it names in its User-Agent and the window's
length, and nothing else of the settings: a test or a bench builds exactly these,
and `doctor` probes the feeds with the same locations and limits a collect uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from newsletter.collect.fetch import Limits, default_user_agent
from newsletter.config import CollectSettings, FeedSettings, feed_location


@dataclass(frozen=True)
class CollectSetup:
    feeds: list[FeedSettings]  # [[feeds]] in order: of two at one location, the first counts
    root: Path  # the config's folder: a feed given as a path is read from there
    collect: CollectSettings
    base_url: str  # [newsletter] base_url: where a publisher can see who we are
    window_hours: int  # [brief] window_hours: items published this long before the send

    def locations(self) -> list[str]:
        """Each feed's URL, or its local path resolved against `root`."""
        return [feed_location(self.root, feed) for feed in self.feeds]

    def limits(self) -> Limits:
        """The `[collect]` limits and network policy, with our User-Agent unless configured."""
        return Limits.of(self.collect, default_user_agent(self.base_url))
