"""The transport `sender.transport` names, built from the sender's and the relay's settings.

The one place that knows which backend a configuration means; the runtime calls
it once per campaign (each campaign closes its own transport), so nothing below
the edges reads the configuration to pick one.
"""

from __future__ import annotations

from collections.abc import Callable
from email.utils import parseaddr
from pathlib import Path

from newsletter.config import SenderSettings, SmtpSettings
from newsletter.send.transports.base import Transport
from newsletter.send.transports.outbox import OutboxTransport
from newsletter.send.transports.ses import SesTransport
from newsletter.send.transports.smtp import SmtpOptions, SmtpTransport


def sender_address(sender: SenderSettings) -> str:
    """The bare address of `sender.from`: what SES checks against verified identities."""
    return parseaddr(sender.from_)[1]


def make_transport(
    sender: SenderSettings,
    smtp: SmtpSettings,
    *,
    root: Path,
    outbox: Path,
    sent_last_24h: Callable[[], int],
) -> Transport:
    """A new transport as configured: the outbox folder `outbox`, an SMTP relay (its CA
    file resolved against `root`, the config's folder) or SES.

    `sent_last_24h` counts what this list sent in the last 24 hours; a relay has no
    quota API, so SMTP asks it only when a daily limit is configured.
    """
    if sender.transport == "outbox":
        return OutboxTransport(outbox)
    if sender.transport == "smtp":
        limited = bool(sender.daily_quota or smtp.max_per_day)
        return SmtpTransport(
            SmtpOptions.from_config(smtp, root),
            sender=sender_address(sender),
            configuration_set=sender.configuration_set,
            sent_last_24h=sent_last_24h if limited else lambda: 0,
        )
    return SesTransport(
        region=sender.region,
        endpoint_url=sender.endpoint_url,
        configuration_set=sender.configuration_set,
        sender=sender_address(sender),
        max_pool_connections=max(10, sender.workers + 2),
    )


def sending_threads(sender: SenderSettings, smtp: SmtpSettings) -> int:
    """One thread per SMTP connection; `sender.workers` threads share the SES client."""
    if sender.transport == "smtp":
        return smtp.connections
    return sender.workers
