"""Throttling, 5xx, lost connections, a paused account and the pace, through a faulty proxy."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from newsletter.pipeline import load_rendered_edition
from newsletter.runtime import Paths, Runtime
from newsletter.send.campaign import CampaignStopped, run_campaign
from newsletter.send.delivery import UNANSWERED_IN_A_ROW
from newsletter.send.retry import RetryPolicy
from tests.fixtures.ses import MotoServer
from tests.send.conftest import DAY, Newsletter, addresses, copies_per_recipient
from tests.send.faulty_ses import FaultySes

QUICK = RetryPolicy(attempts=10, base=0.01, cap=0.2)


def send(newsletter: Newsletter, **options):  # type: ignore[no-untyped-def]
    settings = newsletter.settings
    setup = Runtime(settings).campaign()
    edition = load_rendered_edition(Paths.of(settings).edition_dir(DAY), DAY)
    return run_campaign(setup, DAY, edition, **options)


def test_throttles_and_errors_are_retried_and_each_message_arrives_once(
    ses: MotoServer, make_newsletter: Callable[..., Newsletter]
) -> None:
    with FaultySes(ses.url, throttle=0.10, server_error=0.05) as proxy:
        newsletter = make_newsletter(proxy.url)
        newsletter.subscribe(addresses(200))
        summary = send(newsletter, policy=QUICK)

    assert (summary.sent, summary.failed) == (200, 0)
    for fault in ("throttle-json", "throttle-header", "500"):
        assert proxy.stats[fault] > 0, proxy.stats
    faults = sum(proxy.stats[k] for k in ("throttle-json", "throttle-header", "500"))
    assert summary.retries == faults
    assert copies_per_recipient(ses.sent_raw_messages()) == dict.fromkeys(addresses(200), 1)
    assert set(newsletter.rows().values()) == {"sent"}


def test_connections_closed_after_each_answer_are_replaced_without_a_retry_or_a_copy_more(
    ses: MotoServer, make_newsletter: Callable[..., Newsletter]
) -> None:
    """A server may close a kept-alive connection it thinks idle without saying so; the
    next request on it then finds it closed. That request never reached SES: it is sent
    on a new connection at once, not counted as a retry and not left in doubt."""
    with FaultySes(ses.url, close_after_answer=True) as proxy:
        newsletter = make_newsletter(proxy.url)
        newsletter.subscribe(addresses(60))
        summary = send(newsletter, policy=QUICK)

    assert (summary.sent, summary.failed, summary.ambiguous) == (60, 0, 0)
    assert proxy.stats["closed-after-answer"] == 60
    assert summary.retries == 0
    assert copies_per_recipient(ses.sent_raw_messages()) == dict.fromkeys(addresses(60), 1)


def test_a_message_whose_answer_was_lost_is_left_in_doubt_not_sent_twice(
    ses: MotoServer, make_newsletter: Callable[..., Newsletter]
) -> None:
    """SES took the message and the connection broke inside its answer: sending it again
    could give the reader two copies, so the row stays ambiguous until the operator asks."""
    with FaultySes(ses.url, lose_answers=3) as proxy:
        newsletter = make_newsletter(proxy.url)
        newsletter.subscribe(addresses(40))
        summary = send(newsletter, policy=QUICK)

        assert proxy.stats["lost-answer"] == 3
        assert (summary.sent, summary.failed, summary.ambiguous) == (37, 0, 3)
        assert copies_per_recipient(ses.sent_raw_messages()) == dict.fromkeys(addresses(40), 1)
        in_doubt = [email for email, state in newsletter.rows().items() if state == "sending"]
        assert len(in_doubt) == 3

        again = send(newsletter, policy=QUICK)  # a plain re-run leaves them alone
        assert (again.sent, again.ambiguous) == (0, 3)
        resent = send(newsletter, policy=QUICK, resend_ambiguous=True)
        assert resent.sent == 3
    copies = copies_per_recipient(ses.sent_raw_messages())
    assert {email for email, count in copies.items() if count == 2} == set(in_doubt)
    assert set(newsletter.rows().values()) == {"sent"}


def test_an_endpoint_that_takes_messages_and_never_answers_stops_the_run(
    ses: MotoServer, make_newsletter: Callable[..., Newsletter]
) -> None:
    """Without a stop every subscriber would end in doubt; with it the rest stay pending."""
    with FaultySes(ses.url, lose_answers=10_000) as proxy:
        newsletter = make_newsletter(proxy.url)
        newsletter.subscribe(addresses(100))
        with pytest.raises(CampaignStopped, match="never confirmed") as stopped:
            send(newsletter, policy=QUICK)

    summary = stopped.value.summary
    assert UNANSWERED_IN_A_ROW <= summary.ambiguous < 2 * UNANSWERED_IN_A_ROW
    assert summary.ambiguous == proxy.stats["lost-answer"] == len(ses.sent_raw_messages())
    assert summary.pending == 100 - summary.ambiguous
    assert summary.sent == 0


def test_a_message_that_keeps_failing_is_marked_failed_and_the_rest_go_on(
    ses: MotoServer, make_newsletter: Callable[..., Newsletter]
) -> None:
    with FaultySes(ses.url, server_error=1.0) as proxy:
        newsletter = make_newsletter(proxy.url)
        newsletter.subscribe(addresses(3))
        summary = send(newsletter, policy=RetryPolicy(attempts=3, base=0.01, cap=0.02))
    assert (summary.sent, summary.failed) == (0, 3)
    assert proxy.stats["500"] == 9
    assert summary.failures[0][1].startswith("gave up after 3 attempts: 500")
    assert set(newsletter.rows().values()) == {"failed"}


def test_a_rejected_recipient_fails_alone(
    ses: MotoServer, make_newsletter: Callable[..., Newsletter]
) -> None:
    newsletter = make_newsletter(ses.url)
    newsletter.subscribe([*addresses(5), "민지@example.net"])  # SES cannot do SMTPUTF8
    summary = send(newsletter)
    assert (summary.sent, summary.failed) == (5, 1)
    assert newsletter.rows()["민지@example.net"] == "failed"
    assert "SMTPUTF8" in summary.failures[0][1]


def test_the_rate_limit_holds(ses: MotoServer, make_newsletter: Callable[..., Newsletter]) -> None:
    with FaultySes(ses.url) as proxy:
        newsletter = make_newsletter(proxy.url, max_rate=20.0)
        newsletter.subscribe(addresses(60))
        summary = send(newsletter)
    assert summary.sent == 60 and summary.rate == 20.0
    measured = proxy.measured_rate()
    assert measured <= 1.1 * 20, measured
    # (how close to the rate a send gets depends on the machine: bench/, not a test)


def test_the_rate_limit_counts_retries_too(
    ses: MotoServer, make_newsletter: Callable[..., Newsletter]
) -> None:
    with FaultySes(ses.url, throttle=0.3) as proxy:
        newsletter = make_newsletter(proxy.url, max_rate=25.0)
        newsletter.subscribe(addresses(40))
        send(newsletter, policy=RetryPolicy(attempts=12, base=0.001, cap=0.002))
    assert len(proxy.requests) > 50  # throttled requests were retried…
    measured = proxy.measured_rate(every_request=True)
    assert measured <= 1.1 * 25, measured  # …and every attempt waited for its token
    assert copies_per_recipient(ses.sent_raw_messages()) == dict.fromkeys(addresses(40), 1)


@pytest.mark.parametrize(
    "code", ["SendingPausedException", "AccountSuspendedException", "AccessDeniedException"]
)
def test_a_paused_account_stops_at_once_and_a_rerun_resumes(
    code: str, ses: MotoServer, make_newsletter: Callable[..., Newsletter]
) -> None:
    with FaultySes(ses.url, paused_after=25, pause_code=code) as proxy:
        newsletter = make_newsletter(proxy.url, max_rate=200.0)
        newsletter.subscribe(addresses(150))
        with pytest.raises(CampaignStopped, match=code) as stopped:
            send(newsletter)
        summary = stopped.value.summary
        assert summary.sent == 25
        assert proxy.stats["paused"] <= 8  # the other workers stopped instead of trying
        assert newsletter.state_count("sending") == 0  # nothing ambiguous: all handed back
        assert newsletter.state_count("pending") == 125 == summary.pending
        assert "25 sent, 125 stay pending, nothing lost" in str(stopped.value)
        proxy.paused_after = None  # the account is back
        assert send(newsletter).sent == 125
    assert copies_per_recipient(ses.sent_raw_messages()) == dict.fromkeys(addresses(150), 1)


def test_quota_from_get_account_limits_the_run(
    ses: MotoServer, make_newsletter: Callable[..., Newsletter]
) -> None:
    account = {
        "SendingEnabled": True,
        "SendQuota": {"Max24HourSend": 50.0, "MaxSendRate": 300.0, "SentLast24Hours": 42.0},
    }
    with FaultySes(ses.url, account=account) as proxy:
        newsletter = make_newsletter(proxy.url, max_rate=None, daily_quota=None)
        newsletter.subscribe(addresses(20))
        with pytest.raises(CampaignStopped, match="24-hour sending quota") as stopped:
            send(newsletter)
    summary = stopped.value.summary
    assert (summary.rate, summary.budget, summary.sent) == (300.0, 8, 8)
    assert "GetAccount" in summary.quota_source
    assert len(ses.sent_raw_messages()) == 8


@pytest.mark.slow
def test_sending_disabled_in_get_account_sends_nothing(
    ses: MotoServer, make_newsletter: Callable[..., Newsletter]
) -> None:
    account = {"SendingEnabled": False, "SendQuota": {"Max24HourSend": 50000.0}}
    with FaultySes(ses.url, account=account) as proxy:
        newsletter = make_newsletter(proxy.url)
        newsletter.subscribe(addresses(5))
        result = newsletter.run("send", "--date", DAY.isoformat())
    assert result.returncode == 1
    assert "sending is paused for this SES account" in result.stderr
    assert "Traceback" not in result.stderr
    assert proxy.stats["forwarded"] == 0
    assert set(newsletter.rows().values()) == {"pending"}


@pytest.mark.slow
def test_a_policy_that_may_only_send_needs_both_limits_in_the_config(
    ses: MotoServer, make_newsletter: Callable[..., Newsletter]
) -> None:
    with FaultySes(ses.url, deny_quota=True) as proxy:
        configured = make_newsletter(proxy.url, max_rate=300.0, daily_quota=10_000)
        configured.subscribe(addresses(5))
        assert send(configured).sent == 5
        assert proxy.stats["denied"] == 2  # v2 GetAccount, then v1 GetSendQuota

        unconfigured = make_newsletter(proxy.url, max_rate=300.0, daily_quota=None)
        unconfigured.subscribe(addresses(5, start=5))
        result = unconfigured.run("send", "--date", DAY.isoformat())
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "campaign not started, nothing sent: cannot read the SES send quota" in result.stderr
    assert "set sender.max_rate and sender.daily_quota" in result.stderr
    assert copies_per_recipient(ses.sent_raw_messages()) == dict.fromkeys(addresses(5), 1)
