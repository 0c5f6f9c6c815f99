"""Why an address was refused, in the list's language.

email-validator explains a bad address in English ("There must be something
after the @-sign."). On a Korean signup page that sentence would be the only
English on the page, so its usual reasons are said in Korean here; a reason we
do not know (a newer email-validator may add some) gives the page's plain "not
an email address" without a reason rather than half a page in another language.
"""

from __future__ import annotations

import re

# (pattern of email-validator's sentence, the Korean; {0} is what the pattern captured)
_KOREAN: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"An email address must have an @-sign"), "@ 기호가 있어야 합니다."),
    (re.compile(r"There must be something after the @-sign"), "@ 뒤에 도메인이 있어야 합니다."),
    (re.compile(r"There must be something before the @-sign"), "@ 앞에 이름이 있어야 합니다."),
    (
        re.compile(r"The email address contains invalid characters before the @-sign: (.+?)\.?$"),
        "@ 앞에 쓸 수 없는 문자가 있습니다: {0}",
    ),
    (
        re.compile(r"The part after the @-sign contains invalid characters: (.+?)\.?$"),
        "@ 뒤에 쓸 수 없는 문자가 있습니다: {0}",
    ),
    (
        re.compile(r"The part after the @-sign is not valid\. It should have a period"),
        "@ 뒤의 도메인에 마침표(.)가 있어야 합니다 (예: example.com).",
    ),
    (re.compile(r"cannot have two periods in a row"), "마침표(.)를 두 번 연달아 쓸 수 없습니다."),
    (re.compile(r"cannot start with a period"), "주소는 마침표(.)로 시작할 수 없습니다."),
    (re.compile(r"cannot end with a period"), "주소는 마침표(.)로 끝날 수 없습니다."),
    (re.compile(r"hyphen immediately after the @-sign"), "@ 바로 뒤에 하이픈(-)을 쓸 수 없습니다."),
    (re.compile(r"too long", re.I), "주소가 너무 깁니다."),
    (re.compile(r"^empty address$"), "주소가 비어 있습니다."),
]


def reason_in(language: str, reason: str) -> str:
    """`reason` for a page in `language` ("" when there is no good way to say it)."""
    if language != "ko":
        return reason
    for pattern, korean in _KOREAN:
        found = pattern.search(reason)
        if found:
            return korean.format(*found.groups())
    return ""
