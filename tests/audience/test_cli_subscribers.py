"""`newsletter subscribers …` through Typer's CliRunner and the real `newsletter` app,
on a config file written by the test (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsletter.cli import app as root
from tests.audience.conftest import write
from tests.fixtures.pipe import through_pipe
from tests.fixtures.site import make_site


@pytest.fixture
def config(tmp_path: Path, database_url: str) -> Path:
    return make_site(
        tmp_path,
        newsletter={"name": "Test Briefing"},
        sender={"from": "Briefing <briefing@example.com>"},
        database={"url": database_url},
    ).config_path


@pytest.fixture
def run(config: Path):  # type: ignore[no-untyped-def]
    runner = CliRunner()

    def invoke(*args: str) -> object:
        return runner.invoke(root, ["--config", str(config), "subscribers", *args])

    return invoke


def test_add_list_show_count(run) -> None:  # type: ignore[no-untyped-def]
    result = run("add", "Kim@Example.com", "--name", "김민지")
    assert result.exit_code == 0, result.output
    assert "added Kim@Example.com" in result.output
    again = run("add", "kim@example.com")
    assert again.exit_code == 0 and "already on the list" in again.output

    listed = json.loads(run("list", "--json").output)
    assert [(s["email"], s["name"], s["status"]) for s in listed] == [
        ("Kim@Example.com", "김민지", "active")
    ]
    table = run("list").output
    assert "Kim@Example.com" in table and "김민지" in table

    shown = json.loads(run("show", "KIM@example.com", "--json").output)
    assert shown["email"] == "Kim@Example.com"
    assert [(e["status"], e["source"]) for e in shown["events"]] == [("active", "cli")]
    assert "history" in run("show", "kim@example.com").output

    counts = json.loads(run("count", "--json").output)
    assert counts["active"] == 1 and counts["total"] == 1 and counts["bounced"] == 0


def test_remove_marks_unsubscribed_and_keeps_history(run) -> None:  # type: ignore[no-untyped-def]
    run("add", "a@example.com")
    result = run("remove", "A@EXAMPLE.COM")
    assert result.exit_code == 0 and "unsubscribed" in result.output
    shown = json.loads(run("show", "a@example.com", "--json").output)
    assert shown["status"] == "unsubscribed"
    assert [e["status"] for e in shown["events"]] == ["active", "unsubscribed"]
    assert run("remove", "a@example.com").exit_code == 0  # already: nothing to do
    assert json.loads(run("list", "--status", "unsubscribed", "--json").output)[0]["email"] == (
        "a@example.com"
    )
    assert json.loads(run("list", "--status", "active", "--json").output) == []


def test_list_pages(run) -> None:  # type: ignore[no-untyped-def]
    for index in range(5):
        run("add", f"user{index}@example.com")
    page = json.loads(run("list", "--limit", "2", "--offset", "1", "--json").output)
    assert [s["email"] for s in page] == ["user1@example.com", "user2@example.com"]


def test_bad_input_is_one_line_and_exit_2(run) -> None:  # type: ignore[no-untyped-def]
    for args in (("add", "not-an-address"), ("list", "--status", "gone"), ("forget", "a@b.com")):
        result = run(*args)
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1, result.output
    assert "@-sign" in run("add", "not-an-address").output


def test_unknown_subscriber_exit_1(run) -> None:  # type: ignore[no-untyped-def]
    for command in ("show", "remove"):
        result = run(command, "nobody@example.com")
        assert result.exit_code == 1
        assert "no subscriber with the address nobody@example.com" in result.output


def test_import_reports_and_export_round_trips(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = write(
        tmp_path / "list.csv", "email;name\nkim@example.com;Kim\nbroken;X\nlee@example.com;Lee\n"
    )
    dry = run("import", str(source), "--dry-run")
    assert dry.exit_code == 0 and "would be added" in dry.output and "dry run" in dry.output
    assert json.loads(run("count", "--json").output)["total"] == 0

    result = run("import", str(source))
    assert result.exit_code == 0, result.output
    assert "line 3" in result.output and "'broken'" in result.output
    assert "list.rejected.csv" in result.output
    summary = json.loads(run("import", str(source), "--json").output)
    assert (summary["added"], summary["present"], summary["invalid"]) == (0, 2, 1)

    out = tmp_path / "out.csv"
    exported = run("export", str(out))
    assert exported.exit_code == 0 and "exported 2" in exported.output
    assert out.read_text(encoding="utf-8").splitlines()[1].startswith("kim@example.com,Kim,active")
    to_stdout = run("export")
    assert to_stdout.output.splitlines()[0] == "email,name,status,created,attributes"


def test_an_export_into_a_pipe_or_device_writes_into_it(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`export /dev/stdout` or `/dev/null` must not replace the device with a file (it did,
    through the rename that keeps an interrupted export from leaving half a list)."""
    assert run("add", "kim@example.com", "--name", "Kim").exit_code == 0
    pipe = tmp_path / "pipe"
    exported, received = through_pipe(pipe, lambda: run("export", str(pipe)))
    assert exported.exit_code == 0, exported.output
    assert received.splitlines()[1].startswith("kim@example.com,Kim,active")


def test_import_of_an_unreadable_file_fails_cleanly(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("import", str(tmp_path / "missing.csv"))
    assert result.exit_code == 1
    assert "missing.csv: file not found" in result.output and "Traceback" not in result.output


def test_forget_requires_yes_and_blocks_reimport(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("add", "kim@example.com")
    refused = run("forget", "kim@example.com")
    assert refused.exit_code == 2 and "--yes" in refused.output
    assert json.loads(run("count", "--json").output)["total"] == 1
    done = run("forget", "kim@example.com", "--yes")
    assert done.exit_code == 0 and "erased" in done.output
    assert run("show", "kim@example.com").exit_code == 1
    summary = json.loads(
        run("import", str(write(tmp_path / "l.csv", "email\nkim@example.com\n")), "--json").output
    )
    assert (summary["added"], summary["suppressed"]) == (0, 1)
    blocked = run("add", "kim@example.com")
    assert blocked.exit_code == 1 and "erased" in blocked.output


def test_unreachable_database_is_one_line(tmp_path: Path) -> None:
    from tests.fixtures.network import free_port

    port = free_port()  # nothing listens there
    path = make_site(
        tmp_path, database={"url": f"postgresql://user:secret@127.0.0.1:{port}/db"}
    ).config_path
    result = CliRunner().invoke(root, ["--config", str(path), "subscribers", "count"])
    assert result.exit_code == 1
    assert "database (postgresql://user:***@127.0.0.1" in result.output
    assert "secret" not in result.output and "Traceback" not in result.output


def test_missing_config_is_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        root, ["--config", str(tmp_path / "nope.toml"), "subscribers", "count"]
    )
    assert result.exit_code == 2 and "config file not found" in result.output
