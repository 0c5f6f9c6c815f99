"""The settings' shapes: one frozen dataclass per table of `newsletter.toml`.

A field's type is what the loader (`config.loading`) coerces the TOML value to and
its default is what an absent key means; the comment beside it is the one-line
meaning the starter config repeats. `Settings` adds the values derived from
several tables (the folders resolved against the config's, the list id, the
send moment).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

CONFIG_ENV = "NEWSLETTER_CONFIG"
CONFIG_NAME = "newsletter.toml"


class ConfigError(Exception):
    """A problem with the configuration; the message is one line naming the file and key."""


class ConfigNotFound(ConfigError):
    """No config file at `path` (where to look next is the caller's to advise)."""

    def __init__(self, path: Path) -> None:
        if path.is_dir():
            inside = path / CONFIG_NAME
            hint = f" (did you mean {inside}?)" if inside.is_file() else ""
            super().__init__(f"{path}: a folder; --config takes the file{hint}")
        else:
            super().__init__(f"{path}: config file not found")
        self.path = path


@dataclass(frozen=True)
class NewsletterSettings:
    name: str
    language: str = "ko"
    timezone: str = "Asia/Seoul"
    send_time: str = "07:00"
    catch_up_minutes: int = 120  # `schedule` started this late after send_time still sends
    base_url: str = "http://127.0.0.1:8000"
    data_dir: str = "."
    postal_address: str = ""
    list_id: str = ""
    description: str = ""  # one or two sentences on the public site's front page
    accent_color: str = "#1d4ed8"  # links, labels and the takeaway bar (a #rrggbb colour)
    logo_url: str = ""  # an absolute https URL of the masthead logo (empty: the name as text)
    logo_alt: str = ""  # the logo's alt text (default: the newsletter's name)
    footer_note: str = ""  # one extra line in every edition's footer
    approval: str = "auto"  # auto: daily sends; manual: daily waits for `newsletter approve`
    editors: list[str] = field(default_factory=list)  # get a test copy of a held edition
    approve_by: str = ""  # HH:MM on the edition's day: not approved by then → skipped


@dataclass(frozen=True)
class SenderSettings:
    from_: str
    transport: str = "ses"
    region: str = "us-east-1"
    endpoint_url: str = ""
    configuration_set: str = ""
    reply_to: str = ""
    # a mailbox someone reads (or a program processes): offered in List-Unsubscribe as a
    # mailto beside the one-click link; unset, the header carries the link alone
    unsubscribe_mailbox: str = ""
    max_rate: float = 0.0
    daily_quota: int = 0
    workers: int = 8


@dataclass(frozen=True)
class SmtpSettings:
    """`sender.transport = "smtp"`: a relay (SES's SMTP endpoint, Postmark, a company server)."""

    host: str = ""
    port: int = 587
    security: str = "starttls"  # starttls | tls (implicit TLS, port 465) | none
    username: str = ""
    password_env: str = "NEWSLETTER_SMTP_PASSWORD"  # the variable holding the password
    connections: int = 4  # kept-alive connections, one per sending thread
    ca_file: str = ""  # trust this CA (PEM) instead of the system's, e.g. a company relay
    timeout: float = 30.0  # seconds to wait for one reply
    max_per_day: int = 0  # messages per rolling 24 hours; 0: no limit (a relay has no quota API)


@dataclass(frozen=True)
class DatabaseSettings:
    url: str = "sqlite:///subscribers/newsletter.db"


@dataclass(frozen=True)
class BriefSettings:
    max_stories: int = 5
    window_hours: int = 24
    writer: str = "extractive"
    max_per_section: int = 2
    concurrency: int = 4  # stories a model writer writes at once
    cache: bool = True  # keep model replies in the database: a re-draft asks nothing twice
    emoji: dict[str, str] = field(default_factory=dict)  # section → emoji, over the defaults
    topics: list[str] = field(default_factory=list)  # the beat: phrases, any language
    exclude: list[str] = field(default_factory=list)  # stories about these are never picked
    fetch_articles: bool = True  # read the selected stories' article pages
    article_mirror: str = ""  # read https://host/path as {mirror}host/path (a local copy)


@dataclass(frozen=True)
class BedrockSettings:
    """The `bedrock` writer: one Converse call per story (AWS credentials from the environment)."""

    model_id: str = "anthropic.claude-3-haiku-20240307-v1:0"
    region: str = ""  # default: sender.region
    endpoint_url: str = ""
    max_tokens: int = 1200
    temperature: float = 0.3
    timeout: float = 60.0  # seconds to wait for one reply
    max_attempts: int = 4  # tries per story when throttled
    price_input_per_1k: float = 0.00025  # USD per 1,000 input tokens (for the cost estimate)
    price_output_per_1k: float = 0.00125


@dataclass(frozen=True)
class OpenAISettings:
    """The `openai` writer: any OpenAI-compatible Chat Completions server (OpenAI, Ollama…)."""

    base_url: str = "https://api.openai.com/v1"
    model: str = "gpt-4o-mini"
    api_key_env: str = "OPENAI_API_KEY"  # the variable holding the key; a local server needs none
    timeout: float = 60.0  # seconds to wait for one reply
    max_tokens: int = 1200
    temperature: float = 0.3
    max_attempts: int = 4  # tries per story when throttled (429/503)
    structured: str = "auto"  # auto | tools | json: how the reply's JSON is asked for
    price_input_per_1m: float = 0.15  # USD per 1,000,000 input tokens (for the cost line)
    price_output_per_1m: float = 0.60


@dataclass(frozen=True)
class GatesSettings:
    """Content gates: `warn` lists the finding, `block` stops `render`."""

    language_mismatch: str = "warn"  # text in another language under an edition-language heading
    keyword_title: str = "warn"  # a title that is a keyword list or one word
    title_is_headline: str = "warn"  # a summary title repeating the headline
    repeated_sentence: str = "warn"  # one sentence twice within a story
    boilerplate: str = "warn"  # feed furniture ("Continue reading", "무단 전재") left in text
    missing_why: str = "warn"  # stories without 왜 중요한가 / Why it matters
    missing_takeaway: str = "warn"  # stories without a takeaway


@dataclass(frozen=True)
class CollectSettings:
    concurrency: int = 16  # feed bodies downloading or waiting to be parsed
    connections: int = 100  # requests waiting on servers (httpx's and aiohttp's default too)
    per_host: int = 4  # requests to one host
    connect_timeout: float = 5.0
    total_timeout: float = 20.0
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    dedupe_threshold: float = 0.45
    user_agent: str = ""
    parse_workers: int = 0
    # Feeds and article pages on loopback/private/link-local addresses: refused unless
    # true (all of them) or a list of networks ("10.0.0.0/8", "192.168.1.20/32").
    allow_private_networks: bool | list[str] = False


@dataclass(frozen=True)
class FeedbackSettings:
    """SES bounce/complaint notifications: the SNS webhook of `serve` and `feedback poll`."""

    transient_bounce_limit: int = 3  # soft bounces before an address counts as bounced
    transient_bounce_days: int = 30  # a soft bounce this long after the last restarts the count
    topic_arns: str = ""  # SNS topic ARN(s), comma-separated, whose messages are accepted
    queue_url: str = ""  # the SQS queue `newsletter feedback poll` drains
    region: str = ""  # default: sender.region
    endpoint_url: str = ""  # a local SQS endpoint (tests)
    track_opens: bool = False  # keep SES Open events (who opened which edition): a privacy choice
    track_clicks: bool = False  # keep SES Click events (who clicked which story)


@dataclass(frozen=True)
class SignupSettings:
    """Double opt-in: how long its links live and how often one address or network may ask."""

    confirm_days: int = 7  # a confirmation link works this long
    unconfirmed_days: int = 30  # `daily` deletes signups nobody confirmed after this
    address_interval_minutes: int = 10  # one confirmation mail per address in this time…
    address_per_day: int = 5  # …and at most this many in 24 hours
    network_per_hour: int = 20  # signup requests per client network (IPv4 or IPv6 /64)


@dataclass(frozen=True)
class RenderSettings:
    """Where the edition's templates come from (see README "Branding and templates")."""

    templates_dir: str = ""  # a folder of templates overriding the bundled ones, file by file


@dataclass(frozen=True)
class PublishSettings:
    """Copies of each edition for places outside the mailbox (a Jekyll blog)."""

    jekyll_posts_dir: str = ""  # a Jekyll `_posts` folder: `render` writes YYYY-MM-DD-slug.md
    jekyll_slug: str = ""  # the file name's slug; default: from the title or the list id
    jekyll_git_commit: bool = False  # commit the post when the folder is in a git repository


@dataclass(frozen=True)
class FeedSettings:
    url: str
    section: str = "tech"
    name: str = ""
    weight: float = 1.0
    include: list[str] = field(default_factory=list)  # keep only entries about these
    exclude: list[str] = field(default_factory=list)  # leave out entries about these


@dataclass(frozen=True)
class Identity:
    """Who the list is: the facts every message and public page of it states.

    Derived once from the settings (`Settings.identity`) and handed to what
    builds messages and pages, so they need not read the whole `Settings`.
    """

    name: str
    language: str
    list_id: str  # RFC 2919
    public_url: str  # base_url without a trailing slash: every public link starts here
    sender: str  # the From header as configured ("Name <addr>")
    reply_to: str
    postal_address: str
    unsubscribe_mailbox: str = ""  # List-Unsubscribe's mailto, when someone reads it


@dataclass(frozen=True)
class Settings:
    newsletter: NewsletterSettings
    sender: SenderSettings
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    brief: BriefSettings = field(default_factory=BriefSettings)
    bedrock: BedrockSettings = field(default_factory=BedrockSettings)
    openai: OpenAISettings = field(default_factory=OpenAISettings)
    gates: GatesSettings = field(default_factory=GatesSettings)
    collect: CollectSettings = field(default_factory=CollectSettings)
    feedback: FeedbackSettings = field(default_factory=FeedbackSettings)
    signup: SignupSettings = field(default_factory=SignupSettings)
    render: RenderSettings = field(default_factory=RenderSettings)
    publish: PublishSettings = field(default_factory=PublishSettings)
    feeds: list[FeedSettings] = field(default_factory=list)
    path: Path = Path(CONFIG_NAME)

    @property
    def root(self) -> Path:
        """The folder of the config file: relative paths in it are relative to here."""
        return self.path.parent

    @property
    def data_dir(self) -> Path:
        return self.root / self.newsletter.data_dir

    @property
    def templates_dir(self) -> Path | None:
        """`render.templates_dir` against the config's folder; else the legacy
        `$NEWSLETTER_TEMPLATES`; None: the bundled templates only."""
        configured = self.render.templates_dir or os.environ.get("NEWSLETTER_TEMPLATES", "")
        return (self.root / configured).resolve() if configured else None

    @property
    def jekyll_posts_dir(self) -> Path | None:
        folder = self.publish.jekyll_posts_dir
        return (self.root / folder).expanduser() if folder else None

    @property
    def public_url(self) -> str:
        """`base_url` without a trailing slash: every public link is built on it."""
        return self.newsletter.base_url.rstrip("/")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.newsletter.timezone)

    def approval_deadline(self, day: date) -> datetime | None:
        """The last moment the edition of `day` may still be approved and sent (aware)."""
        if not self.newsletter.approve_by:
            return None
        hour, minute = (int(part) for part in self.newsletter.approve_by.split(":"))
        return datetime.combine(day, time(hour, minute), tzinfo=self.zone)

    def send_moment(self, day: date) -> datetime:
        """When the edition of `day` goes out (aware); the collection window ends here."""
        hour, minute = (int(part) for part in self.newsletter.send_time.split(":"))
        return datetime.combine(day, time(hour, minute), tzinfo=self.zone)

    def today(self) -> date:
        """Today in the newsletter's time zone: the default edition date."""
        return datetime.now(self.zone).date()

    @property
    def identity(self) -> Identity:
        return Identity(
            name=self.newsletter.name,
            language=self.newsletter.language,
            list_id=self.list_id,
            public_url=self.public_url,
            sender=self.sender.from_,
            reply_to=self.sender.reply_to,
            postal_address=self.newsletter.postal_address,
            unsubscribe_mailbox=self.sender.unsubscribe_mailbox,
        )

    @property
    def list_id(self) -> str:
        """The RFC 2919 list identifier, derived from the sender's domain unless configured."""
        if self.newsletter.list_id:
            return self.newsletter.list_id
        domain = self.sender.from_.rsplit("@", 1)[-1].strip(" >")
        slug = re.sub(r"[^a-z0-9]+", "-", self.newsletter.name.lower()).strip("-") or "newsletter"
        return f"{slug}.{domain}"
