"""Event intake benchmark (issue 20): SES delivery events recorded through the poll path.

The poll path is: receive ten SQS messages, read each (SNS envelope → SES event),
record the batch (one transaction), delete them. moto's SQS is far slower than
the recording, so the 100,000-event run feeds the messages' bodies straight to
`take_batch` (what `poll` does with each receive), ten at a time, into a fresh
SQLite database with 20,000 subscribers; then the same bodies once more, which
must store nothing. A smaller run goes through `poll` against moto SQS end to end.

Events: per message a Send, a Delivery, an Open and a Click (5% of them also a
soft bounce), so 100,000 events come from 25,000 messages' worth of traffic.

Target: ≥ 2,000 events/s recorded, each exactly once. The table also gives events per
second of this process's CPU time: on a shared machine the wall-clock rate says more
about the other jobs than about this code.

    python bench/events.py [--quick]

Prints a table and writes bench/results/events.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.history import save  # noqa: E402
from newsletter import db  # noqa: E402
from newsletter.config import load_settings  # noqa: E402
from newsletter.feedback.event_log import EventLog  # noqa: E402
from newsletter.feedback.intake import Intake  # noqa: E402
from newsletter.feedback.record import FeedbackRecorder  # noqa: E402
from newsletter.feedback.sqs import PollReport, poll, take_batch  # noqa: E402
from newsletter.runtime import Runtime  # noqa: E402

TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-feedback"
TARGET = 2000.0
SUBSCRIBERS = 20_000


def site(root: Path, queue_url: str = "", endpoint: str = "") -> Path:
    root.mkdir(parents=True)
    config = root / "newsletter.toml"
    feedback = f'queue_url = "{queue_url}"\nendpoint_url = "{endpoint}"\n' if queue_url else ""
    config.write_text(
        '[newsletter]\nname = "Bench"\n[sender]\nfrom = "b@example.com"\n'
        'transport = "outbox"\n[database]\nurl = "sqlite:///bench.db"\n'
        f"[feedback]\n{feedback}track_opens = true\ntrack_clicks = true\n",
        encoding="utf-8",
    )
    db.ensure_schema(Runtime(load_settings(config)).engine)
    now = "2026-02-06 12:00:00.000000"
    with sqlite3.connect(root / "bench.db") as connection:
        connection.executemany(
            "INSERT INTO subscribers (email, email_key, name, status, created, updated, "
            "attributes) VALUES (?, ?, '', 'active', ?3, ?3, '{}')",
            [(f"r{i}@example.net", f"r{i}@example.net", now) for i in range(SUBSCRIBERS)],
        )
    return config


def bodies(count: int) -> list[str]:
    """`count` SQS message bodies: SNS envelopes around SES event documents."""
    made: list[str] = []
    kinds = ("Send", "Delivery", "Open", "Click")
    message = 0
    while len(made) < count:
        message += 1
        address = f"r{message % SUBSCRIBERS}@example.net"
        mail = {
            "timestamp": "2026-02-07T07:00:00.000Z",
            "messageId": f"0100018d-{message:012d}",
            "destination": [address],
            "tags": {"edition": ["2026-02-07"], "ses:configuration-set": ["newsletter"]},
        }
        extra = (
            [
                (
                    "Bounce",
                    {"bounceType": "Transient", "bouncedRecipients": [{"emailAddress": address}]},
                )
            ]
            if message % 20 == 0
            else []
        )
        for kind, part in [*((k, {}) for k in kinds), *extra]:
            body: dict[str, Any] = {"timestamp": "2026-02-07T07:00:02.000Z", **part}
            if kind == "Click":
                body["link"] = f"https://example.org/story/{message % 5}"
            if kind == "Delivery":
                body["recipients"] = [address]
            name = {
                "Send": "send",
                "Delivery": "delivery",
                "Open": "open",
                "Click": "click",
                "Bounce": "bounce",
            }[kind]
            document = {"eventType": kind, "mail": mail, name: body}
            made.append(
                json.dumps(
                    {
                        "Type": "Notification",
                        "MessageId": str(uuid.uuid4()),
                        "TopicArn": TOPIC,
                        "Message": json.dumps(document),
                    }
                )
            )
    return made[:count]


def intake_for(config: Path) -> Intake:
    settings = load_settings(config)
    store = Runtime(settings).subscribers
    recorder = FeedbackRecorder(store, settings.feedback.transient_bounce_limit)
    return Intake(recorder, EventLog(store.engine, track_opens=True, track_clicks=True))


def stored_events(config: Path) -> tuple[int, int]:
    with sqlite3.connect(config.parent / "bench.db") as connection:
        total, distinct = connection.execute(
            "SELECT count(*), count(DISTINCT key) FROM delivery_events"
        ).fetchone()
    return int(total), int(distinct)


def direct(work: Path, count: int) -> dict[str, Any]:
    config = site(work / "direct")
    intake = intake_for(config)
    messages = [{"MessageId": str(i), "Body": body} for i, body in enumerate(bodies(count))]
    batches = [messages[i : i + 10] for i in range(0, len(messages), 10)]
    timings = []
    cpu = []
    report = PollReport()
    for rounds in range(2):  # the second round is every message delivered again
        started, started_cpu = time.perf_counter(), time.process_time()
        for batch in batches:
            take_batch(batch, intake, report)
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        if rounds == 0:
            first_round = stored_events(config)
    total, distinct = stored_events(config)
    return {
        "events": count,
        "seconds": timings[0],
        "events_per_s": count / timings[0],
        "cpu_seconds": cpu[0],
        "events_per_cpu_s": count / cpu[0],
        "redelivery_seconds": timings[1],
        "redelivery_per_s": count / timings[1],
        "stored_after_first": first_round[0],
        "stored_after_redelivery": total,
        "distinct": distinct,
        "failed": len(report.failed),
    }


def through_moto(work: Path, count: int) -> dict[str, Any]:
    from moto.server import ThreadedMotoServer

    sys.path.insert(0, str(ROOT / "bench"))
    from send import free_port

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench")
    try:
        import boto3

        url = f"http://127.0.0.1:{port}"
        client = boto3.client("sqs", region_name="us-east-1", endpoint_url=url)
        queue = client.create_queue(QueueName="bench-events")["QueueUrl"]
        texts = bodies(count)
        for start in range(0, count, 10):
            client.send_message_batch(
                QueueUrl=queue,
                Entries=[
                    {"Id": str(i), "MessageBody": body}
                    for i, body in enumerate(texts[start : start + 10])
                ],
            )
        config = site(work / "moto", queue, url)
        started = time.perf_counter()
        report = poll(queue, intake_for(config), client=client, wait_seconds=0)
        seconds = time.perf_counter() - started
    finally:
        server.stop()
    total, distinct = stored_events(config)
    return {
        "events": count,
        "seconds": seconds,
        "events_per_s": count / seconds,
        "received": report.received,
        "stored": total,
        "distinct": distinct,
        "failed": len(report.failed),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs (a smoke test)")
    args = parser.parse_args()
    count, moto_count = (10_000, 500) if args.quick else (100_000, 2_000)
    with tempfile.TemporaryDirectory(prefix="bench-events-") as temp:
        work = Path(temp)
        runs = []
        for repeat in range(3):
            print(f"… {count:,} events through take_batch, run {repeat + 1}", file=sys.stderr)
            runs.append(direct(work / str(repeat), count))
        print(f"… {moto_count:,} events through poll and moto SQS", file=sys.stderr)
        moto = through_moto(work, moto_count)
    rate = statistics.median(run["events_per_s"] for run in runs)
    once = (
        all(
            run["stored_after_first"] == run["stored_after_redelivery"] == run["distinct"] == count
            for run in runs
        )
        and moto["stored"] == moto["distinct"] == moto_count
    )
    checks = {f"≥ {TARGET:,.0f} events/s (median of 3)": rate >= TARGET, "each exactly once": once}
    print()
    print(f"{'run':<40}{'events/s':>10}{'seconds':>9}{'stored':>9}")
    for number, run in enumerate(runs, 1):
        name = f"take_batch {count:,}, run {number}"
        print(
            f"{name:<40}{run['events_per_s']:>10,.0f}{run['seconds']:>9.1f}"
            f"{run['stored_after_redelivery']:>9,}{run['events_per_cpu_s']:>11,.0f}"
        )
        again = f"  … all {count:,} delivered again"
        print(f"{again:<40}{run['redelivery_per_s']:>10,.0f}{run['redelivery_seconds']:>9.1f}")
    name = f"poll + moto SQS {moto_count:,}"
    print(f"{name:<40}{moto['events_per_s']:>10,.0f}{moto['seconds']:>9.1f}{moto['stored']:>9,}")
    per_cpu = statistics.median(run["events_per_cpu_s"] for run in runs)
    print(f"{'median take_batch':<40}{rate:>10,.0f}{'':>18}{per_cpu:>11,.0f}")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print()
    for name, ok in checks.items():
        verdict = "n/a (quick)" if args.quick else ("PASS" if ok else "MISS")
        print(f"{verdict}  {name}")
    save(
        "events",
        {
            "quick": args.quick,
            "runs": runs,
            "moto": moto,
            "median_events_per_s": rate,
            "target": TARGET,
            "checks": checks,
        },
        headline={"take_batch events/s": rate, "take_batch events per CPU-s": per_cpu},
    )


if __name__ == "__main__":
    main()
