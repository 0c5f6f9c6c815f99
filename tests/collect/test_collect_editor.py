"""The issue's bad day, on our own fixture feeds: a tech beat picks tech, reads clean.

Eleven feeds of the kinds that went wrong — a football live blog, a bike shop's sale,
a homelab forum (help questions, reddit footers), a medical site, a blog whose posts
differ only by #fragment, a podcast whose episodes all link to its homepage, a
Portuguese site with Portuguese dates, a Korean site with bylines and tag pointers,
an abandoned feed — collected and drafted with `topics` set to a tech beat.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from feedserver import IN_WINDOW, Reply

from newsletter.brief.report import DraftReport
from tests.fixtures.edge import collect_for, draft_for
from tests.fixtures.site import make_site

TOPICS = ["AI", "chip", "semiconductor", "security", "open source", "반도체", "인공지능", "보안"]
FOOTER = (
    ' submitted by /u/{user} <a href="https://r.example/x">[link]</a> <a href="#">[comments]</a>'
)


def _at(minutes: int) -> datetime:
    return IN_WINDOW + timedelta(minutes=minutes)


FEEDS = {
    "tech": [
        ("t1", "Chip maker ships first 2 nm AI accelerator",
         "<p>The company said the chip doubles inference throughput.</p>"
         "<p>The post Chip maker ships first 2 nm AI accelerator appeared first on TechWire.</p>"),
        ("t2", "Browser patch closes a zero-day security hole",
         "<p>Attackers used the flaw in targeted attacks, the vendor said. Continue reading…</p>"),
    ],
    "sport": [("s1", "Arsenal v Chelsea: Premier League – live", "<p>Kick-off at 17:30.</p>")],
    "bikes": [("b1", "Best bike light deals: 40% off Lezyne and Cateye", "<p>Prices drop.</p>")],
    "homelab": [
        ("h1", "Any reason to keep 1G connections to my servers?",
         "<p>My switch has 10G ports now.</p>" + FOOTER.format(user="rackfan")),
        ("h2", "Open source AI model runs on a single home GPU",
         "<p>A 7B model now fits in 12 GB with 4-bit weights.</p>" + FOOTER.format(user="gpu")),
    ],
    "medical": [("m1", "Statin trial shows fewer heart attacks in older adults",
                 "<p>The summary of the study links the full paper.</p><p>Results held.</p>")],
    "korean": [
        ("k1", "삼성전자, 2나노 반도체 양산 돌입",
         "<p>(서울=예시뉴스) 홍길동 기자 = 삼성전자가 2나노 공정으로 반도체 양산에 들어갔다.</p>"
         "<p>관련 기사는 '반도체' 태그에 모아 두었다.</p>"
         "<p>&lt;저작권자 ⓒ 예시뉴스, 무단 전재 및 재배포 금지&gt;</p>"),
    ],
}  # fmt: skip


def _rss(items: list[dict], title: str) -> bytes:
    from feedserver import rss

    return rss(items, title=title).encode()


def _serve_all(feed_server) -> list[dict]:
    feeds = []
    for name, rows in FEEDS.items():
        items = [
            {"title": t, "link": f"https://{name}.example/{k}", "guid": k, "date": _at(i),
             "content": html}
            for i, (k, t, html) in enumerate(rows)
        ]  # fmt: skip
        feeds.append({"url": feed_server.route(f"/{name}.xml", Reply(body=_rss(items, name)))})
    notes = [
        {"title": f"AI notebook entry {i}", "link": f"https://notes.example/ai#n{i}",
         "guid": f"note-{i}", "date": _at(30 + i), "description": f"Note {i} on AI agents."}
        for i in range(6)
    ]  # fmt: skip
    feeds.append({"url": feed_server.route("/notes.xml", Reply(body=_rss(notes, "notes")))})
    episodes = [
        {"title": f"Episode {i}: chip design with guest {i}", "link": "https://pod.example/",
         "guid": f"ep-{i}", "date": _at(40 + i), "description": f"We talk about chip {i}."}
        for i in range(5)
    ]  # fmt: skip
    feeds.append({"url": feed_server.route("/pod.xml", Reply(body=_rss(episodes, "pod")))})
    portuguese = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Tec BR'
        "</title><item><title>Startup brasileira lança chip de IA para celulares</title>"
        "<link>https://br.example/1</link><guid>br-1</guid>"
        "<pubDate>Seg, 02 Fev 2026 12:00:00 +0000</pubDate>"
        "<description>O chip chega em maio.</description></item></channel></rss>"
    )
    feeds.append({"url": feed_server.route("/br.xml", Reply(body=portuguese.encode()))})
    old = [{"title": "Old post", "link": "https://old.example/1", "guid": "o1",
            "date": datetime(2018, 9, 24, tzinfo=UTC)}]  # fmt: skip
    feeds.append({"url": feed_server.route("/old.xml", Reply(body=_rss(old, "old")))})
    return feeds


def test_a_tech_beat_picks_tech_and_reads_clean(feed_server, feeds, tmp_path):
    settings = make_site(
        tmp_path,
        newsletter={"name": "Tech"},
        sender={"from": "news@example.com"},
        brief={"topics": TOPICS, "max_stories": 5, "fetch_articles": False},
        collect={"allow_private_networks": True},
        feeds=_serve_all(feed_server),
    ).settings
    result = collect_for(settings, feeds.day, now=feeds.now)

    by_name = {report.name: report for report in result.feeds}
    assert by_name["notes"].items == 6 and by_name["pod"].items == 5  # no GUID lost
    assert by_name["Tec BR"].items == 1  # Portuguese date read
    assert by_name["old"].reason == "1 entry, all older than the window (newest 2018-09-24)"
    assert all(r.reason for r in result.feeds if r.items == 0)  # every zero says why

    report = DraftReport()
    briefing = draft_for(result.items, settings, feeds.day, report)
    picked = [c for c in report.candidates if c.picked]
    assert len(briefing.stories) == 5
    assert all(candidate.topics for candidate in picked)  # on the beat
    headlines = " | ".join(story.headline for story in briefing.stories)
    for off_beat in ("Arsenal", "bike light", "1G connections", "Statin"):
        assert off_beat not in headlines
    reasons = {c.cluster.items[0].title: c.reason for c in report.candidates}
    assert reasons["Arsenal v Chelsea: Premier League – live"].startswith("off the beat")
    assert reasons["Any reason to keep 1G connections to my servers?"].endswith(
        "not news: looks like a question or help request"
    )
    assert reasons["Best bike light deals: 40% off Lezyne and Cateye"].endswith("a deal or sale")
    text = " ".join(
        " ".join([*story.summary, *story.why, story.takeaway]) for story in briefing.stories
    )
    text += " ".join(item.summary for item in result.items)
    for furniture in ("submitted by", "[link]", "appeared first", "Continue reading",
                      "관련 기사는", "무단 전재", "기자 =", "links the full paper"):  # fmt: skip
        assert furniture not in text
