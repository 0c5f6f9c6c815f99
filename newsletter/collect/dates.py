"""Feed dates written with month and weekday names in other languages.

feedparser reads RFC 822 and ISO 8601 dates, but many publishers localise the
names: "Sex, 06 Fev 2026 14:03:00 -0300" (Portuguese), "Fr, 06 Feb. 2026"
(German), "vendredi 6 février 2026 14:03" (French), "viernes, 6 de febrero de
2026" (Spanish), "2026년 2월 6일 (금) 오후 2:03" and "2026.02.06 14:03" (Korean).
Such an entry used to come back undated, and an undated entry of a past edition
date never reaches the window: the feed yielded nothing and said nothing.
`parse_localised` reads them: month names are translated to English through a
table, weekday names and filler words dropped, and the rest is read by
python-dateutil. It runs only for a date feedparser could not read (no cost on the
usual feed); one we still cannot read stays None (and is reported).
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from datetime import UTC, datetime

from dateutil import parser as date_parser

# Month names and abbreviations (Portuguese, German, French, Spanish, Italian, Dutch)
# as written after accents are removed; numbered 1..12.
_MONTHS = {
    1: "janeiro jan januar janner janvier janv enero ene gennaio genn januari",
    2: "fevereiro fev februar feb fevrier fevr febrero febbraio febr februari",
    3: "marco mar marz mars marzo maart mrt",
    4: "abril abr april avril avr aprile apr",
    5: "maio mai mayo maggio mag mei",
    6: "junho jun juni juin junio giugno giu",
    7: "julho jul juli juillet juil julio luglio lug",
    8: "agosto ago august aout augustus aug",
    9: "setembro set september septembre sept septiembre settembre sep",
    10: "outubro out oktober okt octobre oct octubre ottobre ott",
    11: "novembro nov november novembre noviembre",
    12: "dezembro dez dezember decembre dec diciembre dic dicembre december",
}
_ENGLISH = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_OF = {name: month for month, names in _MONTHS.items() for name in names.split()}
# Weekday names and filler words: dropped before parsing.
_WEEKDAYS = (
    "segunda terca quarta quinta sexta sabado domingo seg ter qua qui sex sab dom feira",
    "montag dienstag mittwoch donnerstag freitag samstag sonntag mo di mi do fr sa so",
    "lundi mardi mercredi jeudi vendredi samedi dimanche lun mar mer jeu ven sam",
    "lunes martes miercoles jueves viernes sabado domingo mie vie",
    "de del der des le la el am um a as les h uhr",
)
_NOISE = frozenset(word for line in _WEEKDAYS for word in line.split())
# Zone abbreviations these publishers write (dateutil knows only UTC/GMT and the local one).
_ZONES = {
    name: hours * 3600
    for hours, names in ((-3, "BRT ART"), (-2, "BRST"), (1, "CET MEZ WAT"), (2, "CEST MESZ EET"),
                         (0, "WET UTC GMT UT Z"), (9, "KST JST"), (-5, "EST"), (-4, "EDT"))
    for name in names.split()
}  # fmt: skip
_WORD = re.compile(r"[^\W\d_]+\.?")
_KOREAN = re.compile(
    r"(?P<y>\d{4})\s*[년.\-/]\s*(?P<m>\d{1,2})\s*[월.\-/]\s*(?P<d>\d{1,2})\s*[일.]?"
    r"(?:\s*\(?[월화수목금토일](?:요일)?\)?)?"
    r"(?:\s*(?P<ampm>오전|오후)?\s*(?P<H>\d{1,2})\s*[:시]\s*(?P<M>\d{1,2})\s*분?"
    r"(?:\s*[:]\s*(?P<S>\d{1,2})\s*초?)?)?"
    r"(?:\s*(?P<tz>[+-]\d{2}:?\d{2}|KST|UTC|GMT))?\s*$"
)

# "2026.02.06 14:03": year first with dots, how Korean news sites (and Chinese and Japanese
# ones) print a time stamp; read as Korean time unless it names a zone.
_DOTTED = re.compile(r"\d{4}\.\s*\d{1,2}\.\s*\d{1,2}\.?(\s|$)")


def parse_localised(value: str) -> float | None:
    """A localised date as POSIX seconds (UTC), or None when it is not one we can read."""
    if not value or len(value) > 100:
        return None
    moment = _korean(value.strip()) or _named_month(value)
    return moment.timestamp() if moment is not None else None


def _korean(value: str) -> datetime | None:
    match = _KOREAN.match(value)
    korean = "년" in value or "월" in value or "오" in value
    if not match or not (korean or _DOTTED.match(value)):
        return None
    hour = int(match["H"] or 0)
    if match["ampm"] == "오후" and hour < 12:
        hour += 12
    elif match["ampm"] == "오전" and hour == 12:
        hour = 0
    zone = match["tz"] or "+09:00"  # a Korean date without a zone is Korean time
    zone = {"KST": "+09:00", "UTC": "+00:00", "GMT": "+00:00"}.get(zone, zone)
    text = (
        f"{match['y']}-{int(match['m']):02d}-{int(match['d']):02d}T{hour:02d}:"
        f"{int(match['M'] or 0):02d}:{int(match['S'] or 0):02d}{zone}"
    )
    try:
        return datetime.fromisoformat(text).astimezone(UTC)
    except ValueError:
        return None


def _named_month(value: str) -> datetime | None:
    """Translate the month name, drop weekdays and fillers, let dateutil read the rest."""
    plain = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    tokens = re.split(r"(\s+|,)", plain)
    bare = [token.strip().rstrip(".").lower() for token in tokens]
    # "mar." is Tuesday in French and Spanish and March in four languages: the month is
    # the last month-like word ("mar., 3 de feb. de 2026" is in February).
    months = [i for i, word in enumerate(bare) if word in _MONTH_OF and _WORD.fullmatch(word)]
    if not months:
        return None
    words: list[str] = []
    for index, token in enumerate(tokens):
        if index == months[-1]:
            words.append(_ENGLISH[_MONTH_OF[bare[index]] - 1])
        elif bare[index] not in _NOISE and bare[index] not in _MONTH_OF:
            words.append(token)
    text = " ".join("".join(words).replace(",", " ").split())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an unknown zone name ("BRT") is read as UTC
        try:
            moment = date_parser.parse(text, default=datetime(1900, 1, 1), tzinfos=_ZONES)
        except (ValueError, OverflowError):
            return None
    if moment.year == 1900:
        return None  # no year in it: not a date we trust
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
