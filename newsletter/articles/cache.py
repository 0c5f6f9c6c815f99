"""`article_cache`: each article page's validators and extracted text, by URL.

A re-draft (or tomorrow's edition, when a story runs on) asks the publisher with
`If-None-Match`/`If-Modified-Since` and reuses the text on a 304, so a page is
downloaded and extracted once. Only pages that gave text are kept. A database
problem turns the cache off for the run, never the draft.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import SQLAlchemyError

from newsletter import db
from newsletter.schema import article_cache as articles

TABLE_NAME = articles.name


@dataclass(frozen=True)
class CachedArticle:
    url: str
    etag: str
    last_modified: str
    text: str


class ArticleCache:
    def __init__(self, engine: Engine) -> None:
        """On a ready engine (`db.ready`): nothing here migrates the schema."""
        self.engine = engine
        self.problem = ""

    def load(self, urls: list[str]) -> dict[str, CachedArticle]:
        if self.problem or not urls:
            return {}
        t = articles
        try:
            with self.engine.connect() as connection:
                rows = connection.execute(
                    select(t.c.url, t.c.etag, t.c.last_modified, t.c.text).where(t.c.url.in_(urls))
                ).all()
        except SQLAlchemyError as exc:
            self.problem = db.error_reason(exc)
            return {}
        return {
            row.url: CachedArticle(row.url, row.etag, row.last_modified, row.text) for row in rows
        }

    def save(self, found: list[CachedArticle]) -> None:
        """Insert or refresh these pages' rows (one transaction)."""
        if self.problem or not found:
            return
        t, now = articles, time.time()
        try:
            with self.engine.begin() as connection:
                for page in found:
                    values = {
                        "etag": page.etag,
                        "last_modified": page.last_modified,
                        "text": page.text,
                        "fetched_at": now,
                    }
                    changed = connection.execute(
                        update(t).where(t.c.url == page.url).values(values)
                    )
                    if not changed.rowcount:
                        connection.execute(t.insert().values(url=page.url, **values))
        except SQLAlchemyError as exc:
            self.problem = db.error_reason(exc)
