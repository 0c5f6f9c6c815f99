"""The parts of doctor that need no AWS: the key estimate, .env, the database, the runner."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from newsletter.cli import app
from newsletter.cli.common import settings_from
from newsletter.doctor.config_secrets import entropy_bits
from newsletter.environment import EnvFileError, read_env_file
from newsletter.migrations import discover
from tests.doctor.test_doctor_live import doctor, line, status_of
from tests.fixtures.site import make_site

KEY = "NEWSLETTER_SECRET_KEY"


@pytest.mark.parametrize("make", [lambda: secrets.token_urlsafe(32), lambda: secrets.token_hex(32)])
def test_generated_keys_have_enough_entropy(make) -> None:  # type: ignore[no-untyped-def]
    for _ in range(200):
        assert entropy_bits(make())[0] >= 256


@pytest.mark.parametrize(
    "key",
    [
        "secret",
        "change-me-please-to-a-long-random-string-of-chars",
        "a" * 80,
        "ab" * 40,
        "correct horse battery staple is my password!",
        secrets.token_urlsafe(16),
        secrets.token_hex(16),
    ],
)
def test_weak_keys_fall_short(key: str) -> None:
    assert entropy_bits(key)[0] < 256


def test_env_file_format(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text(
        "# comment\n\nexport A=1\nB = 'two words'\nC=\"x # not a comment\"\nD=plain # note\n",
        encoding="utf-8",
    )
    assert read_env_file(path) == {
        "A": "1",
        "B": "two words",
        "C": "x # not a comment",
        "D": "plain",
    }
    assert read_env_file(tmp_path / "missing") == {}
    path.write_text("A=1\nthis is not an assignment\n", encoding="utf-8")
    with pytest.raises(EnvFileError, match=r"\.env:2: expected KEY=value"):
        read_env_file(path)


def _config(folder: Path, transport: str = "outbox", database: str = "sqlite:///list.db") -> Path:
    return make_site(
        folder,
        sender={"from": "t@example.com", "transport": transport},
        database={"url": database},
        feeds=[{"url": "feed.xml"}],
    ).config_path


def test_commands_read_env_beside_the_config_and_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY, "x")
    monkeypatch.delenv(KEY)  # restored to "unset" after the test
    monkeypatch.setenv("NEWSLETTER_TEST_KEPT", "from-environment")
    config = _config(tmp_path)
    (tmp_path / ".env").write_text(
        f"{KEY}=from-file\nNEWSLETTER_TEST_KEPT=from-file\n", encoding="utf-8"
    )
    probe = typer.Typer()

    @probe.command()
    def show(ctx: typer.Context) -> None:
        settings_from(ctx)
        typer.echo(f"{os.environ[KEY]} {os.environ['NEWSLETTER_TEST_KEPT']}")

    result = CliRunner().invoke(probe, [], obj={"config": config})
    assert result.output.strip() == "from-file from-environment", result.output
    assert KEY not in os.environ  # taken back when the command ended


def test_a_broken_env_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    config = _config(tmp_path)
    (tmp_path / ".env").write_text("oops\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["--config", str(config), "collect"])
    assert result.exit_code == 2
    assert f"{tmp_path / '.env'}:1: expected KEY=value" in result.output
    code, output = doctor(config)
    assert code == 1 and "expected KEY=value" in line(output, "config")


def test_invalid_config_is_one_failed_line(tmp_path: Path) -> None:
    path = tmp_path / "newsletter.toml"
    path.write_text('[newsletter]\nname = "T"\n[sender]\nfrom = "nobody"\n', encoding="utf-8")
    code, output = doctor(path)
    assert code == 1
    assert "sender.from must contain an email address" in line(output, "config")
    assert len(output.strip().splitlines()) == 2  # the line and the summary


def test_outbox_site_with_a_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from newsletter.audience.store import SubscriberStore
    from newsletter.db import ready

    monkeypatch.setenv(KEY, secrets.token_urlsafe(32))
    config = _config(tmp_path)
    (tmp_path / "feed.xml").write_bytes(
        (Path(__file__).parents[2] / "examples/demo/feeds/devpulse.xml").read_bytes()
    )
    SubscriberStore(ready(f"sqlite:///{tmp_path / 'list.db'}")).add("a@example.com")
    code, output = doctor(config)
    assert code == 0, output
    assert status_of(output, "transport") == "warn"
    assert status_of(output, "ses") == "skip"
    assert "1 active" in line(output, "subscribers")
    assert "entries" in line(output, f"feed {tmp_path / 'feed.xml'}")  # a local file feed


def test_schema_newer_than_the_program_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsletter.audience.store import SubscriberStore
    from newsletter.db import ready

    monkeypatch.setenv(KEY, secrets.token_urlsafe(32))
    config = _config(tmp_path)
    bind = ready(f"sqlite:///{tmp_path / 'list.db'}")
    SubscriberStore(bind)
    with bind.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO schema_version (version, name, applied) "
            "VALUES (99, 'future', '2030-01-01')"
        )
    code, output = doctor(config)
    assert code == 1
    assert "version 99, newer than this program's" in line(output, "schema version")
    assert status_of(output, "subscribers") == "skip"


def test_empty_database_file_warns_without_creating_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY, secrets.token_urlsafe(32))
    config = _config(tmp_path)
    (tmp_path / "list.db").write_bytes(b"")
    code, output = doctor(config)
    assert code == 0, output
    assert "no schema yet" in line(output, "schema version")
    import sqlite3

    with sqlite3.connect(tmp_path / "list.db") as connection:
        tables = connection.execute("SELECT name FROM sqlite_master").fetchall()
    assert tables == []  # doctor looked without migrating


def test_a_database_not_made_yet_is_not_called_unanswering(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Right after `init` the SQLite file does not exist: nothing failed to answer."""
    monkeypatch.setenv(KEY, secrets.token_urlsafe(32))
    code, output = doctor(_config(tmp_path))
    assert code == 0, output
    assert "does not exist yet" in line(output, "database")
    assert line(output, "schema version").endswith("skipped: no database yet")
    assert line(output, "subscribers").endswith("skipped: no database yet")
    assert not (tmp_path / "list.db").exists()


def test_an_empty_postal_address_is_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`init` lets it be empty ("add it later"): doctor is where later comes."""
    monkeypatch.setenv(KEY, secrets.token_urlsafe(32))
    config = _config(tmp_path)
    assert "1 Example Street" in line(doctor(config)[1], "postal address")
    make_site(tmp_path, base=config, newsletter={"postal_address": ""})
    code, output = doctor(config)
    assert code == 0 and status_of(output, "postal address") == "warn"
    assert "newsletter.postal_address is empty" in line(output, "postal address")


def test_database_on_postgresql(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_url: str
) -> None:
    from newsletter.audience.store import SubscriberStore
    from newsletter.db import ready

    monkeypatch.setenv(KEY, secrets.token_urlsafe(32))
    SubscriberStore(ready(postgres_url)).add("reader@example.com")
    code, output = doctor(_config(tmp_path, database=postgres_url))
    assert code == 0, output
    assert status_of(output, "database") == "ok"
    newest = discover()[-1].version
    assert f"version {newest} (current)" in line(output, "schema version")
    assert "1 active" in line(output, "subscribers")


def test_a_bug_in_a_check_is_one_failed_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsletter.doctor import runner

    def broken(ctx):  # type: ignore[no-untyped-def]
        yield from ()
        raise KeyError("surprise")

    monkeypatch.setattr(runner, "GROUPS", (("broken", broken), *runner.GROUPS[4:]))
    code, output = doctor(_config(tmp_path))
    assert code == 1
    assert "could not check: internal error: KeyError" in line(output, "broken")
    assert "feed " in output  # the groups after it still ran


def test_no_config_at_all_says_how_to_start(tmp_path: Path) -> None:
    code, output = doctor(tmp_path / "newsletter.toml")
    assert code == 1
    assert "config file not found" in line(output, "config")
    assert "run `newsletter init`" in line(output, "config")


def test_retired_keys_are_checked_like_the_current_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    current, retired = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    monkeypatch.setenv(KEY, current)
    config = _config(tmp_path)
    code, output = doctor(config)
    assert "retired keys" not in output  # not set: no line
    monkeypatch.setenv("NEWSLETTER_PREVIOUS_SECRET_KEYS", f"{retired}, {secrets.token_hex(32)}")
    code, output = doctor(config)
    assert status_of(output, "retired keys") == "ok"
    assert "2 retired keys" in line(output, "retired keys")
    monkeypatch.setenv("NEWSLETTER_PREVIOUS_SECRET_KEYS", f"{retired},password123")
    code, output = doctor(config)
    assert code == 1
    assert status_of(output, "retired keys") == "fail"
    assert "key 2 of 2" in line(output, "retired keys")  # which one, never the key itself
    assert "password123" not in output
    monkeypatch.setenv("NEWSLETTER_PREVIOUS_SECRET_KEYS", current)
    code, output = doctor(config)
    assert status_of(output, "retired keys") == "warn"
