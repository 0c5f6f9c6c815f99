"""Checks of the configuration itself: the file, the signing key, the public URL, the transport."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from newsletter.audience.key_strength import GENERATE, entropy_bits
from newsletter.audience.key_strength import GENERATED_KEY_BITS as MIN_SECRET_BITS
from newsletter.audience.tokens import PREVIOUS_SECRETS_ENV, SECRET_ENV, previous_secrets
from newsletter.config import (
    ConfigError,
    ConfigNotFound,
    SenderSettings,
    Settings,
    SmtpSettings,
    load_settings,
)
from newsletter.doctor.check import Check, fail, ok, warn
from newsletter.doctor.context import Context
from newsletter.environment import Applied, EnvFileError, apply_env_file

_LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "0.0.0.0")


def load(explicit: str | os.PathLike[str] | None) -> tuple[Settings | None, Applied | None, Check]:
    """The settings and `.env`, with the `config` check saying whether they could be read."""
    try:
        settings = load_settings(explicit)
    except ConfigError as exc:
        missing = isinstance(exc, ConfigNotFound)
        fix = "run `newsletter init`, or pass --config PATH" if missing else "fix the named key"
        return None, None, fail("config", str(exc), fix)
    try:
        applied = apply_env_file(settings.root)
    except EnvFileError as exc:
        return settings, None, fail("config", str(exc), "each line must be KEY=value")
    feeds = len(settings.feeds)
    return (
        settings,
        applied,
        ok(
            "config",
            f"{settings.path} is valid ({feeds} feed{'s' * (feeds != 1)}, "
            f"transport {settings.sender.transport})",
        ),
    )


def checks(ctx: Context) -> Iterator[Check]:
    yield secret_key(ctx)
    if os.environ.get(PREVIOUS_SECRETS_ENV, "").strip():
        yield retired_keys(os.environ.get(SECRET_ENV, ""))
    settings = ctx.settings
    yield base_url(settings.newsletter.base_url, settings.sender.transport)
    yield postal_address(settings.newsletter.postal_address, settings.path)
    yield transport(settings.sender, settings.smtp)


def secret_key(ctx: Context) -> Check:
    name = "secret key"
    key = os.environ.get(SECRET_ENV, "")
    source = "from .env" if ctx.env is not None and SECRET_ENV in ctx.env.keys else "from env"
    fix = f"put {SECRET_ENV}=<output of `{GENERATE}`> in {ctx.runtime.paths.root / '.env'}"
    if not key:
        if not ctx.delivers:
            return warn(
                name,
                f"${SECRET_ENV} is not set: the outbox transport uses a local key, "
                "but the web app and a real send need the same key from the environment",
                fix,
            )
        return fail(name, f"${SECRET_ENV} is not set: unsubscribe links cannot be signed", fix)
    bits, how = entropy_bits(key)
    if bits < MIN_SECRET_BITS:
        return fail(
            name,
            f"${SECRET_ENV} has about {bits} bits of entropy ({how}); at least "
            f"{MIN_SECRET_BITS} (32 random bytes) are needed",
            fix,
        )
    loose = _loose_env_file(ctx.env)
    if loose:
        return warn(name, f"${SECRET_ENV} is set ({source}) but {loose}", f"chmod 600 {loose}")
    return ok(name, f"${SECRET_ENV} is set ({source}), about {bits} bits of entropy ({how})")


def retired_keys(current: str) -> Check:
    """Links signed with a retired key still verify, so a weak retired key is as bad as a
    weak current one: whoever guesses it can forge unsubscribe links."""
    name = "retired keys"
    keys = previous_secrets()
    drop = f"remove it from {PREVIOUS_SECRETS_ENV} (links it signed stop working)"
    for position, key in enumerate(keys, 1):
        bits, how = entropy_bits(key)
        if bits < MIN_SECRET_BITS:
            detail = f"key {position} of {len(keys)} has about {bits} bits of entropy ({how})"
            return fail(name, f"${PREVIOUS_SECRETS_ENV}: {detail}", drop)
        if key == current:
            return warn(name, f"${PREVIOUS_SECRETS_ENV}: key {position} is the current key", drop)
    plural = "s" * (len(keys) != 1)
    return ok(name, f"{len(keys)} retired key{plural} still verify links sent before a rotation")


def _loose_env_file(applied: Applied | None) -> str:
    """The `.env` path when other users may read it (it holds the key)."""
    if applied is None or not applied.found or os.name != "posix":
        return ""
    try:
        mode = applied.path.stat().st_mode
    except OSError:
        return ""
    return f"{applied.path} is readable by other users" if mode & 0o077 else ""


def base_url(url: str, transport: str) -> Check:
    """`[newsletter] base_url` as the links of mail sent by `transport` will use it."""
    name = "base_url"
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    local = host in _LOCAL_HOSTS or host.endswith(".localhost")
    live = transport != "outbox"
    if local and live:
        return warn(
            name,
            f"{url} is on this machine: recipients' unsubscribe links will not work",
            "set newsletter.base_url to the public https URL where `newsletter serve` runs",
        )
    if parts.scheme == "https" or local:
        return ok(name, f"{url}")
    return warn(
        name,
        f"{url} is plain http: unsubscribe links and SES notifications travel unencrypted",
        "serve `newsletter serve` behind a TLS proxy and use its https URL (README: Going live)",
    )


def postal_address(address: str, config: Path) -> Check:
    """`init` lets it be empty ("add it later"); this is where later comes."""
    name = "postal address"
    if address.strip():
        return ok(name, address.strip())
    return warn(
        name,
        "newsletter.postal_address is empty: bulk mail must show the sender's postal address "
        "(CAN-SPAM), in every footer",
        f"set newsletter.postal_address in {config}",
    )


def transport(sender: SenderSettings, smtp: SmtpSettings) -> Check:
    if sender.transport == "ses":
        return ok("transport", f"ses in {sender.region}" + _endpoint(sender))
    if sender.transport == "smtp":
        return ok("transport", f"smtp {smtp.host}:{smtp.port} ({smtp.security})")
    return warn(
        "transport",
        "outbox: editions are written as .eml files, nothing is delivered",
        'set sender.transport = "ses" to send for real (the SES checks below are skipped)',
    )


def _endpoint(sender: SenderSettings) -> str:
    endpoint = sender.endpoint_url
    return f" (endpoint {endpoint})" if endpoint else ""


def is_placeholder_host(url: str) -> bool:
    """example.com/.net/.org and the .example/.test/.invalid names (RFC 2606): never real."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return bool(
        re.fullmatch(r"(.+\.)?example\.(com|net|org)", host)
        or host.endswith((".example", ".test", ".invalid"))
    )
