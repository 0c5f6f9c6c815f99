"""`newsletter subscribers add --confirm` and `list --status pending` through the real CLI app,
the confirmation read back from the outbox (SQLite and PostgreSQL)."""

from __future__ import annotations

import email
import json
from email import policy
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsletter.cli import app as root
from tests.fixtures.site import make_site


@pytest.fixture
def run(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("NEWSLETTER_SECRET_KEY", "cli-test-secret-0123456789abcdef")
    config = make_site(
        tmp_path,
        newsletter={"name": "Test Briefing"},
        sender={"from": "Briefing <briefing@example.com>"},
        database={"url": database_url},
    ).config_path
    runner = CliRunner()

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(root, ["--config", str(config), "subscribers", *args])

    return invoke


def outbox(tmp_path: Path) -> dict[str, email.message.EmailMessage]:
    found = {}
    for path in (tmp_path / "data" / "outbox").rglob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        found[message["To"].addresses[0].addr_spec] = message
    return found


def test_add_confirm_sends_the_signup_confirmation(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("add", "kim@example.com", "--name", "Kim", "--confirm")
    assert result.exit_code == 0, result.output
    assert "confirmation sent to kim@example.com (pending)" in result.output
    message = outbox(tmp_path)["kim@example.com"]
    assert message["Subject"] == "Confirm your subscription to Test Briefing"
    assert "https://news.example.com/confirm/" in message.get_body(("plain",)).get_content()

    pending = json.loads(run("list", "--status", "pending", "--json").output)
    assert [(s["email"], s["name"]) for s in pending] == [("kim@example.com", "Kim")]
    assert json.loads(run("list", "--status", "active", "--json").output) == []
    shown = json.loads(run("show", "kim@example.com", "--json").output)
    assert [(e["status"], e["source"]) for e in shown["events"]] == [("pending", "cli")]
    assert json.loads(shown["events"][0]["detail"])["via"] == "cli"

    again = run("add", "kim@example.com", "--confirm")
    assert again.exit_code == 1 and "less than 10 minutes ago" in again.output


def test_add_confirm_for_active_suppressed_and_forgotten(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("add", "on@example.com").exit_code == 0
    active = run("add", "on@example.com", "--confirm")
    assert active.exit_code == 0 and "already active, unchanged" in active.output

    assert run("add", "left@example.com").exit_code == 0
    assert run("remove", "left@example.com").exit_code == 0
    left = run("add", "left@example.com", "--confirm")
    assert left.exit_code == 0 and "(unsubscribed)" in left.output
    shown = json.loads(run("show", "left@example.com", "--json").output)
    assert shown["status"] == "unsubscribed"  # until the person presses the button

    assert run("add", "gone@example.com").exit_code == 0
    assert run("forget", "gone@example.com", "--yes").exit_code == 0
    gone = run("add", "gone@example.com", "--confirm")
    assert gone.exit_code == 1 and "only the person can sign up again" in gone.output
    assert set(outbox(tmp_path)) == {"left@example.com"}

    bad = run("add", "not-an-address", "--confirm")
    assert bad.exit_code == 2 and "not a valid address" in bad.output
    assert run("list", "--status", "nonsense").exit_code == 2
