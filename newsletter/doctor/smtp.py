"""Checks of an SMTP relay: it answers, TLS verifies, the login works — what a send needs first.

The check opens one session the way a send does (the same transport code:
connect, EHLO, STARTTLS or implicit TLS, login), then quits without sending, so
a wrong port, an untrusted certificate or a bad password shows here with the
fix instead of at 07:00 in the cron mail.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
from collections.abc import Iterator

from newsletter.doctor.check import Check, fail, ok, skip, warn
from newsletter.doctor.context import Context
from newsletter.send.transports.base import AccountError, DeliveryError
from newsletter.send.transports.smtp import SmtpOptions, SmtpTransport

GUIDE = "README: Sending through SMTP"


def checks(ctx: Context) -> Iterator[Check]:
    settings = ctx.settings
    if settings.sender.transport != "smtp":
        return
    smtp = settings.smtp
    options = SmtpOptions.from_config(smtp, settings.root)
    if smtp.username and not os.environ.get(smtp.password_env):
        yield fail(
            "smtp login",
            f"smtp.username is {smtp.username!r} but ${smtp.password_env} is not set",
            f"put {smtp.password_env}=<the SMTP password> in {settings.root / '.env'}",
        )
        yield skip("smtp", "skipped: no password to log in with")
        return
    if options.ca_file and not os.path.isfile(options.ca_file):
        yield fail("smtp", f"smtp.ca_file {options.ca_file} does not exist", "fix the path")
        return
    if smtp.security == "none" and not _loopback(smtp.host):
        yield warn(
            "smtp security",
            f"security = none: mail{' and the password' * bool(smtp.username)} cross the "
            f"network to {smtp.host} unencrypted",
            'use security = "starttls" (port 587) or "tls" (port 465)',
        )
    transport = SmtpTransport(options, sender="")
    try:
        connection = transport.connect()
    except AccountError as exc:
        yield fail("smtp", str(exc), f"see {GUIDE}")
        return
    except DeliveryError as exc:
        yield fail("smtp", str(exc), "check smtp.host, smtp.port and the firewall")
        return
    size = connection.esmtp_features.get("size", "")
    with contextlib.suppress(OSError):
        connection.quit()
    how = {"starttls": "STARTTLS verified", "tls": "TLS verified", "none": "no TLS"}
    login = f", logged in as {smtp.username}" if smtp.username else ", no login"
    limit = f"; messages up to {int(size) / 1e6:.0f} MB" if size.isdigit() and int(size) else ""
    yield ok("smtp", f"{options.address}: {how[smtp.security]}{login}{limit}")
    if smtp.max_per_day:
        yield ok("smtp limit", f"at most {smtp.max_per_day:,} messages per 24 hours")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
