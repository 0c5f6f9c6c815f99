"""Korean sentences in one register: the feeds' 해라체 (…했다) turned into 합니다체.

The edition greets and closes in 합니다체; a summary built from newswire
sentences ends in …했다, …이다, …한다, and the switch reads as careless. Only the
sentence-final predicate changes, by the regular rules of the plain declarative
ending -다 (Korean has no irregular forms in this one ending):

- a stem syllable without a final consonant takes ㅂ니다: 하다 → 합니다, 이다 → 입니다
- the present -ㄴ다 / -는다 become ㅂ니다 / 습니다: 한다 → 합니다, 받는다 → 받습니다
- any other final consonant (했, 있, 많 …) takes 습니다: 했다 → 했습니다

A sentence whose end is not a plain -다 (a quote, a noun ending, 해요체) is left
alone: `to_formal` says whether it changed anything, so a caller can mark what
it could not convert.
"""

from __future__ import annotations

import re

_FIRST, _LAST = 0xAC00, 0xD7A3
_NIEUN, _BIEUP = 4, 17  # final-consonant indexes of ㄴ and ㅂ
#: A sentence ending in plain -다 (optionally with a final stop), nothing after it.
_PLAIN_END = re.compile(r"(?P<stem>[가-힣])(?P<nun>는)?다(?P<stop>[.!]?)$")


def to_formal(sentence: str) -> tuple[str, bool]:
    """The sentence with a plain -다 ending turned into 합니다체, and whether it changed."""
    text = sentence.rstrip()
    match = _PLAIN_END.search(text)
    if not match or _already_formal(text):
        return sentence, False
    stem, stop = match.group("stem"), match.group("stop") or "."
    if match.group("nun"):  # 받는다 → 받습니다
        ending = stem + "습니다"
    else:
        final = _final(stem)
        if final == 0 or final == _NIEUN:  # 하다 → 합니다
            ending = _with_final(stem, _BIEUP) + "니다"
        else:  # 했다 → 했습니다, 많다 → 많습니다
            ending = stem + "습니다"
    return text[: match.start()] + ending + stop, True


def formal_text(text: str, sentences: list[str]) -> str:
    """`text` (made of `sentences`) with each sentence's ending made formal."""
    for sentence in sentences:
        formal, changed = to_formal(sentence)
        if changed:
            text = text.replace(sentence, formal, 1)
    return text


def is_plain_ending(sentence: str) -> bool:
    """True for a sentence ending in plain -다 (해라체), which a 합니다체 edition must not show."""
    text = sentence.rstrip()
    return bool(_PLAIN_END.search(text)) and not _already_formal(text)


def _already_formal(text: str) -> bool:
    """…습니다 / …ㅂ니다 (but 아니다 is plain)."""
    match = re.search(r"([가-힣])니다[.!]?$", text)
    if match is None:
        return False
    return match.group(1) == "습" or _final(match.group(1)) == _BIEUP


def _final(syllable: str) -> int:
    code = ord(syllable) - _FIRST
    return code % 28 if 0 <= code <= _LAST - _FIRST else -1


def _with_final(syllable: str, final: int) -> str:
    code = ord(syllable) - _FIRST
    return chr(_FIRST + code - code % 28 + final)
