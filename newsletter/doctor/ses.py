"""Checks of SES: credentials, the sender identity, DKIM, MAIL FROM (then `ses_account`).

SES v2 is asked first (what the sender uses and what the README's IAM policy
allows). Where an endpoint lacks a v2 operation — moto has no `GetAccount`, and
returns no MAIL FROM attributes — the v1 equivalent answers instead and the line
says so; where neither answers, the line says "could not check" and why.
"""

from __future__ import annotations

from collections.abc import Iterator
from email.utils import parseaddr
from typing import Any

from newsletter.doctor import ses_account
from newsletter.doctor.aws import Aws, BadCredentials, NotFound, Unavailable
from newsletter.doctor.check import Check, could_not_check, fail, ok, skip, warn
from newsletter.doctor.context import Context

GUIDE = "README: Going live"


def checks(ctx: Context) -> Iterator[Check]:
    """Every SES check, or one skip line each when SES is not used or AWS cannot be asked."""
    names = ["identity", "dkim", "mail from", "sandbox", "sending", "quota"]
    if not ctx.uses_ses:
        transport = ctx.settings.sender.transport
        yield skip(
            "ses", f"skipped: transport is {transport} (the SES checks run with transport ses)"
        )
        return
    try:
        sender = ctx.settings.sender
        ctx.aws = Aws(sender.region, sender.endpoint_url)
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
    yield from ses_account.checks(ctx, ctx.aws)


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
    verified = [(n, a) for n, a in found if ses_account.verified(a)]
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
