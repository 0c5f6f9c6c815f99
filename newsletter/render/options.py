"""What rendering reads of the configuration, and nothing more.

An edition, its web copy and the public site's pages state who the list is
(`Identity`), look like the list (`Brand`), pass the configured content gates,
use the operator's templates and date the archive post at the send time. The
edge (`Runtime.render_options`) builds this once from the settings; a test
builds exactly the options it varies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from newsletter.config import GatesSettings, Identity, NewsletterSettings


@dataclass(frozen=True)
class Brand:
    """How the list presents itself beyond its name: colour, logo, footer, front-page blurb."""

    accent: str  # links, labels and the takeaway bar (#rrggbb)
    logo_url: str  # empty: the name as text
    logo_alt: str  # empty: the name
    footer_note: str  # one extra line in every edition's footer
    description: str  # one or two sentences on the public site's front page

    @classmethod
    def of(cls, newsletter: NewsletterSettings) -> Brand:
        return cls(
            accent=newsletter.accent_color,
            logo_url=newsletter.logo_url,
            logo_alt=newsletter.logo_alt,
            footer_note=newsletter.footer_note,
            description=newsletter.description,
        )


@dataclass(frozen=True)
class RenderOptions:
    identity: Identity
    brand: Brand
    gates: GatesSettings
    templates: Path | None  # templates overriding the bundled ones; None: the bundled only
    send_time: str  # HH:MM, when each edition goes out
    zone: ZoneInfo  # the time zone of `send_time`

    def send_moment(self, day: date) -> datetime:
        """When the edition of `day` goes out (aware): the archive post's date."""
        return datetime.combine(day, time.fromisoformat(self.send_time), tzinfo=self.zone)
