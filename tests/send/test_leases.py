"""Who owns a row: live senders' rows are theirs, dead senders' claims come back, and only a
dead sender's `sending` rows are ambiguous. On SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from newsletter import db, schema
from newsletter.send.delivery import Stop
from newsletter.send.leases import (
    Lease,
    ambiguity,
    host_name,
    recover,
    release_ambiguous,
)
from newsletter.send.pool import PoolShape, run_pool
from newsletter.send.sendlog import Claimed, Outcome, SendLog
from tests.fixtures.command import wait_until
from tests.fixtures.postgres import database_url_for
from tests.send.conftest import DAY, Newsletter, addresses


@pytest.fixture(params=["sqlite", "postgresql"])
def log(
    request: pytest.FixtureRequest, make_newsletter: Callable[..., Newsletter]
) -> Iterator[SendLog]:
    url = database_url_for(request.param, request)
    newsletter = make_newsletter("http://127.0.0.1:9", database=url)
    newsletter.subscribe(addresses(10))
    from newsletter.config import database_url

    send_log = SendLog(db.ready(database_url(newsletter.settings)), DAY.isoformat())
    send_log.enqueue()
    yield send_log


def states(log: SendLog) -> dict[str, int]:
    return dict(log.counts())


def die(lease: Lease, *, host: str | None = None, pid: int | None = None) -> None:
    """The process behind `lease` dies without a word: the heartbeat stops, nothing is marked."""
    lease._stop.set()
    lease._thread.join()
    values: dict[str, object] = {}
    if host is not None:  # on another machine: only the lease's expiry tells
        values = {"host": host, "heartbeat_at": datetime.now(UTC) - timedelta(seconds=60)}
    if pid is not None:  # on this machine: a pid that no longer runs tells at once
        values = {"pid": pid}
    table = schema.send_workers
    with lease.engine.begin() as conn:
        conn.execute(table.update().where(table.c.owner == lease.owner).values(**values))


def finished_pid() -> int:
    process = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(process.stdout)


def test_a_live_senders_rows_are_in_flight_not_ambiguous(log: SendLog) -> None:
    with Lease(log.engine, log.edition, None) as lease:
        claimed = log.claim(6, lease.owner)
        armed = log.arm([row.row_id for row in claimed[:2]], lease.owner)

        assert len(armed) == 2
        assert states(log) == {"pending": 4, "claimed": 4, "sending": 2}
        assert ambiguity(log) == (0, 6)
        assert recover(log) == 0
        assert release_ambiguous(log) == 0
        assert states(log) == {"pending": 4, "claimed": 4, "sending": 2}


@pytest.mark.parametrize("death", ["other host, lease expired", "this host, pid gone"])
def test_a_dead_senders_claims_come_back_and_only_its_sending_rows_are_ambiguous(
    log: SendLog, death: str
) -> None:
    lease = Lease(log.engine, log.edition, None).__enter__()
    claimed = log.claim(6, lease.owner)
    log.arm([row.row_id for row in claimed[:2]], lease.owner)
    if death.startswith("other"):
        die(lease, host="another-machine")
    else:
        die(lease, pid=finished_pid())

    assert ambiguity(log) == (2, 0)
    assert recover(log) == 4
    assert states(log) == {"pending": 8, "sending": 2}
    assert release_ambiguous(log) == 2  # --resend-ambiguous
    assert states(log) == {"pending": 10}


def test_a_sender_that_lost_its_rows_to_recovery_never_sends_them(log: SendLog) -> None:
    slow = Lease(log.engine, log.edition, None).__enter__()
    rows = [row.row_id for row in log.claim(3, slow.owner)]
    die(slow, host="another-machine")  # looks dead (a long pause) …
    assert recover(log) == 3
    with Lease(log.engine, log.edition, None) as other:
        taken = log.claim(10, other.owner)
        assert set(rows) <= {row.row_id for row in taken}

        assert log.arm(rows, slow.owner) == set()  # … and wakes up: the fence holds

        assert states(log) == {"claimed": 10}
        assert log.arm(rows, other.owner) == set(rows)


def test_a_clean_stop_frees_the_share_and_leaves_nothing_behind(log: SendLog) -> None:
    with Lease(log.engine, log.edition, None) as lease:
        log.claim(5, lease.owner)
        log.release_claimed(lease.owner)
    assert states(log) == {"pending": 10}
    assert ambiguity(log) == (0, 0)


def test_live_senders_share_the_rate_and_take_it_back_when_one_stops(log: SendLog) -> None:
    shares: list[float | None] = []
    first = Lease(log.engine, log.edition, 30.0, on_share=shares.append, heartbeat=0.1)
    with first:
        assert first.share == 30.0 and first.others_at_start == 0
        with Lease(log.engine, log.edition, 30.0, heartbeat=0.1) as second:
            assert second.share == 15.0 and second.others_at_start == 1
            wait_until(lambda: first.share == 15.0)
        wait_until(lambda: first.share == 30.0)
    assert shares == [15.0, 30.0]


def test_an_unlimited_rate_is_never_divided(log: SendLog) -> None:
    with (
        Lease(log.engine, log.edition, None) as first,
        Lease(log.engine, log.edition, None) as second,
    ):
        assert first.share is None and second.share is None


def test_the_registry_names_host_and_pid(log: SendLog) -> None:
    import os

    from sqlalchemy import select

    with Lease(log.engine, log.edition, 10.0) as lease:
        table = schema.send_workers
        with log.engine.connect() as conn:
            row = conn.execute(select(table).where(table.c.owner == lease.owner)).one()
        assert (row.host, row.pid, row.edition, row.stopped_at) == (
            host_name(),
            os.getpid(),
            log.edition,
            None,
        )
        assert lease.owner.startswith(f"{host_name()}:{os.getpid()}:")


class InterruptedAfterArm:
    """The send log, with Ctrl-C arriving just after the second `arm` committed: the rows it
    marked `sending` were never queued to a worker."""

    def __init__(self, log: SendLog) -> None:
        self.log = log
        self.arms = 0

    def __getattr__(self, name: str) -> object:
        return getattr(self.log, name)

    def arm(self, row_ids: list[int], owner: str, outcomes: object = ()) -> set[int]:
        moved = self.log.arm(row_ids, owner, outcomes)  # type: ignore[arg-type]
        self.arms += 1
        if self.arms == 2:
            raise KeyboardInterrupt
        return moved


def test_an_interrupt_between_marking_and_queueing_leaves_no_row_ambiguous(
    log: SendLog,
) -> None:
    sent: list[int] = []

    def deliver(row: Claimed) -> Outcome:
        sent.append(row.row_id)
        return Outcome(row.row_id, "sent", f"id-{row.row_id}", attempts=1)

    with Lease(log.engine, log.edition, None) as lease:
        run_pool(
            InterruptedAfterArm(log),  # type: ignore[arg-type]
            deliver,
            owner=lease.owner,
            shape=PoolShape(workers=2, batch=10, window=16, armed=3, refill=1),
            stop=Stop(),
            budget=None,
            on_outcomes=lambda _outcomes: None,
        )

    after = states(log)
    assert "sending" not in after, after  # the interrupted rows never left: not ambiguous
    assert after.get("sent", 0) == len(sent) > 0
    assert after["pending"] == 10 - len(sent)
