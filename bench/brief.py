"""Benchmark: drafting the briefing from 2,000 collected items with the extractive writer.

Target (issue 4): ≤ 2 s median for `draft` on 2,000 items on the 2-core machine.
Measured in-process, median of several runs, for the stages users wait for:
selection alone, the in-memory draft, and the whole `draft` stage (read and
validate items.json, select, write, save briefing.json). Selection at 10× the
items shows it stays linear (no per-item quadratic work).

    python bench/brief.py [--runs 7]   → table on stdout, bench/results/brief.json
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # benchmark this checkout, not an installed copy

from newsletter.brief.select import Beat, choose, select_stories  # noqa: E402
from newsletter.config import Settings, load_settings  # noqa: E402
from newsletter.model import Item, items_to_json  # noqa: E402
from newsletter.pipeline import draft_stage  # noqa: E402
from newsletter.runtime import Paths, Runtime  # noqa: E402
from newsletter.text.topics import forget_words  # noqa: E402
from tests.fixtures.edge import draft_for  # noqa: E402

DAY = date(2026, 2, 7)
TARGET_SECONDS = 2.0
SELECTION_TARGET_SECONDS = 2.0  # selection + ranking with a beat, 2,000 items (issue 17)
#: A tech beat in both languages: Korean phrases go through Kiwi where their letters occur.
TOPICS = ["AI", "chip", "agent", "security", "반도체", "투자", "개인정보", "오픈소스"]
EXCLUDE = ["crypto", "광고"]
SECTIONS = ("ai", "hardware", "policy", "funding", "tools", "security", "science", "cloud")
EN_SUBJECTS = ("The startup", "Nvidia", "OpenAI", "The regulator", "Cerebras", "Google", "Apple")
EN_VERBS = ("announced", "released", "raised", "delayed", "expanded", "tested", "acquired")
EN_OBJECTS = (
    "a new inference chip with 3.5 times the memory",
    "its agent platform for enterprise developers",
    "$225M in a special fund led by Benchmark",
    "a privacy policy for users in Korea",
    "an open model trained on 15 trillion tokens",
    "a security patch for the U.S. market",
)
EN_IMPACT = (
    "The move could reshape competition in AI hardware.",
    "Analysts say it signals a shift for developers.",
    "The risk for incumbents is growing.",
)
KO_SUBJECTS = ("오픈AI는", "엔비디아가", "삼성전자는", "세레브라스는", "정부는", "네이버가")
KO_OBJECTS = (
    "새로운 추론 칩을 공개했다.",
    "기업용 에이전트 플랫폼을 출시했다.",
    "2.25억 달러 규모의 투자를 유치했다.",
    "한국 이용자를 위한 개인정보 처리방침을 발표했다.",
    "오픈소스 모델을 15조 토큰으로 학습시켰다.",
)
KO_IMPACT = (
    "업계는 이번 발표가 시장 판도를 바꿀 것으로 전망한다.",
    "전문가들은 경쟁이 더 치열해질 가능성을 우려한다.",
)


def generate(count: int, seed: int = 42) -> list[Item]:
    """`count` items in clusters of 1–3, half Korean, 8–30 sentences each (a full article)."""
    rng = random.Random(seed)
    send = datetime(2026, 2, 6, 22, 0, tzinfo=UTC)
    items: list[Item] = []
    cluster = 0
    while len(items) < count:
        cluster += 1
        korean = rng.random() < 0.5
        section = rng.choice(SECTIONS)
        size = min(rng.choice((1, 1, 2, 3)), count - len(items))
        for member in range(size):
            n = len(items)
            sentences = []
            for _ in range(rng.randint(8, 30)):
                if korean:
                    pool = KO_IMPACT if rng.random() < 0.15 else KO_OBJECTS
                    sentences.append(f"{rng.choice(KO_SUBJECTS)} {rng.choice(pool)}")
                elif rng.random() < 0.15:
                    sentences.append(rng.choice(EN_IMPACT))
                else:
                    sentences.append(
                        f"{rng.choice(EN_SUBJECTS)} {rng.choice(EN_VERBS)} "
                        f"{rng.choice(EN_OBJECTS)} on day {rng.randint(1, 28)}."
                    )
            site = f"site{rng.randint(0, 39)}.example"
            title = sentences[0].rstrip(".")
            items.append(
                Item(
                    id=f"item-{n}",
                    feed_url=f"https://{site}/feed.xml",
                    feed_title=site,
                    section=section,
                    title=title if member == 0 else f"{title} ({site})",
                    url=f"https://{site}/news/{n}",
                    published=send - timedelta(minutes=rng.randint(1, 23 * 60)),
                    summary=" ".join(sentences),
                    cluster=f"cluster-{cluster}",
                    weight=rng.choice((1.0, 1.0, 1.0, 1.5)),
                )
            )
    return items


def median_seconds(action: Callable[[], object], runs: int) -> tuple[float, list[float]]:
    action()  # warm-up: imports, regex compilation
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times


def configure(folder: Path) -> Settings:
    path = folder / "newsletter.toml"
    path.write_text(
        '[newsletter]\nname = "Bench"\nlanguage = "ko"\n'
        '[sender]\nfrom = "Bench <bench@example.com>"\ntransport = "outbox"\n'
        "[brief]\nmax_stories = 10\nfetch_articles = false\n",  # no network in a bench
        encoding="utf-8",
    )
    return load_settings(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--items", type=int, default=2000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as temp:
        settings = configure(Path(temp))
        items = generate(args.items)
        many = generate(args.items * 10, seed=7)
        folder = Paths.of(settings).edition_dir(DAY)
        folder.mkdir(parents=True)
        (folder / "items.json").write_text(items_to_json(items, DAY), encoding="utf-8")
        now = settings.send_moment(DAY)

        def select(pool: list[Item]) -> Callable[[], object]:
            return lambda: select_stories(
                pool, max_stories=10, max_per_section=2, now=now, window_hours=24
            )

        beat = Beat.of(TOPICS, EXCLUDE)
        started = time.perf_counter()
        choose(items, max_stories=10, max_per_section=2, now=now, window_hours=24, beat=beat)
        first_beat = time.perf_counter() - started  # includes loading Kiwi (once per process)

        def ranked(pool: list[Item]) -> Callable[[], object]:
            def run() -> object:
                forget_words()  # a draft runs once per process: no word is analysed yet
                return choose(
                    pool, max_stories=10, max_per_section=2, now=now, window_hours=24, beat=beat
                )

            return run

        cases = [
            (f"select {len(items):,} items", select(items)),
            (f"select + rank {len(items):,} items, topics en+ko", ranked(items)),
            (f"select {len(many):,} items (10×)", select(many)),
            (f"draft_briefing {len(items):,} items", lambda: draft_for(items, settings, DAY)),
            (
                f"draft stage {len(items):,} items (items.json → briefing.json)",
                lambda: draft_stage(Runtime(settings), DAY, force=True),
            ),
        ]
        rows = []
        for name, action in cases:
            median, times = median_seconds(action, args.runs)
            rows.append({"case": name, "median_s": median, "min_s": min(times), "runs": times})

    width = max(len(r["case"]) for r in rows)
    print(f"{'case':<{width}}  {'median':>9}  {'min':>9}")
    for row in rows:
        median_ms, min_ms = row["median_s"] * 1000, row["min_s"] * 1000
        print(f"{row['case']:<{width}}  {median_ms:7.1f} ms  {min_ms:7.1f} ms")
    stage = rows[4]["median_s"]
    beat_median = rows[1]["median_s"]
    scaling = rows[2]["median_s"] / rows[0]["median_s"]
    verdict = "PASS" if stage <= TARGET_SECONDS else "FAIL"
    target = f"draft ≤ {TARGET_SECONDS:.1f} s for {args.items:,} items"
    print(f"target: {target} → {verdict} ({stage:.3f} s)")
    print(f"selection at 10× the items takes {scaling:.1f}× as long (linear ≈ 10×)")
    beat_ok = beat_median <= SELECTION_TARGET_SECONDS
    print(
        f"target: selection + ranking with topics ≤ {SELECTION_TARGET_SECONDS:.1f} s for "
        f"{args.items:,} items → {'PASS' if beat_ok else 'FAIL'} ({beat_median:.3f} s; first run "
        f"with the Kiwi model load {first_beat:.2f} s)"
    )

    result = {
        "benchmark": "brief",
        "items": args.items,
        "runs": args.runs,
        "target_s": TARGET_SECONDS,
        "pass": stage <= TARGET_SECONDS and beat_ok,
        "selection_with_topics_s": beat_median,
        "selection_first_run_with_model_load_s": first_beat,
        "selection_scaling_10x": scaling,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "rows": rows,
    }
    out = ROOT / "bench" / "results" / "brief.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")
    if stage > TARGET_SECONDS or not beat_ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
