"""`newsletter init`: the guided start — ask, write newsletter.toml and .env, run doctor.

Asks only on a terminal; with `--yes` or when stdin is not a TTY (scripts, CI,
`newsletter init DIR < /dev/null`) it takes the flags and the starter's defaults
and never waits for input.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from newsletter.cli.common import EXIT_FAILED, EXIT_USAGE, fail
from newsletter.cli.doctor import run_doctor
from newsletter.cli.output import say, styled
from newsletter.config import database_url, load_settings
from newsletter.i18n import languages
from newsletter.starter import (
    DEFAULT_SECTION,
    Answers,
    FeedAnswer,
    StarterError,
    ignore_in_git,
    private_paths,
    render_starter,
    write_secret_env,
    write_starter,
)

LANGUAGES = languages()
TRANSPORTS = ("outbox", "ses", "smtp")
SECTIONS = ("ai", "hardware", "policy", "funding", "tools", "security", "science", "cloud")
FALLBACK_ZONE = "Asia/Seoul"  # the starter's


def stdin_is_tty() -> bool:
    return sys.stdin.isatty()


def ask(answers: Answers) -> Answers:
    """Prompt for every answer not given as a flag (defaults: the starter's values).

    Each answer is checked as it is typed, by the same rules that load
    newsletter.toml, so a typo is asked again instead of stopping at the end.
    """
    answers.name = answers.name or _ask(
        "Newsletter name", "Daily AI & Tech News", lambda v: Answers(name=v)
    )
    answers.language = answers.language or _choose("Language", LANGUAGES, "en")
    answers.timezone = answers.timezone or _ask(
        "Time zone (IANA, e.g. Europe/Berlin)", local_zone(), lambda v: Answers(timezone=v)
    )
    answers.send_time = answers.send_time or _ask(
        "Send time (HH:MM in that zone)", "07:00", lambda v: Answers(send_time=v)
    )
    answers.sender = answers.sender or _ask(
        "Sender (From)", "Daily Briefing <briefing@example.com>", lambda v: Answers(sender=v)
    )
    if answers.postal_address is None:
        answers.postal_address = _ask(
            "Postal address for the footer (bulk mail must show one; empty: add it later)",
            "",
            lambda v: Answers(postal_address=v),
        )
    answers.base_url = answers.base_url or _ask(
        "Public URL of `newsletter serve` (base_url)",
        "http://127.0.0.1:8000",
        lambda v: Answers(base_url=v),
    )
    if answers.topics is None:
        topics = _ask(
            "Topics of the newsletter, comma-separated (e.g. AI, 반도체, security; empty: any)",
            "",
            lambda v: Answers(topics=split_topics(v)),
        )
        answers.topics = split_topics(topics)
    if not answers.feeds:
        answers.feeds = _ask_feeds()
    answers.transport = answers.transport or _choose(
        "Transport (outbox writes .eml files, ses sends through SES, smtp through a relay)",
        TRANSPORTS,
        "outbox",
    )
    return answers


def _ask_feeds() -> list[FeedAnswer]:
    feeds: list[FeedAnswer] = []
    while True:
        url = _ask(
            "Feed URL (RSS/Atom; empty to finish)", "", lambda v: Answers(feeds=[FeedAnswer(v)])
        )
        if not url:
            return feeds
        section = _ask(
            f"  its section ({', '.join(SECTIONS)}, … or your own word)",
            DEFAULT_SECTION,
            partial(_feed_answer, url),
        )
        name = _ask(
            "  its name under the stories (empty: the feed's own title)",
            "",
            partial(_feed_answer, url, section),
        )
        feeds.append(FeedAnswer(url, section, name))


def _feed_answer(*fields: str) -> Answers:
    return Answers(feeds=[FeedAnswer(*fields)])


def _ask(label: str, default: str, answer: Callable[[str], Answers]) -> str:
    """One prompt, asked again until `answer(value)` makes a valid newsletter.toml."""
    while True:
        value = str(typer.prompt(label, default=default, show_default=bool(default))).strip()
        if not value:
            return value
        try:
            render_starter(answer(value))
        except StarterError as exc:
            say(f"  {str(exc).removeprefix('newsletter.toml: ')}")
            continue
        return value


def split_topics(value: str) -> list[str]:
    return [topic.strip() for topic in value.split(",") if topic.strip()]


def local_zone() -> str:
    """This machine's IANA zone (`$TZ`, else /etc/localtime's link), else the starter's."""
    name = os.environ.get("TZ", "").lstrip(":")
    if not name:
        try:
            link = os.readlink("/etc/localtime")
        except OSError:
            link = ""
        name = link.partition("zoneinfo/")[2]
    try:
        return name if name and ZoneInfo(name) else FALLBACK_ZONE
    except (ZoneInfoNotFoundError, ValueError):
        return FALLBACK_ZONE


def _choose(label: str, choices: tuple[str, ...], default: str) -> str:
    while True:
        value = str(typer.prompt(f"{label} [{'/'.join(choices)}]", default=default)).strip()
        if value in choices:
            return value
        say(f"choose one of: {', '.join(choices)}")


def guided_init(directory: Path, answers: Answers, *, yes: bool) -> None:
    if answers.language is not None and answers.language not in LANGUAGES:
        fail(f"--language must be one of {', '.join(LANGUAGES)}, found {answers.language!r}", 2)
    if answers.transport is not None and answers.transport not in TRANSPORTS:
        fail(f"--transport must be one of {', '.join(TRANSPORTS)}, found {answers.transport!r}", 2)
    # the folder, or the first of its parents that exists, must be a folder
    existing = next((path for path in (directory, *directory.parents) if path.exists()), None)
    if existing is not None and not existing.is_dir():
        fail(f"{existing}: a file, not a folder to write newsletter.toml into", EXIT_USAGE)
    target = directory / "newsletter.toml"
    if target.exists():
        fail(f"{target} already exists; not overwritten", EXIT_FAILED)
    if not yes and stdin_is_tty():
        answers = ask(answers)
    try:
        path = write_starter(directory, answers)
        env_path, created = write_secret_env(directory)
        settings = load_settings(path)
        private = private_paths(settings.root, database_url(settings), settings.data_dir)
        ignored, added = ignore_in_git(directory, private)
    except StarterError as exc:
        fail(str(exc), EXIT_USAGE)
    except (FileExistsError, OSError) as exc:
        fail(str(exc), EXIT_FAILED)
    say(styled("wrote [bold]{path}[/]", path=path))
    if created:
        say(styled("wrote a new NEWSLETTER_SECRET_KEY to [bold]{env}[/] (mode 600)", env=env_path))
    else:
        say(f"kept the NEWSLETTER_SECRET_KEY already in {env_path}")
    if added:
        say(f"added {', '.join(added)} to {ignored} (secrets and subscribers' data)")
    say(styled("\nchecking the setup ([bold]newsletter doctor[/]):"))
    report = run_doctor(path, as_json=False)
    then = (
        "fix the ✖ lines, then run `newsletter doctor` again"
        if report.failed
        else ("edit it as you like, then run `newsletter daily`")
    )
    say(f"\nnext: {then}")
