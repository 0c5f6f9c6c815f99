"""`newsletter doctor` against a real SES API endpoint (moto server), a real SQLite list
and a real feed server: the complete setup passes, and each missing piece gets its own line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsletter.cli import app
from tests.doctor.conftest import FEEDBACK_URL, Account, Site, closed_port

SYMBOL = {"ok": "✔", "warn": "⚠", "fail": "✖", "skip": "–"}


def doctor(config: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--config", str(config), "doctor", *extra])
    # stdout only: moto's server thread logs its own tracebacks for operations it lacks
    # to stderr, which the runner captures too.
    assert "Traceback" not in result.stdout
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout


def line(output: str, name: str) -> str:
    """The one output line of check `name` (exactly one must exist)."""
    found = [row for row in output.splitlines() if row[2:].startswith(f"{name}:")]
    assert len(found) == 1, (name, output)
    return found[0]


def status_of(output: str, name: str) -> str:
    symbol = line(output, name)[0]
    return {v: k for k, v in SYMBOL.items()}[symbol]


def test_complete_setup_passes(account: Account, site: Site) -> None:
    account.complete()
    site.subscribe("reader@example.com", "second@example.com")
    code, output = doctor(site.config)
    assert code == 0, output
    assert "✖" not in output
    for name in (
        "config",
        "secret key",
        "base_url",
        "transport",
        "database",
        "schema version",
        "subscribers",
        "aws credentials",
        "identity",
        "dkim",
        "mail from",
        "quota",
        "configuration set",
        "bounce/complaint events",
        "delivery events",
        "feedback subscription",
    ):
        assert status_of(output, name) == "ok", line(output, name)
    assert "example.com is verified" in line(output, "identity")
    assert "SUCCESS" in line(output, "dkim")
    assert "mail.example.com" in line(output, "mail from")
    assert "2 active" in line(output, "subscribers")
    assert FEEDBACK_URL in line(output, "feedback subscription")
    # moto has no GetAccount: the quota comes from v1 GetSendQuota and the line says so,
    # the sandbox is inferred from the sandbox's quota, and sending status cannot be read.
    assert "2 active at 1/s take about 2 s" in line(output, "quota")
    assert "GetSendQuota" in line(output, "quota")
    assert status_of(output, "sandbox") == "warn"
    assert "every active subscriber is a verified identity" in line(output, "sandbox")
    assert "inferred" in line(output, "sandbox")
    sending = line(output, "sending")
    assert sending.startswith("⚠") and "could not check" in sending
    assert "GetAccountSendingEnabled" in sending
    feed = [row for row in output.splitlines() if row.startswith("✔ feed ")]
    assert len(feed) == 1 and "entries" in feed[0]
    assert "0 failed" in output.splitlines()[-1]


def test_unverified_identity_fails_with_its_own_line(account: Account, site: Site) -> None:
    account.configuration_set().sns_destination().subscribe()  # everything but the identity
    code, output = doctor(site.config)
    assert code == 1
    identity = line(output, "identity")
    assert identity.startswith("✖")
    assert "neither example.com nor briefing@example.com is an SES identity" in identity
    assert "create the domain identity example.com" in identity
    assert status_of(output, "dkim") == "skip"
    assert status_of(output, "configuration set") == "ok"  # the other lines still report


def test_address_identity_without_domain_warns_about_dkim(account: Account, site: Site) -> None:
    account.configuration_set().sns_destination().subscribe()
    account.moto.client("sesv2").create_email_identity(EmailIdentity="briefing@example.com")
    site.sender = "briefing@example.com"
    site.write()
    code, output = doctor(site.config)
    assert code == 0, output
    assert status_of(output, "identity") == "ok"
    assert "address briefing@example.com is verified" in line(output, "identity")
    assert status_of(output, "dkim") == "warn"
    assert "amazonses.com" in line(output, "dkim")


def test_domain_without_dkim_fails(account: Account, site: Site) -> None:
    account.identity(dkim=False).configuration_set().sns_destination().subscribe()
    code, output = doctor(site.config)
    assert code == 1
    assert status_of(output, "dkim") == "fail"
    assert "NOT_STARTED" in line(output, "dkim")
    assert status_of(output, "mail from") == "warn"  # no custom MAIL FROM either
    assert "no custom MAIL FROM domain" in line(output, "mail from")


def test_configuration_set_not_configured_fails(account: Account, site: Site) -> None:
    account.identity().mail_from()
    site.configuration_set = ""
    site.write()
    code, output = doctor(site.config)
    assert code == 1
    assert "sender.configuration_set is not set" in line(output, "configuration set")
    assert status_of(output, "configuration set") == "fail"
    assert status_of(output, "bounce/complaint events") == "skip"


def test_configuration_set_missing_in_ses_fails(account: Account, site: Site) -> None:
    account.identity().mail_from()
    code, output = doctor(site.config)
    assert code == 1
    assert "'newsletter' does not exist in us-east-1" in line(output, "configuration set")


def test_configuration_set_without_destination_fails(account: Account, site: Site) -> None:
    account.identity().mail_from().configuration_set()
    code, output = doctor(site.config)
    assert code == 1
    events = line(output, "bounce/complaint events")
    assert events.startswith("✖") and "bounce and complaint" in events
    assert "v1 DescribeConfigurationSet" in events  # moto lacks the v2 call: said, not hidden


def test_destination_for_bounces_only_names_complaints(account: Account, site: Site) -> None:
    account.identity().mail_from().configuration_set().sns_destination(events=("bounce",))
    code, output = doctor(site.config)
    assert code == 1
    assert "for complaint events" in line(output, "bounce/complaint events")


def test_topic_without_our_endpoint_fails(account: Account, site: Site) -> None:
    account.identity().mail_from().configuration_set().sns_destination()
    account.subscribe("https", "https://elsewhere.example.org/hook")
    code, output = doctor(site.config)
    assert code == 1
    subscription = line(output, "feedback subscription")
    assert "https://elsewhere.example.org/hook" in subscription
    assert f"expected {FEEDBACK_URL}" in subscription


def test_sqs_queue_on_the_topic_passes(account: Account, site: Site) -> None:
    account.identity().mail_from().configuration_set().sns_destination()
    sqs = account.moto.client("sqs")
    queue = sqs.create_queue(QueueName="ses-feedback")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]
    account.subscribe("sqs", arn["QueueArn"])
    code, output = doctor(site.config)
    assert code == 0, output
    assert "feedback poll" in line(output, "feedback subscription")


def test_missing_secret_fails(
    account: Account, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    account.complete()
    monkeypatch.delenv("NEWSLETTER_SECRET_KEY")
    code, output = doctor(site.config)
    assert code == 1
    secret = line(output, "secret key")
    assert secret.startswith("✖") and "NEWSLETTER_SECRET_KEY is not set" in secret
    assert ".env" in secret  # the fix says where to put it


def test_weak_secret_fails(account: Account, site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    account.complete()
    monkeypatch.setenv("NEWSLETTER_SECRET_KEY", "change-me-please-to-a-long-random-string")
    code, output = doctor(site.config)
    assert code == 1
    assert "bits of entropy" in line(output, "secret key")


def test_unreachable_database_fails_and_the_rest_still_runs(account: Account, site: Site) -> None:
    account.complete()
    site.database = "postgresql://newsletter@127.0.0.1:1/x"
    site.write()
    code, output = doctor(site.config)
    assert code == 1
    database = line(output, "database")
    assert database.startswith("✖") and "cannot connect" in database
    assert "127.0.0.1:1" in database
    assert status_of(output, "schema version") == "skip"
    assert status_of(output, "identity") == "ok"
    assert "active subscribers unknown" in line(output, "quota")


def test_dead_feed_warns_per_feed(account: Account, site: Site, feed_server) -> None:  # type: ignore[no-untyped-def]
    account.complete()
    dead = f"http://127.0.0.1:{closed_port()}/feed.xml"
    site.feeds = [site.feeds[0], dead, feed_server.url("/page")]
    site.subscribe("reader@example.com")
    from newsletter.config import load_settings
    from tests.fixtures.edge import collect_for

    settings = load_settings(site.config)
    for _ in range(2):  # two mornings' collects, both without this feed
        collect_for(settings, settings.today())
    code, output = doctor(site.config)
    assert code == 0, output  # a dead feed does not stop an edition
    assert line(output, f"feed {dead}").startswith("⚠")
    assert "connection refused" in line(output, f"feed {dead}")
    assert "the last 2 collects failed since 20" in line(output, f"feed {dead}")
    page = line(output, f"feed {feed_server.url('/page')}")
    assert page.startswith("⚠") and "is not a feed" in page
    assert line(output, f"feed {site.feeds[0]}").startswith("✔")


def test_feed_check_is_conditional_with_the_cache(account: Account, site: Site) -> None:
    """A feed already in the collector's cache is asked with its ETag and answers 304."""
    from newsletter.collect.cache import FeedCache
    from newsletter.config import database_url, load_settings
    from newsletter.db import ready

    account.complete()
    site.subscribe("reader@example.com")
    settings = load_settings(site.config)
    FeedCache(ready(database_url(settings))).save(
        site.feeds[0], {"etag": '"v1"', "entries": b"x", "title": "T"}, exists=False
    )
    code, output = doctor(site.config)
    assert code == 0, output
    assert "not modified since the last collect" in line(output, f"feed {site.feeds[0]}")


def test_feedback_topic_missing_from_config_fails(account: Account, site: Site) -> None:
    """SNS delivers to our endpoint, but the webhook would refuse an unlisted topic."""
    account.complete()
    site.topic_arns = ""
    site.write()
    code, output = doctor(site.config)
    assert code == 1
    row = line(output, "feedback subscription")
    assert status_of(output, "feedback subscription") == "fail"
    assert "not in feedback.topic_arns" in row
    assert account.topic_arn in row


def test_sandbox_names_unverified_subscribers(account: Account, site: Site) -> None:
    account.complete()
    site.subscribe("reader@example.com", "stranger@elsewhere.org")
    code, output = doctor(site.config)
    assert code == 1
    sandbox = line(output, "sandbox")
    assert sandbox.startswith("✖")
    assert "stranger@elsewhere.org" in sandbox and "reader@example.com" not in sandbox
    assert "production access" in sandbox


def test_quota_smaller_than_the_list_fails(account: Account, site: Site) -> None:
    account.complete()
    site.subscribe(*(f"reader{n}@example.com" for n in range(201)))
    code, output = doctor(site.config)
    assert code == 1
    quota = line(output, "quota")
    assert quota.startswith("✖")
    assert "201 active at 1/s take about 4 min" in quota
    assert "only 200 messages are allowed per 24 h" in quota


def test_unreachable_aws_endpoint_fails_once_and_skips_the_rest(
    account: Account, site: Site
) -> None:
    site.moto_url = f"http://127.0.0.1:{closed_port()}"
    site.write()
    code, output = doctor(site.config)
    assert code == 1
    credentials = line(output, "aws credentials")
    assert credentials.startswith("✖") and "cannot reach the AWS endpoint" in credentials
    for name in ("identity", "quota", "configuration set"):
        assert status_of(output, name) == "skip"


def test_an_operation_the_endpoint_lacks_is_could_not_check(
    account: Account, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """moto implements GetEmailIdentity; make it answer as an endpoint without it does."""
    from newsletter.doctor import aws

    account.complete()
    real_call = aws.Aws.call

    def call(self, service, operation, **kwargs):  # type: ignore[no-untyped-def]
        if operation == "get_email_identity":  # ask what moto lacks instead: a real 404
            return real_call(self, "sesv2", "get_account")
        return real_call(self, service, operation, **kwargs)

    monkeypatch.setattr(aws.Aws, "call", call)
    _, output = doctor(site.config)
    identity = line(output, "identity")
    assert (
        identity.startswith("⚠") and "could not check: the endpoint does not implement" in identity
    )
    assert status_of(output, "dkim") == "skip"
    assert status_of(output, "configuration set") == "ok"


def test_no_credentials_fails_once_and_skips_the_rest(
    account: Account, site: Site, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    code, output = doctor(site.config)
    assert code == 1
    assert "no AWS credentials found" in line(output, "aws credentials")
    assert status_of(output, "identity") == "skip"
    assert status_of(output, "feedback subscription") == "skip"


def test_json_output(account: Account, site: Site) -> None:
    account.identity().mail_from().configuration_set()  # no event destination: one failure
    code, output = doctor(site.config, "--json")
    assert code == 1
    report = json.loads(output)
    assert report["ok"] is False
    by_name = {check["name"]: check for check in report["checks"]}
    assert by_name["identity"]["status"] == "ok"
    assert by_name["bounce/complaint events"]["status"] == "fail"
    assert by_name["bounce/complaint events"]["fix"]
    assert by_name["sending"]["message"].startswith("could not check:")
    assert report["counts"]["fail"] == sum(c["status"] == "fail" for c in report["checks"])
    assert set(report["counts"]) == {"ok", "warn", "fail", "skip"}


def test_last_edition_with_failed_rows_warns(account: Account, site: Site) -> None:
    from datetime import UTC, datetime

    from newsletter.config import database_url, load_settings
    from newsletter.db import ready
    from newsletter.schema import send_log

    account.complete()
    site.subscribe("reader@example.com")
    bind = ready(database_url(load_settings(site.config)))
    table = send_log
    now = datetime.now(UTC)
    rows = [
        ("2026-01-01", 1, "sent"),
        ("2026-01-02", 1, "sent"),
        ("2026-01-02", 2, "sent"),
        ("2026-01-02", 3, "failed"),
    ]
    with bind.begin() as connection:
        connection.execute(
            table.insert(),
            [
                {
                    "edition": e,
                    "subscriber_id": s,
                    "email": f"r{s}@example.com",
                    "state": st,
                    "attempts": 1,
                    "created_at": now,
                    "updated_at": now,
                }
                for e, s, st in rows
            ],
        )
    code, output = doctor(site.config)
    assert code == 0, output
    edition = line(output, "last edition")
    assert edition.startswith("⚠")
    assert "2026-01-02: 2 sent, 1 failed" in edition


def receipt_rule(account: Account, recipients: list[str], topic: str) -> None:
    ses = account.moto.client("ses")
    ses.create_receipt_rule_set(RuleSetName="newsletter")
    ses.create_receipt_rule(
        RuleSetName="newsletter",
        Rule={
            "Name": "unsubscribe",
            "Enabled": True,
            "Recipients": recipients,
            "Actions": [{"SNSAction": {"TopicArn": topic, "Encoding": "UTF-8"}}],
        },
    )
    ses.set_active_receipt_rule_set(RuleSetName="newsletter")


def test_an_unsubscribe_mailbox_nothing_receives_warns(account: Account, site: Site) -> None:
    """The mailto in every message would send readers' opt-outs nowhere."""
    account.complete()
    site.unsubscribe_mailbox = "unsub@example.com"
    site.write()
    _, output = doctor(site.config)
    row = line(output, "unsubscribe mailbox")
    assert status_of(output, "unsubscribe mailbox") == "warn", row
    assert "no rule of the active SES receipt rule set receives unsub@example.com" in row


def test_an_unsubscribe_mailbox_ruled_to_the_feedback_topic_passes(
    account: Account, site: Site
) -> None:
    account.complete()
    receipt_rule(account, ["unsub@example.com"], account.topic_arn)
    site.unsubscribe_mailbox = "unsub@example.com"
    site.write()
    code, output = doctor(site.config)
    assert status_of(output, "unsubscribe mailbox") == "ok", line(output, "unsubscribe mailbox")
    assert code == 0, output


def test_an_unsubscribe_mailbox_ruled_to_another_topic_warns(account: Account, site: Site) -> None:
    account.complete()
    other = account.moto.client("sns").create_topic(Name="elsewhere")["TopicArn"]
    receipt_rule(account, ["example.com"], other)
    site.unsubscribe_mailbox = "unsub@example.com"
    site.write()
    _, output = doctor(site.config)
    row = line(output, "unsubscribe mailbox")
    assert status_of(output, "unsubscribe mailbox") == "warn", row
    assert "not to a topic in feedback.topic_arns" in row and other in row


def test_no_unsubscribe_mailbox_no_line(account: Account, site: Site) -> None:
    account.complete()
    _, output = doctor(site.config)
    assert "unsubscribe mailbox:" not in output
