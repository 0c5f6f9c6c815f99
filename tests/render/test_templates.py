"""Customised templates ($NEWSLETTER_TEMPLATES): a mistake is one line naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsletter.model import Briefing
from newsletter.render import RenderError, render_edition
from newsletter.render.environment import DEFAULT_TEMPLATES, TEMPLATES_ENV


@pytest.fixture
def templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for path in DEFAULT_TEMPLATES.glob("*.j2"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv(TEMPLATES_ENV, str(tmp_path))
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_custom_templates_are_used(templates: Path, briefing_en: Briefing, settings_en) -> None:
    edit(templates / "edition.txt.j2", "{{ v.greeting }}", "{{ v.greeting }} (custom)")
    assert "\nHello! (custom)\n" in render_edition(briefing_en, settings_en).text


def test_jinja_syntax_error_names_file_and_line(
    templates: Path, briefing_en: Briefing, settings_en
) -> None:
    edit(templates / "post.md.j2", "layout: post", "layout: {% if %}")
    line = (templates / "post.md.j2").read_text().splitlines().index("layout: {% if %}") + 1
    with pytest.raises(RenderError) as caught:
        render_edition(briefing_en, settings_en)
    message = str(caught.value)
    assert message.startswith(f"{templates / 'post.md.j2'}:{line}: ")
    assert "\n" not in message


def test_unknown_variable_fails_instead_of_printing_nothing(
    templates: Path, briefing_en: Briefing, settings_en
) -> None:
    edit(templates / "edition.txt.j2", "{{ v.greeting }}", "{{ v.greting }}")
    with pytest.raises(RenderError, match=r"edition\.txt\.j2: .*greting"):
        render_edition(briefing_en, settings_en)


def test_mjml_that_mrml_rejects(templates: Path, briefing_en: Briefing, settings_en) -> None:
    edit(
        templates / "edition.mjml.j2",
        "</mj-head>",
        "<mj-html-attributes></mj-html-attributes></mj-head>",
    )
    with pytest.raises(RenderError, match=r"edition.mjml.j2: MJML did not compile: unexpected"):
        render_edition(briefing_en, settings_en)


def test_missing_template(templates: Path, briefing_en: Briefing, settings_en) -> None:
    (templates / "post.md.j2").unlink()
    with pytest.raises(RenderError, match=r"post\.md\.j2: template not found"):
        render_edition(briefing_en, settings_en)
