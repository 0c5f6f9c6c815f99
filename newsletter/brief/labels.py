"""Every fixed word of an edition, per language (`newsletter.language`).

Kept in one table so a new language is one entry, and so the HTML, text and
archive post can never disagree on a label.
"""

from __future__ import annotations

from typing import Final

LABELS: Final[dict[str, dict[str, str]]] = {
    "ko": {
        "summary": "요약",
        "why": "왜 중요한가",
        "source": "출처",
        "sources": "출처",
        "greeting": "안녕하세요!",
        "unsubscribe": "수신 거부",
        "why_you_get_this": "이 메일은 {name} 뉴스레터를 구독하셨기 때문에 발송되었습니다.",
        "view_online": "웹에서 보기",
        "in_this_edition": "오늘의 소식",
        "forward": "이 브리핑이 유용했다면 동료에게 전달해 주세요.",
        "forwarded": "전달받으셨나요? 구독하기",
        "archive": "지난 호 보기",
        "subscribe": "구독하기",
        "read_more": "원문 보기",
        "stories_count": "오늘의 소식 {count}건",
        "default_summary_title": "핵심 내용",
        "default_why_title": "의미와 영향",
        "from": "보낸 사람",
        "date_long": "{year}년 {month}월 {day}일 {weekday}",
        "weekdays": "월요일 화요일 수요일 목요일 금요일 토요일 일요일",
        "months": "1월 2월 3월 4월 5월 6월 7월 8월 9월 10월 11월 12월",
    },
    "en": {
        "summary": "Summary",
        "why": "Why it matters",
        "source": "Source",
        "sources": "Sources",
        "greeting": "Hello!",
        "unsubscribe": "Unsubscribe",
        "why_you_get_this": "You receive this because you subscribed to {name}.",
        "view_online": "View in browser",
        "in_this_edition": "In this edition",
        "forward": "Found this useful? Forward it to a colleague.",
        "forwarded": "Was this forwarded to you? Subscribe",
        "archive": "Past editions",
        "subscribe": "Subscribe",
        "read_more": "Read more",
        "stories_count": "{count} stories today",
        "default_summary_title": "What happened",
        "default_why_title": "The stakes",
        "from": "From",
        "date_long": "{weekday}, {month_name} {day}, {year}",
        "weekdays": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday",
        "months": "January February March April May June July August September October "
        "November December",
    },
}


def labels(language: str) -> dict[str, str]:
    """The label table of `language`; unknown languages fall back to English."""
    return LABELS.get(language, LABELS["en"])
