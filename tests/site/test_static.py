"""`newsletter publish`: the public site as static files, the same pages `serve` answers."""

from __future__ import annotations

import re
from pathlib import Path

import feedparser
import pytest
from typer.testing import CliRunner

from newsletter.cli import app
from newsletter.runtime import Paths
from tests.web.conftest import DAY, write_config
from tests.web.test_site import UNSENT, make_edition


@pytest.fixture(autouse=True)
def _secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSLETTER_SECRET_KEY", "test-secret-key-0123456789abcdef")


def test_publish_writes_every_page_for_a_static_host(tmp_path: Path) -> None:
    settings = write_config(tmp_path, "https://news.example.com")
    make_edition(settings, DAY, sending=True)
    make_edition(settings, UNSENT, sending=False)
    out = tmp_path / "public"
    result = CliRunner().invoke(app, ["--config", str(settings.path), "publish", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"published 1 edition(s) → {out}" in result.output
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert files == [
        "404.html",
        f"archive/{DAY}/index.html",
        "archive/index.html",
        "feed.xml",
        "index.html",
    ]
    edition = (out / "archive" / DAY / "index.html").read_bytes()
    assert edition == (Paths.of(settings).edition_dir(DAY) / "web.html").read_bytes()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'action="https://news.example.com/subscribe"' in index
    # the list of past editions counts their stories; it is not "today" on the site
    archive = (out / "archive" / "index.html").read_text(encoding="utf-8")
    for page in (index, archive):
        assert re.search(r">\s*\d+ stor(y|ies)\s*<", page) and "today" not in page
    assert f'href="https://news.example.com/archive/{DAY}/"' in index
    parsed = feedparser.parse((out / "feed.xml").read_bytes())
    assert parsed.bozo == 0 and [e.link for e in parsed.entries] == [
        f"https://news.example.com/archive/{DAY}/"
    ]
    # a second run rewrites nothing that did not change
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*.html")}
    CliRunner().invoke(app, ["--config", str(settings.path), "publish", "--out", str(out)])
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.html")} == stamps


def test_publish_with_no_sent_edition_still_makes_a_site(tmp_path: Path) -> None:
    settings = write_config(tmp_path, "https://news.example.com", language="ko")
    result = CliRunner().invoke(app, ["--config", str(settings.path), "publish"])
    assert result.exit_code == 0, result.output
    index = (settings.data_dir / "site" / "index.html").read_text(encoding="utf-8")
    assert "아직 발행된 호가 없습니다" in index
