"""The model writer: one Amazon Bedrock Converse call per story, offline fallback per story.

The morning send must not depend on a model being up: a throttle is retried with
a bounded exponential backoff, and any other failure (timeout, refused
credentials, malformed or incomplete reply) hands that one story to the offline
writer and records why in the run's report. After repeated transport failures
the model is not tried again in that run, so a Bedrock outage costs one
timeout or two, not one per story. boto3 is imported here only, when this
writer is configured, so the CLI stays quick to start.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from newsletter.brief.report import DraftReport, Fallback
from newsletter.brief.select import Cluster
from newsletter.brief.writers.base import Writer
from newsletter.brief.writers.prompts import system_prompt, tool_config, user_prompt
from newsletter.brief.writers.reply import InvalidReply, story_from_reply
from newsletter.model import Story

if TYPE_CHECKING:
    from newsletter.config import Settings

THROTTLE_CODES = frozenset(
    {
        "ThrottlingException",
        "TooManyRequestsException",
        "ServiceUnavailableException",
        "ModelNotReadyException",
    }
)
RETRY_STATUSES = frozenset({429, 503})
MAX_BACKOFF = 20.0  # seconds: one story never waits longer than this between tries
GIVE_UP_AFTER = 2  # consecutive transport failures before the rest of the run goes offline


class _Unavailable(Exception):
    """The call failed for a reason that will likely repeat for the next story too."""


class BedrockWriter:
    """Writes each story with the configured Bedrock model; falls back story by story."""

    def __init__(
        self,
        settings: Settings,
        *,
        report: DraftReport,
        fallback: Writer,
        emoji: Mapping[str, str],
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        import boto3
        from botocore.config import Config

        self.config = settings.bedrock
        self.name = settings.newsletter.name
        self.report = report
        self.fallback = fallback
        self.emoji = emoji
        self.backoff = backoff
        self.sleep = sleep
        self.failures_in_a_row = 0
        report.price_input_per_1k = self.config.price_input_per_1k
        report.price_output_per_1k = self.config.price_output_per_1k
        self.client = boto3.client(
            "bedrock-runtime",
            region_name=self.config.region or settings.sender.region,
            endpoint_url=self.config.endpoint_url or None,
            config=Config(
                connect_timeout=min(10.0, self.config.timeout),
                read_timeout=self.config.timeout,
                retries={"total_max_attempts": 1, "mode": "standard"},  # we retry ourselves
                user_agent_extra="newsletter-briefing",
            ),
        )

    def write(self, cluster: Cluster, language: str) -> Story:
        if self.failures_in_a_row >= GIVE_UP_AFTER:
            return self._fall_back(cluster, language, "skipped: Bedrock failed earlier in this run")
        try:
            response = self._converse(cluster, language)
        except _Unavailable as exc:
            self.failures_in_a_row += 1
            return self._fall_back(cluster, language, str(exc))
        self.failures_in_a_row = 0
        self.report.add_usage(response.get("usage"))
        try:
            story = story_from_reply(response, cluster, language, self.emoji)
        except InvalidReply as exc:
            return self._fall_back(cluster, language, f"invalid reply: {exc}")
        self.report.model_stories += 1
        return story

    def _converse(self, cluster: Cluster, language: str) -> dict[str, Any]:
        """One Converse call, retried on throttling with 1×, 2×, 4× … `backoff` seconds."""
        from botocore.exceptions import BotoCoreError, ClientError

        request = {
            "modelId": self.config.model_id,
            "system": [{"text": system_prompt(language, self.name)}],
            "messages": [{"role": "user", "content": [{"text": user_prompt(cluster, language)}]}],
            "inferenceConfig": {
                "maxTokens": self.config.max_tokens,
                "temperature": self.config.temperature,
            },
            "toolConfig": tool_config(),
        }
        attempts = self.config.max_attempts
        for attempt in range(attempts):
            self.report.calls += 1
            try:
                return self.client.converse(**request)
            except ClientError as exc:
                error = exc.response.get("Error", {})
                status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
                code = error.get("Code", "")
                if code not in THROTTLE_CODES and status not in RETRY_STATUSES:
                    raise _Unavailable(f"{code or status}: {error.get('Message', '')}") from None
                if attempt + 1 == attempts:
                    raise _Unavailable(f"still throttled after {attempts} tries ({code})") from None
                self.report.retries += 1
                self.sleep(min(MAX_BACKOFF, self.backoff * 2**attempt))
            except BotoCoreError as exc:  # timeouts, connection errors, missing credentials
                raise _Unavailable(f"{type(exc).__name__}: {exc}") from None
        raise AssertionError("unreachable: max_attempts >= 1")

    def _fall_back(self, cluster: Cluster, language: str, reason: str) -> Story:
        self.report.fallbacks.append(Fallback(cluster.items[0].title, reason))
        return self.fallback.write(cluster, language)
