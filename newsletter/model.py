"""The data that flows through the pipeline: Item → Story/Source → Briefing.

Everything here is plain data with a lossless JSON form, because `briefing.json`
is a public, hand-editable file: a person may fix a headline between `draft` and
`send`, and the renderer must read back exactly what they wrote. This module
imports nothing else from the package (but the leaf `i18n`, for the languages there
are words for) so every stage can depend on it.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from newsletter.i18n import languages

SCHEMA_VERSION = 1


class ModelError(ValueError):
    """A JSON document does not match the model; `path` says where (e.g. `stories[2].headline`)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


@dataclass(frozen=True)
class Item:
    """One cleaned entry of one feed.

    `cluster` groups items that report the same story across feeds; the
    collector's dedupe sets it, and the writer turns one cluster into one Story.
    `article` is the article page's own main text, fetched by `draft` for the
    selected stories only (see `brief.articles`); empty when not fetched or when
    fetching failed. Writers read `body`, never `summary` or `article` directly.
    """

    id: str
    feed_url: str
    feed_title: str
    section: str
    title: str
    url: str
    published: datetime
    summary: str = ""
    content_html: str = ""
    author: str = ""
    guid: str = ""
    cluster: str = ""
    weight: float = 1.0
    article: str = ""

    @property
    def body(self) -> str:
        """What a writer writes from: the article's text when we have it, else the feed's.

        A feed's description is often one or two sentences (or only the title); the
        article page carries the facts. Both are plain text, boilerplate removed,
        paragraphs separated by blank lines, already trimmed to the writers' budget."""
        return self.article or self.summary

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["published"] = self.published.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: Any, path: str = "") -> Item:
        obj = _expect_dict(data, path)
        published = _datetime(obj.get("published"), f"{path}.published")
        fields = {
            name: _string(obj.get(name, ""), f"{path}.{name}")
            for name in (
                "id",
                "feed_url",
                "feed_title",
                "section",
                "title",
                "url",
                "summary",
                "content_html",
                "author",
                "guid",
                "cluster",
                "article",
            )
        }
        weight = obj.get("weight", 1.0)
        if not isinstance(weight, int | float) or isinstance(weight, bool):
            raise ModelError(f"{path}.weight", "must be a number")
        return cls(published=published, weight=float(weight), **fields)


@dataclass(frozen=True)
class Source:
    """A link under a story: where the reader can check the facts."""

    title: str
    url: str
    publisher: str = ""
    published: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "url": self.url,
            "publisher": self.publisher,
            "published": self.published.isoformat() if self.published else None,
        }

    @classmethod
    def from_dict(cls, data: Any, path: str) -> Source:
        obj = _known_keys(_expect_dict(data, path), cls, path)
        published = obj.get("published")
        return cls(
            title=_required_text(obj, "title", path),
            url=_http_url(obj.get("url"), f"{path}.url"),
            publisher=_string(obj.get("publisher", ""), f"{path}.publisher"),
            published=None if published is None else _datetime(published, f"{path}.published"),
        )


@dataclass(frozen=True)
class Story:
    """One section of the edition: emoji + headline, summary, why it matters, takeaway, sources."""

    emoji: str
    headline: str
    summary_title: str
    summary: list[str]
    why_title: str = ""
    why: list[str] = field(default_factory=list)
    takeaway: str = ""
    sources: list[Source] = field(default_factory=list)
    section: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "emoji": self.emoji,
            "headline": self.headline,
            "section": self.section,
            "summary_title": self.summary_title,
            "summary": list(self.summary),
            "why_title": self.why_title,
            "why": list(self.why),
            "takeaway": self.takeaway,
            "sources": [source.to_dict() for source in self.sources],
        }

    @classmethod
    def from_dict(cls, data: Any, path: str) -> Story:
        obj = _known_keys(_expect_dict(data, path), cls, path)
        summary = _paragraphs(obj.get("summary"), f"{path}.summary")
        if not summary:
            raise ModelError(f"{path}.summary", "a story needs at least one summary paragraph")
        sources = _list(obj.get("sources", []), f"{path}.sources")
        if not sources:
            raise ModelError(f"{path}.sources", "a story needs at least one source")
        return cls(
            emoji=_string(obj.get("emoji", ""), f"{path}.emoji"),
            headline=_required_text(obj, "headline", path),
            section=_string(obj.get("section", ""), f"{path}.section"),
            summary_title=_string(obj.get("summary_title", ""), f"{path}.summary_title"),
            summary=summary,
            why_title=_string(obj.get("why_title", ""), f"{path}.why_title"),
            why=_paragraphs(obj.get("why", []), f"{path}.why"),
            takeaway=_string(obj.get("takeaway", ""), f"{path}.takeaway"),
            sources=[Source.from_dict(s, f"{path}.sources[{i}]") for i, s in enumerate(sources)],
        )


@dataclass(frozen=True)
class Briefing:
    """The whole edition's content; rendered once into HTML, text and the archive post."""

    date: date
    title: str
    language: str
    intro: list[str]
    stories: list[Story]
    outro: list[str] = field(default_factory=list)
    schema: int = SCHEMA_VERSION
    #: The email's subject line and inbox preview text; empty → derived from title and intro
    #: (briefing.json files written before these fields existed still load).
    subject: str = ""
    preheader: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": self.schema,
            "date": self.date.isoformat(),
            "title": self.title,
            "subject": self.subject,
            "preheader": self.preheader,
            "language": self.language,
            "intro": list(self.intro),
            "stories": [story.to_dict() for story in self.stories],
            "outro": list(self.outro),
        }

    def to_json(self) -> str:
        """Pretty, diff-friendly JSON with Unicode kept as text (Korean stays readable)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_dict(cls, data: Any) -> Briefing:
        obj = _known_keys(_expect_dict(data, ""), cls, "")
        schema = obj.get("schema")
        if schema != SCHEMA_VERSION:
            raise ModelError("schema", f"expected {SCHEMA_VERSION}, found {schema!r}")
        stories = _list(obj.get("stories"), "stories")
        if not stories:
            raise ModelError("stories", "a briefing needs at least one story")
        language = _string(obj.get("language"), "language")
        if language not in languages():
            raise ModelError(
                "language", f"must be one of {', '.join(languages())}, found {language!r}"
            )
        try:
            day = date.fromisoformat(_string(obj.get("date"), "date"))
        except ValueError:
            raise ModelError("date", "must be a date like 2026-02-07") from None
        return cls(
            schema=schema,
            date=day,
            title=_required_text(obj, "title", ""),
            subject=_string(obj.get("subject", ""), "subject"),
            preheader=_string(obj.get("preheader", ""), "preheader"),
            language=language,
            intro=_paragraphs(obj.get("intro", []), "intro"),
            stories=[Story.from_dict(s, f"stories[{i}]") for i, s in enumerate(stories)],
            outro=_paragraphs(obj.get("outro", []), "outro"),
        )

    @classmethod
    def from_json(cls, text: str) -> Briefing:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ModelError(
                "", f"not valid JSON (line {exc.lineno}, column {exc.colno})"
            ) from None
        return cls.from_dict(data)


def items_to_json(items: list[Item], edition: date) -> str:
    """The `items.json` document of one edition."""
    doc = {
        "schema": SCHEMA_VERSION,
        "date": edition.isoformat(),
        "items": [item.to_dict() for item in items],
    }
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def items_from_json(text: str) -> list[Item]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ModelError("", f"not valid JSON (line {exc.lineno}, column {exc.colno})") from None
    obj = _expect_dict(doc, "")
    if obj.get("schema") != SCHEMA_VERSION:
        raise ModelError("schema", f"expected {SCHEMA_VERSION}, found {obj.get('schema')!r}")
    return [
        Item.from_dict(d, f"items[{i}]") for i, d in enumerate(_list(obj.get("items"), "items"))
    ]


# -- validation of hand-edited JSON: every error names its JSON path -------------------------


def _where(path: str) -> str:
    return path.lstrip(".") or "(document)"


def _expect_dict(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ModelError(_where(path), "must be an object")
    return value


def _known_keys(obj: dict[str, Any], cls: type, path: str) -> dict[str, Any]:
    """`obj` when each key is a field of `cls`: a hand edit under a misspelt key would
    otherwise vanish from the edition without a word."""
    known = [spec.name for spec in fields(cls)]
    for key in obj:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise ModelError(_where(f"{path}.{key}"), f"unknown key{hint}")
    return obj


def _list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise ModelError(_where(path), "must be a list")
    return value


def _string(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise ModelError(_where(path), "must be a string")
    return value


def _required_text(obj: dict[str, Any], key: str, path: str) -> str:
    value = _string(obj.get(key), f"{path}.{key}")
    if not value.strip():
        raise ModelError(_where(f"{path}.{key}"), "must not be empty")
    return value


def _paragraphs(value: Any, path: str) -> list[str]:
    items = _list(value, path)
    paragraphs = [_string(p, f"{path}[{i}]") for i, p in enumerate(items)]
    return [p for p in paragraphs if p.strip()]


def _http_url(value: Any, path: str) -> str:
    url = _string(value, path)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ModelError(_where(path), f"must be an absolute http(s) URL, found {url!r}")
    return url


def _datetime(value: Any, path: str) -> datetime:
    try:
        moment = datetime.fromisoformat(_string(value, path))
    except ValueError:
        raise ModelError(_where(path), "must be an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        raise ModelError(_where(path), "must carry a time zone offset")
    return moment


# -- the rendered edition ------------------------------------------------------------------

#: Placeholders the renderer leaves in the HTML and text for per-recipient values.
#: `send` fills them by plain substitution; the edition is never re-rendered per recipient.
UNSUBSCRIBE_PLACEHOLDER = "%%UNSUBSCRIBE_URL%%"
NAME_PLACEHOLDER = "%%SUBSCRIBER_NAME%%"


@dataclass(frozen=True)
class Edition:
    """What `render` makes from one Briefing, and what `send` delivers."""

    date: date
    subject: str
    preheader: str
    html: str
    text: str
    markdown: str
    web_html: str = ""  # the public web copy (no preheader, no unsubscribe link)
