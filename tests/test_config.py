"""Config errors are one line naming the file and the key, with exit status 2."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsletter.cli import app
from newsletter.config import ConfigError, database_url, feed_location, load_settings
from newsletter.starter import STARTER_TOML

MINIMAL = """
[newsletter]
name = "Test Briefing"
[sender]
from = "Test <news@example.com>"
transport = "outbox"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "newsletter.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_config_gets_documented_defaults(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, MINIMAL))
    assert settings.newsletter.language == "ko"
    assert settings.brief.max_stories == 5
    assert settings.sender.from_ == "Test <news@example.com>"
    # relative paths are anchored at the config file, not the working directory
    assert database_url(settings) == f"sqlite:///{tmp_path}/subscribers/newsletter.db"
    assert settings.data_dir == tmp_path / "."
    assert settings.list_id == "test-briefing.example.com"
    # fetch limits: bodies in memory, requests in flight, requests to one host
    collect = settings.collect
    assert (collect.concurrency, collect.connections, collect.per_host) == (16, 100, 4)


def test_starter_file_is_valid(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, STARTER_TOML))
    assert settings.feeds[0].url == "https://example.com/feed.xml"
    assert feed_location(settings.root, settings.feeds[0]) == "https://example.com/feed.xml"


@pytest.mark.parametrize(
    ("addition", "expected"),
    [
        ("[brief]\nmax_storeis = 3\n", "unknown key brief.max_storeis (did you mean max_stories?)"),
        ('[brief]\nmax_stories = "five"\n', "brief.max_stories must be an integer, found a string"),
        ("[brief]\nwindow_hours = false\n", "brief.window_hours must be an integer, found false"),
        ("[colect]\nx = 1\n", "unknown section or key [colect] (did you mean [collect]?)"),
        ('[[feeds]]\nsection = "ai"\n', "missing required key feeds[0].url"),
        ('[[feeds]]\nurl = "a.xml"\nweight = "high"\n', "feeds[0].weight must be a number"),
        ('[brief]\nwriter = "gpt"\n', "brief.writer must be one of extractive, bedrock"),
        ("[collect]\nper_host = 0\n", "collect.connections and per_host must be at least 1"),
        ("[feedback]\ntransient_bounce_days = 0\n", "feedback.transient_bounce_days must be"),
        ("[signup]\nconfirm_days = 0\n", "signup.confirm_days must be between 1 and 10000"),
        ('[smtp]\nsecurity = "ssl"\n', "smtp.security must be one of starttls, tls, none"),
        ("[smtp]\nconnections = 0\n", "smtp.connections must be between 1 and 64"),
        ('[smtp]\npassword_env = "my pass"\n', "smtp.password_env must be an environment"),
        ("[feedback]\ntrack_opens = 1\n", "track_opens must be true or false, found an integer 1"),
    ],
)
def test_bad_values_name_file_and_key(tmp_path: Path, addition: str, expected: str) -> None:
    path = write(tmp_path, MINIMAL + addition)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert str(path) in message
    assert expected in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('name = "Test Briefing"', 'name = "  "', "newsletter.name must not be empty"),
        (
            'from = "',
            'from = "Other <other@example.com>, ',
            "sender.from must be one address, found 2",
        ),
        ('from = "Test <', 'from = "Test, Inc. <', "a comma in the name needs quotes"),
        (
            'transport = "outbox"',
            'transport = "outbox"\nunsubscribe_mailbox = "Unsubscribe <unsub@example.com>"',
            "sender.unsubscribe_mailbox must be one plain address",
        ),
    ],
)
def test_values_that_would_go_out_wrong(tmp_path: Path, old: str, new: str, expected: str) -> None:
    """An empty name (a blank masthead and unsubscribe page, `List-Id: ""`) and a second
    sender (silently dropped) were taken without a word."""
    assert old in MINIMAL
    with pytest.raises(ConfigError, match=re.escape(expected)):
        load_settings(write(tmp_path, MINIMAL.replace(old, new, 1)))


def test_smtp_transport_needs_a_host(tmp_path: Path) -> None:
    smtp = MINIMAL.replace('transport = "outbox"', 'transport = "smtp"')
    path = write(tmp_path, smtp)
    with pytest.raises(ConfigError, match=r"smtp\.host is required"):
        load_settings(path)
    write(tmp_path, smtp + '[smtp]\nhost = "relay.example.com"\n')
    assert load_settings(path).smtp.port == 587


def test_missing_required_values(tmp_path: Path) -> None:
    path = write(tmp_path, '[newsletter]\nname = "x"\n')
    with pytest.raises(ConfigError, match=r"missing required key sender\.from"):
        load_settings(path)


def test_bad_timezone_and_toml_syntax(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="Mars/Olympus"):
        load_settings(
            write(
                tmp_path,
                MINIMAL.replace('name = "Test Briefing"', 'name = "T"\ntimezone = "Mars/Olympus"'),
            )
        )
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_settings(write(tmp_path, "[newsletter\nname="))


def test_cli_reports_config_error_in_one_line_exit_2(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + "[brief]\nmax_stories = 0\n")
    result = CliRunner().invoke(app, ["--config", str(path), "draft"])
    assert result.exit_code == 2
    assert "brief.max_stories must be between 1 and 10" in result.output
    assert "Traceback" not in result.output


def test_cli_missing_config_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--config", str(tmp_path / "nope.toml"), "collect"])
    assert result.exit_code == 2
    assert "config file not found" in result.output


def test_init_writes_starter_and_refuses_to_overwrite(tmp_path: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["init", str(tmp_path)])
    assert first.exit_code == 0, first.output
    assert (tmp_path / "newsletter.toml").read_text(encoding="utf-8") == STARTER_TOML
    second = runner.invoke(app, ["init", str(tmp_path)])
    assert second.exit_code == 1
    assert "already exists" in second.output


def test_a_folder_given_as_the_config_says_so(tmp_path: Path) -> None:
    """`--config DIR` said 'config file not found' about a folder that exists."""
    result = CliRunner().invoke(app, ["--config", str(tmp_path), "status"])
    assert result.exit_code == 2
    assert f"{tmp_path}: a folder; --config takes the file" in result.output
    write(tmp_path, MINIMAL)
    result = CliRunner().invoke(app, ["--config", str(tmp_path), "status"])
    assert f"(did you mean {tmp_path / 'newsletter.toml'}?)" in result.output
