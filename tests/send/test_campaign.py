"""A campaign through a real SES API endpoint (moto server): who gets what, with which headers."""

from __future__ import annotations

import re
from collections.abc import Callable
from email.header import decode_header, make_header

import pytest

from newsletter.audience.tokens import read_unsubscribe_token
from newsletter.pipeline import load_rendered_edition, render_stage
from newsletter.runtime import Paths, Runtime
from newsletter.send.campaign import CampaignStopped, run_campaign
from newsletter.send.sendlog import SendLog
from tests.fixtures.ses import MotoServer
from tests.send.conftest import (
    DAY,
    SECRET,
    SUBJECT,
    Newsletter,
    addresses,
    copies_per_recipient,
    parse,
)

RENDERED = "tests/render/data/briefing-ko.json"


def send(newsletter: Newsletter, **options):  # type: ignore[no-untyped-def]
    settings = newsletter.settings
    setup = Runtime(settings).campaign()
    edition = load_rendered_edition(Paths.of(settings).edition_dir(DAY), DAY)
    return run_campaign(setup, DAY, edition, **options)


def test_every_active_subscriber_gets_one_complete_message(
    ses: MotoServer, make_newsletter: Callable[..., Newsletter]
) -> None:
    from pathlib import Path

    from newsletter.brief.briefing_file import save_briefing
    from newsletter.model import Briefing

    newsletter = make_newsletter(
        ses.url, reply_to="편집장 <editor@example.com>", unsubscribe_mailbox="unsub@example.com"
    )
    settings = newsletter.settings
    briefing = Briefing.from_json(Path(RENDERED).read_text(encoding="utf-8"))
    save_briefing(briefing, Paths.of(settings).edition_dir(DAY))
    render_stage(Runtime(settings), DAY)  # the real rendered edition, sent as rendered
    active = ["minji@example.net", "Joon.Park@Example.NET", "lee@bücher.example", "ann@example.org"]
    gone = {
        "left@example.net": "unsubscribed",
        "bounced@example.net": "bounced",
        "angry@example.net": "complained",
    }
    names = {0: "김민지", 1: "Joon Park", 2: "", 3: 'Ann "the reader"'}
    newsletter.subscribe([*active, *gone], name=lambda i: names.get(i, ""))
    for address, status in gone.items():
        newsletter.set_status(address, status)

    summary = send(newsletter)

    assert (summary.sent, summary.failed, summary.skipped) == (4, 0, 0)
    messages = [parse(raw) for raw in ses.sent_raw_messages()]
    expected = ["minji@example.net", "joon.park@example.net", "lee@xn--bcher-kva.example"]
    assert sorted(m["To"].addresses[0].addr_spec.lower() for m in messages) == sorted(
        [*expected, "ann@example.org"]
    )
    store = newsletter.store()
    message_ids = set()
    for message in messages:
        to = message["To"].addresses[0]
        subscriber = store.get(to.addr_spec.replace("xn--bcher-kva", "bücher"))
        assert subscriber is not None and subscriber.status == "active"
        assert to.display_name == subscriber.name
        assert message["Subject"] == briefing.title
        assert message["From"].addresses[0].display_name == "데일리 테크 브리핑"
        assert message["From"].addresses[0].addr_spec == "briefing@example.com"
        assert message["Reply-To"].addresses[0].display_name == "편집장"
        assert message["Date"].datetime is not None
        assert re.fullmatch(r"<[^<>@\s]+@example\.com>", message["Message-ID"])
        message_ids.add(message["Message-ID"])
        assert message["List-Id"] == f"데일리 테크 브리핑 <{settings.list_id}>"
        https, mailto = re.fullmatch(r"<([^>]+)>, <([^>]+)>", message["List-Unsubscribe"]).groups()
        assert https.startswith("https://news.example.com/u/")
        token = https.rsplit("/", 1)[1]
        assert read_unsubscribe_token(SECRET, token, settings.list_id) == subscriber.id
        assert mailto == "mailto:unsub@example.com?subject=unsubscribe"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message.get_content_type() == "multipart/alternative"
        text, page = message.get_payload()
        assert (text.get_content_type(), page.get_content_type()) == ("text/plain", "text/html")
        assert text.get_content_charset() == page.get_content_charset() == "utf-8"
        assert https in text.get_content()
        assert f'href="{https}"' in page.get_content()
        assert briefing.stories[0].headline in page.get_content()
        assert "%%" not in page.get_content() + text.get_content()
    assert len(message_ids) == 4


def test_korean_subject_survives_folding_and_decodes(
    ses: MotoServer, make_newsletter: Callable[..., Newsletter]
) -> None:
    newsletter = make_newsletter(ses.url)
    newsletter.subscribe(["minji@example.net"], name=lambda _: "김민지")
    send(newsletter)
    [raw] = ses.sent_raw_messages()
    header_block = raw.split(b"\r\n\r\n", 1)[0]
    assert b"\n" not in header_block.replace(b"\r\n", b"")  # no bare LF from folding
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    folded = re.search(rb"^Subject: (.*?)\r\n(?! )", raw, re.M | re.S).group(1)
    assert str(make_header(decode_header(folded.decode("ascii")))) == SUBJECT
    assert parse(raw)["Subject"] == SUBJECT


def test_rerun_sends_nobody_twice_and_newcomers_once(
    ses: MotoServer, make_newsletter: Callable[..., Newsletter]
) -> None:
    newsletter = make_newsletter(ses.url)
    newsletter.subscribe(addresses(30))
    assert send(newsletter).sent == 30
    again = send(newsletter)
    assert again.nothing_to_do and again.already_sent == 30
    newsletter.subscribe(addresses(5, start=30))
    assert send(newsletter).sent == 5
    counts = copies_per_recipient(ses.sent_raw_messages())
    assert counts == dict.fromkeys(addresses(35), 1)


def test_who_left_after_enqueueing_is_skipped_not_sent(
    ses: MotoServer, make_newsletter: Callable[..., Newsletter]
) -> None:
    from newsletter import db
    from newsletter.config import database_url

    newsletter = make_newsletter(ses.url)
    newsletter.subscribe(addresses(3))
    SendLog(db.ready(database_url(newsletter.settings)), DAY.isoformat()).enqueue()
    newsletter.set_status(addresses(1)[0], "unsubscribed")  # e.g. a one-click mid-send

    summary = send(newsletter)

    assert (summary.sent, summary.skipped) == (2, 1)
    assert set(copies_per_recipient(ses.sent_raw_messages())) == set(addresses(3)[1:])
    assert newsletter.rows()[addresses(1)[0]] == "skipped"


def test_stops_before_the_24_hour_quota_and_resumes(
    ses: MotoServer, make_newsletter: Callable[..., Newsletter]
) -> None:
    # No daily_quota in the config: the figures come from the endpoint (moto has no v2
    # GetAccount, so v1 GetSendQuota: 200 per 24 h).
    newsletter = make_newsletter(ses.url, daily_quota=None)
    newsletter.subscribe(addresses(210))

    with pytest.raises(CampaignStopped, match="24-hour sending quota is reached") as stopped:
        send(newsletter)

    summary = stopped.value.summary
    assert summary.budget == 200 and summary.sent == 200 and summary.pending == 10
    assert "GetSendQuota" in summary.quota_source
    assert newsletter.state_count("pending") == 10 and newsletter.state_count("sending") == 0
    assert len(ses.sent_raw_messages()) == 200

    newsletter.reconfigure(daily_quota=100_000)  # the operator raises the limit
    resumed = send(newsletter)
    assert resumed.sent == 10
    assert copies_per_recipient(ses.sent_raw_messages()) == dict.fromkeys(addresses(210), 1)


@pytest.mark.slow
def test_dry_run_counts_and_writes_one_sample(
    ses: MotoServer, make_newsletter: Callable[..., Newsletter]
) -> None:
    newsletter = make_newsletter(ses.url)
    newsletter.subscribe(addresses(12))
    newsletter.set_status(addresses(12)[-1], "unsubscribed")

    result = newsletter.run("send", "--date", DAY.isoformat(), "--dry-run")

    assert result.returncode == 0, result.stderr
    assert "11 active subscribers; 11 would be sent now, 0 already sent" in result.stdout
    sample = Paths.of(newsletter.settings).edition_dir(DAY) / "sample.eml"
    assert parse(sample.read_bytes())["Subject"] == SUBJECT
    assert ses.sent_raw_messages() == []
    assert newsletter.rows() == {}


@pytest.mark.slow
def test_test_copy_goes_to_one_address_outside_the_campaign(
    ses: MotoServer, make_newsletter: Callable[..., Newsletter]
) -> None:
    newsletter = make_newsletter(ses.url)
    newsletter.subscribe(addresses(3))

    result = newsletter.run("send", "--date", DAY.isoformat(), "--to", "editor@example.org")

    assert result.returncode == 0, result.stderr
    assert "test copy sent to editor@example.org" in result.stdout
    [raw] = ses.sent_raw_messages()
    message = parse(raw)
    assert message["To"].addresses[0].addr_spec == "editor@example.org"
    assert message["Subject"] == f"[TEST] {SUBJECT}"
    assert newsletter.rows() == {}
    bad = newsletter.run("send", "--date", DAY.isoformat(), "--to", "x@y\r\nBcc: z@example.com")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


@pytest.mark.slow
def test_unverified_sender_stops_with_one_line_and_loses_nothing(
    ses: MotoServer, make_newsletter: Callable[..., Newsletter]
) -> None:
    newsletter = make_newsletter(ses.url, **{"from": "News <news@unverified.test>"})
    newsletter.subscribe(addresses(20))

    result = newsletter.run("send", "--date", DAY.isoformat())

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "not a verified SES identity" in lines[0]
    assert "20 stay pending, nothing lost" in lines[0]
    assert ses.sent_raw_messages() == []
    assert set(newsletter.rows().values()) == {"pending"}


def test_progress_is_told_the_total_and_every_finished_row(
    ses: MotoServer, make_newsletter: Callable[..., Newsletter]
) -> None:
    class Recorder:
        total = 0
        done = 0

        def start(self, total: int) -> None:
            self.total = total

        def advance(self, done: int) -> None:
            self.done += done

    newsletter = make_newsletter(ses.url)
    newsletter.subscribe(addresses(150))
    newsletter.set_status(addresses(150)[7], "bounced")
    recorder = Recorder()
    summary = send(newsletter, progress=recorder)
    assert recorder.total == recorder.done == summary.sent == 149


@pytest.mark.slow
def test_cli_summary_without_a_terminal_has_no_progress_bar(
    ses: MotoServer, make_newsletter: Callable[..., Newsletter]
) -> None:
    newsletter = make_newsletter(ses.url)
    newsletter.subscribe(addresses(40))
    result = newsletter.run("send", "--date", DAY.isoformat())
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("sent 40, failed 0, skipped 0 (2026-02-07) in ")
    assert "msg/s" in lines[0]
    assert lines[1].startswith("pace 5000/s")
    assert "━" not in result.stdout and "ETA" not in result.stdout
    again = newsletter.run("send", "--date", DAY.isoformat())
    assert "nothing to send: 40 recipients already have 2026-02-07" in again.stdout


@pytest.mark.slow
def test_cli_on_a_terminal_shows_a_progress_bar_with_rate_and_eta(
    ses: MotoServer, make_newsletter: Callable[..., Newsletter]
) -> None:
    import os
    import pty
    import subprocess

    from tests.fixtures.command import subprocess_env

    newsletter = make_newsletter(ses.url, max_rate=100.0)
    newsletter.subscribe(addresses(150))
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        newsletter.cli("send", "--date", DAY.isoformat()),
        stdout=follower,
        stderr=follower,
        env={**subprocess_env(newsletter.root), "TERM": "xterm", "COLUMNS": "120"},
    )
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the process is gone
            break
        if not chunk:
            break
        output += chunk
    os.close(leader)
    assert process.wait(timeout=30) == 0
    screen = output.decode("utf-8", "replace")
    assert "sending" in screen and "msg/s" in screen and "ETA" in screen
    assert "/150" in screen
    assert "sent 150, failed 0" in screen
