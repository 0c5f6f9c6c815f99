"""approval = "manual": `daily` holds the edition for the editors until `approve`; `reject`
drops the day; past `approve_by` the day is skipped and never sent. The clock is injected;
messages go through the outbox transport and are counted as files."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsletter.cli import app
from newsletter.model import Item, items_to_json
from newsletter.operations.approval import ApprovalError, approve, due, reject
from newsletter.operations.daily import run_daily
from newsletter.operations.schedule import Plan, Scheduler
from newsletter.operations.status import edition_statuses
from newsletter.pipeline import StageError
from newsletter.runtime import Paths, Runtime
from tests.fixtures.site import Site, make_site

DAY = date(2026, 2, 7)
BRIEFING = Path(__file__).parents[1] / "render" / "data" / "briefing-en.json"
SEND = datetime(2026, 2, 6, 22, 0, tzinfo=UTC)  # 07:00 in Seoul on DAY
EDITOR = "editor@example.com"


class Clock:
    def __init__(self, now: datetime = SEND) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Site:
    monkeypatch.setenv("NEWSLETTER_SECRET_KEY", "test-secret-key-0123456789abcdef")
    made = make_site(
        tmp_path / "site",
        newsletter={"approval": "manual", "editors": [EDITOR], "approve_by": "09:00"},
    )
    directory = Paths.of(made.settings).edition_dir(DAY)
    directory.mkdir(parents=True)
    shutil.copy(BRIEFING, directory / "briefing.json")
    item = Item(
        id="1",
        feed_url="https://x.example/feed",
        feed_title="X",
        section="ai",
        title="An item",
        url="https://x.example/1",
        published=SEND - timedelta(hours=2),
    )
    (directory / "items.json").write_text(items_to_json([item], DAY), encoding="utf-8")
    store = Runtime(made.settings).subscribers
    for address in ("a@example.com", "b@example.com"):
        store.add(address, status="active")
    return made


def outbox(site: Site) -> list[str]:
    folder = Paths.of(site.settings).outbox_dir(DAY)
    return sorted(p.name.split("-")[0] for p in folder.glob("*.eml")) if folder.exists() else []


def stage(site: Site) -> str:
    [status] = edition_statuses(site.runtime, DAY)
    return status.stage


def test_manual_approval_holds_the_day_until_approve(site: Site) -> None:
    clock = Clock()
    said: list[str] = []
    report = run_daily(site.runtime, DAY, say=said.append, clock=clock)
    assert report.held and report.summary is None
    assert outbox(site) == [EDITOR]  # the editor's test copy, nobody else
    assert any("awaiting approval (test copy sent to editor@example.com)" in s for s in said)
    assert stage(site) == "awaiting approval"
    [status] = edition_statuses(site.runtime, DAY)
    assert "awaiting approval" in (status.reason or "")
    shown = CliRunner().invoke(app, ["--config", str(site.config_path), "status"]).output
    assert "release it with `newsletter approve --date 2026-02-07`" in shown  # the CLI's words

    # a second run (the timer again) still holds, without a second test copy
    said.clear()
    run_daily(site.runtime, DAY, say=said.append, clock=clock)
    assert said[-1].startswith("approval: still awaiting approval")
    assert outbox(site) == [EDITOR]

    clock.now = SEND + timedelta(minutes=30)
    approve(site.runtime, DAY, clock.now, by="editor")
    assert due(site.runtime, clock.now) == [DAY]
    report = run_daily(site.runtime, DAY, say=said.append, clock=clock)
    assert report.summary is not None and report.summary.sent == 2
    assert outbox(site) == ["a@example.com", "b@example.com", EDITOR]
    assert stage(site) == "sent"
    assert due(site.runtime, clock.now) == []


def test_a_day_past_approve_by_is_skipped_and_never_sent(site: Site) -> None:
    clock = Clock()
    run_daily(site.runtime, DAY, clock=clock)
    clock.now = SEND + timedelta(hours=2, minutes=1)  # 09:01 in Seoul
    with pytest.raises(ApprovalError, match="too late: approve_by 09:00"):
        approve(site.runtime, DAY, clock.now)
    assert due(site.runtime, clock.now) == [DAY]  # a running schedule reports it
    with pytest.raises(StageError, match="skipped: not approved by approve_by 09:00"):
        run_daily(site.runtime, DAY, clock=clock)
    assert outbox(site) == [EDITOR]
    [status] = edition_statuses(site.runtime, DAY)
    assert status.stage == "skipped" and status.has_failed
    assert status.reason == "not approved by approve_by 09:00; nothing sent"
    # and it stays skipped: a later run sends nothing either
    with pytest.raises(StageError):
        run_daily(site.runtime, DAY, clock=clock)
    assert outbox(site) == [EDITOR]


def test_approved_but_not_sent_before_the_deadline_is_not_sent_stale(site: Site) -> None:
    clock = Clock()
    run_daily(site.runtime, DAY, clock=clock)
    approve(site.runtime, DAY, SEND + timedelta(minutes=5))
    clock.now = SEND + timedelta(hours=3)  # the machine was off until 10:00
    with pytest.raises(StageError, match="approved, but too late to go out by approve_by"):
        run_daily(site.runtime, DAY, clock=clock)
    assert outbox(site) == [EDITOR]


def test_reject_drops_the_day(site: Site) -> None:
    clock = Clock()
    run_daily(site.runtime, DAY, clock=clock)
    reject(site.runtime, DAY, clock.now, reason="story 2 is wrong", by="editor")
    [status] = edition_statuses(site.runtime, DAY)
    assert status.stage == "rejected" and status.reason == "rejected by editor: story 2 is wrong"
    assert not status.has_failed
    said: list[str] = []
    report = run_daily(site.runtime, DAY, say=said.append, clock=clock)
    assert (
        report.held and said[-1] == "approval: rejected by editor: story 2 is wrong; nothing sent"
    )
    assert outbox(site) == [EDITOR]
    with pytest.raises(ApprovalError, match="rejected"):
        approve(site.runtime, DAY, clock.now)


def test_daily_of_a_rejected_day_does_not_say_to_approve_it(site: Site) -> None:
    """`approve` refuses a rejected edition, so `daily` must not point at it."""
    site = make_site(site.root, base=site.config_path, newsletter={"approve_by": None})
    config = ["--config", str(site.config_path)]  # runs on today's clock: no deadline
    held = CliRunner().invoke(app, [*config, "daily", "--date", str(DAY)])
    assert "release it with `newsletter approve --date 2026-02-07`" in held.output
    reject(site.runtime, DAY, SEND, reason="story 2 is wrong", by="editor")
    result = CliRunner().invoke(app, [*config, "daily", "--date", str(DAY)])
    assert result.exit_code == 0, result.output
    assert "rejected by editor: story 2 is wrong; nothing sent" in result.output
    assert "newsletter approve" not in result.output


def test_reject_holds_the_day_with_automatic_approval_too(site: Site) -> None:
    """`reject` says nothing is sent that day; without manual approval that must hold too
    (an operator who rendered by hand, looked, and said no)."""
    auto = make_site(site.root, base=site.config_path, newsletter={"approval": "auto"})
    clock = Clock()
    reject(auto.runtime, DAY, clock.now, reason="story 2 is wrong", by="editor")
    said: list[str] = []
    report = run_daily(auto.runtime, DAY, say=said.append, clock=clock)
    assert (
        report.held and said[-1] == "approval: rejected by editor: story 2 is wrong; nothing sent"
    )
    assert outbox(auto) == []
    config = ["--config", str(auto.config_path)]
    result = CliRunner().invoke(app, [*config, "send", "--date", str(DAY)])
    assert result.exit_code == 1 and "rejected" in result.output
    assert outbox(auto) == []


def test_approve_with_automatic_approval_says_there_is_nothing_to_approve(site: Site) -> None:
    auto = make_site(site.root, base=site.config_path, newsletter={"approval": "auto"})
    run_daily(auto.runtime, DAY, clock=Clock())
    config = ["--config", str(auto.config_path)]
    result = CliRunner().invoke(app, [*config, "approve", "--date", str(DAY)])
    assert result.exit_code == 2
    assert 'approval is "auto"' in result.output and "newsletter.approval" in result.output


def test_an_edit_after_approval_needs_a_new_approval(site: Site) -> None:
    clock = Clock()
    run_daily(site.runtime, DAY, clock=clock)
    approve(site.runtime, DAY, clock.now)
    html = Paths.of(site.settings).edition_dir(DAY) / "email.html"
    html.write_text(html.read_text(encoding="utf-8") + "<!-- edited -->", encoding="utf-8")
    said: list[str] = []
    run_daily(site.runtime, DAY, say=said.append, clock=clock)
    assert any("awaiting approval (test copy sent" in s for s in said)
    assert outbox(site) == [EDITOR]


def test_the_send_command_refuses_a_held_edition(site: Site) -> None:
    run_daily(site.runtime, DAY, clock=Clock())
    config = ["--config", str(site.config_path)]
    result = CliRunner().invoke(app, [*config, "send", "--date", str(DAY)])
    assert result.exit_code == 1
    assert "awaiting approval" in result.output
    assert "newsletter approve --date 2026-02-07" in result.output
    assert outbox(site) == [EDITOR]
    # a test copy is still allowed
    copy = CliRunner().invoke(app, [*config, "send", "--date", str(DAY), "--to", "me@example.com"])
    assert copy.exit_code == 0, copy.output


def test_a_running_schedule_sends_once_approved(site: Site) -> None:
    """The scheduler's naps ask what is due; `approve` in between releases the edition."""
    clock = Clock(SEND + timedelta(minutes=1))
    runs: list[date] = []
    plan = Plan.parse("Asia/Seoul", "07:00", 120)
    naps = 0

    def wait(seconds: float) -> bool:
        nonlocal naps
        naps += 1
        clock.now += timedelta(seconds=seconds or 1)
        if naps == 3:  # an editor approves while the scheduler sleeps
            approve(site.runtime, DAY, clock.now, by="editor")
        return naps > 6

    def run(day: date) -> int:
        runs.append(day)
        run_daily(site.runtime, day, clock=clock)
        return 0

    scheduler = Scheduler(
        plan,
        run,
        wait=wait,
        log=lambda _: None,
        clock=clock,
        due=lambda now: due(site.runtime, now),
    )
    scheduler.serve()
    assert runs == [DAY, DAY]  # the catch-up run held it; the approval released it
    assert outbox(site) == ["a@example.com", "b@example.com", EDITOR]


def test_approval_settings_are_checked(tmp_path: Path) -> None:
    from newsletter.config import ConfigError

    with pytest.raises(ConfigError, match=r"needs newsletter\.editors"):
        make_site(tmp_path / "a", newsletter={"approval": "manual"})
    with pytest.raises(ConfigError, match=r"approve_by .* must be later than send_time"):
        make_site(
            tmp_path / "b",
            newsletter={"approval": "manual", "editors": [EDITOR], "approve_by": "06:00"},
        )
    with pytest.raises(ConfigError, match=r"editors\[0\] must be one email address"):
        make_site(tmp_path / "c", newsletter={"editors": ["not an address"]})
