"""The config's values checked beyond their types: choices, ranges, addresses, zones.

Each check raises ConfigError naming the file and the key, so a bad value stops
a command at start-up, before anything is fetched or sent.
"""

from __future__ import annotations

import ipaddress
import re
from email.utils import getaddresses
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from newsletter.config.sections import (
    BedrockSettings,
    CollectSettings,
    ConfigError,
    NewsletterSettings,
    OpenAISettings,
    SenderSettings,
    Settings,
)
from newsletter.i18n import languages

CHOICES = {
    "sender.transport": ("ses", "outbox", "smtp"),
    "smtp.security": ("starttls", "tls", "none"),
    "brief.writer": ("extractive", "bedrock", "openai"),
    "openai.structured": ("auto", "tools", "json"),
}
GATE_LEVELS = ("warn", "block")


def check_values(settings: Settings, path: Path) -> None:
    # the languages are read when a config is checked: one per catalog file in newsletter/i18n
    for key, choices in {"newsletter.language": languages(), **CHOICES}.items():
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
    if not settings.newsletter.name.strip():  # the masthead, the pages, List-Id
        raise ConfigError(f"{path}: newsletter.name must not be empty")
    if "@" not in settings.sender.from_:
        raise ConfigError(f"{path}: sender.from must contain an email address")
    senders = [address for _, address in getaddresses([settings.sender.from_]) if address]
    if len(senders) > 1:  # the header would carry the first alone
        raise ConfigError(
            f"{path}: sender.from must be one address, found {len(senders)} "
            '(a comma in the name needs quotes: "Doe, Jane" <news@example.com>)'
        )
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
    mailbox = sender.unsubscribe_mailbox
    if mailbox and not re.fullmatch(r"[^@\s<>,\"]+@[^@\s<>,\"]+\.[^@\s<>,\"]+", mailbox):
        raise ConfigError(
            f"{path}: sender.unsubscribe_mailbox must be one plain address "
            f"(unsubscribe@example.com), found {mailbox!r}"
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
