"""From a real send to `newsletter report`: SES (moto) sends, signed SNS events come back to
the webhook, and the report attributes them to the edition, the story and the people."""

from __future__ import annotations

import json
import socket
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from newsletter.cli import app as cli
from newsletter.feedback.sns import SnsVerifier
from newsletter.pipeline import load_rendered_edition
from newsletter.runtime import Paths, Runtime
from newsletter.send.campaign import run_campaign
from tests.feedback.ses_events import event
from tests.feedback.sns_signing import CERT_URL, FakeAws, Signer, make_certificate
from tests.fixtures.command import SECRET
from tests.fixtures.ses import MotoServer
from tests.send.conftest import DAY, Newsletter, addresses, small_edition, write_config
from tests.web.conftest import TOPIC
from tests.web.test_feedback_events import Webhook

STORY = "https://www.anthropic.com/news"  # the source of the small edition's one story


def test_events_from_the_webhook_show_up_in_the_report(
    ses: MotoServer,
    tmp_path: Path,
    listener: socket.socket,
    serve: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from newsletter.web.app import create_app

    monkeypatch.setenv("NEWSLETTER_SECRET_KEY", SECRET)
    root = tmp_path / "site"
    root.mkdir()
    config = write_config(root, ses.url)
    config.write_text(
        config.read_text(encoding="utf-8")
        + f'\n[feedback]\ntopic_arns = "{TOPIC}"\ntrack_opens = true\ntrack_clicks = true\n',
        encoding="utf-8",
    )
    newsletter = Newsletter(root, config, ses.url)
    settings = newsletter.settings
    small_edition(settings)
    people = addresses(6)
    newsletter.subscribe(people)
    edition = load_rendered_edition(Paths.of(settings).edition_dir(DAY), DAY)
    assert run_campaign(Runtime(settings).campaign(), DAY, edition).sent == 6
    with sqlite3.connect(root / "newsletter.db") as connection:
        ids = dict(connection.execute("SELECT email, message_id FROM send_log"))

    key, pem = make_certificate()
    verifier = SnsVerifier(settings.feedback.topic_arns, fetch=FakeAws({CERT_URL: pem}))
    application = create_app(Runtime(settings), sns_verifier=verifier, access_log=lambda _: None)
    with serve(application, listener) as url:
        hook = Webhook(url, newsletter.store(), Signer(key))
        posts = [event("Delivery", p, message_id=ids[p]) for p in people[:5]]
        posts.append(event("Bounce", people[5], message_id=ids[people[5]]))
        posts += [event("Open", p, message_id=ids[p]) for p in people[:3]]
        posts.append(
            event("Open", people[1], message_id=ids[people[1]], at="2026-02-07T12:00:00.000Z")
        )
        posts += [
            event("Click", people[0], message_id=ids[people[0]], link=STORY + "/"),
            event("Click", people[1], message_id=ids[people[1]], link=STORY),
            event(
                "Click",
                people[1],
                message_id=ids[people[1]],
                link=STORY,
                at="2026-02-07T13:00:00.000Z",
            ),
            event("Click", people[2], message_id=ids[people[2]], link="https://news.example.com/x"),
        ]
        for document in posts:
            assert hook.post(document).status_code == 200
        hook.post(posts[0], message_id="a-redelivery")  # SES published one Delivery twice
    newsletter.store().unsubscribe(newsletter.store().get(people[3]).id, source="one-click")

    result = CliRunner().invoke(
        cli, ["--config", str(config), "report", "--date", DAY.isoformat(), "--json"]
    )

    assert result.exit_code == 0, result.output
    [report] = json.loads(result.output)
    assert report["edition"] == DAY.isoformat()
    assert (report["list_size"], report["sent"], report["delivered"]) == (6, 6, 5)
    assert (report["bounced_hard"], report["bounced_soft"], report["complained"]) == (1, 0, 0)
    assert (report["opened"], report["clicked"], report["unsubscribed"]) == (3, 3, 1)
    [story] = report["stories"]
    assert story["headline"] == "에이전트가 만든 C 컴파일러"
    assert (story["people"], story["clicks"]) == (2, 3)
    assert report["other_links"] == [{"url": "https://news.example.com/x", "people": 1}]
    assert report["rates"]["opened"] == pytest.approx(3 / 5)

    page = tmp_path / "report.html"
    text = CliRunner().invoke(cli, ["--config", str(config), "report", "--html", str(page)])
    assert text.exit_code == 0, text.output
    assert "2026-02-07" in text.output and "clicks per story" in text.output
    assert "<svg" in page.read_text(encoding="utf-8")
