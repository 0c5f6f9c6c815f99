"""moto's own ceiling for SendEmail (issue 22): how fast moto server answers whatever the client.

`bench/send.py` against moto is bound by moto's CPU, not ours. This bench takes our
client out: it builds the SendEmail request our SES transport sends for one
recipient (the same bytes: `SignedSender.request`), signs it once, and replays it
on kept-alive connections from 1, 2 and 4 threads, each reading the reply with
the transport's own reader. The client then costs a few µs a message, so the
rate is moto's. Two messages: the real rendered 5-story Korean edition (≈58 KB,
≈80 KB of request) and a 2 KB one. For each run: messages/s, moto's own CPU per
message (user + system of the moto process from /proc over the run), the rate
that CPU allows on one core (moto is one Python process: the GIL keeps it to one)
and the replay client's CPU per message. Each against moto as shipped and against
moto-cached, which lists its own package folder once instead of on every request
(`bench/moto_server.py`); the listing's cost per request is measured too.

Replaying one signed request is fair only if moto neither checks a signature's
age nor rejects a repeated request: the bench checks both first (a request signed
an hour ago, and one with a wrong signature, must be answered 200) and stops if not.

    python bench/moto_ceiling.py [--quick] [--threads 1,2,4]

Prints a table, writes bench/results/moto_ceiling.json, appends to the history.
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.history import load_average, save  # noqa: E402
from bench.moto_server import listing_cost_ms  # noqa: E402
from bench.send import (  # noqa: E402
    DAY,
    ENV,
    MOTO_CACHED,
    make_newsletter,
    process_cpu_s,
    start_endpoint,
)

TARGET = 250.0  # msg/s against moto (issue 22)
RECIPIENT = "reader0000001@example.net"


def build_requests(config: Path, url: str) -> dict[str, bytes]:
    """The signed SendEmail request of our edition's message and of a 2 KB one."""
    import boto3

    from newsletter.config import load_settings
    from newsletter.pipeline import load_rendered_edition
    from newsletter.runtime import Runtime
    from newsletter.send.campaign import message_template, unsubscribe_url
    from newsletter.send.message import Recipient
    from newsletter.send.transports.ses_request import SignedSender

    settings = load_settings(config)
    runtime = Runtime(settings)
    edition = load_rendered_edition(runtime.paths.edition_dir(DAY), DAY)
    identity = settings.identity
    link = unsubscribe_url(identity, ENV["NEWSLETTER_SECRET_KEY"], 1)
    small = replace(
        edition,
        html="<html><body>" + "<p>짧은 소식 한 줄입니다.</p>" * 16 + "</body></html>",
        text="짧은 소식 한 줄입니다.\n" * 16,
    )
    session = boto3.session.Session(
        aws_access_key_id=ENV["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=ENV["AWS_SECRET_ACCESS_KEY"],
        region_name=ENV["AWS_DEFAULT_REGION"],
    )
    client = session.client("sesv2", endpoint_url=url)
    signer = SignedSender(client, session.get_credentials())
    requests = {}
    for label, chosen in (("edition", edition), ("2 KB", small)):
        raw = message_template(identity, chosen).build(Recipient(RECIPIENT, "독자 1", link))
        requests[f"{label}, message"] = raw
        requests[label] = signer.request(
            raw,
            sender=identity.sender,
            recipient=RECIPIENT,
            tags={"edition": DAY.isoformat()},
            configuration_set="",
        )
        requests[f"{label}, signed an hour ago"] = signer.request(
            raw,
            sender=identity.sender,
            recipient=RECIPIENT,
            tags={"edition": DAY.isoformat()},
            configuration_set="",
            now=time.time() - 3600,
        )
    signer.close()
    client.close()
    return requests


def connect(url: str) -> socket.socket:
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def answer(url: str, request: bytes) -> int:
    """The status moto answers `request` with, on a new connection."""
    from newsletter.send.transports.reply import ReplyReader

    with connect(url) as sock:
        sock.sendall(request)
        return ReplyReader(sock).read().status


def forged(request: bytes) -> bytes:
    """`request` with the last hex digit of its signature changed."""
    head, separator, body = request.partition(b"\r\n\r\n")
    at = head.index(b"Signature=") + len(b"Signature=") + 63
    swapped = b"0" if head[at : at + 1] != b"0" else b"1"
    return head[:at] + swapped + head[at + 1 :] + separator + body


def replay(url: str, request: bytes, messages: int, threads: int) -> dict[str, Any]:
    """`messages` sends of `request` shared by `threads` kept-alive connections."""
    from newsletter.send.transports.reply import ReplyReader

    left = [messages]
    failed: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        sock = connect(url)
        replies = ReplyReader(sock)
        while True:
            with lock:
                if left[0] == 0:
                    break
                left[0] -= 1
            sock.sendall(request)
            reply = replies.read()
            if reply.status != 200:
                with lock:
                    failed.append(reply.status)
            if reply.will_close:
                sock.close()
                sock = connect(url)
                replies = ReplyReader(sock)
        sock.close()

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    client = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return {"wall_s": wall, "client_cpu_s": client, "failed": len(failed)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="fewer messages (a smoke test)")
    parser.add_argument("--threads", default="1,2,4", help="connections to try, e.g. 1,2,4")
    args = parser.parse_args()
    counts = [int(n) for n in args.threads.split(",")]
    os.environ.update(ENV)
    sizes = {"edition": 60 if args.quick else 400, "2 KB": 100 if args.quick else 1000}
    load_before = load_average()
    runs = []
    checks: dict[str, int] = {}
    for server in ("moto", MOTO_CACHED):
        moto, url = start_endpoint(server)
        try:
            with tempfile.TemporaryDirectory(prefix="bench-moto-") as temp:
                config = make_newsletter(Path(temp) / "n", url, 8)
                requests = build_requests(config, url)
            checks.update(
                {
                    f"{server}: a request signed an hour ago": answer(
                        url, requests["edition, signed an hour ago"]
                    ),
                    f"{server}: a request with a wrong signature": answer(
                        url, forged(requests["edition"])
                    ),
                    f"{server}: the same request twice": answer(url, requests["edition"]),
                }
            )
            for label in ("edition", "2 KB"):
                request = requests[label]
                answer(url, request)  # moto's first request of a kind builds what it caches
                for threads in counts:
                    print(f"… {server}, {label}, {threads} connection(s)", file=sys.stderr)
                    messages = sizes[label]
                    cpu_before = process_cpu_s(moto.pid)
                    measured = replay(url, request, messages, threads)
                    moto_ms = (process_cpu_s(moto.pid) - cpu_before) * 1000 / messages
                    runs.append(
                        {
                            "name": f"{server}, {label} x{threads}",
                            "server": server,
                            "message": label,
                            "message_bytes": len(requests[f"{label}, message"]),
                            "request_bytes": len(request),
                            "threads": threads,
                            "messages": messages,
                            "msgs_per_s": messages / measured["wall_s"],
                            "moto_cpu_ms_per_msg": moto_ms,
                            "moto_ceiling_msgs_per_s": 1000 / moto_ms if moto_ms else 0.0,
                            "client_cpu_ms_per_msg": measured["client_cpu_s"] * 1000 / messages,
                            **measured,
                        }
                    )
        finally:
            moto.terminate()
            moto.wait(timeout=30)
    entries, listing_ms = listing_cost_ms()

    print()
    for name, status in checks.items():
        print(f"moto answers {name}: {status}")
    if any(status != 200 for status in checks.values()):
        raise SystemExit("moto checks what a replay repeats: the figures below would not hold")
    print(
        f"\n{'server':<13}{'message':<10}{'KB':>6}{'request KB':>11}{'threads':>9}{'msg/s':>8}"
        f"{'moto ms/msg':>13}{'moto ceiling':>14}{'client ms/msg':>15}{'failed':>8}"
    )
    for run in runs:
        print(
            f"{run['server']:<13}{run['message']:<10}{run['message_bytes'] / 1024:>6.1f}"
            f"{run['request_bytes'] / 1024:>11.1f}{run['threads']:>9}"
            f"{run['msgs_per_s']:>8.0f}{run['moto_cpu_ms_per_msg']:>13.2f}"
            f"{run['moto_ceiling_msgs_per_s']:>14.0f}{run['client_cpu_ms_per_msg']:>15.3f}"
            f"{run['failed']:>8}"
        )
    print(f"\nload average {load_before} at start, {load_average()} at end (2 cores)")
    print(
        f"moto lists its package folder ({entries} entries, an isdir each) on every request: "
        f"{listing_ms:.2f} ms a request to SES v2 here; moto-cached lists it once"
    )
    best = {
        (server, label): max(
            r["msgs_per_s"] for r in runs if r["message"] == label and r["server"] == server
        )
        for server in ("moto", MOTO_CACHED)
        for label in ("edition", "2 KB")
    }
    for server in ("moto", MOTO_CACHED):
        edition = best[server, "edition"]
        verdict = "reachable" if edition >= TARGET else "not reachable"
        print(
            f"{server}: best replay of our edition {edition:.0f} msg/s; ≥ {TARGET:.0f} msg/s is "
            f"{verdict} by any client on this machine (2 KB message: {best[server, '2 KB']:.0f}/s)"
        )
    save(
        "moto_ceiling",
        {
            "quick": args.quick,
            "load_average_at_start": load_before,
            "checks": checks,
            "listing": {"entries": entries, "ms_per_request": listing_ms},
            "runs": runs,
        },
        headline={
            (f"{label} best msg/s" if server == "moto" else f"{server} {label} best msg/s"): value
            for (server, label), value in best.items()
        },
    )


if __name__ == "__main__":
    main()
