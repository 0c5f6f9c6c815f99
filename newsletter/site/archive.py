"""Which editions are public, and what the site shows of each.

An edition becomes public when its send starts (`editions.sending_at`): a draft,
an edition held for approval or one that failed before sending is never on the
site, so the archive cannot leak tomorrow's edition or one an editor rejected.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Engine, select

from newsletter import schema
from newsletter.brief.briefing_file import BRIEFING_NAME, load_briefing
from newsletter.model import Briefing, ModelError

WEB_PAGE = "web.html"


@dataclass(frozen=True)
class PublicEdition:
    day: date
    briefing: Briefing
    directory: Path  # editions/YYYY-MM-DD/
    published: datetime  # when its send began (aware, UTC)
    updated: datetime  # the later of that and the last render of its web page

    @property
    def title(self) -> str:
        return self.briefing.title

    @property
    def headlines(self) -> list[str]:
        return [f"{s.emoji} {s.headline}".strip() for s in self.briefing.stories]

    @property
    def path(self) -> str:
        """Its address on the site, below base_url."""
        return f"/archive/{self.day.isoformat()}/"


class Archive:
    """The public editions, read from the database and the edition folders on each call.

    Briefings are parsed once per change of their file (a server answering the archive
    page every few seconds must not re-read a year of JSON each time).
    """

    def __init__(self, engine: Engine, editions_dir: Path) -> None:
        self.engine = engine
        self.editions_dir = editions_dir
        self.table = schema.editions
        self._briefings: dict[Path, tuple[int, Briefing]] = {}

    def editions(self) -> list[PublicEdition]:
        """Every edition whose send started and whose briefing is on disk, newest first."""
        table = self.table
        query = (
            select(table.c.edition, table.c.sending_at)
            .where(table.c.sending_at.is_not(None))
            .order_by(table.c.edition.desc())
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        found = []
        for edition, sending_at in rows:
            public = self._load(self.editions_dir / edition, _utc(sending_at))
            if public is not None:
                found.append(public)
        return found

    def _load(self, directory: Path, published: datetime) -> PublicEdition | None:
        briefing = self._briefing(directory)
        if briefing is None:
            return None  # the files were removed or broken by hand: not on the site
        try:
            rendered = datetime.fromtimestamp((directory / WEB_PAGE).stat().st_mtime, UTC)
        except FileNotFoundError:
            rendered = published
        updated = max(published, rendered)
        return PublicEdition(briefing.date, briefing, directory, published, updated)

    def _briefing(self, directory: Path) -> Briefing | None:
        try:
            stamp = (directory / BRIEFING_NAME).stat().st_mtime_ns
        except FileNotFoundError:
            return None
        cached = self._briefings.get(directory)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        try:
            briefing = load_briefing(directory)
        except (FileNotFoundError, ModelError, ValueError):
            return None
        self._briefings[directory] = (stamp, briefing)
        return briefing


def find_edition(editions: list[PublicEdition], text: str) -> PublicEdition | None:
    """The public edition of the date `text` (YYYY-MM-DD), if there is one."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return next((edition for edition in editions if edition.day == day), None)


def _utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; every time stored in `editions` is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
