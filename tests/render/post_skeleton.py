"""Reduce a Jekyll post to its structure (no sentences), to compare with the reference's."""

from __future__ import annotations

import re
from typing import Any

SOURCE_LINE = r"^(> )?\*\*(Source|출처):\*\* \["


def skeleton(post: str) -> dict[str, Any]:
    """Front-matter keys/lists, heading sequence (level + label before ':'), and block counts."""
    match = re.match(r"\A---\n(.*?)\n---\n(.*)\Z", post, re.DOTALL)
    assert match, "no front matter"
    front, body = match.groups()
    keys: list[str] = []
    lists: dict[str, list[str]] = {}
    scalars: dict[str, str] = {}
    current = ""
    for line in front.splitlines():
        if line.startswith("- "):
            lists.setdefault(current, []).append(line[2:])
        else:
            current, _, value = line.partition(":")
            keys.append(current)
            if value.strip():
                scalars[current] = value.strip()
    headings = []
    for line in body.splitlines():
        found = re.match(r"^(#{1,6}) (.*)$", line)
        if found:
            level, text = found.groups()
            label = text.split(":", 1)[0] if level == "###" else ""
            headings.append([level, label])
    lines = body.splitlines()
    first_text = next(line for line in lines if line.strip())
    return {
        "front_matter_keys": keys,
        "layout": scalars.get("layout"),
        "date_shape": re.sub(r"\d", "9", scalars.get("date", "")),
        "fixed_categories": lists.get("categories", [])[:1],
        "fixed_tags": lists.get("tags", [])[:2],
        "opening": first_text,
        "headings": headings,
        "separators": sum(1 for line in lines if line.strip() == "---"),
        # the label is the edition's language: "Source" (the seed) or "출처"
        "source_lines": sum(1 for line in lines if re.match(SOURCE_LINE, line)),
    }
