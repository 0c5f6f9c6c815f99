"""The archive post lands in a Jekyll `_posts` folder under the seed's file name, once."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from newsletter.pipeline import render_stage
from newsletter.publish.jekyll import PublishError, post_slug, publish_post
from newsletter.runtime import Paths, Runtime
from tests.fixtures.site import Site, make_site

DAY = date(2026, 2, 7)
DAY_MOMENT = datetime(2026, 2, 6, 20, 0, tzinfo=UTC)
BRIEFING = Path(__file__).parents[1] / "render" / "data" / "briefing-en.json"
SEED = Path("/work/shared/reference/seed-briefing.md")


def git(folder: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=folder, capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.fixture
def blog(tmp_path: Path) -> Path:
    """A Jekyll site in a git repository with one earlier post committed."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path / "blog"
    posts = root / "_posts"
    posts.mkdir(parents=True)
    git(root, "init", "--quiet", "--initial-branch=main")
    git(root, "config", "user.email", "blogger@example.com")
    git(root, "config", "user.name", "Blogger")
    (posts / "2026-02-06-daily-ai-tech-news.md").write_text("---\ntitle: earlier\n---\n")
    git(root, "add", ".")
    git(root, "commit", "--quiet", "-m", "earlier post")
    return posts


def site_with_briefing(tmp_path: Path, posts: Path, **publish: object) -> Site:
    site = make_site(tmp_path / "site", publish={"jekyll_posts_dir": str(posts), **publish})
    directory = Paths.of(site.settings).edition_dir(DAY)
    directory.mkdir(parents=True)
    shutil.copy(BRIEFING, directory / "briefing.json")
    return site


def test_the_post_is_named_like_the_seed_from_its_title() -> None:
    # the seed's own title and date: "2026-02-07 Daily AI & Tech News"
    assert post_slug("2026-02-07 Daily AI & Tech News", DAY) == "daily-ai-tech-news"
    if SEED.exists():
        title = next(line for line in SEED.read_text().splitlines() if line.startswith("title:"))
        assert post_slug(title.removeprefix("title: "), DAY) == "daily-ai-tech-news"
    # a Korean title has no ASCII slug: the list id's first label names the file
    assert post_slug("2026-02-07 데일리 테크 브리핑", DAY, "", "daily-tech.example.com") == (
        "daily-tech"
    )
    assert post_slug("anything", DAY, "My Slug!") == "my-slug"


def test_render_writes_the_post_into_the_posts_folder(tmp_path: Path) -> None:
    posts = tmp_path / "_posts"
    posts.mkdir()
    site = site_with_briefing(tmp_path, posts)
    said: list[str] = []
    edition = render_stage(Runtime(site.settings), DAY, say=said.append).edition
    target = posts / "2026-02-07-daily-ai-tech-news.md"
    assert target.read_text(encoding="utf-8") == edition.markdown
    assert said == [f"jekyll: {target} written"]
    # the same render again changes nothing
    said.clear()
    render_stage(Runtime(site.settings), DAY, say=said.append)
    assert said == [f"jekyll: {target} unchanged"]
    assert sorted(p.name for p in posts.iterdir()) == ["2026-02-07-daily-ai-tech-news.md"]


def test_committed_once_in_the_blog_repository_and_never_pushed(tmp_path: Path, blog: Path) -> None:
    site = site_with_briefing(tmp_path, blog, jekyll_git_commit=True)
    (blog.parent / "draft.md").write_text("the blogger's unfinished work\n")
    git(blog.parent, "add", "draft.md")  # staged by the blogger: must stay out of our commit
    said: list[str] = []
    render_stage(Runtime(site.settings), DAY, say=said.append)
    head = git(blog.parent, "rev-parse", "--short", "HEAD")
    assert said[0].endswith(f"written, committed {head}")
    assert git(blog.parent, "show", "--name-only", "--format=%s", "HEAD").splitlines() == [
        "Post 2026-02-07: 2026-02-07-daily-ai-tech-news.md",
        "",
        "_posts/2026-02-07-daily-ai-tech-news.md",
    ]
    assert git(blog.parent, "diff", "--cached", "--name-only") == "draft.md"
    assert git(blog.parent, "log", "--format=%an").splitlines() == ["Blogger", "Blogger"]
    assert git(blog.parent, "remote") == ""  # nothing to push to, and nothing tried
    # idempotent: a second render makes no second commit
    render_stage(Runtime(site.settings), DAY, say=said.append)
    assert git(blog.parent, "rev-list", "--count", "HEAD") == "2"


def test_a_new_title_moves_the_post_instead_of_doubling_it(tmp_path: Path, blog: Path) -> None:
    import json

    site = site_with_briefing(tmp_path, blog, jekyll_git_commit=True)
    render_stage(Runtime(site.settings), DAY)
    path = Paths.of(site.settings).edition_dir(DAY) / "briefing.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["title"] = "Agents write a compiler"
    path.write_text(json.dumps(data), encoding="utf-8")
    render_stage(Runtime(site.settings), DAY)
    names = sorted(p.name for p in blog.iterdir())
    assert names == ["2026-02-06-daily-ai-tech-news.md", "2026-02-07-agents-write-a-compiler.md"]
    assert git(blog.parent, "status", "--porcelain", "--", "_posts") == ""  # move committed


def test_a_missing_folder_is_reported_and_does_not_stop_the_edition(tmp_path: Path) -> None:
    site = site_with_briefing(tmp_path, tmp_path / "nowhere")
    said: list[str] = []
    edition = render_stage(Runtime(site.settings), DAY, say=said.append).edition
    assert edition.html
    assert said == [
        f"jekyll: post not published: publish.jekyll_posts_dir {tmp_path / 'nowhere'}: "
        "no such folder"
    ]
    with pytest.raises(PublishError):
        publish_post("x", DAY, "s", tmp_path / "nowhere", edition_dir=tmp_path)


def test_a_folder_outside_git_is_written_without_a_commit(tmp_path: Path) -> None:
    posts = tmp_path / "plain" / "_posts"
    posts.mkdir(parents=True)
    post = publish_post("---\n---\n", DAY, "x", posts, edition_dir=tmp_path, git_commit=True)
    assert post.changed and post.committed == ""


def test_daily_publishes_a_post_configured_after_the_render(tmp_path: Path) -> None:
    from newsletter.config import load_settings
    from newsletter.model import Item, items_to_json
    from newsletter.operations.daily import run_daily

    posts = tmp_path / "_posts"
    posts.mkdir()
    site = make_site(tmp_path / "site")
    directory = Paths.of(site.settings).edition_dir(DAY)
    directory.mkdir(parents=True)
    shutil.copy(BRIEFING, directory / "briefing.json")
    item = Item("1", "https://x.example/f", "X", "ai", "T", "https://x.example/1", DAY_MOMENT)
    (directory / "items.json").write_text(items_to_json([item], DAY), encoding="utf-8")
    render_stage(Runtime(site.settings), DAY)
    site.rewrite(publish={"jekyll_posts_dir": str(posts)})
    said: list[str] = []
    run_daily(Runtime(load_settings(site.config_path)), DAY, say=said.append)
    target = posts / "2026-02-07-daily-ai-tech-news.md"
    assert f"jekyll: {target} written" in said
    assert target.read_text(encoding="utf-8") == (directory / "post.md").read_text(encoding="utf-8")
