"""A small Bedrock Converse endpoint on 127.0.0.1 that answers from a script.

boto3 talks to it through `endpoint_url` exactly as it talks to Bedrock: the
same request signing, serialisation, error parsing and timeouts. Each request
takes the next scripted answer; with the script empty it answers a valid story.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from tests.brief.loopback import Answer, LoopbackServer


def story_reply(
    fields: dict[str, Any], usage: tuple[int, int] = (1200, 300), tool: str = "write_story"
) -> Answer:
    """A Converse reply whose assistant message uses the write_story (or another) tool."""
    doc = {
        "output": {
            "message": {
                "role": "assistant",
                "content": [{"toolUse": {"toolUseId": "tooluse_1", "name": tool, "input": fields}}],
            }
        },
        "stopReason": "tool_use",
        "usage": {"inputTokens": usage[0], "outputTokens": usage[1], "totalTokens": sum(usage)},
        "metrics": {"latencyMs": 12},
    }
    return Answer(body=json.dumps(doc).encode(), headers={"Content-Type": "application/json"})


def story_fields(headline: str) -> dict[str, Any]:
    return {
        "headline": headline,
        "summary_title": "모델이 쓴 요약",
        "summary": ["첫 단락입니다.", "둘째 단락입니다."],
        "why_title": "모델이 본 의미",
        "why": ["의미를 분석한 단락입니다."],
        "takeaway": "인용할 만한 한 문장입니다.",
    }


def throttle(status: int = 400) -> Answer:
    headers = {"Content-Type": "application/json"}
    if status == 400:
        headers["x-amzn-ErrorType"] = "ThrottlingException:http://internal.amazon.com/"
    body = json.dumps({"message": "Too many requests, please wait before trying again."})
    return Answer(status=status, body=body.encode(), headers=headers)


@dataclass
class Received:
    model_id: str
    body: dict[str, Any]
    authorization: str


class ConverseStub:
    """Run with `start()`; `script` holds the answers to give, `received` what was asked."""

    def __init__(self) -> None:
        self.script: list[Answer] = []
        self.received: list[Received] = []
        self.lock = threading.Lock()
        self.server = LoopbackServer(self._post)

    def _post(self, path: str, headers: dict[str, str], raw: bytes) -> Answer:
        parts = path.split("/")
        if len(parts) != 4 or parts[1] != "model" or parts[3] != "converse":
            return Answer(404, b'{"message": "no such route"}')
        return self.next_answer(
            Received(unquote(parts[2]), json.loads(raw), headers.get("Authorization", ""))
        )

    @property
    def url(self) -> str:
        return self.server.url

    def start(self) -> ConverseStub:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    def next_answer(self, request: Received) -> Answer:
        with self.lock:
            self.received.append(request)
            if self.script:
                return self.script.pop(0)
        prompt = request.body["messages"][0]["content"][0]["text"]
        tool = request.body["toolConfig"]["tools"][0]["toolSpec"]["name"]
        if tool == "write_frame":
            count = prompt.count("\n[소식 ") + prompt.count("\n[Story ")
            frame = {
                "greeting": ["모델이 쓴 인사말입니다."],
                "subject": "모델이 쓴 제목",
                "preheader": "모델이 쓴 미리보기입니다.",
                "emoji": ["🧪"] * count,
            }
            return story_reply(frame, tool="write_frame")
        title = next(line for line in prompt.split("\n") if line.startswith(("제목: ", "Title: ")))
        return story_reply(story_fields("모델: " + title.split(": ", 1)[1]))
