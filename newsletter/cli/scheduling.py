"""`newsletter schedule` wired to the real world: the wall clock, signals, and `daily`.

SIGTERM (systemd, `docker stop`) and SIGINT (Ctrl-C) set one stop event: a
sleeping scheduler exits at once; a running `daily` stops between steps, or in
the send at a batch boundary with every unsent row back to `pending`. A second
signal interrupts whatever is running (a send still hands its rows back).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from newsletter.cli.common import failure_line
from newsletter.cli.hints import approval_hint, stage_exit_code, stage_line
from newsletter.cli.output import say
from newsletter.config import ConfigError, load_settings
from newsletter.operations.approval import due
from newsletter.operations.daily import run_daily
from newsletter.operations.schedule import Plan, Scheduler
from newsletter.pipeline import StageError
from newsletter.runtime import Runtime


def run_schedule(runtime: Runtime, config: Path | None) -> None:
    stop = threading.Event()

    news = runtime.settings.newsletter
    plan = Plan.parse(news.timezone, news.send_time, news.catch_up_minutes)
    scheduler = Scheduler(
        plan,
        lambda day: _daily(config, day, stop, say),
        wait=stop.wait,
        log=say,
        done=lambda day: _already_sent(runtime, day),
        due=lambda now: _approval_due(config, now),
        missed_hint=lambda day: f"; run `newsletter daily --date {day}` to send it anyway",
    )

    def on_signal(signum: int, _frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        scheduler.log(f"{signal.Signals(signum).name}: stopping (a send stops at the next batch)")
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    scheduler.log(
        f"schedule: the daily edition at {news.send_time} {news.timezone} "
        f"(catch up within {news.catch_up_minutes} min)"
    )
    try:
        scheduler.serve()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    scheduler.log("schedule: stopped")


def _daily(
    config: Path | None, day: date, stop: threading.Event, say: Callable[[str], None]
) -> int:
    """One run with the config as it is now (edits apply from the next run on)."""
    try:
        settings = load_settings(config)
    except ConfigError as exc:
        say(f"daily {day}: {exc}")
        return 2
    try:
        report = run_daily(Runtime(settings), day, say=lambda line: say(f"  {line}"), cancel=stop)
    except StageError as exc:
        say(f"  {stage_line(exc)}")
        return stage_exit_code(exc)
    except Exception as exc:  # a full disk, a locked database: one line, as `daily` prints it
        line = failure_line(exc, settings)
        if line is None:
            raise
        say(f"  {line}")
        return 1
    if report.approvable:
        say(f"  {approval_hint(day)}")
    return 1 if report.summary and report.summary.failed else 0


def _approval_due(config: Path | None, now: datetime) -> list[date]:
    """Held editions to run again now (approved, rejected or past approve_by), with the
    config as it is now: approval can be switched on without a restart."""
    try:
        settings = load_settings(config)
    except ConfigError:
        return []  # the next run says what is wrong
    return due(Runtime(settings), now)


def _already_sent(runtime: Runtime, day: date) -> bool:
    try:
        record = runtime.editions.get(day)
    except Exception:  # the database is away: the run itself will say why
        return False
    return record is not None and record.stage == "sent"
