"""`newsletter daily` as the morning job: once per date, resumable, and honest when it fails.

Real processes run the demo's daily job through moto server; what counts is what
SES accepted (copies per recipient), the send log, and the edition's recorded state.
"""

from __future__ import annotations

import json
import signal
import socket
from collections.abc import Callable

import pytest

from tests.fixtures.command import wait_until
from tests.fixtures.postgres import database_url_for
from tests.fixtures.ses import MotoServer
from tests.operations.conftest import DEMO_DATE, Demo
from tests.send.conftest import copies_per_recipient
from tests.send.faulty_ses import FaultySes

pytestmark = pytest.mark.slow  # real `newsletter daily` processes


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_two_daily_runs_at_once_send_once_and_the_second_names_the_first(
    database: str,
    ses: MotoServer,
    make_demo: Callable[..., Demo],
    request: pytest.FixtureRequest,
) -> None:
    with FaultySes(ses.url, hold_after=0) as gate:  # no send leaves until we let it
        url = database_url_for(database, request)
        demo = make_demo(gate.url, database=url, max_rate=100.0)
        everyone = demo.subscribe(300)

        first = demo.popen("daily", "--date", DEMO_DATE)
        wait_until(lambda: gate.held > 0, first)  # the first run is sending, however fast
        second = demo.run("daily", "--date", DEMO_DATE)
        gate.release()
        first_out, first_err = first.communicate(timeout=120)

        assert second.returncode == 1
        assert "Traceback" not in second.stderr
        held = " ".join(second.stderr.split())
        assert f"the edition of {DEMO_DATE} is being made by another `newsletter daily` run" in held
        assert f"({socket.gethostname()} pid {first.pid}, since " in held
        assert first.returncode == 0, first_err
        assert "send: 300 sent" in first_out
        assert copies_per_recipient(ses.sent_raw_messages()) == dict.fromkeys(everyone, 1)

        again = demo.run("daily", "--date", DEMO_DATE)  # and once more, in a row

        assert again.returncode == 0, again.stderr
        assert "collect: items.json exists, kept" in again.stdout
        assert "render: email.html, email.txt and post.md are up to date" in again.stdout
        assert "send: nothing to send, 300 recipients already have" in again.stdout
        assert len(ses.sent_raw_messages()) == 300
        assert demo.stage() == ("sent", None, None)


def test_a_daily_killed_while_sending_continues_from_the_send(
    ses: MotoServer, make_demo: Callable[..., Demo]
) -> None:
    with FaultySes(ses.url, hold_after=100) as gate:
        demo = make_demo(gate.url, max_rate=150.0)
        everyone = demo.subscribe(600)
        first = demo.popen("daily", "--date", DEMO_DATE)
        wait_until(lambda: gate.held > 0, first)  # 100 sent, the next ones wait at the gate
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        gate.release(forward=False)  # the dead sender's last requests never reach SES
        rendered = demo.edition_dir() / "email.html"
        rendered_at = rendered.stat().st_mtime_ns
        states = demo.states()

        status = demo.run("status", "--date", DEMO_DATE, "--json")

        assert status.returncode == 1, "an interrupted edition is a failure for monitoring"
        [report] = json.loads(status.stdout)
        assert report["stage"] == "interrupted"
        assert report["sent"] == states["sent"]
        assert report["ambiguous"] == states["sending"]  # the dead process's in-flight rows
        assert report["pending"] == states["pending"] + states["claimed"]
        assert report["in_flight"] == 0 and report["running"] is False
        assert "the send stopped with" in report["reason"]
        assert f"re-run `newsletter daily --date {DEMO_DATE}`" in report["advice"]

        resumed = demo.run("daily", "--date", DEMO_DATE)

        assert resumed.returncode == 0, resumed.stderr
        lines = resumed.stdout
        assert "collect: items.json exists, kept" in lines
        assert "draft: briefing.json exists, kept" in lines
        assert "render: email.html, email.txt and post.md are up to date" in lines
        assert rendered.stat().st_mtime_ns == rendered_at, "the edition was not rendered again"
        ambiguous = {
            row[0] for row in demo.query("SELECT email FROM send_log WHERE state='sending'")
        }
        assert len(ambiguous) == states["sending"] <= 12
        copies = copies_per_recipient(ses.sent_raw_messages())
        for address in everyone:  # exactly once, but for the few that may or may not have left
            assert copies[address] == 1 or (address in ambiguous and copies[address] == 0), address
        assert demo.stage() == ("sent", None, None)


def test_a_failed_send_step_is_recorded_and_the_next_run_continues_there(
    ses: MotoServer, make_demo: Callable[..., Demo]
) -> None:
    with socket.socket() as probe:  # a port where nothing listens: SES is unreachable
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    demo = make_demo(dead)
    everyone = demo.subscribe(20)

    failed = demo.run("daily", "--date", DEMO_DATE)

    assert failed.returncode == 1
    assert "campaign not started, nothing sent" in failed.stderr
    stage, step, reason = demo.stage() or ("", "", "")
    assert (stage, step) == ("failed", "send")
    assert "campaign not started" in (reason or "")
    status = demo.run("status")
    assert status.returncode == 1
    assert "failed (send): campaign not started" in " ".join(status.stdout.split())

    from tests.operations.conftest import write_demo_config

    write_demo_config(demo.root, ses.url)  # the operator fixes the endpoint
    fixed = demo.run("daily", "--date", DEMO_DATE)

    assert fixed.returncode == 0, fixed.stderr
    assert "render: email.html, email.txt and post.md are up to date" in fixed.stdout
    assert "send: 20 sent" in fixed.stdout
    assert copies_per_recipient(ses.sent_raw_messages()) == dict.fromkeys(everyone, 1)
    assert demo.stage() == ("sent", None, None)
    assert demo.run("status").returncode == 0


def test_an_empty_day_or_dead_feeds_send_nothing_and_say_why(
    ses: MotoServer, make_demo: Callable[..., Demo]
) -> None:
    demo = make_demo(ses.url)
    demo.subscribe(5)

    empty = demo.run("daily", "--date", "2030-01-01")

    assert empty.returncode == 1
    assert "nothing to send for 2030-01-01" in empty.stderr
    assert demo.stage("2030-01-01")[:2] == ("failed", "draft")  # type: ignore[index]

    config = demo.config.read_text(encoding="utf-8")
    demo.config.write_text(config.replace('url = "feeds/', 'url = "missing/'), encoding="utf-8")
    dead = demo.run("daily", "--date", DEMO_DATE)

    assert dead.returncode == 1
    assert f"every feed failed for {DEMO_DATE}" in dead.stderr
    assert demo.stage()[:2] == ("failed", "collect")  # type: ignore[index]
    assert ses.sent_raw_messages() == []
    assert "Traceback" not in empty.stderr + dead.stderr
