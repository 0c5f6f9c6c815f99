"""The HTML report in real Chromium: charts of 30 editions, light and dark, phone and desktop."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from newsletter.feedback.report import EditionReport, StoryClicks
from newsletter.feedback.report_page import render_page, write_page


def editions(count: int = 30, *, tracked: bool = True) -> list[EditionReport]:
    """Newest first, as `recent_editions` returns them; a list that grows, a bad day at 12."""
    made = []
    for day in range(count, 0, -1):
        size = 1000 + 25 * day
        made.append(
            EditionReport(
                edition=f"2026-01-{day:02d}" if day <= 31 else f"2026-02-{day - 31:02d}",
                list_size=size,
                sent=size,
                delivered=size - 9 - (120 if day == 12 else 0),
                bounced_hard=4 + (100 if day == 12 else 0),
                bounced_soft=5,
                complained=day % 3 == 0,
                opened=int(size * 0.41) if tracked else None,
                clicked=int(size * 0.08) if tracked else None,
                unsubscribed=day % 4,
                stories=[StoryClicks(1, "에이전트가 만든 <C> 컴파일러", 50, 61)],
                other_links=[("https://news.example.com/a-very-long-path/" + "x" * 120, 3)],
            )
        )
    return made


def test_the_page_holds_every_chart_and_escapes_what_it_shows() -> None:
    page = render_page(editions(), title="Daily <Briefing>")
    assert page.count("<svg") == 5
    for name in ("List size", "Delivered", "Opened", "Clicked", "Unsubscribes"):
        assert f"<figcaption>{name}" in page
    assert "Daily &lt;Briefing&gt;" in page and "&lt;C&gt;" in page
    assert "<script" not in page and "http://" not in page.split("<main>")[0]
    untracked = render_page(editions(tracked=False), title="x")
    assert untracked.count("<svg") == 3  # no open/click charts when they are not measured


@pytest.mark.parametrize(("size", "unsubscribed"), [(1, 0), (2, 1), (6, 0), (1000, 3)])
def test_a_count_axis_never_repeats_a_label(size: int, unsubscribed: int) -> None:
    """A first edition to one reader drew the list-size axis as 1, 1, 1 and the unsubscribe
    axis as 0, 0, 1 (0.5 rounded): a count's axis has whole, distinct labels."""
    [report] = editions(1)
    report = replace(report, list_size=size, sent=size, delivered=size, unsubscribed=unsubscribed)
    page = render_page([report], title="x")
    counts = 0
    for figure in re.findall(r"<figure>(.*?)</figure>", page, re.S):
        if re.match(r"<figcaption>(List size|Unsubscribes)", figure):
            counts += 1
            axis = re.findall(r'text-anchor="end">([^<]*)</text>', figure)
            axis = [label for label in axis if "-" not in label]  # the dates are not the axis
            assert len(axis) == len(set(axis)) >= 2, (figure[:40], axis)
            assert all(label.replace(",", "").isdigit() for label in axis)
    assert counts == 2


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [375, 1280])
def test_it_fits_the_screen_in_light_and_dark(
    browser: Any, tmp_path: Path, width: int, scheme: str
) -> None:
    path = tmp_path / "report.html"
    write_page(editions(), path, title="데일리 테크 브리핑: delivery and engagement")
    page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
    try:
        page.goto(path.as_uri())
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the page is {overflow}px wider than {width}px"
        charts = page.locator("figure svg")
        assert charts.count() == 5
        for index in range(5):
            box = charts.nth(index).bounding_box()
            assert box is not None and 0 < box["width"] <= width and box["height"] > 60
            assert box["x"] >= 0 and box["x"] + box["width"] <= width
        dots = page.locator("figure svg circle").count()
        assert dots == 30 * 4  # one per edition on each line chart
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        ink = page.evaluate("getComputedStyle(document.body).color")
        dark = background == "rgb(15, 20, 27)"
        assert dark == (scheme == "dark"), background
        assert ink != background
        table = page.locator(".scroll")
        assert table.evaluate("e => e.scrollWidth >= e.clientWidth")
    finally:
        page.close()
