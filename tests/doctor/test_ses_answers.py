"""The SES answers moto cannot give (GetAccount, v2 event destinations, EventBridge, an
unconfirmed subscription), fed to the checks through a stand-in for `Aws.call`.

The moto tests cover the calls end to end; these cover how real SES answers are read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from newsletter.config import parse_settings
from newsletter.doctor import config_secrets, ses_account, ses_feedback
from newsletter.doctor.aws import NotFound
from newsletter.doctor.context import Context
from newsletter.runtime import Runtime

TOPIC = "arn:aws:sns:eu-west-1:123456789012:feedback"


class Answers:
    """Answers by operation name; an exception instance is raised instead."""

    region = "us-east-1"

    def __init__(self, **answers: Any) -> None:
        self.answers = answers
        self.asked: list[tuple[str, dict[str, Any]]] = []

    def call(self, service: str, operation: str, **kwargs: Any) -> Any:
        self.asked.append((operation, kwargs))
        answer = self.answers[operation]
        if isinstance(answer, Exception):
            raise answer
        return answer


def context(active: int | None = 3, **sender: Any) -> Context:
    raw = {
        "newsletter": {"name": "T", "base_url": "https://news.example.com"},
        "sender": {"from": "t@example.com", "transport": "ses", **sender},
    }
    settings = parse_settings(raw, Path("/srv/newsletter/newsletter.toml"))
    counts = None if active is None else {"active": active}
    return Context(Runtime(settings), counts=counts)


def account(production: bool = True, enabled: bool = True, **quota: float) -> dict[str, Any]:
    return {
        "ProductionAccessEnabled": production,
        "SendingEnabled": enabled,
        "EnforcementStatus": "HEALTHY",
        "SendQuota": {"Max24HourSend": 50000.0, "MaxSendRate": 14.0, "SentLast24Hours": 0.0}
        | quota,
    }


def by_name(checks: list[Any]) -> dict[str, Any]:
    return {check.name: check for check in checks}


def test_get_account_answers_sandbox_sending_and_quota() -> None:
    aws = Answers(get_account=account())
    checks = by_name(ses_account.checks(context(active=30_000), aws))  # type: ignore[arg-type]
    assert checks["sandbox"].status == "ok"
    assert checks["sending"].status == "ok" and "HEALTHY" in checks["sending"].message
    quota = checks["quota"]
    assert quota.status == "ok"
    assert "30000 active at 14/s take about 36 min" in quota.message
    assert [op for op, _ in aws.asked] == ["get_account"]  # no v1 fallback needed


def test_paused_sending_fails_and_a_busy_day_warns() -> None:
    aws = Answers(get_account=account(enabled=False, SentLast24Hours=49_990.0))
    checks = by_name(ses_account.checks(context(active=100), aws))  # type: ignore[arg-type]
    assert checks["sending"].status == "fail"
    assert checks["quota"].status == "warn" and "leaves 10" in checks["quota"].message


def test_configured_rate_above_the_account_warns_and_sets_the_estimate() -> None:
    aws = Answers(get_account=account())
    checks = by_name(ses_account.checks(context(active=600, max_rate=50), aws))  # type: ignore[arg-type]
    assert checks["quota"].status == "warn"
    assert "600 active at 14/s" in checks["quota"].message


def test_sandbox_from_get_account_lists_unverified_recipients(monkeypatch: Any) -> None:
    ctx = context(active=2)
    monkeypatch.setattr(Context, "active_addresses", lambda self: iter(["a@ok.org", "b@no.org"]))
    identities = {"ok.org": {"VerificationStatus": "SUCCESS"}}

    class Lookup(Answers):
        def call(self, service: str, operation: str, **kwargs: Any) -> Any:
            if operation == "get_email_identity":
                found = identities.get(kwargs["EmailIdentity"])
                if found is None:
                    raise NotFound(kwargs["EmailIdentity"])
                return found
            return super().call(service, operation, **kwargs)

    checks = by_name(ses_account.checks(ctx, Lookup(get_account=account(production=False))))  # type: ignore[arg-type]
    sandbox = checks["sandbox"]
    assert sandbox.status == "fail"
    assert "b@no.org" in sandbox.message and "a@ok.org" not in sandbox.message
    assert "inferred" not in sandbox.message  # GetAccount said so


def test_v2_destinations_with_eventbridge_pass() -> None:
    aws = Answers(
        get_configuration_set={},
        get_configuration_set_event_destinations={
            "EventDestinations": [
                {
                    "Name": "bus",
                    "Enabled": True,
                    "MatchingEventTypes": ["BOUNCE", "COMPLAINT", "DELIVERY"],
                    "EventBridgeDestination": {"EventBusArn": "arn:aws:events:…:event-bus/default"},
                }
            ]
        },
    )
    ctx = context(configuration_set="newsletter")
    ctx.aws = aws  # type: ignore[assignment]
    checks = by_name(ses_feedback.checks(ctx))
    assert checks["bounce/complaint events"].status == "ok"
    assert "v1" not in checks["bounce/complaint events"].message
    assert "EventBridge" in checks["feedback subscription"].message


def test_disabled_destination_does_not_count_and_pending_subscription_warns() -> None:
    destinations = [
        {
            "Name": "off",
            "Enabled": False,
            "MatchingEventTypes": ["BOUNCE", "COMPLAINT"],
            "SnsDestination": {"TopicArn": TOPIC},
        },
    ]
    ctx = context(configuration_set="newsletter")
    ctx.aws = Answers(  # type: ignore[assignment]
        get_configuration_set={},
        get_configuration_set_event_destinations={"EventDestinations": destinations},
    )
    assert by_name(ses_feedback.checks(ctx))["bounce/complaint events"].status == "fail"

    destinations[0]["Enabled"] = True
    pending = {
        "Protocol": "https",
        "Endpoint": "https://NEWS.example.com/feedback/ses/",
        "SubscriptionArn": "PendingConfirmation",
    }
    aws = Answers(
        get_configuration_set={},
        get_configuration_set_event_destinations={"EventDestinations": destinations},
        list_subscriptions_by_topic={"Subscriptions": [pending]},
    )
    ctx.aws = aws  # type: ignore[assignment]
    subscription = by_name(ses_feedback.checks(ctx))["feedback subscription"]
    assert subscription.status == "warn" and "not confirmed" in subscription.message
    [(_, kwargs)] = [a for a in aws.asked if a[0] == "list_subscriptions_by_topic"]
    assert kwargs["region"] == "eu-west-1"  # asked where the topic lives


def test_base_url_rules() -> None:
    def check(url: str, transport: str = "ses") -> str:
        raw = {
            "newsletter": {"name": "T", "base_url": url},
            "sender": {"from": "t@example.com", "transport": transport},
        }
        settings = parse_settings(raw, Path("n.toml"))
        return config_secrets.base_url(settings.newsletter.base_url, transport).status

    assert check("https://news.example.com") == "ok"
    assert check("http://news.example.com") == "warn"
    assert check("http://127.0.0.1:8000", "outbox") == "ok"
    assert check("http://localhost:8000", "ses") == "warn"  # recipients cannot reach it
