"""Issue 16 item 8: a short or guessable signing key is refused by the commands that sign links.

The line names the variable and never the key; the exit status is 2 (configuration).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

import pytest
from typer.testing import CliRunner

from newsletter.cli import app
from tests.cli.conftest import DEMO_DATE, Site

GENERATE = "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`"


@pytest.fixture
def rendered(demo_site: Callable[..., Site]) -> Site:
    site = demo_site()
    for args in (["subscribers", "add", "reader@example.com"], ["collect"], ["draft"], ["render"]):
        if args[0] != "subscribers":
            args = [*args, "--date", DEMO_DATE]
        result = CliRunner().invoke(app, ["--config", str(site.config), *args])
        assert result.exit_code == 0, result.stderr
    return site


def send(site: Site, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--config", str(site.config), "send", *args])
    assert result.stdout == ""
    return result.exit_code, result.stderr


@pytest.mark.parametrize(
    ("key", "why"),
    [
        ("0123456789abcdef", "is too short (16 characters; at least 32 random ones)"),
        ("ab" * 20, "is too weak (about 40 bits of entropy, repetitive: few distinct"),
    ],
)
def test_send_refuses_a_weak_key(
    rendered: Site, monkeypatch: pytest.MonkeyPatch, key: str, why: str
) -> None:
    monkeypatch.setenv("NEWSLETTER_SECRET_KEY", key)

    code, err = send(rendered, "--date", DEMO_DATE)

    assert code == 2
    assert err.startswith(f"error: $NEWSLETTER_SECRET_KEY {why}")
    assert err.endswith(f"; generate one with {GENERATE}\n") and err.count("\n") == 1
    assert key not in err
    assert not (rendered.root / "data" / "outbox").exists()


def test_a_weak_retired_key_is_refused_too(rendered: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSLETTER_PREVIOUS_SECRET_KEYS", f"{secrets.token_urlsafe(32)},hunter2")

    code, err = send(rendered, "--date", DEMO_DATE, "--to", "editor@example.com")

    assert code == 2
    assert err.startswith(
        "error: $NEWSLETTER_PREVIOUS_SECRET_KEYS (key 2) is too short (7 characters;"
    )
    assert "hunter2" not in err


def test_a_generated_key_is_accepted(rendered: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSLETTER_SECRET_KEY", secrets.token_urlsafe(32))

    result = CliRunner().invoke(
        app, ["--config", str(rendered.config), "send", "--date", DEMO_DATE]
    )

    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("sent 1, failed 0")
