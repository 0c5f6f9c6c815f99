"""Items → Briefing: select the stories, let the configured writer word them, frame them."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date, datetime

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from newsletter.articles.read import ArticleSource, read_articles
from newsletter.brief import frame
from newsletter.brief.report import DraftReport
from newsletter.brief.select import Beat, Candidate, Cluster, choose
from newsletter.brief.setup import DraftSetup
from newsletter.brief.writers.base import Writer
from newsletter.brief.writers.editor import edit_frame
from newsletter.brief.writers.extractive import is_quoted
from newsletter.brief.writers.model import ModelWriter
from newsletter.brief.writers.registry import make_writer
from newsletter.columns import clip_columns
from newsletter.model import Briefing, Item, Story

#: Display columns (a Hangul or CJK character takes two): a headline is one line a reader
#: takes in at a glance — what the model prompts ask for (60 Korean / 80 English characters)
#: fits, and a feed title of 20,000 characters cannot flood the edition or its size limit.
HEADLINE_COLUMNS = 120
#: Source titles and summary headings, shown in smaller type under or above the story.
TITLE_COLUMNS = 200


class EmptyDay(Exception):
    """No story to write, and nothing must be sent: no items in the window, or
    `candidates` stories none of which could be picked (why each: the draft report)."""

    def __init__(self, message: str, candidates: int = 0) -> None:
        super().__init__(message)
        self.candidates = candidates


def draft_briefing(
    items: list[Item],
    setup: DraftSetup,
    day: date,
    send_moment: datetime,
    database: Callable[[], Engine],
    report: DraftReport | None = None,
) -> Briefing:
    """The day's Briefing; raises EmptyDay when the window holds no items.

    The window is `[brief] window_hours` before `send_moment` (when `day`'s edition
    goes out). `database` opens the engine of the article and reply caches, only
    when one is used; a database problem turns the cache off, never the draft.
    `report` (when given) is filled with what the writer did: fallbacks, tokens, cost.
    """
    started = time.monotonic()
    brief = setup.brief
    report = report if report is not None else DraftReport()
    candidates = choose(
        items,
        max_stories=brief.max_stories,
        max_per_section=brief.max_per_section,
        now=send_moment,
        window_hours=brief.window_hours,
        beat=Beat.of(brief.topics, brief.exclude),
    )
    report.candidates = candidates
    picked = sorted((c for c in candidates if c.picked), key=lambda c: c.picked)
    clusters = [candidate.cluster for candidate in picked]
    if brief.fetch_articles:
        clusters = with_articles(clusters, setup, database, report)
    else:
        report.articles.disabled = True
    if not clusters and candidates:
        raise EmptyDay(
            f"none of the {len(candidates)} candidate stories could be picked "
            f"({_why_none(candidates)})",
            len(candidates),
        )
    if not clusters:
        raise EmptyDay(
            f"no items in the {brief.window_hours} h window before "
            f"{send_moment.isoformat(timespec='minutes')}"
            + (f" ({len(items)} collected items are all outside it)" if items else "")
        )
    language = setup.language
    writer = make_writer(setup, report, database)
    stories = [
        within_limits(story)
        for story in write_stories(writer, clusters, language, brief.concurrency)
    ]
    report.stories = len(stories)
    report.order = [cluster.key for cluster in clusters]
    order = {cluster.items[0].title: n for n, cluster in enumerate(clusters)}
    report.fallbacks.sort(key=lambda f: order.get(f.headline, len(order)))
    name = setup.name
    quoted = any(is_quoted(story, language) for story in stories)
    edition_frame = frame.offline_frame(day, language, name=name, stories=stories, quoted=quoted)
    if isinstance(writer, ModelWriter):
        long = frame.long_date(day, language)
        edition_frame = edit_frame(writer, stories, language, long, edition_frame)
        if writer.cache is not None and writer.cache.problem:
            report.notes.append(f"reply cache off: {writer.cache.problem}")
    report.seconds = time.monotonic() - started
    return Briefing(
        date=day,
        title=edition_frame.title,
        subject=edition_frame.subject,
        preheader=edition_frame.preheader,
        language=language,
        intro=edition_frame.intro,
        stories=[
            replace(story, emoji=emoji)
            for story, emoji in zip(stories, edition_frame.emoji, strict=True)
        ],
        outro=edition_frame.outro,
    )


def write_stories(
    writer: Writer, clusters: list[Cluster], language: str, concurrency: int
) -> list[Story]:
    """Every cluster's story, in order; a network-bound writer writes `concurrency` at once."""
    if not getattr(writer, "concurrent", False) or concurrency <= 1 or len(clusters) <= 1:
        return [writer.write(cluster, language) for cluster in clusters]
    with ThreadPoolExecutor(max_workers=min(concurrency, len(clusters))) as pool:
        return list(pool.map(lambda cluster: writer.write(cluster, language), clusters))


def within_limits(story: Story) -> Story:
    """The story with its headline and titles capped by display width (with an ellipsis)."""
    return replace(
        story,
        headline=clip_columns(story.headline, HEADLINE_COLUMNS),
        summary_title=clip_columns(story.summary_title, TITLE_COLUMNS),
        why_title=clip_columns(story.why_title, TITLE_COLUMNS),
        sources=[replace(s, title=clip_columns(s.title, TITLE_COLUMNS)) for s in story.sources],
    )


def _why_none(candidates: list[Candidate]) -> str:
    """The commonest reasons, counted: "12 off the beat: no topic matched, 3 not news"."""
    counts: dict[str, int] = {}
    for candidate in candidates:
        reason = candidate.reason.split(":")[0] if candidate.reason else "not picked"
        counts[reason] = counts.get(reason, 0) + 1
    return ", ".join(f"{n} {reason}" for reason, n in sorted(counts.items(), key=lambda kv: -kv[1]))


def with_articles(
    clusters: list[Cluster],
    setup: DraftSetup,
    database: Callable[[], Engine],
    report: DraftReport,
) -> list[Cluster]:
    """The clusters with each source's article text, where its page could be read."""
    source = ArticleSource.of(
        setup.collect, setup.base_url, _ready_or_none(database), setup.brief.article_mirror
    )
    items = [item for cluster in clusters for item in cluster.items]
    read = {item.id: item for item in read_articles(items, source, report.articles)}
    return [Cluster(c.key, tuple(read.get(i.id, i) for i in c.items)) for c in clusters]


def _ready_or_none(database: Callable[[], Engine]) -> Engine | None:
    """The database for the article cache; None (no cache, articles still read) when it
    cannot be made ready: a database problem never stops a draft."""
    try:
        return database()
    except SQLAlchemyError:
        return None
