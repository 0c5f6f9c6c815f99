"""Render benchmark (issue 5): how long one edition takes, and where the time goes.

For briefings of 5, 10 and 30 stories, in one run:
  (a) our full render: view → MJML → mjml-python → premailer → text → post (+ the gates)
  (b) mjml-python alone on the same MJML
  (c) premailer alone, and css-inline alone (dev dependency), on the same compiled HTML
  (d) the reference compiler, npm `mjml`, warm and in-process in node (skipped without npm)
  (e) personalisation: placeholder substitution of HTML + text per recipient (messages/s)

Targets: full render ≤ 1/4 of the reference compiler's warm time on the same MJML;
personalisation ≥ 20,000 messages/s on one core.

    python bench/render.py [--quick] [--node-dir DIR]

Prints a table and writes bench/results/render.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newsletter.config import parse_settings  # noqa: E402
from newsletter.model import NAME_PLACEHOLDER, UNSUBSCRIBE_PLACEHOLDER, Briefing  # noqa: E402

FIXTURE = ROOT / "tests" / "render" / "data" / "briefing-ko.json"
RESULTS = ROOT / "bench" / "results" / "render.json"
SIZES = (5, 10, 30)

NODE_SCRIPT = r"""
const mjml2html = require('mjml');
const sources = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const [warm, runs] = process.argv.slice(2).map(Number);
(async () => {
  const out = {};
  for (const [name, source] of Object.entries(sources)) {
    const once = async () => {
      const r = await Promise.resolve(mjml2html(source, {validationLevel: 'skip'}));
      if (r.errors && r.errors.length) throw new Error(JSON.stringify(r.errors[0]));
      return r.html;
    };
    for (let i = 0; i < warm; i++) await once();
    const times = [];
    for (let i = 0; i < runs; i++) {
      const t = process.hrtime.bigint();
      await once();
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    times.sort((a, b) => a - b);
    out[name] = times[Math.floor(times.length / 2)];
  }
  console.log(JSON.stringify({version: require('mjml/package.json').version, medians: out}));
})().catch(e => { console.error(String(e)); process.exit(1); });
"""


def median_ms(fn: Callable[[], Any], runs: int, warm: int = 3) -> float:
    for _ in range(warm):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        fn()
        times.append((time.perf_counter_ns() - start) / 1e6)
    return statistics.median(times)


def briefing_with(stories: int) -> Briefing:
    base = Briefing.from_json(FIXTURE.read_text(encoding="utf-8"))
    cycle = []
    for i in range(stories):
        story = base.stories[i % len(base.stories)]
        cycle.append(replace(story, headline=f"{story.headline} {i + 1}"))
    return replace(base, stories=cycle)


def reference_mjml(sources: dict[str, str], node_dir: str | None, runs: int) -> dict[str, Any]:
    """npm `mjml` in a temp dir, timed warm inside one node process."""
    if not shutil.which("node") or not shutil.which("npm"):
        return {"skipped": "node/npm not found"}
    directory = Path(node_dir) if node_dir else Path(tempfile.mkdtemp(prefix="bench-mjml-"))
    try:
        if not (directory / "node_modules" / "mjml").is_dir():
            directory.mkdir(parents=True, exist_ok=True)
            installed = subprocess.run(
                ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", "mjml"],
                cwd=directory,
                capture_output=True,
                text=True,
                timeout=600,
            )
            if installed.returncode != 0:
                return {"skipped": f"npm install mjml failed: {installed.stderr.strip()[:200]}"}
        (directory / "bench.js").write_text(NODE_SCRIPT, encoding="utf-8")
        done = subprocess.run(
            ["node", "bench.js", "200", str(runs)],
            cwd=directory,
            input=json.dumps(sources),
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0:
            return {"skipped": f"node failed: {done.stderr.strip()[:200]}"}
        return json.loads(done.stdout)
    finally:
        if not node_dir:
            shutil.rmtree(directory, ignore_errors=True)


def personalise_rate(html: str, text: str, seconds: float = 1.0) -> float:
    """Messages/s: what `send` does per recipient with the rendered strings."""
    count = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for i in range(200):
            url = f"https://news.example.com/u/{i:08d}.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
            name = f"구독자{i}"
            html.replace(UNSUBSCRIBE_PLACEHOLDER, url).replace(NAME_PLACEHOLDER, name)
            text.replace(UNSUBSCRIBE_PLACEHOLDER, url).replace(NAME_PLACEHOLDER, name)
        count += 200
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs (smoke test)")
    parser.add_argument("--node-dir", help="reuse this folder for `npm install mjml`")
    args = parser.parse_args()
    runs = 10 if args.quick else 60

    import css_inline

    from newsletter.render.checks import check_edition
    from newsletter.render.context import build_view
    from newsletter.render.edition import build_edition
    from newsletter.render.html import DOCTYPE, compile_mjml, inline_css, render_mjml
    from newsletter.render.markdown import render_post
    from newsletter.render.text import render_text

    with tempfile.TemporaryDirectory() as tmp:
        settings = parse_settings(
            {
                "newsletter": {"name": "Daily AI & Tech News", "postal_address": "Seoul"},
                "sender": {"from": "Daily Briefing <briefing@example.com>"},
            },
            Path(tmp) / "newsletter.toml",
        )
    inliner = css_inline.CSSInliner(load_remote_stylesheets=False, keep_at_rules=True)

    def with_css_inline(briefing: Briefing) -> None:
        """What-if: the same pipeline with css-inline in premailer's place (not shipped)."""
        view = build_view(briefing, settings)
        DOCTYPE + inliner.inline(compile_mjml(render_mjml(view)))
        render_text(view)
        render_post(view, settings.send_moment(briefing.date))

    rows: list[dict[str, Any]] = []
    sources: dict[str, str] = {}
    for size in SIZES:
        briefing = briefing_with(size)
        view = build_view(briefing, settings)
        mjml = render_mjml(view)
        compiled = compile_mjml(mjml)
        edition = build_edition(briefing, settings)
        sources[str(size)] = mjml
        row = {
            "stories": size,
            "full_render_ms": median_ms(lambda b=briefing: build_edition(b, settings), runs),
            "full_with_css_inline_ms": median_ms(lambda b=briefing: with_css_inline(b), runs),
            "gates_ms": median_ms(lambda e=edition, b=briefing: check_edition(e, b), runs),
            "jinja_mjml_ms": median_ms(lambda v=view: render_mjml(v), runs),
            "mjml_python_ms": median_ms(lambda m=mjml: compile_mjml(m), runs),
            "premailer_ms": median_ms(lambda h=compiled: inline_css(h), runs),
            "css_inline_ms": median_ms(lambda h=compiled: inliner.inline(h), runs),
            "html_bytes": len(edition.html.encode()),
            "mjml_bytes": len(mjml.encode()),
            "personalise_per_s": personalise_rate(edition.html, edition.text),
        }
        rows.append(row)
        print(f"  measured {size} stories", file=sys.stderr)

    reference = reference_mjml(sources, args.node_dir, runs)
    for row in rows:
        ref = reference.get("medians", {}).get(str(row["stories"]))
        row["reference_mjml_ms"] = ref
        row["full_over_reference"] = row["full_render_ms"] / ref if ref else None
        row["premailer_share"] = row["premailer_ms"] / row["full_render_ms"]
        row["premailer_over_css_inline"] = row["premailer_ms"] / row["css_inline_ms"]
        row["css_inline_variant_over_reference"] = (
            row["full_with_css_inline_ms"] / ref if ref else None
        )

    print_table(rows, reference)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "benchmark": "render",
                "python": platform.python_version(),
                "machine": platform.machine(),
                "cpus": os.cpu_count(),
                "runs_per_median": runs,
                "reference": {k: v for k, v in reference.items() if k != "medians"},
                "rows": rows,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")
    return 0


def print_table(rows: list[dict[str, Any]], reference: dict[str, Any]) -> None:
    def ms(value: float | None) -> str:
        return "—" if value is None else f"{value:.2f}"

    header = (
        f"{'stories':>7} {'full':>6} {'gates':>6} {'jinja':>6} {'mjml-py':>7} {'premailer':>9} "
        f"{'css-inl':>7} {'npm mjml':>8} {'full/npm':>8} {'full/css-inl':>12} {'HTML KB':>7} "
        f"{'msgs/s':>8}"
    )
    print("median ms per edition (one core)")
    print(header)
    print("-" * len(header))
    for r in rows:
        ratio = "—" if r["full_over_reference"] is None else f"{r['full_over_reference']:.2f}"
        print(
            f"{r['stories']:>7} {ms(r['full_render_ms']):>6} {ms(r['gates_ms']):>6} "
            f"{ms(r['jinja_mjml_ms']):>6} {ms(r['mjml_python_ms']):>7} "
            f"{ms(r['premailer_ms']):>9} {ms(r['css_inline_ms']):>7} "
            f"{ms(r['reference_mjml_ms']):>8} {ratio:>8} {ms(r['full_with_css_inline_ms']):>12} "
            f"{r['html_bytes'] / 1024:>7.1f} {r['personalise_per_s']:>8,.0f}"
        )
    if "skipped" in reference:
        print(f"\nreference npm mjml: skipped ({reference['skipped']})")
    else:
        print(f"\nreference: npm mjml {reference.get('version')} (warm, in-process, async API)")
    five = rows[0]
    print(
        f"premailer is {five['premailer_share']:.0%} of the 5-story full render and "
        f"{five['premailer_over_css_inline']:.1f}x css-inline's time on the same HTML"
    )
    if five["full_over_reference"] is not None:
        verdict = "meets" if five["full_over_reference"] <= 0.25 else "MISSES"
        print(f"full render / reference = {five['full_over_reference']:.2f} ({verdict} ≤ 0.25)")
        print(
            "the same pipeline with css-inline instead of premailer would be "
            f"{five['css_inline_variant_over_reference']:.2f} of the reference"
        )
    verdict = "meets" if five["personalise_per_s"] >= 20_000 else "MISSES"
    print(f"personalisation {five['personalise_per_s']:,.0f} msgs/s ({verdict} ≥ 20,000)")


if __name__ == "__main__":
    raise SystemExit(main())
