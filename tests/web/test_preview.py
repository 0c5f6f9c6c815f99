"""`newsletter preview`: the page in real headless Chromium, re-rendering, and the date guard."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from newsletter.config import Settings
from newsletter.model import UNSUBSCRIBE_PLACEHOLDER, Briefing
from newsletter.render import build_edition
from newsletter.runtime import Runtime
from newsletter.web.preview import PREVIEW_UNSUBSCRIBE
from tests.fixtures.command import assert_marked_slow
from tests.web.conftest import DAY, ROOT, place_briefing, write_config


@dataclass
class Preview:
    url: str
    settings: Settings
    briefing_path: Path

    def briefing(self) -> Briefing:
        return Briefing.from_json(self.briefing_path.read_text(encoding="utf-8"))

    def edit_headline(self, index: int, headline: str) -> None:
        data = json.loads(self.briefing_path.read_text(encoding="utf-8"))
        data["stories"][index]["headline"] = headline
        self.briefing_path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


@pytest.fixture
def preview(tmp_path: Path, listener: socket.socket, serve) -> Iterator[Preview]:
    from newsletter.web.app import create_app

    settings = write_config(tmp_path, "https://news.example.com")
    path = place_briefing(settings, "en")
    app = create_app(
        Runtime(settings), preview_day=date.fromisoformat(DAY), access_log=lambda _: None
    )
    with serve(app, listener) as url:
        yield Preview(url, settings, path)


def squash(text: str) -> str:
    return " ".join(text.split())


def frame_of(page: Any, selector: str) -> Any:
    frame = page.locator(selector).element_handle().content_frame()
    frame.wait_for_load_state()
    return frame


def local_only(preview: Preview):  # type: ignore[no-untyped-def]
    """Abort every request that is not for the preview server (no network in tests)."""
    return lambda route: (
        route.continue_() if route.request.url.startswith(preview.url) else route.abort()
    )


def test_preview_in_chromium(browser: Any, preview: Preview, tmp_path: Path) -> None:
    briefing = preview.briefing()
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.route("**/*", local_only(preview))
    response = page.goto(f"{preview.url}/")
    assert response is not None and response.status == 200
    assert page.locator("#subject").inner_text() == briefing.title
    assert page.locator("#preheader").inner_text().strip()
    assert re.fullmatch(r"\d+\.\d KB of 102 KB.*", squash(page.locator("#size").inner_text()))
    # the fixture's third story has no why-it-matters nor takeaway: the content gates say so
    assert "2 warnings" in page.locator("#gates-summary").inner_text()

    headlines = [squash(f"{story.emoji} {story.headline}") for story in briefing.stories]
    widths = {}
    for selector in ("#desktop", "#phone"):
        frame = frame_of(page, selector)
        shown = [squash(h) for h in frame.locator("h2").all_inner_texts()]
        assert shown == headlines, selector
        scroll, inner = frame.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        widths[selector] = inner
        assert scroll <= inner, f"{selector}: {scroll}px of content in a {inner}px frame"
        assert "%%" not in frame.content()  # placeholders filled for display
    assert widths["#phone"] == 375
    assert widths["#desktop"] >= 600

    page.screenshot(path=str(tmp_path / "preview-html.png"), full_page=True)
    assert (tmp_path / "preview-html.png").stat().st_size > 20_000

    assert not page.locator("#text").is_visible()
    page.locator("#tab-text").click()
    assert page.locator("#text").is_visible()
    assert not page.locator("#desktop").is_visible()
    text = squash(page.locator("#text").inner_text())
    edition = build_edition(briefing, Runtime(preview.settings).render_options)
    assert text == squash(edition.text.replace(UNSUBSCRIBE_PLACEHOLDER, PREVIEW_UNSUBSCRIBE))
    for story in briefing.stories:
        assert squash(story.headline) in text
    page.screenshot(path=str(tmp_path / "preview-text.png"))

    page.locator("#tab-checks").click()
    rules = page.locator("#checks tr").evaluate_all("rows => rows.map(r => r.dataset.rule)")
    assert {"html-size", "no-script", "unsubscribe-html", "headlines-html"} <= set(rules)
    page.close()


def test_page_reloads_itself_after_an_edit(browser: Any, preview: Preview) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.route("**/*", local_only(preview))
    page.goto(f"{preview.url}/")
    with page.expect_navigation(timeout=10_000):
        preview.edit_headline(0, "A headline edited while the preview was open")
    frame = frame_of(page, "#phone")
    assert "A headline edited while the preview was open" in frame.locator("h2").first.inner_text()
    page.close()


def test_reload_picks_up_briefing_and_template_changes(
    preview: Preview, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = httpx.get(f"{preview.url}/edition/{DAY}/email.html")
    assert before.status_code == 200
    assert "script-src" not in before.headers["content-security-policy"]
    assert before.headers["content-security-policy"].startswith("default-src 'none'")
    version = httpx.get(f"{preview.url}/edition/{DAY}/version").text
    assert httpx.get(f"{preview.url}/edition/{DAY}/version").text == version  # stable

    preview.edit_headline(1, "Second story, rewritten by hand")
    after = httpx.get(f"{preview.url}/edition/{DAY}/email.html").text
    assert "Second story, rewritten by hand" in after
    assert httpx.get(f"{preview.url}/edition/{DAY}/version").text != version

    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    monkeypatch.setenv("NEWSLETTER_TEMPLATES", str(templates))
    text_template = templates / "edition.txt.j2"
    text_template.write_text(
        text_template.read_text(encoding="utf-8") + "Printed from a custom template.\n",
        encoding="utf-8",
    )
    text = httpx.get(f"{preview.url}/edition/{DAY}/email.txt").text
    assert "Printed from a custom template." in text
    text_template.write_text(
        text_template.read_text(encoding="utf-8").replace("custom template", "changed template"),
        encoding="utf-8",
    )
    assert "Printed from a changed template." in httpx.get(f"{preview.url}/").text


def test_the_content_gates_findings_are_listed(preview: Preview) -> None:
    page = httpx.get(f"{preview.url}/").text
    summary = re.search(r'<dd id="gates-summary">(.*?)</dd>', page, re.S)
    assert summary is not None and "all pass" not in summary.group(1)
    assert "2 warnings" in summary.group(1)
    row = re.search(r'<tr data-rule="missing-why">(.*?)</tr>', page, re.S)
    assert row is not None and "1 of 3 stories have no Why it matters (3)" in row.group(1)
    assert '<tr data-rule="language-mismatch">' in page


def test_disk_state_and_broken_briefing(preview: Preview) -> None:
    from newsletter.pipeline import render_stage

    page = httpx.get(f"{preview.url}/").text
    assert "not rendered yet" in page
    render_stage(Runtime(preview.settings), date.fromisoformat(DAY))
    assert "email.html matches this preview" in httpx.get(f"{preview.url}/").text
    preview.edit_headline(0, "Changed after rendering")
    assert "email.html differs from this preview" in httpx.get(f"{preview.url}/").text

    good = preview.briefing_path.read_text(encoding="utf-8")
    preview.briefing_path.write_text(good.replace('"stories"', '"storeys"', 1), encoding="utf-8")
    broken = httpx.get(f"{preview.url}/")
    assert broken.status_code == 200
    assert 'id="error"' in broken.text and "briefing.json" in broken.text
    assert httpx.get(f"{preview.url}/edition/{DAY}/email.html").status_code == 404
    preview.briefing_path.write_text(good + " ", encoding="utf-8")
    assert 'id="error"' not in httpx.get(f"{preview.url}/").text


@pytest.mark.parametrize(
    "value",
    ["../../etc/passwd", "2026-02-30", "20260207", "2026-2-7", "2026-02-07/../..", "+2026-02-07"],
)
def test_date_is_validated(preview: Preview, value: str) -> None:
    assert httpx.get(f"{preview.url}/", params={"date": value}).status_code == 400
    encoded = value.replace("/", "%2F")
    answer = httpx.get(f"{preview.url}/edition/{encoded}/email.html")
    assert answer.status_code in (400, 404)
    assert "root:" not in answer.text


def test_missing_edition_and_foreign_host(preview: Preview) -> None:
    missing = httpx.get(f"{preview.url}/", params={"date": "2030-01-01"})
    assert missing.status_code == 404
    assert "run `newsletter draft --date 2030-01-01` first" in missing.text
    # DNS rebinding: a page on another site cannot talk to the preview by name
    foreign = httpx.get(f"{preview.url}/", headers={"Host": "evil.example"})
    assert foreign.status_code == 400


def newsletter(config: Path, *args: str, **options: Any) -> subprocess.Popen[str]:
    assert_marked_slow()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "newsletter", "--config", str(config), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        **options,
    )


@pytest.mark.slow
def test_cli_preview_serves_on_loopback(tmp_path: Path) -> None:
    settings = write_config(tmp_path, "https://news.example.com")
    place_briefing(settings, "en")
    process = newsletter(settings.path, "preview", "--date", DAY, "--port", "0", "--no-open")
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        found = re.search(r"(http://127\.0\.0\.1:\d+)/\?date=" + DAY, line)
        assert found, line + process.stderr.read() if process.poll() is not None else line
        assert httpx.get(found.group(0)).status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--date", "../etc"], 2, "--date must be YYYY-MM-DD"),
        (["--date", "2030-01-01"], 1, "not found; run `newsletter draft"),
    ],
)
@pytest.mark.slow
def test_cli_preview_refuses_bad_dates(
    tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    settings = write_config(tmp_path, "https://news.example.com")
    place_briefing(settings, "en")
    process = newsletter(settings.path, "preview", "--no-open", *args)
    out, err = process.communicate(timeout=60)
    assert process.returncode == code, out + err
    assert message in " ".join(err.split())
    assert "Traceback" not in err


@pytest.mark.slow
def test_cli_preview_without_a_date_shows_the_newest_edition(tmp_path: Path) -> None:
    """Today has no edition (DAY is in the past): the newest one is shown, and said so."""
    settings = write_config(tmp_path, "https://news.example.com")
    place_briefing(settings, "en")
    process = newsletter(settings.path, "preview", "--port", "0", "--no-open")
    try:
        assert process.stdout is not None
        note, served = process.stdout.readline(), process.stdout.readline()
        assert note == f"today ({settings.today()}) has no edition yet: showing the newest, {DAY}\n"
        found = re.search(r"(http://127\.0\.0\.1:\d+)/\?date=" + DAY, served)
        assert found, served
        assert httpx.get(found.group(0)).status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.slow
def test_cli_preview_without_any_edition_says_what_to_run(tmp_path: Path) -> None:
    settings = write_config(tmp_path, "https://news.example.com")
    process = newsletter(settings.path, "preview", "--port", "0", "--no-open")
    out, err = process.communicate(timeout=60)
    assert process.returncode == 1, out + err
    editions = settings.data_dir / "editions"
    assert err == (
        f"error: no edition yet in {editions}: run `newsletter collect` and `newsletter draft` "
        "first (or `newsletter daily`, which also sends)\n"
    )
