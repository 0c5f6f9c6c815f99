"""`newsletter status`: the numbers are the send log's, the last 7 editions, exit 1 on failure."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta

import pytest
from typer.testing import CliRunner

from newsletter import db
from newsletter.cli import app
from newsletter.config import database_url
from newsletter.editions import EditionLog
from newsletter.runtime import Paths
from newsletter.send.sendlog import SendLog
from tests.send.conftest import Newsletter, addresses

FIRST = date(2026, 2, 1)
EDITIONS = [FIRST + timedelta(days=i) for i in range(9)]


@pytest.fixture
def history(make_newsletter: Callable[..., Newsletter]) -> Newsletter:
    """Nine editions in assorted states, written the way sends and daily runs write them."""
    newsletter = make_newsletter("http://127.0.0.1:9", transport="outbox")
    readers = addresses(20)
    newsletter.subscribe(readers)
    engine = db.ready(database_url(newsletter.settings))
    editions = EditionLog(engine)
    for index, day in enumerate(EDITIONS):
        log = SendLog(engine, day.isoformat())
        log.enqueue()
        editions.advance(day, "rendered")
        editions.advance(day, "sending")
        with engine.begin() as conn:  # 20 rows: 20 - index sent, some failed, the rest pending
            conn.exec_driver_sql(
                "UPDATE send_log SET state = CASE WHEN subscriber_id <= ? THEN 'sent' "
                "WHEN subscriber_id <= ? THEN 'failed' ELSE 'pending' END WHERE edition = ?",
                (20 - index, 20 - index // 2, day.isoformat()),
            )
        if index < 8:
            editions.advance(day, "sent")
    editions.fail(EDITIONS[-1], "send", "the SES 24-hour sending quota is used up")
    store = newsletter.store()
    for address, status in zip(readers[:3], ("unsubscribed", "bounced", "complained"), strict=True):
        newsletter.set_status(address, status)
    assert store.count_by_status()["active"] == 17
    return newsletter


def status(newsletter: Newsletter, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--config", str(newsletter.config), "status", *args])
    return result.exit_code, result.stdout


def from_the_log(newsletter: Newsletter, day: date) -> dict[str, int]:
    from sqlalchemy import text

    engine = db.ready(database_url(newsletter.settings))
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT state, count(*) FROM send_log WHERE edition = :d GROUP BY state"),
            {"d": day.isoformat()},
        )
        return {state: count for state, count in rows}


def test_the_last_seven_editions_with_the_send_logs_numbers(history: Newsletter) -> None:
    code, output = status(history, "--json")

    reports = json.loads(output)
    assert [r["edition"] for r in reports] == [d.isoformat() for d in reversed(EDITIONS[2:])]
    for report in reports:
        counts = from_the_log(history, date.fromisoformat(report["edition"]))
        assert report["sent"] == counts.get("sent", 0)
        assert report["failed"] == counts.get("failed", 0)
        assert report["pending"] == counts.get("pending", 0)
        assert report["ambiguous"] == 0 and report["in_flight"] == 0
        assert report["sent"] + report["failed"] + report["pending"] == 20
        assert (report["unsubscribed"], report["bounced"], report["complained"]) == (1, 1, 1)
    newest = reports[0]
    assert (newest["stage"], newest["failed_step"]) == ("failed", "send")
    assert newest["reason"] == "the SES 24-hour sending quota is used up"
    assert reports[1]["stage"] == "sent" and reports[1]["started"] is not None
    assert code == 1, "the newest edition failed"


def test_one_date_and_the_table(history: Newsletter) -> None:
    code, output = status(history, "--date", "2026-02-05", "--json")
    [report] = json.loads(output)
    assert code == 0
    assert (report["edition"], report["stage"], report["sent"]) == ("2026-02-05", "sent", 16)

    code, table = status(history)
    assert code == 1
    assert "2026-02-09 failed (send): the SES 24-hour sending quota is used up" in table
    assert "2026-02-03" in table and "2026-02-02" not in table


def test_a_date_without_an_edition_is_not_a_failure(history: Newsletter) -> None:
    code, output = status(history, "--date", "2027-01-01", "--json")
    assert code == 0
    assert json.loads(output)[0]["stage"] == "none"


def test_reactions_count_from_the_editions_start_on(history: Newsletter) -> None:
    engine = db.ready(database_url(history.settings))
    later = date(2026, 2, 10)
    SendLog(engine, later.isoformat()).enqueue()
    EditionLog(engine).advance(later, "sending")  # after the three status changes

    _code, output = status(history, "--date", later.isoformat(), "--json")

    [report] = json.loads(output)
    assert (report["unsubscribed"], report["bounced"], report["complained"]) == (0, 0, 0)
    assert report["pending"] == 17  # the three who left were not enqueued


def test_the_content_gates_findings_of_an_editions_briefing(history: Newsletter) -> None:
    from newsletter.brief.briefing_file import save_briefing
    from tests.render.conftest import load_briefing

    day = EDITIONS[-1]
    briefing = replace(load_briefing("en"), date=day)
    save_briefing(briefing, Paths.of(history.settings).edition_dir(day))
    _, output = status(history, "--date", day.isoformat(), "--json")
    [report] = json.loads(output)
    assert report["content"] == [
        "missing-why: 1 of 3 stories have no Why it matters (3)",
        "missing-takeaway: 1 of 3 stories have no takeaway (3)",
    ]
    _, table = status(history, "--date", day.isoformat())
    assert "2026-02-09 content: missing-why: 1 of 3 stories have no Why it matters (3)" in table
