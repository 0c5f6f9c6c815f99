"""Checks that bounces and complaints come back: configuration set → event destination →
SNS topic → our `/feedback/ses` endpoint (or an SQS queue for `newsletter feedback poll`).

Without this loop a list keeps mailing dead and complaining addresses, and SES
suspends accounts whose bounce or complaint rate climbs: it is as important as
the identity. SES v2 `GetConfigurationSetEventDestinations` is asked first; an
endpoint without it (moto) is asked v1 `DescribeConfigurationSet`, and the line
says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from newsletter.doctor.aws import Aws, NotFound, Unavailable
from newsletter.doctor.check import Check, could_not_check, fail, ok, skip, warn
from newsletter.doctor.context import Context
from newsletter.feedback.sns import parse_topics

GUIDE = "README: Going live"
FEEDBACK_PATH = "/feedback/ses"
NEEDED = frozenset({"BOUNCE", "COMPLAINT"})
NAMES = ("configuration set", "bounce/complaint events", "feedback subscription")
# What `newsletter report` counts, besides bounces and complaints (v2 names without "_",
# so that v1's camelCase `deliveryDelay` compares equal).
REPORTED = ("SEND", "DELIVERY", "REJECT", "DELIVERYDELAY", "RENDERINGFAILURE")
TRACKED = {"OPEN": "track_opens", "CLICK": "track_clicks"}


@dataclass(frozen=True)
class Destination:
    """One event destination, the same for v1 and v2 answers."""

    name: str
    enabled: bool
    events: frozenset[str]
    sns_topic: str = ""
    event_bus: str = ""


def checks(ctx: Context) -> Iterator[Check]:
    if not ctx.uses_ses:
        return  # `ses.checks` says so once
    if ctx.aws is None or ctx.aws_problem:
        for name in NAMES:
            yield skip(name, f"skipped: {ctx.aws_problem or 'AWS is not set up'}")
        return
    aws = ctx.aws
    config_set = ctx.settings.sender.configuration_set
    if not config_set:
        yield fail(
            "configuration set",
            "sender.configuration_set is not set: bounces and complaints never reach the list",
            f"create one with an SNS destination and set sender.configuration_set ({GUIDE})",
        )
        yield skip(NAMES[1], "skipped: no configuration set")
        yield skip(NAMES[2], "skipped: no configuration set")
        return
    try:
        aws.call("sesv2", "get_configuration_set", ConfigurationSetName=config_set)
    except NotFound:
        yield fail(
            "configuration set",
            f"{config_set!r} does not exist in {aws.region}: every send naming it is rejected",
            f"create the configuration set {config_set!r} ({GUIDE})",
        )
        yield skip(NAMES[1], "skipped: no configuration set")
        yield skip(NAMES[2], "skipped: no configuration set")
        return
    except Unavailable as exc:
        yield could_not_check("configuration set", str(exc))
    else:
        yield ok("configuration set", f"{config_set} exists in {aws.region}")
    try:
        destinations, via = _destinations(aws, config_set)
    except (Unavailable, NotFound) as exc:
        yield could_not_check(NAMES[1], str(exc))
        yield skip(NAMES[2], "skipped: the event destinations could not be read")
        return
    yield from _events(ctx, aws, destinations, via)


def _destinations(aws: Aws, config_set: str) -> tuple[list[Destination], str]:
    try:
        reply = aws.call(
            "sesv2", "get_configuration_set_event_destinations", ConfigurationSetName=config_set
        )
        return [_from_v2(item) for item in reply.get("EventDestinations", [])], ""
    except Unavailable as exc:
        try:
            reply = aws.call(
                "ses",
                "describe_configuration_set",
                ConfigurationSetName=config_set,
                ConfigurationSetAttributeNames=["eventDestinations"],
            )
        except (Unavailable, NotFound) as again:
            raise Unavailable(f"{exc}; v1 DescribeConfigurationSet: {again}") from None
        found = [_from_v1(item) for item in reply.get("EventDestinations", [])]
        return found, " (from v1 DescribeConfigurationSet: the endpoint lacks the v2 call)"


def _from_v2(item: dict[str, Any]) -> Destination:
    return Destination(
        name=str(item.get("Name", "")),
        enabled=bool(item.get("Enabled", False)),
        events=frozenset(str(e).upper() for e in item.get("MatchingEventTypes", [])),
        sns_topic=str((item.get("SnsDestination") or {}).get("TopicArn", "")),
        event_bus=str((item.get("EventBridgeDestination") or {}).get("EventBusArn", "")),
    )


def _from_v1(item: dict[str, Any]) -> Destination:
    return Destination(
        name=str(item.get("Name", "")),
        enabled=bool(item.get("Enabled", False)),
        events=frozenset(str(e).upper() for e in item.get("MatchingEventTypes", [])),
        sns_topic=str((item.get("SNSDestination") or {}).get("TopicARN", "")),
    )


def _events(ctx: Context, aws: Aws, destinations: list[Destination], via: str) -> Iterator[Check]:
    name = NAMES[1]
    config_set = ctx.settings.sender.configuration_set
    useful = [d for d in destinations if d.enabled and (d.sns_topic or d.event_bus)]
    covered = frozenset().union(*(d.events & NEEDED for d in useful)) if useful else frozenset()
    missing = sorted(NEEDED - covered)
    if missing:
        others = [d.name for d in destinations if d not in useful]
        extra = f" (other destinations: {', '.join(others)})" if others else ""
        yield fail(
            name,
            f"{config_set} has no enabled SNS or EventBridge destination for "
            f"{' and '.join(e.lower() for e in missing)} events{extra}{via}",
            f"add an event destination for BOUNCE and COMPLAINT to an SNS topic ({GUIDE})",
        )
        yield skip(NAMES[2], "skipped: no bounce/complaint destination")
        return
    targets = ", ".join(d.sns_topic or d.event_bus for d in useful)
    yield ok(name, f"bounce and complaint events go to {targets}{via}")
    yield _reporting(ctx, useful)
    topics = list(dict.fromkeys(d.sns_topic for d in useful if d.sns_topic))
    if not topics:
        yield ok(
            NAMES[2],
            "EventBridge only: route its rule to the SQS queue `newsletter feedback poll` reads "
            "(rules are not checked)",
        )
        return
    yield _subscription(ctx, aws, topics)


def _reporting(ctx: Context, useful: list[Destination]) -> Check:
    """The event types `newsletter report` reads: which are published, which are missing, and
    whether opens/clicks are published while this newsletter has chosen not to keep them."""
    name = "delivery events"
    published = frozenset(e.replace("_", "") for d in useful for e in d.events)
    feedback = ctx.settings.feedback
    wanted = [*REPORTED, *(e for e, key in TRACKED.items() if getattr(feedback, key))]
    missing = [e for e in wanted if e not in published]
    unwanted = [e for e, key in TRACKED.items() if e in published and not getattr(feedback, key)]
    have = ", ".join(e.lower() for e in wanted if e in published) or "none"
    if unwanted:
        keys = " / ".join(f"feedback.{TRACKED[e]}" for e in unwanted)
        return warn(
            name,
            f"the destination publishes {' and '.join(e.lower() for e in unwanted)} events, "
            f"but {keys} is off: SES still tracks readers, and the events are dropped here",
            f"remove {', '.join(unwanted)} from the event destination (and the configuration "
            f"set's tracking), or turn on {keys} (README: Delivery and engagement)",
        )
    if missing:
        return warn(
            name,
            f"`newsletter report` gets {have}; missing: {', '.join(e.lower() for e in missing)}",
            f"add {', '.join(_v2_name(e) for e in missing)} to the event destination's event "
            "types (README: Delivery and engagement)",
        )
    return ok(name, f"`newsletter report` gets {have}")


def _v2_name(event: str) -> str:
    return {"DELIVERYDELAY": "DELIVERY_DELAY", "RENDERINGFAILURE": "RENDERING_FAILURE"}.get(
        event, event
    )


def _subscription(ctx: Context, aws: Aws, topics: list[str]) -> Check:
    name = NAMES[2]
    expected = ctx.settings.newsletter.base_url.rstrip("/") + FEEDBACK_PATH
    seen: list[str] = []
    pending: list[str] = []
    for topic in topics:
        try:
            subscriptions = _subscriptions(aws, topic)
        except NotFound:
            return fail(name, f"the SNS topic {topic} does not exist", f"create it ({GUIDE})")
        except Unavailable as exc:
            return could_not_check(name, str(exc))
        for sub in subscriptions:
            protocol, endpoint = sub.get("Protocol", ""), sub.get("Endpoint", "")
            confirmed = sub.get("SubscriptionArn", "") not in ("PendingConfirmation", "")
            ours = protocol == "sqs" or (
                protocol in ("https", "http") and _same_url(endpoint, expected)
            )
            if ours and confirmed:
                if protocol == "sqs":
                    where = f"SQS queue {endpoint} (drain it with `newsletter feedback poll`)"
                    return ok(name, f"{topic} → {where}")
                return _accepted(ctx, name, topic, endpoint)
            if ours:
                pending.append(endpoint)
            seen.append(f"{protocol}:{endpoint}")
    if pending:
        return warn(
            name,
            f"{pending[0]} is subscribed but not confirmed yet",
            "run `newsletter serve` where base_url points (it confirms SNS subscriptions), "
            "then request confirmation again in the SNS console",
        )
    listed = ", ".join(seen) if seen else "no subscriptions"
    return fail(
        name,
        f"nothing delivers {', '.join(topics)} to us ({listed}); expected {expected} or an SQS "
        "queue",
        f"subscribe {expected} (https) to the topic, or an SQS queue for `newsletter feedback "
        f"poll` ({GUIDE})",
    )


def _accepted(ctx: Context, name: str, topic: str, endpoint: str) -> Check:
    """The webhook only trusts topics listed in `feedback.topic_arns` (any AWS account can
    sign a valid SNS message), so a subscribed topic missing there is dropped on arrival."""
    if topic in parse_topics(ctx.settings.feedback.topic_arns):
        return ok(name, f"{topic} → {endpoint}")
    return fail(
        name,
        f"{topic} → {endpoint}, but the webhook refuses it: the topic is not in "
        "feedback.topic_arns",
        f'add topic_arns = "{topic}" under [feedback] in the config',
    )


def _subscriptions(aws: Aws, topic: str) -> list[dict[str, Any]]:
    region = topic.split(":")[3] if topic.count(":") >= 5 else None
    found: list[dict[str, Any]] = []
    token = ""
    for _ in range(50):  # 100 per page: 5,000 subscriptions is far beyond one topic's use
        kwargs: dict[str, Any] = {"TopicArn": topic}
        if token:
            kwargs["NextToken"] = token
        reply = aws.call("sns", "list_subscriptions_by_topic", region=region or None, **kwargs)
        found.extend(reply.get("Subscriptions", []))
        token = reply.get("NextToken", "")
        if not token:
            break
    return found


def _same_url(left: str, right: str) -> bool:
    a, b = urlsplit(left), urlsplit(right)
    return (a.scheme.lower(), (a.hostname or "").lower(), a.port, a.path.rstrip("/")) == (
        b.scheme.lower(),
        (b.hostname or "").lower(),
        b.port,
        b.path.rstrip("/"),
    )
