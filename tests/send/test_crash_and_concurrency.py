"""Exactly once across SIGKILLs and across concurrent senders, with `newsletter send` processes.

The processes are real (`python -m newsletter --config … send`), SES is moto
server, and what counts is what moto accepted: copies per recipient, parsed from
the raw messages.
"""

from __future__ import annotations

import signal
from collections.abc import Callable

import pytest

from newsletter.send.pool import PoolShape
from tests.fixtures.command import wait_until
from tests.fixtures.postgres import database_url_for
from tests.fixtures.ses import MotoServer
from tests.send.conftest import DAY, Newsletter, addresses, copies_per_recipient
from tests.send.faulty_ses import FaultySes

pytestmark = pytest.mark.slow  # real `newsletter send` processes, killed and raced

RECIPIENTS = 2000


def test_sigkill_at_any_point_loses_nobody_and_duplicates_only_reported_rows(
    ses: MotoServer, make_newsletter: Callable[..., Newsletter]
) -> None:
    newsletter = make_newsletter(ses.url)
    everyone = addresses(RECIPIENTS)
    newsletter.subscribe(everyone)
    date = DAY.isoformat()
    ambiguous: set[str] = set()
    # kill before anything is sent, then three times mid-send
    for kill_after in (0, 300, 900, 1500):
        process = newsletter.popen("send", "--date", date)
        if kill_after:
            wait_until(lambda n=kill_after: newsletter.state_count("sent") >= n, process)
        else:
            wait_until(lambda: newsletter.state_count("sending") > 0, process)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        left = {email for email, state in newsletter.rows().items() if state == "sending"}
        # only the armed window is ambiguous: 8 threads + 4 ready (claimed rows come back)
        assert len(left - ambiguous) <= PoolShape.for_rate(8, 5000.0).armed == 12
        ambiguous |= left

    final = newsletter.run("send", "--date", date)

    assert final.returncode == 0, final.stderr
    assert f"{len(ambiguous):,} messages may or may not have left" in final.stdout
    copies = copies_per_recipient(ses.sent_raw_messages())
    assert set(copies) <= set(everyone)
    for address in everyone:
        if address in ambiguous:
            assert copies[address] <= 1, address
        else:
            assert copies[address] == 1, (address, copies[address])
    assert sum(copies.values()) >= RECIPIENTS - len(ambiguous)

    resend = newsletter.run("send", "--date", date, "--resend-ambiguous")

    assert resend.returncode == 0, resend.stderr
    copies = copies_per_recipient(ses.sent_raw_messages())
    assert all(copies[address] >= 1 for address in everyone), "somebody is missing"
    assert {address for address in everyone if copies[address] > 1} <= ambiguous
    assert set(newsletter.rows().values()) == {"sent"}


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_two_sending_processes_share_one_campaign(
    database: str,
    ses: MotoServer,
    make_newsletter: Callable[..., Newsletter],
    request: pytest.FixtureRequest,
) -> None:
    url = database_url_for(database, request)
    with FaultySes(ses.url, hold_after=0) as gate:  # nothing leaves until both are sending
        newsletter = make_newsletter(gate.url, database=url, max_rate=150.0)
        everyone = addresses(1200)
        newsletter.subscribe(everyone)

        processes = [newsletter.popen("send", "--date", DAY.isoformat()) for _ in range(2)]
        # one process has 8 sending threads: a 9th send held at the gate is the other's
        for process in processes:
            wait_until(lambda: gate.held > 8, process)
        gate.release()
        outputs = [process.communicate(timeout=120) for process in processes]

    sent = []
    for process, (stdout, stderr) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, stderr
        assert "Traceback" not in stderr
        sent.append(int(stdout.split("sent ", 1)[1].split(",", 1)[0].replace(",", "")))
    assert all(count > 100 for count in sent), sent
    assert sum(sent) == len(everyone)
    assert copies_per_recipient(ses.sent_raw_messages()) == dict.fromkeys(everyone, 1)


def test_sigterm_stops_cleanly_and_hands_every_unsent_row_back(
    ses: MotoServer, make_newsletter: Callable[..., Newsletter]
) -> None:
    with FaultySes(ses.url, hold_after=100) as gate:
        newsletter = make_newsletter(gate.url, max_rate=200.0)
        everyone = addresses(600)
        newsletter.subscribe(everyone)
        process = newsletter.popen("send", "--date", DAY.isoformat())
        wait_until(lambda: gate.held > 0, process)  # 100 went out, the rest wait at the gate

        process.send_signal(signal.SIGTERM)  # what systemd or `docker stop` sends
        gate.release()  # the sends in flight finish; nothing new starts
        _stdout, stderr = process.communicate(timeout=60)

        assert process.returncode == 1
        assert "Traceback" not in stderr
        assert "campaign interrupted" in stderr and "nothing lost" in stderr
        assert newsletter.state_count("sending") == 0, "an orderly stop leaves nothing ambiguous"
        assert 0 < newsletter.state_count("pending") < 500
        rerun = newsletter.run("send", "--date", DAY.isoformat())
    assert rerun.returncode == 0, rerun.stderr
    assert "may or may not have left" not in rerun.stdout
    assert copies_per_recipient(ses.sent_raw_messages()) == dict.fromkeys(everyone, 1)
