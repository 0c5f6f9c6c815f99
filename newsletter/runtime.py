"""What one process works with, built once at its edge and handed down in pieces.

A CLI command and the scheduler (once per run) each build one `Runtime` from the
loaded settings, and `serve`/`preview` hand theirs to the web app factory; the
stages (`pipeline`) and the day's operations take it, and everything below them
takes only the narrow piece it uses: an engine, a folder, a key, a setup
dataclass (`CollectSetup`, `DraftSetup`, `RenderOptions`, `CampaignSetup`). So a
reader of `send/` or `render/` sees what a function depends on from its
signature, a test builds exactly that piece, and the engine, the schema check and
the secret key are made once per process instead of once per call.

Nothing is opened when a `Runtime` is built: the database, the key and the
transport are made when first asked for, so `newsletter status` on a site
without a key still works and a command that never touches the database never
creates one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from newsletter import db
from newsletter.audience.store import SubscriberStore
from newsletter.audience.tokens import secret_key
from newsletter.brief.setup import DraftSetup
from newsletter.collect.setup import CollectSetup
from newsletter.config import Settings, database_url
from newsletter.editions import EditionLog
from newsletter.render.options import Brand, RenderOptions
from newsletter.send.campaign import CampaignSetup
from newsletter.send.sendlog import day_ago, sent_since
from newsletter.send.transports.base import Transport
from newsletter.send.transports.factory import make_transport, sending_threads
from newsletter.signup.limits import SignupLimits
from newsletter.signup.service import SignupService
from newsletter.signup.welcome import LatestEdition

if TYPE_CHECKING:
    from sqlalchemy import Engine


@dataclass(frozen=True)
class Paths:
    """Where a site keeps its files, resolved against the config's folder."""

    root: Path  # the folder of newsletter.toml
    data_dir: Path  # editions/, outbox/, the local key of an offline site
    templates_dir: Path | None  # templates overriding the bundled ones, file by file
    jekyll_posts_dir: Path | None  # a Jekyll `_posts` folder `render` writes into

    @classmethod
    def of(cls, settings: Settings) -> Paths:
        return cls(
            root=settings.root,
            data_dir=settings.data_dir,
            templates_dir=settings.templates_dir,
            jekyll_posts_dir=settings.jekyll_posts_dir,
        )

    @property
    def editions_dir(self) -> Path:
        return self.data_dir / "editions"

    def edition_dir(self, day: date | str) -> Path:
        """`editions/YYYY-MM-DD/`: every file of one edition, stage by stage."""
        return self.editions_dir / str(day)

    def outbox_dir(self, day: date | str) -> Path:
        """Where the offline (outbox) transport writes one .eml per recipient."""
        return self.data_dir / "outbox" / str(day)


@dataclass(frozen=True)
class Clock:
    """The time, as the newsletter's time zone sees it; a test passes a fixed `now`."""

    zone: ZoneInfo
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    def today(self) -> date:
        """Today where the readers are: the default edition date."""
        return self.now().astimezone(self.zone).date()


class Runtime:
    """The settings plus what is built from them once: paths, clock, engine, stores, key.

    The edges keep `settings` for the words they print; code below the edges
    reads the typed pieces (`runtime.engine`, `runtime.paths`,
    `runtime.settings.collect` handed down as a `CollectSettings`, …).
    """

    def __init__(self, settings: Settings, *, clock: Clock | None = None) -> None:
        self.settings = settings
        self.paths = Paths.of(settings)
        self.clock = clock or Clock(settings.zone)

    @cached_property
    def render_options(self) -> RenderOptions:
        return render_options(self.settings)

    @cached_property
    def collect_setup(self) -> CollectSetup:
        """What `collect` reads: the feeds, `[collect]`, the window's length (doctor too)."""
        settings = self.settings
        return CollectSetup(
            feeds=settings.feeds,
            root=self.paths.root,
            collect=settings.collect,
            base_url=settings.newsletter.base_url,
            window_hours=settings.brief.window_hours,
        )

    @cached_property
    def draft_setup(self) -> DraftSetup:
        """What `draft` reads: `[brief]`, the model providers, the name and the language."""
        settings = self.settings
        return DraftSetup(
            brief=settings.brief,
            name=settings.newsletter.name,
            language=settings.newsletter.language,
            bedrock=settings.bedrock,
            openai=settings.openai,
            region=settings.sender.region,
            collect=settings.collect,
            base_url=settings.newsletter.base_url,
        )

    @cached_property
    def database_url(self) -> str:
        return database_url(self.settings)

    @cached_property
    def engine(self) -> Engine:
        """The one engine of this process, its schema brought up to date on first use."""
        return db.ready(self.database_url)

    @cached_property
    def subscribers(self) -> SubscriberStore:
        return SubscriberStore(self.engine)

    @cached_property
    def editions(self) -> EditionLog:
        return EditionLog(self.engine)

    @cached_property
    def secret(self) -> str:
        """The key that signs unsubscribe and confirmation links (SecretKeyError if unusable).

        Read on first use, not at construction: commands that sign nothing must
        work on a site whose key is not set yet.
        """
        return secret_key(transport=self.settings.sender.transport, data_dir=self.paths.data_dir)

    def transport(self, day: date) -> Transport:
        """A new transport for the campaign of `day` (each campaign closes its own)."""
        settings = self.settings
        return make_transport(
            settings.sender,
            settings.smtp,
            root=self.paths.root,
            outbox=self.paths.outbox_dir(day),
            sent_last_24h=lambda: sent_since(self.engine, day_ago()),
        )

    def signup(
        self,
        store: SubscriberStore,
        secret: str,
        *,
        latest_edition: Callable[[], LatestEdition | None] | None = None,
    ) -> SignupService:
        """The double opt-in rules of the web form and of `subscribers add --confirm`, on
        `store` with `secret` (the web app lets a test hand in its own of both)."""
        settings = self.settings
        return SignupService(
            settings.identity,
            settings.newsletter,
            store,
            secret,
            limits=SignupLimits.from_settings(settings.signup),
            transport_factory=self.transport,
            latest_edition=latest_edition,
        )

    def campaign(self) -> CampaignSetup:
        """What `send`, a dry run and a test copy use (reads the key: SecretKeyError)."""
        settings, secret = self.settings, self.secret
        return CampaignSetup(
            engine=self.engine,
            identity=settings.identity,
            sender=settings.sender,
            threads=sending_threads(settings.sender, settings.smtp),
            secret=secret,
            transport=self.transport,
        )


def render_options(settings: Settings) -> RenderOptions:
    """What render and the public site read of the settings (identity, brand, gates, templates).

    `Runtime.render_options` holds the process's copy; tests and benches that build
    settings alone (no database, no key) call this.
    """
    return RenderOptions(
        identity=settings.identity,
        brand=Brand.of(settings.newsletter),
        gates=settings.gates,
        templates=settings.templates_dir,
        send_time=settings.newsletter.send_time,
        zone=settings.zone,
    )
