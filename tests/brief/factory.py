"""Items, configs and edition folders for the brief tests, written as users would write them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from newsletter.config import Settings
from newsletter.model import Item, items_to_json
from newsletter.runtime import Paths
from tests.fixtures.site import make_site

DAY = date(2026, 2, 7)
#: The demo edition's send moment (07:00 Asia/Seoul) in UTC: the end of the window.
SEND = datetime(2026, 2, 6, 22, 0, tzinfo=UTC)


def item(
    n: int,
    title: str,
    summary: str = "",
    *,
    site: str = "example.com",
    section: str = "ai",
    cluster: str = "",
    hours_ago: float = 2.0,
    weight: float = 1.0,
) -> Item:
    """One collected item; `site` is its publisher (the host of its URL and feed)."""
    return Item(
        id=f"item-{n}",
        feed_url=f"https://{site}/feed.xml",
        feed_title=site,
        section=section,
        title=title,
        url=f"https://{site}/news/{n}",
        published=SEND - timedelta(hours=hours_ago),
        summary=summary,
        cluster=cluster or f"item-{n}",
        weight=weight,
    )


def write_config(
    folder: Path,
    *,
    language: str = "en",
    writer: str = "extractive",
    max_stories: int = 5,
    max_per_section: int = 2,
    brief: dict[str, Any] | None = None,
    **tables: Any,
) -> Settings:
    """The test site's newsletter.toml in `folder` with the brief's keys, loaded back."""
    return make_site(
        folder,
        newsletter={"language": language},
        brief={
            "max_stories": max_stories,
            "max_per_section": max_per_section,
            "writer": writer,
            **(brief or {}),
        },
        **tables,
    ).settings


def write_items(settings: Settings, items: list[Item], day: date = DAY) -> Path:
    """editions/D/items.json as `collect` writes it."""
    folder = Paths.of(settings).edition_dir(day)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "items.json"
    path.write_text(items_to_json(items, day), encoding="utf-8")
    return path


COMPILER = (
    "Anthropic researchers let sixteen Claude agents build a C compiler from scratch. "
    "The $20,000 project ran for two weeks on a shared repository. "
    "The compiler built the Linux kernel, a milestone for autonomous coding. "
    "It still needed deep human management along the way. "
    "The result could reshape how companies staff software teams."
)
LAWYERS = (
    "Anthropic's Opus 4.6 topped a legal reasoning leaderboard this week. "
    "The model beat the previous leader by eleven points. "
    "Law firms could soon hand routine research to agents."
)
CEREBRAS = (
    "Benchmark raised $225M in special funds to invest more in Cerebras. "
    "Cerebras builds the Wafer-Scale Engine, a single giant chip for AI training. "
    "Benchmark first backed Cerebras in 2016. "
    "The deal signals growing competition with Nvidia in AI hardware."
)
LOCALIZATION = (
    "오픈AI가 글로벌 모델을 각 지역의 언어와 법규에 맞게 조정하는 지역화 전략을 공개했다. "
    "오픈AI는 한국 이용자를 위한 별도의 개인정보 처리방침도 마련했다. "
    "이번 전략은 AI가 여러 나라에서 받아들여지는 계기가 될 전망이다."
)


def demo_items() -> list[Item]:
    """The seed edition's shape: a two-source AI story, a funding story, a Korean policy story."""
    return [
        item(
            1,
            "Sixteen Claude agents built a C compiler",
            COMPILER,
            site="arstechnica.com",
            cluster="compiler",
        ),
        item(
            2,
            "Maybe AI agents can be lawyers after all",
            LAWYERS,
            site="techcrunch.com",
            cluster="compiler",
            hours_ago=3,
        ),
        item(
            3,
            "Benchmark raises $225M to double down on Cerebras",
            CEREBRAS,
            site="techcrunch.com",
            section="funding",
        ),
        item(4, "오픈AI, 지역화 전략 공개", LOCALIZATION, site="openai.com", section="policy"),
    ]
