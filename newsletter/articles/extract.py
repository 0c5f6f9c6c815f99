"""An article page's main text: trafilatura finds it, our rules clean and trim it.

trafilatura is a maintained extractor (boilerplate removal, main-content
detection, comments and navigation left out) used by research crawlers; we do
not hand-write readability heuristics. What it returns still carries site
furniture now and then (a byline, "무단 전재 및 재배포 금지"), so the same table
that cleans feed text runs over it, and the result is cut at a sentence or
word near the budget.
"""

from __future__ import annotations

import re

import trafilatura

from newsletter.collect.clean import truncate
from newsletter.collect.parse import decode
from newsletter.text.boilerplate import strip_boilerplate

#: Shorter than this is a teaser, a paywall notice or a cookie banner, not an article.
MIN_ARTICLE_CHARS = 200
_LINES = re.compile(r"\s*\n\s*")
HEADING_CHARS = 150
_SENTENCE_END = re.compile(r"[.!?。…:;]['\"”’)\]]*$")


def extract_text(body: bytes, url: str, charset: str, budget: int) -> str:
    """The page's main text (paragraphs separated by a blank line), or "" when none."""
    text, _ = decode(body, charset)
    # trafilatura's own algorithm first (a third of the CPU); its fallbacks (readability,
    # jusText) only for a page where that finds no article.
    extracted = _extract(text, url, fast=True)
    if len(extracted) < MIN_ARTICLE_CHARS:
        extracted = _extract(text, url, fast=False)
    if not extracted:
        return ""
    paragraphs = "\n\n".join(p for p in _LINES.split(extracted.strip()) if p and not _heading(p))
    cleaned = strip_boilerplate(paragraphs)
    if len(cleaned) < MIN_ARTICLE_CHARS:
        return ""
    return trim(cleaned, budget)


def _extract(html: str, url: str, *, fast: bool) -> str:
    return (
        trafilatura.extract(
            html,
            url=url,
            fast=fast,
            include_comments=False,
            include_tables=False,
            include_images=False,
            include_links=False,
            favor_precision=True,
            deduplicate=False,
        )
        or ""
    )


def _heading(paragraph: str) -> bool:
    """The headline or a subheading: short, and not ended like a sentence. Writers want
    sentences, and a heading glued to the next paragraph would read as one."""
    return len(paragraph) < HEADING_CHARS and not _SENTENCE_END.search(paragraph)


def trim(text: str, budget: int) -> str:
    """At most `budget` characters, ending at a paragraph or sentence end when one is near."""
    if len(text) <= budget:
        return text
    cut = text[:budget]
    for mark in ("\n\n", ". ", "다. ", "? ", "! "):
        at = cut.rfind(mark)
        if at > budget * 0.6:
            return cut[: at + len(mark)].rstrip()
    return truncate(text, budget)
