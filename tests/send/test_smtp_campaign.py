"""`newsletter send` through SMTP: one message per active subscriber, faults, limits, SIGKILL.

The relay is a real SMTP server in this process (aiosmtpd); the sends are the
campaign in-process or `python -m newsletter send` subprocesses, and what counts
is what the server accepted, per envelope recipient.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from typing import Any

import pytest

from newsletter.pipeline import load_rendered_edition
from newsletter.runtime import Paths, Runtime
from newsletter.send.campaign import CampaignStopped, run_campaign
from newsletter.send.pool import PoolShape
from newsletter.send.retry import RetryPolicy
from tests.fixtures.command import wait_until
from tests.fixtures.smtp import PASSWORD, USERNAME, Certificates, SmtpServer, start_server
from tests.send.conftest import DAY, Newsletter, addresses, copies_per_recipient, parse

QUICK = RetryPolicy(attempts=5, base=0.01, cap=0.05)


def smtp_newsletter(
    make_newsletter: Callable[..., Newsletter], server: SmtpServer, **smtp: Any
) -> Newsletter:
    table = {"host": server.host, "port": server.port, "security": "none", **smtp}
    return make_newsletter("", transport="smtp", smtp=table, max_rate=None, daily_quota=None)


def send(newsletter: Newsletter, **options: Any):  # type: ignore[no-untyped-def]
    settings = newsletter.settings
    setup = Runtime(settings).campaign()
    edition = load_rendered_edition(Paths.of(settings).edition_dir(DAY), DAY)
    return run_campaign(setup, DAY, edition, **options)


@pytest.mark.slow
def test_every_active_subscriber_gets_one_message_and_a_rerun_sends_nobody_twice(
    smtp_server: SmtpServer, make_newsletter: Callable[..., Newsletter]
) -> None:
    newsletter = smtp_newsletter(make_newsletter, smtp_server, connections=4)
    everyone = addresses(300)
    newsletter.subscribe(everyone)
    newsletter.set_status(everyone[7], "unsubscribed")
    active = [address for address in everyone if address != everyone[7]]

    result = newsletter.run("send", "--date", DAY.isoformat())

    assert result.returncode == 0, result.stderr
    assert "sent 299, failed 0" in result.stdout
    assert "no quota API" in result.stdout
    assert smtp_server.copies == dict.fromkeys(active, 1)
    assert copies_per_recipient(smtp_server.messages) == dict.fromkeys(active, 1)
    assert smtp_server.recorder.sessions <= 4
    message = parse(smtp_server.messages[0])
    assert message["List-Unsubscribe"].startswith("<https://news.example.com/u/")

    again = newsletter.run("send", "--date", DAY.isoformat())
    assert again.returncode == 0, again.stderr
    assert "nothing to send" in again.stdout
    assert sum(smtp_server.copies.values()) == 299


@pytest.mark.slow
def test_replies_map_onto_failed_retried_and_ambiguous_rows(
    smtp_server: SmtpServer, make_newsletter: Callable[..., Newsletter]
) -> None:
    newsletter = smtp_newsletter(make_newsletter, smtp_server)
    everyone = addresses(30)
    newsletter.subscribe(everyone)
    refused, busy, throttled, dropped = everyone[3], everyone[5], everyone[8], everyone[13]
    faults = smtp_server.faults
    faults.rcpt[refused] = "550 5.1.1 no such user"
    faults.data[busy] = ["451 4.3.0 busy", "421 4.3.2 closing"]  # then accepted
    faults.data[throttled] = ["454 4.7.0 Throttling failure: Maximum sending rate exceeded."]
    faults.drop_after_data.add(dropped)

    summary = send(newsletter, policy=QUICK)

    assert (summary.sent, summary.failed, summary.ambiguous) == (28, 1, 1)
    assert summary.retries == 3
    assert summary.failures == [(refused, f"RCPT TO <{refused}>: 550 5.1.1 no such user")]
    rows = newsletter.rows()
    assert (rows[refused], rows[dropped], rows[busy]) == ("failed", "sending", "sent")
    others = [a for a in everyone if a not in (refused, dropped)]
    assert smtp_server.copies == dict.fromkeys(others, 1)

    rerun = newsletter.run("send", "--date", DAY.isoformat())  # the dropped one is not resent
    assert rerun.returncode == 0, rerun.stderr
    assert "1 messages may or may not have left" in rerun.stdout
    assert dropped not in smtp_server.copies

    resend = newsletter.run("send", "--date", DAY.isoformat(), "--resend-ambiguous")
    assert resend.returncode == 0, resend.stderr
    assert smtp_server.copies[dropped] == 1
    assert newsletter.rows()[dropped] == "sent"


def test_a_refused_sender_stops_the_campaign_and_loses_nothing(
    smtp_server: SmtpServer, make_newsletter: Callable[..., Newsletter]
) -> None:
    newsletter = smtp_newsletter(make_newsletter, smtp_server)
    newsletter.subscribe(addresses(50))
    smtp_server.faults.mail = "550 5.7.1 relaying denied for briefing@example.com"

    with pytest.raises(CampaignStopped, match="relaying denied"):
        send(newsletter, policy=QUICK)

    assert newsletter.state_count("sending") == 0
    assert newsletter.state_count("pending") == 50
    smtp_server.faults.mail = ""
    assert send(newsletter).sent == 50
    assert smtp_server.copies == dict.fromkeys(addresses(50), 1)


def test_max_per_day_counts_what_the_log_sent_in_the_last_24_hours(
    smtp_server: SmtpServer, make_newsletter: Callable[..., Newsletter]
) -> None:
    newsletter = smtp_newsletter(make_newsletter, smtp_server, max_per_day=40)
    newsletter.subscribe(addresses(60))

    with pytest.raises(CampaignStopped, match="24-hour sending quota is reached"):
        send(newsletter)
    with pytest.raises(CampaignStopped, match=r"\(0 sent now, 20 stay pending"):
        send(newsletter)  # the 40 sent a moment ago still count

    assert sum(smtp_server.copies.values()) == 40
    assert newsletter.state_count("pending") == 20


@pytest.mark.slow
def test_starttls_login_and_a_trusted_ca_file(
    certificates: Certificates,
    make_newsletter: Callable[..., Newsletter],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, controller = start_server(starttls=certificates.server_context(), auth=True)
    try:
        newsletter = smtp_newsletter(
            make_newsletter, server, security="starttls", username=USERNAME
        )
        newsletter.subscribe(addresses(5))
        (newsletter.root / ".env").write_text(f"NEWSLETTER_SMTP_PASSWORD={PASSWORD}\n")

        untrusted = newsletter.run("send", "--date", DAY.isoformat())
        assert untrusted.returncode != 0
        assert "certificate is not trusted" in untrusted.stderr
        assert "Traceback" not in untrusted.stderr
        assert server.copies == {}

        newsletter.smtp = {**(newsletter.smtp or {}), "ca_file": str(certificates.ca_file)}
        newsletter.reconfigure(transport="smtp", max_rate=None, daily_quota=None)
        trusted = newsletter.run("send", "--date", DAY.isoformat())
        assert trusted.returncode == 0, trusted.stderr
        assert server.copies == dict.fromkeys(addresses(5), 1)
    finally:
        controller.stop()


@pytest.mark.slow
def test_sigkill_mid_send_then_resume_doubles_nobody_outside_the_ambiguous_rows(
    smtp_server: SmtpServer, make_newsletter: Callable[..., Newsletter]
) -> None:
    newsletter = smtp_newsletter(make_newsletter, smtp_server, connections=4)
    everyone = addresses(1500)
    newsletter.subscribe(everyone)
    date = DAY.isoformat()
    ambiguous: set[str] = set()
    for kill_after in (0, 300, 900):
        process = newsletter.popen("send", "--date", date)
        if kill_after:
            wait_until(lambda n=kill_after: newsletter.state_count("sent") >= n, process)
        else:
            wait_until(lambda: newsletter.state_count("sending") > 0, process)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        left = {email for email, state in newsletter.rows().items() if state == "sending"}
        assert len(left - ambiguous) <= PoolShape.for_rate(4, None).armed
        ambiguous |= left

    final = newsletter.run("send", "--date", date)

    assert final.returncode == 0, final.stderr
    assert f"{len(ambiguous):,} messages may or may not have left" in final.stdout
    copies = smtp_server.copies
    assert set(copies) <= set(everyone)
    for address in everyone:
        assert copies[address] <= 1 if address in ambiguous else copies[address] == 1, address

    resend = newsletter.run("send", "--date", date, "--resend-ambiguous")

    assert resend.returncode == 0, resend.stderr
    copies = smtp_server.copies
    assert all(copies[address] >= 1 for address in everyone), "somebody is missing"
    assert {address for address in everyone if copies[address] > 1} <= ambiguous
    assert set(newsletter.rows().values()) == {"sent"}
