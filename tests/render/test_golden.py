"""The rendered editions of the two fixture briefings, byte for byte.

A change that should not change what readers get (moving words into the catalogs,
refactoring the view, speeding up the inliner) must leave these files alone. A change
that *should* change the output rewrites them on purpose and shows the difference in
review:

    NEWSLETTER_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/render/test_golden.py

The 10- and 30-story editions are the sizes `bench/render.py` measures: the render's
caches (inliner, compiled template) must give the same bytes for longer documents too.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from newsletter.config import Settings
from newsletter.model import Briefing, Edition
from newsletter.render.checks import check_edition
from newsletter.render.edition import FILES, build_edition
from newsletter.runtime import render_options
from tests.render.conftest import with_stories

GOLDEN = Path(__file__).parent / "data" / "golden"


def _compare_text(text: str, golden: Path) -> None:
    rendered = text.encode("utf-8")
    if os.environ.get("NEWSLETTER_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(rendered)
    assert rendered == golden.read_bytes(), f"{golden.parent.name}/{golden.name} differs"


def _compare(edition: Edition, folder: Path) -> None:
    for attribute, name in FILES.items():
        _compare_text(getattr(edition, attribute), folder / name)


@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_fixture_editions_render_byte_for_byte_as_before(
    language: str, request: pytest.FixtureRequest
) -> None:
    edition: Edition = request.getfixturevalue(f"edition_{language}")
    _compare(edition, GOLDEN / language)


@pytest.mark.parametrize(("language", "count"), [("ko", 10), ("ko", 30), ("en", 30)])
def test_longer_editions_render_byte_for_byte_as_before(
    language: str, count: int, request: pytest.FixtureRequest
) -> None:
    briefing: Briefing = request.getfixturevalue(f"briefing_{language}")
    settings: Settings = request.getfixturevalue(f"settings_{language}")
    options = render_options(settings)
    # twice: the second render runs on warm caches and must not differ from the first
    longer = with_stories(briefing, count)
    first = build_edition(longer, options)
    second = build_edition(longer, options)
    assert second == first
    _compare(second, GOLDEN / f"{language}-{count}")
    # the gates judge it as before too (30 stories are over Gmail's clipping size)
    verdicts = "".join(
        f"{r.rule} {r.ok} {r.level}: {r.message}\n" for r in check_edition(second, longer)
    )
    _compare_text(verdicts, GOLDEN / f"{language}-{count}" / "checks.txt")
