"""The archive post: a Jekyll Markdown file in the reference's exact shape.

The post is rendered by somebody else's Jekyll, so briefing text (which comes
from feeds we do not control) must stay text there too. Jekyll runs Liquid
before Markdown, and kramdown reads `{: …}` / `{::…}` as attribute lists and
extensions, so every brace in text we did not write becomes an HTML entity
(`&#123;` / `&#125;`): no Liquid delimiter (`{{`, `{%`, `%}`, `}}` and their
`-` forms) can survive or be formed with the text around it, nothing can end a
raw block, and the reader still sees the brace once kramdown has run. Raw HTML
is neutralised the same way (`&lt;`), line breaks cannot start a block or a new
front-matter document, link titles and URLs cannot break out of their brackets,
and front-matter scalars are quoted whenever plain YAML could misread them.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from newsletter.render.environment import render_template, squeeze_blank_lines

if TYPE_CHECKING:
    from datetime import datetime

    from newsletter.render.context import EditionView, SourceView

TEMPLATE = "post.md.j2"


#: Every line or paragraph separator Markdown, YAML or a text editor may honour.
_BREAKS = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")
#: `<` opens HTML, braces make Liquid and kramdown syntax: entities, which kramdown decodes.
#: `&amp;` in a feed title means the text `&amp;` (a double-escaped feed): keep it that way.
_ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")
#: Brackets make links and link definitions, backticks code spans (where entities show raw).
_ESCAPED = re.compile(r"([\\\[\]`])")
_BLOCK_START = re.compile(r"^(#{1,6}(\s|$)|[-+*](\s|$)|>|---|===|```|~~~|\||:)")
_BLOCK_FIRST = frozenset("#-+*>=`~|:")  # what `_BLOCK_START` can start with: most text is not
_NUMBERED = re.compile(r"^(\d+)([.)])(\s|$)")


@lru_cache(maxsize=4096)
def md(text: str) -> str:
    """Briefing text as inert Markdown: no HTML, no Liquid, no links, no accidental blocks.

    Remembered, like the text edition's wrapping: the preview server renders the post
    again on every save, and all but the edited paragraph come back the same."""
    if (  # nothing the substitutions below would change, as in most text
        text.isprintable()  # no line break of any kind (`_BREAKS`)
        # the ASCII characters they change: eight `in` scans cost less than one regex search
        and "\\" not in text
        and "[" not in text
        and "]" not in text
        and "`" not in text
        and "&" not in text
        and "<" not in text
        and "{" not in text
        and "}" not in text
    ):
        text = text.strip()
    else:
        text = _ESCAPED.sub(r"\\\1", _BREAKS.sub(" ", text).strip())
        # three replaces, not str.translate: a dict lookup per character is ~10x slower
        text = _ENTITY_LIKE.sub("&amp;", text)
        text = text.replace("<", "&lt;").replace("{", "&#123;").replace("}", "&#125;")
    if text[:1] in _BLOCK_FIRST and _BLOCK_START.match(text):
        text = "\\" + text  # a paragraph that merely starts like a block marker stays one
    if not text[:1].isdecimal():  # `_NUMBERED` needs a digit first (`\d` is a decimal)
        return text
    return _NUMBERED.sub(r"\1\\\2\3", text)  # `1\. ` is a number, not a list item


def md_paragraphs(paragraphs: list[str]) -> str:
    """Paragraphs as inert Markdown with a blank line between them."""
    return "\n\n".join(map(md, paragraphs))


def md_link(source: SourceView) -> str:
    """`[title](url)`: the title inert like any text, the URL unable to close early."""
    return f"[{md(source.title)}]({md_url(source.url)})"


def md_links(sources: list[SourceView]) -> str:
    """`[a](…), [b](…)`: a story's sources on one line."""
    return ", ".join(map(md_link, sources))


_URL_UNSAFE = re.compile(r"[\x00-\x20\x7f-\xa0\u2028\u2029()<>{}\\`]")


def md_url(url: str) -> str:
    """A link target that can neither close the `(…)` early nor carry Liquid delimiters."""
    return _URL_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m[0].encode()), url)


_PLAIN = re.compile(r"^[^\s\-?:,\[\]{}#&*!|>'\"%@`=<.+][^:#{}%]*$")
#: What a YAML 1.1 int, float or timestamp can be made of (`0x1F`, `1_000`, `2026-02-07`).
_NUMBER_LIKE = re.compile(r"\d[\d\s\-+.:_eExXoObBa-fA-FtTzZ]*")
_SPECIAL_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"}
#: Characters YAML 1.1 does not allow raw in a document, plus its own line breaks, plus
#: braces (as `\u007b`, so no Liquid-aware tool finds a delimiter in the front matter either).
_YAML_ESCAPE = re.compile(
    "[^\t\n\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\x85\u2028\u2029\ufeff{}]"
)


def yaml_scalar(value: str) -> str:
    """A YAML scalar: plain when unambiguous (as the seed writes it), else double-quoted.

    Plain only for one printable line without braces that reads as a
    string under YAML 1.1 (PyYAML, Jekyll's Psych) and 1.2 alike; anything else is
    a JSON string, which is a valid double-quoted YAML scalar once the characters
    YAML treats as line breaks or forbids (NEL, U+2028/9, C1 controls, BOM) are
    escaped too.
    """
    if (
        _PLAIN.match(value)
        and value.isprintable()  # no tab, line break, control, format or separator character
        and not _YAML_ESCAPE.search(value)
        and value == value.strip()
        and value.lower() not in _SPECIAL_WORDS
        and not _NUMBER_LIKE.fullmatch(value)
    ):
        return value
    quoted = json.dumps(value, ensure_ascii=False)
    return _YAML_ESCAPE.sub(lambda m: _yaml_escape(m[0]), quoted)


def _yaml_escape(char: str) -> str:
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


_NOT_SLUG = re.compile(r"[^\w-]+")


def categories_and_tags(view: EditionView) -> tuple[list[str], list[str]]:
    """`news` + the story sections as categories; `daily-news`, `automation` + sections as tags."""
    sections: list[str] = []
    for section in dict.fromkeys(story.section for story in view.stories):  # each once
        slug = _NOT_SLUG.sub("-", section.lower()).strip("-")
        if slug and slug not in sections:
            sections.append(slug)
    categories = ["news", *[s for s in sections if s != "news"]]
    fixed_tags = ["daily-news", "automation"]
    tags = [*fixed_tags, *[s for s in sections if s not in fixed_tags]]
    return categories, tags


def render_post(view: EditionView, moment: datetime, templates: Path | None = None) -> str:
    """The finished post; `moment` (the send time, aware) becomes `date: … +0900`."""
    categories, tags = categories_and_tags(view)
    text = render_template(
        TEMPLATE,
        {
            "md": md,
            "md_paragraphs": md_paragraphs,
            "md_link": md_link,
            "md_links": md_links,
            "yaml": yaml_scalar,
        },
        templates,
        v=view,
        date=moment.strftime("%Y-%m-%d %H:%M:%S %z"),
        categories=categories,
        tags=tags,
    )
    return squeeze_blank_lines(text).rstrip("\n") + "\n"
