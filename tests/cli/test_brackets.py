"""Issue 21: text we did not write — config sections, feed titles, paths — prints whole.

Rich would read `[publish]` or `[Update]` as a markup tag and drop it; these run the
real commands (in-process and as a subprocess, where the console is not a terminal).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsletter.cli import app
from tests.cli.conftest import BRACKETED_NAME, BRACKETED_TITLE, DEMO_DATE, Site


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(  # [publish] became a real section
    ("section", "meant"), [("publsh", "publish"), ("sender2", "sender")]
)
def test_an_unknown_config_section_is_named(tmp_path: Path, section: str, meant: str) -> None:
    config = tmp_path / "newsletter.toml"
    config.write_text(
        f'[newsletter]\nname = "N"\n[sender]\nfrom = "N <n@example.com>"\n[{section}]\nx = 1\n',
        encoding="utf-8",
    )

    code, out, err = invoke("--config", str(config), "status")

    assert code == 2
    assert out == ""
    assert err == f"error: {config}: unknown section or key [{section}] (did you mean [{meant}]?)\n"


def test_a_path_with_brackets_is_whole_in_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "[site]" / "[bold]newsletter.toml"

    code, _, err = invoke("--config", str(missing), "collect")

    assert code == 2
    assert err.startswith(f"error: {missing}: config file not found")
    assert err.count("\n") == 1


@pytest.mark.slow
def test_the_config_error_is_whole_from_a_real_process(bracketed_demo: Site) -> None:
    """Not a terminal, 80 columns: the line is neither eaten nor wrapped."""
    with bracketed_demo.config.open("a", encoding="utf-8") as config:
        config.write("\n[publsh]\njekyll = true\n")

    result = bracketed_demo.run("status")

    assert result.returncode == 2
    assert result.stderr == (
        f"error: {bracketed_demo.config}: unknown section or key [publsh] "
        "(did you mean [publish]?)\n"
    )


@pytest.mark.slow
def test_a_bracketed_feed_title_is_whole_in_collects_table(bracketed_demo: Site) -> None:
    result = bracketed_demo.run("collect", "--date", DEMO_DATE)

    assert result.returncode == 0, result.stderr
    rows = {line.split("│")[1].strip(): line for line in result.stdout.splitlines() if "│" in line}
    assert "1 duplicate entry dropped" in rows[BRACKETED_TITLE]  # the demo feed has one
    assert "error" in rows[BRACKETED_NAME]


def test_a_bracketed_feed_name_is_whole_in_dailys_output(bracketed_demo: Site) -> None:
    code, out, err = invoke("--config", str(bracketed_demo.config), "daily", "--date", DEMO_DATE)

    assert code == 0, err
    [failed] = [line for line in out.splitlines() if "failed:" in line]
    assert failed.startswith(f"• collect: feed {BRACKETED_NAME} failed: ")
    assert "feeds/gone.xml" in failed or "gone.xml" in failed
    assert "• render: email.html" in out


def test_typers_own_usage_errors_keep_brackets() -> None:
    code, _, err = invoke("[bold]nope[/bold]")

    assert code == 2
    assert "No such command '[bold]nope[/bold]'" in err
