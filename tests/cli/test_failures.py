"""Issue 16 item 7: the machine's failures are one line naming what and where, never a traceback.

A locked database is held by another process; a read-only data folder is a folder
under a regular file (tests run as root, where permissions do not stop a write); a
full disk is a real `RLIMIT_FSIZE` on a real `render` process, or `os.write`
answering ENOSPC in-process. Nothing may be left half-written.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from threading import Event

import pytest
from typer.testing import CliRunner

from newsletter import db
from newsletter.cli import app
from newsletter.cli.scheduling import _daily
from newsletter.config import database_url, load_settings
from tests.cli.conftest import DEMO_DATE, Site
from tests.fixtures.command import subprocess_env

HOLD_THE_LOCK = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN EXCLUSIVE")
print("held", flush=True)
sys.stdin.read()  # until the test closes our stdin
"""


def invoke(site: Site, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--config", str(site.config), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def leftovers(root: Path) -> list[Path]:
    return sorted(root.rglob("*.tmp"))


def test_status_before_anything_was_sent(demo_site: Callable[..., Site]) -> None:
    site = demo_site()
    assert invoke(site, "subscribers", "add", "reader@example.com")[0] == 0

    code, out, err = invoke(site, "status")

    assert (code, err) == (0, "")
    assert out == "no edition yet: run `newsletter daily`\n"


@pytest.fixture
def locked(demo_site: Callable[..., Site]) -> Iterator[Site]:
    """A demo whose database another process holds locked; the busy timeout is 0.5 s."""
    site = demo_site(database={"url": "sqlite:///data/newsletter.db?timeout=0.5"})
    assert invoke(site, "subscribers", "add", "reader@example.com")[0] == 0
    assert invoke(site, "status")[0] == 0  # every table this process knows now exists
    path = site.root / "data" / "newsletter.db"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_LOCK, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    yield site
    assert holder.stdin is not None
    holder.stdin.close()
    holder.wait(timeout=60)


@pytest.mark.slow
def test_status_answers_while_another_process_holds_the_database(locked: Site) -> None:
    """A fresh process (nothing cached): reading needs no write lock, so status answers."""
    result = locked.run("status")

    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "no edition yet: run `newsletter daily`\n"


def test_daily_says_the_database_is_locked_in_one_line(locked: Site) -> None:
    url = db.redacted_url(database_url(load_settings(locked.config)))

    code, out, err = invoke(locked, "daily", "--date", DEMO_DATE)

    assert code == 1
    assert err == (
        f"error: database {url} is locked by another process (waited 0.5 s); "
        "try again when it is done\n"
    )
    assert "Traceback" not in out


def test_daily_with_a_data_folder_that_cannot_be_created(demo_site: Callable[..., Site]) -> None:
    site = demo_site(
        newsletter={"data_dir": "blocked/data"},
        database={"url": "sqlite:///db/newsletter.db"},
    )
    (site.root / "blocked").write_text("a file where a folder should be\n", encoding="utf-8")

    code, out, err = invoke(site, "daily", "--date", DEMO_DATE)

    assert code == 1
    assert err.count("\n") == 1
    assert err.startswith(f"error: {site.root / 'blocked' / 'data'}")
    assert err.endswith(": Not a directory\n")
    assert "Traceback" not in out


@pytest.fixture
def drafted(demo_site: Callable[..., Site]) -> Site:
    site = demo_site()
    for step in ("collect", "draft"):
        code, _, err = invoke(site, step, "--date", DEMO_DATE)
        assert code == 0, err
    return site


def test_daily_on_a_full_disk_stops_at_render_and_leaves_nothing(
    drafted: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    edition = drafted.edition_dir()

    def full(_fd: int, _data: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", full)
    code, out, err = invoke(drafted, "daily", "--date", DEMO_DATE)
    monkeypatch.undo()

    assert code == 1
    assert err == f"error: cannot write {edition / 'email.html'}: No space left on device\n"
    assert "• draft: briefing.json exists, kept" in out
    assert leftovers(drafted.root) == []
    assert not (edition / "email.html").exists()
    [status] = json.loads(invoke(drafted, "status", "--date", DEMO_DATE, "--json")[1])
    assert (status["stage"], status["failed_step"]) == ("failed", "render")
    assert "No space left on device" in status["reason"]


@pytest.mark.slow
def test_render_that_cannot_write_keeps_the_last_render(drafted: Site) -> None:
    """A real process whose files may not grow past 2 KB (RLIMIT_FSIZE): the write fails
    as on a full disk, with EFBIG instead of ENOSPC."""
    assert invoke(drafted, "render", "--date", DEMO_DATE)[0] == 0
    edition = drafted.edition_dir()
    before = {path.name: path.read_bytes() for path in edition.iterdir()}

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))

    result = subprocess.run(
        drafted.cli("render", "--date", DEMO_DATE),
        capture_output=True,
        text=True,
        timeout=120,
        # a .pyc cut short at the limit would be kept: write none
        env={**subprocess_env(drafted.root), "PYTHONDONTWRITEBYTECODE": "1"},
        preexec_fn=small_files,
    )

    assert result.returncode == 1
    assert result.stderr == f"error: cannot write {edition / 'email.html'}: File too large\n"
    assert result.stdout == ""
    assert {path.name: path.read_bytes() for path in edition.iterdir()} == before
    assert leftovers(drafted.root) == []


def test_the_scheduler_logs_one_line_for_a_folder_that_cannot_be_created(
    demo_site: Callable[..., Site],
) -> None:
    site = demo_site(
        newsletter={"data_dir": "blocked/data"}, database={"url": "sqlite:///db/newsletter.db"}
    )
    (site.root / "blocked").write_text("a file where a folder should be\n", encoding="utf-8")
    said: list[str] = []

    code = _daily(site.config, date.fromisoformat(DEMO_DATE), Event(), said.append)

    assert code == 1
    assert said[-1].startswith(f"  {site.root / 'blocked' / 'data'}")
    assert said[-1].endswith(": Not a directory") and "\n" not in said[-1]
