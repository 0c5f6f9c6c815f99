"""The public site's pages as bytes: what `serve` answers and `publish` writes.

Every link is absolute on `base_url`, so the same page works from `serve`, from a
static host and inside a feed reader. Page templates are `templates/web/*.html.j2`
(overridable through `[render] templates_dir` like the edition's).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from newsletter.i18n import catalog
from newsletter.render.context import (
    build_view,
    long_date,
    preheader_for,
    title_is_name_and_date,
)
from newsletter.render.edition import render_web_html
from newsletter.render.environment import render_template
from newsletter.render.options import RenderOptions
from newsletter.signup.welcome import LatestEdition
from newsletter.site.archive import WEB_PAGE, Archive, PublicEdition
from newsletter.site.feed import atom_feed
from newsletter.text.script import foreign_script

PAGE_SIZE = 20  # editions per archive page
LATEST = 5  # editions on the front page
HTML = "text/html; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Headline(str):
    """A headline as the lists show it, with `lang` set when it is in another script than
    the site's (a quoted source): a screen reader then reads it in that language's voice.
    A `str`, so a template written for plain headlines keeps working."""

    lang: str = ""

    @classmethod
    def of(cls, text: str, language: str) -> Headline:
        headline = cls(text)
        if foreign_script(text, language):
            headline.lang = "en" if language == "ko" else "ko"
        return headline


@dataclass(frozen=True)
class Page:
    body: bytes
    media_type: str = HTML
    updated: datetime | None = None  # Last-Modified; None: unknown (the 404 page)
    status: int = 200


class SitePages:
    """Builds each page from the archive on demand (the server) or all at once (`publish`)."""

    def __init__(self, options: RenderOptions, archive: Archive) -> None:
        self.options = options
        self.identity = options.identity
        self.archive = archive
        self.base = self.identity.public_url
        self.words = catalog(self.identity.language)

    # -- the pages ------------------------------------------------------------------------

    def landing(self) -> Page:
        editions = self.archive.editions()
        html = self._render(
            "web/landing.html.j2",
            editions=[self._entry(e) for e in editions[:LATEST]],
            more=len(editions) > LATEST,
        )
        return Page(html, updated=_newest(editions))

    def archive_page(self, number: int) -> Page | None:
        """Page `number` (1 = newest) of the archive; None past the last page."""
        editions = self.archive.editions()
        pages = max(1, math.ceil(len(editions) / PAGE_SIZE))
        if not 1 <= number <= pages:
            return None
        shown = editions[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
        html = self._render(
            "web/archive.html.j2",
            editions=[self._entry(e) for e in shown],
            page=number,
            pages=pages,
            newer=self.archive_url(number - 1) if number > 1 else "",
            older=self.archive_url(number + 1) if number < pages else "",
        )
        return Page(html, updated=_newest(editions))

    def latest(self) -> LatestEdition | None:
        """The newest public edition, for the welcome mail."""
        editions = self.archive.editions()
        if not editions:
            return None
        newest = editions[0]
        day = long_date(newest.day, self.identity.language)
        return LatestEdition(newest.title, self.edition_url(newest), day)

    def archive_count(self) -> int:
        return max(1, math.ceil(len(self.archive.editions()) / PAGE_SIZE))

    def edition(self, day: str) -> Page | None:
        """The edition of `day` as the web copy rendered with it; None if not public."""
        found = next((e for e in self.archive.editions() if e.day.isoformat() == day), None)
        if found is None:
            return None
        return Page(self.edition_html(found), updated=found.updated)

    def edition_html(self, edition: PublicEdition) -> bytes:
        try:
            return (edition.directory / WEB_PAGE).read_bytes()
        except FileNotFoundError:  # rendered before web.html existed: render it now
            return render_web_html(edition.briefing, self.options).encode("utf-8")

    def feed(self) -> Page:
        editions = self.archive.editions()[:PAGE_SIZE]
        return Page(atom_feed(self, editions), ATOM, _newest(editions))

    def not_found(self) -> Page:
        return Page(self._render("web/not-found.html.j2"), status=404)

    # -- shared pieces ----------------------------------------------------------------------

    def archive_url(self, number: int) -> str:
        return f"{self.base}/archive/" if number <= 1 else f"{self.base}/archive/page/{number}/"

    def edition_url(self, edition: PublicEdition) -> str:
        return f"{self.base}{edition.path}"

    @property
    def feed_url(self) -> str:
        return f"{self.base}/feed.xml"

    def feed_content(self, edition: PublicEdition) -> str:
        """The whole edition as plain semantic HTML: what a feed reader shows."""
        view = build_view(edition.briefing, self.options, web=True)
        return render_template("web/feed-entry.html.j2", templates=self.options.templates, v=view)

    def _entry(self, edition: PublicEdition) -> dict[str, Any]:
        stories = self.words.plural("site.stories_count", len(edition.briefing.stories))
        return {
            "url": self.edition_url(edition),
            "title": edition.title,
            "title_is_date": title_is_name_and_date(edition.title, self.identity.name, edition.day),
            "date": long_date(edition.day, self.identity.language),
            "iso": edition.day.isoformat(),
            "count": stories,
            "headlines": [Headline.of(h, self.identity.language) for h in edition.headlines],
            "preheader": preheader_for(edition.briefing),
        }

    def _render(self, template: str, **context: Any) -> bytes:
        identity, brand = self.identity, self.options.brand
        site = self.words.table("site")
        return render_template(
            template,
            templates=self.options.templates,
            language=identity.language,
            name=identity.name,
            description=brand.description,
            accent=brand.accent,
            logo_url=brand.logo_url,
            logo_alt=brand.logo_alt or identity.name,
            postal_address=identity.postal_address,
            base=self.base,
            home_url=f"{self.base}/",
            archive_url=self.archive_url(1),
            subscribe_url=f"{self.base}/subscribe",
            feed_url=self.feed_url,
            site=site,
            promise=site["promise"].format(time=self.options.send_time, zone=self.options.zone.key),
            archive_intro=site["archive_intro"].format(name=identity.name),
            **context,
        ).encode("utf-8")


def _newest(editions: list[PublicEdition]) -> datetime:
    return max((e.updated for e in editions), default=EPOCH)
