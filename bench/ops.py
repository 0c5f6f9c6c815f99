"""Operations benchmark (issue 9): how many rows a hard kill leaves ambiguous, and the pace
several sending processes keep together.

1. Ambiguity after SIGKILL. `newsletter send` (8 workers, no rate limit) delivers to
   2,000 subscribers through moto server; it is killed with SIGKILL once 300, 900 and
   1,500 rows are sent. After each kill the send log is read: rows left `sending` are
   the ambiguous ones (a re-run does not resend them), and moto's record says how many
   of them really reached SES. Rows left `claimed` (newer versions) were never handed
   to SES and go back to `pending` by themselves. A last run must then leave every
   subscriber with exactly one copy outside the ambiguous rows.
2. Combined pace. 3 `newsletter send` processes on one database, each configured with
   max_rate 30/s, send 450 messages through a loopback proxy that timestamps every
   request: the combined rate SES sees must stay at or under 30/s (≤ 1.1× allowed).

Runs against SQLite by default; `--postgres` uses a throw-away PostgreSQL cluster
(tests/fixtures/postgres.py) for both parts.

    python bench/ops.py [--postgres]

Prints a table and writes bench/results/ops.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results" / "ops.json"
DAY = "2026-02-07"
SECRET = "bench-secret-key-0123456789abcdef"
ENV = {
    "PATH": "/usr/bin:/bin",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": "us-east-1",
    "NEWSLETTER_SECRET_KEY": SECRET,
    "PYTHONPATH": os.environ.get("BENCH_PYTHONPATH", str(ROOT)),
}
KILL_AFTER = (300, 900, 1500)
RECIPIENTS = 2000
RATE, PROCESSES, RATE_MESSAGES = 30.0, 3, 450


class Database:
    """Reads the send log with plain SQL (works with any version of the schema)."""

    def __init__(self, url: str) -> None:
        self.url = url

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        if self.url.startswith("sqlite"):
            import sqlite3

            with sqlite3.connect(self.url.split(":///", 1)[1], timeout=30) as conn:
                try:
                    return conn.execute(sql).fetchall()
                except sqlite3.OperationalError:
                    return []
        import psycopg

        with psycopg.connect(self.url) as conn:
            try:
                return conn.execute(sql).fetchall()
            except psycopg.errors.UndefinedTable:
                return []

    def states(self) -> dict[str, str]:
        return dict(self.query(f"SELECT email, state FROM send_log WHERE edition = '{DAY}'"))

    def count(self, state: str) -> int:
        rows = self.query(
            f"SELECT count(*) FROM send_log WHERE edition = '{DAY}' AND state = '{state}'"
        )
        return int(rows[0][0]) if rows else 0


def make_newsletter(root: Path, endpoint: str, database: str, **sender: Any) -> Path:
    from newsletter.config import load_settings
    from tests.send.conftest import small_edition, write_config

    root.mkdir(parents=True)
    config = write_config(root, endpoint, database=database, **sender)
    small_edition(load_settings(config))
    return config


def subscribe(config: Path, count: int) -> None:
    from newsletter.audience.importer import import_csv
    from newsletter.config import load_settings
    from newsletter.runtime import Runtime

    path = config.parent / "import.csv"
    rows = [f"reader{i:05d}@example.net" for i in range(count)]
    path.write_text("email\n" + "\n".join(rows) + "\n", encoding="utf-8")
    import_csv(Runtime(load_settings(config)).subscribers, path)


def send_process(config: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "newsletter", "--config", str(config), "send"]
    return subprocess.Popen(
        [*command, "--date", DAY],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**ENV, "HOME": str(config.parent)},
        cwd=config.parent,  # not the checkout: `-m` would import the package from the cwd
    )


def copies(raw_messages: list[bytes]) -> Counter[str]:
    parser = BytesHeaderParser()
    return Counter(parser.parsebytes(raw)["To"].lower() for raw in raw_messages)


def kills(moto: Any, database: str, work: Path) -> dict[str, Any]:
    config = make_newsletter(work / "kills", moto.url, database, max_rate=5000.0, workers=8)
    subscribe(config, RECIPIENTS)
    db = Database(database or _sqlite_url(config))
    rows: list[dict[str, Any]] = []
    ambiguous: set[str] = set()
    for kill_after in KILL_AFTER:
        process = send_process(config)
        deadline = time.monotonic() + 120
        while db.count("sent") < kill_after:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the send ended before the kill: {process.communicate()}")
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        states = db.states()
        delivered = copies(moto.sent_raw_messages())
        left = {email for email, state in states.items() if state == "sending"}
        new = left - ambiguous
        ambiguous |= left
        rows.append(
            {
                "killed_after_sent": kill_after,
                "sending_left": len(new),
                "of_them_delivered": sum(1 for email in new if delivered[email]),
                "claimed_left": sum(1 for state in states.values() if state == "claimed"),
            }
        )
    final = send_process(config)
    stdout, stderr = final.communicate(timeout=120)
    if final.returncode != 0:
        raise RuntimeError(stderr)
    delivered = copies(moto.sent_raw_messages())
    everyone = [f"reader{i:05d}@example.net" for i in range(RECIPIENTS)]
    missing = [e for e in everyone if delivered[e] == 0 and e not in ambiguous]
    doubled = [e for e in everyone if delivered[e] > 1 and e not in ambiguous]
    never_reached = [e for e in ambiguous if delivered[e] == 0]
    return {
        "kills": rows,
        "ambiguous_total": len(ambiguous),
        "ambiguous_never_reached_ses": len(never_reached),
        "missing_outside_ambiguous": len(missing),
        "duplicated_outside_ambiguous": len(doubled),
        "final_output": " ".join(stdout.split()),
    }


def combined_rate(moto: Any, database: str, work: Path) -> dict[str, Any]:
    from http.server import BaseHTTPRequestHandler

    from tests.send.faulty_ses import FaultySes

    BaseHTTPRequestHandler.log_message = lambda *_args: None  # type: ignore[method-assign]

    with FaultySes(moto.url) as proxy:
        config = make_newsletter(work / "rate", proxy.url, database, max_rate=RATE, workers=8)
        subscribe(config, RATE_MESSAGES)
        processes = [send_process(config) for _ in range(PROCESSES)]
        outputs = [process.communicate(timeout=300) for process in processes]
        arrivals = sorted(proxy.arrivals)
    for process, (_out, err) in zip(processes, outputs, strict=True):
        if process.returncode != 0:
            raise RuntimeError(err)
    shares = [int(out.split("sent ", 1)[1].split(",", 1)[0].replace(",", "")) for out, _ in outputs]
    overall = (len(arrivals) - 1) / (arrivals[-1] - arrivals[0])
    return {
        "processes": PROCESSES,
        "configured_rate": RATE,
        "messages": len(arrivals),
        "shares": shares,
        "measured_rate": overall,
        "peak_2s_rate": _peak(arrivals, 2.0),
        "ratio": overall / RATE,
    }


def _peak(times: list[float], window: float) -> float:
    """The highest rate over any `window`-second stretch (requests starting within it)."""
    best, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] > window:
            start += 1
        best = max(best, end - start + 1)
    return best / window


def _sqlite_url(config: Path) -> str:
    return f"sqlite:///{config.parent / 'newsletter.db'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--postgres", action="store_true", help="use a throw-away PostgreSQL")
    parser.add_argument("--label", default="", help="a name for this run in the JSON")
    args = parser.parse_args()
    from moto.server import ThreadedMotoServer

    from tests.fixtures.ses import MotoServer, _free_port

    os.environ.update({k: v for k, v in ENV.items() if k.startswith("AWS")})
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    moto = MotoServer(f"http://127.0.0.1:{port}")
    cluster = None
    try:
        moto.client("sesv2").create_email_identity(EmailIdentity="example.com")
        with tempfile.TemporaryDirectory(prefix="bench-ops-") as temp:
            work = Path(temp)
            databases = ["", ""]
            if args.postgres:
                from tests.fixtures.postgres import PostgresCluster

                cluster = PostgresCluster().start()
                databases = [cluster.create_database(), cluster.create_database()]
            print("… SIGKILL during a send", file=sys.stderr)
            killed = kills(moto, databases[0], work)
            moto.reset()
            moto.client("sesv2").create_email_identity(EmailIdentity="example.com")
            print(f"… {PROCESSES} processes at {RATE:g}/s", file=sys.stderr)
            rate = combined_rate(moto, databases[1], work)
    finally:
        server.stop()
        if cluster is not None:
            cluster.stop()

    database = "postgresql" if args.postgres else "sqlite"
    print()
    print(f"ambiguity after SIGKILL ({database}, 8 workers, {RECIPIENTS:,} recipients)")
    print(f"{'killed after':>14}{'left sending':>14}{'of them at SES':>16}{'left claimed':>14}")
    for row in killed["kills"]:
        print(
            f"{row['killed_after_sent']:>14,}{row['sending_left']:>14}"
            f"{row['of_them_delivered']:>16}{row['claimed_left']:>14}"
        )
    print(
        f"ambiguous in total {killed['ambiguous_total']}, never reached SES "
        f"{killed['ambiguous_never_reached_ses']} (they miss the edition unless "
        f"--resend-ambiguous); outside them: {killed['missing_outside_ambiguous']} missing, "
        f"{killed['duplicated_outside_ambiguous']} duplicated"
    )
    print()
    print(
        f"{PROCESSES} processes × max_rate {RATE:g}/s ({database}): {rate['messages']} messages, "
        f"combined {rate['measured_rate']:.1f}/s ({rate['ratio']:.2f}× the quota), "
        f"peak over 2 s {rate['peak_2s_rate']:.1f}/s, shares {rate['shares']}"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[args.label or database] = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "kills": killed,
        "combined_rate": rate,
    }
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
