"""doctor's writer line: the model server is asked which models it serves, nothing billed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from newsletter.doctor import writer
from newsletter.doctor.check import OK, WARN
from newsletter.doctor.context import Context
from newsletter.doctor.writer import openai_server
from newsletter.runtime import Runtime
from tests.brief.factory import write_config
from tests.brief.openai_stub import ChatStub
from tests.fixtures.network import free_port


@pytest.fixture
def stub() -> Iterator[ChatStub]:
    server = ChatStub().start()
    yield server
    server.stop()


def check_of(tmp_path: Path, **openai: object):  # type: ignore[no-untyped-def]
    settings = write_config(tmp_path, writer="openai", openai=openai)
    return openai_server(settings.openai)


def test_a_served_model_is_ok(tmp_path: Path, stub: ChatStub) -> None:
    check = check_of(tmp_path, base_url=stub.base_url, model="tiny-test-model")
    assert (check.status, check.message) == (OK, f"openai tiny-test-model at {stub.base_url}")
    assert stub.requests == 0  # a GET of the model list, no completion billed


def test_a_model_the_server_lacks_is_named_with_the_fix(tmp_path: Path, stub: ChatStub) -> None:
    check = check_of(tmp_path, base_url=stub.base_url, model="qwen2.5:7b")
    assert check.status == WARN
    assert check.message == (
        f"{stub.base_url} does not serve qwen2.5:7b (it serves tiny-test-model): "
        "every story would be written offline"
    )
    assert "ollama pull qwen2.5:7b" in check.fix


def test_a_server_that_does_not_answer(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    check = check_of(tmp_path, base_url=url)
    assert check.status == WARN
    assert (
        check.message
        == f"{url} does not answer (ConnectError): every story would be written offline"
    )


def test_openai_without_its_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    check = check_of(tmp_path)
    assert (check.status, check.message) == (
        WARN,
        "$OPENAI_API_KEY is not set: every story would be written offline",
    )


def test_the_offline_writer_always_can(tmp_path: Path) -> None:
    settings = write_config(tmp_path)
    (check,) = writer.checks(Context(Runtime(settings)))
    assert (check.name, check.status) == ("writer", OK)
