"""`newsletter schedule`: the daily job at `send_time` in the newsletter's time zone, forever.

A foreground process for systemd or a container: it sleeps until the next send
time, runs the daily job, logs how it went, and goes back to sleep — a failed
run is logged and the next day comes anyway. Times are computed per local date
with zoneinfo, so daylight saving time is handled the way a person expects:

- a send time that does not exist that day (inside the spring-forward gap)
  fires once, at the same distance past the gap (02:30 → 03:30 in New York);
- a send time that happens twice (the fall-back hour) fires once, the first time.

Started after a send time (a reboot, a deploy), it catches up once if it is
late by at most `newsletter.catch_up_minutes`, and otherwise waits for the
next day rather than mailing everyone in the afternoon. The clock, the waiting
and the job are injected, so all of this is tested without waiting a day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_SLEEP = 60.0  # seconds: re-read the clock at least this often (suspend, clock steps)
LATE_AFTER_SLEEP = timedelta(minutes=5)  # woken this late from our own sleep still runs


@dataclass(frozen=True)
class Plan:
    zone: ZoneInfo
    send_time: time
    catch_up: timedelta

    @classmethod
    def parse(cls, zone: str, send_time: str, catch_up_minutes: int) -> Plan:
        hour, minute = (int(part) for part in send_time.split(":"))
        return cls(ZoneInfo(zone), time(hour, minute), timedelta(minutes=catch_up_minutes))

    def fire_time(self, day: date) -> datetime:
        """The instant (UTC) of `day`'s send. fold=0 picks the first of a repeated local
        time, and maps a skipped one to the instant just as far past the gap."""
        local = datetime.combine(day, self.send_time, tzinfo=self.zone)
        return local.astimezone(UTC)

    def last_until(self, moment: datetime) -> tuple[date, datetime]:
        """The latest (edition date, instant) at or before `moment`."""
        day = moment.astimezone(self.zone).date() + timedelta(days=1)
        while True:
            fire = self.fire_time(day)
            if fire <= moment:
                return day, fire
            day -= timedelta(days=1)

    def next_after(self, moment: datetime) -> tuple[date, datetime]:
        """The first (edition date, instant) strictly after `moment`."""
        day = moment.astimezone(self.zone).date() - timedelta(days=1)
        while True:
            fire = self.fire_time(day)
            if fire > moment:
                return day, fire
            day += timedelta(days=1)

    def local(self, moment: datetime) -> str:
        return moment.astimezone(self.zone).strftime("%Y-%m-%d %H:%M:%S %Z")


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Scheduler:
    """`serve()` runs `run(day)` once per day at the plan's time until `wait` says stop.

    `wait(seconds)` sleeps at most that long and returns True when the process
    must stop; `run(day)` returns an exit status (0 done, 1 failed, 2 bad config).
    `done(day)` tells whether today's edition already went out (no catch-up then).
    """

    def __init__(
        self,
        plan: Plan,
        run: Callable[[date], int],
        *,
        wait: Callable[[float], bool],
        log: Callable[[str], None],
        clock: Callable[[], datetime] = _utc_now,
        done: Callable[[date], bool] = lambda _day: False,
        due: Callable[[datetime], list[date]] = lambda _now: [],
        missed_hint: Callable[[date], str] = lambda _day: "",
    ) -> None:
        self.plan = plan
        self.run = run
        self.wait = wait
        self.clock = clock
        self.done = done
        self.due = due
        self.missed_hint = missed_hint  # the caller's words for sending a missed day anyway
        self._log = log
        self.runs: list[tuple[date, int]] = []

    def log(self, line: str) -> None:
        self._log(f"{self.plan.local(self.clock())} {line}")

    def serve(self) -> None:
        self._catch_up()
        while not self.wait(0):
            day, fire = self.plan.next_after(self.clock())
            self.log(f"next: the edition of {day} at {self.plan.local(fire)}")
            if not self._sleep_until(fire):
                return
            late = self.clock() - fire
            if late > max(self.plan.catch_up, LATE_AFTER_SLEEP):
                self.log(
                    f"woke {_minutes(late)} after the send time of {day} (suspended?): "
                    "skipped, more than newsletter.catch_up_minutes late"
                )
                continue
            self._run(day)

    def _catch_up(self) -> None:
        """The last send time passed before we started: send it now if not too late."""
        now = self.clock()
        today, fire = self.plan.last_until(now)
        late = now - fire
        if late >= timedelta(days=1):
            return
        when = self.plan.local(fire)
        if self.done(today):
            self.log(f"the edition of {today} was already sent (send time {when})")
        elif late <= self.plan.catch_up:
            self.log(f"catching up: the send of {today} at {when} was missed by {_minutes(late)}")
            self._run(today)
        else:
            self.log(
                f"the send of {today} at {when} was missed by {_minutes(late)}, more than "
                f"newsletter.catch_up_minutes ({_minutes(self.plan.catch_up)}): not sent"
                + self.missed_hint(today)
            )

    def _sleep_until(self, fire: datetime) -> bool:
        """False when told to stop first. Short naps: the wall clock is re-read often, and
        editions released meanwhile (`newsletter approve`, or an approval deadline passing)
        are run as soon as they are due."""
        while True:
            for day in self._due():
                self.log(f"daily {day}: its approval was decided (or its deadline passed)")
                self._run(day)
            remaining = (fire - self.clock()).total_seconds()
            if remaining <= 0:
                return True
            if self.wait(min(remaining, MAX_SLEEP)):
                return False

    def _due(self) -> list[date]:
        try:
            return self.due(self.clock())
        except Exception as exc:  # the database is away: the next nap asks again
            self.log(f"approval check failed: {type(exc).__name__}: {exc}")
            return []

    def _run(self, day: date) -> None:
        self.log(f"daily {day}: started")
        started = self.clock()
        try:
            code = self.run(day)
        except Exception as exc:  # a bug or an outage: log it, keep the schedule alive
            self.log(f"daily {day}: crashed: {type(exc).__name__}: {exc}")
            code = 1
        seconds = (self.clock() - started).total_seconds()
        verdict = "done" if code == 0 else f"failed (exit {code})"
        self.log(f"daily {day}: {verdict} in {seconds:.0f} s")
        self.runs.append((day, code))


def _minutes(delta: timedelta) -> str:
    minutes = delta.total_seconds() / 60
    return f"{minutes:.0f} min" if minutes < 180 else f"{minutes / 60:.1f} h"
