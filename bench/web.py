"""Web benchmark (issue 8): the one-click unsubscribe endpoint under bounded local load.

`newsletter serve` (the real command: uvicorn, one process) runs on 127.0.0.1 over a
SQLite database; this process, separately, sends RFC 8058 one-click POSTs
(`List-Unsubscribe=One-Click`) over N keep-alive connections with a small asyncio
HTTP/1.1 client (httpx would cost more CPU per request than the server under test on
a 2-core machine). Some subscribers are POSTed twice, concurrently with other
traffic, as a mail client retrying would.

Checked afterwards, in the database: every targeted subscriber is `unsubscribed` and
has exactly one `unsubscribed` event; nobody else changed.

Targets: >= 1,000 unsubscribes/s, p99 < 100 ms.

    python bench/web.py [--requests 10000] [--connections 50] [--quick]

Prints a table and writes bench/results/web.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results" / "web.json"
SECRET = "bench-secret-key-0123456789abcdef0123"
BODY = b"List-Unsubscribe=One-Click"
TARGET_RATE = 1000.0
TARGET_P99_MS = 100.0
CONFIG = """
[newsletter]
name = "Bench Briefing"
language = "en"
base_url = "http://127.0.0.1:{port}"
data_dir = "data"
list_id = "bench.example.com"

[sender]
from = "Bench <bench@example.com>"
transport = "outbox"

[database]
url = "sqlite:///data/newsletter.db"
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def setup(directory: Path, port: int, subscribers: int) -> Any:
    """A config and a database with `subscribers` active people (imported from CSV)."""
    from newsletter.audience.importer import import_csv
    from newsletter.config import load_settings
    from newsletter.runtime import Runtime

    config = directory / "newsletter.toml"
    config.write_text(CONFIG.format(port=port), encoding="utf-8")
    settings = load_settings(config)
    csv = directory / "people.csv"
    lines = ["email,name"] + [f"person{i:06d}@example.com,Person {i}" for i in range(subscribers)]
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = Runtime(settings).subscribers
    import_csv(store, csv)
    return settings, store


def start_server(config: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "NEWSLETTER_SECRET_KEY": SECRET, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "newsletter", "--config", str(config), "serve"]
    server = subprocess.Popen(
        [*command, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit(f"the server did not start; see {log}")


async def one_connection(
    port: int, paths: list[str], cursor: list[int], latencies: list[float], statuses: dict
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while cursor[0] < len(paths):
            path = paths[cursor[0]]
            cursor[0] += 1
            request = (
                f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {len(BODY)}\r\n\r\n"
            ).encode() + BODY
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split()[1])
            length = 0
            for line in lines[1:]:
                if line.lower().startswith("content-length:"):
                    length = int(line.split(":", 1)[1])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1
    finally:
        writer.close()
        await writer.wait_closed()


async def load(port: int, paths: list[str], connections: int) -> tuple[float, list[float], dict]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    cursor = [0]  # shared position: one event loop, so no lock is needed
    started = time.perf_counter()
    await asyncio.gather(
        *(one_connection(port, paths, cursor, latencies, statuses) for _ in range(connections))
    )
    return time.perf_counter() - started, latencies, statuses


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def verify(store: Any, targeted: set[int], total: int) -> dict[str, int]:
    """Count, in the database, what the load did."""
    from sqlalchemy import func, select

    from newsletter import schema

    events = schema.subscriber_events
    subscribers = schema.subscribers
    with store.engine.connect() as connection:
        per_person = dict(
            connection.execute(
                select(events.c.subscriber_id, func.count())
                .where(events.c.status == "unsubscribed", events.c.source == "one-click")
                .group_by(events.c.subscriber_id)
            ).all()
        )
        statuses = dict(
            connection.execute(
                select(subscribers.c.status, func.count()).group_by(subscribers.c.status)
            ).all()
        )
    return {
        "targeted": len(targeted),
        "recorded_once": sum(1 for i in targeted if per_person.get(i) == 1),
        "recorded_twice_or_more": sum(1 for count in per_person.values() if count > 1),
        "events_for_others": sum(1 for i in per_person if i not in targeted),
        "unsubscribed": statuses.get("unsubscribed", 0),
        "still_active": statuses.get("active", 0),
        "expected_active": total - len(targeted),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--repeats", type=float, default=0.2, help="share of POSTs that repeat")
    parser.add_argument("--quick", action="store_true", help="2,000 requests")
    args = parser.parse_args()
    if args.quick:
        args.requests = 2_000
    from newsletter.audience.tokens import unsubscribe_token

    rng = random.Random(8)
    distinct = int(args.requests * (1 - args.repeats))
    warmup = 500
    population = distinct + warmup + 1_000  # 1,000 bystanders nobody unsubscribes
    with tempfile.TemporaryDirectory(prefix="bench-web-") as temp:
        directory = Path(temp)
        port = free_port()
        settings, store = setup(directory, port, population)
        ids = list(range(1, population + 1))
        rng.shuffle(ids)
        warm_ids, load_ids = ids[:warmup], ids[warmup : warmup + distinct]
        repeats = [rng.choice(load_ids) for _ in range(args.requests - distinct)]
        order = load_ids + repeats
        rng.shuffle(order)

        def path(subscriber_id: int) -> str:
            return f"/u/{unsubscribe_token(SECRET, subscriber_id, settings.list_id)}"

        log = directory / "access.log"
        server = start_server(settings.path, port, log)
        try:
            asyncio.run(load(port, [path(i) for i in warm_ids], args.connections))
            paths = [path(i) for i in order]
            server_cpu, client_cpu = cpu_seconds(server.pid), time.process_time()
            seconds, latencies, statuses = asyncio.run(load(port, paths, args.connections))
            server_cpu = cpu_seconds(server.pid) - server_cpu
            client_cpu = time.process_time() - client_cpu
        finally:
            server.terminate()
            server.wait(timeout=30)
        checked = verify(store, set(warm_ids) | set(load_ids), population)
        log_lines = sum(1 for _ in log.open("rb"))

    rate = len(latencies) / seconds
    p50 = percentile(latencies, 0.50) * 1000
    p90 = percentile(latencies, 0.90) * 1000
    p99 = percentile(latencies, 0.99) * 1000
    worst = max(latencies) * 1000
    exactly_once = (
        checked["recorded_once"] == checked["targeted"]
        and checked["recorded_twice_or_more"] == 0
        and checked["events_for_others"] == 0
        and checked["still_active"] == checked["expected_active"]
    )
    ok_rate = rate >= TARGET_RATE
    ok_p99 = p99 < TARGET_P99_MS
    all_200 = set(statuses) == {200}

    rows = [
        ("requests (one-click POST)", f"{len(latencies):,}", ""),
        ("connections", f"{args.connections}", ""),
        ("distinct subscribers / repeats", f"{distinct:,} / {args.requests - distinct:,}", ""),
        ("wall time", f"{seconds:.2f} s", ""),
        (
            "throughput",
            f"{rate:,.0f} req/s",
            f"target >= {TARGET_RATE:,.0f}: " + ("PASS" if ok_rate else "FAIL"),
        ),
        ("latency p50", f"{p50:.1f} ms", ""),
        ("latency p90", f"{p90:.1f} ms", ""),
        (
            "latency p99",
            f"{p99:.1f} ms",
            f"target < {TARGET_P99_MS:.0f} ms: " + ("PASS" if ok_p99 else "FAIL"),
        ),
        ("latency max", f"{worst:.1f} ms", ""),
        ("server CPU per request", f"{server_cpu / len(latencies) * 1000:.3f} ms", ""),
        ("load generator CPU per request", f"{client_cpu / len(latencies) * 1000:.3f} ms", ""),
        ("machine load average (1 min)", f"{os.getloadavg()[0]:.2f}", ""),
        (
            "HTTP statuses",
            ", ".join(f"{k}: {v:,}" for k, v in sorted(statuses.items())),
            "PASS" if all_200 else "FAIL",
        ),
        (
            "recorded exactly once",
            f"{checked['recorded_once']:,} of {checked['targeted']:,}",
            "PASS" if exactly_once else "FAIL",
        ),
        ("access-log lines", f"{log_lines:,}", ""),
    ]
    width = max(len(r[0]) for r in rows)
    value_width = max(len(r[1]) for r in rows)
    print(f"\nweb benchmark: one-click unsubscribe, uvicorn + SQLite, {os.cpu_count()} cores")
    for name, value, verdict in rows:
        print(f"  {name:<{width}}  {value:>{value_width}}  {verdict}")

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "benchmark": "web one-click unsubscribe",
                "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                "requests": len(latencies),
                "connections": args.connections,
                "distinct_subscribers": distinct,
                "repeated_posts": args.requests - distinct,
                "seconds": round(seconds, 3),
                "requests_per_second": round(rate, 1),
                "latency_ms": {
                    "p50": round(p50, 2),
                    "p90": round(p90, 2),
                    "p99": round(p99, 2),
                    "max": round(worst, 2),
                    "mean": round(statistics.fmean(latencies) * 1000, 2),
                },
                "server_cpu_ms_per_request": round(server_cpu / len(latencies) * 1000, 4),
                "client_cpu_ms_per_request": round(client_cpu / len(latencies) * 1000, 4),
                "load_average_1min": round(os.getloadavg()[0], 2),
                "statuses": {str(k): v for k, v in statuses.items()},
                "database": checked,
                "targets": {
                    "requests_per_second": TARGET_RATE,
                    "p99_ms": TARGET_P99_MS,
                    "met": ok_rate and ok_p99 and exactly_once and all_200,
                },
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
