"""Is a headline news? Cheap rules for what feeds carry that an editor would not run.

Feeds mix news with things that only look like it: a forum's help request ("Any
reason to keep 1G connections to my servers?"), a deal ("Bike lights 40% off"),
a live blog ("Arsenal v Chelsea – live"), a job post, a community "weekly
thread". Each kind is a row of `KINDS`, with patterns in English and Korean; a
headline that matches is demoted (see `select`) and the explanation names the
kind. The rules look at the headline only: one regular expression per kind,
tried only when the headline holds one of the kind's hint words (`HINTS`), so
thousands of items cost a few milliseconds.
"""

from __future__ import annotations

import re

_I = re.IGNORECASE

#: kind → (label in explanations, pattern over the headline)
KINDS: dict[str, tuple[str, re.Pattern[str]]] = {
    "question": (
        "a question or help request",
        re.compile(
            r"^\s*[\[(](?:help|question|q|ask|질문|도움)[\])]"
            r"|^(?:any(?:one)?|how\s+(?:do|can|should)\s+(?:i|we)|should\s+i|can\s+i|is\s+it\s+"
            r"(?:possible|worth|ok)|what(?:'s|\s+is)\s+the\s+best|which\s+\w+\s+should|"
            r"need\s+(?:help|advice)|looking\s+for\s+(?:advice|recommendations?)|eli5)\b.*\?\s*$"
            r"|\b(?:i|my|me)\b.*\?\s*$"
            r"|(?:질문|도와\s*주세요|도움\s*(?:요청|부탁)|추천\s*(?:부탁|해\s*주세요)|궁금합니다|"
            r"어떻게\s*하나요|(?:나요|을까요|ㄹ까요|할까요)\s*\?\s*$)",
            _I,
        ),
    ),
    "deal": (
        "a deal or sale",
        re.compile(
            r"\b\d{1,2}\s?%\s*off\b|\b(?:best|today'?s|daily|top|early)\s+(?:[\w-]+\s+){0,2}deals\b|"
            r"\bdeals?\s+(?:alert|of\s+the\s+day)\b|^\s*deals?\s*[:|–-]|\b(?:flash|holiday)\s+sale\b|"
            r"\bcoupons?\b|\bpromo\s+codes?\b|\bblack\s+friday\b|\bcyber\s+monday\b|"
            r"\bprime\s+day\b|\blowest\s+price\b|\bprice\s+drop\b|\bsave\s+(?:up\s+to\s+)?\$\d+"
            r"|특가|쿠폰|최저가|타임\s*딜|핫딜|공동\s*구매|\d+\s*%\s*할인|할인\s*(?:행사|판매|코드)",
            _I,
        ),
    ),
    "live": (
        "a live blog",
        re.compile(
            r"(?:[-–—:|]\s*live\s*$|^\s*live\s*[:|–-]|\blive\s+(?:blog|updates?|coverage|"
            r"reaction|commentary|score)\b|\bas\s+it\s+happened\b|\bminute[-\s]by[-\s]minute\b)"
            r"|실시간\s*(?:중계|업데이트)|문자\s*중계|생중계|라이브\s*블로그",
            _I,
        ),
    ),
    "job": (
        "a job post",
        re.compile(
            r"^\s*[\[(]\s*hiring\s*[\])]|\bwe(?:'re|\s+are)\s+hiring\b|\bjob\s+(?:opening|posting)s?\b"
            r"|\bjoin\s+our\s+team\b|\bpositions?\s+available\b|\(remote\)\s*$"
            r"|^\s*[\[(]\s*(?:채용|구인|모집)\s*[\])]|채용\s*공고|모집\s*공고|구인|"
            r"(?:신입|경력)\s*(?:\S+\s*)?(?:채용|모집)",
            _I,
        ),
    ),
    "thread": (
        "a discussion thread",
        re.compile(
            r"\b(?:weekly|daily|monthly)\s+(?:[\w-]+\s+){0,2}(?:thread|discussion|megathread)\b|"
            r"\bmegathread\b|\bdiscussion\s+thread\b|\bwhat\s+are\s+you\s+working\s+on\b"
            r"|(?:주간|월간|일일)\s*(?:스레드|토론|잡담)|자유\s*게시판|잡담\s*(?:글|스레드)",
            _I,
        ),
    ),
}


#: kind → words one of which every match contains: most headlines skip the pattern.
HINTS: dict[str, tuple[str, ...]] = {
    "question": ("?", "[", "(", "help", "advice", "recommend", "eli5", "질문", "도와", "도움",
                 "추천", "궁금", "어떻게"),
    "deal": ("%", "deal", "sale", "coupon", "promo", "friday", "monday", "prime day", "price",
             "save", "특가", "쿠폰", "최저가", "딜", "공동", "할인"),
    "live": ("live", "happened", "minute", "실시간", "중계", "라이브"),
    "job": ("hiring", "job", "team", "position", "remote", "채용", "구인", "모집"),
    "thread": ("thread", "discussion", "working on", "스레드", "토론", "잡담", "게시판"),
}  # fmt: skip


_HINTED = {kind: re.compile("|".join(map(re.escape, words))) for kind, words in HINTS.items()}
_ANY_HINT = re.compile("|".join(map(re.escape, {w for words in HINTS.values() for w in words})))


def not_news(headline: str) -> str:
    """The kind of non-news `headline` looks like ("" when it looks like news)."""
    lowered = headline.lower()
    if not _ANY_HINT.search(lowered):
        return ""
    for kind, (_, pattern) in KINDS.items():
        if _HINTED[kind].search(lowered) and pattern.search(headline):
            return kind
    return ""


def label(kind: str) -> str:
    return KINDS[kind][0] if kind in KINDS else kind
