"""The briefing model survives JSON exactly, and a broken hand edit names its JSON path."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsletter.model import (
    Briefing,
    Item,
    ModelError,
    Source,
    Story,
    items_from_json,
    items_to_json,
)

text = st.text(min_size=1, max_size=40).filter(lambda s: s.strip())
urls = st.from_regex(r"https://[a-z]{1,10}\.example\.com/[a-z0-9/-]{0,20}", fullmatch=True)
moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
sources = st.builds(
    Source, title=text, url=urls, publisher=st.text(max_size=20), published=st.none() | moments
)
stories = st.builds(
    Story,
    emoji=st.sampled_from(["🤖", "💰", "🌐", "🛠️"]),
    headline=text,
    summary_title=st.text(max_size=30),
    summary=st.lists(text, min_size=1, max_size=3),
    why_title=st.text(max_size=30),
    why=st.lists(text, max_size=3),
    takeaway=st.text(max_size=60),
    sources=st.lists(sources, min_size=1, max_size=3),
    section=st.sampled_from(["ai", "funding", "policy"]),
)
briefings = st.builds(
    Briefing,
    date=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    title=text,
    language=st.sampled_from(["ko", "en"]),
    intro=st.lists(text, max_size=2),
    stories=st.lists(stories, min_size=1, max_size=4),
    outro=st.lists(text, max_size=2),
)


@given(briefings)
def test_briefing_json_round_trip_is_lossless(briefing: Briefing) -> None:
    assert Briefing.from_json(briefing.to_json()) == briefing


def test_korean_is_kept_as_text_not_escaped() -> None:
    story = Story(
        "💥",
        "에이전트가 컴파일러를 만들다",
        "요약",
        ["본문입니다."],
        sources=[Source("기사", "https://news.example.com/a")],
    )
    briefing = Briefing(date(2026, 2, 7), "2026-02-07 브리핑", "ko", ["안녕하세요!"], [story])
    doc = briefing.to_json()
    assert "에이전트가 컴파일러를 만들다" in doc
    assert "\\u" not in doc


@given(
    st.lists(
        st.builds(
            Item,
            id=text,
            feed_url=urls,
            feed_title=text,
            section=text,
            title=text,
            url=urls,
            published=moments,
            summary=st.text(max_size=80),
            content_html=st.text(max_size=80),
            cluster=st.text(max_size=8),
            weight=st.floats(min_value=0.1, max_value=5),
        ),
        max_size=5,
    )
)
def test_items_round_trip(items: list[Item]) -> None:
    assert items_from_json(items_to_json(items, date(2026, 2, 7))) == items


def test_offsets_survive() -> None:
    seoul = timezone(timedelta(hours=9))
    source = Source("t", "https://a.example.com/", "p", datetime(2026, 2, 7, 7, 0, tzinfo=seoul))
    assert Source.from_dict(source.to_dict(), "s").published.utcoffset() == timedelta(hours=9)


def valid_document() -> dict:
    story = Story(
        "🤖", "Headline", "What", ["Para."], sources=[Source("T", "https://x.example.com/")]
    )
    return Briefing(date(2026, 2, 7), "Title", "en", ["Hi"], [story]).to_dict()


@pytest.mark.parametrize(
    ("edit", "path"),
    [
        (lambda d: d["stories"][0].update(headline=""), "stories[0].headline"),
        (lambda d: d["stories"][0].pop("headline"), "stories[0].headline"),
        (
            lambda d: d["stories"][0]["sources"][0].update(url="javascript:alert(1)"),
            "stories[0].sources[0].url",
        ),
        (
            lambda d: d["stories"][0]["sources"][0].update(url="/relative"),
            "stories[0].sources[0].url",
        ),
        (lambda d: d["stories"][0].update(summary=[]), "stories[0].summary"),
        (lambda d: d["stories"][0].update(summary=["ok", 3]), "stories[0].summary[1]"),
        (lambda d: d.update(stories=[]), "stories"),
        (lambda d: d.update(date="7 Feb"), "date"),
        (lambda d: d.update(language="fr"), "language"),
        (lambda d: d.update(schema=99), "schema"),
    ],
)
def test_validation_names_the_json_path(edit, path: str) -> None:  # type: ignore[no-untyped-def]
    document = valid_document()
    edit(document)
    with pytest.raises(ModelError) as caught:
        Briefing.from_dict(document)
    assert caught.value.path == path
    assert str(caught.value).startswith(path)


@pytest.mark.parametrize(
    ("edit", "path", "hint"),
    [
        (
            lambda d: d["stories"][0].update(takeway="Typed by hand"),
            "stories[0].takeway",
            "takeaway",
        ),
        (lambda d: d.update(subjet="A subject"), "subjet", "subject"),
        (
            lambda d: d["stories"][0]["sources"][0].update(publsher="X"),
            "stories[0].sources[0].publsher",
            "publisher",
        ),
    ],
)
def test_a_misspelt_key_is_named_not_dropped(edit, path: str, hint: str) -> None:  # type: ignore[no-untyped-def]
    """A hand edit under a misspelt key vanished from the edition without a word."""
    document = valid_document()
    edit(document)
    with pytest.raises(ModelError) as caught:
        Briefing.from_dict(document)
    assert caught.value.path == path
    assert str(caught.value) == f"{path}: unknown key (did you mean {hint}?)"


def test_invalid_json_names_line() -> None:
    with pytest.raises(ModelError, match="line 2"):
        Briefing.from_json('{\n "schema": 1,,\n}')


@pytest.mark.parametrize(
    ("module_name", "allowed"),
    [("newsletter.model", {"newsletter.i18n"}), ("newsletter.i18n", set())],
)
def test_model_imports_nothing_of_ours_but_the_catalogs(
    module_name: str, allowed: set[str]
) -> None:
    import ast
    import importlib
    import inspect

    tree = ast.parse(inspect.getsource(importlib.import_module(module_name)))
    imported = [
        node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
    ] + [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    ]
    assert {name for name in imported if name.startswith("newsletter")} <= allowed
    assert json.dumps  # the stdlib is all it needs
