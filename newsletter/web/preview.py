"""`newsletter preview`: the edition as readers will see it, re-rendered whenever it changes.

The page shows the HTML at desktop and phone width side by side, the plain
text, the subject and preheader, the HTML size against Gmail's 102 KB clipping
limit and every quality gate. It renders in memory from `briefing.json` and the
templates (it never writes the edition: only `newsletter render` does, after the
gates pass) and says whether `email.html` on disk matches what it shows.

A render is cached under a fingerprint of `briefing.json` and the template
files, so a reload after an edit shows the new edition and a reload without one
costs a few `stat` calls; the page also polls the fingerprint and reloads
itself. The date comes from the URL, so it is checked strictly (YYYY-MM-DD,
inside `editions/`) before any path is built from it.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import threading
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from newsletter.cli.hints import stage_line
from newsletter.config import Identity
from newsletter.model import NAME_PLACEHOLDER, UNSUBSCRIBE_PLACEHOLDER, Briefing, Edition
from newsletter.pipeline import StageError, load_valid_briefing
from newsletter.render import RenderError, build_edition, check_edition
from newsletter.render.checks import ERROR, GMAIL_CLIP_BYTES, CheckResult
from newsletter.render.content import content_checks
from newsletter.render.environment import TEMPLATES_ENV
from newsletter.render.options import RenderOptions
from newsletter.runtime import Paths

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PREVIEW_UNSUBSCRIBE = "#unsubscribe-link-preview"


class BadDate(ValueError):
    """The date in the URL or on the command line is not an edition date."""


def edition_day(paths: Paths, value: str) -> tuple[date, Path]:
    """(date, its edition folder) for a strict YYYY-MM-DD that stays inside editions/."""
    if not _DATE.match(value):
        raise BadDate(f"not a date (YYYY-MM-DD): {value[:40]!r}")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise BadDate(f"not a calendar date: {value!r}") from None
    editions = Path(os.path.normpath(paths.editions_dir))
    directory = Path(os.path.normpath(paths.edition_dir(day)))
    if directory.parent != editions:
        raise BadDate(f"{value!r} is outside {editions}")
    return day, directory


def available_days(paths: Paths) -> list[str]:
    """Edition dates that have a briefing, newest first (the page's date menu)."""
    editions = paths.editions_dir
    if not editions.is_dir():
        return []
    found = [
        entry.name
        for entry in editions.iterdir()
        if _DATE.match(entry.name) and (entry / "briefing.json").is_file()
    ]
    return sorted(found, reverse=True)


@dataclass
class Rendered:
    """One render of one edition for the preview (or the one-line reason it failed)."""

    day: date
    fingerprint: str
    edition: Edition | None = None
    briefing: Briefing | None = None
    checks: list[CheckResult] = field(default_factory=list)
    error: str = ""

    @property
    def html_bytes(self) -> int:
        return len(self.edition.html.encode("utf-8")) if self.edition else 0

    def html_for_frame(self) -> str:
        """The HTML with placeholders filled for display; links open outside the frame."""
        assert self.edition is not None
        page = self.edition.html.replace(UNSUBSCRIBE_PLACEHOLDER, PREVIEW_UNSUBSCRIBE)
        page = page.replace(NAME_PLACEHOLDER, "")
        return re.sub(r"(<head(?:\s[^>]*)?>)", r'\1<base target="_blank">', page, count=1)

    def text_for_display(self) -> str:
        assert self.edition is not None
        text = self.edition.text.replace(UNSUBSCRIBE_PLACEHOLDER, PREVIEW_UNSUBSCRIBE)
        return text.replace(NAME_PLACEHOLDER, "")


class PreviewRenderer:
    """Renders editions on demand, once per change of their inputs; thread-safe."""

    def __init__(self, paths: Paths, options: RenderOptions) -> None:
        self.paths = paths
        self.options = options
        self._cache: dict[date, Rendered] = {}
        self._lock = threading.Lock()

    def templates(self) -> Path | None:
        """The configured folder, else `$NEWSLETTER_TEMPLATES` as set now: the preview
        follows the legacy variable while it runs, as the renders do."""
        legacy = os.environ.get(TEMPLATES_ENV)
        return self.options.templates or (Path(legacy) if legacy else None)

    def fingerprint(self, day: date) -> str:
        inputs = [self.paths.edition_dir(day) / "briefing.json"]
        templates = self.templates()
        if templates is not None and templates.is_dir():
            inputs.extend(sorted(templates.glob("*.j2")))
        parts = []
        for path in inputs:
            try:
                stat = path.stat()
            except OSError:
                parts.append(f"{path.name}:-")
                continue
            parts.append(f"{path.name}:{stat.st_mtime_ns}:{stat.st_size}")
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]

    def get(self, day: date) -> Rendered:
        with self._lock:
            fingerprint = self.fingerprint(day)
            cached = self._cache.get(day)
            if cached is not None and cached.fingerprint == fingerprint:
                return cached
            rendered = self._render(day, fingerprint)
            self._cache[day] = rendered
            return rendered

    def _render(self, day: date, fingerprint: str) -> Rendered:
        rendered = Rendered(day, fingerprint)
        try:
            briefing = load_valid_briefing(self.paths.edition_dir(day), day)
            edition = build_edition(briefing, replace(self.options, templates=self.templates()))
        except StageError as exc:
            rendered.error = stage_line(exc)
            return rendered
        except RenderError as exc:
            rendered.error = str(exc)
            return rendered
        rendered.edition = edition
        rendered.briefing = briefing
        rendered.checks = check_edition(edition, briefing) + content_checks(
            briefing, vars(self.options.gates)
        )
        return rendered


def disk_state(directory: Path, edition: Edition | None) -> str:
    """How email.html on disk relates to the render shown: same | stale | missing.

    Read on every page view (not cached with the render): `newsletter render`
    changes the file without changing the preview's inputs.
    """
    if edition is None:
        return ""
    path = directory / "email.html"
    try:
        on_disk = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return "missing"
    return "same" if on_disk == edition.html else "stale"


def page_context(identity: Identity, paths: Paths, rendered: Rendered) -> dict[str, Any]:
    """Everything preview.html.j2 shows."""
    checks = rendered.checks
    failed = [c for c in checks if not c.ok and c.level == ERROR]
    warned = [c for c in checks if not c.ok and c.level != ERROR]
    day = rendered.day.isoformat()
    return {
        "language": identity.language,
        "list_name": identity.name,
        "day": day,
        "days": available_days(paths) or [day],
        "fingerprint": rendered.fingerprint,
        "error": rendered.error,
        "edition": rendered.edition,
        "text": rendered.text_for_display() if rendered.edition else "",
        "size_kb": rendered.html_bytes / 1024,
        "limit_kb": GMAIL_CLIP_BYTES / 1024,
        "size_percent": min(100.0, 100.0 * rendered.html_bytes / GMAIL_CLIP_BYTES),
        "over_limit": rendered.html_bytes > GMAIL_CLIP_BYTES,
        "checks": checks,
        "failed": len(failed),
        "warned": len(warned),
        "disk": disk_state(paths.edition_dir(rendered.day), rendered.edition),
        "edition_dir": str(paths.edition_dir(rendered.day)),
        "escape": html.escape,
    }
