"""What a newcomer runs into on the first days: a config with no feeds yet, a feed list that
all fails. Each answer names the cause and claims nothing that did not happen."""

from __future__ import annotations

from pathlib import Path
from typing import IO

import pytest
from typer.testing import CliRunner

from newsletter.cli import app
from tests.fixtures.command import SECRET
from tests.fixtures.site import Site, make_site

DAY = "2026-02-07"


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Site:
    monkeypatch.setenv("NEWSLETTER_SECRET_KEY", SECRET)
    return make_site(tmp_path / "site")


def run(site: Site, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--config", str(site.config_path), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("command", ["collect", "daily"])
def test_no_feeds_in_the_config_is_named_as_such(site: Site, command: str) -> None:
    code, out, err = run(site, command, "--date", DAY)
    assert code == 1
    assert f"{site.config_path}: no [[feeds]]" in err
    assert "every feed failed" not in err + out and "feeds.json" not in err + out


def test_collect_where_every_feed_failed_does_not_claim_an_items_file(site: Site) -> None:
    site.rewrite(feeds=[{"url": "missing.xml", "section": "ai", "name": "Missing"}])
    code, out, err = run(site, "collect", "--date", DAY)
    items = site.root / "data" / "editions" / DAY / "items.json"
    assert code == 1 and not items.exists()
    assert "items.json" not in out  # it was not written: no "0 items → …/items.json"
    assert "every feed failed" in err and "feeds.json" in err


def test_ctrl_c_says_the_command_was_interrupted(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C in a command that has no interruption of its own (collect, draft, render…)
    ended it with exit status 130 and not a word."""

    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("newsletter.pipeline.collect_stage", interrupted)
    site.rewrite(feeds=[{"url": "missing.xml", "section": "ai", "name": "Missing"}])
    code, _, err = run(site, "collect", "--date", DAY)
    assert code == 130
    assert err.startswith("error: interrupted") and "again" in err


def test_ctrl_c_in_an_import_says_what_was_kept(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("newsletter.audience.importer.import_csv", interrupted)
    csv = site.root / "list.csv"
    csv.write_text("email\nana@example.com\n", encoding="utf-8")
    code, _, err = run(site, "subscribers", "import", str(csv))
    assert code == 130
    assert "interrupted" in err and "imported" in err and "same import again" in err


def test_a_list_longer_than_one_page_says_there_is_more(site: Site) -> None:
    store = site.runtime.subscribers
    for number in range(5):
        store.add(f"reader{number}@example.com", status="active")
    code, out, err = run(site, "subscribers", "list", "--limit", "2")
    assert code == 0 and out.count("@example.com") == 2
    assert "showing 1–2 of 5" in err and "--offset 2" in err
    code, out, err = run(site, "subscribers", "list", "--limit", "2", "--offset", "4")
    assert out.count("@example.com") == 1 and "showing" not in err  # the last page
    code, out, err = run(site, "subscribers", "list", "--limit", "5")
    assert out.count("@example.com") == 5 and "showing" not in err  # all of them


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("not an address", "must have an @-sign"),
        ("a@example.com\nBcc: b@example.com", "line-break"),
    ],
)
def test_a_bad_test_copy_address_is_named_with_its_option(
    site: Site, address: str, why: str
) -> None:
    code, _, err = run(site, "send", "--date", DAY, "--to", address)
    assert code == 2
    assert err.startswith(f"error: --to {address!r} is not a valid address") and why in err


ONE_ITEM_FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Solo</title><link>https://solo.example.com/</link>
<item><title>A compiler written by sixteen agents builds the Linux kernel</title>
<link>https://solo.example.com/2026/02/06/compiler</link>
<guid>https://solo.example.com/2026/02/06/compiler</guid>
<pubDate>Fri, 06 Feb 2026 20:00:00 +0000</pubDate>
<description>Sixteen agents wrote a C compiler from an empty directory in two weeks. It builds
the Linux kernel and passes most of a C conformance suite.</description></item>
</channel></rss>
"""


def test_a_day_of_one_story_is_counted_in_the_singular(site: Site) -> None:
    (site.root / "solo.xml").write_text(ONE_ITEM_FEED, encoding="utf-8")
    site.rewrite(feeds=[{"url": "solo.xml", "section": "ai", "name": "Solo"}])
    site.runtime.subscribers.add("reader@example.com", status="active")
    code, out, err = run(site, "daily", "--date", DAY)
    assert code == 0, err
    assert "• collect: 1 item from 1/1 feeds" in out and "• draft: 1 story\n" in out
    edition = site.root / "data" / "editions" / DAY
    (edition / "items.json").unlink()
    (edition / "briefing.json").unlink()
    code, out, err = run(site, "collect", "--date", DAY)
    assert "1 item →" in out
    code, out, err = run(site, "draft", "--date", DAY)
    assert code == 0, err
    assert "(1 source)" in out and "1 story →" in out


def test_status_and_report_of_a_date_without_an_edition_say_so(site: Site) -> None:
    """Not a row of zeros with stage 'none' or a list size of 0 for a day nothing happened."""
    code, out, _ = run(site, "status", "--date", "2026-01-01")
    assert code == 0
    assert out == "no edition of 2026-01-01: run `newsletter daily --date 2026-01-01`\n"
    code, out, _ = run(site, "report", "--date", "2026-01-01")
    assert code == 0
    assert (
        out
        == "nothing sent for 2026-01-01: `newsletter report` counts an edition once it went out\n"
    )


def test_help_names_the_default_config_file() -> None:
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert "$NEWSLETTER_CONFIG, then ./newsletter.toml" in result.output


@pytest.mark.parametrize("text", ["", "email,name\n"])
def test_importing_a_file_without_rows_says_so(site: Site, text: str) -> None:
    csv = site.root / "list.csv"
    csv.write_text(text, encoding="utf-8")
    code, _, err = run(site, "subscribers", "import", str(csv))
    assert code == 0
    assert f"{csv}: no subscriber rows (an empty file, or a header alone)" in err


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("2026-02-30", "--date 2026-02-30 is not a day of the calendar"),
        ("20260207", "--date must be YYYY-MM-DD, found '20260207'"),
        ("tomorrow", "--date must be YYYY-MM-DD, found 'tomorrow'"),
    ],
)
def test_a_bad_date_says_what_is_wrong_with_it(site: Site, value: str, said: str) -> None:
    code, _, err = run(site, "status", "--date", value)
    assert (code, err) == (2, f"error: {said}\n")


def test_an_export_interrupted_leaves_no_part_file(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(_store: object, out: IO[str]) -> int:
        out.write("email,name\nana@example.com,Ana\n")
        raise KeyboardInterrupt

    monkeypatch.setattr("newsletter.audience.exporter.export_csv", interrupted)
    target = site.root / "list.csv"
    code, _, err = run(site, "subscribers", "export", str(target))
    assert code == 130 and "interrupted" in err
    assert [p.name for p in site.root.iterdir() if "list.csv" in p.name] == []


def test_a_briefing_of_another_day_is_not_rendered_as_this_one(site: Site) -> None:
    """Yesterday's briefing.json copied as a start for today rendered today's edition
    with yesterday's date in the masthead."""
    (site.root / "solo.xml").write_text(ONE_ITEM_FEED, encoding="utf-8")
    site.rewrite(feeds=[{"url": "solo.xml", "section": "ai", "name": "Solo"}])
    assert run(site, "collect", "--date", DAY)[0] == 0
    assert run(site, "draft", "--date", DAY)[0] == 0
    copied = site.root / "data" / "editions" / "2026-02-08"
    copied.mkdir()
    (copied / "briefing.json").write_text(
        (site.root / "data" / "editions" / DAY / "briefing.json").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    code, _, err = run(site, "render", "--date", "2026-02-08")
    assert code == 1 and not (copied / "email.html").exists()
    assert err == (
        f"error: {copied / 'briefing.json'}: date: 2026-02-07, not this edition's 2026-02-08 "
        "(set it, or re-draft with `newsletter draft --date 2026-02-08 --force`)\n"
    )


@pytest.mark.parametrize(
    ("command", "target"),
    [
        ("preview", "newsletter.web.launch.run_preview"),
        ("serve", "newsletter.web.launch.run_serve"),
    ],
)
def test_ctrl_c_is_how_a_server_stops_not_an_interruption(
    site: Site, monkeypatch: pytest.MonkeyPatch, command: str, target: str
) -> None:
    def stopped(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(target, stopped)
    code, _, err = run(site, command)
    assert (code, err) == (0, "")
