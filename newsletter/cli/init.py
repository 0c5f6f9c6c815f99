"""`newsletter init`: the guided start — ask, write newsletter.toml and .env, run doctor.

Asks only on a terminal; with `--yes` or when stdin is not a TTY (scripts, CI,
`newsletter init DIR < /dev/null`) it takes the flags and the starter's defaults
and never waits for input.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from newsletter.cli.common import EXIT_FAILED, EXIT_USAGE, fail
from newsletter.cli.output import say, styled
from newsletter.i18n import languages
from newsletter.starter import Answers

LANGUAGES = languages()
TRANSPORTS = ("outbox", "ses")


def stdin_is_tty() -> bool:
    return sys.stdin.isatty()


def ask(answers: Answers) -> Answers:
    """Prompt for every answer not given as a flag (defaults: the starter's values)."""
    answers.name = answers.name or typer.prompt("Newsletter name", default="Daily AI & Tech News")
    answers.language = answers.language or _choose("Language", LANGUAGES, "en")
    answers.sender = answers.sender or typer.prompt(
        "Sender (From)", default="Daily Briefing <briefing@example.com>"
    )
    answers.base_url = answers.base_url or typer.prompt(
        "Public URL of `newsletter serve` (base_url)", default="http://127.0.0.1:8000"
    )
    if not answers.feeds:
        while True:
            url = typer.prompt(
                "Feed URL (RSS/Atom; empty to finish)", default="", show_default=False
            )
            if not url.strip():
                break
            answers.feeds.append(url.strip())
    if not answers.topics:
        listed = typer.prompt(
            "Topics of the newsletter, comma-separated (e.g. AI, 반도체, security; empty: any)",
            default="",
            show_default=False,
        )
        answers.topics = [t.strip() for t in str(listed).split(",") if t.strip()]
    answers.transport = answers.transport or _choose(
        "Transport (outbox writes .eml files, ses sends)", TRANSPORTS, "outbox"
    )
    return answers


def _choose(label: str, choices: tuple[str, ...], default: str) -> str:
    while True:
        value = str(typer.prompt(f"{label} [{'/'.join(choices)}]", default=default)).strip()
        if value in choices:
            return value
        say(f"choose one of: {', '.join(choices)}")


def guided_init(directory: Path, answers: Answers, *, yes: bool) -> None:
    from newsletter.cli.doctor import run_doctor
    from newsletter.starter import StarterError, ignore_in_git, write_secret_env, write_starter

    if answers.language is not None and answers.language not in LANGUAGES:
        fail(f"--language must be one of {', '.join(LANGUAGES)}, found {answers.language!r}", 2)
    if answers.transport is not None and answers.transport not in TRANSPORTS:
        fail(f"--transport must be one of {', '.join(TRANSPORTS)}, found {answers.transport!r}", 2)
    target = directory / "newsletter.toml"
    if target.exists():
        fail(f"{target} already exists; not overwritten", EXIT_FAILED)
    if not yes and stdin_is_tty():
        answers = ask(answers)
    try:
        path = write_starter(directory, answers)
        env_path, created = write_secret_env(directory)
        ignored = ignore_in_git(directory, env_path.name)
    except StarterError as exc:
        fail(str(exc), EXIT_USAGE)
    except (FileExistsError, OSError) as exc:
        fail(str(exc), EXIT_FAILED)
    say(styled("wrote [bold]{path}[/]", path=path))
    if created:
        say(styled("wrote a new NEWSLETTER_SECRET_KEY to [bold]{env}[/] (mode 600)", env=env_path))
    else:
        say(f"kept the NEWSLETTER_SECRET_KEY already in {env_path}")
    if ignored is not None:
        say(f"added {env_path.name} to {ignored}")
    say(styled("\nchecking the setup ([bold]newsletter doctor[/]):"))
    report = run_doctor(path, as_json=False)
    then = (
        "fix the ✖ lines, then run `newsletter doctor` again"
        if report.failed
        else ("edit it as you like, then run `newsletter daily`")
    )
    say(f"\nnext: {then}")
