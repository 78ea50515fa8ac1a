"""Text for a terminal: its width, whether to colour, tables and paragraphs that fit.

The width is `COLUMNS` when set, else the terminal's, else 80. Colour only on a terminal
and never when `NO_COLOR` is set (https://no-color.org). Tables are drawn as rich draws them:
plain ones here, the others (colour, characters whose width rich decides) by rich, imported only
then, so that `dossiers --help`, `plan`, `show` and `list` stay fast.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TextIO

from dossiers.wrapping import GLUE, paragraph

__all__ = ["GLUE", "Cell", "Column", "colour_wanted", "fit", "paragraph", "table", "width"]

DEFAULT_WIDTH = 80
# Narrower than this, a table cannot hold its dates: it is drawn at this width anyway.
NARROWEST = 40

# Status colours (rich style names), by the step status value.
STATUS_STYLES = {
    "overdue": "bold red",
    "akto_late": "bold red",
    "due_soon": "yellow",
    "done": "green",
    "done_late": "green",
    "justified": "green",
    "done_too_early": "magenta",
}


# rich wraps at any Unicode space: no-break spaces travel as private-use stand-ins.
_HELD = {"\u00a0": "\ue000", "\u202f": "\ue001"}
_HOLD = str.maketrans(_HELD)
_RELEASE = str.maketrans({v: k for k, v in _HELD.items()})


def _rule_under_header():  # type: ignore[no-untyped-def]
    from rich.box import Box

    return Box("    \n    \n ─  \n    \n    \n    \n    \n    \n")


def width(environ: Mapping[str, str] | None = None) -> int:
    """`COLUMNS` when set to a number, else the terminal's width, else 80."""
    environ = os.environ if environ is None else environ
    columns = environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return max(int(columns), NARROWEST)
    try:
        return max(os.get_terminal_size(sys.__stdout__.fileno()).columns, NARROWEST)  # type: ignore[union-attr]
    except (AttributeError, OSError, ValueError):
        return shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns or DEFAULT_WIDTH


def colour_wanted(stream: TextIO | None = None, environ: Mapping[str, str] | None = None) -> bool:
    """Colour on a terminal only, and never when NO_COLOR is set to anything but empty."""
    environ = os.environ if environ is None else environ
    if environ.get("NO_COLOR"):
        return False
    stream = sys.stdout if stream is None else stream
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@dataclass(frozen=True)
class Cell:
    """A cell with a colour (a rich style name), shown only where colour is wanted."""

    text: str
    style: str = ""


@dataclass(frozen=True)
class Column:
    """A table's column: its header and how its cells fit."""

    header: str
    # "wrap": long text wraps on words; "keep": never wrapped (dates, references), shortened
    # with « … » only when nothing else can give way.
    fit: str = "wrap"
    min_width: int | None = None


# Two spaces between columns: one of padding, one of the (blank) divider.
_BETWEEN = 2


def table(columns: Sequence[Column | str], rows: Iterable[Sequence[str | Cell]],
          columns_wide: int | None = None, colour: bool | None = None) -> str:
    """Rows under a header and a rule, two spaces between columns, no wider than the terminal.
    Wrappable cells fold on spaces only, and their column is never narrower than its longest
    word while the other columns can give way; only then is a word too long for its column
    shortened with « … », as are the cells kept whole (dates, references) last of all.

    Without colour, a table of plain text is drawn here, exactly as rich draws it, without
    loading rich (a sixth of the start-up of `show` and `list`); rich draws the others."""
    wide = columns_wide or width()
    colour = colour_wanted() if colour is None else colour
    columns = [column if isinstance(column, Column) else Column(column) for column in columns]
    body = [list(row) for row in rows]
    if not colour:
        drawn = _plain_table(columns, body, wide)
        if drawn is not None:
            return drawn
    return _rich_table(columns, body, wide, colour)


def _rich_table(columns: Sequence[Column], rows: Sequence[Sequence[str | Cell]], wide: int,
                colour: bool) -> str:
    from rich.console import Console
    from rich.measure import Measurement
    from rich.table import Table
    from rich.text import Text

    body = [[Text(cell.text.translate(_HOLD), style=cell.style if colour else "")
             if isinstance(cell, Cell) else Text(cell.translate(_HOLD)) for cell in row]
            for row in rows]
    out = io.StringIO()
    console = Console(file=out, width=wide, force_terminal=colour, no_color=not colour,
                      color_system="standard" if colour else None, highlight=False, emoji=False,
                      markup=False, legacy_windows=False, _environ={})
    headers = [Text(column.header.translate(_HOLD)) for column in columns]
    measured = [[Measurement.get(console, console.options, cell) for cell in cells]
                for cells in zip(headers, *body)]
    widths = column_widths(
        [(max(m.minimum for m in cells), max(m.maximum for m in cells)) for cells in measured],
        [column.fit != "keep" for column in columns], wide - _BETWEEN * (len(columns) - 1))
    drawn = Table(box=_rule_under_header(), show_edge=False, pad_edge=False, padding=(0, 1, 0, 0),
                  collapse_padding=False, header_style="bold" if colour else "",
                  expand=False)
    for column, header, column_width in zip(columns, headers, widths):
        drawn.add_column(header, no_wrap=column.fit == "keep", overflow="ellipsis",
                         width=max(column_width, column.min_width or 0))
    for cells in body:
        drawn.add_row(*cells)
    console.print(drawn)
    return _finish(out.getvalue())


def _finish(text: str) -> str:
    text = text.translate(_RELEASE)
    return "\n".join(line.rstrip() for line in text.rstrip("\n").split("\n"))


# Characters one cell wide for rich whatever its Unicode tables (its own single-cell ranges,
# then typographic marks and the no-break spaces' stand-ins), none of them a space: a table
# made only of these, spaces and line breaks is drawn by `_plain_table`.
_ONE_CELL_RANGES = ((0x20, 0x7E), (0xA1, 0xAC), (0xAE, 0x2FF), (0x370, 0x482), (0x2500, 0x25FC))
_ONE_CELL_MARKS = frozenset("\u2013\u2014\u2019\u2026\u2212\u20ac\ue000\ue001")


def _plain_text(text: str) -> bool:
    """Only line breaks and the characters above (each distinct character looked at once)."""
    return all(char == "\n" or char in _ONE_CELL_MARKS
               or any(low <= ord(char) <= high for low, high in _ONE_CELL_RANGES)
               for char in set(text))


_WORD = r"\s*\S+\s*"


def _plain_table(columns: Sequence[Column], rows: Sequence[Sequence[str | Cell]],
                 wide: int) -> str | None:
    """The table rich draws without colour (a rule under the header, one space of padding
    right of each column but the last, one blank divider), or None when rich must draw it:
    text with other characters (whose width in cells rich decides), rows of another length,
    or columns that do not fit side by side (rich then narrows them its own way)."""
    headers = [column.header.translate(_HOLD) for column in columns]
    texts = [[(cell.text if isinstance(cell, Cell) else cell).translate(_HOLD) for cell in row]
             for row in rows]
    if any(len(row) != len(columns) for row in texts) or \
            not _plain_text("".join(headers) + "".join("".join(row) for row in texts)):
        return None
    measured = [[_measure(text, wide) for text in cells] for cells in zip(headers, *texts)]
    widths = column_widths(
        [(max(low for low, _ in cells), max(high for _, high in cells)) for cells in measured],
        [column.fit != "keep" for column in columns], wide - _BETWEEN * (len(columns) - 1))
    widths = [max(column_width, column.min_width or 0)
              for column, column_width in zip(columns, widths)]
    pads = [1] * (len(columns) - 1) + [0]
    if min(widths) < 1 or sum(widths) + sum(pads) > wide - (len(columns) - 1):
        return None
    word = re.compile(_WORD)
    keep = [column.fit == "keep" for column in columns]
    lines: list[str] = []
    for index, row in enumerate([headers, *texts]):
        cells = [[line + " " * pad for line in _cell_lines(text, cell_width, kept, word)]
                 for text, cell_width, pad, kept in zip(row, widths, pads, keep)]
        height = max(len(cell) for cell in cells)
        for cell, cell_width, pad in zip(cells, widths, pads):
            blank = [" " * (cell_width + pad)] * (height - len(cell))
            # The header sits on its last line, a row on its first.
            if index == 0:
                cell[:0] = blank
            else:
                cell += blank
        lines += [" ".join(cell[line] for cell in cells) for line in range(height)]
        if index == 0:
            lines.append(" ".join("─" * (cell_width + pad)
                                  for cell_width, pad in zip(widths, pads)))
    return _finish("\n".join(lines))


def _measure(text: str, wide: int) -> tuple[int, int]:
    """rich's Measurement of a Text of one-cell characters: (longest word, longest line)."""
    lines = text.splitlines()
    longest = max(map(len, lines)) if lines else 0
    words = text.split()
    word = max(map(len, words)) if words else longest
    low, high = min(min(max(0, word), longest), wide), min(longest, wide)
    return (0, 0) if high < 1 else (low, high)


def _cell_lines(text: str, cell_width: int, kept: bool, word: re.Pattern[str]) -> list[str]:
    """rich's Text.wrap, justified left, overflow « … », of one-cell characters."""
    out = []
    for line in text.split("\n"):
        if kept:
            pieces = [line]
        else:
            breaks = _divide_line(line, cell_width, word)
            pieces = [line[start:end] for start, end in zip([0, *breaks], [*breaks, len(line)])]
            pieces = [_rstrip_end(piece, cell_width) for piece in pieces]
        for piece in pieces:
            if len(piece) > cell_width:
                piece = piece[:cell_width - 1] + "…"
            out.append(piece + " " * (cell_width - len(piece)))
    return out


def _divide_line(text: str, cell_width: int, word: re.Pattern[str]) -> list[int]:
    """rich._wrap.divide_line without folding: where a line breaks, a word too long for the
    column on a line of its own."""
    breaks: list[int] = []
    offset = 0
    found = word.match(text, 0)
    while found is not None:
        start, end = found.span()
        chunk = found.group(0)
        length = len(chunk.rstrip())
        if cell_width - offset >= length:
            offset += len(chunk)
        elif length > cell_width:
            if start:
                breaks.append(start)
            offset = len(chunk)
        elif offset and start:
            breaks.append(start)
            offset = len(chunk)
        found = word.match(text, end)
    return breaks


def _rstrip_end(piece: str, cell_width: int) -> str:
    """rich's Text.rstrip_end: the spaces past the column's width dropped."""
    excess = len(piece) - cell_width
    if excess <= 0:
        return piece
    spaces = len(piece) - len(piece.rstrip())
    return piece[:len(piece) - min(spaces, excess)]


def column_widths(ranges: Sequence[tuple[int, int]], wrappable: Sequence[bool],
                  room: int) -> list[int]:
    """The width of each column, from (longest word, longest line) of its cells: every column
    as wide as its longest line if they all fit in `room`; else the widest wrappable column
    gives way first, one character at a time, down to its longest word; then, if they still
    do not fit, the wrappable ones below their longest word (a word too long is shortened
    with « … »), and the columns kept whole last."""
    widths = [longest for _word, longest in ranges]
    floors = [word if wrap else longest for (word, longest), wrap in zip(ranges, wrappable)]
    for rounds in (zip(wrappable, floors), ((wrap, 1) for wrap in wrappable),
                   ((True, 1) for _ in wrappable)):
        limits = [floor if allowed else None for allowed, floor in rounds]
        while sum(widths) > room:
            shrinkable = [i for i, limit in enumerate(limits)
                          if limit is not None and widths[i] > limit]
            if not shrinkable:
                break
            widest = max(shrinkable, key=lambda i: widths[i])
            widths[widest] -= 1
    return widths


def fit(text: str, columns_wide: int | None = None) -> str:
    """`dossiers.wrapping.fit` at the terminal's width."""
    from dossiers import wrapping

    return wrapping.fit(text, columns_wide or width())
