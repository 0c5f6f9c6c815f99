"""Model replies kept in the database, so the same request is never paid for twice.

`draft --force` after a hand edit, a `daily` re-run after a failed render, a
second attempt at the frame: each would otherwise ask the model again for
stories it has already written. The key is a hash of everything that shapes the
reply (provider, model, prompt version, the full prompt with the sources' text),
so a changed article, model or prompt asks again, and nothing else does. Only
replies that passed validation are kept, and only for `KEEP_DAYS`: a re-draft
happens within days, and the table must not grow for ever.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError

from newsletter import db
from newsletter.brief.writers.base import Ask
from newsletter.schema import reply_cache as replies

KEEP_DAYS = 30


def request_key(provider: str, model: str, version: str, ask: Ask) -> str:
    """The hash of everything that shapes a reply."""
    material = json.dumps(
        [provider, model, version, ask.system, ask.user, ask.tool, ask.schema],
        ensure_ascii=False,
        sort_keys=True,
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


class ReplyCache:
    """Reads and writes cached replies; a database problem turns it off, never the draft."""

    def __init__(self, engine: Engine | None, problem: str = "") -> None:
        """On a ready engine (`open`); replies older than KEEP_DAYS go at once.

        Without one (`problem` says why) the cache is off: nothing is read or kept."""
        self.engine = engine
        self.problem = problem
        if engine is None or problem:
            return
        try:
            with engine.begin() as connection:  # a few rows a day: the sweep is cheap
                cutoff = datetime.now(UTC) - timedelta(days=KEEP_DAYS)
                connection.execute(replies.delete().where(replies.c.created < cutoff))
        except SQLAlchemyError as exc:
            self.problem = db.error_reason(exc)

    @classmethod
    def open(cls, database: Callable[[], Engine]) -> ReplyCache:
        """The cache on the engine `database` opens; one that cannot be opened turns it off."""
        try:
            return cls(database())
        except SQLAlchemyError as exc:
            return cls(None, problem=db.error_reason(exc))

    def get(self, key: str) -> dict[str, Any] | None:
        if self.problem or self.engine is None:
            return None
        try:
            with self.engine.connect() as connection:
                raw = connection.scalar(select(replies.c.reply).where(replies.c.key == key))
        except SQLAlchemyError as exc:
            self.problem = db.error_reason(exc)
            return None
        if raw is None:
            return None
        try:
            found = json.loads(raw)
        except ValueError:
            return None
        return found if isinstance(found, dict) else None

    def put(self, key: str, model: str, fields: dict[str, Any], tokens: tuple[int, int]) -> None:
        if self.problem or self.engine is None:
            return
        row = {
            "key": key,
            "model": model[:300],
            "reply": json.dumps(fields, ensure_ascii=False),
            "input_tokens": tokens[0],
            "output_tokens": tokens[1],
            "created": datetime.now(UTC),
        }
        try:
            with self.engine.begin() as connection:
                insert = db.insert_ignoring_duplicates(connection, replies, "key")
                connection.execute(insert, [row])
        except SQLAlchemyError as exc:
            self.problem = db.error_reason(exc)
