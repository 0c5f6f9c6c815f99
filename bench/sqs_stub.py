"""A minimal SQS endpoint for benchmarks: the queue calls `feedback poll` makes, answered at once.

`python bench/sqs_stub.py PORT [LATENCY_MS]` serves, on 127.0.0.1, keep-alive
HTTP/1.1 on asyncio in SQS's JSON protocol (what boto3 speaks): CreateQueue,
SendMessageBatch, ReceiveMessage (up to ten; no long poll: an empty queue answers
at once), DeleteMessageBatch, GetQueueAttributes (ApproximateNumberOfMessages*).
A received message stays in flight until it is deleted; nothing becomes visible
again by itself. LATENCY_MS delays every answer, as a region's SQS does (a few
milliseconds to tens of them): without it the client is all that is measured.

moto server is the realistic SQS, but its ReceiveMessage scans the whole queue
for every message it returns (about 0.3 s a call at 2,000 queued), so it cannot
carry 100,000 events.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
from collections import deque
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stub_http import header, serve


class Queues:
    def __init__(self, port: int) -> None:
        self.port = port
        self.visible: dict[str, deque[dict[str, Any]]] = {}
        self.in_flight: dict[str, dict[str, dict[str, Any]]] = {}
        self.sequence = 0

    def answer(self, action: str, request: dict[str, Any]) -> dict[str, Any]:
        if action == "CreateQueue":
            name = request["QueueName"]
            self.visible.setdefault(name, deque())
            self.in_flight.setdefault(name, {})
            return {"QueueUrl": f"http://127.0.0.1:{self.port}/000000000000/{name}"}
        name = request["QueueUrl"].rsplit("/", 1)[-1]
        visible, in_flight = self.visible[name], self.in_flight[name]
        if action == "SendMessageBatch":
            done = []
            for entry in request["Entries"]:
                self.sequence += 1
                body = entry["MessageBody"]
                visible.append({"MessageId": f"stub-{self.sequence}", "Body": body, "count": 0})
                done.append(
                    {
                        "Id": entry["Id"],
                        "MessageId": f"stub-{self.sequence}",
                        "MD5OfMessageBody": hashlib.md5(body.encode()).hexdigest(),
                    }
                )
            return {"Successful": done}
        if action == "ReceiveMessage":
            messages = []
            for _ in range(min(int(request.get("MaxNumberOfMessages", 1)), len(visible))):
                message = visible.popleft()
                message["count"] += 1
                self.sequence += 1
                handle = f"h-{self.sequence}"
                in_flight[handle] = message
                messages.append(
                    {
                        "MessageId": message["MessageId"],
                        "ReceiptHandle": handle,
                        "Body": message["Body"],
                        "Attributes": {"ApproximateReceiveCount": str(message["count"])},
                    }
                )
            return {"Messages": messages} if messages else {}
        if action == "DeleteMessageBatch":
            for entry in request["Entries"]:
                in_flight.pop(entry["ReceiptHandle"], None)
            return {"Successful": [{"Id": entry["Id"]} for entry in request["Entries"]]}
        if action == "GetQueueAttributes":
            return {
                "Attributes": {
                    "ApproximateNumberOfMessages": str(len(visible)),
                    "ApproximateNumberOfMessagesNotVisible": str(len(in_flight)),
                }
            }
        raise KeyError(action)


def serve_stub(port: int, latency: float = 0.0) -> None:
    queues = Queues(port)

    async def answer(head: bytes, body: bytes) -> tuple[bytes, bytes, bytes]:
        action = header(head, b"x-amz-target").decode().rpartition(".")[2]
        request = json.loads(body) if body else {}
        if latency:
            await asyncio.sleep(latency)
        try:
            status, content = b"200 OK", json.dumps(queues.answer(action, request)).encode()
        except KeyError as exc:
            status = b"400 Bad Request"
            content = json.dumps({"__type": "InvalidAction", "message": str(exc)}).encode()
        return status, b"application/x-amz-json-1.0", content

    serve(port, answer)


if __name__ == "__main__":
    serve_stub(int(sys.argv[1]), float(sys.argv[2]) / 1000 if len(sys.argv) > 2 else 0.0)
