"""CSV export: streamed, complete, and inert when opened in a spreadsheet."""

from __future__ import annotations

import csv
import io

import pytest

from newsletter.audience import exporter
from newsletter.audience.csvfile import neutralise, restore
from newsletter.audience.store import SubscriberStore

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def exported(store: SubscriberStore) -> list[list[str]]:
    out = io.StringIO()
    exporter.export_csv(store, out)
    return list(csv.reader(io.StringIO(out.getvalue())))


def test_export_has_every_subscriber_in_join_order_with_status(store: SubscriberStore) -> None:
    store.add("kim@example.com", "김민지")
    gone, _ = store.add("gone@example.com")
    store.unsubscribe(gone.id, source="cli")
    rows = exported(store)
    assert rows[0] == ["email", "name", "status", "created", "attributes"]
    assert [row[:3] for row in rows[1:]] == [
        ["kim@example.com", "김민지", "active"],
        ["gone@example.com", "", "unsubscribed"],
    ]


def test_export_streams_in_pages(store: SubscriberStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exporter, "_PAGE", 4)
    for index in range(10):
        store.add(f"user{index}@example.com")
    rows = exported(store)
    assert [row[0] for row in rows[1:]] == [f"user{i}@example.com" for i in range(10)]


@pytest.mark.parametrize(
    ("email", "name"),
    [
        ("=cmd@example.com", '=HYPERLINK("http://evil.example","click")'),
        ("+1@example.com", "+1+1"),
        ("-2@example.com", "-2+3"),
        ("a@example.com", "@SUM(1+1)*cmd|' /C calc'!A0"),
    ],
)
def test_formula_cells_are_neutralised(store: SubscriberStore, email: str, name: str) -> None:
    store.add(email, name)
    for row in exported(store)[1:]:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), cell
        assert restore(row[0]) == email and restore(row[1]) == name


def test_neutralise_and_restore_are_inverse() -> None:
    for value in ["", "plain", "=1+1", "+", "-x", "@x", "'quoted", "''", "'=x", "\tx"]:
        assert restore(neutralise(value)) == value
    assert neutralise("plain@example.com") == "plain@example.com"
    assert restore("'plain") == "'plain"  # a quote the user typed is kept
