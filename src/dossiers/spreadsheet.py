"""Cells of the CSV files we write, safe to open in a spreadsheet (OWASP, CSV injection)."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: object) -> object:
    """A text cell that a spreadsheet would read as a formula (« =HYPERLINK(…) », « @SUM(…) »,
    « +33 6… ») gets a leading apostrophe, so that it shows as typed. Numbers are written as
    they are."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell
