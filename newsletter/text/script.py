"""Which writing system a text is in: Hangul or Latin, told apart without a language model.

A Korean edition must not show English prose under its Korean headings, and a
model asked for Korean sometimes answers in English (small local models do).
Counting letters is enough to tell the two apart; a few Latin letters in Korean
text are names (GPU, OpenAI), not another language.
"""

from __future__ import annotations

import re

_HANGUL = re.compile(r"[가-힣]")
_LATIN = re.compile(r"[A-Za-z]")
MIN_FOREIGN_LETTERS = 12  # fewer Latin letters in Korean text are names, not prose


def foreign_script(text: str, language: str) -> bool:
    """Mostly another script than `language`'s: Latin prose in Korean, Hangul in English."""
    hangul, latin = len(_HANGUL.findall(text)), len(_LATIN.findall(text))
    if language == "ko":
        return latin >= MIN_FOREIGN_LETTERS and hangul * 3 < latin
    return hangul >= 4 and hangul * 2 > latin
