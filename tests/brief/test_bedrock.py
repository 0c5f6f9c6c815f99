"""The Bedrock writer through boto3 against a local Converse endpoint on 127.0.0.1."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsletter.brief.report import DraftReport, Fallback
from newsletter.brief.select import clusters_of
from newsletter.brief.writers.bedrock import BedrockClient
from newsletter.brief.writers.emoji import emoji_table
from newsletter.brief.writers.extractive import ExtractiveWriter
from newsletter.brief.writers.model import ModelWriter
from newsletter.config import Settings
from newsletter.model import Briefing
from newsletter.pipeline import draft_stage
from newsletter.runtime import Paths, Runtime
from tests.brief.converse_stub import Answer, ConverseStub, story_fields, story_reply, throttle
from tests.brief.factory import DAY, demo_items, item, write_config, write_items
from tests.fixtures.edge import draft_for
from tests.fixtures.network import free_port

COMPILER_HEADLINE = "Sixteen Claude agents built a C compiler"


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Dummy credentials only: nothing may reach a real AWS account or a profile."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def stub() -> Iterator[ConverseStub]:
    server = ConverseStub().start()
    yield server
    server.stop()


def bedrock_config(
    tmp_path: Path,
    endpoint: str,
    *,
    language: str = "ko",
    brief: dict[str, object] | None = None,
    **keys: object,
) -> Settings:
    values = {
        "endpoint_url": endpoint,
        "region": "us-east-1",
        "timeout": 1,
        "max_attempts": 3,
        "price_input_per_1k": 0.003,
        "price_output_per_1k": 0.015,
        **keys,
    }
    return write_config(tmp_path, language=language, writer="bedrock", brief=brief, bedrock=values)


def test_happy_path_every_story_by_the_model(tmp_path: Path, stub: ConverseStub) -> None:
    settings = bedrock_config(tmp_path, stub.url)
    write_items(settings, demo_items())
    report = DraftReport()
    briefing = draft_stage(Runtime(settings), DAY, report=report)

    saved = Briefing.from_json(
        (Paths.of(settings).edition_dir(DAY) / "briefing.json").read_text("utf-8")
    )
    assert saved == briefing
    assert [s.headline for s in briefing.stories] == [
        f"모델: {COMPILER_HEADLINE}",
        "모델: Benchmark raises $225M to double down on Cerebras",
        "모델: 오픈AI, 지역화 전략 공개",
    ]
    first = briefing.stories[0]
    assert first.summary == ["첫 단락입니다.", "둘째 단락입니다."]
    assert first.why_title == "모델이 본 의미" and first.takeaway == "인용할 만한 한 문장입니다."
    # sources come from the feeds, never from the model: both publishers kept
    assert [s.publisher for s in first.sources] == ["arstechnica.com", "techcrunch.com"]
    assert [s.emoji for s in briefing.stories] == ["🧪"] * 3  # chosen by the edition editor
    assert briefing.subject == "모델이 쓴 제목"

    # three stories and the editor's call
    assert (report.model_stories, report.fallbacks, report.calls) == (3, [], 4)
    assert (report.input_tokens, report.output_tokens) == (4800, 1200)
    assert report.cost == pytest.approx(4.8 * 0.003 + 1.2 * 0.015)
    assert "tokens: 4,800 in + 1,200 out ≈ $0.0324" in "\n".join(report.lines())

    request = next(r for r in stub.received if COMPILER_HEADLINE in str(r.body["messages"]))
    assert request.model_id == settings.bedrock.model_id
    assert request.authorization.startswith("AWS4-HMAC-SHA256 Credential=testing/")
    assert "/us-east-1/bedrock/aws4_request" in request.authorization
    body = request.body
    assert body["inferenceConfig"] == {"maxTokens": 1200, "temperature": 0.3}
    tool = body["toolConfig"]["tools"][0]["toolSpec"]
    assert tool["name"] == "write_story"
    assert {"headline", "summary", "why", "takeaway"} <= set(
        tool["inputSchema"]["json"]["required"]
    )
    assert body["toolConfig"]["toolChoice"] == {"tool": {"name": "write_story"}}
    assert "합니다체" in body["system"][0]["text"]  # asked in the edition's language
    prompt = body["messages"][0]["content"][0]["text"]
    assert COMPILER_HEADLINE in prompt and "Maybe AI agents can be lawyers after all" in prompt


def test_english_edition_is_asked_in_english(tmp_path: Path, stub: ConverseStub) -> None:
    settings = bedrock_config(tmp_path, stub.url, language="en")
    draft_for([item(1, "Chip ships", "The chip ships in May.")], settings, DAY)
    assert "calm and factual" in stub.received[0].body["system"][0]["text"]
    assert (
        stub.received[0]
        .body["messages"][0]["content"][0]["text"]
        .startswith("Turn the following article into one story.")
    )


def test_malformed_json_falls_back_for_that_story_only(tmp_path: Path, stub: ConverseStub) -> None:
    settings = bedrock_config(tmp_path, stub.url, brief={"concurrency": 1})
    stub.script = [
        Answer(body=b'{"output": {"message": ', headers={"Content-Type": "application/json"})
    ]
    report = DraftReport()
    briefing = draft_for(demo_items(), settings, DAY, report)
    assert briefing.stories[0].headline == COMPILER_HEADLINE  # the offline writer's headline
    assert briefing.stories[0].summary and len(briefing.stories[0].sources) == 2
    assert [s.headline.startswith("모델: ") for s in briefing.stories] == [False, True, True]
    assert [f.headline for f in report.fallbacks] == [COMPILER_HEADLINE]
    assert report.fallbacks[0].reason.startswith("invalid reply: ")
    assert f"fallback: {COMPILER_HEADLINE} — invalid reply" in "\n".join(report.lines())
    assert report.model_stories == 2


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (story_reply({**story_fields("H"), "summary": []}), "summary is missing or empty"),
        (
            story_reply({k: v for k, v in story_fields("H").items() if k != "headline"}),
            "headline is missing or empty",
        ),
        (
            story_reply({**story_fields("H"), "summary_title": ["a list"]}),
            "summary_title must be a string",
        ),
        (story_reply({**story_fields("H"), "why": 3}), "why must be a list of paragraphs"),
        (
            Answer(
                body=json.dumps(
                    {
                        "output": {
                            "message": {
                                "role": "assistant",
                                "content": [{"text": "I would rather not."}],
                            }
                        },
                        "stopReason": "end_turn",
                    }
                ).encode()
            ),
            "the reply did not use the write_story tool",
        ),
        (
            Answer(
                body=json.dumps(
                    {
                        "output": {"message": {"role": "assistant", "content": []}},
                        "stopReason": "max_tokens",
                    }
                ).encode()
            ),
            "reply cut off at max_tokens",
        ),
    ],
)
def test_incomplete_replies_fall_back(
    tmp_path: Path, stub: ConverseStub, answer: Answer, reason: str
) -> None:
    settings = bedrock_config(tmp_path, stub.url)
    stub.script = [answer]
    report = DraftReport()
    briefing = draft_for([item(1, "Chip ships", "The chip ships in May.")], settings, DAY, report)
    assert briefing.stories[0].headline == "Chip ships"
    assert report.fallbacks == [Fallback("Chip ships", f"invalid reply: {reason}")]


def writer_for(settings: Settings, report: DraftReport, sleeps: list[float]) -> ModelWriter:
    emoji = emoji_table()
    return ModelWriter(
        BedrockClient(settings.bedrock, region=settings.sender.region),
        report=report,
        fallback=ExtractiveWriter(emoji=emoji),
        emoji=emoji,
        name="Test",
        backoff=1.0,
        sleep=sleeps.append,  # record the backoff instead of waiting it out
    )


@pytest.mark.parametrize("status", [400, 429])
def test_throttling_is_retried_with_backoff(
    tmp_path: Path, stub: ConverseStub, status: int
) -> None:
    settings = bedrock_config(tmp_path, stub.url)
    stub.script = [throttle(status), throttle(status)]
    report, sleeps = DraftReport(), []
    (cluster,) = clusters_of([item(1, "Chip ships", "The chip ships in May.")])
    story = writer_for(settings, report, sleeps).write(cluster, "ko")
    assert story.headline == "모델: Chip ships"
    assert sleeps == [1.0, 2.0]
    assert (report.calls, report.retries, report.fallbacks) == (3, 2, [])
    assert len(stub.received) == 3


def test_throttling_that_never_ends_falls_back(tmp_path: Path, stub: ConverseStub) -> None:
    settings = bedrock_config(tmp_path, stub.url)
    stub.script = [throttle(), throttle(), throttle()]
    report, sleeps = DraftReport(), []
    (cluster,) = clusters_of([item(1, "Chip ships", "The chip ships in May.")])
    story = writer_for(settings, report, sleeps).write(cluster, "ko")
    assert story.headline == "Chip ships"
    assert sleeps == [1.0, 2.0]
    assert report.fallbacks == [
        Fallback("Chip ships", "still throttled after 3 tries (ThrottlingException)")
    ]


def test_other_errors_are_not_retried(tmp_path: Path, stub: ConverseStub) -> None:
    settings = bedrock_config(tmp_path, stub.url)
    denied = json.dumps({"message": "You don't have access to the model."}).encode()
    stub.script = [Answer(403, denied, {"x-amzn-ErrorType": "AccessDeniedException"})]
    report = DraftReport()
    draft_for([item(1, "Chip ships", "The chip ships in May.")], settings, DAY, report)
    assert report.calls == 2  # the story's one try, then the editor's call
    assert report.fallbacks == [
        Fallback("Chip ships", "AccessDeniedException: You don't have access to the model.")
    ]


def test_timeout_falls_back_and_the_next_story_still_tries(
    tmp_path: Path, stub: ConverseStub
) -> None:
    settings = bedrock_config(tmp_path, stub.url, brief={"concurrency": 1})  # timeout = 1 s
    slow = story_reply(story_fields("too late"))
    slow.delay = 120.0  # answers long after the test is over: only the timeout can end the wait
    stub.script = [slow]
    report = DraftReport()
    started = time.monotonic()
    briefing = draft_for(demo_items(), settings, DAY, report)
    assert time.monotonic() - started < 60, "the draft waited for the slow reply"
    assert briefing.stories[0].headline == COMPILER_HEADLINE
    assert [f.headline for f in report.fallbacks] == [COMPILER_HEADLINE]
    assert "ReadTimeoutError" in report.fallbacks[0].reason
    assert report.model_stories == 2


def test_outage_stops_calling_after_two_failures(tmp_path: Path) -> None:
    port = free_port()  # nobody listens there
    settings = bedrock_config(tmp_path, f"http://127.0.0.1:{port}", brief={"concurrency": 1})
    report = DraftReport()
    briefing = draft_for(demo_items(), settings, DAY, report)
    assert len(briefing.stories) == 3  # the edition is complete, written offline
    assert report.calls == 2
    reasons = [f.reason for f in report.fallbacks]
    assert reasons[0].startswith("EndpointConnectionError") and reasons[1] == reasons[0]
    assert reasons[2] == "skipped: bedrock failed earlier in this run"


def test_json_answered_as_text_is_accepted(tmp_path: Path, stub: ConverseStub) -> None:
    """Some models ignore the tool and answer the JSON in prose; it still gets validated."""
    settings = bedrock_config(tmp_path, stub.url)
    text = "Here is the story:\n" + json.dumps(story_fields("From text"), ensure_ascii=False)
    message = {"role": "assistant", "content": [{"text": text}]}
    doc = {"output": {"message": message}, "stopReason": "end_turn", "usage": {"inputTokens": 5}}
    stub.script = [Answer(body=json.dumps(doc).encode())]
    report = DraftReport()
    briefing = draft_for([item(1, "Chip ships", "The chip ships in May.")], settings, DAY, report)
    assert briefing.stories[0].headline == "From text"
    assert report.fallbacks == []
    cost = report.costs["item-1"]
    assert (cost.input_tokens, cost.output_tokens) == (5, 0)
