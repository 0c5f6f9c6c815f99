"""Benchmark: drafting 10 stories with the openai writer when every reply takes 2 s.

A model is slow per request and fast in parallel; the writer's concurrency
(`brief.concurrency`) is what decides how long `draft` takes, and the reply
cache decides what a re-draft costs. The model is the loopback OpenAI-compatible
stub of the tests (tests/brief/openai_stub.py) answering each request after a
fixed delay, so the figures show the writer, not a model.

Each run drafts the same 10 stories (plus the edition editor's call) with the
cache off at concurrency 1, 4 (the default) and 8, then drafts twice with the
cache on: the second draft must make no request.

    python bench/writers.py [--runs 3] [--delay 2.0]  → table, bench/results/writers.json
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # benchmark this checkout, not an installed copy

from newsletter.brief.report import DraftReport  # noqa: E402
from tests.brief.factory import DAY, item, write_config  # noqa: E402
from tests.brief.openai_stub import ChatStub  # noqa: E402
from tests.fixtures.edge import draft_for  # noqa: E402

STORIES = 10
SECTIONS = ("ai", "funding", "policy", "security", "cloud")


def items() -> list:  # type: ignore[type-arg]
    return [
        item(
            n,
            f"Company {n} ships its new product number {n}",
            f"Company {n} shipped product {n} to customers today. It costs less than before.",
            site=f"site{n}.example.com",
            section=SECTIONS[n % len(SECTIONS)],
        )
        for n in range(STORIES)
    ]


def draft(folder: Path, stub: ChatStub, concurrency: int, cache: bool) -> dict[str, float]:
    settings = write_config(
        folder,
        language="ko",
        writer="openai",
        max_stories=STORIES,
        max_per_section=STORIES,
        brief={"concurrency": concurrency, "cache": cache},
        openai={"base_url": stub.base_url, "model": "bench", "timeout": 30},
    )
    before = stub.requests
    stub.max_in_flight = 0
    report = DraftReport()
    started = time.perf_counter()
    briefing = draft_for(items(), settings, DAY, report)
    seconds = time.perf_counter() - started
    assert len(briefing.stories) == STORIES, "every story drafted"
    per_story = [cost.seconds for cost in report.costs.values()]
    return {
        "seconds": seconds,
        "requests": stub.requests - before,
        "max_in_flight": stub.max_in_flight,
        "by_model": report.model_stories,
        "from_cache": report.cached_stories,
        "story_seconds_median": statistics.median(per_story) if per_story else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--delay", type=float, default=2.0, help="seconds per model reply")
    args = parser.parse_args()
    stub = ChatStub(delay=args.delay).start()
    cases = [(f"concurrency {c}, no cache", c, False) for c in (1, 4, 8)]
    rows: dict[str, list[dict[str, float]]] = {}
    try:
        for run in range(args.runs):
            with tempfile.TemporaryDirectory() as tmp:
                for name, concurrency, _ in cases:
                    folder = Path(tmp) / f"{run}-{concurrency}"
                    rows.setdefault(name, []).append(draft(folder, stub, concurrency, False))
                cached = Path(tmp) / f"{run}-cache"
                rows.setdefault("concurrency 4, cache: first draft", []).append(
                    draft(cached, stub, 4, True)
                )
                rows.setdefault("concurrency 4, cache: second draft", []).append(
                    draft(cached, stub, 4, True)
                )
    finally:
        stub.stop()
    table = {
        name: {key: statistics.median(r[key] for r in runs) for key in runs[0]}
        for name, runs in rows.items()
    }
    sequential = table["concurrency 1, no cache"]["seconds"]
    print(
        f"draft of {STORIES} stories + the editor's call, {args.delay:g} s per reply "
        f"(median of {args.runs}):"
    )
    print(
        f"{'case':36} {'seconds':>8} {'× faster':>9} {'requests':>9} {'in flight':>10} "
        f"{'story s':>8}"
    )
    for name, row in table.items():
        print(
            f"{name:36} {row['seconds']:8.2f} {sequential / row['seconds']:9.1f} "
            f"{row['requests']:9.0f} {row['max_in_flight']:10.0f} "
            f"{row['story_seconds_median']:8.2f}"
        )
    out = ROOT / "bench" / "results" / "writers.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    result = {
        "stories": STORIES,
        "reply_delay_seconds": args.delay,
        "runs": args.runs,
        "python": platform.python_version(),
        "cases": table,
    }
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"→ {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
