"""Collector benchmark: sequential feedparser baseline vs our cold and warm collect.

    python bench/collect.py [--repeats 3] [--feeds 100] [--hosts 50] [--items 50]
                            [--rss-items 1000] [--connections 100] [--extra-connections 16]

A loopback server (bench/loopback_feeds.py, its own process) serves N feeds × M
items and waits 100 ms before every response, the way a real publisher's round
trip does. The feeds are spread over H loopback addresses (127.0.0.2, 127.0.0.3,
…: default 50 hosts, two feeds each), because a hundred feeds come from many
publishers, and the collector limits requests per host (`collect.per_host`) as
well as in total (`collect.connections`). The server counts the body bytes it
sends, so "warm transfers zero bodies" is measured there, not assumed.

  (a) baseline: `feedparser.parse(url)` for each feed in turn (what rss2email does)
  (b) cold: `collect_edition` with an empty feed cache
  (c) warm: `collect_edition` again (every feed answers 304)
  (d) peak RSS of a cold collect of N feeds × 1,000 items, in a fresh subprocess

Prints a table with medians and ratios and writes bench/results/collect.json.
Targets (issue 3): cold ≥ 10× faster than the baseline; warm sends zero bodies and
takes ≤ 1/3 of cold; peak RSS ≤ 300 MB for 100 feeds × 1,000 items.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from loopback_feeds import DAY, LATENCY, NOW, FeedServer, feed_urls

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# -- the runs ------------------------------------------------------------------------------------


def settings_for(urls: list[str], folder: Path, connections: int = 0):
    """The collector's defaults, except the request limit when `connections` is given."""
    from newsletter.config import parse_settings

    raw = {
        "newsletter": {"name": "Bench", "timezone": "Asia/Seoul", "send_time": "07:00"},
        "sender": {"from": "bench@example.com", "transport": "outbox"},
        "database": {"url": "sqlite:///feedcache.db"},
        # The publishers are on loopback: allowed here, refused by default.
        "collect": {"allow_private_networks": True}
        | ({"connections": connections} if connections else {}),
        "feeds": [{"url": url} for url in urls],
    }
    return parse_settings(raw, folder / "newsletter.toml")


def baseline(urls: list[str]) -> tuple[float, int]:
    import feedparser

    started = time.perf_counter()
    entries = 0
    for url in urls:
        entries += len(feedparser.parse(url).entries)
    return time.perf_counter() - started, entries


def ours(settings) -> tuple[float, int, list[str]]:
    from newsletter.collect import collect_edition
    from newsletter.runtime import Runtime

    runtime = Runtime(settings)  # what `newsletter collect` builds; the engine opens in the run
    setup, moment = runtime.collect_setup, settings.send_moment(DAY)
    started = time.perf_counter()
    result = collect_edition(lambda: runtime.engine, setup, DAY, moment, now=NOW)
    seconds = time.perf_counter() - started
    return seconds, len(result.items), sorted({feed.status for feed in result.feeds})


def tree_rss_kb(root: int) -> int:
    """Resident memory of `root` and all its descendants (parse workers included), from /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
                parents[int(entry)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                continue
    family, changed = {root}, True
    while changed:
        grown = family | {pid for pid, parent in parents.items() if parent in family}
        changed, family = grown != family, grown
    total = 0
    for pid in family:
        try:
            with open(f"/proc/{pid}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            continue
    return total


def rss_child(port: int, feeds: int, hosts: int, folder: str) -> None:
    """Run in a fresh interpreter: one cold collect of the big feeds, then report peak RSS.

    Peak RSS is sampled for the whole process tree every 20 ms (the parse workers are
    separate processes), and the main process's own `ru_maxrss` is reported beside it."""
    import resource

    settings = settings_for(feed_urls(port, feeds, hosts), Path(folder))
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss_kb(os.getpid()))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    seconds, items, statuses = ours(settings)
    done.set()
    sampler.join()
    main_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": seconds,
                "items": items,
                "statuses": statuses,
                "peak_rss_mb": peak[0] / 1024,
                "main_process_peak_rss_mb": main_kb / 1024,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=100)
    parser.add_argument("--hosts", type=int, default=50, help="loopback addresses serving them")
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--rss-items", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--connections", type=int, default=0, help="collect.connections (0: the default)"
    )
    parser.add_argument(
        "--extra-connections",
        type=int,
        default=16,
        help="also time cold/warm with this request limit (0: skip); 16 was the one-pool design",
    )
    parser.add_argument("--rss-child", nargs=4, metavar=("PORT", "FEEDS", "HOSTS", "DIR"))
    args = parser.parse_args()
    if args.rss_child:
        port, feeds, hosts, folder = args.rss_child
        rss_child(int(port), int(feeds), int(hosts), folder)
        return

    from newsletter.config import CollectSettings

    defaults = CollectSettings()
    connections = args.connections or defaults.connections
    server = FeedServer(args.feeds, args.hosts, args.items)
    urls = server.urls()
    base_times, cold_times, warm_times, warm_bodies = [], [], [], []
    extra_cold, extra_warm = [], []
    entries = items = 0
    statuses: dict[str, list[str]] = {}
    try:
        for repeat in range(args.repeats):
            seconds, entries = baseline(urls)
            base_times.append(seconds)
            server.stats()
            with tempfile.TemporaryDirectory() as folder:
                settings = settings_for(urls, Path(folder), args.connections)
                seconds, items, statuses["cold"] = ours(settings)
                cold_times.append(seconds)
                server.stats()
                seconds, _, statuses["warm"] = ours(settings)
                warm_times.append(seconds)
                warm_bodies.append(server.stats()["bodies"])
            if args.extra_connections:
                with tempfile.TemporaryDirectory() as folder:
                    settings = settings_for(urls, Path(folder), args.extra_connections)
                    extra_cold.append(ours(settings)[0])
                    extra_warm.append(ours(settings)[0])
                    server.stats()
            print(
                f"  run {repeat + 1}: baseline {base_times[-1]:.2f} s, cold "
                f"{cold_times[-1]:.2f} s, warm {warm_times[-1]:.2f} s",
                file=sys.stderr,
            )
    finally:
        server.stop()

    big = FeedServer(args.feeds, args.hosts, args.rss_items, latency=0.0)
    try:
        with tempfile.TemporaryDirectory() as folder:
            child_args = [str(big.port), str(args.feeds), str(args.hosts), folder]
            child = subprocess.run(
                [sys.executable, __file__, "--rss-child", *child_args],
                capture_output=True,
                text=True,
                check=True,
                timeout=900,
            )
        memory = json.loads(child.stdout.strip().splitlines()[-1])
    finally:
        big.stop()

    base, cold, warm = (statistics.median(t) for t in (base_times, cold_times, warm_times))
    result = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "setup": {
            "feeds": args.feeds,
            "hosts": args.hosts,
            "items_per_feed": args.items,
            "latency_ms": LATENCY * 1000,
            "connections": connections,
            "per_host": defaults.per_host,
            "bodies_in_memory": defaults.concurrency,
            "repeats": args.repeats,
        },
        "baseline_s": base_times,
        "cold_s": cold_times,
        "warm_s": warm_times,
        "median": {"baseline_s": base, "cold_s": cold, "warm_s": warm},
        "extra_connections": {
            "connections": args.extra_connections,
            "cold_s": extra_cold,
            "warm_s": extra_warm,
            "median_cold_s": statistics.median(extra_cold) if extra_cold else None,
            "median_warm_s": statistics.median(extra_warm) if extra_warm else None,
        },
        # The least time a warm run can take: ceil(feeds / connections) round trips.
        "network_floor_s": {
            str(pool): -(-args.feeds // pool) * LATENCY
            for pool in (connections, args.extra_connections)
            if pool
        },
        "load_average": os.getloadavg(),
        "ratios": {"baseline_over_cold": base / cold, "warm_over_cold": warm / cold},
        "entries_parsed_by_baseline": entries,
        "items_in_window": items,
        "statuses": statuses,
        "warm_bodies_sent": warm_bodies,
        "peak_rss": {"feeds": args.feeds, "items_per_feed": args.rss_items, **memory},
        "targets": {
            "cold_10x_faster": base / cold >= 10,
            "warm_zero_bodies": all(b == 0 for b in warm_bodies),
            "warm_third_of_cold": warm <= cold / 3,
            "peak_rss_under_300mb": memory["peak_rss_mb"] <= 300,
        },
    }
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "collect.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print_table(result)


def print_table(r: dict) -> None:
    m, s, p = r["median"], r["setup"], r["peak_rss"]
    print(
        f"\ncollect benchmark: {s['feeds']} feeds on {s['hosts']} hosts x {s['items_per_feed']} "
        f"items, {s['latency_ms']:.0f} ms latency; connections {s['connections']}, per host "
        f"{s['per_host']}, bodies in memory {s['bodies_in_memory']}; median of {s['repeats']}"
    )
    rows = [
        ("baseline: sequential feedparser.parse(url)", f"{m['baseline_s']:.2f} s", "1.0x"),
        (
            "ours, cold (empty cache)",
            f"{m['cold_s']:.2f} s",
            f"{r['ratios']['baseline_over_cold']:.1f}x faster",
        ),
        (
            "ours, warm (all 304)",
            f"{m['warm_s']:.2f} s",
            f"{r['ratios']['warm_over_cold']:.2f} of cold; bodies sent: {r['warm_bodies_sent']}",
        ),
        (
            f"peak RSS, cold, {p['feeds']} x {p['items_per_feed']} items",
            f"{p['peak_rss_mb']:.0f} MB",
            f"all processes; main alone {p['main_process_peak_rss_mb']:.0f} MB; "
            f"{p['seconds']:.1f} s, {p['items']} items in window",
        ),
    ]
    extra = r["extra_connections"]
    if extra["median_cold_s"]:
        cold_x, warm_x = extra["median_cold_s"], extra["median_warm_s"]
        rows.append(
            (
                f"ours, cold / warm, connections {extra['connections']}",
                f"{cold_x:.2f} s",
                f"{m['baseline_s'] / cold_x:.1f}x faster; warm {warm_x:.2f} s "
                f"= {warm_x / cold_x:.2f} of cold",
            )
        )
    width = max(len(row[0]) for row in rows)
    for label, value, note in rows:
        print(f"  {label:<{width}}  {value:>9}  {note}")
    floors = ", ".join(f"connections {k} {v:.2f} s" for k, v in r["network_floor_s"].items())
    print(f"  warm floor (ceil(feeds/connections) x latency): {floors}")
    load = ", ".join(f"{x:.2f}" for x in r["load_average"])
    print(f"  machine: {r['machine']['cpus']} CPUs, load average at the end {load}")
    print("  targets: " + ", ".join(f"{k}={'yes' if v else 'NO'}" for k, v in r["targets"].items()))


if __name__ == "__main__":
    main()
