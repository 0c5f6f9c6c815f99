"""Customised templates (`[render] templates_dir`): a custom file wins, the others come from
the bundled folder, and a mistake is one line naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsletter.config import ConfigError
from newsletter.model import Briefing
from newsletter.render import RenderError, render_edition
from newsletter.render.environment import DEFAULT_TEMPLATES, TEMPLATES_ENV
from newsletter.runtime import render_options
from tests.render.conftest import make_settings


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    folder = tmp_path / "my-templates"
    folder.mkdir()
    for path in DEFAULT_TEMPLATES.glob("*.j2"):
        (folder / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    return folder


@pytest.fixture
def settings_en(templates: Path):
    """English settings whose `[render] templates_dir` is the copied folder (relative)."""
    return make_settings("en", templates.parent, render={"templates_dir": "my-templates"})


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_custom_templates_are_used(templates: Path, briefing_en: Briefing, settings_en) -> None:
    edit(templates / "edition.txt.j2", "{{ v.greeting }}", "{{ v.greeting }} (custom)")
    assert "\nHello! (custom)\n" in render_edition(briefing_en, render_options(settings_en)).text


def test_jinja_syntax_error_names_file_and_line(
    templates: Path, briefing_en: Briefing, settings_en
) -> None:
    edit(templates / "post.md.j2", "layout: post", "layout: {% if %}")
    line = (templates / "post.md.j2").read_text().splitlines().index("layout: {% if %}") + 1
    with pytest.raises(RenderError) as caught:
        render_edition(briefing_en, render_options(settings_en))
    message = str(caught.value)
    assert message.startswith(f"{templates / 'post.md.j2'}:{line}: ")
    assert "\n" not in message


def test_unknown_variable_fails_instead_of_printing_nothing(
    templates: Path, briefing_en: Briefing, settings_en
) -> None:
    edit(templates / "edition.txt.j2", "{{ v.greeting }}", "{{ v.greting }}")
    line = (templates / "edition.txt.j2").read_text().splitlines().index("{{ v.greting }}") + 1
    with pytest.raises(RenderError, match=r"edition\.txt\.j2:\d+: .*greting") as caught:
        render_edition(briefing_en, render_options(settings_en))
    assert str(caught.value).startswith(f"{templates / 'edition.txt.j2'}:{line}: ")  # which line


def test_mjml_that_mrml_rejects(templates: Path, briefing_en: Briefing, settings_en) -> None:
    edit(
        templates / "edition.mjml.j2",
        "</mj-head>",
        "<mj-html-attributes></mj-html-attributes></mj-head>",
    )
    with pytest.raises(RenderError, match=r"edition.mjml.j2: MJML did not compile: unexpected"):
        render_edition(briefing_en, render_options(settings_en))


def test_a_folder_with_one_template_takes_the_rest_from_the_bundle(
    templates: Path, briefing_en: Briefing, settings_en
) -> None:
    for name in ("post.md.j2", "edition.mjml.j2"):
        (templates / name).unlink()
    edit(templates / "edition.txt.j2", "{{ v.greeting }}", "{{ v.greeting }} (custom)")
    edition = render_edition(briefing_en, render_options(settings_en))
    assert "\nHello! (custom)\n" in edition.text
    assert edition.markdown.startswith("---\ncategories:")
    assert "Hello!" in edition.html


def test_the_legacy_environment_variable_still_works(
    templates: Path, briefing_en: Briefing, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit(templates / "edition.txt.j2", "{{ v.greeting }}", "{{ v.greeting }} (legacy)")
    monkeypatch.setenv(TEMPLATES_ENV, str(templates))
    settings = make_settings("en", templates.parent)
    assert "\nHello! (legacy)\n" in render_edition(briefing_en, render_options(settings)).text


def test_a_templates_dir_that_is_not_a_folder_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"render\.templates_dir .*nowhere.* is not a folder"):
        make_settings("en", tmp_path, render={"templates_dir": "nowhere"})
