"""`newsletter schedule`: once a day at send_time, DST-correct, catching up only within grace.

The scheduler runs on an injected clock whose `wait` moves time forward, so days
pass in milliseconds; one test runs the real command and stops it with SIGTERM
in the middle of a send.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from newsletter.operations.schedule import Plan, Scheduler
from newsletter.runtime import Paths
from tests.fixtures.command import wait_until
from tests.fixtures.ses import MotoServer
from tests.fixtures.site import make_site
from tests.send.conftest import Newsletter, copies_per_recipient
from tests.send.faulty_ses import FaultySes

SEOUL = ZoneInfo("Asia/Seoul")
NEW_YORK = ZoneInfo("America/New_York")


class FakeTime:
    """Wall-clock time that moves only when the scheduler waits (or a run takes time)."""

    def __init__(self, start: datetime, until: datetime) -> None:
        self.now = start.astimezone(UTC)
        self.until = until.astimezone(UTC)

    def clock(self) -> datetime:
        return self.now

    def wait(self, seconds: float) -> bool:
        if self.now >= self.until:
            return True
        self.now += timedelta(seconds=seconds)
        return False


def scheduled(
    zone: ZoneInfo,
    send_time: str,
    start: datetime,
    days: float,
    *,
    catch_up: int = 120,
    outcome: Callable[[date], int] = lambda _day: 0,
    done: Callable[[date], bool] = lambda _day: False,
) -> tuple[list[tuple[date, datetime]], list[str]]:
    """Run the scheduler from `start` for `days`; returns (edition date, local start) per run."""
    time = FakeTime(start, start + timedelta(days=days))
    runs: list[tuple[date, datetime]] = []
    lines: list[str] = []

    def run(day: date) -> int:
        runs.append((day, time.now.astimezone(zone)))
        time.now += timedelta(minutes=3)  # a run takes a while
        return outcome(day)

    plan = Plan.parse(zone.key, send_time, catch_up)
    Scheduler(plan, run, wait=time.wait, log=lines.append, clock=time.clock, done=done).serve()
    return runs, lines


def at(zone: ZoneInfo, *fields: int, fold: int = 0) -> datetime:
    return datetime(*fields, tzinfo=zone, fold=fold)  # type: ignore[misc]


def test_fires_once_a_day_at_seven_in_seoul() -> None:
    runs, lines = scheduled(SEOUL, "07:00", at(SEOUL, 2026, 3, 1, 6, 0), days=3)

    assert runs == [
        (date(2026, 3, 1), at(SEOUL, 2026, 3, 1, 7, 0)),
        (date(2026, 3, 2), at(SEOUL, 2026, 3, 2, 7, 0)),
        (date(2026, 3, 3), at(SEOUL, 2026, 3, 3, 7, 0)),
    ]
    assert "2026-03-01 07:00:00 KST daily 2026-03-01: started" in lines
    assert "2026-03-01 07:03:00 KST daily 2026-03-01: done in 180 s" in lines


def test_a_send_time_skipped_by_the_spring_forward_fires_once_just_after_the_gap() -> None:
    # 2026-03-08 02:00 EST → 03:00 EDT in New York: 02:30 does not exist that day
    runs, _ = scheduled(NEW_YORK, "02:30", at(NEW_YORK, 2026, 3, 7, 0, 0), days=3)

    assert [day for day, _ in runs] == [date(2026, 3, 7), date(2026, 3, 8), date(2026, 3, 9)]
    gap_day = runs[1][1]
    assert (gap_day.hour, gap_day.minute, gap_day.tzname()) == (3, 30, "EDT")
    assert runs[1][1].astimezone(UTC) == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
    assert (runs[2][1].hour, runs[2][1].minute) == (2, 30)


def test_a_send_time_repeated_by_the_fall_back_fires_once_the_first_time() -> None:
    # 2026-11-01 02:00 EDT → 01:00 EST: 01:30 happens twice
    runs, _ = scheduled(NEW_YORK, "01:30", at(NEW_YORK, 2026, 10, 31, 0, 0), days=3)

    assert [day for day, _ in runs] == [date(2026, 10, 31), date(2026, 11, 1), date(2026, 11, 2)]
    assert runs[1][1].astimezone(UTC) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # EDT
    assert runs[1][1].tzname() == "EDT"


def test_catches_up_once_when_started_within_the_grace() -> None:
    runs, lines = scheduled(SEOUL, "07:00", at(SEOUL, 2026, 3, 1, 8, 30), days=1.5)

    assert runs == [
        (date(2026, 3, 1), at(SEOUL, 2026, 3, 1, 8, 30)),  # at once, 90 min late
        (date(2026, 3, 2), at(SEOUL, 2026, 3, 2, 7, 0)),
    ]
    assert any("catching up: the send of 2026-03-01" in line for line in lines)


def test_no_catch_up_beyond_the_grace_or_when_already_sent() -> None:
    late, lines = scheduled(SEOUL, "07:00", at(SEOUL, 2026, 3, 1, 9, 30), days=1.5)
    assert [day for day, _ in late] == [date(2026, 3, 2)]
    assert any(
        "missed by 150 min, more than newsletter.catch_up_minutes (120 min)" in x for x in lines
    )

    sent, lines = scheduled(
        SEOUL, "07:00", at(SEOUL, 2026, 3, 1, 7, 20), days=1.5, done=lambda d: True
    )
    assert [day for day, _ in sent] == [date(2026, 3, 2)]
    assert any("the edition of 2026-03-01 was already sent" in line for line in lines)

    never, _ = scheduled(SEOUL, "07:00", at(SEOUL, 2026, 3, 1, 7, 1), days=1.5, catch_up=0)
    assert [day for day, _ in never] == [date(2026, 3, 2)]


def test_a_failed_or_crashed_run_does_not_stop_the_schedule() -> None:
    def outcome(day: date) -> int:
        if day.day == 1:
            raise RuntimeError("database is down")
        return 1 if day.day == 2 else 0

    runs, lines = scheduled(SEOUL, "07:00", at(SEOUL, 2026, 3, 1, 6, 0), days=3, outcome=outcome)

    assert [day.day for day, _ in runs] == [1, 2, 3]
    assert any("daily 2026-03-01: crashed: RuntimeError: database is down" in x for x in lines)
    assert any("daily 2026-03-02: failed (exit 1)" in line for line in lines)
    assert any("daily 2026-03-03: done" in line for line in lines)


def test_a_machine_asleep_over_the_send_time_skips_that_day() -> None:
    time = FakeTime(at(SEOUL, 2026, 3, 1, 6, 0), at(SEOUL, 2026, 3, 2, 8, 0))
    runs: list[date] = []
    real_wait = time.wait

    def wait(seconds: float) -> bool:
        if time.now == at(SEOUL, 2026, 3, 1, 6, 59).astimezone(UTC):
            time.now += timedelta(hours=4)  # suspended for four hours
        return real_wait(seconds)

    lines: list[str] = []
    plan = Plan.parse("Asia/Seoul", "07:00", 120)
    Scheduler(plan, runs.append, wait=wait, log=lines.append, clock=time.clock).serve()

    assert runs == [date(2026, 3, 2)]
    assert any("suspended?" in line and "skipped" in line for line in lines)


@pytest.mark.slow
def test_sigterm_stops_a_send_at_a_batch_boundary_and_the_scheduler_cleanly(
    ses: MotoServer, make_newsletter: Callable[..., Newsletter]
) -> None:
    now = datetime.now(UTC)
    zone = next(
        z
        for z in (ZoneInfo("UTC"), SEOUL)
        if (now.astimezone(z) - timedelta(minutes=3)).date() == now.astimezone(z).date()
    )
    day = now.astimezone(zone).date()
    with FaultySes(ses.url, hold_after=100) as gate:
        newsletter = make_newsletter(gate.url, max_rate=100.0)
        send_time = (now.astimezone(zone) - timedelta(minutes=2)).strftime("%H:%M")
        make_site(
            newsletter.root,
            base=newsletter.config,
            newsletter={"timezone": zone.key, "send_time": send_time, "catch_up_minutes": 30},
        )
        prepare_edition(newsletter, day)
        newsletter.subscribe(f"reader{i:04d}@example.net" for i in range(400))

        def sent() -> int:
            return newsletter.state_count("sent", day)

        process = newsletter.popen("schedule")
        wait_until(lambda: gate.held > 0, process)  # 100 sent, the next ones wait at the gate
        process.send_signal(signal.SIGTERM)
        gate.release()  # the sends in flight finish; nothing new starts
        stdout, stderr = process.communicate(timeout=30)

        assert process.returncode == 0, stderr
        assert "Traceback" not in stderr
        assert f"catching up: the send of {day}" in stdout
        assert "SIGTERM: stopping" in stdout
        assert "campaign interrupted" in stdout and "nothing lost" in stdout
        assert f"daily {day}: failed (exit 1)" in stdout
        assert stdout.rstrip().endswith("schedule: stopped")
        assert "next:" not in stdout.split("SIGTERM", 1)[1], "nothing planned after the stop"
        assert newsletter.state_count("sending", day) == 0, "a clean stop leaves nothing ambiguous"
        assert newsletter.state_count("claimed", day) == 0
        done = sent()
        assert 100 <= done < 400
        assert done + newsletter.state_count("pending", day) == 400
        copies = copies_per_recipient(ses.sent_raw_messages())
        assert sum(copies.values()) == done and set(copies.values()) == {1}

        resumed = newsletter.run("send", "--date", day.isoformat())

        assert resumed.returncode == 0, resumed.stderr
        copies = copies_per_recipient(ses.sent_raw_messages())
        assert len(copies) == 400 and set(copies.values()) == {1}


def prepare_edition(newsletter: Newsletter, day: date) -> None:
    """A collected, drafted and rendered edition of `day`: the daily job goes straight to send."""
    from newsletter.model import Item, items_to_json
    from tests.send.conftest import small_edition

    settings = newsletter.settings
    small_edition(settings, day)
    item = Item(
        id="one",
        feed_url="https://example.com/feed.xml",
        feed_title="Example",
        section="ai",
        title="에이전트가 만든 C 컴파일러",
        url="https://example.com/compiler",
        published=datetime.combine(day, datetime.min.time(), tzinfo=UTC),
    )
    (Paths.of(settings).edition_dir(day) / "items.json").write_text(
        items_to_json([item], day), encoding="utf-8"
    )
