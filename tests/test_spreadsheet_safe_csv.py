"""Every CSV we write is safe to open in a spreadsheet: a text cell that starts with « = »,
« + », « - », « @ », a tab or a carriage return gets a leading apostrophe (OWASP, CSV
injection); numbers stay numbers."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from dossiers.spreadsheet import spreadsheet_safe
from tests.conftest import Dossiers

HOSTILE = {
    "F-EQ": "=HYPERLINK(\"http://evil.example\";\"clic\")",
    "F-AT": "@SUM(1+1)*cmd|' /C calc'!A0",
    "F-PLUS": "+33 6 12 34 56 78",
    "F-MINUS": "-2+3+cmd|' /C calc'!A0",
}


@pytest.fixture
def hostile(network: Dossiers) -> Dossiers:
    """Four dossiers whose worker names a spreadsheet would run as formulas; their DRF is
    late on 2027-01-13 and due on 2027-01-07, i.e. upcoming on 2027-01-05."""
    for reference, worker in HOSTILE.items():
        network.ok("open", "--kind", "cdpi", "--worker", worker, "--start", "2027-01-11",
                   "--end", "2027-02-19", "--training-hours", "210", "--owner",
                   "lea@example.fr", "--reference", reference)
    return network


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig")), delimiter=";"))


@pytest.mark.parametrize("command", [["overdue", "--as-of", "2027-01-13"],
                                     ["upcoming", "--as-of", "2027-01-05", "--within", "7"]])
def test_a_formula_in_a_name_reaches_the_csv_as_text(hostile: Dossiers, tmp_path: Path,
                                                     command: list[str]) -> None:
    target = tmp_path / "rapport.csv"
    hostile.ok("report", *command, "--format", "csv", "-o", str(target))
    rows = {row[2]: row for row in _rows(target)[1:]}
    assert {reference: rows[reference][3] for reference in HOSTILE} == {
        reference: "'" + worker for reference, worker in HOSTILE.items()}


def test_days_late_stay_numbers_even_when_negative(hostile: Dossiers, tmp_path: Path) -> None:
    target = tmp_path / "a-venir.csv"
    hostile.ok("report", "upcoming", "--as-of", "2027-01-05", "--within", "7", "--format", "csv",
               "-o", str(target))
    assert {row[8] for row in _rows(target)[1:]} == {"-2"}


def test_the_csv_on_standard_output_is_neutralised_too(hostile: Dossiers) -> None:
    out = hostile.ok("report", "overdue", "--as-of", "2027-01-13", "--format", "csv")
    rows = list(csv.reader(io.StringIO(out.lstrip("\ufeff")), delimiter=";"))
    assert all(not row[3].startswith(("=", "+", "-", "@")) for row in rows[1:])


@pytest.mark.parametrize("cell, written", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("Karim B.", "Karim B."), ("", ""), (-3, -3), (12, 12),
])
def test_each_dangerous_first_character_is_neutralised_and_numbers_are_kept(
        cell: object, written: object) -> None:
    assert spreadsheet_safe(cell) == written


def test_the_list_csv_is_neutralised_too(hostile: Dossiers, tmp_path: Path) -> None:
    """`list --format csv` exports what `list` shows: the worker column as text."""
    target = tmp_path / "liste.csv"
    hostile.ok("list", "--as-of", "2027-01-05", "--format", "csv", "-o", str(target))
    rows = _rows(target)
    column = rows[0].index("Intérimaire")
    workers = {row[0]: row[column] for row in rows[1:]}
    assert workers == {reference: "'" + worker for reference, worker in HOSTILE.items()}
