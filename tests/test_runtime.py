"""The runtime an edge builds: paths from the config's folder, a clock in the readers' zone,
and nothing opened until it is asked for."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from newsletter.audience.tokens import SecretKeyError
from newsletter.runtime import Clock, Runtime
from tests.fixtures.site import make_site


def test_paths_are_resolved_against_the_config_folder(tmp_path: Path) -> None:
    site = make_site(tmp_path, publish={"jekyll_posts_dir": "blog/_posts"})
    paths = site.runtime.paths
    assert paths.root == tmp_path
    assert paths.edition_dir(date(2026, 2, 7)) == tmp_path / "data" / "editions" / "2026-02-07"
    assert paths.outbox_dir("2026-02-07") == tmp_path / "data" / "outbox" / "2026-02-07"
    assert paths.jekyll_posts_dir == tmp_path / "blog" / "_posts"


def test_today_is_the_readers_day_not_the_machines() -> None:
    # 16:30 UTC on 6 February is already 7 February in Seoul
    clock = Clock(ZoneInfo("Asia/Seoul"), now=lambda: datetime(2026, 2, 6, 16, 30, tzinfo=UTC))
    assert clock.today() == date(2026, 2, 7)


def test_nothing_is_opened_until_asked_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWSLETTER_SECRET_KEY", raising=False)
    site = make_site(tmp_path, sender={"transport": "ses"})
    runtime = Runtime(site.settings)
    database = tmp_path / "data" / "newsletter.db"
    assert not database.exists()  # building a runtime touches no file
    assert runtime.subscribers.count_by_status()["active"] == 0
    assert database.exists()
    assert runtime.engine is runtime.subscribers.engine is runtime.editions.engine
    with pytest.raises(SecretKeyError):  # a send-capable site without a key: refused on use
        _ = runtime.secret
