"""One emoji per story, chosen from what the story is about.

A section emoji gave every story of a fresh install the same 💡; a reader scans
the emoji first, so it should tell the stories apart. Offline, the story's own
words pick it from a keyword table (the headline counts triple); a story that
names no topic of the table gets its section's emoji (`[brief.emoji]` overrides
those). A model writer's edition editor picks its own per story.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

#: Emoji per section: the fallback when a story's words name no topic below.
SECTION_EMOJI: dict[str, str] = {
    "ai": "🤖",
    "hardware": "🔌",
    "policy": "🌐",
    "funding": "💰",
    "tools": "🛠️",
    "security": "🔒",
    "science": "🔬",
    "mobile": "📱",
    "cloud": "☁️",
    "tech": "💡",
}
DEFAULT_EMOJI = "📰"

#: Topic → cues, "|"-separated (English cues match at a word start, Korean anywhere).
#: The first topic wins a tie, so the more specific topics come first.
TOPICS: tuple[tuple[str, str], ...] = (
    (
        "💰",
        "raise|raises|raised|funding|investor|invest|valuation|series a|series b|venture|$"
        "|투자|유치|펀드|자금|밸류",
    ),
    ("🤝", "acquir|acquisition|merger|buys|takeover|인수|합병"),
    (
        "🔒",
        "security|vulnerab|breach|hack|malware|ransomware|exploit|phishing|malicious"
        "|credential|impersonat|typosquat|보안|해킹|취약|악성|유출|랜섬",
    ),
    ("🛡️", "privacy|personal data|gdpr|개인정보|프라이버시"),
    (
        "⚖️",
        "lawsuit|court|sued|antitrust|regulat|lawmaker|lawyer|legal|ban |소송|법원|규제|법안"
        "|판결|공정위",
    ),
    ("🔌", "chip|gpu|semiconductor|wafer|nvidia|tsmc|processor|반도체|칩|엔비디아|파운드리"),
    (
        "💻",
        "compiler|developer|programming|code|coding|open source|github|software"
        "|개발자|코딩|오픈소스|컴파일러|소프트웨어",
    ),
    ("🦾", "robot|humanoid|로봇"),
    ("🚗", "car |cars|vehicle|self-driving|autonomous driving|tesla|자동차|자율주행|전기차"),
    ("🚀", "space|rocket|satellite|spacex|nasa|우주|위성|로켓"),
    ("🔋", "battery|energy|power grid|solar|배터리|에너지|전력"),
    ("🩺", "health|medical|hospital|drug|patient|의료|병원|헬스케어"),
    ("📱", "iphone|android|smartphone|phone|mobile|app store|스마트폰|아이폰|갤럭시|모바일"),
    ("☁️", "cloud|data center|datacenter|aws|azure|클라우드|데이터센터"),
    ("🎮", "game|gaming|console|게임"),
    ("🔍", "search|검색"),
    ("🌐", "localization|global|international|worldwide|지역화|글로벌|해외"),
    ("🤖", "agent|에이전트|chatbot|챗봇"),
    # "AI" itself is no cue: in a tech newsletter nearly every story says it
    ("🧠", "model|llm|gpt|claude|gemini|artificial intelligence|모델|인공지능|생성형"),
)


def emoji_table(overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """The section defaults with the configured mapping on top (case-insensitive names)."""
    table = dict(SECTION_EMOJI)
    table.update({name.lower(): emoji for name, emoji in (overrides or {}).items()})
    return table


def emoji_for(section: str, table: Mapping[str, str] | None = None) -> str:
    """The section's emoji: the fallback for a story whose words name no topic."""
    return (SECTION_EMOJI if table is None else table).get(section.lower(), DEFAULT_EMOJI)


def emoji_for_story(
    headline: str, texts: list[str], section: str, table: Mapping[str, str] | None = None
) -> str:
    """The topic the story's words name most (headline ×3), else its section's emoji."""
    body = f" {' '.join(texts).lower()} "
    title = f" {headline.lower()} "
    best, best_hits = "", 0
    for emoji, cues in TOPICS:
        pattern = _pattern(tuple(cues.split("|")))
        hits = 3 * len(pattern.findall(title)) + len(pattern.findall(body))
        if hits > best_hits:
            best, best_hits = emoji, hits
    return best or emoji_for(section, table)


@cache
def _pattern(cues: tuple[str, ...]) -> re.Pattern[str]:
    parts = [
        rf"(?<![a-z]){re.escape(cue)}" if cue.isascii() and cue[0].isalpha() else re.escape(cue)
        for cue in cues
    ]
    return re.compile("|".join(parts))
