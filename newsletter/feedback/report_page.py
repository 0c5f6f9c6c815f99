"""`newsletter report --html FILE`: one self-contained page, charts in inline SVG.

No script, no font, no CDN: the file opens the same from a laptop, an attachment
or a static host years later. Colours are CSS custom properties switched by
`prefers-color-scheme`, and the SVG draws with `currentColor` and those
properties, so the charts follow light and dark. Charts scale with their
`viewBox`; the wide table scrolls inside its own box, so the page itself never
overflows a phone's 375 px.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape
from pathlib import Path

from newsletter.feedback.report import EditionReport
from newsletter.files import replacing

WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 420, 160, 50, 24, 12

STYLE = """
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1d2330; --muted: #5d6677;
  --grid: #d9dee7; --accent: #2563eb; --warn: #c2410c; --card: #f5f7fb; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #0f141b; --fg: #e6e9ef; --muted: #9aa4b5; --grid: #2c3544;
    --accent: #7aa7ff; --warn: #fb923c; --card: #171e28; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "Apple SD Gothic Neo", sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 16px; }
h1 { font-size: 1.4rem; margin: 0 0 4px; }
h2 { font-size: 1.05rem; margin: 0 0 6px; }
p.note { color: var(--muted); margin: 0 0 16px; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(280px, 1fr)); gap: 12px; }
figure { margin: 0; padding: 12px; background: var(--card); border-radius: 8px; min-width: 0; }
figcaption { font-weight: 600; margin-bottom: 4px; }
svg { display: block; width: 100%; height: auto; color: var(--fg); }
svg .grid { stroke: var(--grid); stroke-width: 1; }
svg .axis { fill: var(--muted); font-size: 13px; }
svg .line { fill: none; stroke: var(--accent); stroke-width: 2.5; }
svg .dot, svg .bar { fill: var(--accent); }
svg .bar.warn { fill: var(--warn); }
.scroll { overflow-x: auto; margin-top: 16px; background: var(--card); border-radius: 8px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 6px 10px; text-align: right; white-space: nowrap;
  border-bottom: 1px solid var(--grid); }
th:first-child, td:first-child { text-align: left; }
th { color: var(--muted); font-weight: 600; }
section { margin-top: 20px; }
ol { padding-left: 1.4em; margin: 0; }
li { margin: 2px 0; overflow-wrap: anywhere; }
.muted { color: var(--muted); }
"""


def write_page(reports: Sequence[EditionReport], path: Path, *, title: str) -> None:
    """The page written atomically to `path` (a half-written report is never left behind)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    page = render_page(reports, title=title)
    with replacing(path) as out:
        out.write(page)


def render_page(reports: Sequence[EditionReport], *, title: str) -> str:
    """The whole page for `reports` (newest first, as `recent_editions` gives them)."""
    ordered = list(reversed(reports))  # charts read left to right, oldest first
    labels = [report.edition[5:] for report in ordered]  # MM-DD
    charts = [
        _chart("List size", labels, [r.list_size for r in ordered], _count, whole=True),
        _chart(
            "Delivered",
            labels,
            [_percent(r.rate(r.delivered, r.sent)) for r in ordered],
            _pct,
        ),
        _chart(
            "Unsubscribes",
            labels,
            [r.unsubscribed for r in ordered],
            _count,
            bars=True,
            whole=True,
        ),
    ]
    if any(r.opened is not None for r in ordered):
        charts.insert(
            2, _chart("Opened", labels, [_percent(r.rate(r.opened)) for r in ordered], _pct)
        )
    if any(r.clicked is not None for r in ordered):
        charts.insert(
            3, _chart("Clicked", labels, [_percent(r.rate(r.clicked)) for r in ordered], _pct)
        )
    newest = reports[0] if reports else None
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body><main>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="note">{len(reports)} edition{"s" * (len(reports) != 1)}; '
        "rates are of delivered messages. Opens and clicks appear only when tracking is on.</p>",
        '<div class="charts">',
        *charts,
        "</div>",
        _table(reports),
    ]
    if newest is not None and newest.stories:
        parts.append(_stories(newest))
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"


def _percent(share: float | None) -> float | None:
    return None if share is None else 100 * share


def _count(value: float) -> str:
    return f"{value:,.0f}"


def _pct(value: float) -> str:
    return f"{value:.0f}%" if value >= 10 or value == 0 else f"{value:.1f}%"


def _chart(
    name: str,
    labels: list[str],
    values: Sequence[float | None],
    label: Callable[[float], str],
    *,
    bars: bool = False,
    whole: bool = False,
) -> str:
    known = [v for v in values if v is not None]
    top = max(known, default=0) or 1
    bottom = 0.0 if bars or min(known, default=0) < top * 0.5 else min(known) * 0.9
    if whole:  # a count's axis: whole numbers, the range at least one wide
        bottom = float(math.floor(bottom))
        top = max(float(math.ceil(top)), bottom + 1)
    span = (top - bottom) or 1
    middle = (bottom + top) / 2
    levels = (bottom, top) if whole and middle != int(middle) else (bottom, middle, top)
    inner_w, inner_h = WIDTH - PAD_LEFT - 8, HEIGHT - PAD_TOP - PAD_BOTTOM
    step = inner_w / max(len(values), 1)

    def x(index: int) -> float:
        return PAD_LEFT + step * (index + 0.5)

    def y(value: float) -> float:
        return PAD_TOP + inner_h * (1 - (value - bottom) / span)

    shapes = [
        f'<line class="grid" x1="{PAD_LEFT}" x2="{WIDTH - 8}" y1="{y(level):.1f}" '
        f'y2="{y(level):.1f}"/><text class="axis" x="{PAD_LEFT - 6}" y="{y(level) + 4:.1f}" '
        f'text-anchor="end">{escape(label(level))}</text>'
        for level in levels
    ]
    every = max(1, len(labels) // 5)
    marks = list(range(0, len(labels), every))
    if labels and len(labels) - 1 - marks[-1] >= every / 2:
        marks.append(len(labels) - 1)
    for i in marks:
        last_one = i == len(labels) - 1 and len(labels) > 1
        where, anchor = (WIDTH - 2, "end") if last_one else (x(i), "middle")
        shapes.append(
            f'<text class="axis" x="{where:.1f}" y="{HEIGHT - 6}" text-anchor="{anchor}">'
            f"{escape(labels[i])}</text>"
        )
    if bars:
        width = max(step * 0.6, 1)
        shapes += [
            f'<rect class="bar{" warn" * (v > 0)}" x="{x(i) - width / 2:.1f}" '
            f'y="{y(v):.1f}" width="{width:.1f}" height="{y(bottom) - y(v):.1f}">'
            f"<title>{escape(labels[i])}: {escape(label(v))}</title></rect>"
            for i, v in enumerate(values)
            if v is not None
        ]
    else:
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values) if v is not None)
        if points:
            shapes.append(f'<polyline class="line" points="{points}"/>')
        shapes += [
            f'<circle class="dot" cx="{x(i):.1f}" cy="{y(v):.1f}" r="3.5">'
            f"<title>{escape(labels[i])}: {escape(label(v))}</title></circle>"
            for i, v in enumerate(values)
            if v is not None
        ]
    last = next((v for v in reversed(values) if v is not None), None)
    latest = f' <span class="muted">latest {escape(label(last))}</span>' if last is not None else ""
    return (
        f"<figure><figcaption>{escape(name)}{latest}</figcaption>"
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(name)}">'
        + "".join(shapes)
        + "</svg></figure>"
    )


COLUMNS = (
    ("edition", "Edition"),
    ("list_size", "List"),
    ("sent", "Sent"),
    ("delivered", "Delivered"),
    ("bounced_hard", "Hard bounces"),
    ("bounced_soft", "Soft bounces"),
    ("complained", "Complaints"),
    ("rejected", "Rejected"),
    ("delayed", "Delayed"),
    ("opened", "Opened"),
    ("clicked", "Clicked"),
    ("unsubscribed", "Unsubscribed"),
)


def _table(reports: Sequence[EditionReport]) -> str:
    head = "".join(f'<th scope="col">{escape(title)}</th>' for _key, title in COLUMNS)
    rows = []
    for report in reports:
        cells = []
        for key, _title in COLUMNS:
            value = getattr(report, key)
            if key == "edition":
                cells.append(f'<th scope="row">{escape(value)}</th>')
            elif value is None:
                cells.append('<td class="muted">–</td>')
            else:
                share = report.rate(value) if key in ("opened", "clicked", "unsubscribed") else None
                extra = f' <span class="muted">{_pct(100 * share)}</span>' if share else ""
                cells.append(f"<td>{value:,}{extra}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (
        '<div class="scroll"><table><thead><tr>'
        + head
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></div>"
    )


def _stories(report: EditionReport) -> str:
    items = "".join(
        f"<li>{escape(story.headline)} — <strong>{story.people:,}</strong> "
        f'<span class="muted">({story.clicks:,} clicks)</span></li>'
        for story in report.stories
    )
    other = "".join(
        f'<li class="muted">{escape(url)} — {people:,}</li>' for url, people in report.other_links
    )
    extra = f"<h2>Other links</h2><ol>{other}</ol>" if other else ""
    return (
        f"<section><h2>Clicks per story, {escape(report.edition)}</h2><ol>{items}</ol>"
        f"{extra}</section>"
    )
