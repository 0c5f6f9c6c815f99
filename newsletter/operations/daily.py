"""The daily job: collect → draft → render → send for one date, safe to run again.

Each step is skipped when its output exists and is still valid (items collected
and not empty, the briefing loads, the render is newer than the briefing; the
send log skips everyone already served), so a re-run — by hand, by the timer's
catch-up, or after a crash — starts at the first step not done. The edition's
row in `editions` records every step and, on failure, which one and why. A lock
per date makes a second concurrent run stop at once instead of racing the first.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from newsletter.brief.report import DraftReport
from newsletter.editions import EditionLog
from newsletter.model import ModelError, items_from_json
from newsletter.operations.approval import gate as approval_gate
from newsletter.operations.lock import LockHeld, daily_lock
from newsletter.pipeline import (
    FEEDS_REPORT_NAME,
    ITEMS_NAME,
    Say,
    StageError,
    collect_stage,
    draft_stage,
    load_rendered_edition,
    load_valid_briefing,
    prune_feedback,
    publish_jekyll_post,
    purge_signups,
    render_is_current,
    render_stage,
    send_stage,
)
from newsletter.runtime import Runtime
from newsletter.send.campaign import NO_ACTIVE_SUBSCRIBERS, CampaignSummary
from newsletter.send.trial import send_test_copy


def _quiet(_: str) -> None:
    return None


class DailyBusy(StageError):
    """Another run is making `day`'s edition (`runner`, `since`: who and from when, when
    known); this one did not start."""

    def __init__(self, held: LockHeld) -> None:
        super().__init__(f"{held}; not starting a second one")
        self.day, self.runner, self.since = held.day, held.runner, held.since


@dataclass
class DailyReport:
    day: date
    steps: list[str] = field(default_factory=list)
    summary: CampaignSummary | None = None
    held: bool = False  # stopped for approval (`approval = "manual"`) or rejected
    approvable: bool = False  # held, and `newsletter approve` would release it


def run_daily(
    runtime: Runtime,
    day: date,
    *,
    say: Say = _quiet,
    cancel: threading.Event | None = None,
    clock: Callable[[], datetime] | None = None,
) -> DailyReport:
    """collect → draft → render → send for `day`, skipping what is done and still valid.

    Only one run per date at a time (the second raises StageError naming the
    first); each step's success or failure is recorded on the edition's row, so a
    re-run starts again at the step that failed. `cancel` (the scheduler's stop)
    ends the run between steps, or within the send at a batch boundary. `clock`
    decides an approval deadline (`newsletter.approve_by`; default the runtime's).
    """
    clock = clock or runtime.clock.now
    editions = runtime.editions
    try:
        with daily_lock(runtime, day, editions):
            return _daily_steps(runtime, day, editions, say, cancel, clock)
    except LockHeld as exc:
        raise DailyBusy(exc) from None


def _daily_steps(
    runtime: Runtime,
    day: date,
    editions: EditionLog,
    say: Say,
    cancel: threading.Event | None,
    clock: Callable[[], datetime],
) -> DailyReport:
    report = DailyReport(day)
    directory = runtime.paths.edition_dir(day)

    def step(line: str) -> None:
        report.steps.append(line)
        say(line)

    def begin(name: str) -> None:
        if cancel is not None and cancel.is_set():
            raise StageError(f"stopped before {name} of {day}; the next run continues from there")

    purged = purge_signups(runtime)
    if purged:
        days = runtime.settings.signup.unconfirmed_days
        step(f"signup: deleted {purged} unconfirmed signups older than {days} days")
    pruned = prune_feedback(runtime)
    if pruned.messages or pruned.soft_bounce_counts:
        step(
            f"feedback: forgot {pruned.messages} notification ids past redelivery and "
            f"{pruned.soft_bounce_counts} soft-bounce counts gone quiet"
        )
    with editions.recording(day, "collect"):
        begin("collect")
        if _items_are_valid(directory):
            step(f"collect: {ITEMS_NAME} exists, kept")
        else:
            result = collect_stage(runtime, day)
            working = sum(1 for feed in result.feeds if feed.status != "error")
            if not result.ok:
                raise StageError(
                    f"every feed failed for {day}; see {directory / FEEDS_REPORT_NAME}"
                )
            items, feeds = len(result.items), len(result.feeds)
            step(f"collect: {items} item{'s' * (items != 1)} from {working}/{feeds} feeds")
            for feed in result.feeds:  # the cron mail is where a person sees this
                if feed.status == "error":
                    step(f"collect: feed {feed.name} failed: {feed.reason}")
                elif not feed.kept and feed.reason:  # a quiet zero is how feeds rot unseen
                    step(f"collect: feed {feed.name} gave no items: {feed.reason}")
    editions.advance(day, "collected")
    with editions.recording(day, "draft"):
        begin("draft")
        if (directory / "briefing.json").exists():
            load_valid_briefing(directory, day)
            step(
                "draft: briefing.json exists, kept (edit it freely; re-draft with `draft --force`)"
            )
        else:
            drafted = DraftReport()
            briefing = draft_stage(runtime, day, report=drafted)
            stories = len(briefing.stories)
            step(f"draft: {stories} stor{'y' if stories == 1 else 'ies'}")
            for line in drafted.lines():
                step(f"draft: {line}")
    editions.advance(day, "drafted")
    with editions.recording(day, "render"):
        begin("render")
        if render_is_current(directory):
            step("render: email.html, email.txt and post.md are up to date")
            if runtime.paths.jekyll_posts_dir is not None:  # configured since: post it now
                post = (directory / "post.md").read_text(encoding="utf-8")
                title = load_valid_briefing(directory, day).title
                step(publish_jekyll_post(runtime, day, title, post))
        else:
            rendered = render_stage(runtime, day, say=step)
            size = len(rendered.edition.html.encode()) / 1024
            step(f"render: email.html ({size:.1f} KB), email.txt, post.md")
            for dropped in rendered.dropped:  # the cron mail is where a person sees this
                step(f"render: {dropped.line()}")
            for warning in rendered.warnings():
                step(f"render: gate warning: {warning}")
    editions.advance(day, "rendered")
    decided = approval_gate(
        runtime, day, clock(), editions, lambda address: _test_copy(runtime, day, address)
    )
    if decided.line:
        step(decided.line)
    if decided.skipped:
        raise StageError(decided.line.removeprefix("approval: "))
    if not decided.send:
        report.held, report.approvable = True, decided.approvable
        return report
    with editions.recording(day, "send"):
        begin("send")
    summary = send_stage(runtime, day, cancel=cancel)
    report.summary = summary
    if summary.no_recipients:
        step(f"send: {NO_ACTIVE_SUBSCRIBERS}")
    elif summary.nothing_to_do:
        step(f"send: nothing to send, {summary.already_sent} recipients already have {day}")
    else:
        step(f"send: {summary.sent} sent, {summary.failed} failed, {summary.skipped} skipped")
    return report


def _test_copy(runtime: Runtime, day: date, address: str) -> str:
    """One [TEST] copy to an editor; the line that says how it went (never raises)."""
    try:
        edition = load_rendered_edition(runtime.paths.edition_dir(day), day)
        send_test_copy(runtime.campaign(), day, edition, address)
    except Exception as exc:  # the hold stands; the editor can still use `preview`
        return f"test copy to {address} not sent: {exc}"
    return f"test copy sent to {address}"


def _items_are_valid(directory: Path) -> bool:
    """Collected and usable: `items.json` parses and has items (an empty day is collected
    again on the next run — the feeds may have news by then)."""
    path = directory / ITEMS_NAME
    if not path.exists():
        return False
    try:
        return bool(items_from_json(path.read_text(encoding="utf-8")))
    except (ModelError, ValueError):
        return False
