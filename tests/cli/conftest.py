"""A private copy of the offline demo for CLI tests, with text Rich would take for markup."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.command import SECRET, CommandLine
from tests.fixtures.site import make_site

ROOT = Path(__file__).resolve().parents[2]
DEMO_DATE = "2026-02-07"
BRACKETED_TITLE = "[Update] [v2] Release"
BRACKETED_NAME = "[link] [comments] [bold]"


@dataclass
class Site(CommandLine):
    root: Path
    config: Path

    def edition_dir(self, day: str = DEMO_DATE) -> Path:
        return self.root / "data" / "editions" / day


@pytest.fixture
def demo_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Site]:
    """`demo_site(**tables)`: a private copy of the offline demo with some keys changed."""
    monkeypatch.setenv("NEWSLETTER_SECRET_KEY", SECRET)

    def make(**tables: Any) -> Site:
        root = tmp_path / "demo"
        shutil.copytree(
            ROOT / "examples" / "demo", root, ignore=shutil.ignore_patterns("data", "*.csv")
        )
        site = make_site(root, base=root / "newsletter.toml", **tables)
        return Site(root, site.config_path)

    return make


@pytest.fixture
def bracketed_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Site:
    """The demo whose TechWire feed calls itself "[Update] [v2] Release" (its config name
    removed, so the feed's own title is shown) plus a missing feed named with brackets."""
    monkeypatch.setenv("NEWSLETTER_SECRET_KEY", SECRET)
    root = tmp_path / "demo"
    shutil.copytree(
        ROOT / "examples" / "demo", root, ignore=shutil.ignore_patterns("data", "*.csv")
    )
    feed = root / "feeds" / "techwire.xml"
    feed.write_text(
        feed.read_text(encoding="utf-8").replace(
            "<title>TechWire</title>", f"<title>{BRACKETED_TITLE}</title>", 1
        ),
        encoding="utf-8",
    )
    config = root / "newsletter.toml"
    text = config.read_text(encoding="utf-8").replace('name = "TechWire"\n', "", 1)
    text += f'\n[[feeds]]\nurl = "feeds/gone.xml"\nsection = "ai"\nname = "{BRACKETED_NAME}"\n'
    config.write_text(text, encoding="utf-8")
    return Site(root, config)
