"""Does a text talk about a phrase? Word boundaries for Latin script, morphemes for Korean.

The newsletter's beat (`[brief] topics`, `exclude`, a feed's `include`/`exclude`)
is a list of phrases in any language. A plain substring test gets both languages
wrong: "AI" is inside "MAIN" and "said", and Korean glues particles to nouns, so
"반도체" must match "반도체가" and "반도체를" while "보안" (security) must not match
"보안관" (a sheriff), nor "공정" (a fab process) "공정위" (the competition
regulator), nor "수소" (hydrogen) "수소문" (an inquiry).

- A phrase without Hangul is a regular expression: case-insensitive, bounded by
  anything that is not a Latin letter or digit (so "AI가" matches "AI"), with an
  optional plural ("LLMs" matches "LLM") and any whitespace between its words.
- A phrase with Hangul is compared as morphemes (kiwipiepy): the phrase's
  morphemes must appear in a row among the text's. Kiwi is slow to load (~3 s)
  and to run, so it loads once per process, only when first needed, and only
  reads the word(s) around a place where the phrase's letters already occur as a
  substring; a text without that substring never reaches it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")


@dataclass(frozen=True)
class Phrase:
    text: str
    pattern: re.Pattern[str] | None  # Latin phrases
    morphemes: tuple[str, ...] = ()  # Korean phrases
    needle: str = ""  # a substring every match contains (lower-case)
    words: int = 1  # words in the phrase (how much text around a hit Kiwi reads)


@dataclass
class Matcher:
    """Which of `phrases` a text talks about; built once, used for many texts."""

    phrases: tuple[Phrase, ...] = field(default_factory=tuple)

    @classmethod
    def of(cls, phrases: Iterable[str]) -> Matcher:
        return cls(tuple(_compile(p) for p in dict.fromkeys(p.strip() for p in phrases) if p))

    def __bool__(self) -> bool:
        return bool(self.phrases)

    def found(self, text: str) -> list[str]:
        """The phrases `text` talks about, in the configured order."""
        if not text or not self.phrases:
            return []
        lowered = text.lower()
        return [phrase.text for phrase in self.phrases if _talks_about(phrase, text, lowered)]


def _compile(text: str) -> Phrase:
    if _HANGUL.search(text):
        morphemes = tuple(_morphemes(text))
        hangul_words = [w for w in re.findall(r"[\uac00-\ud7a3]+", text)]
        needle = max(hangul_words, key=len) if hangul_words else text
        return Phrase(text, None, morphemes or (text.lower(),), needle.lower(), len(text.split()))
    words = [re.escape(word) for word in text.split()]
    body = r"\s+".join(words)
    pattern = re.compile(rf"(?<![A-Za-z0-9]){body}(?:'?s|es)?(?![A-Za-z0-9])", re.IGNORECASE)
    return Phrase(text, pattern)


def _talks_about(phrase: Phrase, text: str, lowered: str) -> bool:
    if phrase.pattern is not None:
        return phrase.pattern.search(text) is not None
    start = lowered.find(phrase.needle)
    while start >= 0:
        end = start + len(phrase.needle)
        if _contains(
            _morphemes(_words_around(lowered, start, end, phrase.words)), phrase.morphemes
        ):
            return True
        start = lowered.find(phrase.needle, end)
    return False


def _words_around(text: str, start: int, end: int, words: int) -> str:
    """The word (between spaces) holding text[start:end], with `words - 1` words each side.

    Kiwi decides whether "보안" in "보안관" is the noun 보안 from the word itself, so a
    single word is enough, and the same few words ("반도체가", "반도체를") recur across
    the day's items: each is analysed once (`_morphemes` is cached)."""
    left, right = _word_start(text, start), _word_end(text, end)
    for _ in range(words - 1):
        left = _word_start(text, max(0, left - 1))
        right = _word_end(text, min(len(text), right + 1))
    return text[left:right].strip()


def _word_start(text: str, at: int) -> int:
    return max(text.rfind(" ", 0, at), text.rfind("\n", 0, at)) + 1


def _word_end(text: str, at: int) -> int:
    ends = [found for found in (text.find(" ", at), text.find("\n", at)) if found >= 0]
    return min(ends) if ends else len(text)


def _contains(tokens: tuple[str, ...], wanted: tuple[str, ...]) -> bool:
    size = len(wanted)
    return any(tokens[i : i + size] == wanted for i in range(len(tokens) - size + 1))


@lru_cache(maxsize=20_000)
def _morphemes(text: str) -> tuple[str, ...]:
    """The text's morphemes, lower-cased, punctuation left out (a span is often repeated:
    the same headline in several feeds)."""
    return tuple(
        token.form.lower() for token in kiwi().tokenize(text) if not _is_punctuation(token.tag)
    )


def _is_punctuation(tag: str) -> bool:
    return tag.startswith("S") and tag not in ("SL", "SN", "SH")


_lock = threading.Lock()
_kiwi: Any = None


def kiwi() -> Any:
    """The process's one Kiwi analyser, loaded on first use (~3 s, ~100 MB)."""
    global _kiwi
    if _kiwi is None:
        with _lock:
            if _kiwi is None:
                from kiwipiepy import Kiwi

                _kiwi = Kiwi()
    return _kiwi


def forget_words() -> None:
    """Empty the per-process cache of analysed words (benchmarks measure a cold draft)."""
    _morphemes.cache_clear()
