"""The CLI contract: every command exists, and `--help` stays light."""

from __future__ import annotations

import json
import subprocess
import sys

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
