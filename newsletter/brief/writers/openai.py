"""Any OpenAI-compatible Chat Completions server: OpenAI, Ollama, vLLM, llama.cpp, LM Studio.

Plain httpx (already a dependency) rather than the `openai` package: the
protocol is one POST, httpx gives direct control over timeouts and the
Retry-After header, and the many servers that speak "OpenAI-compatible" differ
in the details the official client hides. The reply is asked for as a forced
function call with the story schema; a server that refuses tools (older
Ollama, llama.cpp without --jinja, some vLLM setups) is asked again, for the
rest of the run, with a JSON-schema `response_format` instead
(`structured = "auto"`; `"tools"` or `"json"` fix one mode).
"""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from newsletter.bounded_json import UnreadableJson, load_json
from newsletter.brief.writers.base import Ask, ModelReply, Throttled, Unavailable
from newsletter.brief.writers.reply import object_in_text
from newsletter.config import OpenAISettings

RETRY_STATUSES = frozenset({429, 503})
#: A story's reply is a few KB; a server answering megabytes (or nesting a thousand levels)
#: is refused before parsing, like every other JSON from outside.
MAX_REPLY_BYTES = 1024 * 1024
#: Statuses a server answers a request it does not understand with (tools, tool_choice).
_REFUSED = frozenset({400, 404, 422, 500, 501})
_OPENAI_HOST = "api.openai.com"
_UNSUPPORTED = frozenset({"unsupported_parameter", "unsupported_value"})


class OpenAIClient:
    """`ask` = one POST to {base_url}/chat/completions; errors become Throttled or Unavailable."""

    name = "openai"

    def __init__(
        self, config: OpenAISettings, *, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.config = config
        self.model = config.model
        self.max_attempts = config.max_attempts
        self.price_input_per_1m = config.price_input_per_1m
        self.price_output_per_1m = config.price_output_per_1m
        self.url = config.base_url.rstrip("/") + "/chat/completions"
        self.key = os.environ.get(config.api_key_env, "") if config.api_key_env else ""
        self.mode = "json" if config.structured == "json" else "tools"
        # OpenAI's newer (reasoning) models refuse `max_tokens` for `max_completion_tokens`
        # and any temperature but the default; most other servers know only `max_tokens`.
        # Start with what every server takes, and learn from the first refusal.
        self.tokens_key = "max_tokens"
        self.send_temperature = True
        self._mode_lock = threading.Lock()
        headers = {"User-Agent": "newsletter-briefing"}
        if self.key:
            headers["Authorization"] = f"Bearer {self.key}"
        self.http = httpx.Client(
            headers=headers,
            timeout=httpx.Timeout(config.timeout, connect=min(10.0, config.timeout)),
            transport=transport,
        )

    def ask(self, request: Ask) -> ModelReply:
        if not self.key and urlsplit(self.url).hostname == _OPENAI_HOST:
            raise Unavailable(f"${self.config.api_key_env} is not set (the OpenAI API needs a key)")
        mode = self.mode
        body = self._body(request, mode)
        response = self._post(body)
        for _ in range(2):  # the token limit's name, then the temperature
            if not self._adapt_to(response, body):
                break
            body = self._body(request, mode)
            response = self._post(body)
        if (
            mode == "tools"
            and self.config.structured == "auto"
            and response.status_code in _REFUSED
            and "tool" in response.text.lower()
        ):
            with self._mode_lock:
                self.mode = "json"  # the rest of the run asks this way too
            response = self._post(self._body(request, "json"))
        return self._reply(response, request.tool)

    def _adapt_to(self, response: httpx.Response, sent: dict[str, Any]) -> bool:
        """True when `response` refused a parameter of `sent` this writer can do without
        (the token limit under its old name, a temperature the model does not take); the
        rest of the run then asks the way the server wants (stories asked at the same
        time may each meet the refusal once)."""
        if response.status_code != 400:
            return False
        refused = _refused_parameter(response)
        if refused not in ("max_tokens", "temperature") or refused not in sent:
            return False
        with self._mode_lock:
            if refused == "max_tokens":
                self.tokens_key = "max_completion_tokens"
            else:
                self.send_temperature = False
        return True

    def _body(self, request: Ask, mode: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [
                {"role": "system", "content": request.system},
                {"role": "user", "content": request.user},
            ],
            self.tokens_key: self.config.max_tokens,
        }
        if self.send_temperature:
            body["temperature"] = self.config.temperature
        if mode == "tools":
            function = {
                "name": request.tool,
                "description": request.description,
                "parameters": request.schema,
            }
            body["tools"] = [{"type": "function", "function": function}]
            body["tool_choice"] = {"type": "function", "function": {"name": request.tool}}
        else:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": request.tool, "schema": request.schema},
            }
        return body

    def _post(self, body: dict[str, Any]) -> httpx.Response:
        try:
            response = self.http.post(self.url, json=body)
        except httpx.TimeoutException:
            raise Unavailable(f"no reply within {self.config.timeout:g} s ({self.url})") from None
        except httpx.HTTPError as exc:
            raise Unavailable(f"{type(exc).__name__}: {exc} ({self.url})") from None
        if response.status_code in RETRY_STATUSES:
            raise Throttled(
                f"HTTP {response.status_code}", retry_after(response.headers.get("Retry-After"))
            )
        return response

    def _reply(self, response: httpx.Response, tool: str) -> ModelReply:
        if response.status_code != 200:
            raise Unavailable(f"HTTP {response.status_code}: {_error_message(response)}")
        try:
            doc = load_json(response.content, max_bytes=MAX_REPLY_BYTES)
        except UnreadableJson as exc:
            return ModelReply(None, f"the reply is {exc}")
        usage = doc.get("usage") if isinstance(doc, dict) else None
        usage = usage if isinstance(usage, dict) else {}
        tokens = [usage.get(key, 0) for key in ("prompt_tokens", "completion_tokens")]
        input_tokens, output_tokens = (t if isinstance(t, int) else 0 for t in tokens)

        def problem(text: str) -> ModelReply:
            return ModelReply(None, text, input_tokens, output_tokens)

        choices = doc.get("choices") if isinstance(doc, dict) else None
        choice = choices[0] if isinstance(choices, list) and choices else None
        message = choice.get("message") if isinstance(choice, dict) else None
        if not isinstance(choice, dict) or not isinstance(message, dict):
            return problem("no message in the reply (malformed or not a Chat Completions reply)")
        if isinstance(choice, dict) and choice.get("finish_reason") == "length":
            return problem("reply cut off at max_tokens")
        for call in message.get("tool_calls") or []:
            function = call.get("function") if isinstance(call, dict) else None
            if isinstance(function, dict) and function.get("name") == tool:
                arguments = function.get("arguments")
                if isinstance(arguments, dict):  # some servers send an object, not a string
                    return ModelReply(arguments, "", input_tokens, output_tokens)
                try:
                    fields = load_json(arguments) if isinstance(arguments, str) else None
                except UnreadableJson as exc:
                    return problem(f"{tool} arguments are {exc}")
                if not isinstance(fields, dict):
                    return problem(f"{tool} arguments are not an object")
                return ModelReply(fields, "", input_tokens, output_tokens)
        content = message.get("content")
        found = object_in_text(content) if isinstance(content, str) else None
        if found is None:
            return problem(f"the reply holds neither a {tool} call nor a JSON object")
        return ModelReply(found, "", input_tokens, output_tokens)


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


def _refused_parameter(response: httpx.Response) -> str:
    """The parameter an OpenAI-style 400 names as unsupported (`error.param`), else ''."""
    try:
        doc = load_json(response.content, max_bytes=MAX_REPLY_BYTES)
    except UnreadableJson:
        return ""
    error = doc.get("error") if isinstance(doc, dict) else None
    if not isinstance(error, dict) or error.get("code") not in _UNSUPPORTED:
        return ""
    param = error.get("param")
    return param if isinstance(param, str) else ""


def _error_message(response: httpx.Response) -> str:
    """OpenAI's `{"error": {"message": …}}`, else the start of the body, on one line."""
    try:
        doc = load_json(response.content, max_bytes=MAX_REPLY_BYTES)
    except UnreadableJson:
        doc = None
    error = doc.get("error") if isinstance(doc, dict) else None
    message = error.get("message") if isinstance(error, dict) else error
    text = message if isinstance(message, str) and message else response.text
    return " ".join(text.split())[:200] or response.reason_phrase
