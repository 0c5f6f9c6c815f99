"""SMTP send benchmark (issue 20): messages/s and client CPU through 4 kept-alive connections.

The relay is aiosmtpd on 127.0.0.1 in a process of its own (it accepts and
discards), so the client process's CPU time is the client's alone: message
build, smtplib, the SQLite send log, the pool. Each run is a whole campaign
(`run_campaign`, the real rendered 5-story Korean edition, `sender.transport =
"smtp"`, `smtp.connections = 4`, no rate limit) in a fresh client process:

  - 5,000 recipients, three times to aiosmtpd and three times to a null relay (below):
    messages/s, client CPU ms per message and the relay's own CPU ms per message
    (its process's, from /proc), medians. aiosmtpd parses every line of DATA in
    Python (2–3 ms of CPU per 58 KB message here), and it is one asyncio thread:
    it cannot take more than one core. The table says, per relay, how much of a
    core the client and the server each kept busy: the one near 1.0 is what bounds
    the rate (on 2 cores, both near 1.0: the machine). The null runs measure the
    client;
  - 100,000 recipients once, to a null relay (a few lines of asyncio that accept and
    drop: aiosmtpd would take most of the machine for itself): the client's peak RSS.

Targets: ≥ 300 msg/s from one process with 4 connections, ≤ 2 ms client CPU per
message, peak RSS ≤ 200 MB at 100,000 recipients.

    python bench/smtp.py [--quick]

Prints a table and writes bench/results/smtp.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from send import (  # noqa: E402 - the send benchmark's site builder, shared
    DAY,
    ENV,
    free_port,
    make_newsletter,
    peak_rss_mb,
    populate,
    wait_listening,
)

from bench.history import save  # noqa: E402 - send put the project root on the path

CONNECTIONS = 4
TARGETS = {"rate": 300.0, "cpu_ms": 2.0, "rss_mb_100k": 200.0}


class NullRelay(asyncio.Protocol):
    """Just enough SMTP to accept and drop messages at almost no cost of its own: for the
    100,000-recipient run, where the client's memory is measured, not a server's speed."""

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        self.buffer = b""
        self.in_data = False
        transport.write(b"220 null relay\r\n")

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            if self.in_data:
                end = self.buffer.find(b"\r\n.\r\n")
                if end < 0:
                    self.buffer = self.buffer[-4:]  # keep only what may start the marker
                    return
                self.buffer, self.in_data = self.buffer[end + 5 :], False
                self.transport.write(b"250 Ok queued\r\n")
                continue
            line, found, rest = self.buffer.partition(b"\r\n")
            if not found:
                return
            self.buffer = rest
            verb = line[:4].upper()
            if verb == b"EHLO":
                self.transport.write(b"250-null\r\n250 8BITMIME\r\n")
            elif verb == b"DATA":
                self.in_data = True
                self.transport.write(b"354 go on\r\n")
            elif verb == b"QUIT":
                self.transport.write(b"221 bye\r\n")
                self.transport.close()
                return
            else:
                self.transport.write(b"250 Ok\r\n")


def run_null_server(port: int) -> None:
    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(loop.create_server(NullRelay, "127.0.0.1", port))
    try:
        loop.run_forever()
    finally:
        server.close()


def run_server(port: int) -> None:
    """A null relay on aiosmtpd: every message is parsed as a real server would, then dropped."""
    from aiosmtpd.controller import Controller

    class Sink:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            return "250 Ok queued"

    controller = Controller(Sink(), hostname="127.0.0.1", port=port, ready_timeout=30)
    controller.start()
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


def run_client(config: Path) -> None:
    """One campaign; prints JSON with wall time, this process's CPU time and peak RSS."""
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
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(
        json.dumps(
            {
                "sent": summary.sent,
                "failed": summary.failed,
                "wall_s": wall,
                "cpu_s": cpu,
                "peak_rss_mb": peak_rss_mb(),
            }
        )
    )


def smtp_site(root: Path, port: int) -> Path:
    config = make_newsletter(root, "", CONNECTIONS)
    text = config.read_text(encoding="utf-8")
    text = text.replace('transport = "ses"', 'transport = "smtp"')
    text = text.replace("max_rate = 1000000.0  # the limiter is off: measure the client\n", "")
    text += (
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
        f"connections = {CONNECTIONS}\n"
    )
    config.write_text(text, encoding="utf-8")
    return config


def client(config: Path) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, __file__, "--client", str(config)],
        capture_output=True,
        text=True,
        env={**os.environ, **ENV},
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-2000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def process_cpu(pid: int) -> float:
    """Seconds of CPU (user + system, all threads) process `pid` has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def campaign(work: Path, name: str, relay: tuple[int, int], recipients: int) -> dict[str, Any]:
    port, server = relay
    config = smtp_site(work / name, port)
    populate(config, recipients)
    server_before = process_cpu(server)
    measured = client(config)
    measured["server_cpu_s"] = process_cpu(server) - server_before
    if measured["sent"] != recipients:
        raise RuntimeError(f"sent {measured['sent']} of {recipients}: {measured}")
    return {
        "recipients": recipients,
        "connections": CONNECTIONS,
        "msgs_per_s": recipients / measured["wall_s"],
        "cpu_ms_per_msg": measured["cpu_s"] * 1000 / recipients,
        "server_cpu_ms_per_msg": measured["server_cpu_s"] * 1000 / recipients,
        # how much of one core each side kept busy during the campaign
        "client_cores": measured["cpu_s"] / measured["wall_s"],
        "server_cores": measured["server_cpu_s"] / measured["wall_s"],
        **measured,
    }


@contextmanager
def relay(flag: str) -> Iterator[tuple[int, int]]:
    """A relay (`--server`: aiosmtpd, `--null-server`: the null one) in a process of its own:
    its port and process id."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, __file__, flag, str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_listening(port)
        yield port, server.pid
    finally:
        server.terminate()
        server.wait(timeout=30)


def bound(run: dict[str, Any]) -> str:
    """Which side set the rate of `run`: each is one core at most (the client's Python
    threads share one interpreter lock, aiosmtpd is one asyncio thread)."""
    client, server = run["client_cores"], run["server_cores"]
    cores = f"client {client:.2f}, server {server:.2f} of a core"
    if client + server > 0.8 * (os.cpu_count() or 1):
        return f"machine-bound ({cores})"
    if max(client, server) >= 0.6:
        return f"{'server' if server > client else 'client'}-bound ({cores})"
    return f"neither side got a core: other jobs or round trips ({cores})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs (a smoke test)")
    parser.add_argument("--client", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--server", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--null-server", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.server:
        run_server(args.server)
        return
    if args.null_server:
        run_null_server(args.null_server)
        return
    if args.client:
        run_client(args.client)
        return

    small, large = (500, 5_000) if args.quick else (5_000, 100_000)
    at_start = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-smtp-") as temp:
        work = Path(temp)
        runs = []
        with relay("--server") as server:
            for repeat in range(3):
                print(f"… {small:,} recipients to aiosmtpd, run {repeat + 1}", file=sys.stderr)
                runs.append(campaign(work, f"small-{repeat}", server, small))
        nulls = []
        with relay("--null-server") as server:
            for repeat in range(3):
                print(
                    f"… {small:,} recipients to the null relay, run {repeat + 1}", file=sys.stderr
                )
                nulls.append(campaign(work, f"null-{repeat}", server, small))
            print(f"… {large:,} recipients to the null relay", file=sys.stderr)
            big = campaign(work, "large", server, large)
    rate = statistics.median(r["msgs_per_s"] for r in runs)
    cpu = statistics.median(r["cpu_ms_per_msg"] for r in runs)
    checks = {
        f"≥ {TARGETS['rate']:.0f} msg/s (median of 3)": rate >= TARGETS["rate"],
        f"client CPU ≤ {TARGETS['cpu_ms']} ms/msg (median of 3)": cpu <= TARGETS["cpu_ms"],
        f"peak RSS ≤ {TARGETS['rss_mb_100k']:.0f} MB at {large:,}": big["peak_rss_mb"]
        <= TARGETS["rss_mb_100k"],
    }
    null_rate = statistics.median(r["msgs_per_s"] for r in nulls)
    null_cpu = statistics.median(r["cpu_ms_per_msg"] for r in nulls)
    print()
    print(
        f"{'run':<30}{'msg/s':>8}{'client CPU':>12}{'server CPU':>12}{'client':>8}{'server':>8}"
        f"{'peak RSS':>10}{'wall s':>8}"
    )
    print(f"{'':<30}{'':>8}{'ms/msg':>12}{'ms/msg':>12}{'cores':>8}{'cores':>8}{'MB':>10}")
    named = [*((r, "aiosmtpd") for r in runs), *((r, "null") for r in nulls), (big, "null")]
    for run, relay_name in named:
        name = f"{run['recipients']:,} to {relay_name}, {CONNECTIONS} conn."
        print(
            f"{name:<30}{run['msgs_per_s']:>8.0f}{run['cpu_ms_per_msg']:>12.2f}"
            f"{run['server_cpu_ms_per_msg']:>12.2f}{run['client_cores']:>8.2f}"
            f"{run['server_cores']:>8.2f}{run['peak_rss_mb']:>10.0f}{run['wall_s']:>8.1f}"
        )
    bounds = {}
    for relay_name, group in (("aiosmtpd", runs), ("null relay", nulls)):
        middle = sorted(group, key=lambda r: r["msgs_per_s"])[1]
        bounds[relay_name] = bound(middle)
        print(
            f"{'median of the ' + relay_name + ' runs':<30}"
            f"{statistics.median(r['msgs_per_s'] for r in group):>8.0f}"
            f"{statistics.median(r['cpu_ms_per_msg'] for r in group):>12.2f}"
            f"{statistics.median(r['server_cpu_ms_per_msg'] for r in group):>12.2f}"
            f"   {bounds[relay_name]}"
        )
    print(
        f"load average: {at_start[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end, "
        f"on {os.cpu_count()} CPUs"
    )
    print()
    for name, ok in checks.items():
        if args.quick and "RSS" in name:
            verdict = "n/a (quick)"
        else:
            verdict = ("PASS" if ok else "MISS") + (" (quick)" if args.quick else "")
        print(f"{verdict:<13}{name}")
    save(
        "smtp",
        {
            "quick": args.quick,
            "runs": runs,
            "null_runs": nulls,
            "large": big,
            "median": {"msgs_per_s": rate, "cpu_ms_per_msg": cpu},
            "median_null": {"msgs_per_s": null_rate, "cpu_ms_per_msg": null_cpu},
            "bound_by": bounds,
            "load_average_at_start": at_start,
            "targets": TARGETS,
            "checks": checks,
        },
        headline={
            "aiosmtpd msg/s": rate,
            "aiosmtpd CPU ms/msg": cpu,
            "null relay msg/s": null_rate,
            "null relay CPU ms/msg": null_cpu,
        },
    )


if __name__ == "__main__":
    main()
