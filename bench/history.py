"""The bench history: every run of every bench, one JSON line each, with the commit it measured.

`bench/results/<bench>.json` holds only the latest run (ignored by git); this file
keeps them all (`bench/results/history.jsonl`, tracked, merged by union — see
.gitattributes) so that a regression shows as a change between two lines, with
the commit, the date, the load average and the machine beside each figure.

    python bench/history.py [--bench NAME] [--last N]   # the last two runs side by side
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
HISTORY = RESULTS / "history.jsonl"


def commit() -> str:
    """`git rev-parse --short HEAD`, with `+dirty` when tracked files (outside the results)
    differ from it: a figure from uncommitted code says so."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/results"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head}+dirty" if changed else head


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def flatten(value: Any, prefix: str = "") -> dict[str, float]:
    """Numeric leaves as `a.b.0.c` → number; rows that carry a `stories`/`endpoint`/`name`
    key are labelled by it instead of their index, so runs compare row by row."""
    out: dict[str, float] = {}
    if isinstance(value, bool):
        return out
    if isinstance(value, int | float):
        return {prefix: float(value)}
    if isinstance(value, dict):
        for key, item in value.items():
            out.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            label = index
            if isinstance(item, dict):
                label = next(
                    (item[k] for k in ("label", "name", "stories", "endpoint") if k in item),
                    index,
                )
                if "recipients" in item and "endpoint" in item:
                    label = f"{item['endpoint']}-{item['recipients']}"
            out.update(flatten(item, f"{prefix}.{label}" if prefix else str(label)))
    return out


def save(bench: str, result: dict[str, Any], *, headline: dict[str, Any] | None = None) -> Path:
    """Write `bench/results/<bench>.json` and append the run to the history.

    `headline`: the figures the bench is judged by (ratios against targets); the
    comparison shows them first. Everything numeric in `result` is kept too.
    """
    RESULTS.mkdir(parents=True, exist_ok=True)
    entry = {
        "bench": bench,
        "commit": commit(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average": load_average(),
        "machine": machine(),
        "quick": bool(result.get("quick", False)),
        "headline": headline or {},
        "figures": flatten(result),
    }
    result = {**result, "commit": entry["commit"], "load_average_at_end": entry["load_average"]}
    latest = RESULTS / f"{bench}.json"
    latest.write_text(
        json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )
    with HISTORY.open("a", encoding="utf-8") as history:
        history.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")
    print(f"\nwrote {latest.relative_to(ROOT)} and appended to {HISTORY.relative_to(ROOT)}")
    return latest


def runs(bench: str | None = None) -> list[dict[str, Any]]:
    if not HISTORY.exists():
        return []
    entries = []
    for line in HISTORY.read_text(encoding="utf-8").splitlines():
        if line.strip():
            entry = json.loads(line)
            if bench is None or entry.get("bench") == bench:
                entries.append(entry)
    return entries


def compare(bench: str | None = None, last: int = 2, everything: bool = False) -> str:
    """The last `last` runs of each bench side by side: headline figures, then the rest."""
    by_bench: dict[str, list[dict[str, Any]]] = {}
    for entry in runs(bench):
        by_bench.setdefault(entry["bench"], []).append(entry)
    lines: list[str] = []
    for name, entries in by_bench.items():
        shown = entries[-last:]
        lines.append(f"== {name}")
        width = 18
        lines.append(f"{'':<44}" + "".join(f"{e['commit']:>{width}}" for e in shown))
        lines.append(f"{'date (UTC)':<44}" + "".join(f"{e['date'][5:16]:>{width}}" for e in shown))
        lines.append(
            f"{'load average (1 min)':<44}"
            + "".join(f"{e['load_average'][0]:>{width}.2f}" for e in shown)
        )
        lines.append(
            f"{'quick (smoke) run':<44}"
            + "".join(f"{'yes' if e.get('quick') else 'no':>{width}}" for e in shown)
        )
        keys = list(dict.fromkeys(k for e in shown for k in e.get("headline", {})))
        if everything or not keys:
            keys += [k for k in dict.fromkeys(k for e in shown for k in e["figures"])]
        for key in keys:
            cells = []
            for entry in shown:
                value = entry.get("headline", {}).get(key, entry["figures"].get(key))
                cells.append(_cell(value, width))
            lines.append(f"{key[:43]:<44}" + "".join(cells))
        lines.append("")
    return "\n".join(lines) if lines else "no bench history yet: run a bench under bench/"


def _cell(value: Any, width: int) -> str:
    if value is None:
        return f"{'—':>{width}}"
    if isinstance(value, float | int) and not isinstance(value, bool):
        text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
        return f"{text:>{width}}"
    return f"{str(value)[: width - 1]:>{width}}"


def main() -> None:
    parser = argparse.ArgumentParser(description="the last runs of each bench side by side")
    parser.add_argument("--bench", help="only this bench (render, send, …)")
    parser.add_argument("--last", type=int, default=2, help="how many runs (default 2)")
    parser.add_argument("--all", action="store_true", help="every figure, not the headline")
    args = parser.parse_args()
    print(compare(args.bench, args.last, args.all))


if __name__ == "__main__":
    sys.exit(main())
