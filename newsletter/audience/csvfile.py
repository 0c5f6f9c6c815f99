"""Reading subscriber CSV files as people really make them, and writing safe ones.

Files come from spreadsheets, other mailing tools and hand edits: UTF-8 with or
without a BOM, separated by commas, semicolons (European Excel) or tabs, with or
without a header row. Reading is streaming (one row at a time) so a file of
millions of rows costs constant memory, and every row keeps its line number for
error messages.

Writing guards against CSV injection: a spreadsheet runs a cell that starts with
`=`, `+`, `-` or `@` as a formula, and an address such as `=cmd|…@example.com` is
syntactically valid. Such cells get a leading `'`, which reading removes again so
an export imports back unchanged.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")
_DELIMITERS = (",", ";", "\t")
_SAMPLE_BYTES = 64 * 1024
_SAMPLE_ROWS = 50

EMAIL_HEADERS = frozenset(
    {"email", "e-mail", "mail", "email address", "e-mail address", "email_address", "emailaddress"}
    | {"이메일", "이메일 주소", "메일", "메일 주소", "전자우편"}
)
NAME_HEADERS = frozenset({"name", "full name", "full_name", "fullname", "display name", "이름"})
#: Without a name column, these two make the name (Mailchimp's export, many others).
FIRST_NAME_HEADERS = frozenset({"first name", "first_name", "firstname", "fname", "given name"})
LAST_NAME_HEADERS = frozenset({"last name", "last_name", "lastname", "lname", "surname"})
STATUS_HEADER = "status"
#: Other tools' words in a status column (listmonk: enabled/disabled/blocklisted).
STATUS_WORDS = {
    "enabled": "active",
    "subscribed": "active",
    "disabled": "unsubscribed",
    "blocklisted": "unsubscribed",
    "cleaned": "bounced",
}
#: Columns of other tools' exports that say a person left, when there is no status column:
#: label → (status, the value that says so; "" for any value). Mailchimp exports each status
#: to its own file, whose rows carry UNSUB_TIME or CLEAN_TIME; Ghost has subscribed_to_emails.
LEFT_COLUMNS = {
    "unsub_time": ("unsubscribed", ""),
    "clean_time": ("bounced", ""),
    "subscribed_to_emails": ("unsubscribed", "false"),
}
ATTRIBUTES_HEADER = "attributes"
# Written by `export` (recomputed on import) and by the rejected-rows file (its own notes).
REJECTED_HEADERS = ("rejected_line", "rejected_reason")
IGNORED_HEADERS = frozenset({"id", "created", "updated", *REJECTED_HEADERS})


class CsvFileError(Exception):
    """The file cannot be read at all; the message names the file (and line)."""


def neutralise(cell: str) -> str:
    """Make a cell inert in spreadsheets (OWASP CSV injection advice)."""
    if cell and cell[0] in _FORMULA_START:
        return "'" + cell
    return cell


def restore(cell: str) -> str:
    """Undo `neutralise`: `'=x` → `=x`; a quote before anything else is kept."""
    if len(cell) > 1 and cell[0] == "'" and cell[1] in _FORMULA_START:
        return cell[1:]
    return cell


@dataclass(frozen=True)
class Columns:
    """Where things are in each row; `extra` columns become subscriber attributes."""

    email: int
    name: int | None = None
    status: int | None = None
    attributes: int | None = None
    extra: list[tuple[int, str]] = field(default_factory=list)
    header: bool = False
    left: list[tuple[int, str]] = field(default_factory=list)  # (index, label of LEFT_COLUMNS)
    name_parts: list[int] = field(default_factory=list)  # first and last name, no name column

    def status_of(self, cells: list[str]) -> str:
        """The row's status in our words ('' when it names none), from the status column,
        else from another tool's columns that say the person left."""

        def cell(index: int) -> str:
            return cells[index].strip(" \t").lower() if index < len(cells) else ""

        if self.status is not None and cell(self.status):
            return STATUS_WORDS.get(cell(self.status), cell(self.status))
        for index, label in self.left:
            status, value = LEFT_COLUMNS[label]
            if cell(index) and (not value or cell(index) == value):
                return status
        return ""


class CsvSource:
    """One subscriber CSV file, opened for streaming; use as a context manager."""

    def __init__(self, path: Path) -> None:
        self.path = path
        check_utf8(path)
        try:
            self._binary = path.open("rb")
        except OSError as exc:
            raise CsvFileError(f"{path}: {exc.strerror or exc}") from None
        self.size = path.stat().st_size
        sample = self._binary.read(_SAMPLE_BYTES).decode("utf-8-sig", errors="ignore")
        self._binary.seek(0)
        self.delimiter = sniff_delimiter(sample)
        self._text = io.TextIOWrapper(self._binary, encoding="utf-8-sig", newline="")
        self._reader = csv.reader(self._text, delimiter=self.delimiter)
        self._line = 0
        self._first: tuple[int, list[str]] | None = None
        self._header: list[str] | None = None  # the header row's cells, as written
        self.columns = self._detect_columns()

    def __enter__(self) -> CsvSource:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._text.close()

    @property
    def position(self) -> int:
        """Bytes consumed so far (for a progress bar)."""
        return self._binary.tell()

    def labels(self, width: int) -> list[str]:
        """A header for rows of `width` cells: the file's own, or for a file without one
        the columns the import reads (`email`, `name`) and blanks it ignores."""
        if self._header is not None:
            return self._header
        named = {self.columns.email: "email", self.columns.name: "name"}
        return [named.get(index, "") for index in range(width)]

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line number, cells) of every non-empty data row, cells with `restore` applied."""
        if self._first is not None:
            first, self._first = self._first, None
            yield first
        while True:
            row = self._next()
            if row is None:
                return
            yield row

    def _next(self) -> tuple[int, list[str]] | None:
        while True:
            start = self._line + 1
            try:
                cells = next(self._reader)
            except StopIteration:
                return None
            except csv.Error as exc:
                raise CsvFileError(f"{self.path}: line {start}: {exc}") from None
            self._line = self._reader.line_num
            if any(cell.strip() for cell in cells):
                return start, [restore(cell) for cell in cells]

    def _detect_columns(self) -> Columns:
        first = self._next()
        if first is None:
            return Columns(email=0)
        line, cells = first
        labels = [cell.strip().lower() for cell in cells]
        email = next((i for i, label in enumerate(labels) if label in EMAIL_HEADERS), None)
        if email is not None:
            self._header = [cell.strip() for cell in cells]
            return self._header_columns(labels, email)
        # No header row: this row is data.
        self._first = first
        if len(cells) == 1:
            return Columns(email=0)
        email = next((i for i, cell in enumerate(cells) if "@" in cell), None)
        if email is None:
            found = ", ".join(cell.strip() for cell in cells)
            raise CsvFileError(
                f"{self.path}: line {line}: no `email` column in the header (found: {found})"
            )
        name = (1 - email) if len(cells) == 2 else None
        return Columns(email=email, name=name)

    @staticmethod
    def _header_columns(labels: list[str], email: int) -> Columns:
        name = status = attributes = None
        extra = []
        for index, label in enumerate(labels):
            if index == email or not label or label in IGNORED_HEADERS:
                continue
            if label in NAME_HEADERS and name is None:
                name = index
            elif label == STATUS_HEADER and status is None:
                status = index
            elif label == ATTRIBUTES_HEADER and attributes is None:
                attributes = index
            elif label not in EMAIL_HEADERS:
                extra.append((index, label))
        left = [(index, label) for index, label in enumerate(labels) if label in LEFT_COLUMNS]
        parts: list[int] = []
        if name is None:
            for headers in (FIRST_NAME_HEADERS, LAST_NAME_HEADERS):
                parts += [i for i, label in extra if label in headers][:1]
            extra = [(i, label) for i, label in extra if i not in parts]
        return Columns(
            email, name, status, attributes, extra, header=True, left=left, name_parts=parts
        )


def sniff_delimiter(sample: str) -> str:
    """`,`, `;` or tab: the one that splits the first rows into the same number (>1) of
    fields most consistently; `,` for a one-column file."""
    lines = sample.splitlines()
    if len(sample) >= _SAMPLE_BYTES and lines:
        lines = lines[:-1]  # probably cut in the middle
    lines = [line for line in lines if line.strip()][:_SAMPLE_ROWS]
    best, best_score = ",", (0.0, 0)
    for delimiter in _DELIMITERS:
        try:
            counts = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        except csv.Error:
            continue
        if not counts or counts[0] < 2:
            continue
        score = (counts.count(counts[0]) / len(counts), counts[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


def check_utf8(path: Path) -> None:
    """Fail before importing anything if the file is not UTF-8, naming the first bad line."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines = 0
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    line = lines + chunk[: max(exc.start, 0)].count(b"\n") + 1
                    raise CsvFileError(
                        f"{path}: line {line}: not UTF-8 text (save the file as CSV UTF-8)"
                    ) from None
                lines += chunk.count(b"\n")
            decoder.decode(b"", final=True)
    except FileNotFoundError:
        raise CsvFileError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise CsvFileError(f"{path}: is a directory, not a CSV file") from None
    except UnicodeDecodeError:
        raise CsvFileError(f"{path}: ends in the middle of a UTF-8 character") from None
    except OSError as exc:
        raise CsvFileError(f"{path}: {exc.strerror or exc}") from None
