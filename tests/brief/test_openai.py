"""The openai writer against a real OpenAI-compatible server on 127.0.0.1 (`ChatStub`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsletter.brief.report import DraftReport, Fallback
from newsletter.brief.select import clusters_of
from newsletter.brief.writers.emoji import emoji_table
from newsletter.brief.writers.extractive import ExtractiveWriter
from newsletter.brief.writers.model import ModelWriter
from newsletter.brief.writers.openai import OpenAIClient, retry_after
from newsletter.brief.writers.registry import WRITERS
from newsletter.config import CHOICES, Settings
from newsletter.model import Briefing
from newsletter.pipeline import draft_stage
from newsletter.runtime import Paths, Runtime
from tests.brief.factory import DAY, demo_items, item, write_config, write_items
from tests.brief.openai_stub import (
    Answer,
    ChatStub,
    completion,
    error,
    frame_fields,
    story_fields,
)
from tests.fixtures.edge import draft_for
from tests.fixtures.network import free_port

COMPILER = "Sixteen Claude agents built a C compiler"
CEREBRAS = "Benchmark raises $225M to double down on Cerebras"
LOCALIZATION = "오픈AI, 지역화 전략 공개"


@pytest.fixture(autouse=True)
def no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)


@pytest.fixture
def stub() -> Iterator[ChatStub]:
    server = ChatStub().start()
    yield server
    server.stop()


def openai_config(
    tmp_path: Path,
    base_url: str,
    *,
    language: str = "ko",
    brief: dict[str, object] | None = None,
    max_per_section: int = 2,
    **keys: object,
) -> Settings:
    values = {
        "base_url": base_url,
        "model": "tiny-test-model",
        "timeout": 1,
        "max_attempts": 3,
        "price_input_per_1m": 0.15,
        "price_output_per_1m": 0.60,
        **keys,
    }
    return write_config(
        tmp_path,
        language=language,
        writer="openai",
        max_per_section=max_per_section,
        brief=brief,
        openai=values,
    )


def test_korean_edition_is_written_by_the_model_from_end_to_end(
    tmp_path: Path, stub: ChatStub
) -> None:
    settings = openai_config(tmp_path, stub.base_url)
    write_items(settings, demo_items())
    report = DraftReport()
    briefing = draft_stage(Runtime(settings), DAY, report=report)

    saved = Briefing.from_json(
        (Paths.of(settings).edition_dir(DAY) / "briefing.json").read_text("utf-8")
    )
    assert saved == briefing
    assert [s.headline for s in briefing.stories] == [
        f"모델 제목: {COMPILER}",
        f"모델 제목: {CEREBRAS}",
        f"모델 제목: {LOCALIZATION}",
    ]
    for story in briefing.stories:
        assert story.summary_title == "모델이 붙인 요약 소제목"
        assert story.summary[1] == "둘째 단락입니다."
        assert (story.why_title, story.why) == (
            "모델이 본 의미",
            ["모델이 분석한 의미 단락입니다."],
        )
        assert story.takeaway == "모델이 고른 인용할 만한 한 문장입니다."
    # the frame: the editor's greeting, subject, preheader and one emoji per story
    assert briefing.intro == ["안녕하세요!", frame_fields(3)["greeting"][0]]
    assert briefing.subject == "모델이 쓴 제목: 오늘의 흐름"
    assert briefing.preheader == "모델이 쓴 미리보기 문장입니다."
    assert [s.emoji for s in briefing.stories] == ["🧪", "🛰️", "🧬"]
    # sources come from the feeds, never from the model
    assert [s.publisher for s in briefing.stories[0].sources] == [
        "arstechnica.com",
        "techcrunch.com",
    ]

    assert (report.model_stories, report.fallbacks, report.calls) == (3, [], 4)
    assert (report.input_tokens, report.output_tokens) == (4000, 1000)
    assert report.cost == pytest.approx(4000 / 1e6 * 0.15 + 1000 / 1e6 * 0.60)
    lines = "\n".join(report.lines())
    assert "openai (tiny-test-model): 3/3 stories by the model" in lines
    assert "tokens: 4,000 in + 1,000 out ≈ $0.0012" in lines
    assert f"1. 모델 제목: {COMPILER} — model, 1,000+250 tokens $0.0003" in lines
    assert "frame: by the model, 1,000+250 tokens" in lines

    story_request = next(r for r in stub.received if r.title == COMPILER)
    body = story_request.body
    assert body["model"] == "tiny-test-model"
    assert (body["max_tokens"], body["temperature"]) == (1200, 0.3)
    assert body["tools"][0]["function"]["name"] == "write_story"
    assert "headline" in body["tools"][0]["function"]["parameters"]["required"]
    assert body["tool_choice"] == {"type": "function", "function": {"name": "write_story"}}
    system = body["messages"][0]["content"]
    assert "합니다체" in system and "괄호에 원문" in system and "한국어" in system
    assert "Maybe AI agents can be lawyers after all" in story_request.prompt
    assert story_request.authorization == ""  # a local server needs no key
    frame_request = next(r for r in stub.received if r.tool == "write_frame")
    assert "합니다체" in frame_request.body["messages"][0]["content"]
    assert f"모델 제목: {CEREBRAS}" in frame_request.prompt


def test_json_schema_mode_for_servers_without_tools(tmp_path: Path, stub: ChatStub) -> None:
    settings = openai_config(tmp_path, stub.base_url, structured="json")
    briefing = draft_for(demo_items(), settings, DAY)
    assert all(s.headline.startswith("모델 제목: ") for s in briefing.stories)
    assert briefing.subject == "모델이 쓴 제목: 오늘의 흐름"
    for request in stub.received:
        assert "tools" not in request.body
        assert request.body["response_format"]["type"] == "json_schema"
        assert request.body["response_format"]["json_schema"]["schema"]["type"] == "object"


def test_a_server_refusing_tools_is_asked_in_json_mode(tmp_path: Path) -> None:
    server = ChatStub(refuse_tools=True).start()
    try:
        settings = openai_config(tmp_path, server.base_url, brief={"concurrency": 1})
        report = DraftReport()
        briefing = draft_for(demo_items(), settings, DAY, report)
    finally:
        server.stop()
    assert all(s.headline.startswith("모델 제목: ") for s in briefing.stories)
    assert report.fallbacks == []
    # one refused request, then every request (the rest of the run) in JSON mode
    assert ["tools" in r.body for r in server.received] == [True, *[False] * 4]


def test_the_api_key_comes_from_the_configured_variable(
    tmp_path: Path, stub: ChatStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MY_LLM_KEY", "sk-local-123")
    settings = openai_config(tmp_path, stub.base_url, api_key_env="MY_LLM_KEY")
    draft_for([item(1, "Chip ships", "The chip ships in May.")], settings, DAY)
    assert {r.authorization for r in stub.received} == {"Bearer sk-local-123"}


def test_a_reasoning_model_is_asked_the_way_it_wants(tmp_path: Path) -> None:
    """OpenAI's newer models refuse `max_tokens` and a non-default temperature: the writer
    learns from the first two refusals and the rest of the run asks the new way."""
    stub = ChatStub(reasoning=True).start()
    try:
        settings = openai_config(tmp_path, stub.base_url)
        items = [
            item(1, "Chip ships", "The chip ships in May."),
            item(2, "Rust 2", "Rust 2 is out."),
        ]
        report = DraftReport()
        briefing = draft_for(items, settings, DAY, report)
    finally:
        stub.stop()
    assert report.fallbacks == []
    assert all(story.headline.startswith("모델 제목: ") for story in briefing.stories)
    last = stub.received[-1].body
    assert last["max_completion_tokens"] == 1200 and "max_tokens" not in last
    assert "temperature" not in last
    # two refusals per call at most (calls in flight together each meet them once)
    assert len(stub.received) <= 3 * (len(items) + 1)


def test_openai_without_a_key_falls_back_without_asking(tmp_path: Path) -> None:
    settings = openai_config(tmp_path, "https://api.openai.com/v1")
    report = DraftReport()
    briefing = draft_for([item(1, "Chip ships", "The chip ships in May.")], settings, DAY, report)
    assert briefing.stories[0].headline == "Chip ships"
    assert report.fallbacks == [
        Fallback("Chip ships", "$OPENAI_API_KEY is not set (the OpenAI API needs a key)")
    ]
    assert report.frame.startswith("offline template — ")


def writer_for(settings: Settings, report: DraftReport, sleeps: list[float]) -> ModelWriter:
    emoji = emoji_table()
    return ModelWriter(
        OpenAIClient(settings.openai),
        report=report,
        fallback=ExtractiveWriter(emoji=emoji),
        emoji=emoji,
        name="Test",
        sleep=sleeps.append,  # record the waits instead of waiting them out
    )


def test_429_waits_as_long_as_retry_after_says(tmp_path: Path, stub: ChatStub) -> None:
    settings = openai_config(tmp_path, stub.base_url)
    stub.script = [
        error(429, "Rate limit reached", {"Retry-After": "7"}),
        error(503, "overloaded"),  # no Retry-After: the backoff's second step
    ]
    report, sleeps = DraftReport(), []
    (cluster,) = clusters_of([item(1, "Chip ships", "The chip ships in May.")])
    story = writer_for(settings, report, sleeps).write(cluster, "ko")
    assert story.headline == "모델 제목: Chip ships"
    assert sleeps == [7.0, 2.0]
    assert (report.calls, report.retries, report.fallbacks) == (3, 2, [])


def test_throttling_that_never_ends_falls_back(tmp_path: Path, stub: ChatStub) -> None:
    settings = openai_config(tmp_path, stub.base_url)
    stub.script = [error(429, "slow down", {"Retry-After": "1"}) for _ in range(3)]
    report, sleeps = DraftReport(), []
    (cluster,) = clusters_of([item(1, "Chip ships", "The chip ships in May.")])
    story = writer_for(settings, report, sleeps).write(cluster, "ko")
    assert story.headline == "Chip ships"
    assert sleeps == [1.0, 1.0]
    assert report.fallbacks == [Fallback("Chip ships", "still throttled after 3 tries (HTTP 429)")]


def test_retry_after_as_an_http_date() -> None:
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past: go now
    assert retry_after("soon") is None and retry_after(None) is None
    assert retry_after("2.5") == 2.5


def test_server_error_is_not_retried_and_names_the_reason(tmp_path: Path, stub: ChatStub) -> None:
    settings = openai_config(tmp_path, stub.base_url, brief={"concurrency": 1})
    stub.by_title[COMPILER] = error(500, "CUDA out of memory")
    report = DraftReport()
    briefing = draft_for(demo_items(), settings, DAY, report)
    assert briefing.stories[0].headline == COMPILER  # the offline writer's, complete
    assert briefing.stories[0].summary and len(briefing.stories[0].sources) == 2
    assert [s.headline.startswith("모델 제목") for s in briefing.stories] == [False, True, True]
    assert report.fallbacks == [Fallback(COMPILER, "HTTP 500: CUDA out of memory")]
    assert sum(r.title == COMPILER for r in stub.received) == 1
    assert f"fallback: {COMPILER} — HTTP 500: CUDA out of memory" in report.lines()
    assert report.lines()[2].endswith("offline writer, " + report.lines()[2].rsplit(", ", 1)[1])


def test_timeout_falls_back_and_the_next_story_still_tries(tmp_path: Path, stub: ChatStub) -> None:
    settings = openai_config(tmp_path, stub.base_url)  # timeout = 1 s
    slow = completion(story_fields("too late"))
    slow.delay = 3.0
    stub.by_title[COMPILER] = slow
    report = DraftReport()
    briefing = draft_for(demo_items(), settings, DAY, report)
    assert briefing.stories[0].headline == COMPILER
    assert report.fallbacks == [
        Fallback(COMPILER, f"no reply within 1 s ({stub.base_url}/chat/completions)")
    ]
    assert report.model_stories == 2


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (Answer(body=b'{"choices": [{"message": '), "the reply is not JSON"),
        (completion('{"headline": "cut'), "write_story arguments are not JSON"),
        # nesting that would exhaust the parser's recursion is refused before parsing
        (
            Answer(body=b'{"choices": ' + b"[" * 5000 + b"]" * 5000 + b"}"),
            "the reply is nested deeper than 32 levels",
        ),
        (
            completion('{"headline": ' + "[" * 5000),
            "write_story arguments are nested deeper than 32 levels",
        ),
        (completion({**story_fields("H"), "summary": []}), "summary is missing or empty"),
        (
            completion({k: v for k, v in story_fields("H").items() if k != "headline"}),
            "headline is missing or empty",
        ),
        (
            completion({**story_fields("H"), "summary_title": ["a list"]}),
            "summary_title must be a string",
        ),
        (completion({**story_fields("H"), "why": 3}), "why must be a list of paragraphs"),
        (
            completion("I would rather not.", tool=None),
            "the reply holds neither a write_story call nor a JSON object",
        ),
        (completion(story_fields("H"), finish="length"), "reply cut off at max_tokens"),
        (
            completion(
                {
                    **story_fields("H"),
                    "headline": "Chip maker ships its new part",
                    "summary": ["The chip ships in May with twice the memory of the last one."],
                    "why": ["It matters because prices for training runs could fall."],
                }
            ),
            "the reply is not in the edition's language (ko)",
        ),
        (
            Answer(body=b'{"object": "list", "data": []}'),
            "no message in the reply (malformed or not a Chat Completions reply)",
        ),
    ],
)
def test_unusable_replies_fall_back(
    tmp_path: Path, stub: ChatStub, answer: Answer, reason: str
) -> None:
    settings = openai_config(tmp_path, stub.base_url)
    stub.by_title["Chip ships"] = answer
    report = DraftReport()
    briefing = draft_for([item(1, "Chip ships", "The chip ships in May.")], settings, DAY, report)
    assert briefing.stories[0].headline == "Chip ships"
    assert report.fallbacks == [Fallback("Chip ships", f"invalid reply: {reason}")]


def test_json_answered_as_prose_is_accepted(tmp_path: Path, stub: ChatStub) -> None:
    settings = openai_config(tmp_path, stub.base_url)
    prose = "Here you go:\n```json\n" + json.dumps(story_fields("Chip ships")) + "\n```"
    stub.by_title["Chip ships"] = completion(prose, tool=None)
    briefing = draft_for([item(1, "Chip ships", "The chip ships in May.")], settings, DAY)
    assert briefing.stories[0].headline == "모델 제목: Chip ships"


def many_items(count: int) -> list:  # type: ignore[type-arg]
    sections = ("ai", "funding", "policy", "security", "cloud")
    return [
        item(
            n,
            f"Story number {n} ships",
            f"Company {n} shipped product {n} today.",
            section=sections[n % 5],
        )
        for n in range(count)
    ]


def test_stories_are_written_concurrently(tmp_path: Path, stub: ChatStub) -> None:
    settings = openai_config(tmp_path, stub.base_url, max_per_section=4)
    stub.hold_until_in_flight = 2  # the server waits until two requests are in at once
    briefing = draft_for(many_items(4), settings, DAY)
    assert len(briefing.stories) == 4 and all(
        s.headline.startswith("모델") for s in briefing.stories
    )
    assert stub.max_in_flight >= 2


def test_concurrency_one_writes_one_story_at_a_time(tmp_path: Path, stub: ChatStub) -> None:
    settings = openai_config(tmp_path, stub.base_url, brief={"concurrency": 1}, max_per_section=4)
    draft_for(many_items(4), settings, DAY)
    assert stub.max_in_flight == 1 and stub.requests == 5


def test_a_second_draft_asks_the_model_nothing(tmp_path: Path, stub: ChatStub) -> None:
    settings = openai_config(tmp_path, stub.base_url)
    write_items(settings, demo_items())
    first = draft_stage(Runtime(settings), DAY)
    asked = stub.requests
    assert asked == 4  # three stories and the frame

    report = DraftReport()
    second = draft_stage(Runtime(settings), DAY, force=True, report=report)
    assert stub.requests == asked  # nothing asked twice
    assert second == first
    assert (report.model_stories, report.cached_stories, report.calls) == (3, 3, 0)
    assert report.frame == "by the model from the reply cache"
    assert "3/3 stories by the model (3 from the reply cache)" in report.lines()[0]

    # a changed article is a new request; the other stories stay cached
    items = demo_items()
    items[2] = item(
        3, CEREBRAS, "Benchmark raised $300M instead.", site="techcrunch.com", section="funding"
    )
    write_items(settings, items)
    draft_stage(Runtime(settings), DAY, force=True)
    new = stub.received[asked:]
    assert [r.title for r in new if r.tool == "write_story"] == [CEREBRAS]


def test_the_editor_failing_keeps_the_offline_frame(tmp_path: Path, stub: ChatStub) -> None:
    settings = openai_config(tmp_path, stub.base_url)
    stub.frame_answer = completion(frame_fields(2), tool="write_frame")  # 2 emoji, 3 stories
    report = DraftReport()
    briefing = draft_for(demo_items(), settings, DAY, report)
    assert all(s.headline.startswith("모델 제목") for s in briefing.stories)
    assert briefing.intro[0] == "안녕하세요!"
    assert "2026년 2월 7일 (토), Daily AI & Tech News입니다" in briefing.intro[1]
    assert briefing.subject.endswith("외 2건") and len(briefing.subject) <= 60
    assert report.frame == "offline template — invalid reply: emoji has 2 entries for 3 stories"
    assert "frame: offline template — invalid reply: emoji has 2" in "\n".join(report.lines())


def test_an_outage_still_leaves_a_complete_edition(tmp_path: Path) -> None:
    settings = openai_config(
        tmp_path, f"http://127.0.0.1:{free_port()}/v1", brief={"concurrency": 1}
    )
    report = DraftReport()
    briefing = draft_for(demo_items(), settings, DAY, report)
    assert len(briefing.stories) == 3 and briefing.subject and briefing.intro
    assert report.calls == 2  # then the run stops asking
    reasons = [f.reason for f in report.fallbacks]
    assert (
        reasons[0].startswith("ConnectError")
        and reasons[2] == "skipped: openai failed earlier in this run"
    )
    assert report.frame == "offline template — skipped: openai failed earlier in this run"


def test_every_configurable_writer_is_in_the_registry() -> None:
    assert set(CHOICES["brief.writer"]) == set(WRITERS)


def test_the_reply_cache_forgets_old_replies(tmp_path: Path, stub: ChatStub) -> None:
    from datetime import UTC, datetime, timedelta

    from newsletter import db
    from newsletter.brief.writers.cache import KEEP_DAYS, ReplyCache, replies
    from newsletter.config import database_url

    settings = openai_config(tmp_path, stub.base_url)
    draft_for([item(1, "Chip ships", "The chip ships in May.")], settings, DAY)
    engine = db.engine(database_url(settings))
    old = datetime.now(UTC) - timedelta(days=KEEP_DAYS + 1)
    with engine.begin() as connection:
        connection.execute(replies.update().values(created=old))
    ReplyCache(engine)  # the next draft's cache
    with engine.connect() as connection:
        assert connection.execute(replies.select()).all() == []


def test_a_database_that_cannot_be_opened_turns_the_caches_off_not_the_draft(
    tmp_path: Path, stub: ChatStub
) -> None:
    from sqlalchemy import Engine
    from sqlalchemy.exc import OperationalError

    from newsletter.brief.draft import draft_briefing

    settings = openai_config(tmp_path, stub.base_url)
    runtime = Runtime(settings)

    def unreachable() -> Engine:
        raise OperationalError("SELECT 1", {}, Exception("could not connect to server"))

    report = DraftReport()
    briefing = draft_briefing(
        demo_items(), runtime.draft_setup, DAY, settings.send_moment(DAY), unreachable, report
    )
    assert all(s.headline.startswith("모델 제목") for s in briefing.stories)  # the model wrote
    assert "reply cache off: could not connect to server" in report.notes
