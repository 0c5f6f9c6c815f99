"""Several `newsletter send` processes on one campaign: exactly once, a share each, one pace.

Real worker processes (`python -m newsletter send`) share a real PostgreSQL
database and send to moto server; copies per recipient come from moto's record,
and the combined pace from a loopback proxy that timestamps every request.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from datetime import datetime

import pytest

from tests.fixtures.command import wait_until
from tests.fixtures.postgres import PostgresCluster
from tests.fixtures.ses import MotoServer
from tests.send.conftest import DAY, Newsletter, addresses, copies_per_recipient
from tests.send.faulty_ses import FaultySes

pytestmark = pytest.mark.slow  # real `newsletter send` processes


def sent_by(stdout: str) -> int:
    match = re.search(r"^sent ([\d,]+),", stdout, re.MULTILINE)
    assert match, stdout
    return int(match.group(1).replace(",", ""))


def run_workers(newsletter: Newsletter, count: int) -> list[int]:
    """Start `count` send processes at once; their "sent N" lines once all are done."""
    processes = [newsletter.popen("send", "--date", DAY.isoformat()) for _ in range(count)]
    outputs = [process.communicate(timeout=180) for process in processes]
    for process, (_stdout, stderr) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, stderr
        assert "Traceback" not in stderr
        assert "may or may not have left" not in _stdout, "a live worker's rows are not ambiguous"
    return [sent_by(stdout) for stdout, _stderr in outputs]


def owners(newsletter: Newsletter) -> Counter[str]:
    from sqlalchemy import text

    from newsletter import db
    from newsletter.config import database_url

    with db.engine(database_url(newsletter.settings)).connect() as conn:
        rows = conn.execute(text("SELECT owner FROM send_log WHERE state = 'sent'"))
        return Counter(row.owner for row in rows)


def test_three_workers_on_postgresql_deliver_3000_exactly_once_each_a_share(
    ses: MotoServer,
    make_newsletter: Callable[..., Newsletter],
    postgres_cluster: PostgresCluster,
) -> None:
    newsletter = make_newsletter(ses.url, database=postgres_cluster.create_database())
    everyone = addresses(3000)
    newsletter.subscribe(everyone)

    shares = run_workers(newsletter, 3)

    assert copies_per_recipient(ses.sent_raw_messages()) == dict.fromkeys(everyone, 1)
    assert sum(shares) == 3000
    assert all(share >= 150 for share in shares), shares  # every worker did real work
    assert sorted(owners(newsletter).values()) == sorted(shares)

    status = newsletter.run("status", "--date", DAY.isoformat(), "--json")

    assert status.returncode == 0, status.stderr
    [report] = json.loads(status.stdout)
    assert (report["stage"], report["sent"], report["pending"]) == ("sent", 3000, 0)
    assert (report["failed"], report["ambiguous"], report["in_flight"]) == (0, 0, 0)
    # the rate is what was sent over the time it took, however fast this machine is today
    took = datetime.fromisoformat(report["finished"]) - datetime.fromisoformat(report["started"])
    assert took.total_seconds() > 0
    assert report["rate"] == pytest.approx(3000 / took.total_seconds(), rel=0.01)


def test_the_rate_is_shared_so_three_workers_stay_under_the_quota(
    ses: MotoServer,
    make_newsletter: Callable[..., Newsletter],
    postgres_cluster: PostgresCluster,
) -> None:
    with FaultySes(ses.url) as proxy:  # no faults: it only timestamps what arrives
        database = postgres_cluster.create_database()
        newsletter = make_newsletter(proxy.url, database=database, max_rate=30.0)
        everyone = addresses(300)
        newsletter.subscribe(everyone)

        shares = run_workers(newsletter, 3)

        measured = proxy.measured_rate()
    assert measured <= 1.1 * 30, f"{measured:.1f} messages/s for a quota of 30/s"
    # that a share comes back when a worker stops is test_leases' (a busy machine would make
    # a lower bound on the measured rate fail here for no fault of ours)
    assert all(share >= 30 for share in shares), shares
    assert copies_per_recipient(ses.sent_raw_messages()) == dict.fromkeys(everyone, 1)


def test_a_second_look_during_a_send_sees_rows_in_flight_not_ambiguous(
    ses: MotoServer, make_newsletter: Callable[..., Newsletter]
) -> None:
    with FaultySes(ses.url, hold_after=30) as gate:  # 30 sends pass, the rest wait for us
        newsletter = make_newsletter(gate.url)
        everyone = addresses(300)
        newsletter.subscribe(everyone)
        sender = newsletter.popen("send", "--date", DAY.isoformat())
        wait_until(lambda: gate.held > 0, sender)  # the send is mid-way, however fast

        dry = newsletter.run("send", "--date", DAY.isoformat(), "--dry-run")
        status = newsletter.run("status", "--date", DAY.isoformat(), "--json")
        gate.release()

        _stdout, stderr = sender.communicate(timeout=120)
    assert dry.returncode == 0, dry.stderr
    assert "ambiguous" not in dry.stdout
    [report] = json.loads(status.stdout)
    assert report["stage"] == "sending" and report["running"] is True
    assert report["ambiguous"] == 0 and report["in_flight"] > 0
    assert status.returncode == 0, "a send in progress is not a failure"
    assert sender.returncode == 0, stderr
    assert copies_per_recipient(ses.sent_raw_messages()) == dict.fromkeys(everyone, 1)
