"""The four stages around the files of one edition: collect → draft → render → send.

Every stage reads the previous stage's file and writes its own under
`editions/D/`, so each can be re-run alone, a person can edit `briefing.json`
in between, and `daily` (`operations.daily`, the one orchestrator of the day)
can skip what is already done. Sending is made exactly-once by the send log, so
running `daily` twice sends nothing twice. Nothing here imports `operations`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from newsletter import db
from newsletter.audience.tokens import SecretKeyError
from newsletter.brief.briefing_file import (
    BRIEFING_NAME,
    is_hand_edited,
    load_briefing,
    save_briefing,
)
from newsletter.brief.draft import EmptyDay, draft_briefing
from newsletter.brief.report import DraftReport
from newsletter.collect import CollectError, CollectResult, collect_edition
from newsletter.feedback.retention import Pruned, prune
from newsletter.files import replace_together, write_atomically
from newsletter.model import Briefing, Edition, ModelError, items_from_json, items_to_json
from newsletter.publish.jekyll import PublishError, post_slug, publish_post
from newsletter.render import RenderError, write_edition
from newsletter.render.checks import CheckFailed
from newsletter.render.context import preheader_for, subject_for
from newsletter.render.triage import Rendered, render_checked
from newsletter.runtime import Runtime
from newsletter.send.campaign import CampaignStopped, CampaignSummary, Progress, run_campaign
from newsletter.send.message import HeaderInjection
from newsletter.signup.service import purge_unconfirmed

ITEMS_NAME = "items.json"
FEEDS_REPORT_NAME = "feeds.json"
SELECTION_NAME = "selection.json"  # every candidate story: score parts, picked or why not
Say = Callable[[str], None]


class StageError(Exception):
    """A stage cannot go on; the message is one line saying what is wrong.

    What to run about it is not said here: the subclasses carry the facts (the
    missing file, the step that makes it, the date) and the edge that called the
    stage (the CLI, the preview page) words the advice for its own user.
    """


class InputMissing(StageError):
    """`path`, which `step` makes for `day`, is not there yet."""

    def __init__(self, path: Path | str, step: str, day: date) -> None:
        super().__init__(f"{path}: not found")
        self.path, self.step, self.day = Path(path), step, day


class HandEdited(StageError):
    """The briefing at `path` was edited by a person: a re-draft would lose the edit."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} was edited by hand")
        self.path = path


class RenderOutdated(StageError):
    """The briefing at `path` changed after `day`'s edition was rendered."""

    def __init__(self, path: Path, day: date) -> None:
        super().__init__(f"{path} changed after the last render")
        self.path, self.day = path, day


class NothingPicked(StageError):
    """No story for `day`; `candidates` > 0 when there were some and none could be picked
    (the draft's selection report says why, story by story)."""

    def __init__(self, message: str, candidates: int, day: date) -> None:
        super().__init__(message)
        self.candidates, self.day = candidates, day


class StageRefused(StageError):
    """The setup forbids the stage (no usable secret key, a header that would inject):
    running it again changes nothing until the configuration does."""


class SendStopped(StageError):
    """The campaign of `day` stopped before its end, nothing lost (`kind` as in
    `send.campaign.CampaignStopped`: not-started | quota | stopped)."""

    def __init__(self, message: str, kind: str, day: date) -> None:
        super().__init__(message)
        self.kind, self.day = kind, day


def _quiet(_: str) -> None:
    return None


def collect_stage(runtime: Runtime, day: date, *, progress: bool = False) -> CollectResult:
    """Fetch every feed and write `items.json` and the per-feed report `feeds.json`."""
    if not runtime.settings.feeds:  # not "every feed failed": there is none to fail
        raise StageError(
            f"{runtime.settings.path}: no [[feeds]]: add the feeds to collect from "
            "(a [[feeds]] table with url, section and name each)"
        )
    moment = runtime.settings.send_moment(day)
    try:
        result = collect_edition(
            lambda: runtime.engine, runtime.collect_setup, day, moment, progress=progress
        )
    except CollectError as exc:
        raise StageError(str(exc)) from None
    directory = runtime.paths.edition_dir(day)
    directory.mkdir(parents=True, exist_ok=True)
    files = {directory / FEEDS_REPORT_NAME: result.report_json()}
    if result.ok:
        files[directory / ITEMS_NAME] = items_to_json(result.items, day)
    replace_together(files)
    return result


def draft_stage(
    runtime: Runtime, day: date, *, force: bool = False, report: DraftReport | None = None
) -> Briefing:
    """Write `briefing.json` from `items.json`, never over a hand-edited one unless forced.

    `report` (when given) receives which stories the model wrote, fallbacks and tokens.
    """
    directory = runtime.paths.edition_dir(day)
    items_path = directory / ITEMS_NAME
    if not items_path.exists():
        raise InputMissing(items_path, "collect", day)
    if not force and is_hand_edited(directory):
        raise HandEdited(directory / "briefing.json")
    try:
        items = items_from_json(items_path.read_text(encoding="utf-8"))
    except ModelError as exc:
        raise StageError(f"{items_path}: {exc}") from None
    try:
        moment = runtime.settings.send_moment(day)
        briefing = draft_briefing(
            items, runtime.draft_setup, day, moment, lambda: runtime.engine, report
        )
    except EmptyDay as exc:
        raise NothingPicked(f"nothing to send for {day}: {exc}", exc.candidates, day) from None
    save_briefing(briefing, directory)
    if report is not None and report.candidates:  # why each story was (not) picked
        write_atomically(directory / SELECTION_NAME, report.selection_json(day))
    return briefing


def load_valid_briefing(directory: Path, day: date) -> Briefing:
    """The briefing in `directory`, or a StageError naming the JSON path of what is wrong."""
    path = directory / BRIEFING_NAME
    if not path.exists():
        raise InputMissing(path, "draft", day)
    try:
        briefing = load_briefing(directory)
    except ModelError as exc:
        raise StageError(f"{path}: {exc}") from None
    if briefing.date != day:  # another day's file copied as a start: its date would go out
        raise StageError(
            f"{path}: date: {briefing.date}, not this edition's {day} (set it, or re-draft "
            f"with `newsletter draft --date {day} --force`)"
        )
    return briefing


def render_stage(runtime: Runtime, day: date, *, say: Say = _quiet) -> Rendered:
    """Render email.html, email.txt, post.md and web.html; nothing is written when a quality
    gate fails. With `[publish] jekyll_posts_dir`, the post goes there too (`say` tells how).

    A story that fails a story-level gate is left out and named in `dropped` (the
    rest of the edition goes out); an edition-wide failure stops the render.
    """
    directory = runtime.paths.edition_dir(day)
    briefing = load_valid_briefing(directory, day)
    try:
        rendered = render_checked(briefing, runtime.render_options)
    except CheckFailed as exc:
        raise StageError(f"quality gate failed: {exc}") from None
    except RenderError as exc:
        raise StageError(str(exc)) from None
    write_edition(rendered.edition, directory)
    if runtime.paths.jekyll_posts_dir is not None:
        say(publish_jekyll_post(runtime, day, briefing.title, rendered.edition.markdown))
    return rendered


def publish_jekyll_post(runtime: Runtime, day: date, title: str, markdown: str) -> str:
    """Write the post into the Jekyll folder; the line to print. A failure here never stops
    the edition (the blog is a copy): it is reported, and the next render tries again."""
    posts_dir = runtime.paths.jekyll_posts_dir
    assert posts_dir is not None
    publish = runtime.settings.publish
    slug = post_slug(title, day, publish.jekyll_slug, runtime.settings.list_id)
    try:
        post = publish_post(
            markdown,
            day,
            slug,
            posts_dir,
            edition_dir=runtime.paths.edition_dir(day),
            git_commit=publish.jekyll_git_commit,
        )
    except PublishError as exc:
        return f"jekyll: post not published: {exc}"
    state = "written" if post.changed else "unchanged"
    committed = f", committed {post.committed}" if post.committed else ""
    return f"jekyll: {post.path} {state}{committed}"


def load_rendered_edition(directory: Path, day: date) -> Edition:
    """The edition as rendered in `directory`: what `send` delivers, never re-rendered
    per recipient."""
    briefing = load_valid_briefing(directory, day)
    if (directory / "email.html").exists() and not render_is_current(directory):
        raise RenderOutdated(directory / "briefing.json", day)
    try:
        html = (directory / "email.html").read_text(encoding="utf-8")
        text = (directory / "email.txt").read_text(encoding="utf-8")
        markdown = (directory / "post.md").read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputMissing(exc.filename, "render", day) from None

    return Edition(day, subject_for(briefing), preheader_for(briefing), html, text, markdown)


def send_stage(
    runtime: Runtime,
    day: date,
    *,
    resend_ambiguous: bool = False,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> CampaignSummary:
    """Run the campaign; an early stop (paused account, quota, Ctrl-C) is one StageError line.

    The edition's row records `sending`, then `sent` once no recipient is left to
    anyone — with several send processes on one campaign, the last one says so.
    """
    editions = runtime.editions
    with editions.recording(day, "send"):
        edition = load_rendered_edition(runtime.paths.edition_dir(day), day)
        editions.advance(day, "sending")
        try:
            summary = run_campaign(
                runtime.campaign(),
                day,
                edition,
                resend_ambiguous=resend_ambiguous,
                progress=progress,
                cancel=cancel,
            )
        except (SecretKeyError, HeaderInjection) as exc:
            raise StageRefused(str(exc)) from None
        except CampaignStopped as exc:
            raise SendStopped(str(exc), exc.kind, day) from None
    if summary.pending == 0 and summary.elsewhere == 0:
        editions.advance(day, "sent")
    return summary


def purge_signups(runtime: Runtime) -> int:
    """Unconfirmed signups are personal data nobody agreed to keep: gone after
    `signup.unconfirmed_days` (30 by default)."""
    try:
        return purge_unconfirmed(runtime.subscribers, runtime.settings.signup)
    except SQLAlchemyError as exc:
        raise _database_error(exc) from None


def prune_feedback(runtime: Runtime) -> Pruned:
    """Notification ids past any redelivery and soft-bounce counts gone quiet (see
    `feedback.retention`)."""
    try:
        days = runtime.settings.feedback.transient_bounce_days
        return prune(runtime.engine, runtime.clock.now(), days)
    except SQLAlchemyError as exc:
        raise _database_error(exc) from None


def _database_error(exc: Exception) -> StageError:
    return StageError(f"database: {db.error_reason(exc)}")


def render_is_current(directory: Path) -> bool:
    """email.html, email.txt and post.md exist and are newer than briefing.json."""
    outputs = [directory / name for name in ("email.html", "email.txt", "post.md")]
    if not all(path.exists() for path in outputs):
        return False
    source = (directory / "briefing.json").stat().st_mtime
    return all(path.stat().st_mtime >= source for path in outputs)
