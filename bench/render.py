"""Render benchmark (issues 5, 22): CPU time of one edition against the reference compiler.

For briefings of 5, 10 and 30 stories, in one run, all in CPU time (process time):
  (a) our full render: view → MJML → mjml-python → premailer → text → post, email and web copy,
      each run a new edition (other words, `with_other_words`) of a shape rendered before in
      the process (the HTML from the
      stencil of its shape, `newsletter.render.stencil`); beside it, for the record, the first
      render of a shape (the stencil is made) and the render a customised template gets
      (every step, no stencil), neither of them the target's figure
  (b) the reference compiler, npm `mjml`: one warm node process per size, asked for one
      compile at a time between our renders (ours, reference, ours, …), its CPU time
      read with `process.cpuUsage()` around each compile
  (c) the parts: the gates, Jinja → MJML, mjml-python, premailer, css-inline (what-if)
  (d) personalisation: what `send` does with the strings per recipient (messages per CPU s)

Interleaving puts both compilers under the same load at the same moments, and CPU
time leaves out the time a busy machine makes each wait; the load average is printed
and kept with the result anyway.

Targets (issue 22): full render CPU ≤ 1.0 × the reference at every size;
personalisation ≥ 20,000 messages/s at 30 stories.

    python bench/render.py [--quick] [--node-dir DIR]

npm `mjml` is installed once into ~/.cache/newsletter-bench/mjml (or --node-dir).
Prints a table, writes bench/results/render.json, appends to bench/results/history.jsonl.
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
from typing import IO, Any
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.history import load_average, save  # noqa: E402
from newsletter.config import parse_settings  # noqa: E402
from newsletter.model import Briefing  # noqa: E402

try:
    from newsletter.send.message import Fill
except ImportError:  # a commit before issue 22: what send did then, for the history

    class Fill:  # type: ignore[no-redef]
        def __init__(self, text: str) -> None:
            self.text = text

        def fill(self, url: str, name: str) -> str:
            from newsletter.model import NAME_PLACEHOLDER, UNSUBSCRIBE_PLACEHOLDER

            return self.text.replace(UNSUBSCRIBE_PLACEHOLDER, url).replace(NAME_PLACEHOLDER, name)


FIXTURE = ROOT / "tests" / "render" / "data" / "briefing-ko.json"
SIZES = (5, 10, 30)
NODE_CACHE = Path.home() / ".cache" / "newsletter-bench" / "mjml"
TARGET_RATIO = 1.0
TARGET_PERSONALISE = 20_000.0

#: One compile per `run` line on stdin, answered with its CPU and wall time on stdout.
NODE_SCRIPT = r"""
const mjml2html = require('mjml');
const source = require('fs').readFileSync(process.argv[2], 'utf8');
const warm = Number(process.argv[3]);
const once = async () => {
  const r = await Promise.resolve(mjml2html(source, {validationLevel: 'skip'}));
  if (r.errors && r.errors.length) throw new Error(JSON.stringify(r.errors[0]));
  return r.html;
};
(async () => {
  for (let i = 0; i < warm; i++) await once();
  const version = require('mjml/package.json').version;
  process.stdout.write(JSON.stringify({ready: true, version}) + '\n');
  const lines = require('readline').createInterface({input: process.stdin});
  for await (const line of lines) {
    if (line !== 'run') break;
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    await once();
    const used = process.cpuUsage(cpu);
    const wall = Number(process.hrtime.bigint() - start) / 1e6;
    process.stdout.write(JSON.stringify({cpu_ms: (used.user + used.system) / 1000, wall}) + '\n');
  }
})().catch(e => { console.error(String(e)); process.exit(1); });
"""


def cpu_ms(fn: Callable[[], Any]) -> float:
    start = time.process_time_ns()
    fn()
    return (time.process_time_ns() - start) / 1e6


def median_cpu_ms(fn: Callable[[], Any], runs: int, warm: int = 3) -> float:
    for _ in range(warm):
        fn()
    return statistics.median(cpu_ms(fn) for _ in range(runs))


def briefing_with(stories: int) -> Briefing:
    base = Briefing.from_json(FIXTURE.read_text(encoding="utf-8"))
    cycle = []
    for i in range(stories):
        story = base.stories[i % len(base.stories)]
        cycle.append(replace(story, headline=f"{story.headline} {i + 1}"))
    return replace(base, stories=cycle)


def with_other_words(briefing: Briefing, run: int) -> Briefing:
    """`briefing` in the same shape with other words: each measured render is a new edition,
    so nothing remembered from an earlier render's words (a wrapped paragraph) can help it."""
    mark = f" ({run})"

    def story_words(story: Any, number: int) -> Any:
        own = f" ({run}.{number})"  # a cycled story's paragraphs differ from its twins' too
        return replace(
            story,
            headline=story.headline + own,
            summary_title=story.summary_title + own if story.summary_title else "",
            summary=[p + own for p in story.summary],
            why_title=story.why_title + own if story.why_title else "",
            why=[p + own for p in story.why],
            takeaway=story.takeaway + own if story.takeaway else "",
            sources=[replace(s, title=s.title + own) for s in story.sources],
        )

    return replace(
        briefing,
        title=briefing.title + mark,
        intro=[p + mark for p in briefing.intro],
        stories=[story_words(story, n) for n, story in enumerate(briefing.stories, start=1)],
        outro=[p + mark for p in briefing.outro],
    )


def node_folder(node_dir: str | None) -> Path | str:
    """A folder with npm `mjml` installed (installed there on first use), or why there is none."""
    if not shutil.which("node") or not shutil.which("npm"):
        return "node/npm not found"
    directory = Path(node_dir) if node_dir else NODE_CACHE
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
            return f"npm install mjml failed: {installed.stderr.strip()[:200]}"
    (directory / "bench-interleaved.js").write_text(NODE_SCRIPT, encoding="utf-8")
    return directory


class Reference:
    """One warm node process compiling one size's MJML, one compile per `run()`."""

    def __init__(self, folder: Path, source: str, warm: int) -> None:
        self._folder = Path(tempfile.mkdtemp(prefix="bench-mjml-"))
        (self._folder / "edition.mjml").write_text(source, encoding="utf-8")
        self.process = subprocess.Popen(
            ["node", "bench-interleaved.js", str(self._folder / "edition.mjml"), str(warm)],
            cwd=folder,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.version = str(self._answer()["version"])

    def _answer(self) -> dict[str, Any]:
        stdout: IO[str] | None = self.process.stdout
        line = stdout.readline() if stdout else ""
        if not line:
            raise RuntimeError(f"node stopped (exit {self.process.wait()})")
        return dict(json.loads(line))

    def run(self) -> float:
        """CPU ms of one compile."""
        assert self.process.stdin is not None
        self.process.stdin.write("run\n")
        self.process.stdin.flush()
        return float(self._answer()["cpu_ms"])

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=30)
        shutil.rmtree(self._folder, ignore_errors=True)


def interleaved(
    ours: Callable[[int], Any], reference: Reference | None, runs: int
) -> tuple[list[float], list[float]]:
    """CPU ms of ours (given the run's number) and of the reference, alternating run by run."""
    mine: list[float] = []
    theirs: list[float] = []
    for run in range(runs):
        mine.append(cpu_ms(lambda run=run: ours(run)))
        if reference is not None:
            theirs.append(reference.run())
    return mine, theirs


def first_render(briefing: Briefing, options: Any) -> None:
    """`build_edition` of a shape the process has not rendered: the stencils are made."""
    from newsletter.render import stencil
    from newsletter.render.edition import build_edition

    stencil.forget()
    build_edition(briefing, options)


def personalise_rate(fills: tuple[Fill, Fill], seconds: float = 1.0) -> float:
    """Messages per CPU second: the per-recipient substitution `send` does (HTML + text)."""
    html, text = fills
    count = 0
    start = time.process_time()
    deadline = start + seconds
    while True:
        for i in range(200):
            url = f"https://news.example.com/u/{i:08d}.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
            name = f"구독자{i}"
            html.fill(url, name)
            text.fill(url, name)
        count += 200
        now = time.process_time()
        if now >= deadline:
            return count / (now - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs (smoke test)")
    parser.add_argument("--node-dir", help="the folder with npm mjml (default: a cache folder)")
    args = parser.parse_args()
    runs = 10 if args.quick else 60
    load_before = load_average()

    import css_inline

    from newsletter.render import stencil
    from newsletter.render.checks import check_edition
    from newsletter.render.context import build_view
    from newsletter.render.edition import build_edition
    from newsletter.render.html import compile_mjml, inline_css, render_mjml
    from newsletter.runtime import render_options

    with tempfile.TemporaryDirectory() as tmp:
        settings = parse_settings(
            {
                "newsletter": {"name": "Daily AI & Tech News", "postal_address": "Seoul"},
                "sender": {"from": "Daily Briefing <briefing@example.com>"},
            },
            Path(tmp) / "newsletter.toml",
        )
    options = render_options(settings)
    inliner = css_inline.CSSInliner(load_remote_stylesheets=False, keep_at_rules=True)
    folder = node_folder(args.node_dir)
    version = ""

    rows: list[dict[str, Any]] = []
    for size in SIZES:
        briefing = briefing_with(size)
        view = build_view(briefing, options)
        mjml = render_mjml(view)
        compiled = compile_mjml(mjml)
        edition = build_edition(briefing, options)
        reference = Reference(folder, mjml, warm=200) if isinstance(folder, Path) else None
        # each measured render is an edition of the same shape with other words (the
        # preview's next save, the scheduler's next day), built before the clock runs
        editions = [with_other_words(briefing, run) for run in range(runs + 3)]
        try:
            for warm in editions[runs:]:  # our warm-up (the reference warms up in its process)
                build_edition(warm, options)
            ours, theirs = interleaved(
                lambda run, e=editions: build_edition(e[run], options), reference, runs
            )
            version = reference.version if reference else version
        finally:
            if reference is not None:
                reference.close()
        first = statistics.median(
            cpu_ms(lambda b=b: first_render(b, options)) for b in editions[: max(runs // 3, 5)]
        )
        with mock.patch.object(stencil, "bundled_template", return_value=None):
            whole = statistics.median(
                cpu_ms(lambda b=b: build_edition(b, options)) for b in editions[:runs]
            )
        full = statistics.median(ours)
        ref = statistics.median(theirs) if theirs else None
        row = {
            "stories": size,
            "full_render_ms": full,
            "reference_mjml_ms": ref,
            "full_over_reference": full / ref if ref else None,
            "first_render_ms": first,
            "whole_render_ms": whole,
            "gates_ms": median_cpu_ms(lambda e=edition, b=briefing: check_edition(e, b), runs),
            "jinja_mjml_ms": median_cpu_ms(lambda v=view: render_mjml(v), runs),
            "mjml_python_ms": median_cpu_ms(lambda m=mjml: compile_mjml(m), runs),
            "premailer_ms": median_cpu_ms(lambda h=compiled: inline_css(h), runs),
            "css_inline_ms": median_cpu_ms(lambda h=compiled: inliner.inline(h), runs),
            "html_bytes": len(edition.html.encode()),
            "mjml_bytes": len(mjml.encode()),
            "personalise_per_s": personalise_rate((Fill(edition.html), Fill(edition.text))),
        }
        rows.append(row)
        print(f"  measured {size} stories", file=sys.stderr)

    reference_note = f"npm mjml {version}" if version else f"skipped ({folder})"
    print_table(rows, reference_note, load_before)
    headline: dict[str, Any] = {
        f"full/npm CPU, {r['stories']} stories": r["full_over_reference"] for r in rows
    }
    headline |= {f"full render CPU ms, {r['stories']} stories": r["full_render_ms"] for r in rows}
    headline |= {f"npm mjml CPU ms, {r['stories']} stories": r["reference_mjml_ms"] for r in rows}
    headline["personalise msg/CPU s, 30 stories"] = rows[-1]["personalise_per_s"]
    save(
        "render",
        {
            "benchmark": "render",
            "clock": "CPU (process time), ours and the reference interleaved",
            "python": platform.python_version(),
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "runs_per_median": runs,
            "quick": args.quick,
            "load_average_at_start": load_before,
            "reference": reference_note,
            "targets": {"full_over_reference": TARGET_RATIO, "personalise": TARGET_PERSONALISE},
            "rows": rows,
        },
        headline=headline,
    )
    return 0


def print_table(rows: list[dict[str, Any]], reference: str, load_before: list[float]) -> None:
    def ms(value: float | None) -> str:
        return "—" if value is None else f"{value:.2f}"

    header = (
        f"{'stories':>7} {'full':>6} {'npm mjml':>8} {'full/npm':>8} {'first':>6} {'whole':>6} "
        f"{'gates':>6} {'jinja':>6} "
        f"{'mjml-py':>7} {'premailer':>9} {'css-inl':>7} {'HTML KB':>7} {'msgs/CPU s':>10}"
    )
    print("median CPU ms per edition (process time; ours and the reference interleaved)")
    print(header)
    print("-" * len(header))
    for r in rows:
        ratio = "—" if r["full_over_reference"] is None else f"{r['full_over_reference']:.2f}"
        print(
            f"{r['stories']:>7} {ms(r['full_render_ms']):>6} {ms(r['reference_mjml_ms']):>8} "
            f"{ratio:>8} {ms(r.get('first_render_ms')):>6} {ms(r.get('whole_render_ms')):>6} "
            f"{ms(r['gates_ms']):>6} {ms(r['jinja_mjml_ms']):>6} "
            f"{ms(r['mjml_python_ms']):>7} {ms(r['premailer_ms']):>9} {ms(r['css_inline_ms']):>7} "
            f"{r['html_bytes'] / 1024:>7.1f} {r['personalise_per_s']:>10,.0f}"
        )
    print(
        "full: an edition of a shape rendered before (the HTML from its stencil); first: the "
        "first render of a shape (stencils made); whole: every step (a customised template)"
    )
    print(f"\nreference: {reference}; load average {load_before} at start, {load_average()} at end")
    for r in rows:
        if r["full_over_reference"] is not None:
            verdict = "PASS" if r["full_over_reference"] <= TARGET_RATIO else "MISS"
            print(
                f"{verdict}  full render / npm mjml, {r['stories']} stories: "
                f"{r['full_over_reference']:.2f} (target ≤ {TARGET_RATIO:.1f}, CPU time)"
            )
    rate = rows[-1]["personalise_per_s"]
    verdict = "PASS" if rate >= TARGET_PERSONALISE else "MISS"
    print(
        f"{verdict}  personalisation at {rows[-1]['stories']} stories: {rate:,.0f} msgs/CPU s "
        f"(target ≥ {TARGET_PERSONALISE:,.0f})"
    )


if __name__ == "__main__":
    raise SystemExit(main())
