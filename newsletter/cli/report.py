"""How `newsletter report` looks: one row per edition (counts and rates), clicks per story."""

from __future__ import annotations

from rich.table import Table

from newsletter.cli.output import print_json, print_table, say, styled
from newsletter.feedback.report import EditionReport

COLUMNS = (
    ("list", "list_size"),
    ("sent", "sent"),
    ("deliv.", "delivered"),
    ("hard", "bounced_hard"),
    ("soft", "bounced_soft"),
    ("compl.", "complained"),
    ("reject.", "rejected"),
    ("delay.", "delayed"),
    ("opened", "opened"),
    ("clicked", "clicked"),
    ("unsub.", "unsubscribed"),
)


def print_reports(reports: list[EditionReport], *, as_json: bool) -> None:
    if as_json:
        print_json([report.to_json() for report in reports])
        return
    if not reports:
        say("nothing sent yet: `newsletter report` counts editions once they went out")
        return
    table = Table(box=None, header_style="bold", pad_edge=False, collapse_padding=True)
    table.add_column("edition")
    for title, _key in COLUMNS:
        table.add_column(title, justify="right")
    for report in reports:
        cells = [report.edition]
        for _title, key in COLUMNS:
            value = getattr(report, key)
            share = report.rate(value) if key in ("opened", "clicked") else None
            cells.append(
                "–" if value is None else f"{value:,}" + (f" {share:.0%}" if share else "")
            )
        table.add_row(*cells)
    print_table(table)
    newest = reports[0]
    clicked = [story for story in newest.stories if story.people]
    if clicked:
        say(f"clicks per story, {newest.edition}:")
        for story in newest.stories:
            say(f"  {story.index}. {story.headline}: {story.people:,} people")
    say(
        styled(
            "[dim]deliv./opened/clicked: people, from SES events; hard/soft: bounces; unsub.: "
            "unsubscribes after that edition; –: not tracked (feedback.track_opens/clicks)[/]"
        )
    )
