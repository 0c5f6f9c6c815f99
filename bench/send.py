"""Send benchmark (issues 7, 22): how fast one machine delivers, what it costs, how much memory.

Loopback SES endpoints, each in its own process:
  - `stub`: a minimal HTTP server answering SES v2 SendEmail (and GetAccount) at once,
    so that what is measured is our client: message build, boto3, the send log;
  - `moto`: moto server, the endpoint the tests use (one Python process: one core at
    most; started as `moto_server` is, without werkzeug's log line per request);
  - `moto-cached`: the same with the listing of its own package folder that moto does
    on every request done once at start (`bench/moto_server.py` says why);
  - `stub-tls`: the stub over TLS (a private CA made for the run), as SES is reached in
    production; a row for the record, no target is set on it.
Runs, each in a fresh client process with the rate limit off (config max_rate far
above what either endpoint can take), the real rendered 5-story Korean edition,
the SQLite send log in WAL mode:
  stub 5,000 · stub-tls 5,000 · stub 100,000 · moto 500 · moto-cached 500
  recipients: messages/s, client CPU ms per
  message (getrusage of the client process around the whole campaign, start-up
  included: user + system time, so a busy machine does not inflate it), the
  endpoint's own CPU per message over the same span (from /proc), peak RSS;
  1,000,000 subscribers: `newsletter send --dry-run` (a CLI process) and the enqueue
  of a real send (one pending row each) for time and peak RSS.

Targets (issue 22): ≥ 1,000 msg/s against the stub from one machine, client CPU
≤ 1.0 ms/msg, ≥ 250 msg/s against moto, peak RSS ≤ 200 MB at 1,000,000 recipients.
Against moto the server bounds the rate: 1000 / its CPU ms per message (≈4.3–4.5 ms for
this 58 KB message on this machine type, ≈225–235/s; ≈3.4 ms with the listing cached)
is printed as its ceiling; `bench/moto_ceiling.py` measures that ceiling with our
client taken out. The moto target is checked against both, each on its own line.
messages/s is wall-clock: quote it with the load average printed beside it; CPU
ms/msg is what a loaded machine changes least.

    python bench/send.py [--quick] [--workers N] [--no-large]

Prints a table, writes bench/results/send.json, appends to bench/results/history.jsonl.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.history import load_average, save  # noqa: E402

BRIEFING = ROOT / "tests" / "render" / "data" / "briefing-ko.json"
DAY = date(2026, 2, 7)
SECRET = "bench-secret-key-0123456789abcdef"
ENV = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": "us-east-1",
    "NEWSLETTER_SECRET_KEY": SECRET,
    "PYTHONPATH": str(ROOT),
}
#: moto with its per-request listing of its own package folder done once (`moto_server.py`)
MOTO_CACHED = "moto-cached"
#: the stub over TLS, as SES is reached in production (issue 22's rows are plain HTTP)
STUB_TLS = "stub-tls"
TARGETS = {"stub_rate": 1000.0, "cpu_ms": 1.0, "moto_rate": 250.0, "rss_mb_1m": 200.0}


# -- the client (runs in its own process) ---------------------------------------------


def peak_rss_mb() -> float:
    """This process's own peak RSS (VmHWM). Not ru_maxrss: after fork+exec that also
    counts the parent's memory at the time of the fork, i.e. the benchmark's own."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_client(config: Path) -> None:
    """One campaign; prints JSON with wall time, CPU and peak RSS of this process."""
    from newsletter.config import load_settings
    from newsletter.pipeline import load_rendered_edition
    from newsletter.runtime import Runtime
    from newsletter.send.campaign import run_campaign

    settings = load_settings(config)
    edition = load_rendered_edition(Runtime(settings).paths.edition_dir(DAY), DAY)
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    summary = run_campaign(Runtime(settings).campaign(), DAY, edition)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    user = after.ru_utime - before.ru_utime
    system = after.ru_stime - before.ru_stime
    print(
        json.dumps(
            {
                "sent": summary.sent,
                "failed": summary.failed,
                "wall_s": wall,
                "cpu_s": user + system,
                "user_s": user,
                "system_s": system,
                "peak_rss_mb": peak_rss_mb(),
                "retries": summary.retries,
            }
        )
    )


def run_enqueue(config: Path) -> None:
    """The first step of a real send at scale: a pending row per subscriber."""
    from newsletter import db
    from newsletter.config import database_url, load_settings
    from newsletter.send.sendlog import SendLog

    settings = load_settings(config)
    started = time.perf_counter()
    added = SendLog(db.ready(database_url(settings)), DAY.isoformat()).enqueue()
    wall = time.perf_counter() - started
    print(json.dumps({"added": added, "wall_s": wall, "peak_rss_mb": peak_rss_mb()}))


def run_cli(args: list[str]) -> None:
    """`newsletter ARGS` in this process, then its peak RSS on stderr's last line."""
    import atexit

    from newsletter.cli import main as newsletter

    atexit.register(lambda: print(f"\nPEAK_RSS_MB {peak_rss_mb():.1f}", file=sys.stderr))
    sys.argv = ["newsletter", *args]
    newsletter()


# -- orchestration ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_listening(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


def start_endpoint(kind: str, work: Path | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """The endpoint `kind` in its own process, and its URL (`work`: where the TLS stub's
    certificates go, `work/tls/ca.pem` the CA a client must trust)."""
    port = free_port()
    scheme = "http"
    if kind in ("stub", STUB_TLS):
        command = [sys.executable, str(Path(__file__).with_name("ses_stub.py")), str(port)]
        if kind == STUB_TLS:
            from tests.fixtures.tls import make_certificates

            assert work is not None, "the TLS stub needs a folder for its certificates"
            (work / "tls").mkdir(exist_ok=True)
            tls = make_certificates(work / "tls")
            command += [str(tls.cert_file), str(tls.key_file)]
            scheme = "https"
    else:
        command = [sys.executable, str(Path(__file__).with_name("moto_server.py")), str(port)]
        if kind == MOTO_CACHED:
            command.append("--cached-listing")
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_listening(port)
    url = f"{scheme}://127.0.0.1:{port}"
    if kind in ("moto", MOTO_CACHED):
        import boto3

        keys = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench"}
        boto3.client(
            "sesv2", region_name="us-east-1", endpoint_url=url, **keys
        ).create_email_identity(EmailIdentity="example.com")
        # moto builds each API's app on its first request: build v1's (the quota read falls
        # back to it) now, so that the server's CPU per message is the steady state
        boto3.client("ses", region_name="us-east-1", endpoint_url=url, **keys).get_send_quota()
    return process, url


def make_newsletter(root: Path, endpoint: str, workers: int) -> Path:
    """Config, the real rendered edition, and the schema (no subscribers yet)."""
    from newsletter.brief.briefing_file import save_briefing
    from newsletter.config import load_settings
    from newsletter.model import Briefing
    from newsletter.pipeline import render_stage
    from newsletter.runtime import Runtime

    root.mkdir(parents=True)
    config = root / "newsletter.toml"
    config.write_text(
        "\n".join(
            [
                "[newsletter]",
                'name = "데일리 테크 브리핑"',
                'base_url = "https://news.example.com"',
                'data_dir = "data"',
                "[sender]",
                'from = "데일리 테크 브리핑 <briefing@example.com>"',
                'transport = "ses"',
                f'endpoint_url = "{endpoint}"',
                "max_rate = 1000000.0  # the limiter is off: measure the client",
                "daily_quota = 100000000",
                f"workers = {workers}",
                "[database]",
                'url = "sqlite:///newsletter.db"',
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    settings = load_settings(config)
    save_briefing(
        Briefing.from_json(BRIEFING.read_text(encoding="utf-8")),
        Runtime(settings).paths.edition_dir(DAY),
    )
    render_stage(Runtime(settings), DAY)
    return config


def populate(config: Path, count: int) -> float:
    """`count` active subscribers by direct inserts (the importer validates; this is setup)."""
    from newsletter import db
    from newsletter.config import load_settings
    from newsletter.runtime import Runtime

    db.ensure_schema(Runtime(load_settings(config)).engine)
    started = time.perf_counter()
    now = "2026-02-06 12:00:00.000000"
    with sqlite3.connect(config.parent / "newsletter.db") as conn:
        conn.execute("PRAGMA synchronous=OFF")
        chunk = 50_000
        for start in range(0, count, chunk):
            rows = [
                (f"reader{i:07d}@example.net", f"reader{i:07d}@example.net", f"독자 {i}", now)
                for i in range(start, min(count, start + chunk))
            ]
            conn.executemany(
                "INSERT INTO subscribers (email, email_key, name, status, created, updated, "
                "attributes) VALUES (?, ?, ?, 'active', ?4, ?4, '{}')",
                rows,
            )
    return time.perf_counter() - started


def child(*args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, __file__, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **ENV, **(env or {})},
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-2000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def cli_dry_run(config: Path) -> dict[str, Any]:
    """`newsletter send --dry-run` through the CLI's own entry point, in a fresh process."""
    started = time.perf_counter()
    command = [sys.executable, __file__, "--cli", "--config", str(config)]
    command += ["send", "--date", DAY.isoformat(), "--dry-run"]
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env={**os.environ, **ENV},
        check=False,
    )
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(result.stdout + result.stderr)
    peak = float(result.stderr.rsplit("PEAK_RSS_MB", 1)[1])
    return {"wall_s": wall, "peak_rss_mb": peak, "output": " ".join(result.stdout.split())}


def send_run(endpoint: str, recipients: int, workers: int, work: Path) -> dict[str, Any]:
    process, url = start_endpoint(endpoint, work)
    try:
        config = make_newsletter(work / f"{endpoint}-{recipients}", url, workers)
        populate(config, recipients)
        before = process_cpu_s(process.pid)
        trust = {"AWS_CA_BUNDLE": str(work / "tls" / "ca.pem")} if endpoint == STUB_TLS else {}
        measured = child("--client", str(config), env=trust)
        server_cpu = process_cpu_s(process.pid) - before
    finally:
        process.terminate()
        process.wait(timeout=30)
    if measured["sent"] != recipients:
        raise RuntimeError(f"sent {measured['sent']} of {recipients}: {measured}")
    return {
        "endpoint": endpoint,
        "recipients": recipients,
        "workers": workers,
        "msgs_per_s": recipients / measured["wall_s"],
        "cpu_ms_per_msg": measured["cpu_s"] * 1000 / recipients,
        "server_cpu_ms_per_msg": server_cpu * 1000 / recipients,
        **measured,
    }


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of another process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs (a smoke test)")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--no-large", action="store_true", help="skip the 100,000 stub run")
    parser.add_argument("--client", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--enqueue", type=Path, help=argparse.SUPPRESS)
    if sys.argv[1:2] == ["--cli"]:
        run_cli(sys.argv[2:])
        return
    args = parser.parse_args()
    if args.client:
        run_client(args.client)
        return
    if args.enqueue:
        run_enqueue(args.enqueue)
        return

    small, large, huge = (500, 5_000, 50_000) if args.quick else (5_000, 100_000, 1_000_000)
    moto_size = 500
    load_before = load_average()
    plan = [
        ("stub", small),
        (STUB_TLS, small),
        ("stub", large),
        ("moto", moto_size),
        (MOTO_CACHED, moto_size),
    ]
    if args.no_large:
        plan.remove(("stub", large))
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-send-") as temp:
        work = Path(temp)
        for endpoint, recipients in plan:
            print(f"… {endpoint} {recipients:,}", file=sys.stderr)
            runs.append(send_run(endpoint, recipients, args.workers, work))
        print(f"… dry run and enqueue at {huge:,}", file=sys.stderr)
        config = make_newsletter(work / "huge", "http://127.0.0.1:9", args.workers)
        populate_s = populate(config, huge)
        dry = cli_dry_run(config)
        enqueue = child("--enqueue", str(config))

    stubs = [run for run in runs if run["endpoint"] == "stub"]
    tls = next(run for run in runs if run["endpoint"] == STUB_TLS)
    moto, cached = (
        next(r for r in runs if r["endpoint"] == kind) for kind in ("moto", MOTO_CACHED)
    )
    checks = {
        f"stub ≥ {TARGETS['stub_rate']:,.0f} msg/s": min(r["msgs_per_s"] for r in stubs)
        >= TARGETS["stub_rate"],
        # issue 22 sets the CPU target on the stub runs: against moto 500 messages, the
        # process's start-up (imports, two boto3 clients) is most of the client's CPU
        f"client CPU ≤ {TARGETS['cpu_ms']} ms/msg (stub)": max(r["cpu_ms_per_msg"] for r in stubs)
        <= TARGETS["cpu_ms"],
        f"moto ≥ {TARGETS['moto_rate']:.0f} msg/s": moto["msgs_per_s"] >= TARGETS["moto_rate"],
        f"moto ≥ {TARGETS['moto_rate']:.0f} msg/s, its folder listing cached (moto_server.py)": (
            cached["msgs_per_s"] >= TARGETS["moto_rate"]
        ),
        f"peak RSS ≤ {TARGETS['rss_mb_1m']:.0f} MB at {huge:,}": max(
            dry["peak_rss_mb"], enqueue["peak_rss_mb"]
        )
        <= TARGETS["rss_mb_1m"],
    }
    print()
    print(
        f"{'run':<28}{'msg/s':>9}{'CPU ms/msg':>12}{'(user/sys)':>12}{'peak RSS MB':>13}"
        f"{'wall s':>9}{'server ms':>11}"
    )
    for run in runs:
        name = f"{run['endpoint']} {run['recipients']:,} ({run['workers']} workers)"
        split = (
            f"{run['user_s'] * 1000 / run['recipients']:.2f}/"
            f"{run['system_s'] * 1000 / run['recipients']:.2f}"
        )
        print(
            f"{name:<28}{run['msgs_per_s']:>9.0f}{run['cpu_ms_per_msg']:>12.2f}{split:>12}"
            f"{run['peak_rss_mb']:>13.0f}{run['wall_s']:>9.1f}"
            f"{run['server_cpu_ms_per_msg']:>11.2f}"
        )
    print(
        f"{f'dry run {huge:,} (CLI)':<28}{'':>9}{'':>12}{dry['peak_rss_mb']:>13.0f}"
        f"{dry['wall_s']:>9.1f}"
    )
    print(
        f"{f'enqueue {huge:,}':<28}{'':>9}{'':>12}{enqueue['peak_rss_mb']:>13.0f}"
        f"{enqueue['wall_s']:>9.1f}"
    )
    print(f"\nload average {load_before} at start, {load_average()} at end (2 cores)")
    for run in stubs:  # the stub's own CPU a message shows how fast the machine is right now
        if not run["server_cpu_ms_per_msg"]:
            continue
        print(
            f"stub {run['recipients']:,}: client CPU = "
            f"{run['cpu_ms_per_msg'] / run['server_cpu_ms_per_msg']:.1f}x the stub's own a message "
            "(compare runs on a machine whose speed varies by this ratio)"
        )
    plain = stubs[0]
    print(
        f"stub-tls {tls['recipients']:,} (TLS, as SES is reached; no target of issue 22 is set "
        f"on it): {tls['msgs_per_s']:,.0f} msg/s at {tls['cpu_ms_per_msg']:.2f} ms client CPU a "
        f"message, {tls['cpu_ms_per_msg'] - plain['cpu_ms_per_msg']:+.2f} ms against plain HTTP"
    )
    for run in (moto, cached):
        server_ms = run["server_cpu_ms_per_msg"]
        print(
            f"{run['endpoint']}'s own CPU: {server_ms:.2f} ms a message in one Python process "
            f"(one core at most, the GIL): its ceiling here ≈ {1000 / server_ms:.0f} msg/s "
            "whatever the client"
        )
    for name, ok in checks.items():
        # --quick runs are smoke tests: start-up costs dominate 500 messages
        verdict = "n/a (quick)" if args.quick else ("PASS" if ok else "MISS")
        print(f"{verdict}  {name}")
    headline: dict[str, Any] = {}
    for run in runs:
        label = f"{run['endpoint']} {run['recipients']:,}"
        headline[f"{label} msg/s"] = run["msgs_per_s"]
        headline[f"{label} CPU ms/msg"] = run["cpu_ms_per_msg"]
        headline[f"{label} server CPU ms/msg"] = run["server_cpu_ms_per_msg"]
    headline[f"peak RSS MB at {huge:,}"] = max(dry["peak_rss_mb"], enqueue["peak_rss_mb"])
    save(
        "send",
        {
            "machine": {
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "platform": platform.platform(),
            },
            "quick": args.quick,
            "load_average_at_start": load_before,
            "runs": runs,
            "dry_run": {"subscribers": huge, "populate_s": populate_s, **dry},
            "enqueue": {"subscribers": huge, **enqueue},
            "targets": TARGETS,
            "checks": checks,
        },
        headline=headline,
    )


if __name__ == "__main__":
    main()
