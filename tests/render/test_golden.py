"""The rendered editions of the two fixture briefings, byte for byte.

A change that should not change what readers get (moving words into the catalogs,
refactoring the view) must leave these files alone. A change that *should* change the
output rewrites them on purpose and shows the difference in review:

    NEWSLETTER_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/render/test_golden.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from newsletter.model import Edition
from newsletter.render.edition import FILES

GOLDEN = Path(__file__).parent / "data" / "golden"


@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_fixture_editions_render_byte_for_byte_as_before(
    language: str, request: pytest.FixtureRequest
) -> None:
    edition: Edition = request.getfixturevalue(f"edition_{language}")
    for attribute, name in FILES.items():
        golden = GOLDEN / language / name
        rendered = getattr(edition, attribute).encode("utf-8")
        if os.environ.get("NEWSLETTER_UPDATE_GOLDEN") == "1":
            golden.write_bytes(rendered)
        assert rendered == golden.read_bytes(), f"{language}/{name} differs"
