"""A small OpenAI-compatible Chat Completions server on 127.0.0.1 that answers from a script.

The openai writer talks to it through `base_url` exactly as it talks to OpenAI,
Ollama or vLLM: real HTTP, real JSON, real timeouts. Each request takes the
next scripted answer (or the one scripted for a headline); with nothing
scripted it answers a valid story, or a valid frame for the editor's call, in
the mode it was asked in (a tool call, or JSON content for `response_format`).
It counts requests and the most it ever held at once, so tests assert
concurrency through the server rather than by the clock.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tests.brief.loopback import Answer, LoopbackServer


def completion(
    fields: dict[str, Any] | str,
    *,
    tool: str | None = "write_story",
    usage: tuple[int, int] = (1000, 250),
    finish: str = "",
) -> Answer:
    """A Chat Completions reply carrying `fields` as a tool call (or as JSON content)."""
    arguments = fields if isinstance(fields, str) else json.dumps(fields, ensure_ascii=False)
    if tool:
        message: dict[str, Any] = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": tool, "arguments": arguments},
                }
            ],
        }
    else:
        message = {"role": "assistant", "content": arguments}
    doc = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": finish or ("tool_calls" if tool else "stop"),
            }
        ],
        "usage": {
            "prompt_tokens": usage[0],
            "completion_tokens": usage[1],
            "total_tokens": sum(usage),
        },
    }
    return Answer(body=json.dumps(doc, ensure_ascii=False).encode())


def error(status: int, message: str, headers: dict[str, str] | None = None) -> Answer:
    body = json.dumps({"error": {"message": message, "type": "error"}}).encode()
    return Answer(status, body, {"Content-Type": "application/json", **(headers or {})})


def unsupported(param: str, code: str, message: str) -> Answer:
    """OpenAI's 400 for a parameter the model does not take (the shape its API sends)."""
    doc = {
        "error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}
    }
    return Answer(400, json.dumps(doc).encode(), {"Content-Type": "application/json"})


def story_fields(title: str) -> dict[str, Any]:
    """What a good model answers for the article titled `title` (Korean edition)."""
    return {
        "headline": f"모델 제목: {title}",
        "summary_title": "모델이 붙인 요약 소제목",
        "summary": [f"모델이 쓴 요약 단락입니다. 원래 제목은 {title}입니다.", "둘째 단락입니다."],
        "why_title": "모델이 본 의미",
        "why": ["모델이 분석한 의미 단락입니다."],
        "takeaway": "모델이 고른 인용할 만한 한 문장입니다.",
    }


def frame_fields(count: int) -> dict[str, Any]:
    emoji = ["🧪", "🛰️", "🧬", "🎯", "🪐", "🧲", "🔭", "🧯", "🪄", "🧭"]
    return {
        "greeting": ["모델이 쓴 인사말입니다. 오늘 소식들의 흐름을 짚습니다."],
        "subject": "모델이 쓴 제목: 오늘의 흐름",
        "preheader": "모델이 쓴 미리보기 문장입니다.",
        "emoji": emoji[:count],
    }


@dataclass
class Received:
    body: dict[str, Any]
    authorization: str

    @property
    def tool(self) -> str:
        tools = self.body.get("tools") or []
        if tools:
            return tools[0]["function"]["name"]
        return self.body.get("response_format", {}).get("json_schema", {}).get("name", "")

    @property
    def prompt(self) -> str:
        return self.body["messages"][-1]["content"]

    @property
    def title(self) -> str:
        """The first article's title in a story request."""
        for line in self.prompt.split("\n"):
            if line.startswith(("제목: ", "Title: ")):
                return line.split(": ", 1)[1]
        return ""


class ChatStub:
    """Run with `start()`; `script`/`by_title` hold answers, `received` what was asked."""

    def __init__(
        self, *, delay: float = 0.0, refuse_tools: bool = False, reasoning: bool = False
    ) -> None:
        self.script: list[Answer] = []
        self.by_title: dict[str, Answer] = {}  # an answer for the story of that article title
        self.frame_answer: Answer | None = None  # the answer to the editor's call
        self.received: list[Received] = []
        self.delay = delay
        self.refuse_tools = refuse_tools
        self.reasoning = reasoning  # answer as OpenAI's reasoning models do (o1, gpt-5)
        self.hold_until_in_flight = 0  # hold story requests until this many were in at once
        self.models = ["tiny-test-model"]  # what GET /v1/models lists
        self.server = LoopbackServer(self._post, self._get)
        self.lock = self.server.lock

    def _get(self, path: str, headers: dict[str, str], raw: bytes) -> Answer:
        if path.rstrip("/").split("/")[-1] != "models":
            return error(404, f"no route {path}")
        data = [{"id": model, "object": "model", "owned_by": "stub"} for model in self.models]
        return Answer(body=json.dumps({"object": "list", "data": data}).encode())

    def _post(self, path: str, headers: dict[str, str], raw: bytes) -> Answer:
        if path.rstrip("/").split("/")[-2:] != ["chat", "completions"]:
            return error(404, f"no route {path}")
        request = Received(json.loads(raw), headers.get("Authorization", ""))
        hold = self.hold_until_in_flight
        if hold and request.tool != "write_frame":
            with self.lock:
                self.lock.wait_for(lambda: self.server.max_in_flight >= hold, timeout=10)
        return self.answer(request)

    @property
    def max_in_flight(self) -> int:
        return self.server.max_in_flight

    @max_in_flight.setter
    def max_in_flight(self, value: int) -> None:
        with self.lock:
            self.server.max_in_flight = value

    @property
    def base_url(self) -> str:
        return f"{self.server.url}/v1"

    @property
    def requests(self) -> int:
        with self.lock:
            return len(self.received)

    def start(self) -> ChatStub:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    def answer(self, request: Received) -> Answer:
        with self.lock:
            self.received.append(request)
            if self.reasoning and "max_tokens" in request.body:
                return unsupported(
                    "max_tokens",
                    "unsupported_parameter",
                    "Unsupported parameter: 'max_tokens' is not supported with this model. "
                    "Use 'max_completion_tokens' instead.",
                )
            if self.reasoning and request.body.get("temperature", 1) != 1:
                return unsupported(
                    "temperature",
                    "unsupported_value",
                    "Unsupported value: 'temperature' does not support 0.3 with this model. "
                    "Only the default (1) value is supported.",
                )
            if self.refuse_tools and "tools" in request.body:
                return error(400, "registry.ollama.ai/library/tiny does not support tools")
            if request.tool == "write_frame" and self.frame_answer is not None:
                return self.frame_answer
            if request.title and request.title in self.by_title:
                return self.by_title.pop(request.title)
            if self.script:
                return self.script.pop(0)
        tool = request.tool
        mode_tool = tool if "tools" in request.body else None
        if tool == "write_frame":
            count = request.prompt.count("\n[소식 ") + request.prompt.count("\n[Story ")
            answer = completion(frame_fields(count), tool=mode_tool)
        else:
            answer = completion(story_fields(request.title), tool=mode_tool)
        answer.delay = self.delay
        return answer
