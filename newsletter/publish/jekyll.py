"""The archive post into a Jekyll blog's `_posts` folder, under the name Jekyll wants.

Jekyll only publishes `_posts/YYYY-MM-DD-<slug>.md`, so `post.md` has to land
there under that name — the seed's posts are named from their title
(`2026-02-07 Daily AI & Tech News` → `2026-02-07-daily-ai-tech-news.md`).
Writing is idempotent: the same post again changes nothing (and commits
nothing); a re-render replaces the file, and a re-render under a new title
moves it rather than leaving two posts for one day. With `git_commit`, the post
is committed in the folder's repository — only that path, never a push: what
goes public is still the blog owner's decision.
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from newsletter.files import write_atomically

#: In the edition's folder: where this edition's post was last written (to move it on a rename).
MARKER = ".jekyll-post"
FALLBACK_SLUG = "briefing"


class PublishError(Exception):
    """The post could not be written or committed; one line naming the folder."""


@dataclass(frozen=True)
class PublishedPost:
    path: Path
    changed: bool  # False: the same post was already there
    committed: str = ""  # the commit id, when one was made


def slugify(text: str) -> str:
    """ASCII words joined by '-' (`Daily AI & Tech News` → `daily-ai-tech-news`); '' when
    nothing ASCII is left (a Korean title)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def post_slug(title: str, day: date, configured: str = "", list_id: str = "") -> str:
    """`configured`, else the title without its date, else the list id's first label."""
    for candidate in (configured, title.replace(day.isoformat(), ""), list_id.split(".")[0]):
        slug = slugify(candidate)
        if slug:
            return slug
    return FALLBACK_SLUG


def post_filename(day: date, slug: str) -> str:
    return f"{day.isoformat()}-{slug}.md"


def publish_post(
    markdown: str,
    day: date,
    slug: str,
    posts_dir: Path,
    *,
    edition_dir: Path,
    git_commit: bool = False,
) -> PublishedPost:
    """Write (and optionally commit) the post; PublishError says why it could not."""
    if not posts_dir.is_dir():
        raise PublishError(f"publish.jekyll_posts_dir {posts_dir}: no such folder")
    target = posts_dir / post_filename(day, slug)
    previous = _previous(edition_dir, target)
    changed = _write_if_different(target, markdown)
    if previous is not None:
        previous.unlink(missing_ok=True)
        changed = True
    _remember(edition_dir, target)
    committed = ""
    if git_commit:
        paths = [target] + ([previous] if previous is not None else [])
        committed = commit(posts_dir, paths, f"Post {day.isoformat()}: {target.name}")
    return PublishedPost(target, changed, committed)


def _previous(edition_dir: Path, target: Path) -> Path | None:
    """The post this edition wrote under another name before (its title changed)."""
    try:
        recorded = Path((edition_dir / MARKER).read_text(encoding="utf-8").strip())
    except FileNotFoundError:
        return None
    if recorded == target or recorded.parent != target.parent or not recorded.exists():
        return None
    return recorded


def _remember(edition_dir: Path, target: Path) -> None:
    edition_dir.mkdir(parents=True, exist_ok=True)
    (edition_dir / MARKER).write_text(f"{target}\n", encoding="utf-8")


def _write_if_different(target: Path, content: str) -> bool:
    try:
        if target.read_text(encoding="utf-8") == content:
            return False
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise PublishError(f"{target}: {exc.strerror or exc}") from None
    try:
        write_atomically(target, content)  # a failed write leaves no temporary file
    except OSError as exc:
        raise PublishError(f"{target}: {exc.strerror or exc}") from None
    return True


def commit(folder: Path, paths: list[Path], message: str) -> str:
    """Commit exactly `paths` in the repository holding `folder`; '' when it is not in one
    or nothing changed. Other staged or modified files of the blog are left alone."""
    if _git(folder, "rev-parse", "--is-inside-work-tree", check=False).returncode != 0:
        return ""
    names = [str(path) for path in paths if path.exists() or _tracked(folder, path)]
    _git(folder, "add", "--all", "--", *names)
    staged = _git(folder, "diff", "--cached", "--name-only", "--", *names).stdout.strip()
    if not staged:
        return ""
    identity: list[str] = []
    if not _git(folder, "config", "user.email", check=False).stdout.strip():
        identity = ["-c", "user.name=newsletter", "-c", "user.email=newsletter@localhost"]
    _git(folder, *identity, "commit", "--quiet", "--no-verify", "-m", message, "--", *names)
    return _git(folder, "rev-parse", "--short", "HEAD").stdout.strip()


def _tracked(folder: Path, path: Path) -> bool:
    return _git(folder, "ls-files", "--error-unmatch", "--", str(path), check=False).returncode == 0


def _git(folder: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    try:
        result = subprocess.run(
            ["git", *args], cwd=folder, capture_output=True, text=True, check=False, timeout=60
        )
    except FileNotFoundError:
        raise PublishError("publish.jekyll_git_commit: git is not installed") from None
    except subprocess.TimeoutExpired:
        raise PublishError(f"git {args[0]} in {folder} did not finish in 60 s") from None
    if check and result.returncode != 0:
        reason = (result.stderr or result.stdout).strip().splitlines()
        raise PublishError(f"git {args[0]} in {folder}: {reason[-1] if reason else 'failed'}")
    return result
