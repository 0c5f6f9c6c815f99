"""`newsletter report`: how each edition did — delivery, bounces, engagement, who left after it.

Everything is counted from what the database already holds: the send log (who
was sent what), the delivery events SES published (`delivery_events`) and the
subscribers' history (`subscriber_events`). Counts of events are per message
(`count(DISTINCT message_id)`): SES may report one open many times, and the
report says how many *people* opened, not how often.

- list size: the edition's rows in the send log, i.e. the active subscribers
  when it went out (later sign-ups are not in it);
- bounced hard = Permanent bounces, soft = Transient and Undetermined ones;
- opens and clicks only when `feedback.track_opens` / `track_clicks` are on
  (None otherwise, shown as "–": not zero, just not measured);
- clicks per story: a click's original URL is matched to the story whose source
  it is (the edition's `briefing.json`); other links (the web copy, unsubscribe)
  are counted apart;
- unsubscribes after an edition: the unsubscribe link does not say which
  message it came from, so each unsubscribe is attributed to the newest edition
  sent to that person before they left.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import Engine, case, func, select

from newsletter import db, schema
from newsletter.brief.briefing_file import load_briefing
from newsletter.config import FeedbackSettings
from newsletter.schema import subscriber_events

# (headline, source URLs) of each story, in order; [] when the edition's files are gone
StoryLinks = Callable[[str], list[tuple[str, list[str]]]]


@dataclass
class StoryClicks:
    index: int  # 1-based, as in the email
    headline: str
    people: int = 0  # unique clickers
    clicks: int = 0


@dataclass
class EditionReport:
    edition: str
    list_size: int = 0
    sent: int = 0
    failed: int = 0
    delivered: int = 0
    bounced_hard: int = 0
    bounced_soft: int = 0
    complained: int = 0
    rejected: int = 0
    delayed: int = 0
    opened: int | None = None  # unique opens; None: not tracked
    clicked: int | None = None  # unique clickers; None: not tracked
    unsubscribed: int = 0
    stories: list[StoryClicks] = field(default_factory=list)
    other_links: list[tuple[str, int]] = field(default_factory=list)  # (url, unique clickers)

    def rate(self, count: int | None, of: int | None = None) -> float | None:
        """`count` as a share of the delivered messages (of the sent ones before any
        Delivery event arrived), or None when it is not measured."""
        base = of if of is not None else (self.delivered or self.sent)
        if count is None or not base:
            return None
        return count / base

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["other_links"] = [{"url": url, "people": n} for url, n in self.other_links]
        data["rates"] = {
            "delivered": self.rate(self.delivered, self.sent),
            "bounced": self.rate(self.bounced_hard + self.bounced_soft, self.sent),
            "complained": self.rate(self.complained),
            "opened": self.rate(self.opened),
            "clicked": self.rate(self.clicked),
            "unsubscribed": self.rate(self.unsubscribed),
        }
        return data


@dataclass(frozen=True)
class Tracking:
    opens: bool = False
    clicks: bool = False


def recent_editions(engine: Engine, last: int) -> list[str]:
    """The newest `last` editions that were sent to anyone, newest first."""
    table = schema.send_log
    query = (
        select(table.c.edition)
        .where(table.c.state == "sent")
        .group_by(table.c.edition)
        .order_by(table.c.edition.desc())
        .limit(last)
    )
    with engine.connect() as connection:
        return list(connection.scalars(query))


def build(
    engine: Engine, editions: Iterable[str], stories: StoryLinks, tracking: Tracking
) -> list[EditionReport]:
    """One report per edition, in the order given."""
    keys = list(dict.fromkeys(editions))
    if not keys:
        return []
    reports = {key: EditionReport(key) for key in keys}
    with engine.connect() as connection:
        _send_log(connection, reports)
        _events(connection, reports, tracking)
        if tracking.clicks:
            _clicks(connection, reports, stories)
        _unsubscribes(connection, reports)
    return [reports[key] for key in keys]


def _send_log(connection: Any, reports: dict[str, EditionReport]) -> None:
    table = schema.send_log
    query = (
        select(table.c.edition, table.c.state, func.count())
        .where(table.c.edition.in_(reports))
        .group_by(table.c.edition, table.c.state)
    )
    for edition, state, count in connection.execute(query):
        report = reports[edition]
        report.list_size += count
        if state == "sent":
            report.sent = count
        elif state == "failed":
            report.failed = count


def _events(connection: Any, reports: dict[str, EditionReport], tracking: Tracking) -> None:
    table = schema.delivery_events
    hard = case((table.c.detail.like("Permanent%"), "hard"), else_="soft")
    grade = case((table.c.kind == "bounce", hard), else_="")
    query = (
        select(table.c.edition, table.c.kind, grade, func.count(func.distinct(table.c.message_id)))
        .where(table.c.edition.in_(reports))
        .group_by(table.c.edition, table.c.kind, grade)
    )
    if tracking.opens:
        for report in reports.values():
            report.opened = 0
    if tracking.clicks:
        for report in reports.values():
            report.clicked = 0
    for edition, kind, graded, count in connection.execute(query):
        report = reports[edition]
        if kind == "bounce":
            if graded == "hard":
                report.bounced_hard += count
            else:
                report.bounced_soft += count
        elif kind == "open" and tracking.opens:
            report.opened = count
        elif kind == "click" and tracking.clicks:
            report.clicked = count
        elif kind in ("delivery", "complaint", "reject"):
            name = {"delivery": "delivered", "complaint": "complained", "reject": "rejected"}
            setattr(report, name[kind], count)
        elif kind == "delay":
            report.delayed = count


def _clicks(connection: Any, reports: dict[str, EditionReport], stories: StoryLinks) -> None:
    table = schema.delivery_events
    query = (
        select(
            table.c.edition,
            table.c.link,
            func.count(func.distinct(table.c.message_id)),
            func.count(),
        )
        .where(table.c.edition.in_(reports), table.c.kind == "click")
        .group_by(table.c.edition, table.c.link)
    )
    rows: dict[str, list[tuple[str, int, int]]] = {}
    for edition, link, people, clicks in connection.execute(query):
        rows.setdefault(edition, []).append((link or "", people, clicks))
    for edition, report in reports.items():
        owners: dict[str, int] = {}
        for index, (headline, urls) in enumerate(stories(edition), 1):
            report.stories.append(StoryClicks(index, headline))
            for url in urls:
                owners.setdefault(normal_url(url), index)
        other: dict[str, int] = {}
        for link, people, clicks in rows.get(edition, []):
            owner = owners.get(normal_url(link))
            if owner is None:
                other[link] = other.get(link, 0) + people
                continue
            story = report.stories[owner - 1]
            story.people += people  # one person clicking two sources of a story counts twice
            story.clicks += clicks
        report.other_links = sorted(other.items(), key=lambda item: (-item[1], item[0]))[:5]


def _unsubscribes(connection: Any, reports: dict[str, EditionReport]) -> None:
    """Each unsubscribe → the newest edition the person was sent before it."""
    events, log = subscriber_events, schema.send_log
    newest = (
        select(func.max(log.c.edition))
        .where(
            log.c.subscriber_id == events.c.subscriber_id,
            log.c.state == "sent",
            log.c.updated_at <= events.c.time,
        )
        .scalar_subquery()
    )
    query = (
        select(newest.label("edition"), func.count(func.distinct(events.c.subscriber_id)))
        .where(events.c.status == "unsubscribed")
        .group_by("edition")
    )
    for edition, count in connection.execute(query):
        if edition in reports:
            reports[edition].unsubscribed = count


def normal_url(url: str) -> str:
    """The same page written slightly differently (a trailing slash, a fragment) is one URL."""
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def ready(engine: Engine) -> Engine:
    """`engine` with the tables the report reads (a database that never sent has none)."""
    db.ensure_schema(engine)
    return engine


def story_links(edition_dir: Callable[[str], Path]) -> StoryLinks:
    """(headline, source URLs) per story from each edition's briefing.json."""

    def links(edition: str) -> list[tuple[str, list[str]]]:
        try:
            briefing = load_briefing(edition_dir(edition))
        except (OSError, ValueError):  # removed, or not readable: clicks count as other links
            return []
        return [(story.headline, [s.url for s in story.sources]) for story in briefing.stories]

    return links


def report_for(
    engine: Engine,
    edition_dir: Callable[[str], Path],
    feedback: FeedbackSettings,
    *,
    day: date | None = None,
    last: int = 7,
) -> list[EditionReport]:
    """`newsletter report`: the edition of `day`, or the newest `last` editions sent.

    `edition_dir` finds an edition's folder (its briefing names the stories' links);
    `feedback` says whether opens and clicks were tracked at all.
    """
    editions = [day.isoformat()] if day else recent_editions(engine, last)
    tracking = Tracking(feedback.track_opens, feedback.track_clicks)
    return build(engine, editions, story_links(edition_dir), tracking)
