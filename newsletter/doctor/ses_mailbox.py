"""Checks that the unsubscribe mailbox is read: an active SES receipt rule takes its mail to
an SNS topic the feedback loop trusts.

`sender.unsubscribe_mailbox` puts a `mailto:` in every message's List-Unsubscribe.
Apple Mail and Outlook send the reader's request there; if nothing receives that
mailbox, every such request is lost while the reader believes they left. The
mailbox's MX record is DNS, which doctor does not look up: README says what it
must be.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from newsletter.doctor.aws import NotFound, Unavailable
from newsletter.doctor.check import Check, could_not_check, ok, warn
from newsletter.doctor.context import Context
from newsletter.feedback.sns import parse_topics

NAME = "unsubscribe mailbox"
GUIDE = "README: Going live, step 3"


def checks(ctx: Context) -> Iterator[Check]:
    mailbox = ctx.settings.sender.unsubscribe_mailbox.lower()
    if not mailbox or not ctx.uses_ses or ctx.aws is None or ctx.aws_problem:
        return  # no mailto offered, or the SES lines already say why AWS cannot be asked
    try:
        answer = ctx.aws.call("ses", "describe_active_receipt_rule_set")
    except (Unavailable, NotFound) as exc:
        yield could_not_check(NAME, str(exc))
        return
    topics = parse_topics(ctx.settings.feedback.topic_arns)
    queue = bool(ctx.settings.feedback.queue_url)
    rules = [rule for rule in answer.get("Rules", []) if _receives(rule, mailbox)]
    if not rules:
        yield warn(
            NAME,
            f"no rule of the active SES receipt rule set receives {mailbox}: mail clients' "
            "unsubscribe requests sent there are lost",
            f"add a receipt rule with an SNS action for it ({GUIDE}), or unset "
            "sender.unsubscribe_mailbox",
        )
        return
    sent_to = {topic for rule in rules for topic in _sns_topics(rule)}
    if sent_to & topics or (sent_to and queue):
        yield ok(NAME, f"receipt rule {rules[0].get('Name', '?')} hands {mailbox} to SNS")
        return
    where = ", ".join(sorted(sent_to)) or "no SNS action"
    yield warn(
        NAME,
        f"the receipt rule for {mailbox} goes to {where}, not to a topic in "
        "feedback.topic_arns: its mail unsubscribes nobody",
        f"give the rule an SNS action to the feedback topic ({GUIDE})",
    )


def _receives(rule: dict[str, Any], mailbox: str) -> bool:
    """A rule receives the mailbox when it is enabled and names it, its domain, or nothing
    (a rule without recipients takes every mailbox of the verified domains)."""
    if not rule.get("Enabled", False):
        return False
    recipients = [str(r).lower() for r in rule.get("Recipients") or []]
    domain = mailbox.rsplit("@", 1)[1]
    return not recipients or mailbox in recipients or domain in recipients


def _sns_topics(rule: dict[str, Any]) -> list[str]:
    return [
        str(action["SNSAction"].get("TopicArn", ""))
        for action in rule.get("Actions") or []
        if isinstance(action.get("SNSAction"), dict)
    ]
