"""A model writes each story; any provider, the same safety net.

The morning send must not depend on a model being up. Every provider goes
through this one writer, so they all behave alike:

- a reply already paid for comes from the reply cache (`cache.py`);
- a throttle (429/503, ThrottlingException) is retried after the server's
  Retry-After, else a bounded exponential backoff;
- any other failure (timeout, refused key, malformed or incomplete reply) hands
  that one story to the offline writer and records why in the run's report;
- after repeated transport failures the model is not asked again in that run,
  so an outage costs one timeout or two, not one per story.

`write` is called from several threads at once (`draft` writes stories
concurrently); shared counters change under the report's lock.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from newsletter.brief.report import BY_CACHE, BY_MODEL, BY_OFFLINE, DraftReport, Fallback, StoryCost
from newsletter.brief.select import Cluster
from newsletter.brief.writers.base import (
    Ask,
    ModelClient,
    ModelReply,
    Throttled,
    Unavailable,
    Writer,
)
from newsletter.brief.writers.cache import ReplyCache, request_key
from newsletter.brief.writers.prompts import PROMPT_VERSION, story_ask
from newsletter.brief.writers.reply import InvalidReply, story_from_fields
from newsletter.model import Story

MAX_BACKOFF = 20.0  # seconds: one story never waits longer than this between tries
GIVE_UP_AFTER = 2  # consecutive transport failures before the rest of the run goes offline

T = TypeVar("T")


@dataclass(frozen=True)
class Obtained(Generic[T]):
    """A validated reply and where it came from (the model or the cache)."""

    value: T
    by: str
    input_tokens: int = 0
    output_tokens: int = 0


class Failed(Exception):
    """No usable reply; `reason` goes into the report, tokens were billed all the same."""

    def __init__(self, reason: str, tokens: tuple[int, int] = (0, 0)) -> None:
        super().__init__(reason)
        self.reason = reason
        self.tokens = tokens


class ModelWriter:
    """Writes each story with `client`; falls back story by story to `fallback`."""

    concurrent = True  # network-bound: `draft` runs several `write` calls at once

    def __init__(
        self,
        client: ModelClient,
        *,
        report: DraftReport,
        fallback: Writer,
        emoji: Mapping[str, str],
        name: str,
        cache: ReplyCache | None = None,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.report = report
        self.fallback = fallback
        self.emoji = emoji
        self.name = name
        self.cache = cache
        self.backoff = backoff
        self.sleep = sleep
        self._failures_in_a_row = 0
        self._lock = threading.Lock()
        report.writer = client.name
        report.model = client.model
        report.price_input_per_1m = client.price_input_per_1m
        report.price_output_per_1m = client.price_output_per_1m

    def write(self, cluster: Cluster, language: str) -> Story:
        started = time.monotonic()
        ask = story_ask(cluster, language, self.name)
        try:
            got = self.obtain(ask, lambda f: story_from_fields(f, cluster, language, self.emoji))
        except Failed as exc:
            story = self.fallback.write(cluster, language)
            cost = StoryCost(story.headline, BY_OFFLINE, *exc.tokens, time.monotonic() - started)
            with self.report.lock:
                self.report.fallbacks.append(Fallback(cluster.items[0].title, exc.reason))
                self.report.costs[cluster.key] = cost
            return story
        story = got.value
        cost = StoryCost(
            story.headline, got.by, got.input_tokens, got.output_tokens, time.monotonic() - started
        )
        with self.report.lock:
            self.report.model_stories += 1
            self.report.cached_stories += got.by == BY_CACHE
            self.report.costs[cluster.key] = cost
        return story

    def obtain(self, ask: Ask, validate: Callable[[dict[str, Any]], T]) -> Obtained[T]:
        """A validated reply to `ask`: from the cache, else from the model (then cached)."""
        key = request_key(self.client.name, self.client.model, PROMPT_VERSION, ask)
        if self.cache is not None:
            fields = self.cache.get(key)
            if fields is not None:
                try:
                    return Obtained(validate(fields), BY_CACHE)
                except InvalidReply:
                    pass  # kept under older rules: ask again
        if self._given_up():
            raise Failed(f"skipped: {self.client.name} failed earlier in this run")
        try:
            reply = self._call(ask)
        except Unavailable as exc:
            self._count_failure()
            raise Failed(str(exc)) from None
        self._count_success()
        tokens = (reply.input_tokens, reply.output_tokens)
        self.report.add_usage(*tokens)
        if reply.fields is None:
            raise Failed(f"invalid reply: {reply.problem}", tokens)
        try:
            value = validate(reply.fields)
        except InvalidReply as exc:
            raise Failed(f"invalid reply: {exc}", tokens) from None
        if self.cache is not None:
            self.cache.put(key, f"{self.client.name}/{self.client.model}", reply.fields, tokens)
        return Obtained(value, BY_MODEL, *tokens)

    def _call(self, ask: Ask) -> ModelReply:
        """One request, retried on throttling after Retry-After or 1×, 2×, 4× … `backoff`."""
        attempts = self.client.max_attempts
        for attempt in range(attempts):
            with self.report.lock:
                self.report.calls += 1
            try:
                return self.client.ask(ask)
            except Throttled as exc:
                if attempt + 1 == attempts:
                    raise Unavailable(f"still throttled after {attempts} tries ({exc})") from None
                with self.report.lock:
                    self.report.retries += 1
                wait = exc.retry_after if exc.retry_after is not None else self.backoff * 2**attempt
                self.sleep(min(MAX_BACKOFF, max(0.0, wait)))
        raise AssertionError("unreachable: max_attempts >= 1")

    def _given_up(self) -> bool:
        with self._lock:
            return self._failures_in_a_row >= GIVE_UP_AFTER

    def _count_failure(self) -> None:
        with self._lock:
            self._failures_in_a_row += 1

    def _count_success(self) -> None:
        with self._lock:
            self._failures_in_a_row = 0
