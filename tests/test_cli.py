"""The CLI contract: every command exists, and `--help` stays light."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer
from typer.testing import CliRunner

from newsletter.cli import app

CONTRACT = [
    ["init"],
    ["collect"],
    ["draft"],
    ["render"],
    ["preview"],
    ["send"],
    ["daily"],
    ["schedule"],
    ["status"],
    ["serve"],
    ["doctor"],
    ["feedback", "poll"],
    ["subscribers", "add"],
    ["subscribers", "remove"],
    ["subscribers", "list"],
    ["subscribers", "show"],
    ["subscribers", "count"],
    ["subscribers", "import"],
    ["subscribers", "export"],
]
HEAVY = [
    "sqlalchemy",
    "boto3",
    "botocore",
    "mjml",
    "premailer",
    "feedparser",
    "httpx",
    "nh3",
    "starlette",
    "uvicorn",
    "cryptography",
]


def test_every_contract_command_has_help() -> None:
    runner = CliRunner()
    for command in CONTRACT:
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0, (command, result.output)


def test_help_imports_nothing_heavy() -> None:
    """`newsletter --help` must answer at once: no SDK, database or renderer at import time."""
    probe = (
        "import sys, json; from newsletter.cli import app; "
        "print(json.dumps(sorted(m for m in sys.modules)))"
    )
    loaded = json.loads(
        subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, check=True
        ).stdout
    )
    assert [name for name in HEAVY if name in loaded] == []


def test_every_flag_is_in_the_readme() -> None:
    """README is the manual: each option of each command appears in a paragraph that
    names the command (`newsletter status …` or `status`)."""
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    paragraphs = re.split(r"\n\s*\n", readme)

    def leaves(command: Any, path: str) -> Iterator[tuple[str, Any]]:
        subcommands = getattr(command, "commands", None)
        if subcommands is None:
            yield path, command
            return
        for name, sub in subcommands.items():
            yield from leaves(sub, f"{path} {name}".strip())

    missing = {}
    for path, command in leaves(typer.main.get_command(app), ""):
        text = "\n".join(p for p in paragraphs if f"newsletter {path}" in p or f"`{path}`" in p)
        flags = [
            flag
            for param in command.params
            if param.param_type_name == "option"
            for flag in param.opts
            if flag.startswith("--") and flag != "--help"
        ]
        if absent := [flag for flag in flags if flag not in text]:
            missing[path] = absent
    assert missing == {}


def test_each_command_says_what_it_does_in_one_line() -> None:
    """The command list prints a help's first paragraph as written (rich markup keeps its
    line breaks), so a two-line first paragraph broke mid-sentence in `newsletter --help`."""
    import inspect

    def leaves(command: Any, path: str) -> Iterator[tuple[str, Any]]:
        yield path, command
        for name, sub in (getattr(command, "commands", None) or {}).items():
            yield from leaves(sub, f"{path} {name}".strip())

    broken = {
        path: first
        for path, command in leaves(typer.main.get_command(app), "")
        if "\n" in (first := inspect.cleandoc(command.help or "").split("\n\n")[0])
    }
    assert broken == {}


def test_version() -> None:
    """The first line of any bug report."""
    from importlib.metadata import version

    result = CliRunner().invoke(app, ["--version"])
    assert (result.exit_code, result.output) == (0, f"newsletter {version('newsletter')}\n")
