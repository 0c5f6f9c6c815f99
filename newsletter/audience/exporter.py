"""`subscribers export [FILE]`: every subscriber as CSV, streamed in constant memory.

The columns are the ones `import` understands (email, name, status, created,
attributes), so an export imports back into another database unchanged, statuses
included: moving a list never re-subscribes anybody. Cells are neutralised against
CSV injection because these files are opened in spreadsheets.
"""

from __future__ import annotations

import csv
import json
from typing import TextIO

from sqlalchemy import select

from newsletter import schema
from newsletter.audience.csvfile import neutralise
from newsletter.audience.store import SubscriberStore, utc

HEADER = ("email", "name", "status", "created", "attributes")
_PAGE = 5000


def export_csv(store: SubscriberStore, out: TextIO) -> int:
    """Write all subscribers, oldest first, to `out`; returns the number of rows."""
    table = schema.subscribers
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    columns = (table.c.id, table.c.email, table.c.name, table.c.status, table.c.created)
    last, written = 0, 0
    while True:
        query = (
            select(*columns, table.c.attributes)
            .where(table.c.id > last)
            .order_by(table.c.id)
            .limit(_PAGE)
        )
        with store.engine.connect() as connection:
            page = connection.execute(query).all()
        for _id, email, name, status, created, attributes in page:
            writer.writerow(
                (
                    neutralise(email),
                    neutralise(name),
                    status,
                    utc(created).isoformat(timespec="seconds"),
                    neutralise(json.dumps(attributes, ensure_ascii=False)) if attributes else "",
                )
            )
        written += len(page)
        if len(page) < _PAGE:
            return written
        last = page[-1][0]
