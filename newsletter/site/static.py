"""`newsletter publish`: the public site as static files, for any static host.

The same pages `serve` answers, at the paths it answers them (`archive/D/index.html`
for `/archive/D/`), so S3 + CloudFront, GitHub Pages or nginx serve them as they
are; `404.html` is the name those hosts look for. The subscribe form still posts
to `{base_url}/subscribe`, where `newsletter serve` has to run for signups.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from newsletter.files import write_atomically
from newsletter.site.pages import SitePages


@dataclass(frozen=True)
class Published:
    directory: Path
    editions: int
    files: list[Path]


def publish_site(pages: SitePages, out: Path) -> Published:
    """Write every page under `out`; files whose content is unchanged are left untouched
    (their mtimes stay, so a sync to a bucket uploads only what changed)."""
    editions = pages.archive.editions()
    files: list[Path] = []

    def put(relative: str, body: bytes) -> None:
        target = out / relative
        _write_if_changed(target, body)
        files.append(target)

    put("index.html", pages.landing().body)
    for number in range(1, pages.archive_count() + 1):
        page = pages.archive_page(number)
        assert page is not None
        put("archive/index.html" if number == 1 else f"archive/page/{number}/index.html", page.body)
    for edition in editions:
        put(f"archive/{edition.day.isoformat()}/index.html", pages.edition_html(edition))
    put("feed.xml", pages.feed().body)
    put("404.html", pages.not_found().body)
    return Published(out, len(editions), files)


def _write_if_changed(target: Path, body: bytes) -> None:
    try:
        if target.read_bytes() == body:
            return
    except FileNotFoundError:
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(target, body)
