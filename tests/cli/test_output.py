"""`newsletter.cli.output`: whatever text we did not write prints exactly as it is."""

from __future__ import annotations

import io
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.table import Table

from newsletter.cli.output import error_line, one_line, print_table, say, styled

#: Printable text (no control characters, which a terminal would act on) rich in the
#: characters Rich's markup and emoji codes are made of.
MARKUPISH = st.lists(
    st.one_of(
        st.sampled_from(list("[]/\\:#@=!. ")),
        st.sampled_from(["[bold]", "[/]", "[/bold]", "[red on white]", ":smile:", "[link=x]"]),
        st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")),
    ),
    max_size=30,
).map("".join)
#: For table cells: characters one or two columns wide (Rich gives a lone zero-width
#: character, such as a skin-tone modifier, no column at all — not a markup matter).
CELL = st.lists(
    st.one_of(
        st.sampled_from(["[bold]", "[/]", "[red on white]", ":smile:", "[link=x]", "\\["]),
        st.characters(min_codepoint=0x21, max_codepoint=0x7E),
        st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3),  # Hangul syllables
    ),
    min_size=1,
    max_size=20,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(MARKUPISH)
def test_a_plain_line_prints_verbatim(text: str) -> None:
    with pytest.MonkeyPatch.context() as patch:
        out = io.StringIO()
        patch.setattr(sys, "stdout", out)
        say(text)
    assert out.getvalue() == text + "\n"


@settings(max_examples=300, deadline=None)
@given(MARKUPISH, MARKUPISH)
def test_values_in_our_markup_print_verbatim(first: str, second: str) -> None:
    line = styled(
        "[bold]{first}[/] – [dim]{second}[/] {count:,}", first=first, second=second, count=1234
    )
    assert line.plain == f"{first} – {second} 1,234"


@settings(max_examples=200, deadline=None)
@given(MARKUPISH)
def test_an_error_line_keeps_every_bracket(message: str) -> None:
    assert error_line(message).plain == f"error: {one_line(message)}"


@settings(max_examples=100, deadline=None)
@given(st.lists(CELL, min_size=1, max_size=4))
def test_table_cells_print_verbatim(cells: list[str]) -> None:
    table = Table("cell", box=None, show_header=False)
    for cell in cells:
        table.add_row(cell)
    with pytest.MonkeyPatch.context() as patch:
        out = io.StringIO()
        patch.setattr(sys, "stdout", out)
        print_table(table)
    assert [line.strip() for line in out.getvalue().splitlines()] == cells


def test_an_error_is_one_line() -> None:
    assert one_line("database locked\n[SQL: UPDATE x]\n\n(Background: …)") == (
        "database locked [SQL: UPDATE x] (Background: …)"
    )


def test_our_styles_reach_the_values() -> None:
    line = styled("[bold red]error:[/] {what} [dim]{count:,} rows[/]", what="[x]", count=1200)

    assert line.plain == "error: [x] 1,200 rows"
    styles = {line.plain[span.start : span.end]: str(span.style) for span in line.spans}
    assert styles["error:"] == "bold red"
    assert styles["1,200"] == "dim" and styles[" rows"] == "dim"
