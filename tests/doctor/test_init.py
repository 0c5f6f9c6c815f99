"""`newsletter init`: the guided start writes a valid config, a private .env, and runs doctor."""

from __future__ import annotations

import importlib
import os
import stat
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsletter.cli import app
from newsletter.config import database_url, load_settings
from newsletter.starter import STARTER_TOML, Answers, private_paths, write_starter
from tests.doctor.conftest import BASE_URL, Account, FeedServer
from tests.doctor.test_doctor_live import doctor, line, status_of
from tests.fixtures.site import make_site

KEY = "NEWSLETTER_SECRET_KEY"


def test_init_with_flags_then_doctor(
    account: Account,
    feed_server: FeedServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    account.complete()
    monkeypatch.delenv(KEY)  # the key must come from the .env that init writes
    monkeypatch.setenv("AWS_ENDPOINT_URL", account.moto.url)  # boto3's own override
    folder = tmp_path / "site"
    feeds = [feed_server.url("/feed.xml"), feed_server.url("/feed.xml?second")]
    args = ["init", str(folder), "--name", "Morning Bits", "--language", "ko"]
    args += ["--from", "Morning Bits <bits@example.com>", "--base-url", BASE_URL]
    args += ["--feed", feeds[0], "--feed", feeds[1], "--transport", "ses", "--yes"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    config = tomllib.loads((folder / "newsletter.toml").read_text(encoding="utf-8"))
    assert config["newsletter"]["name"] == "Morning Bits"
    assert config["newsletter"]["language"] == "ko"
    assert config["newsletter"]["base_url"] == BASE_URL
    assert config["sender"]["from"] == "Morning Bits <bits@example.com>"
    assert config["sender"]["transport"] == "ses"
    assert config["sender"]["configuration_set"] == "newsletter"
    assert [feed["url"] for feed in config["feeds"]] == feeds
    assert "# Secrets never go in this file" in (folder / "newsletter.toml").read_text()
    env = folder / ".env"
    assert stat.S_IMODE(env.stat().st_mode) == 0o600
    [secret] = [row for row in env.read_text().splitlines() if row.startswith(f"{KEY}=")]
    assert len(secret) - len(KEY) - 1 >= 43  # 32 random bytes, base64url
    assert ".env" in (folder / ".gitignore").read_text().splitlines()
    # init ended by running doctor, which read the key from .env and asked moto.
    assert "from .env" in line(result.stdout, "secret key")
    assert status_of(result.stdout, "identity") == "ok"
    # the topic delivers to us, but a fresh config does not list it yet: the webhook would
    # refuse every notification, and doctor says what to add
    feedback = line(result.stdout, "feedback subscription")
    assert status_of(result.stdout, "feedback subscription") == "fail"
    assert f'topic_arns = "{account.topic_arn}"' in feedback
    assert [row for row in result.stdout.splitlines() if row.startswith("✖")] == [feedback]
    assert KEY not in os.environ  # the .env values are not left behind in this process
    with (folder / "newsletter.toml").open("a", encoding="utf-8") as config_file:
        config_file.write(f'\n[feedback]\ntopic_arns = "{account.topic_arn}"\n')
    code, output = doctor(folder / "newsletter.toml")
    assert code == 0, output
    assert "from .env" in line(output, "secret key")
    assert status_of(output, "feedback subscription") == "ok"


def test_init_without_flags_is_the_starter_and_points_at_the_placeholder(
    tmp_path: Path,
) -> None:
    result = CliRunner().invoke(app, ["init", str(tmp_path)])  # stdin is not a terminal
    assert result.exit_code == 0, result.output
    assert (tmp_path / "newsletter.toml").read_text(encoding="utf-8") == STARTER_TOML
    assert "starter's placeholder" in line(result.stdout, "feed Example News")
    assert status_of(result.stdout, "secret key") == "ok"
    assert "0 failed" in result.output


def test_init_asks_on_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, feed_server: FeedServer
) -> None:
    # The module, not `newsletter.cli.init` by name: the package's `init` command shadows it.
    monkeypatch.setattr(
        importlib.import_module("newsletter.cli.init"), "stdin_is_tty", lambda: True
    )
    answers = [
        "Tiny News",
        "en",
        "Mars/Olympus",  # not a zone: asked again
        "Europe/Berlin",
        "25:00",  # not a time: asked again
        "06:30",
        "Tiny <tiny@example.org>",
        "Tiny News, 1 Example Street, 10115 Berlin",
        "http://127.0.0.1:8000",
        "AI, 반도체 ,",
        "techcrunch.com/feed",  # no scheme: asked again, not taken for a file
        feed_server.url("/feed.xml"),
        "hardware",
        "Tiny Wire",
        feed_server.url("/feed.xml?second"),
        "",  # section: the default
        "",  # name: the feed's own title
        "",
        "outbox",
    ]
    result = CliRunner().invoke(app, ["init", str(tmp_path)], input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "newsletter.toml").read_text(encoding="utf-8")
    config = tomllib.loads(text)
    assert config["newsletter"]["name"] == "Tiny News"
    assert config["newsletter"]["timezone"] == "Europe/Berlin"
    assert config["newsletter"]["send_time"] == "06:30"
    assert config["newsletter"]["postal_address"] == "Tiny News, 1 Example Street, 10115 Berlin"
    assert config["sender"]["from"] == "Tiny <tiny@example.org>"
    assert config["sender"]["transport"] == "outbox"
    assert config["feeds"] == [
        {"url": feed_server.url("/feed.xml"), "section": "hardware", "name": "Tiny Wire"},
        {"url": feed_server.url("/feed.xml?second"), "section": "tech"},
    ]
    assert config["brief"]["topics"] == ["AI", "반도체"]
    asked_again = result.stdout.count("not an IANA time zone") + result.stdout.count("HH:MM, found")
    assert asked_again == 2
    assert "--feed: 'techcrunch.com/feed' is not an http(s) URL" in result.stdout
    # doctor checked the named feed; one on this machine is refused until the config allows
    # private networks (SSRF policy)
    refused = line(result.stdout, "feed Tiny Wire")
    assert "refused to connect to 127.0.0.1: a loopback address" in refused


def test_init_flags_for_every_answer_and_a_gitignore_for_private_data(tmp_path: Path) -> None:
    args = ["init", str(tmp_path), "--yes", "--timezone", "America/New_York"]
    args += ["--send-time", "05:45", "--postal-address", "PO Box 1, New York, NY"]
    args += ["--topic", "AI", "--topic", "open source", "--feed", "https://a.example/rss"]
    args += ["--feed", "https://b.example/atom.xml|security|B Weekly"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    text = (tmp_path / "newsletter.toml").read_text(encoding="utf-8")
    config = tomllib.loads(text)
    assert config["newsletter"]["timezone"] == "America/New_York"
    assert config["newsletter"]["send_time"] == "05:45"
    assert config["newsletter"]["postal_address"] == "PO Box 1, New York, NY"
    assert config["feeds"] == [
        {"url": "https://a.example/rss", "section": "tech"},
        {"url": "https://b.example/atom.xml", "section": "security", "name": "B Weekly"},
    ]
    assert config["brief"]["topics"] == ["AI", "open source"]
    ignored = (tmp_path / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ignored[1:] == [
        ".env",
        "/subscribers/newsletter.db*",  # the -wal and -shm files too
        "/editions/",
        "/outbox/",
        "/locks/",
        "/.newsletter-secret",
    ]
    assert ignored[0].startswith("#")


def test_the_gitignore_follows_the_data_folder_and_database(tmp_path: Path) -> None:
    make_site(
        tmp_path / "site",
        newsletter={"data_dir": "var"},
        database={"url": "sqlite:///var/db/list.sqlite"},
    )
    settings = load_settings(tmp_path / "site" / "newsletter.toml")
    assert private_paths(settings.root, database_url(settings), settings.data_dir) == [
        ".env",
        "/var/db/list.sqlite*",
        "/var/editions/",
        "/var/outbox/",
        "/var/locks/",
        "/var/.newsletter-secret",
    ]
    elsewhere = make_site(tmp_path / "other", database={"url": "sqlite:////srv/list.db"})
    assert "/srv/list.db*" not in private_paths(
        elsewhere.root, elsewhere.database_url, elsewhere.data_dir
    )


def test_init_with_smtp_writes_a_relay_section_that_loads(tmp_path: Path) -> None:
    # the starter itself (the CLI would go on to run doctor, which dials the relay)
    path = write_starter(tmp_path, Answers(sender="Bits <bits@example.com>", transport="smtp"))
    settings = load_settings(path)
    assert settings.sender.transport == "smtp"
    assert settings.smtp.host == "email-smtp.us-east-1.amazonaws.com"  # the example, to edit
    assert (settings.smtp.port, settings.smtp.security) == (587, "starttls")
    assert settings.smtp.password_env == "NEWSLETTER_SMTP_PASSWORD"


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--language", "fr"], "--language must be one of en, ko"),
        (["--transport", "pigeon"], "--transport must be one of outbox, ses, smtp"),
        (["--from", "nobody"], "sender.from must contain an email address"),
        (["--base-url", "news.example.com"], "newsletter.base_url must be an http(s) URL"),
        (["--name", "two\nlines"], "--name: must be one line"),
        (["--feed", "techcrunch.com/feed"], "--feed: 'techcrunch.com/feed' is not an http(s) URL"),
        (["--feed", "not a url|ai|X"], "--feed: 'not a url' is not an http(s) URL"),
    ],
)
def test_init_refuses_bad_answers_and_writes_nothing(
    tmp_path: Path, flags: list[str], message: str
) -> None:
    result = CliRunner().invoke(app, ["init", str(tmp_path / "site"), "--yes", *flags])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "site" / "newsletter.toml").exists()
    assert not (tmp_path / "site" / ".env").exists()


def test_init_keeps_an_existing_key_and_gitignore_entry(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"OTHER=1\n{KEY}=kept-{'x' * 40}\n", encoding="utf-8")
    (tmp_path / ".gitignore").write_text("/.env\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["init", str(tmp_path), "--yes"])
    assert result.exit_code == 0, result.output
    assert f"{KEY}=kept-" in (tmp_path / ".env").read_text()
    gitignore = (tmp_path / ".gitignore").read_text().splitlines()
    assert gitignore[0] == "/.env" and ".env" not in gitignore  # listed once
    assert "/editions/" in gitignore
    assert "kept the NEWSLETTER_SECRET_KEY" in result.output


def test_init_adds_a_key_to_an_env_file_without_one(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("AWS_PROFILE=news", encoding="utf-8")
    result = CliRunner().invoke(app, ["init", str(tmp_path), "--yes"])
    assert result.exit_code == 0, result.output
    rows = (tmp_path / ".env").read_text().splitlines()
    assert rows[0] == "AWS_PROFILE=news" and rows[1].startswith(f"{KEY}=")
    assert stat.S_IMODE((tmp_path / ".env").stat().st_mode) == 0o600


def test_init_writes_the_topics_given_as_flags(tmp_path: Path) -> None:
    args = ["init", str(tmp_path), "--topic", "AI", "--topic", "반도체", "--yes"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    config = tomllib.loads((tmp_path / "newsletter.toml").read_text(encoding="utf-8"))
    assert config["brief"]["topics"] == ["AI", "반도체"]


def test_init_into_a_file_or_under_one_says_so_plainly(tmp_path: Path) -> None:
    """Not Python's "[Errno 17] File exists: '…'"."""
    file = tmp_path / "notes.txt"
    file.write_text("x", encoding="utf-8")
    for target in (file, file / "news"):
        result = CliRunner().invoke(app, ["init", str(target), "--yes"])
        assert result.exit_code == 2
        assert result.output.startswith(f"error: {file}: a file, not a folder"), result.output
        assert "Errno" not in result.output
