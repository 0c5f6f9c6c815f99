"""CSV import: real files as people make them, repeated imports, and suppression."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from newsletter import schema
from newsletter.audience import importer
from newsletter.audience.exporter import export_csv
from newsletter.audience.importer import CsvFileError, import_csv
from newsletter.audience.store import SubscriberStore
from newsletter.db import ready
from tests.audience.conftest import write


def emails(store: SubscriberStore) -> list[str]:
    return [subscriber.email for subscriber in store.list(limit=10_000)]


def event_count(store: SubscriberStore) -> int:
    with store.engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(schema.subscriber_events))


def test_header_in_any_case_and_order_with_names(store: SubscriberStore, tmp_path: Path) -> None:
    path = write(tmp_path / "list.csv", "Name,EMAIL\nKim,kim@example.com\nLee,lee@example.com\n")
    summary = import_csv(store, path)
    assert (summary.added, summary.present, summary.invalid_count) == (2, 0, 0)
    assert [(s.email, s.name, s.status) for s in store.list()] == [
        ("kim@example.com", "Kim", "active"),
        ("lee@example.com", "Lee", "active"),
    ]
    event = store.events(store.get("kim@example.com").id)[0]  # type: ignore[union-attr]
    assert (event.status, event.source, event.detail) == ("active", "import", "list.csv:2")


def test_one_column_file_without_header(store: SubscriberStore, tmp_path: Path) -> None:
    path = write(tmp_path / "plain.csv", "a@example.com\r\nb@example.com\r\n\r\nc@example.com")
    summary = import_csv(store, path)
    assert summary.added == 3
    assert emails(store) == ["a@example.com", "b@example.com", "c@example.com"]


def test_two_columns_without_header_are_email_and_name(
    store: SubscriberStore, tmp_path: Path
) -> None:
    path = write(tmp_path / "pairs.csv", "a@example.com,Alex\nb@example.com,Bea\n")
    import_csv(store, path)
    assert [(s.email, s.name) for s in store.list()] == [
        ("a@example.com", "Alex"),
        ("b@example.com", "Bea"),
    ]


def test_bom_and_semicolons_from_european_excel(store: SubscriberStore, tmp_path: Path) -> None:
    text = 'email;name\r\nminji@example.com;"Kim, Minji"\r\njunho@example.com;박준호\r\n'
    path = write(tmp_path / "excel.csv", text, bom=True)
    summary = import_csv(store, path)
    assert summary.added == 2 and summary.invalid_count == 0
    assert [(s.email, s.name) for s in store.list()] == [
        ("minji@example.com", "Kim, Minji"),
        ("junho@example.com", "박준호"),
    ]


def test_tab_separated_with_extra_columns_kept_as_attributes(
    store: SubscriberStore, tmp_path: Path
) -> None:
    path = write(tmp_path / "list.tsv", "email\tname\tcompany\na@example.com\tAlex\tAcme\n")
    import_csv(store, path)
    subscriber = store.get("a@example.com")
    assert subscriber is not None and subscriber.attributes == {"company": "Acme"}


def test_invalid_rows_are_listed_with_line_numbers_and_written_aside(
    store: SubscriberStore, tmp_path: Path
) -> None:
    text = (
        "email,name\n"
        "good@example.com,Good\n"
        "not-an-address,Bad\n"
        '"multi@example.com","two\nlines"\n'
        "john..doe@example.com,Dots\n"
        ",no address\n"
        "=evil@@x,Formula\n"
    )
    path = write(tmp_path / "mixed.csv", text)
    summary = import_csv(store, path)
    assert summary.added == 2
    assert [(line, value) for line, value, _ in summary.invalid] == [
        (3, "not-an-address"),
        (6, "john..doe@example.com"),
        (7, ""),
        (8, "=evil@@x"),
    ]
    assert "@-sign" in summary.invalid[0][2]
    assert "period" in summary.invalid[1][2]
    assert summary.rejected_path == tmp_path / "mixed.rejected.csv"
    with summary.rejected_path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["rejected_line", "rejected_reason", "email", "name"]
    assert [[row[0], *row[2:]] for row in rows[1:]] == [
        ["3", "not-an-address", "Bad"],
        ["6", "john..doe@example.com", "Dots"],
        ["7", "", "no address"],
        ["8", "'=evil@@x", "Formula"],  # neutralised: the rejected file is opened in spreadsheets
    ]


def test_the_rejected_file_fixed_by_hand_imports_like_the_original_rows(
    store: SubscriberStore, tmp_path: Path
) -> None:
    """The rejected rows keep every column, so fixing the address and importing the
    rejected file loses nothing (name, other columns) and adds no line/reason attributes."""
    path = write(tmp_path / "list.csv", "Company,E-mail,Name\nAcme,dana(at)example.com,Dana\n")
    summary = import_csv(store, path)
    assert summary.invalid_count == 1 and summary.rejected_path is not None
    fixed = summary.rejected_path.read_text(encoding="utf-8").replace("(at)", "@")
    again = import_csv(store, write(tmp_path / "fixed.csv", fixed))
    assert (again.added, again.invalid_count) == (1, 0)
    dana = store.get("dana@example.com")
    assert dana is not None
    assert (dana.name, dana.attributes) == ("Dana", {"company": "Acme"})
    # rejected again: the new rejected file has one line and one reason per row, not two
    write(tmp_path / "fixed.csv", fixed.replace("dana@example.com", "dana@@example.com"))
    third = import_csv(store, tmp_path / "fixed.csv")
    assert third.rejected_path is not None
    with third.rejected_path.open(encoding="utf-8", newline="") as handle:
        header, row = list(csv.reader(handle))
    assert header == ["rejected_line", "rejected_reason", "Company", "E-mail", "Name"]
    assert (row[0], row[2:]) == ("2", ["Acme", "dana@@example.com", "Dana"])


def test_rejected_rows_of_a_file_without_a_header(store: SubscriberStore, tmp_path: Path) -> None:
    path = write(tmp_path / "bare.csv", "a@example.com,Ann\nnot-an-address,Bo\n")
    summary = import_csv(store, path)
    assert summary.rejected_path is not None
    with summary.rejected_path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows == [
        ["rejected_line", "rejected_reason", "email", "name"],
        ["2", "An email address must have an @-sign.", "not-an-address", "Bo"],
    ]


def test_reimport_adds_nothing(store: SubscriberStore, tmp_path: Path) -> None:
    path = write(tmp_path / "list.csv", "email\na@example.com\nB@example.com\nb@EXAMPLE.com\n")
    first = import_csv(store, path)
    assert (first.added, first.present) == (2, 1)  # the repeat inside the file
    events = event_count(store)
    second = import_csv(store, path)
    assert (second.added, second.present, second.suppressed) == (0, 3, 0)
    assert emails(store) == ["a@example.com", "B@example.com"]
    assert event_count(store) == events


def test_repeats_across_batches_are_counted_once(
    store: SubscriberStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "BATCH_SIZE", 3)
    rows = [f"user{i % 7}@example.com" for i in range(20)]
    path = write(tmp_path / "list.csv", "email\n" + "\n".join(rows) + "\n")
    dry = import_csv(store, path, dry_run=True)
    real = import_csv(store, path)
    assert (real.added, real.present) == (7, 13)
    assert (dry.added, dry.present) == (real.added, real.present)


@pytest.mark.parametrize("suppressed", ["unsubscribed", "bounced", "complained"])
def test_import_never_resurrects_a_suppressed_address(
    store: SubscriberStore, tmp_path: Path, suppressed: str
) -> None:
    gone, _ = store.add("gone@example.com")
    store.set_status(gone.id, suppressed, source="cli")
    events = event_count(store)
    path = write(tmp_path / "list.csv", "email,status\nGONE@example.com,active\nnew@example.com,\n")
    summary = import_csv(store, path)
    assert (summary.added, summary.suppressed, summary.present) == (1, 1, 0)
    assert store.get("gone@example.com").status == suppressed  # type: ignore[union-attr]
    assert event_count(store) == events + 1  # only the new subscriber's
    assert [s.email for s in store.iter_active()] == ["new@example.com"]


def test_forget_then_reimport_does_not_bring_the_person_back(
    store: SubscriberStore, tmp_path: Path
) -> None:
    path = write(tmp_path / "list.csv", "email\nkim@example.com\nlee@example.com\n")
    import_csv(store, path)
    store.forget("kim@example.com")
    summary = import_csv(store, path)
    assert (summary.added, summary.present, summary.suppressed) == (0, 1, 1)
    assert store.get("kim@example.com") is None
    assert import_csv(store, path, dry_run=True).suppressed == 1


def test_a_status_column_can_suppress_but_never_activate(
    store: SubscriberStore, tmp_path: Path
) -> None:
    store.add("active@example.com")
    path = write(
        tmp_path / "unsubscribes.csv",
        "email,status\nactive@example.com,Unsubscribed\nnew@example.com,bounced\n"
        "odd@example.com,deleted\n",
    )
    summary = import_csv(store, path)
    assert (summary.changed, summary.added, summary.invalid_count) == (1, 1, 1)
    assert "unknown status" in summary.invalid[0][2]
    assert store.get("active@example.com").status == "unsubscribed"  # type: ignore[union-attr]
    assert store.get("new@example.com").status == "bounced"  # type: ignore[union-attr]
    assert list(store.iter_active()) == []


def test_dry_run_changes_nothing(store: SubscriberStore, tmp_path: Path) -> None:
    store.add("old@example.com")
    path = write(tmp_path / "list.csv", "email\nold@example.com\nnew@example.com\nbad\n")
    summary = import_csv(store, path, dry_run=True)
    assert (summary.added, summary.present, summary.invalid_count) == (1, 1, 1)
    assert summary.dry_run and summary.rejected_path is None
    assert emails(store) == ["old@example.com"]
    assert not (tmp_path / "list.rejected.csv").exists()
    # The connection left behind is clean: a real import afterwards works.
    assert import_csv(store, path).added == 1


def test_export_then_import_round_trip(store: SubscriberStore, tmp_path: Path) -> None:
    store.add("kim@example.com", "김민지")
    store.add("=cmd@example.com", '=HYPERLINK("http://x")')
    gone, _ = store.add("gone@example.com", "Gone")
    store.unsubscribe(gone.id, source="one-click")
    store.add("user@bücher.de", "-minus")
    path = write(tmp_path / "people.csv", "email,name,company\nattr@example.com,A,Acme\n")
    import_csv(store, path)
    out = tmp_path / "export.csv"
    with out.open("w", encoding="utf-8", newline="") as handle:
        assert export_csv(store, handle) == 5

    other = SubscriberStore(ready(f"sqlite:///{tmp_path / 'other.db'}"))
    summary = import_csv(other, out)
    assert (summary.added, summary.invalid_count) == (5, 0)

    def shape(s: SubscriberStore) -> list[tuple[str, str, str, dict]]:
        return [(x.email, x.name, x.status, x.attributes) for x in s.list()]

    assert shape(other) == shape(store)
    assert import_csv(other, out).added == 0


def test_a_file_that_is_not_utf8_is_refused_before_anything_is_imported(
    store: SubscriberStore, tmp_path: Path
) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("email,name\na@example.com,Ann\nb@example.com,Jürgen\n".encode("latin-1"))
    with pytest.raises(CsvFileError, match=r"latin1.csv: line 3: not UTF-8"):
        import_csv(store, path)
    assert emails(store) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "file not found"),
        ("first,last\nKim,Minji\n", "no `email` column"),
    ],
)
def test_unreadable_files_fail_with_one_line(
    store: SubscriberStore, tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "list.csv"
    if content is not None:
        write(path, content)
    with pytest.raises(CsvFileError, match=message) as caught:
        import_csv(store, path)
    assert "\n" not in str(caught.value) and str(path) in str(caught.value)


def test_empty_file_imports_nothing(store: SubscriberStore, tmp_path: Path) -> None:
    for text in ("", "email,name\n", "\ufeff"):
        summary = import_csv(store, write(tmp_path / "empty.csv", text))
        assert summary.rows == 0


def test_progress_bar_does_not_change_the_result(store: SubscriberStore, tmp_path: Path) -> None:
    path = write(tmp_path / "list.csv", "email\na@example.com\n")
    assert import_csv(store, path, progress=True).added == 1


def test_summary_json_lists_invalid_rows(store: SubscriberStore, tmp_path: Path) -> None:
    summary = import_csv(store, write(tmp_path / "l.csv", "email\nbad\n"))
    data = summary.to_json()
    assert data["invalid"] == 1 and data["invalid_rows"][0]["line"] == 2
    assert json.loads(json.dumps(data)) == data


def test_a_large_import_refreshes_postgresql_statistics(
    store: SubscriberStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("planner statistics are a PostgreSQL concern")
    monkeypatch.setattr(importer, "_ANALYZE_AFTER", 3)
    rows = "\n".join(f"user{i}@example.com" for i in range(5))
    import_csv(store, write(tmp_path / "list.csv", "email\n" + rows + "\n"))
    with store.engine.connect() as connection:
        tuples = connection.exec_driver_sql(
            "SELECT reltuples FROM pg_class WHERE relname = 'subscribers'"
        ).scalar()
    assert tuples == 5  # -1 ("never analysed") would make the planner sort every batch


@pytest.mark.parametrize(
    "around",
    [
        "\r",
        "\x0b",
        "\x0c",
        "\u2028",
        "\u2029",
        "\x85",
        "\x00",
        "\x1b",
        "\u200b",
        "\u202e",
        "\ufeff",
    ],
)
def test_a_control_or_line_separator_around_an_address_rejects_the_row(
    around: str, store: SubscriberStore, tmp_path: Path
) -> None:
    """Only spaces and tabs are trimmed: `victim@example.com\\r` is not quietly subscribed."""
    victim = "victim@example.com"
    text = (
        "email,name\n"
        " spaced@example.com\t,Fine\n"
        f'"{victim}{around}",Trailing\n'
        f'"{around}{victim}",Leading\n'
        f'"vic{around}tim@example.com",Inside\n'
    )
    summary = import_csv(store, write(tmp_path / "list.csv", text))
    assert emails(store) == ["spaced@example.com"]
    # the file's own line numbers: a quoted carriage return starts a new line in an editor too
    lines = [3, 5, 7] if around == "\r" else [3, 4, 5]
    assert [line for line, _, _ in summary.invalid] == lines
    assert all("character" in reason for _, _, reason in summary.invalid)
    assert summary.rejected_path is not None
    with summary.rejected_path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert [row[0] for row in rows[1:]] == [str(line) for line in lines]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (  # listmonk's export: enabled / disabled / blocklisted
            "listmonk.csv",
            "uuid,email,name,attributes,status\n"
            "u1,on@example.com,On,{},enabled\nu2,off@example.com,Off,{},disabled\n"
            "u3,block@example.com,Block,{},blocklisted\n",
            {
                "on@example.com": "active",
                "off@example.com": "unsubscribed",
                "block@example.com": "unsubscribed",
            },
        ),
        (  # Mailchimp's unsubscribed and cleaned exports: the status is in which file it is
            "unsubscribed_members_export.csv",
            "Email Address,First Name,UNSUB_TIME,UNSUB_CAMPAIGN_TITLE\n"
            "gone@example.com,Gone,2025-11-02 10:00:00,November\n",
            {"gone@example.com": "unsubscribed"},
        ),
        (
            "cleaned_members_export.csv",
            "Email Address,CLEAN_TIME\nbounced@example.com,2025-11-02 10:00:00\n",
            {"bounced@example.com": "bounced"},
        ),
        (  # Ghost's members export
            "members.csv",
            "id,email,name,subscribed_to_emails\n1,in@example.com,In,true\n2,out@example.com,Out,false\n",
            {"in@example.com": "active", "out@example.com": "unsubscribed"},
        ),
    ],
)
def test_other_tools_exports_keep_who_left_out(
    store: SubscriberStore, tmp_path: Path, name: str, text: str, expected: dict[str, str]
) -> None:
    """Moving from listmonk, Mailchimp or Ghost must not make anyone who left active again
    (listmonk's `enabled` was an unknown status, Mailchimp's unsubscribed file came in active)."""
    summary = import_csv(store, write(tmp_path / name, text))
    assert summary.invalid_count == 0, summary.invalid
    assert {s.email: s.status for s in store.list()} == expected


def test_first_and_last_name_columns_make_the_name(store: SubscriberStore, tmp_path: Path) -> None:
    """Mailchimp (and many others) export First Name and Last Name, no Name."""
    path = write(
        tmp_path / "subscribed_members_export.csv",
        "Email Address,First Name,Last Name,Phone Number\n"
        "kim@example.com,Min-ji,Kim,010\nsolo@example.com,Solo,,\n",
    )
    import_csv(store, path)
    people = {s.email: (s.name, s.attributes) for s in store.list()}
    assert people == {
        "kim@example.com": ("Min-ji Kim", {"phone number": "010"}),
        "solo@example.com": ("Solo", {}),
    }


def test_a_korean_header_is_read(store: SubscriberStore, tmp_path: Path) -> None:
    """The newsletter speaks Korean; so do the spreadsheets of its Korean users."""
    path = write(tmp_path / "구독자.csv", "이메일,이름,회사\nkim@example.com,김민지,예시\n")
    summary = import_csv(store, path)
    assert summary.added == 1
    [kim] = store.list()
    assert (kim.email, kim.name, kim.attributes) == ("kim@example.com", "김민지", {"회사": "예시"})
