"""`draft` through the pipeline on real files: determinism, the empty day, hand edits."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from newsletter.brief.briefing_file import BRIEFING_NAME
from newsletter.brief.draft import EmptyDay
from newsletter.cli.hints import stage_exit_code, stage_line
from newsletter.model import Briefing
from newsletter.pipeline import InputMissing, StageError, draft_stage
from newsletter.runtime import Paths, Runtime
from tests.brief.factory import DAY, demo_items, item, write_config, write_items
from tests.fixtures.edge import draft_for

ROOT = Path(__file__).resolve().parents[2]


def test_draft_writes_the_edition_shape(tmp_path: Path) -> None:
    settings = write_config(tmp_path, language="ko", brief={"emoji": {"funding": "💸"}})
    write_items(settings, demo_items())
    draft_stage(Runtime(settings), DAY)
    path = Paths.of(settings).edition_dir(DAY) / BRIEFING_NAME
    briefing = Briefing.from_json(path.read_text(encoding="utf-8"))  # validates like `render`
    assert briefing.title == "2026-02-07 Daily AI & Tech News"
    assert briefing.language == "ko"
    assert "2026년 2월 7일 (토)" in briefing.intro[1] and "3건" in briefing.intro[1]
    assert "3건" in briefing.outro[0]
    first, *rest = briefing.stories
    # the story two publishers report leads, and keeps both sources
    assert first.headline == "Sixteen Claude agents built a C compiler"
    assert [s.publisher for s in first.sources] == ["arstechnica.com", "techcrunch.com"]
    # the story's own words pick its emoji; a configured section emoji is the fallback
    assert [s.emoji for s in rest] == ["💰", "🌐"]
    # English reports in a Korean edition are quoted as the original's words, not summarised
    assert first.summary[0].startswith("원문(영어, arstechnica.com) 요지: “")
    assert first.why == [] and first.takeaway == ""
    assert "다른 언어로만 보도된 소식은" in briefing.intro[1]
    # the subject opens with the first story a Korean reader can read, not the quoted English one
    assert briefing.subject == "오픈AI, 지역화 전략 공개 외 2건"
    assert briefing.preheader.startswith("Sixteen Claude agents built a C compiler · Benchmark")
    assert all(story.summary for story in briefing.stories)


def test_same_input_gives_byte_identical_json(tmp_path: Path) -> None:
    settings = write_config(tmp_path)
    items = demo_items() + [
        item(
            n,
            f"Story {n} about chips",
            f"Chip {n} ships soon. It could cut costs by {n}%.",
            site=f"site{n % 3}.com",
            section=("ai", "hardware", "tools")[n % 3],
            cluster=f"c{n % 6}",
            hours_ago=n % 20,
        )
        for n in range(10, 60)
    ]
    first = draft_for(items, settings, DAY).to_json()
    shuffled = items[:]
    random.Random(7).shuffle(shuffled)
    assert draft_for(shuffled, settings, DAY).to_json() == first
    write_items(settings, items)
    draft_stage(Runtime(settings), DAY)
    on_disk = (Paths.of(settings).edition_dir(DAY) / BRIEFING_NAME).read_text(encoding="utf-8")
    assert on_disk == first


def test_empty_day_is_a_failure_with_a_clear_message(tmp_path: Path) -> None:
    settings = write_config(tmp_path)
    with pytest.raises(EmptyDay):
        draft_for([], settings, DAY)
    write_items(settings, [item(1, "Last week's news", "Old.", hours_ago=24 * 7)])
    with pytest.raises(StageError) as caught:
        draft_stage(Runtime(settings), DAY)
    assert stage_exit_code(caught.value) == 1  # what the CLI exits with
    message = str(caught.value)
    assert message.startswith("nothing to send for 2026-02-07: no items in the 24 h window")
    assert "1 collected items are all outside it" in message
    assert "\n" not in message
    assert not (Paths.of(settings).edition_dir(DAY) / BRIEFING_NAME).exists()


def test_hand_edits_are_protected_until_forced(tmp_path: Path) -> None:
    settings = write_config(tmp_path)
    write_items(settings, demo_items())
    path = Paths.of(settings).edition_dir(DAY) / BRIEFING_NAME
    draft_stage(Runtime(settings), DAY)
    draft_stage(Runtime(settings), DAY)  # unedited: a re-draft is fine

    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["stories"][0]["headline"] = "Edited by the editor"
    edited = json.dumps(doc, ensure_ascii=False, indent=2)
    path.write_text(edited, encoding="utf-8")
    with pytest.raises(StageError) as caught:
        draft_stage(Runtime(settings), DAY)
    line = stage_line(caught.value)  # what the CLI prints
    assert "edited by hand" in line and "--force" in line
    assert path.read_text(encoding="utf-8") == edited  # untouched

    briefing = draft_stage(Runtime(settings), DAY, force=True)
    assert briefing.stories[0].headline == "Sixteen Claude agents built a C compiler"
    assert "Edited by the editor" not in path.read_text(encoding="utf-8")
    draft_stage(Runtime(settings), DAY)  # and the forced draft is "ours" again


def test_briefing_written_by_hand_from_scratch_is_protected(tmp_path: Path) -> None:
    settings = write_config(tmp_path)
    write_items(settings, demo_items())
    folder = Paths.of(settings).edition_dir(DAY)
    (folder / BRIEFING_NAME).write_text("{}", encoding="utf-8")  # no fingerprint: not ours
    with pytest.raises(StageError, match="edited by hand"):
        draft_stage(Runtime(settings), DAY)


def test_missing_or_broken_items_file_is_one_line(tmp_path: Path) -> None:
    settings = write_config(tmp_path)
    with pytest.raises(InputMissing, match=r"items\.json: not found") as missing:
        draft_stage(Runtime(settings), DAY)
    assert (missing.value.step, missing.value.day) == ("collect", DAY)
    assert stage_line(missing.value).endswith(
        "items.json: not found; run `newsletter collect --date 2026-02-07` first"
    )
    path = write_items(settings, demo_items())
    path.write_text(path.read_text(encoding="utf-8").replace('"weight": 1.0', '"weight": "x"', 1))
    with pytest.raises(StageError) as caught:
        draft_stage(Runtime(settings), DAY)
    assert str(caught.value) == f"{path}: items[0].weight: must be a number"


DRAFT_IN_A_NEW_PROCESS = """
import sys
from pathlib import Path
from tests.fixtures.edge import draft_for
from tests.brief.factory import DAY, demo_items, item, write_config
items = demo_items() + [
    item(n, f"Story {n}", f"Chip {n} ships soon. Prices could fall {n}%. Rivals respond.",
         site=f"s{n % 4}.com", section=("ai", "tools")[n % 2], cluster=f"c{n % 9}")
    for n in range(10, 40)
]
sys.stdout.write(draft_for(items, write_config(Path(sys.argv[1])), DAY).to_json())
"""


@pytest.mark.slow
def test_identical_json_across_processes(tmp_path: Path) -> None:
    """Re-running `draft` tomorrow (another process, another hash seed) writes the same file."""
    outputs = []
    for seed in ("1", "2"):
        folder = tmp_path / seed
        folder.mkdir()
        done = subprocess.run(
            [sys.executable, "-c", DRAFT_IN_A_NEW_PROCESS, str(folder)],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)},
        )
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert len(Briefing.from_json(outputs[0]).stories) == 5
