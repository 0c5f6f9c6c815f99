"""`newsletter.toml` → typed, validated Settings.

The scheduled send runs with nobody watching, so a typo in the config must fail
at start-up with one line that names the file and the key, never halfway
through a send. Relative paths are resolved against the config file's folder so
that the same file works from any working directory (cron, systemd, `make demo`).
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
import types
import typing
from dataclasses import MISSING, dataclass, field, fields
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from newsletter.i18n import languages

CONFIG_ENV = "NEWSLETTER_CONFIG"
CONFIG_NAME = "newsletter.toml"


class ConfigError(Exception):
    """A problem with the configuration; the message is one line naming the file and key."""


class ConfigNotFound(ConfigError):
    """No config file at `path` (where to look next is the caller's to advise)."""

    def __init__(self, path: Path) -> None:
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
        )

    @property
    def list_id(self) -> str:
        """The RFC 2919 list identifier, derived from the sender's domain unless configured."""
        if self.newsletter.list_id:
            return self.newsletter.list_id
        domain = self.sender.from_.rsplit("@", 1)[-1].strip(" >")
        slug = re.sub(r"[^a-z0-9]+", "-", self.newsletter.name.lower()).strip("-") or "newsletter"
        return f"{slug}.{domain}"


_SECTIONS: dict[str, type] = {
    "newsletter": NewsletterSettings,
    "sender": SenderSettings,
    "smtp": SmtpSettings,
    "database": DatabaseSettings,
    "brief": BriefSettings,
    "bedrock": BedrockSettings,
    "openai": OpenAISettings,
    "gates": GatesSettings,
    "collect": CollectSettings,
    "feedback": FeedbackSettings,
    "signup": SignupSettings,
    "render": RenderSettings,
    "publish": PublishSettings,
}
_CHOICES = {
    "sender.transport": ("ses", "outbox", "smtp"),
    "smtp.security": ("starttls", "tls", "none"),
    "brief.writer": ("extractive", "bedrock", "openai"),
    "openai.structured": ("auto", "tools", "json"),
}
GATE_LEVELS = ("warn", "block")


def find_config(explicit: str | os.PathLike[str] | None = None) -> Path:
    """`--config`, then `$NEWSLETTER_CONFIG`, then `./newsletter.toml`."""
    candidate = explicit or os.environ.get(CONFIG_ENV) or CONFIG_NAME
    path = Path(candidate).expanduser()
    if not path.is_file():
        raise ConfigNotFound(path)
    return path.resolve()


def load_settings(explicit: str | os.PathLike[str] | None = None) -> Settings:
    path = find_config(explicit)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    return parse_settings(raw, path)


def parse_settings(raw: dict[str, Any], path: Path) -> Settings:
    """Validate a parsed TOML document; every error names `path` and the dotted key."""
    unknown = sorted(set(raw) - set(_SECTIONS) - {"feeds"})
    if unknown:
        raise ConfigError(f"{path}: unknown section or key [{unknown[0]}]")
    sections: dict[str, Any] = {}
    for name, cls in _SECTIONS.items():
        table = raw.get(name, {})
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [{name}] must be a table")
        sections[name] = _build(cls, table, name, path)
    feeds_raw = raw.get("feeds", [])
    if not isinstance(feeds_raw, list):
        raise ConfigError(f"{path}: feeds must be an array of tables ([[feeds]])")
    feeds = []
    for index, table in enumerate(feeds_raw):
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: feeds[{index}] must be a table")
        feeds.append(_build(FeedSettings, table, f"feeds[{index}]", path))
    settings = Settings(feeds=feeds, path=path, **sections)
    _check_values(settings, path)
    return settings


def _build(cls: type, table: dict[str, Any], where: str, path: Path) -> Any:
    hints = typing.get_type_hints(cls)
    known = {f.name.rstrip("_"): f for f in fields(cls)}
    for key in table:
        if key not in known:
            raise ConfigError(f"{path}: unknown key {where}.{key}")
    values: dict[str, Any] = {}
    for key, spec in known.items():
        if key not in table:
            if spec.default is MISSING and spec.default_factory is MISSING:
                raise ConfigError(f"{path}: missing required key {where}.{key}")
            continue
        values[spec.name] = _coerce(table[key], hints[spec.name], f"{where}.{key}", path)
    return cls(**values)


def _coerce(value: Any, expected: Any, key: str, path: Path) -> Any:
    if typing.get_origin(expected) is list:  # an array of strings, e.g. newsletter.editors
        if not isinstance(value, list):
            raise ConfigError(f"{path}: {key} must be an array, found {value!r}")
        return [_coerce(item, str, f"{key}[{index}]", path) for index, item in enumerate(value)]
    if typing.get_origin(expected) is dict:  # a table of strings, e.g. [brief.emoji]
        if not isinstance(value, dict):
            raise ConfigError(f"{path}: {key} must be a table, found {value!r}")
        return {name: _coerce(item, str, f"{key}.{name}", path) for name, item in value.items()}
    if isinstance(expected, types.UnionType):
        choices = [t for t in typing.get_args(expected) if t is not type(None)]
        if bool in choices and isinstance(value, bool):
            return value
        fitting = [t for t in choices if isinstance(value, typing.get_origin(t) or t)]
        expected = (fitting or choices)[0]
    if typing.get_origin(expected) is list:  # e.g. collect.allow_private_networks
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{path}: {key} must be a list of strings, found {value!r}")
        return list(value)
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if expected in (int, float) and isinstance(value, bool):
        ok = False
    else:
        ok = isinstance(value, expected)
    if not ok:
        raise ConfigError(
            f"{path}: {key} must be {_type_name(expected)}, found {_type_name(type(value))} "
            f"{value!r}"
        )
    return value


def _type_name(kind: type) -> str:
    return {str: "a string", int: "an integer", float: "a number", bool: "true/false"}.get(
        kind, kind.__name__
    )


def _check_values(settings: Settings, path: Path) -> None:
    # the languages are read when a config is checked: one per catalog file in newsletter/i18n
    for key, choices in {"newsletter.language": languages(), **_CHOICES}.items():
        section, name = key.split(".")
        value = getattr(getattr(settings, section), name)
        if value not in choices:
            raise ConfigError(f"{path}: {key} must be one of {', '.join(choices)}, found {value!r}")
    try:
        ZoneInfo(settings.newsletter.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{path}: newsletter.timezone {settings.newsletter.timezone!r} is not an IANA "
            "time zone such as Asia/Seoul"
        ) from None
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", settings.newsletter.send_time):
        raise ConfigError(
            f"{path}: newsletter.send_time must be HH:MM, found {settings.newsletter.send_time!r}"
        )
    if not 0 <= settings.newsletter.catch_up_minutes <= 1440:
        raise ConfigError(f"{path}: newsletter.catch_up_minutes must be between 0 and 1440")
    if not re.match(r"https?://[^/\s]+", settings.newsletter.base_url):
        raise ConfigError(f"{path}: newsletter.base_url must be an http(s) URL")
    _check_brand(settings.newsletter, settings, path)
    _check_approval(settings.newsletter, path)
    if "@" not in settings.sender.from_:
        raise ConfigError(f"{path}: sender.from must contain an email address")
    if not 1 <= settings.brief.max_stories <= 10:
        raise ConfigError(f"{path}: brief.max_stories must be between 1 and 10")
    mirror = settings.brief.article_mirror
    if mirror and not re.match(r"https?://[^/\s]+", mirror):
        raise ConfigError(f"{path}: brief.article_mirror must be an http(s) URL, found {mirror!r}")
    if settings.brief.window_hours < 1:
        raise ConfigError(f"{path}: brief.window_hours must be at least 1")
    if not settings.database.url.startswith(("sqlite:", "postgresql")):
        raise ConfigError(f"{path}: database.url must be sqlite:///… or postgresql://…")
    if not 1 <= settings.brief.concurrency <= 32:
        raise ConfigError(f"{path}: brief.concurrency must be between 1 and 32")
    _check_bedrock(settings.bedrock, path)
    _check_openai(settings.openai, path)
    for key, level in vars(settings.gates).items():
        if level not in GATE_LEVELS:
            raise ConfigError(f"{path}: gates.{key} must be warn or block, found {level!r}")
    _check_collect(settings.collect, path)
    if not 1 <= settings.feedback.transient_bounce_limit <= 100:
        raise ConfigError(f"{path}: feedback.transient_bounce_limit must be between 1 and 100")
    if not 1 <= settings.feedback.transient_bounce_days <= 3650:
        raise ConfigError(f"{path}: feedback.transient_bounce_days must be between 1 and 3650")
    for key, value in vars(settings.signup).items():
        if not 1 <= value <= 10_000:
            raise ConfigError(f"{path}: signup.{key} must be between 1 and 10000")
    _check_sender(settings.sender, path)
    _check_smtp(settings, path)
    for index, feed in enumerate(settings.feeds):
        if not feed.url.strip():
            raise ConfigError(f"{path}: feeds[{index}].url must not be empty")
        if feed.weight <= 0:
            raise ConfigError(f"{path}: feeds[{index}].weight must be positive")


def _check_approval(newsletter: NewsletterSettings, path: Path) -> None:
    for index, editor in enumerate(newsletter.editors):
        if "@" not in editor or any(c in editor for c in "\r\n,"):
            raise ConfigError(
                f"{path}: newsletter.editors[{index}] must be one email address, found {editor!r}"
            )
    if newsletter.approval == "manual" and not newsletter.editors:
        raise ConfigError(
            f'{path}: newsletter.approval = "manual" needs newsletter.editors '
            "(who gets the test copy to approve)"
        )
    if newsletter.approve_by:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", newsletter.approve_by):
            raise ConfigError(
                f"{path}: newsletter.approve_by must be HH:MM, found {newsletter.approve_by!r}"
            )
        if newsletter.approve_by <= newsletter.send_time:
            raise ConfigError(
                f"{path}: newsletter.approve_by ({newsletter.approve_by}) must be later than "
                f"send_time ({newsletter.send_time})"
            )


def _check_brand(newsletter: NewsletterSettings, settings: Settings, path: Path) -> None:
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", newsletter.accent_color):
        raise ConfigError(
            f"{path}: newsletter.accent_color must be a #rrggbb colour, "
            f"found {newsletter.accent_color!r}"
        )
    if newsletter.logo_url and not re.match(r"https?://[^/\s]+/\S*$", newsletter.logo_url):
        raise ConfigError(f"{path}: newsletter.logo_url must be an absolute http(s) URL")
    if settings.render.templates_dir:
        templates = (settings.root / settings.render.templates_dir).resolve()
        if not templates.is_dir():
            raise ConfigError(f"{path}: render.templates_dir {str(templates)!r} is not a folder")


def _check_bedrock(bedrock: BedrockSettings, path: Path) -> None:
    prices = (bedrock.price_input_per_1k, bedrock.price_output_per_1k)
    _check_model("bedrock.model_id", bedrock.model_id, bedrock, 1.0, prices, path)


def _check_openai(openai: OpenAISettings, path: Path) -> None:
    if not re.match(r"https?://[^/\s]+", openai.base_url):
        raise ConfigError(
            f"{path}: openai.base_url must be an http(s) URL such as {OpenAISettings.base_url}"
        )
    prices = (openai.price_input_per_1m, openai.price_output_per_1m)
    _check_model("openai.model", openai.model, openai, 2.0, prices, path)


def _check_model(
    model_key: str,
    model: str,
    values: BedrockSettings | OpenAISettings,
    max_temperature: float,
    prices: tuple[float, float],
    path: Path,
) -> None:
    """The keys every model writer shares: model, max_tokens, temperature, timeout, tries."""
    section = model_key.split(".")[0]
    if not model.strip():
        raise ConfigError(f"{path}: {model_key} must not be empty")
    if not 1 <= values.max_tokens <= 100_000:
        raise ConfigError(f"{path}: {section}.max_tokens must be between 1 and 100000")
    if not 0 <= values.temperature <= max_temperature:
        raise ConfigError(
            f"{path}: {section}.temperature must be between 0 and {max_temperature:g}"
        )
    if values.timeout <= 0:
        raise ConfigError(f"{path}: {section}.timeout must be positive")
    if not 1 <= values.max_attempts <= 10:
        raise ConfigError(f"{path}: {section}.max_attempts must be between 1 and 10")
    if min(prices) < 0:
        raise ConfigError(f"{path}: {section} prices must not be negative")


def _check_sender(sender: SenderSettings, path: Path) -> None:
    if not 1 <= sender.workers <= 256:
        raise ConfigError(f"{path}: sender.workers must be between 1 and 256")
    if sender.max_rate < 0:
        raise ConfigError(f"{path}: sender.max_rate must not be negative (0: the account's rate)")
    if sender.daily_quota < 0:
        raise ConfigError(
            f"{path}: sender.daily_quota must not be negative (0: the account's quota)"
        )


def _check_smtp(settings: Settings, path: Path) -> None:
    smtp = settings.smtp
    if settings.sender.transport == "smtp" and not smtp.host.strip():
        raise ConfigError(f'{path}: smtp.host is required with sender.transport = "smtp"')
    if not 1 <= smtp.port <= 65535:
        raise ConfigError(f"{path}: smtp.port must be between 1 and 65535")
    if not 1 <= smtp.connections <= 64:
        raise ConfigError(f"{path}: smtp.connections must be between 1 and 64")
    if smtp.timeout <= 0:
        raise ConfigError(f"{path}: smtp.timeout must be positive")
    if smtp.max_per_day < 0:
        raise ConfigError(f"{path}: smtp.max_per_day must not be negative (0: no limit)")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", smtp.password_env):
        raise ConfigError(f"{path}: smtp.password_env must be an environment variable name")


def _check_collect(collect: CollectSettings, path: Path) -> None:
    if collect.concurrency < 1:
        raise ConfigError(f"{path}: collect.concurrency must be at least 1")
    if collect.connections < 1 or collect.per_host < 1:
        raise ConfigError(f"{path}: collect.connections and per_host must be at least 1")
    if collect.connect_timeout <= 0 or collect.total_timeout <= 0:
        raise ConfigError(f"{path}: collect.connect_timeout and total_timeout must be positive")
    if collect.max_bytes < 1024:
        raise ConfigError(f"{path}: collect.max_bytes must be at least 1024")
    if not 0 <= collect.max_redirects <= 20:
        raise ConfigError(f"{path}: collect.max_redirects must be between 0 and 20")
    if collect.parse_workers < 0:
        raise ConfigError(f"{path}: collect.parse_workers must be 0 (automatic) or more")
    if not 0 < collect.dedupe_threshold <= 1:
        raise ConfigError(f"{path}: collect.dedupe_threshold must be in (0, 1]")
    if isinstance(collect.allow_private_networks, list):
        for network in collect.allow_private_networks:
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError:
                raise ConfigError(
                    f"{path}: collect.allow_private_networks: {network!r} is not a network "
                    "such as 192.168.1.0/24 or fd00::/8"
                ) from None


def database_url(settings: Settings) -> str:
    """The database URL with a relative SQLite path anchored at the config file's folder."""
    url = settings.database.url
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != "sqlite:///:memory:":
        return prefix + str(settings.root / url[len(prefix) :])
    return url


def feed_location(root: Path, feed: FeedSettings) -> str:
    """A feed's URL, or its local path resolved against `root` (the config file's folder)."""
    if re.match(r"^[a-z][a-z0-9+.-]*://", feed.url, re.IGNORECASE):
        return feed.url
    return str((root / feed.url).resolve())
