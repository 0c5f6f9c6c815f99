"""The HTML edition in a real browser (headless Chromium): phone, desktop, light and dark.

The `browser` fixture (tests/fixtures/browser.py) skips when Chromium or Playwright
is missing, unless NEWSLETTER_REQUIRE_ALL=1 (CI), where a missing browser fails.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from newsletter.model import Briefing, Edition
from newsletter.render import write_edition

# Every visible element that holds text directly: its font size and its box.
TEXT_BOXES = """() => {
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const rect = el.getBoundingClientRect();
    if (!rect.width || !rect.height || getComputedStyle(el).visibility === 'hidden') continue;
    out.push({tag: el.tagName, text: el.textContent.trim().slice(0, 40),
              size: parseFloat(getComputedStyle(el).fontSize),
              left: rect.left, right: rect.right, width: rect.width});
  }
  return out;
}"""

COLOURS = """() => {
  const card = document.querySelector('.card');
  const para = document.querySelector('.para');
  const link = document.querySelector('.source a');
  const h2 = document.querySelector('h2');
  return {card: getComputedStyle(card).backgroundColor,
          body: getComputedStyle(document.body).backgroundColor,
          para: getComputedStyle(para).color, link: getComputedStyle(link).color,
          h2: getComputedStyle(h2).color};
}"""


def open_edition(browser: Any, html: Path, width: int, scheme: str) -> Any:
    page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
    # the edition must render complete without a single network request
    page.route(
        "**/*",
        lambda route: (
            route.abort() if not route.request.url.startswith("file:") else route.continue_()
        ),
    )
    page.goto(html.as_uri())
    return page


def luminance(css: str) -> float:
    r, g, b = (int(x) / 255 for x in re.findall(r"\d+", css)[:3])
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(fg: str, bg: str) -> float:
    high, low = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.fixture(params=["ko", "en"])
def written(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path, Edition, Briefing]:
    language = request.param
    edition = request.getfixturevalue(f"edition_{language}")
    briefing = request.getfixturevalue(f"briefing_{language}")
    write_edition(edition, tmp_path)
    return language, tmp_path / "email.html", edition, briefing


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_phone_375px(browser: Any, written, scheme: str, tmp_path: Path) -> None:
    language, html, _, briefing = written
    page = open_edition(browser, html, 375, scheme)
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, f"horizontal overflow: {scroll}px content in a {inner}px screen"
    boxes = page.evaluate(TEXT_BOXES)
    assert len(boxes) > 30
    small = [b for b in boxes if b["size"] < 14]
    assert not small, f"text under 14px on a phone: {small[:3]}"
    clipped = [b for b in boxes if b["right"] > inner + 0.5 or b["left"] < -0.5]
    assert not clipped, f"text outside the screen: {clipped[:3]}"
    headlines = [b["text"] for b in boxes if b["tag"] == "H2"]
    assert len(headlines) == len(briefing.stories)
    shot = tmp_path / f"{language}-375-{scheme}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000
    page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_desktop_1280px(browser: Any, written, scheme: str, tmp_path: Path) -> None:
    language, html, _, _ = written
    page = open_edition(browser, html, 1280, scheme)
    card = page.evaluate(
        "(() => { const r = document.querySelector('.card')"
        ".getBoundingClientRect(); return [r.left, r.width]; })()"
    )
    left, width = card
    assert 560 <= width <= 640
    assert abs(left - (1280 - width) / 2) <= 1  # centred
    boxes = page.evaluate(TEXT_BOXES)
    assert max(b["width"] for b in boxes) <= 640
    assert all(left - 1 <= b["left"] for b in boxes if b["tag"] in ("H2", "P"))
    shot = tmp_path / f"{language}-1280-{scheme}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000
    page.close()


def test_palettes_keep_contrast(browser: Any, written) -> None:
    _, html, _, _ = written
    seen = {}
    for scheme in ("light", "dark"):
        page = open_edition(browser, html, 1280, scheme)
        colours = page.evaluate(COLOURS)
        page.close()
        for part in ("para", "link", "h2"):
            ratio = contrast(colours[part], colours["card"])
            assert ratio >= 4.5, (
                f"{scheme}: {part} {colours[part]} on {colours['card']}: {ratio:.1f}"
            )
        seen[scheme] = colours
    assert luminance(seen["dark"]["card"]) < 0.05 < luminance(seen["light"]["card"])
    assert luminance(seen["dark"]["body"]) < 0.05
