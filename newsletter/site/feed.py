"""The newsletter's own Atom feed: every recent edition with its full content.

Atom rather than RSS because Atom requires what feed readers need to get updates
right (a stable id per entry, `updated` times, a typed content); feedgen writes it.
"""

from __future__ import annotations

from typing import Protocol

from feedgen.feed import FeedGenerator

from newsletter.render.context import preheader_for
from newsletter.render.options import RenderOptions
from newsletter.site.archive import PublicEdition


class FeedSource(Protocol):
    """What the feed needs of the site's pages (`pages.SitePages`, which imports this)."""

    options: RenderOptions
    base: str

    @property
    def feed_url(self) -> str: ...

    def edition_url(self, edition: PublicEdition) -> str: ...

    def feed_content(self, edition: PublicEdition) -> str: ...


def atom_feed(pages: FeedSource, editions: list[PublicEdition]) -> bytes:
    """The Atom document of `editions` (newest first)."""
    identity, brand = pages.options.identity, pages.options.brand
    feed = FeedGenerator()
    feed.id(f"{pages.base}/")
    feed.title(identity.name)
    if brand.description:
        feed.subtitle(brand.description)
    feed.author({"name": identity.name})
    feed.link(href=f"{pages.base}/", rel="alternate", type="text/html")
    feed.link(href=pages.feed_url, rel="self", type="application/atom+xml")
    feed.language(identity.language)
    if brand.logo_url:
        feed.logo(brand.logo_url)
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
