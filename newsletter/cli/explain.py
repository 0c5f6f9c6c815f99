"""`draft --explain`: every candidate story with its score parts and the editor's decision."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from newsletter.brief.report import DraftReport

#: Columns of the score, in the order they add up (the penalty is negative).
PARTS = (("topic", "topic"), ("publishers", "pubs"), ("weight", "weight"),
         ("recency", "recency"), ("not_news", "not news"))  # fmt: skip


def explain_table(report: DraftReport) -> Table:
    """One row per candidate, best first: the picked ones say their place, the rest why not."""
    rows = report.explain()
    picked = sum(1 for row in rows if row["picked"])
    table = Table(title=f"Candidates: {picked} of {len(rows)} stories picked", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("Score", justify="right")
    for _, heading in PARTS:
        table.add_column(heading, justify="right")
    table.add_column("Story", overflow="fold", max_width=50)
    table.add_column("Decision", overflow="fold")
    for rank, row in enumerate(rows, start=1):
        parts = row["parts"]
        assert isinstance(parts, dict)
        cells = [f"{parts[key]:+.2f}" if parts[key] else "·" for key, _ in PARTS]
        decision = Text(str(row["reason"]), style="green" if row["picked"] else "")
        story = f"{row['headline']} [{row['section']}, {row['sources']} src]"
        table.add_row(str(rank), f"{row['score']:.2f}", *cells, Text(story), decision)
    return table
