"""Benchmark: reading the picked stories' article pages (fetch + trafilatura extraction).

Target (issue 17): 10 stories × 2 sources = 20 pages on 10 publishers, each 100 ms
away on loopback: the wall time of `read_articles` ≤ 1.5× the slowest single page
read alone; extraction CPU per page reported. Also a re-read (every page answers
304 from the article cache).

    python bench/articles.py [--runs 5]   → table on stdout, bench/results/articles.json
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import platform
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # benchmark this checkout, not an installed copy

from newsletter import db  # noqa: E402
from newsletter.articles.counts import ArticleCounts  # noqa: E402
from newsletter.articles.read import ArticleSource, read_articles  # noqa: E402
from newsletter.config import CollectSettings  # noqa: E402
from newsletter.model import Item  # noqa: E402

LATENCY = 0.100
PUBLISHERS, STORIES, SOURCES = 10, 10, 2
TARGET_RATIO = 1.5
PROSE = """the company said its new chip doubles inference throughput while analysts expect
rivals to answer within months regulators in Brussels and Seoul are reviewing the deal and
engineers described the design as a careful step rather than a leap"""
WORDS = PROSE.split()


def page(seed: int) -> bytes:
    """A news page of ~60 kB: navigation, scripts, an article of 12 paragraphs, asides."""
    rng = random.Random(seed)
    nav = "".join(f'<li><a href="/section/{i}">Section {i}</a></li>' for i in range(120))
    script = "<script>window.dataLayer=[" + ",".join(str(i) for i in range(3000)) + "];</script>"
    paragraphs = "".join(
        "<p>" + " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 80))).capitalize()
        + ".</p>"
        for _ in range(12)
    )  # fmt: skip
    aside = "".join(f'<li><a href="/story/{i}">Most read story {i}</a></li>' for i in range(40))
    return (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>Story {seed}</title>"
        f"{script}</head><body><header><nav><ul>{nav}</ul></nav></header><main><article>"
        f"<h1>Story {seed}</h1><p class=byline>By A. Writer</p>{paragraphs}</article>"
        f"<aside><ul>{aside}</ul></aside></main><footer>© 2026 Publisher. All rights reserved."
        f"</footer></body></html>"
    ).encode()


def serve(port_out: multiprocessing.Queue, latency: float) -> None:
    """The publishers, in their own process: 127.0.0.2 … 127.0.0.11, one port."""
    pages = {f"/story/{n}": page(n) for n in range(STORIES * SOURCES)}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            time.sleep(latency)
            body = pages.get(self.path, b"")
            etag = f'"{len(body)}-{self.path}"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    class Server(ThreadingHTTPServer):
        daemon_threads = True

    first = Server(("127.0.0.2", 0), Handler)
    port = first.server_address[1]
    for index in range(1, PUBLISHERS):
        other = Server((f"127.0.0.{2 + index}", port), Handler)
        threading.Thread(target=other.serve_forever, daemon=True).start()
    port_out.put(port)
    first.serve_forever()


def items(port: int) -> list[Item]:
    """Story s's two sources come from two different publishers."""
    made = []
    for n in range(STORIES * SOURCES):
        host = f"127.0.0.{2 + n % PUBLISHERS}"
        made.append(
            Item(
                id=f"i{n}",
                feed_url=f"http://{host}:{port}/feed",
                feed_title=host,
                section="ai",
                title=f"Story {n}",
                url=f"http://{host}:{port}/story/{n}",
                published=datetime(2026, 2, 6, tzinfo=UTC),
                summary="Teaser.",
                cluster=f"c{n // 2}",
            )
        )
    return made


def timed(pool: list[Item], source: ArticleSource) -> tuple[float, ArticleCounts]:
    counts = ArticleCounts()
    started = time.perf_counter()
    read_articles(pool, source, counts)
    return time.perf_counter() - started, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    queue: multiprocessing.Queue = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(queue, LATENCY), daemon=True)
    server.start()
    try:
        port = queue.get(timeout=60)
        pool = items(port)
        # The publishers are on loopback: allowed here, refused by default.
        collect = CollectSettings(allow_private_networks=True)
        cold = ArticleSource.of(collect, "https://bench.example", None)  # no cache
        timed(pool[:2], cold)  # warm-up: imports, trafilatura's first call
        singles = [timed([item], cold)[0] for item in pool]
        slowest = max(singles)
        walls, cpu = [], []
        for _ in range(args.runs):
            wall, counts = timed(pool, cold)
            assert counts.fetched == len(pool), counts.failures
            walls.append(wall)
            cpu.extend(counts.extract_seconds)
        with tempfile.TemporaryDirectory() as temp:
            cached = ArticleSource.of(collect, "https://bench.example", db.engine(
                f"sqlite:///{temp}/articles.db"))  # fmt: skip
            timed(pool, cached)  # fills the cache
            rereads = []
            for _ in range(args.runs):
                wall, counts = timed(pool, cached)
                assert counts.cached == len(pool)
                rereads.append(wall)
    finally:
        server.terminate()
        server.join()

    wall = statistics.median(walls)
    ratio = wall / slowest
    rows = [
        ("one page alone, slowest of 20", slowest),
        ("one page alone, median of 20", statistics.median(singles)),
        (f"{len(pool)} pages at once (median of {args.runs})", wall),
        (f"{len(pool)} pages again, all 304 from the cache", statistics.median(rereads)),
        ("extraction CPU per page (median)", statistics.median(cpu)),
        ("extraction CPU per page (max)", max(cpu)),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"{'case':<{width}}  {'time':>10}")
    for name, seconds in rows:
        print(f"{name:<{width}}  {seconds * 1000:7.1f} ms")
    verdict = "PASS" if ratio <= TARGET_RATIO else "FAIL"
    typical = wall / statistics.median(singles)
    print(
        f"target: {len(pool)} pages ≤ {TARGET_RATIO}× the slowest single page → {verdict} "
        f"({ratio:.2f}×; {typical:.2f}× the median single page; latency "
        f"{LATENCY * 1000:.0f} ms, {PUBLISHERS} publishers)"
    )
    result = {
        "benchmark": "articles",
        "pages": len(pool),
        "latency_s": LATENCY,
        "runs": args.runs,
        "ratio": ratio,
        "ratio_to_median_single": typical,
        "target_ratio": TARGET_RATIO,
        "pass": ratio <= TARGET_RATIO,
        "python": platform.python_version(),
        "rows": {name: seconds for name, seconds in rows},
    }
    out = ROOT / "bench" / "results" / "articles.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")
    if ratio > TARGET_RATIO:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
