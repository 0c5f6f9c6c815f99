"""Event intake benchmark (issue 20): SES delivery events recorded through the poll path.

The poll path (`newsletter feedback poll`): receive up to ten SQS messages a call,
eight calls in flight, read each (SNS envelope → SES event), record what has
arrived in one transaction, delete after the commit. Runs:

  - `poll` through boto3 against a minimal SQS endpoint in a process of its own
    (bench/sqs_stub.py, answering at once): 100,000 events into a fresh SQLite
    database with 20,000 subscribers, three times; then each run's messages queued
    once more (SNS redelivering everything), which must store nothing. This is
    the target's run: events/s wall clock and events per second of this process's
    CPU (the stub's CPU is its own);
  - the same with the endpoint answering after 10 ms, as a region's SQS does: the
    receives in flight, not the CPU, set that rate;
  - `take_batch` alone (the recording, no SQS calls): the database's share of the
    CPU, against boto3's in the poll runs;
  - 200 (--quick) or 500 events through moto server's SQS: end to end against the
    SQS the tests use. moto scans its whole queue for every message it hands out,
    so that rate is moto's.

Events: per message a Send, a Delivery, an Open and a Click (5% of them also a
soft bounce), so 100,000 events come from 25,000 messages' worth of traffic.

Target: ≥ 2,000 events/s recorded through the poll path, each exactly once. The
table also gives events per CPU-second: on a shared machine the wall-clock rate
says as much about the other jobs as about this code (load average printed).

    python bench/events.py [--quick]

Prints a table and writes bench/results/events.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.history import load_average, save  # noqa: E402
from bench.send import free_port, wait_listening  # noqa: E402
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
    """`take_batch` alone, ten messages at a time: the recording's share of the CPU."""
    config = site(work / "direct")
    intake = intake_for(config)
    messages = [{"MessageId": str(i), "Body": body} for i, body in enumerate(bodies(count))]
    report = PollReport()
    started, started_cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(messages), 10):
        take_batch(messages[start : start + 10], intake, report)
    seconds, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    total, distinct = stored_events(config)
    return {
        "events": count,
        "seconds": seconds,
        "events_per_s": count / seconds,
        "cpu_seconds": cpu,
        "events_per_cpu_s": count / cpu,
        "stored": total,
        "distinct": distinct,
        "failed": len(report.failed),
    }


@contextmanager
def sqs_stub(latency_ms: float) -> Iterator[str]:
    """bench/sqs_stub.py in a process of its own; its URL."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "sqs_stub.py"), str(port), str(latency_ms)],
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_listening(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def stub_call(url: str, action: str, request: dict[str, Any]) -> dict[str, Any]:
    """One call without boto3 (no signature: the stub checks none), to fill the queue fast."""
    connection = http.client.HTTPConnection(url.removeprefix("http://"), timeout=60)
    try:
        headers = {
            "X-Amz-Target": f"AmazonSQS.{action}",
            "Content-Type": "application/x-amz-json-1.0",
        }
        connection.request("POST", "/", json.dumps(request), headers)
        answer: dict[str, Any] = json.loads(connection.getresponse().read())
        return answer
    finally:
        connection.close()


def queue_all(url: str, queue: str, texts: list[str]) -> None:
    for start in range(0, len(texts), 2000):
        entries = [
            {"Id": str(i), "MessageBody": body} for i, body in enumerate(texts[start:][:2000])
        ]
        stub_call(url, "SendMessageBatch", {"QueueUrl": queue, "Entries": entries})


def through_stub(work: Path, count: int, latency_ms: float) -> dict[str, Any]:
    """`poll` against the stub: every event, then every message delivered again."""
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench")
    texts = bodies(count)
    with sqs_stub(latency_ms) as url:
        queue = stub_call(url, "CreateQueue", {"QueueName": "bench-events"})["QueueUrl"]
        config = site(work, queue, url)
        intake = intake_for(config)
        client = boto3.client("sqs", region_name="us-east-1", endpoint_url=url)
        measured = []
        for _round in range(2):  # the second: SNS delivered everything again
            queue_all(url, queue, texts)
            started, started_cpu = time.perf_counter(), time.process_time()
            report = poll(queue, intake, client=client, wait_seconds=0, max_batches=count)
            seconds, cpu = time.perf_counter() - started, time.process_time() - started_cpu
            measured.append((seconds, cpu, report, stored_events(config)))
        left = stub_call(url, "GetQueueAttributes", {"QueueUrl": queue})["Attributes"]
    (seconds, cpu, first, after_first), (again_s, _again_cpu, again, (total, distinct)) = measured
    return {
        "events": count,
        "latency_ms": latency_ms,
        "seconds": seconds,
        "events_per_s": count / seconds,
        "cpu_seconds": cpu,
        "events_per_cpu_s": count / cpu,
        "received": first.received,
        "stored_after_first": after_first[0],
        "redelivery_seconds": again_s,
        "redelivery_per_s": count / again_s,
        "redelivery_duplicates": again.duplicates,
        "stored_after_redelivery": total,
        "distinct": distinct,
        "left_in_queue": sum(int(value) for value in left.values()),
        "failed": len(first.failed) + len(again.failed),
    }


def exactly_once(run: dict[str, Any]) -> bool:
    stored = run.get("stored_after_redelivery", run.get("stored"))
    return (
        stored == run["distinct"] == run["events"]
        and run.get("stored_after_first", stored) == stored
        and run.get("left_in_queue", 0) == 0
        and run["failed"] == 0
    )


def through_moto(work: Path, count: int) -> dict[str, Any]:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench")
    try:
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
    count, slow_count, moto_count = (10_000, 5_000, 200) if args.quick else (100_000, 20_000, 500)
    at_start = load_average()
    with tempfile.TemporaryDirectory(prefix="bench-events-") as temp:
        work = Path(temp)
        runs = []
        for repeat in range(3):
            print(
                f"… {count:,} events through poll and the SQS stub, run {repeat + 1}",
                file=sys.stderr,
            )
            runs.append(through_stub(work / f"stub-{repeat}", count, 0))
        print(f"… {slow_count:,} events, the stub answering after 10 ms", file=sys.stderr)
        slow = through_stub(work / "slow", slow_count, 10)
        print(f"… {count:,} events through take_batch alone", file=sys.stderr)
        alone = direct(work / "direct", count)
        print(f"… {moto_count:,} events through poll and moto SQS", file=sys.stderr)
        moto = through_moto(work, moto_count)
    rate = statistics.median(run["events_per_s"] for run in runs)
    per_cpu = statistics.median(run["events_per_cpu_s"] for run in runs)
    once = all(exactly_once(run) for run in [*runs, slow, alone, moto])
    checks = {
        f"≥ {TARGET:,.0f} events/s through poll (median of 3, {count:,} events)": rate >= TARGET,
        "each exactly once (redelivered: nothing stored twice, nothing left queued)": once,
    }
    print()
    print(f"{'run':<44}{'events/s':>10}{'per CPU-s':>11}{'seconds':>9}{'stored':>10}")
    rows = [
        *((f"poll + SQS stub {count:,}, run {number}", run) for number, run in enumerate(runs, 1)),
        (f"poll + SQS stub at 10 ms {slow_count:,}", slow),
        (f"take_batch alone {count:,} (no SQS calls)", alone),
        (f"poll + moto SQS {moto_count:,} (moto-bound)", moto),
    ]
    for name, run in rows:
        stored = run.get("stored_after_redelivery", run.get("stored", 0))
        cpu = f"{run['events_per_cpu_s']:>11,.0f}" if "events_per_cpu_s" in run else f"{'':>11}"
        print(f"{name:<44}{run['events_per_s']:>10,.0f}{cpu}{run['seconds']:>9.1f}{stored:>10,}")
        if "redelivery_per_s" in run:
            again = "  … every message delivered again"
            print(
                f"{again:<44}{run['redelivery_per_s']:>10,.0f}{'':>11}"
                f"{run['redelivery_seconds']:>9.1f}{'+0' if exactly_once(run) else '!':>10}"
            )
    print(f"{'median poll + SQS stub':<44}{rate:>10,.0f}{per_cpu:>11,.0f}")
    at_end = load_average()
    print(
        f"load average: {at_start[0]:.1f} at the start, {at_end[0]:.1f} at the end, "
        f"on {os.cpu_count()} CPUs"
    )
    print()
    for name, ok in checks.items():
        verdict = ("PASS" if ok else "MISS") + (" (quick)" if args.quick else "")
        print(f"{verdict:<13}{name}")
    save(
        "events",
        {
            "quick": args.quick,
            "load_average_at_start": at_start,
            "runs": runs,
            "latency_10ms": slow,
            "take_batch": alone,
            "moto": moto,
            "median_events_per_s": rate,
            "median_events_per_cpu_s": per_cpu,
            "target": TARGET,
            "checks": checks,
        },
        headline={
            "poll events/s": rate,
            "poll events per CPU-s": per_cpu,
            "poll at 10 ms events/s": slow["events_per_s"],
            "take_batch events per CPU-s": alone["events_per_cpu_s"],
        },
    )


if __name__ == "__main__":
    main()
