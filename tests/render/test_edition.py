"""Writing the edition's files, and what importing the renderer costs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from newsletter.model import Edition
from newsletter.render import write_edition

ROOT = Path(__file__).resolve().parents[2]


def test_write_edition_writes_the_four_files(edition_ko: Edition, tmp_path: Path) -> None:
    target = tmp_path / "editions" / "2026-02-07"
    paths = write_edition(edition_ko, target)
    assert [p.name for p in paths] == ["email.html", "email.txt", "post.md", "web.html"]
    assert (target / "email.html").read_text(encoding="utf-8") == edition_ko.html
    assert (target / "email.txt").read_text(encoding="utf-8") == edition_ko.text
    assert (target / "post.md").read_text(encoding="utf-8") == edition_ko.markdown
    assert (target / "web.html").read_text(encoding="utf-8") == edition_ko.web_html
    names = sorted(p.name for p in target.iterdir())
    assert names == ["email.html", "email.txt", "post.md", "web.html"]
    assert (target / "email.html").stat().st_mode & 0o777 == 0o644


def test_rewrite_replaces_and_leaves_no_temp_files(edition_ko: Edition, tmp_path: Path) -> None:
    (tmp_path / "email.html").write_text("old", encoding="utf-8")
    write_edition(edition_ko, tmp_path)
    write_edition(edition_ko, tmp_path)
    assert (tmp_path / "email.html").read_text(encoding="utf-8") == edition_ko.html
    assert len(list(tmp_path.iterdir())) == 4


def test_a_failed_write_keeps_the_previous_file(
    edition_ko: Edition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_edition(edition_ko, tmp_path)

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    changed = Edition(edition_ko.date, "s", "p", html="new", text="new", markdown="new")
    with pytest.raises(OSError, match="disk full"):
        write_edition(changed, tmp_path)
    assert (tmp_path / "email.html").read_text(encoding="utf-8") == edition_ko.html
    assert len(list(tmp_path.iterdir())) == 4  # the temp file was removed


def test_importing_the_renderer_loads_no_heavy_modules() -> None:
    code = (
        "import sys, newsletter.render, newsletter.render.checks;"
        "print(sorted(m for m in ('mjml', 'premailer', 'jinja2', 'lxml', 'cssutils')"
        " if m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip() == "[]"
