"""The newsletter's own Atom feed: every recent edition with its full content.

Atom rather than RSS because Atom requires what feed readers need to get updates
right (a stable id per entry, `updated` times, a typed content); feedgen writes it.
"""

from __future__ import annotations

from typing import Protocol

from feedgen.feed import FeedGenerator

from newsletter.config import Settings
from newsletter.render.context import preheader_for
from newsletter.site.archive import PublicEdition


class FeedSource(Protocol):
    """What the feed needs of the site's pages (`pages.SitePages`, which imports this)."""

    settings: Settings
    base: str

    @property
    def feed_url(self) -> str: ...

    def edition_url(self, edition: PublicEdition) -> str: ...

    def feed_content(self, edition: PublicEdition) -> str: ...


def atom_feed(pages: FeedSource, editions: list[PublicEdition]) -> bytes:
    """The Atom document of `editions` (newest first)."""
    newsletter = pages.settings.newsletter
    feed = FeedGenerator()
    feed.id(f"{pages.base}/")
    feed.title(newsletter.name)
    if newsletter.description:
        feed.subtitle(newsletter.description)
    feed.author({"name": newsletter.name})
    feed.link(href=f"{pages.base}/", rel="alternate", type="text/html")
    feed.link(href=pages.feed_url, rel="self", type="application/atom+xml")
    feed.language(newsletter.language)
    if newsletter.logo_url:
        feed.logo(newsletter.logo_url)
    feed.generator("newsletter")
    newest = max((e.updated for e in editions), default=None)
    if newest is not None:
        feed.updated(newest)
    for edition in reversed(editions):  # feedgen prepends: the newest ends up first
        entry = feed.add_entry()
        url = pages.edition_url(edition)
        entry.id(url)
        entry.title(edition.title)
        entry.link(href=url, rel="alternate", type="text/html")
        entry.published(edition.published)
        entry.updated(edition.updated)
        entry.summary(preheader_for(edition.briefing))
        entry.content(pages.feed_content(edition), type="html")
    document: bytes = feed.atom_str(pretty=True)
    return document
