"""Benchmark: import, count and export one million subscribers (SQLite, and PostgreSQL
when the Debian binaries are present).

    python bench/subscribers.py [--rows N] [--no-postgres]

Each measured step runs in its own Python process, which reports its wall time and
its peak RSS (`resource.getrusage`), so one step's memory never hides another's.
Targets (issue 6): import ≥ 50,000 rows/s on SQLite, peak RSS ≤ 200 MB for import and
export, count by status < 1 s. Prints a table and writes bench/results/subscribers.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "subscribers.json"
IMPORT_RATE_TARGET = 50_000
RSS_TARGET_MB = 200
COUNT_TARGET_S = 1.0

_GIVEN = ["Minji", "Junho", "Seoyeon", "Alex", "Priya", "Tom", "Hana", "Sam", "지우", "서연"]
_FAMILY = ["Kim", "Park", "Lee", "Morgan", "Shah", "Becker", "Choi", "Rivera", "한", "최"]


def generate(path: Path, rows: int) -> None:
    """`rows` data rows: unique addresses over 2,000 domains, names (some Korean),
    with the realities of a list: 1 in 500 rows repeats an earlier address in
    another case, 1 in 1,000 is not an address at all."""
    rng = random.Random(6)
    domains = [f"mail{n}.example.com" for n in range(2000)] + ["gmail.com", "naver.com"]
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("email,name\r\n")
        for index in range(rows):
            if index % 1000 == 999:
                email = f"broken-{index}"
            elif index % 500 == 250:
                email = f"USER.{index - 200}@{domains[(index - 200) % len(domains)]}".upper()
            else:
                email = f"user.{index}@{domains[index % len(domains)]}"
            name = f"{rng.choice(_GIVEN)} {rng.choice(_FAMILY)}"
            out.write(f"{email},{name}\r\n")


# -- the measured steps (run in a child process) ---------------------------------------


def _child(step: str, url: str, path: str) -> dict[str, float]:
    sys.path.insert(0, str(ROOT))
    from newsletter.audience.exporter import export_csv
    from newsletter.audience.importer import import_csv
    from newsletter.audience.store import SubscriberStore
    from newsletter.db import ready

    store = SubscriberStore(ready(url))
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result: dict[str, float] = {}
    started = time.perf_counter()
    if step == "import":
        summary = import_csv(store, path)
        result.update(
            rows=summary.rows,
            added=summary.added,
            invalid=summary.invalid_count,
            present=summary.present,
        )
    elif step == "reimport":
        summary = import_csv(store, path)
        result.update(rows=summary.rows, added=summary.added, present=summary.present)
    elif step == "export":
        with open(path, "w", encoding="utf-8", newline="") as out:
            result["rows"] = export_csv(store, out)
    elif step == "count":
        timings = []
        for _ in range(5):
            began = time.perf_counter()
            counts = store.count_by_status()
            timings.append(time.perf_counter() - began)
        result.update(rows=sum(counts.values()), median_s=statistics.median(timings))
    elif step == "iter_active":
        result["rows"] = sum(1 for _ in store.iter_active(batch_size=1000))
    result["seconds"] = time.perf_counter() - started
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["baseline_rss_mb"] = baseline
    return result


def run_step(step: str, url: str, path: Path) -> dict[str, float]:
    completed = subprocess.run(
        [sys.executable, __file__, "--child", step, url, str(path)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    if completed.returncode != 0:
        raise SystemExit(f"step {step} on {url} failed:\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


# -- the driver ------------------------------------------------------------------------


def measure(backend: str, url: str, source: Path, work: Path) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []

    def record(step: str, data: dict[str, float]) -> None:
        seconds = data.get("median_s", data["seconds"])
        rows.append(
            {
                "backend": backend,
                "step": step,
                "rows": int(data["rows"]),
                "seconds": round(seconds, 3),
                "rows_per_s": (
                    round(data["rows"] / data["seconds"])
                    if data["seconds"] and step != "count"
                    else None
                ),
                "peak_rss_mb": round(data["peak_rss_mb"], 1),
                "baseline_rss_mb": round(data["baseline_rss_mb"], 1),
                **{k: int(v) for k, v in data.items() if k in ("added", "present", "invalid")},
            }
        )
        print(f"  {backend:<10} {step:<11} {seconds:8.2f} s", file=sys.stderr, flush=True)

    record("import", run_step("import", url, source))
    record("reimport", run_step("reimport", url, source))
    record("count", run_step("count", url, source))
    record("iter_active", run_step("iter_active", url, source))
    record("export", run_step("export", url, work / f"export-{backend}.csv"))
    return rows


def verdicts(rows: list[dict[str, object]]) -> None:
    for row in rows:
        checks = []
        if row["step"] in ("import", "export", "reimport"):
            checks.append(float(row["peak_rss_mb"]) <= RSS_TARGET_MB)  # type: ignore[arg-type]
        if row["step"] == "import" and row["backend"] == "sqlite":
            checks.append(int(row["rows_per_s"]) >= IMPORT_RATE_TARGET)  # type: ignore[arg-type]
        if row["step"] == "count":
            checks.append(float(row["seconds"]) < COUNT_TARGET_S)  # type: ignore[arg-type]
        row["meets_target"] = all(checks) if checks else None


def print_table(rows: list[dict[str, object]]) -> None:
    header = f"{'backend':<10} {'step':<11} {'rows':>10} {'seconds':>8} {'rows/s':>9} "
    header += f"{'peak RSS MB':>11}  target"
    print(header)
    print("-" * len(header))
    for row in rows:
        rate = f"{row['rows_per_s']:,}" if row["rows_per_s"] else "-"
        verdict = {True: "ok", False: "MISSED", None: "-"}[row["meets_target"]]  # type: ignore[index]
        print(
            f"{row['backend']:<10} {row['step']:<11} {row['rows']:>10,} {row['seconds']:>8.2f} "
            f"{rate:>9} {row['peak_rss_mb']:>11.1f}  {verdict}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--child", nargs=3, metavar=("STEP", "URL", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(*args.child)))
        return

    with tempfile.TemporaryDirectory(prefix="newsletter-bench-") as temp:
        work = Path(temp)
        source = work / "subscribers.csv"
        began = time.perf_counter()
        generate(source, args.rows)
        size_mb = source.stat().st_size / 1e6
        print(
            f"generated {args.rows:,} rows ({size_mb:.0f} MB) in "
            f"{time.perf_counter() - began:.1f} s",
            file=sys.stderr,
        )
        rows = measure("sqlite", f"sqlite:///{work / 'bench.db'}", source, work)
        postgres = "skipped"
        if not args.no_postgres:
            sys.path.insert(0, str(ROOT))
            from tests.fixtures.postgres import PostgresCluster, PostgresUnavailable

            try:
                cluster = PostgresCluster(durable=True).start()
            except PostgresUnavailable as exc:
                postgres = f"skipped: {exc}"
            else:
                try:
                    postgres = "measured"
                    rows += measure("postgresql", cluster.create_database(), source, work)
                finally:
                    cluster.stop()
        verdicts(rows)
        print_table(rows)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(
            json.dumps(
                {
                    "benchmark": "subscribers",
                    "rows_generated": args.rows,
                    "csv_mb": round(size_mb, 1),
                    "postgresql": postgres,
                    "targets": {
                        "sqlite_import_rows_per_s": IMPORT_RATE_TARGET,
                        "peak_rss_mb": RSS_TARGET_MB,
                        "count_s": COUNT_TARGET_S,
                    },
                    "machine": {
                        "python": platform.python_version(),
                        "cpus": os.cpu_count(),
                        "platform": platform.platform(),
                    },
                    "results": rows,
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
        print(f"\nwritten to {RESULTS.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
