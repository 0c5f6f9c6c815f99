"""The archive post: a Jekyll Markdown file in the reference's exact shape.

The post is rendered by somebody else's Jekyll, so briefing text must stay
text there too: raw HTML is neutralised, Liquid tags (`{{`, `{%`) are wrapped
in `{% raw %}`, and link titles/URLs cannot break out of their brackets.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from newsletter.render.environment import render_template

if TYPE_CHECKING:
    from datetime import datetime

    from newsletter.render.context import EditionView, SourceView

TEMPLATE = "post.md.j2"


def md(text: str) -> str:
    """Briefing text as inert Markdown: no HTML tags, no Liquid, no accidental headings."""
    text = text.replace("<", "&lt;")
    if re.match(r"^(#{1,6}\s|[-+*]\s|\d+[.)]\s|>|---)", text):
        text = "\\" + text  # a paragraph that merely starts like a block marker stays a paragraph
    if "{{" in text or "{%" in text:
        text = "{% raw %}" + text + "{% endraw %}"
    return text


def md_link(source: SourceView) -> str:
    """`[title](url)` with brackets in the title escaped and the URL unable to close early."""
    title = md(source.title).replace("[", "\\[").replace("]", "\\]")
    url = source.url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    url = url.replace("<", "%3C").replace(">", "%3E")
    return f"[{title}]({url})"


_PLAIN = re.compile(r"^[^\s\-?:,\[\]{}#&*!|>'\"%@`][^:#]*$")
_SPECIAL_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "~"}


def yaml_scalar(value: str) -> str:
    """A YAML scalar: plain when unambiguous (as the seed writes it), else double-quoted."""
    if (
        _PLAIN.match(value)
        and value == value.strip()
        and value.lower() not in _SPECIAL_WORDS
        and not re.fullmatch(r"[-+.\d:eE_]+", value)
    ):
        return value
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid YAML scalar


def categories_and_tags(view: EditionView) -> tuple[list[str], list[str]]:
    """`news` + the story sections as categories; `daily-news`, `automation` + sections as tags."""
    sections: list[str] = []
    for story in view.stories:
        slug = re.sub(r"[^\w-]+", "-", story.section.lower()).strip("-")
        if slug and slug not in sections:
            sections.append(slug)
    categories = ["news", *[s for s in sections if s != "news"]]
    fixed_tags = ["daily-news", "automation"]
    tags = [*fixed_tags, *[s for s in sections if s not in fixed_tags]]
    return categories, tags


def render_post(view: EditionView, moment: datetime) -> str:
    """The finished post; `moment` (the send time, aware) becomes `date: … +0900`."""
    categories, tags = categories_and_tags(view)
    text = render_template(
        TEMPLATE,
        {"md": md, "md_link": md_link, "yaml": yaml_scalar},
        v=view,
        date=moment.strftime("%Y-%m-%d %H:%M:%S %z"),
        categories=categories,
        tags=tags,
    )
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.rstrip("\n") + "\n"
