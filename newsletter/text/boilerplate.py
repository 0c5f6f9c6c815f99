"""Feed and site furniture out of story text: one table of patterns, Korean and English.

Feeds append their own furniture to every description — reddit's "submitted by
/u/… [link] [comments]", WordPress's "The post … appeared first on …", "Continue
reading", a trailing "[…]" — and Korean news sites end articles with the
reporter's byline and e-mail, "무단 전재 및 재배포 금지" and pointers such as
"관련 기사는 … 태그에 모아 두었다". None of it is the story, and a writer that
quotes the source's sentences would put it in front of readers. Each rule is a
row of `RULES`: a name (the tests have one case per row), a pattern and what it
removes — the matched words only (`span`), or the whole paragraph they are in
(`paragraph`: short paragraphs only, so a real paragraph that merely mentions
"subscribe" is kept). Text is plain (paragraphs separated by a blank line), as
`collect.clean` makes it; the article fetcher runs the same table on page text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

#: A paragraph longer than this is prose, whatever furniture words it contains.
FURNITURE_CHARS = 160


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern[str]
    removes: Literal["span", "paragraph"]


def _rule(name: str, pattern: str, removes: Literal["span", "paragraph"] = "span") -> Rule:
    return Rule(name, re.compile(pattern, re.IGNORECASE | re.MULTILINE), removes)


_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_KO_NAME = r"[가-힣]{2,4}"

RULES: tuple[Rule, ...] = (
    # -- English ---------------------------------------------------------------------------
    _rule(
        "reddit-footer",
        r"\s*submitted\s+by\s+/?u/[\w-]+(?:\s+to\s+/?r/\w+)?\s*"
        r"(?:\[link\]\s*)?(?:\[comments?\])?\s*$",
    ),
    _rule(
        "appeared-first",
        r"\s*(?:The\s+post|This\s+(?:post|article))\b.{0,300}?"
        r"\bappeared\s+first\s+on\b[^\n]*$",
    ),
    _rule("continue-reading", r"\s*(?:Continue\s+reading|Keep\s+reading)\b[^\n]{0,120}$"),
    _rule(
        "read-more",
        r"\s*(?:Read\s+(?:more|the\s+(?:full|rest)|full)|Click\s+here\s+to\s+read|"
        r"Learn\s+more)\b[^\n]{0,80}$",
    ),
    _rule("trailing-ellipsis", r"\s*[\[(](?:…|\.\.\.)[\])]\s*$"),
    _rule("full-paper-pointer", r"\s*The\s+summary\s+of\s+the\s+(?:study|paper)\s+links\b[^\n]*$"),
    _rule("copyright", r"^\s*(?:©|\(c\)|Copyright\b)[^\n]{0,150}$", "paragraph"),
    _rule("all-rights-reserved", r"\bAll\s+rights\s+reserved\b", "paragraph"),
    _rule(
        "share-prompt",
        r"^\s*(?:Share\s+(?:this|on)\b|Follow\s+us\s+on\b|Like\s+us\s+on\b|"
        r"Tweet\s+this\b)",
        "paragraph",
    ),
    _rule(
        "subscribe-prompt",
        r"^\s*(?:Subscribe\b|Sign\s+up\b|Get\s+(?:our|the)\s+\w+\s+"
        r"newsletter\b|Join\s+our\s+newsletter\b)",
        "paragraph",
    ),
    _rule(
        "english-byline",
        r"^\s*(?:By|Written\s+by|Reporting\s+by)\s+[A-Z][\w.'-]+"
        r"(?:\s+(?:[A-Z][\w.'-]+|and|&))*\s*(?:[|,;–-]\s*[^\n]{0,60})?$",
        "paragraph",
    ),
    _rule(
        "email-signature",
        rf"\s*(?:(?:Contact|E-?mail|Reach\s+\w+\s+at|문의|제보)\s*:?\s*)?[<(\[]?{_EMAIL}[>)\]]?\s*$",
    ),
    # -- Korean ----------------------------------------------------------------------------
    _rule(
        "ko-no-reproduction",
        r"[<\[(]?\s*(?:저작권자\s*)?(?:[ⓒ©]|\(c\))?[^\n<\[(]{0,30}"
        r"무단\s*(?:전재|복제)[^\n]{0,40}?(?:재배포|배포)[^\n]{0,30}?금지[^\n]{0,30}?[>\])]?",
    ),
    _rule("ko-copyright", r"^\s*(?:저작권자\s*)?[ⓒ©]\s*[^\n]{0,40}$", "paragraph"),
    _rule(
        "ko-tag-pointer",
        r"[^.\n]{0,80}관련\s*기사[는은]?[^.\n]{0,80}?(?:태그|모아)[^.\n]{0,40}?"
        r"(?:두었다|뒀다|있다|있습니다)\.?",
    ),
    _rule(
        "ko-related-link",
        r"^\s*(?:[▶☞■▷►]\s*)?(?:관련\s*기사|관련기사|함께\s*보면\s*좋은\s*기사)"
        r"\b[^\n]{0,120}$",
        "paragraph",
    ),
    _rule(
        "ko-byline-lead",
        rf"^\s*(?:\([^)\n]{{1,20}}=[^)\n]{{1,20}}\)\s*)?(?:{_KO_NAME}\s+){{1,3}}"
        r"(?:기자|특파원|통신원)\s*=\s*",
    ),
    _rule("ko-byline-dateline", r"^\s*\([^)\n]{1,20}=[^)\n]{1,20}\)\s*"),
    _rule(
        "ko-byline-tail",
        rf"\s*(?:[\[(]\s*)?(?:{_KO_NAME}\s+){{1,3}}(?:기자|특파원|통신원|"
        rf"객원기자)\s*[\])]?\s*(?:{_EMAIL})?\s*$",
    ),
    _rule(
        "ko-share-prompt",
        r"^\s*(?:기사\s*)?(?:공유하기|구독하기|좋아요|카카오톡\s*공유|"
        r"네이버\s*채널\s*구독|[^\n]{0,30}(?:채널|뉴스레터)\s*구독)[^\n]{0,40}$",
        "paragraph",
    ),
)

#: Span rule → words (lower-case) one of which its every match contains: a paragraph
#: without them skips the pattern (an article's dozen paragraphs cost ~1 ms, not ~7).
HINTS: dict[str, tuple[str, ...]] = {
    "reddit-footer": ("submitted",),
    "appeared-first": ("appeared first",),
    "continue-reading": ("continue reading", "keep reading"),
    "read-more": ("read", "learn more"),
    "trailing-ellipsis": ("…]", "...]", "…)", "...)"),
    "full-paper-pointer": ("summary of the",),
    "email-signature": ("@",),
    "ko-no-reproduction": ("무단",),
    "ko-tag-pointer": ("관련",),
    "ko-byline-lead": ("기자", "특파원", "통신원"),
    "ko-byline-dateline": ("=",),
    "ko-byline-tail": ("기자", "특파원", "통신원"),
}

_BLANK = re.compile(r"\n\s*\n")
_WORD = re.compile(r"\w")


def strip_boilerplate(text: str) -> str:
    """`text` without the furniture of `RULES`; paragraphs stay, the story's words stay.

    A paragraph rule only takes paragraphs of furniture size. A text that is all
    furniture (a reddit link post: only its footer) comes back empty: the writers
    then use the title, which is better than the footer."""
    if not text:
        return text
    kept: list[str] = []
    for paragraph in _BLANK.split(text):
        paragraph = paragraph.strip()
        if _is_furniture(paragraph):
            continue
        lowered = paragraph.lower()
        if _ANY_HINT.search(lowered):  # the usual paragraph: one scan, no rule to try
            paragraph = _cut_spans(paragraph, lowered)
        if paragraph and _WORD.search(paragraph):
            kept.append(paragraph)
    return "\n\n".join(kept)


def _cut_spans(paragraph: str, lowered: str) -> str:
    for rule in _SPAN_RULES:
        if _HINTED[rule.name].search(lowered) and rule.pattern.search(paragraph):
            paragraph = " ".join(rule.pattern.sub(" ", paragraph).split())
    return paragraph


_PARAGRAPH_RULES = tuple(rule for rule in RULES if rule.removes == "paragraph")
_SPAN_RULES = tuple(rule for rule in RULES if rule.removes == "span")
_HINTED = {name: re.compile("|".join(map(re.escape, words))) for name, words in HINTS.items()}
# Every span rule has hints (a test checks), so a paragraph with none of them is left as it is.
_ANY_HINT = re.compile("|".join(map(re.escape, {w for words in HINTS.values() for w in words})))


def _is_furniture(paragraph: str) -> bool:
    if len(paragraph) > FURNITURE_CHARS:
        return False
    return any(rule.pattern.search(paragraph) for rule in _PARAGRAPH_RULES)
