"""Text for a terminal: its width, whether to colour, tables and paragraphs that fit.

The width is `COLUMNS` when set, else the terminal's, else 80. Colour only on a terminal
and never when `NO_COLOR` is set (https://no-color.org). Tables are laid out by rich's rules:
in colour by rich itself, imported only here and only then; without colour (a pipe, a file,
NO_COLOR) by `_plain_table`, which needs only rich's small cell-width helpers, so that `show` and
`list` do not load rich's console and `dossiers --help` and `plan --json` stay fast.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
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
    header: str
    # "wrap": long text wraps on words; "keep": never wrapped (dates, references), shortened
    # with « … » only when nothing else can give way.
    fit: str = "wrap"
    min_width: int | None = None


def table(columns: Sequence[Column | str], rows: Iterable[Sequence[str | Cell]],
          columns_wide: int | None = None, colour: bool | None = None) -> str:
    """Rows under a header and a rule, two spaces between columns, no wider than the terminal:
    wrappable cells wrap on words, the others shorten with « … »."""
    wide = columns_wide or width()
    colour = colour_wanted() if colour is None else colour
    columns = [column if isinstance(column, Column) else Column(column) for column in columns]
    rows = [list(row) for row in rows]
    if not colour:
        headers = [column.header.translate(_HOLD) for column in columns]
        texts = [[(cell.text if isinstance(cell, Cell) else cell).translate(_HOLD) for cell in row]
                 for row in rows]
        if columns and all(len(row) == len(columns) for row in texts) and not any(
                _UNUSUAL.search(text) for text in (*headers, *(t for row in texts for t in row))):
            return _finish(_plain_table(columns, headers, texts, wide))
    return _finish(_rich_table(columns, rows, wide, colour))


def _finish(drawn: str) -> str:
    text = drawn.translate(_RELEASE)
    return "\n".join(line.rstrip() for line in text.rstrip("\n").split("\n"))


def _rich_table(columns: Sequence[Column], rows: Iterable[Sequence[str | Cell]], wide: int,
                colour: bool) -> str:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    drawn = Table(box=_rule_under_header(), show_edge=False, pad_edge=False, padding=(0, 1, 0, 0),
                  collapse_padding=False, header_style="bold" if colour else "",
                  expand=False)
    for column in columns:
        keep = column.fit == "keep"
        drawn.add_column(column.header.translate(_HOLD), no_wrap=keep,
                         overflow="ellipsis" if keep else "fold", min_width=column.min_width)
    for row in rows:
        drawn.add_row(*(Text(cell.text.translate(_HOLD), style=cell.style if colour else "")
                        if isinstance(cell, Cell) else Text(cell.translate(_HOLD)) for cell in row))
    out = io.StringIO()
    console = Console(file=out, width=wide, force_terminal=colour, no_color=not colour,
                      color_system="standard" if colour else None, highlight=False, emoji=False,
                      markup=False, legacy_windows=False, _environ={})
    console.print(drawn)
    return out.getvalue()


# What rich's Text treats apart (tabs, control codes, line breaks other than "\n"): a table
# holding one is left to rich itself.
_UNUSUAL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def _plain_table(columns: Sequence[Column], headers: Sequence[str],
                 rows: Sequence[Sequence[str]], wide: int) -> str:
    """The text `_rich_table` draws without colour, without loading rich's console and its
    renderers (a good part of a short command's start-up): rich's own cell widths, word
    wrapping and width sharing (rich.cells, rich._wrap, rich._ratio), and its table layout
    (rich.table, rich.padding, rich.measure) for our one style, written out here.
    tests/test_presentation.py draws random tables both ways and compares them."""
    from rich._ratio import ratio_reduce
    from rich.cells import cell_len

    # Padding (0, 1, 0, 0) without edge padding: one space right of every column but the last,
    # and a space between columns, the column rule.
    pads = [1] * (len(columns) - 1) + [0]
    by_column = [[header, *(row[index] for row in rows)] for index, header in enumerate(headers)]

    def measure(text: str, pad: int, room: int) -> tuple[int, int]:
        """Measurement.get of Padding(Text(text)) in `room` cells."""
        if room < 1:
            return 0, 0
        if room - pad < 1:
            low, high = room, room
        else:
            lines = text.splitlines()
            high = max((cell_len(line) for line in lines), default=0)
            low = max((cell_len(word) for word in text.split()), default=high)
            low, high = _within(*_normal(low, high), room)
            low, high = (0, 0) if high < 1 else _normal(low, high)
            low, high = _within(low + pad, high + pad, room)
        low, high = _within(*_normal(low, high), room)
        return (0, 0) if high < 1 else _normal(low, high)

    def measure_column(index: int, room: int) -> tuple[int, int]:
        """Table._measure_column."""
        if room < 1:
            return 0, 0
        measured = [measure(text, pads[index], room) for text in by_column[index]]
        low, high = _within(max(m[0] for m in measured), max(m[1] for m in measured), room)
        if columns[index].min_width is not None:
            least = max(0, columns[index].min_width + pads[index])
            low, high = max(low, least), max(high, least)
        return low, high

    # Table._calculate_column_widths, the room left by the column rules.
    room = wide - (len(columns) - 1)
    widths = [measure_column(index, room)[1] or 1 for index in range(len(columns))]
    if sum(widths) > room:
        widths = _collapse(widths, [column.fit != "keep" for column in columns], room, ratio_reduce)
        if sum(widths) > room:
            widths = ratio_reduce(sum(widths) - room, [1] * len(widths), widths, widths)
        widths = [measure_column(index, room_of)[1] for index, room_of in enumerate(widths)]

    def cell_lines(index: int, text: str) -> list[list[str]]:
        """console.render_lines of the padded cell: its lines, as segments, at its column's
        width (a width counted segment by segment, as rich does)."""
        column_width, pad = widths[index], pads[index]
        inner = column_width - pad
        if inner < 1:
            return []
        keep = columns[index].fit == "keep"
        return [_adjust(_adjust([line], inner) + [" " * pad], column_width)
                for line in _wrapped(text, inner, keep)]

    out = []
    for number, texts in enumerate([headers, *rows]):
        cells = [cell_lines(index, text) for index, text in enumerate(texts)]
        height = max(1, *(len(lines) for lines in cells))
        # The header sits on the rule (bottom), the rows hang from their top.
        cells = [[[" " * widths[index]]] * (height - len(lines)) + lines if number == 0
                 else lines + [[" " * widths[index]]] * (height - len(lines))
                 for index, lines in enumerate(cells)]
        for line in range(height):
            segments = list(cells[0][line])
            for cell in cells[1:]:
                segments += [" ", *cell[line]]
            out.append(segments)
        if number == 0:
            out.append([" ".join("─" * w for w in widths)])
    # The console crops what is wider than itself.
    return "".join("".join(_adjust(line, wide, pad=False)) + "\n" for line in out)


def _adjust(line: list[str], length: int, pad: bool = True) -> list[str]:
    """Segment.adjust_line_length: a line of segments padded or cropped to `length` cells."""
    from rich.cells import cell_len, set_cell_size

    size = sum(cell_len(segment) for segment in line)
    if size < length:
        return line + [" " * (length - size)] if pad else line
    if size == length:
        return line
    cropped, size = [], 0
    for segment in line:
        if size + cell_len(segment) < length:
            cropped.append(segment)
            size += cell_len(segment)
        else:
            cropped.append(set_cell_size(segment, length - size))
            break
    return cropped


def _normal(low: int, high: int) -> tuple[int, int]:
    """Measurement.normalize."""
    low = min(max(0, low), high)
    return max(0, low), max(0, max(low, high))


def _within(low: int, high: int, room: int) -> tuple[int, int]:
    """Measurement.with_maximum."""
    return min(low, room), min(high, room)


def _collapse(widths: list[int], wrappable: list[bool], room: int,
              ratio_reduce: Callable[[int, list[int], list[int], list[int]], list[int]],
              ) -> list[int]:
    """Table._collapse_widths: the widest wrappable columns give way first."""
    total = sum(widths)
    excess = total - room
    if any(wrappable):
        while total and excess > 0:
            pairs = list(zip(widths, wrappable, strict=True))
            widest = max(w for w, wraps in pairs if wraps)
            second = max(w if wraps and w != widest else 0 for w, wraps in pairs)
            ratios = [1 if w == widest and wraps else 0 for w, wraps in pairs]
            if not any(ratios) or not widest - second:
                break
            widths = ratio_reduce(excess, ratios, [min(excess, widest - second)] * len(widths),
                                  widths)
            total = sum(widths)
            excess = total - room
    return widths


def _wrapped(text: str, room: int, keep: bool) -> list[str]:
    """Text.wrap, justified left: a kept cell shortened with « … », the others wrapped on
    words, a word longer than the room folded."""
    from rich._wrap import divide_line

    lines = []
    for line in text.split("\n"):
        if keep:
            pieces = [line]
        else:
            bounds = [0, *divide_line(line, room, fold=True), len(line)]
            pieces = [_strip_end(line[a:b], room) for a, b in zip(bounds, bounds[1:], strict=False)]
        # Lines.justify("left") truncates and pads each line, then Text.wrap truncates again.
        lines += [_truncate(_truncate(piece, room, keep, pad=True), room, keep)
                  for piece in pieces]
    return lines


def _truncate(text: str, room: int, ellipsis: bool, pad: bool = False) -> str:
    """Text.truncate."""
    from rich.cells import cell_len, set_cell_size

    length = cell_len(text)
    if length > room:
        text = set_cell_size(text, room - 1) + "…" if ellipsis else set_cell_size(text, room)
    if pad and length < room:
        text += " " * (room - length)
    return text


_TRAILING_SPACE = re.compile(r"\s+$")


def _strip_end(piece: str, room: int) -> str:
    """Text.rstrip_end: the spaces past the room, counted in characters."""
    excess = len(piece) - room
    found = _TRAILING_SPACE.search(piece) if excess > 0 else None
    return piece[:len(piece) - min(len(found.group(0)), excess)] if found else piece


def fit(text: str, columns_wide: int | None = None) -> str:
    """`dossiers.wrapping.fit` at the terminal's width."""
    from dossiers import wrapping

    return wrapping.fit(text, columns_wide or width())
