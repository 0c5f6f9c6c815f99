"""Same article once, same story as one cluster — in Korean and in English."""

from __future__ import annotations

from datetime import timedelta

from feedserver import Reply

from newsletter.collect.dedupe import cluster, features
from tests.fixtures.edge import collect_for

# A small "day" of news from four feeds: two Korean, two English. Clusters expected:
# o5 (ko: A1+B1), HBM4 (ko: A2+B2), o5 (en: C1+D1), EU fine (en: C2+D2 with different wording
# is NOT expected at the default threshold), the rest alone.
FEED_A = [  # Korean outlet 1
    ("a1", "오픈AI, 새 추론 모델 'o5' 공개…수학·코딩 성능 대폭 향상",
     "오픈AI가 2일 새 추론 모델 o5를 공개했다. 수학과 코딩 벤치마크에서 이전 모델을 크게 앞섰다."),
    ("a2", "삼성전자, 차세대 HBM4 메모리 양산 시작…AI 반도체 경쟁 가열",
     "삼성전자가 HBM4 양산에 들어갔다."),
    ("a3", "SK하이닉스, HBM4 샘플 엔비디아에 공급", "SK하이닉스가 HBM4 샘플을 공급했다."),
]  # fmt: skip
FEED_B = [  # Korean outlet 2
    ("b1", "OpenAI, 추론 모델 o5 공개했다…코딩·수학 벤치마크서 최고 성능",
     "OpenAI는 추론 특화 모델 o5를 출시했다고 밝혔다. 코딩과 수학 분야에서 최고 성능을 기록했다."),
    ("b2", "삼성전자 HBM4 양산 돌입, 엔비디아 공급 추진",
     "삼성전자는 차세대 고대역폭메모리 HBM4의 양산을 시작했다고 밝혔다."),
    ("b3", "정부, AI 기본법 시행령 입법예고", "과학기술정보통신부가 시행령을 입법예고했다."),
]  # fmt: skip
FEED_C = [  # English outlet 1
    ("c1", "OpenAI releases o5 reasoning model with big gains in math and coding",
     "OpenAI on Monday released o5, its newest reasoning model, claiming large improvements."),
    ("c2", "Apple announces new iPhone 18 with satellite messaging", "Apple unveiled iPhone 18."),
    ("c3", "Weekly roundup #12", "This week in tech: chips, AI and more."),
    ("c4", "Weekly roundup #13", "This week in tech: phones, policy and more."),
]  # fmt: skip
FEED_D = [  # English outlet 2
    ("d1", "OpenAI unveils o5, a reasoning model that tops coding and math benchmarks",
     "The San Francisco company said o5 beats its previous models on math and programming."),
    ("d2", "Apple announces new iPad Pro with M6 chip", "Apple unveiled a new iPad Pro."),
    ("d3", "Microsoft releases Windows 12 preview for insiders", "Microsoft shipped a preview."),
]  # fmt: skip


def serve(feed_server, feeds, name, rows, minutes=0):
    items = [
        {
            "title": title,
            "link": f"https://{name}.example/{key}",
            "guid": key,
            "description": lead,
            "date": feeds.in_window + timedelta(minutes=minutes + i),
        }
        for i, (key, title, lead) in enumerate(rows)
    ]
    return feed_server.route(f"/{name}.xml", Reply(body=feeds.rss(items, title=name).encode()))


def collect_day(feed_server, make_settings, feeds, **collect):
    urls = [
        serve(feed_server, feeds, "a", FEED_A, minutes=0),
        serve(feed_server, feeds, "b", FEED_B, minutes=30),
        serve(feed_server, feeds, "c", FEED_C, minutes=0),
        serve(feed_server, feeds, "d", FEED_D, minutes=30),
    ]
    return collect_for(make_settings(urls, **collect), feeds.day, now=feeds.now)


def groups(result):
    found: dict[str, set[str]] = {}
    for item in result.items:
        found.setdefault(item.cluster, set()).add(item.url.rsplit("/", 1)[-1])
    return sorted(sorted(members) for members in found.values())


def test_same_story_across_feeds_is_one_cluster_in_korean_and_english(
    feed_server, make_settings, feeds
):
    result = collect_day(feed_server, make_settings, feeds)
    assert groups(result) == [
        ["a1", "b1"],  # Korean: o5 (오픈AI / OpenAI, particles differ)
        ["a2", "b2"],  # Korean: Samsung HBM4
        ["a3"],  # SK hynix HBM4 is another story
        ["b3"],
        ["c1", "d1"],  # English: o5
        ["c2"],  # iPhone and iPad are not one story
        ["c3"],  # one feed's series is not one story
        ["c4"],
        ["d2"],
        ["d3"],
    ]
    assert result.clusters == 10
    by_key = {item.url.rsplit("/", 1)[-1]: item for item in result.items}
    # the cluster is named after its first-published item; a lone item after itself
    assert by_key["b1"].cluster == by_key["a1"].id
    assert by_key["d1"].cluster == by_key["c1"].id
    assert by_key["d3"].cluster == by_key["d3"].id


def test_threshold_is_configurable(feed_server, make_settings, feeds):
    strict = collect_day(feed_server, make_settings, feeds, dedupe_threshold=0.95)
    assert all(len(members) == 1 for members in groups(strict))
    loose = collect_day(feed_server, make_settings, feeds, dedupe_threshold=0.2)
    assert ["c2", "d2"] in groups(loose)  # Apple iPhone/iPad merge once we ask for it


def test_duplicate_guids_and_the_same_article_in_two_feeds(feed_server, make_settings, feeds):
    first = feeds.rss(
        [
            {"title": "Original story", "link": "https://orig.example/s/1", "guid": "g1"},
            {"title": "Original story (repeat)", "link": "https://orig.example/s/1", "guid": "g1"},
            {"title": "Same guid, other link", "link": "https://orig.example/s/1b", "guid": "g1"},
            {"title": "Second story", "link": "https://orig.example/s/2", "guid": "g2"},
        ],
        title="Original",
    )
    aggregator = feeds.rss(
        [
            {
                "title": "Original story — via aggregator",
                "link": "http://www.orig.example/s/1?utm_source=agg&utm_medium=rss",
                "guid": "agg-99",
            },
            {"title": "Aggregator's own", "link": "https://agg.example/own", "guid": "g1"},
        ],
        title="Aggregator",
    )
    a = feed_server.route("/orig.xml", Reply(body=first.encode()))
    b = feed_server.route("/agg.xml", Reply(body=aggregator.encode()))
    result = collect_for(make_settings([a, b]), feeds.day, now=feeds.now)
    titles = sorted(item.title for item in result.items)
    assert titles == ["Aggregator's own", "Original story", "Second story"]
    assert len({item.id for item in result.items}) == 3
    original = next(item for item in result.items if item.title == "Original story")
    assert original.feed_title == "Original"  # the first feed in config order keeps it
    assert "2 duplicate entries dropped" in result.feeds[0].reason
    assert [report.items for report in result.feeds] == [2, 2]


def test_features_handle_korean_particles_and_english_plurals():
    assert set(features("삼성전자가")) & set(features("삼성전자는")) == {"삼성", "성전", "전자"}
    assert features("Models and the GPUs") == ["model", "gpu"]
    assert cluster([]) == []
