"""Issue 19 item 8: an edition that found nobody to go to says so (`daily`, `send`, `status`)."""

from __future__ import annotations

import json
from collections.abc import Callable

from typer.testing import CliRunner

from newsletter.cli import app
from tests.cli.conftest import DEMO_DATE, Site


def invoke(site: Site, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--config", str(site.config), *args])
    return result.exit_code, result.stdout, result.stderr


def test_daily_without_active_subscribers_says_so(demo_site: Callable[..., Site]) -> None:
    site = demo_site()
    invoke(site, "subscribers", "add", "gone@example.com")
    invoke(site, "subscribers", "remove", "gone@example.com")  # on the list, not active

    code, out, err = invoke(site, "daily", "--date", DEMO_DATE)

    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == "• send: no active subscribers: nothing sent"
    code, table, _ = invoke(site, "status", "--date", DEMO_DATE)
    assert code == 0
    row = next(row for row in table.splitlines() if row.startswith(DEMO_DATE))  # the table's
    assert row.split()[1:3] == ["no", "subscribers"]
    [report] = json.loads(invoke(site, "status", "--date", DEMO_DATE, "--json")[1])
    assert (report["stage"], report["sent"]) == ("no subscribers", 0)
    assert invoke(site, "send", "--date", DEMO_DATE)[1] == "no active subscribers: nothing sent\n"


def test_once_somebody_subscribes_the_edition_goes_to_them(demo_site: Callable[..., Site]) -> None:
    site = demo_site()
    assert invoke(site, "daily", "--date", DEMO_DATE)[0] == 0
    invoke(site, "subscribers", "add", "reader@example.com")

    code, out, err = invoke(site, "daily", "--date", DEMO_DATE)

    assert code == 0, err
    assert out.splitlines()[-1] == "• send: 1 sent, 0 failed, 0 skipped"
    [report] = json.loads(invoke(site, "status", "--date", DEMO_DATE, "--json")[1])
    assert (report["stage"], report["sent"]) == ("sent", 1)
