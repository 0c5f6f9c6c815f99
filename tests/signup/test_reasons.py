"""email-validator's reasons in Korean: every sentence it gives for a typical typo has one.

This runs the real email-validator, so an upgrade that rewords a sentence shows up
here instead of as a silent fallback to the plain message."""

from __future__ import annotations

import re

import pytest

from newsletter.audience.addresses import InvalidAddress, parse_address
from newsletter.signup.reasons import reason_in

TYPOS = {
    "kim": "@ 기호가 있어야 합니다.",
    "kim@": "@ 뒤에 도메인이 있어야 합니다.",
    "@example.com": "@ 앞에 이름이 있어야 합니다.",
    "kim min@example.com": "@ 앞에 쓸 수 없는 문자가 있습니다: 띄어쓰기",
    "kim@exa mple.com": "@ 뒤에 쓸 수 없는 문자가 있습니다: 띄어쓰기",
    # a Korean keyboard's full-width space, a pasted no-break space, a soft hyphen
    "kim\u3000min@example.com": "주소에 쓸 수 없는 문자가 있습니다: 띄어쓰기",
    "kim\u00a0@example.com": "주소에 쓸 수 없는 문자가 있습니다: 띄어쓰기",
    "kim\u00admin@example.com": "주소에 쓸 수 없는 문자가 있습니다: U+00AD",
    "kim@exa_mple.com": "@ 뒤에 쓸 수 없는 문자가 있습니다: '_'",
    "kim@example": "@ 뒤의 도메인에 마침표(.)가 있어야 합니다 (예: example.com).",
    "kim..lee@example.com": "마침표(.)를 두 번 연달아 쓸 수 없습니다.",
    ".kim@example.com": "주소는 마침표(.)로 시작할 수 없습니다.",
    "kim@example.com.": "주소는 마침표(.)로 끝날 수 없습니다.",
    "kim@-example.com": "@ 바로 뒤에 하이픈(-)을 쓸 수 없습니다.",
    "k" * 70 + "@example.com": "주소가 너무 깁니다.",
}


@pytest.mark.parametrize("typo", sorted(TYPOS))
def test_each_typo_is_explained_in_korean(typo: str) -> None:
    with pytest.raises(InvalidAddress) as refused:
        parse_address(typo)
    assert reason_in("ko", str(refused.value)) == TYPOS[typo]
    assert reason_in("en", str(refused.value)) == str(refused.value)


def test_a_korean_page_names_no_character_in_english() -> None:
    with pytest.raises(InvalidAddress) as refused:
        parse_address("kim, lee @example.com")
    said = reason_in("ko", str(refused.value))
    assert said == "@ 앞에 쓸 수 없는 문자가 있습니다: ',', 띄어쓰기"
    assert not re.search(r"[A-Za-z]", said)


def test_an_unknown_reason_is_left_out_rather_than_said_in_english() -> None:
    assert reason_in("ko", "Some reason a newer email-validator adds.") == ""
