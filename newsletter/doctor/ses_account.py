"""Checks of the SES account: the sandbox, sending status, and the quota against the list.

`GetAccount` (v2) answers all three. An endpoint without it (moto) still answers
v1 `GetSendQuota`, from which the sandbox is inferred (every new account gets
exactly 200 messages/24 h at 1/s), and v1 `GetAccountSendingEnabled`; each line
says which call it rests on.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from newsletter.doctor.aws import Aws, NotFound, Unavailable
from newsletter.doctor.check import Check, could_not_check, fail, ok, warn
from newsletter.doctor.context import Context

GUIDE = "README: Going live"
SANDBOX_QUOTA = (200.0, 1.0)  # what every new account gets: 200 messages/24 h, 1/s
MAX_RECIPIENT_LOOKUPS = 200  # the sandbox allows 200 messages a day; more is not a sandbox list


@dataclass
class Account:
    """What we learnt about the account; None where it could not be found out."""

    source: str  # "GetAccount" or "GetSendQuota"
    max_24h: float | None = None
    max_rate: float | None = None
    sent_24h: float | None = None
    sending_enabled: bool | None = None
    sending_reason: str = ""
    production: bool | None = None
    enforcement: str = ""
    fallback_reason: str = ""


def checks(ctx: Context, aws: Aws) -> Iterator[Check]:
    account = _account(aws)
    yield from _sandbox(ctx, aws, account)
    yield _sending(account)
    yield _quota(ctx, account)


def verified(answer: dict[str, Any]) -> bool:
    """A `GetEmailIdentity` answer of an identity SES lets us send from (or to, in the sandbox)."""
    return bool(answer.get("VerifiedForSendingStatus")) or answer.get("VerificationStatus") == (
        "SUCCESS"
    )


def _account(aws: Aws) -> Account:
    """GetAccount (v2), or GetSendQuota (v1) where the endpoint lacks it."""
    try:
        reply = aws.call("sesv2", "get_account")
    except (Unavailable, NotFound) as exc:
        account = Account(source="GetSendQuota", fallback_reason=str(exc))
        try:
            quota = aws.call("ses", "get_send_quota")
        except (Unavailable, NotFound) as again:
            account.fallback_reason = f"{exc}; GetSendQuota: {again}"
            return account
        account.max_24h = float(quota.get("Max24HourSend", 0))
        account.max_rate = float(quota.get("MaxSendRate", 0))
        account.sent_24h = float(quota.get("SentLast24Hours", 0))
        try:
            enabled = aws.call("ses", "get_account_sending_enabled")
            account.sending_enabled = bool(enabled.get("Enabled"))
        except (Unavailable, NotFound) as again:
            account.sending_reason = f"{exc}; GetAccountSendingEnabled: {again}"
        return account
    quota = reply.get("SendQuota") or {}
    return Account(
        source="GetAccount",
        max_24h=_number(quota.get("Max24HourSend")),
        max_rate=_number(quota.get("MaxSendRate")),
        sent_24h=_number(quota.get("SentLast24Hours")),
        sending_enabled=reply.get("SendingEnabled"),
        production=reply.get("ProductionAccessEnabled"),
        enforcement=str(reply.get("EnforcementStatus", "")),
    )


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _sandbox(ctx: Context, aws: Aws, account: Account) -> Iterator[Check]:
    name = "sandbox"
    production = account.production
    how = ""
    if production is None:
        if account.max_24h is None:
            yield could_not_check(name, account.fallback_reason)
            return
        production = (account.max_24h, account.max_rate) != SANDBOX_QUOTA
        how = (
            f" (inferred from the quota {account.max_24h:g}/24 h, {account.max_rate:g}/s: "
            f"GetAccount unavailable: {account.fallback_reason})"
        )
    if production:
        yield ok(name, "out of the sandbox: any address can receive mail" + how)
        return
    fix = f"request production access in the SES console ({GUIDE})"
    if ctx.active is None:
        yield warn(name, "in the SES sandbox; active subscribers unknown" + how, fix)
        return
    if ctx.active == 0:
        yield warn(name, "in the SES sandbox (no active subscribers yet)" + how, fix)
        return
    unverified, looked = _unverified_recipients(ctx, aws)
    if isinstance(unverified, str):
        yield could_not_check(name, f"in the sandbox{how}; recipients: {unverified}", fix)
        return
    checked = "" if looked >= ctx.active else f" (first {looked} of {ctx.active} checked)"
    if not unverified:
        yield warn(
            name,
            f"in the SES sandbox, but every active subscriber is a verified identity{checked}{how}",
            fix,
        )
        return
    named = ", ".join(unverified[:10]) + (
        f" and {len(unverified) - 10} more" if len(unverified) > 10 else ""
    )
    yield fail(
        name,
        f"in the SES sandbox and {len(unverified)} active subscriber(s) are not verified "
        f"identities, SES rejects mail to them: {named}{checked}{how}",
        fix,
    )


def _unverified_recipients(ctx: Context, aws: Aws) -> tuple[list[str] | str, int]:
    """Active addresses SES would refuse in the sandbox (neither they nor their domain verified)."""
    known: dict[str, bool] = {}

    def is_verified(identity: str) -> bool:
        if identity not in known:
            try:
                known[identity] = verified(
                    aws.call("sesv2", "get_email_identity", EmailIdentity=identity)
                )
            except NotFound:
                known[identity] = False
        return known[identity]

    unverified: list[str] = []
    looked = 0
    try:
        for address in ctx.active_addresses():
            if looked >= MAX_RECIPIENT_LOOKUPS:
                break
            looked += 1
            domain = address.rpartition("@")[2].lower()
            if not (is_verified(domain) or is_verified(address)):
                unverified.append(address)
    except Unavailable as exc:
        return str(exc), looked
    return unverified, looked


def _sending(account: Account) -> Check:
    name = "sending"
    if account.sending_enabled is None:
        return could_not_check(name, account.sending_reason or account.fallback_reason)
    enforcement = f", enforcement {account.enforcement}" if account.enforcement else ""
    if not account.sending_enabled:
        return fail(
            name,
            f"sending is paused for this account{enforcement}",
            "see the SES console (Reputation metrics) for why, then resume sending",
        )
    if account.enforcement and account.enforcement not in ("HEALTHY",):
        return warn(name, f"enabled{enforcement}", "see SES Reputation metrics in the console")
    return ok(name, f"enabled{enforcement} ({account.source})")


def _quota(ctx: Context, account: Account) -> Check:
    name = "quota"
    if account.max_24h is None or account.max_rate is None:
        return could_not_check(name, account.fallback_reason)
    via = "" if account.source == "GetAccount" else " (from v1 GetSendQuota)"
    limits = f"{_count(account.max_24h)}/24 h, {account.max_rate:g}/s"
    active = ctx.active
    if active is None:
        return warn(name, f"{limits}{via}; active subscribers unknown (see the database checks)")
    sender = ctx.settings.sender
    rate = min(sender.max_rate, account.max_rate) if sender.max_rate else account.max_rate
    duration = _duration(active / rate) if rate > 0 else "forever"
    summary = f"{limits}{via}: {active} active at {rate:g}/s take about {duration}"
    unlimited = account.max_24h < 0
    if not unlimited and active > account.max_24h:
        return fail(
            name,
            f"{summary}, but only {_count(account.max_24h)} messages are allowed per 24 h",
            f"request a higher sending quota in the SES console ({GUIDE})",
        )
    if sender.max_rate and sender.max_rate > account.max_rate:
        return warn(
            name,
            f"{summary}; sender.max_rate {sender.max_rate:g}/s is above the account's "
            f"{account.max_rate:g}/s, so SES throttles",
            "lower sender.max_rate or leave it unset (the quota is the default)",
        )
    left = None if unlimited or account.sent_24h is None else account.max_24h - account.sent_24h
    if left is not None and active > left:
        return warn(
            name,
            f"{summary}; {_count(account.sent_24h or 0)} already sent in the last 24 h leaves "
            f"{_count(left)}",
            "wait for the window to pass or request a higher quota",
        )
    return ok(name, summary)


def _count(value: float) -> str:
    return "unlimited" if value < 0 else f"{value:,.0f}"


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{math.ceil(seconds)} s"
    if seconds < 90 * 60:
        return f"{math.ceil(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"
