"""Checks of the SES account: credentials, the sender identity, DKIM, MAIL FROM, the sandbox,
sending status and quota.

SES v2 is asked first (what the sender uses and what the README's IAM policy
allows). Where an endpoint lacks a v2 operation — moto has no `GetAccount`, and
returns no MAIL FROM attributes — the v1 equivalent answers instead and the line
says so; where neither answers, the line says "could not check" and why.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import parseaddr
from typing import TYPE_CHECKING, Any

from newsletter.doctor.aws import Aws, BadCredentials, NotFound, Unavailable
from newsletter.doctor.check import Check, could_not_check, fail, ok, skip, warn

if TYPE_CHECKING:
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


def checks(ctx: Context) -> Iterator[Check]:
    """Every SES check, or one skip line each when SES is not used or AWS cannot be asked."""
    names = ["identity", "dkim", "mail from", "sandbox", "sending", "quota"]
    if not ctx.uses_ses:
        yield skip("ses", "skipped: transport is outbox (the SES checks run with transport ses)")
        return
    try:
        ctx.aws = Aws(ctx.settings)
    except Exception as exc:  # boto3 refuses the region or profile in its own words
        ctx.aws_problem = f"cannot set up AWS: {exc}"
        yield fail("aws credentials", ctx.aws_problem, "check AWS_PROFILE / AWS_REGION")
        for name in names:
            yield skip(name, "skipped: AWS is not set up")
        return
    credentials = _credentials(ctx, ctx.aws)
    yield credentials
    if ctx.aws_problem:
        for name in names:
            yield skip(name, f"skipped: {ctx.aws_problem}")
        return
    yield from _identity(ctx, ctx.aws)
    account = _account(ctx.aws)
    yield from _sandbox(ctx, ctx.aws, account)
    yield _sending(account)
    yield _quota(ctx, account)


def _credentials(ctx: Context, aws: Aws) -> Check:
    name = "aws credentials"
    try:
        found = aws.session.get_credentials()
    except Exception as exc:  # a broken profile file, a failing credential_process…
        ctx.aws_problem = "AWS credentials do not resolve"
        return fail(name, f"cannot resolve AWS credentials: {exc}", _CREDENTIALS_FIX)
    if found is None:
        ctx.aws_problem = "no AWS credentials"
        return fail(name, "no AWS credentials found", _CREDENTIALS_FIX)
    method = getattr(found, "method", "") or "unknown source"
    try:
        who = aws.call("sts", "get_caller_identity")
    except BadCredentials as exc:
        ctx.aws_problem = "AWS rejected the credentials"
        return fail(name, str(exc), _CREDENTIALS_FIX)
    except (Unavailable, NotFound) as exc:
        if aws.unreachable:  # nothing AWS can be checked, and nothing could be sent either
            ctx.aws_problem = "the AWS endpoint cannot be reached"
            return fail(
                name,
                f"resolved from {method}, but {aws.unreachable}",
                "check the network, a proxy, or sender.endpoint_url",
            )
        return ok(name, f"resolved from {method} (STS could not confirm them: {exc})")
    return ok(name, f"{who.get('Arn', '?')} (account {who.get('Account', '?')}, from {method})")


_CREDENTIALS_FIX = (
    "give this machine credentials: an instance role, AWS_PROFILE, or AWS_ACCESS_KEY_ID + "
    "AWS_SECRET_ACCESS_KEY in .env (IAM policy: README: Going live)"
)


def _identity(ctx: Context, aws: Aws) -> Iterator[Check]:
    """The identity, dkim and mail from checks of the From address."""
    address = parseaddr(ctx.settings.sender.from_)[1]
    domain = address.rpartition("@")[2].lower()
    region = aws.region
    found: list[tuple[str, dict[str, Any]]] = []
    for candidate in (domain, address):
        try:
            answer = aws.call("sesv2", "get_email_identity", EmailIdentity=candidate)
        except NotFound:
            continue
        except Unavailable as exc:
            yield could_not_check("identity", str(exc))
            yield skip("dkim", "skipped: the identity could not be read")
            yield skip("mail from", "skipped: the identity could not be read")
            return
        found.append((candidate, answer))
    verified = [(n, a) for n, a in found if _verified(a)]
    if not verified:
        if found:
            status = found[0][1].get("VerificationStatus", "PENDING")
            yield fail(
                "identity",
                f"{found[0][0]} is an SES identity in {region} but not verified ({status})",
                f"publish the DNS records SES shows for it (or click the email link); see {GUIDE}",
            )
        else:
            yield fail(
                "identity",
                f"neither {domain} nor {address} is an SES identity in {region}: SES rejects "
                "every message",
                f"create the domain identity {domain} in SES ({GUIDE})",
            )
        yield skip("dkim", "skipped: no verified identity")
        yield skip("mail from", "skipped: no verified identity")
        return
    name, answer = verified[0]
    kind = "domain" if "@" not in name else "address"
    yield ok("identity", f"From {address}: the {kind} {name} is verified in {region}")
    yield _dkim(domain, found)
    yield _mail_from(aws, name, answer)


def _verified(answer: dict[str, Any]) -> bool:
    return bool(answer.get("VerifiedForSendingStatus")) or answer.get("VerificationStatus") == (
        "SUCCESS"
    )


def _dkim(domain: str, found: list[tuple[str, dict[str, Any]]]) -> Check:
    domain_answer = next((a for n, a in found if n == domain), None)
    if domain_answer is None:
        return warn(
            "dkim",
            f"only the address is verified: messages are DKIM-signed for amazonses.com, not "
            f"{domain}, so DMARC fails and Gmail/Yahoo may reject bulk mail",
            f"verify the domain {domain} with Easy DKIM ({GUIDE})",
        )
    dkim = domain_answer.get("DkimAttributes") or {}
    status = dkim.get("Status", "NOT_STARTED")
    if status == "SUCCESS" and dkim.get("SigningEnabled", True):
        return ok("dkim", f"{domain}: signing enabled, status SUCCESS")
    if status == "SUCCESS":
        return fail(
            "dkim",
            f"{domain}: DKIM records verified but signing is disabled",
            f"enable DKIM signing for {domain} in the SES console",
        )
    if status == "PENDING":
        return warn(
            "dkim",
            f"{domain}: PENDING (SES has not seen the CNAME records yet; up to 72 h)",
            "publish the three DKIM CNAME records SES shows for the domain",
        )
    return fail(
        "dkim",
        f"{domain}: status {status}",
        f"publish the three DKIM CNAME records SES shows for {domain} ({GUIDE})",
    )


def _mail_from(aws: Aws, identity: str, answer: dict[str, Any]) -> Check:
    name = "mail from"
    attributes = answer.get("MailFromAttributes")
    via = ""
    if attributes is None:  # some endpoints leave it out of v2; v1 has it
        try:
            reply = aws.call(
                "ses", "get_identity_mail_from_domain_attributes", Identities=[identity]
            )
        except (Unavailable, NotFound) as exc:
            return could_not_check(name, f"GetEmailIdentity has no MAIL FROM attributes and {exc}")
        v1 = reply.get("MailFromDomainAttributes", {}).get(identity, {})
        attributes = {
            "MailFromDomain": v1.get("MailFromDomain", ""),
            "MailFromDomainStatus": str(v1.get("MailFromDomainStatus", "")).upper(),
            "BehaviorOnMxFailure": v1.get("BehaviorOnMXFailure", ""),
        }
        via = " (from v1 GetIdentityMailFromDomainAttributes)"
    domain = attributes.get("MailFromDomain", "")
    status = attributes.get("MailFromDomainStatus", "")
    if not domain:
        return warn(
            name,
            "no custom MAIL FROM domain: SPF passes for amazonses.com only, so DMARC "
            "rests on DKIM alone" + via,
            f"set a MAIL FROM subdomain such as mail.{identity.rpartition('@')[2]} ({GUIDE})",
        )
    if status == "SUCCESS":
        return ok(name, f"{domain} (SUCCESS){via}")
    rejects = str(attributes.get("BehaviorOnMxFailure", "")).upper().replace("_", "")
    if status in ("FAILED", "TEMPORARYFAILURE", "TEMPORARY_FAILURE") and rejects == "REJECTMESSAGE":
        return fail(
            name,
            f"{domain}: {status} and SES is set to reject messages when it fails{via}",
            f"publish the MX and SPF records for {domain}",
        )
    return warn(
        name,
        f"{domain}: {status or 'unknown'}{via}",
        f"publish the MX and SPF records for {domain}",
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

    def verified(identity: str) -> bool:
        if identity not in known:
            try:
                known[identity] = _verified(
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
            if not (verified(domain) or verified(address)):
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
