"""The beat: topics rank and gate, exclude keeps out, not-news is demoted, each explained."""

from __future__ import annotations

from newsletter.brief.select import Beat, choose, select_stories
from newsletter.runtime import Paths
from tests.brief.factory import SEND, item


def run(items, beat=None, max_stories=3):  # type: ignore[no-untyped-def]
    return choose(items, max_stories=max_stories, max_per_section=5, now=SEND, beat=beat)


def test_with_topics_only_stories_on_the_beat_are_picked() -> None:
    items = [
        item(1, "Arsenal beat Chelsea 3-1", site="sport.example", section="sport", weight=3.0),
        item(2, "New AI chip doubles inference speed", site="tech.example"),
        item(3, "반도체 수출 석 달째 증가", site="ko.example"),
    ]
    candidates = run(items, Beat.of(["AI", "반도체"], []))
    picked = {c.cluster.items[0].title: c.picked for c in candidates}
    assert picked["Arsenal beat Chelsea 3-1"] == 0
    assert picked["New AI chip doubles inference speed"] and picked["반도체 수출 석 달째 증가"]
    off = next(c for c in candidates if c.cluster.items[0].title.startswith("Arsenal"))
    assert off.reason == "off the beat: no topic matched"


def test_a_topic_in_the_headline_outranks_one_in_the_text() -> None:
    items = [
        item(1, "Startup raises $20M", "The startup builds AI tools."),
        item(2, "AI startup raises $20M", "The startup builds tools."),
    ]
    first, second = run(items, Beat.of(["AI"], []))
    assert first.cluster.items[0].title == "AI startup raises $20M"
    assert (first.topic, second.topic) == (2.0, 1.0)


def test_exclude_keeps_a_story_out_whatever_its_score() -> None:
    items = [
        item(1, "Crypto exchange adds AI trading", site="a.example", cluster="c"),
        item(2, "Crypto exchange adds AI trading bot", site="b.example", cluster="c"),
        item(3, "AI model tops benchmark", site="c.example"),
    ]
    candidates = run(items, Beat.of(["AI"], ["crypto"]))
    crypto = next(c for c in candidates if c.cluster.key == "c")
    assert crypto.picked == 0 and crypto.reason == "excluded by [brief] exclude: crypto"


def test_not_news_is_demoted_and_never_picked_even_without_topics() -> None:
    items = [
        item(1, "Best laptop deals: 30% off", site="a.example", cluster="d"),
        item(2, "Best laptop deals today: 30% off", site="b.example", cluster="d"),
        item(3, "Chip maker ships new part"),
    ]
    deal, news = sorted(run(items), key=lambda c: c.cluster.key != "d")
    assert deal.penalty == 8.0 and deal.score < news.score and deal.picked == 0
    assert deal.reason == "not news: looks like a deal or sale"
    assert deal.parts()["not_news"] == -8.0


def test_without_topics_the_ranking_is_publishers_weight_recency() -> None:
    items = [
        item(1, "Solo, heavy feed", site="a.com", weight=2.0, hours_ago=0),
        item(2, "Shared", site="b.com", cluster="shared", hours_ago=20),
        item(3, "Shared again", site="c.com", cluster="shared", hours_ago=20),
    ]
    chosen = select_stories(items, max_stories=5, max_per_section=5, now=SEND)
    assert [c.key for c in chosen] == ["shared", "item-1"]
    shared = next(c for c in run(items) if c.cluster.key == "shared")
    assert shared.topic == 0.0 and shared.publishers == 6.0


def test_every_candidate_has_a_reason() -> None:
    items = [item(n, f"AI story {n}", hours_ago=n) for n in range(1, 6)]
    candidates = run(items, Beat.of(["AI"], []), max_stories=2)
    assert [c.picked for c in candidates] == [1, 2, 0, 0, 0]
    assert candidates[0].reason == "picked #1 (AI)"
    assert candidates[4].reason.startswith("below the 2 picked (score ")


def test_a_feed_filed_under_a_topic_is_on_that_beat() -> None:
    """The section is the editor's own filing: a 'security' feed is on a 'security' beat."""
    items = [item(1, "Browser makers patch a zero-day", section="security")]
    (candidate,) = run(items, Beat.of(["security"], []))
    assert candidate.topics == ["security"] and candidate.picked == 1


def test_draft_explain_shows_every_candidate_and_selection_json(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from typer.testing import CliRunner

    from newsletter.cli import app
    from tests.brief.factory import DAY, write_config, write_items

    settings = write_config(tmp_path, brief={"topics": ["AI"], "fetch_articles": False})
    write_items(
        settings,
        [
            item(1, "AI chip doubles inference speed", "The chip is fast. It ships soon."),
            item(2, "Arsenal beat Chelsea 3-1", "A football match.", section="sport"),
            item(3, "Best laptop deals: 30% off", "AI laptops on sale.", section="sport"),
        ],
    )
    result = CliRunner().invoke(
        app,
        ["--config", str(settings.path), "draft", "--date", str(DAY), "--explain"],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "Candidates: 1 of 3 stories picked" in out
    assert "picked #1 (AI)" in out
    assert "off the beat: no topic matched" in out
    assert "not news: looks like a deal or sale" in out
    assert "selection: 1 of 3 candidate stories picked; not picked:" in out
    saved = json.loads((Paths.of(settings).edition_dir(DAY) / "selection.json").read_text("utf-8"))
    assert [c["picked"] for c in saved["candidates"]] == [1, 0, 0]
    assert set(saved["candidates"][0]["parts"]) == {
        "topic", "publishers", "weight", "recency", "not_news"
    }  # fmt: skip


def test_an_edition_with_nothing_on_the_beat_explains_itself(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from newsletter.cli import app
    from tests.brief.factory import DAY, write_config, write_items

    settings = write_config(tmp_path, brief={"topics": ["AI"], "fetch_articles": False})
    write_items(settings, [item(2, "Arsenal beat Chelsea 3-1", "A match.", section="sport")])
    result = CliRunner().invoke(
        app, ["--config", str(settings.path), "draft", "--date", str(DAY), "--explain"]
    )
    assert result.exit_code == 1
    out = " ".join(result.output.split())
    assert "none of the 1 candidate stories could be picked (1 off the beat" in out
    assert f"see `newsletter draft --date {DAY} --explain`" in out  # the CLI's advice
    assert "Candidates: 0 of 1 stories picked" in out
