"""What a person reads: it fits the terminal, it is French, mail reads like mail."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from datetime import datetime
from fractions import Fraction
from pathlib import Path

import pytest

from dossiers import messages, terminal
from tests.conftest import Dossiers, pty_output

AS_OF = "2026-11-23"
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
ANSI = "\x1b["


@pytest.fixture
def sample(dossiers: Dossiers) -> Dossiers:
    dossiers.ok("sample", "--as-of", AS_OF)
    return dossiers


def _references(sample: Dossiers) -> list[str]:
    return [d["reference"] for d in json.loads(sample.ok("list", "--json", "--as-of", AS_OF))]


def _too_wide(text: str, columns: int) -> list[str]:
    return [line for line in text.split("\n") if len(line) > columns]


def test_at_80_columns_no_line_of_list_show_explain_or_a_report_is_wider(
        sample: Dossiers, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    outputs = {
        "list": sample.ok("list", "--as-of", AS_OF),
        "list --all": sample.ok("list", "--all", "--as-of", AS_OF),
        "report overdue": sample.ok("report", "overdue", "--as-of", AS_OF),
        "report upcoming": sample.ok("report", "upcoming", "--within", "60", "--as-of", AS_OF),
    }
    for reference in _references(sample):
        outputs[f"show {reference}"] = sample.ok("show", reference, "--history", "--as-of", AS_OF)
        outputs[f"explain {reference}"] = sample.ok("explain", reference, "--as-of", AS_OF)
        outputs[f"doc {reference}"] = sample.ok("doc", reference, "--as-of", AS_OF)
    for name, text in outputs.items():
        assert text.strip(), name
        assert _too_wide(text, 80) == [], name


def test_a_wide_terminal_gets_one_line_per_dossier_and_every_column(
        sample: Dossiers, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    lines = sample.ok("list", "--as-of", AS_OF).split("\n")
    assert lines[0].split() == ["Référence", "Type", "Agence", "Responsable", "Intérimaire",
                                "Prochaine", "étape", "Échéance", "Statut"]
    count = len(_references(sample))
    assert lines[-2] == f"{count} dossiers."
    assert len(lines) == count + 5  # header, rule, one line each, blank, count, final newline
    assert _too_wide("\n".join(lines), 200) == []


def test_the_width_is_columns_else_the_terminal_else_80() -> None:
    assert terminal.width({"COLUMNS": "132"}) == 132
    # Tests run with standard output captured: no terminal, so 80.
    assert terminal.width({}) == 80 or os.isatty(sys.__stdout__.fileno())
    assert terminal.width({"COLUMNS": "not a number"}) == terminal.width({})


def test_a_table_wraps_long_cells_on_words_and_keeps_dates_whole() -> None:
    text = terminal.table(
        [terminal.Column("Étape"), terminal.Column("Échéance", "keep")],
        [["Demande de réservation de financement (DRF)", "07/01/2027"]], 30, colour=False)
    assert text.split("\n") == [
        "Étape               Échéance",
        "─────────────────── ──────────",
        "Demande de          07/01/2027",
        "réservation de",
        "financement (DRF)",
    ]


def test_colour_only_on_a_terminal_and_never_with_no_color() -> None:
    leader, follower = os.openpty()
    try:
        with open(follower, "w", closefd=False) as tty:
            assert terminal.colour_wanted(tty, {}) is True
            assert terminal.colour_wanted(tty, {"NO_COLOR": "1"}) is False
            assert terminal.colour_wanted(tty, {"NO_COLOR": ""}) is True
    finally:
        os.close(leader)
        os.close(follower)
    assert terminal.colour_wanted(io.StringIO(), {}) is False
    late = terminal.Cell("en retard de 3 j", terminal.STATUS_STYLES["overdue"])
    assert ANSI in terminal.table(["Statut"], [[late]], 40, colour=True)
    assert ANSI not in terminal.table(["Statut"], [[late]], 40, colour=False)


def _list_on_a_terminal(database_url: str, tmp_path: Path, **env: str) -> str:
    """`dossiers list` run with a real pseudo-terminal as its standard output."""
    leader, follower = os.openpty()
    try:
        environ = {**os.environ, "DOSSIERS_DB": database_url, "COLUMNS": "200",
                   "XDG_CACHE_HOME": str(tmp_path / "cache"), **env}
        if "NO_COLOR" not in env:
            environ.pop("NO_COLOR", None)
        process = subprocess.run([sys.executable, "-m", "dossiers", "list", "--as-of", AS_OF],
                                 stdout=follower, stderr=subprocess.PIPE, env=environ,
                                 timeout=120, check=False)
        assert process.returncode == 0, process.stderr
        os.close(follower)
        return pty_output(leader)
    finally:
        os.close(leader)


def test_late_steps_are_coloured_on_a_terminal_unless_no_color(
        sample: Dossiers, tmp_path: Path) -> None:
    if sample.url.startswith("postgresql"):
        pytest.skip("the subprocess reads the database URL: SQLite only")
    coloured = _list_on_a_terminal(sample.url, tmp_path)
    assert ANSI in coloured and "en retard" in coloured
    plain = _list_on_a_terminal(sample.url, tmp_path, NO_COLOR="1")
    assert ANSI not in plain and "en retard" in plain
    piped = sample.ok("list", "--as-of", AS_OF)
    assert ANSI not in piped


def test_french_numbers_amounts_hours_and_local_times() -> None:
    assert messages.euros(Fraction(2380)) == "2\u202f380,00\u00a0€"
    assert messages.euros(Fraction(17)) == "17,00\u00a0€"
    assert messages.hours(Fraction(140, 3)) == "46\u00a0h\u00a040\u00a0min"
    assert messages.hours(Fraction(1050)) == "1\u202f050\u00a0h"
    assert messages.number(Fraction(140, 3), 2) == "46,67"
    utc = datetime(2026, 11, 23, 10, 5)
    assert messages.local_time(utc) == "23/11/2026 11:05"
    assert messages.local_time(utc, "America/Guadeloupe") == "23/11/2026 06:05"
    assert messages.local_time(datetime(2026, 7, 1, 10, 5)) == "01/07/2026 12:05"


def test_whole_numbers_below_a_thousand_read_as_babel_writes_them() -> None:
    """`number` writes them without Babel; a thousand and more, or decimals, go to Babel."""
    from decimal import Decimal

    from babel.numbers import format_decimal

    for value in range(-3, 1003):
        expected = format_decimal(Decimal(value), format="#,##0", locale=messages.LOCALE)
        assert messages.number(value) == messages.number(Fraction(value)) == expected
    assert messages.number(True) == "1"
    assert messages.number(Fraction(1, 3)) == "0"
    assert messages.number(999, 1) == "999,0"


def test_update_history_and_explain_speak_french_and_json_stays_iso(
        network: Dossiers, monkeypatch: pytest.MonkeyPatch) -> None:
    """R-SURCOUT: the hourly cost as an amount; dates JJ/MM/AAAA in every human line."""
    monkeypatch.setenv("COLUMNS", "200")
    network.ok("open", "--kind", "cipi", "--worker", "A", "--start", "2027-01-11", "--end",
               "2027-02-19", "--training-hours", "140", "--owner", "lea@example.fr",
               "--reference", "C-1", "--programme", "hope")
    network.ok("record", "C-1", "drf-submitted", "--on", "2026-12-01")
    changed = network.ok("update", "C-1", "--hourly-cost", "36", "--end", "2027-02-26",
                         "--programme", "aucun", "--as-of", "2026-12-02")
    assert "  coût horaire : — → 36,00\u00a0€\n" in changed
    assert "  fin de formation : 19/02/2027 → 26/02/2027\n" in changed
    assert "  programme : HOPE → —\n" in changed
    shown = network.ok("show", "C-1", "--history", "--as-of", "2026-12-02")
    history = shown.split("Historique (heure locale de l'agence) :")[1]
    assert "événement « DRF déposée »" in history and "01/12/2026" in history
    assert "coût horaire" in history and "36,00\u00a0€" in history
    for text in (changed, shown, network.ok("explain", "C-1", "--as-of", "2026-12-02")):
        assert not ISO_DATE.search(text), ISO_DATE.search(text)
        for raw in ("hourly_cost", "training_end", "drf-submitted", "36.00", "None"):
            assert raw not in text, raw
    data = json.loads(network.ok("show", "C-1", "--json", "--history", "--as-of", "2026-12-02"))
    assert ("training_end", "2027-02-19", "2027-02-26") in [
        (h["what"], h["before"], h["after"]) for h in data["history"]]
    assert all(datetime.fromisoformat(h["at"]).utcoffset() is not None for h in data["history"])
    assert data["training_end"] == "2027-02-26"


def test_every_plain_text_line_of_a_digest_fits_78_columns(
        sample: Dossiers, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOSSIERS_MAIL_FROM", "Suivi <dossiers@interim-exemple.fr>")
    out = sample.ok("remind", "--dry-run", "--as-of", AS_OF)
    bodies = [part.split("\n", 2)[2] for part in out.split("À : ")[1:]]
    assert len(bodies) >= 5
    for body in bodies:
        assert _too_wide(body, 78) == []
        # A date in words is never cut: « le mardi 17 / novembre 2026 ».
        assert not re.search(r"\d\n *(janvier|février|mars|avril|mai|juin|juillet|août|"
                             r"septembre|octobre|novembre|décembre)", body)
        # A paragraph wraps flush, as in any mail.
        assert body.lstrip("\n").startswith("Bonjour ") and "\nVoici ce qui demande" in body
        intro = body.split("\nVoici ce qui demande", 1)[1].split("\n\n", 1)[0]
        assert all(not line.startswith(" ") for line in intro.split("\n")[1:])
    assert "\n    " in out  # a long item goes on under its bullet
    assert any("\n" in body.split("\nVoici", 1)[1].split("\n\n")[0] for body in bodies)


def _due_dates(sample: Dossiers, *extra: str) -> list[tuple[str, str]]:
    """(due date, reference) of each line of `list --format csv`."""
    text = sample.ok("list", "--format", "csv", "--as-of", AS_OF, *extra).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Référence", "Type", "Agence", "Responsable", "Intérimaire",
                       "Prochaine étape", "Échéance", "Statut"]
    return [(row[6], row[0]) for row in rows[1:]]


def _day(text: str) -> tuple[str, ...]:
    return tuple(reversed(text.split("/"))) if text != "—" else ("9999",)


def test_the_list_reads_in_order_of_urgency_and_the_csv_is_what_it_shows(
        sample: Dossiers, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    lines = _due_dates(sample)
    assert len(lines) == len(_references(sample))
    assert lines == sorted(lines, key=lambda line: (_day(line[0]), line[1]))
    assert lines[0][0] != "—" and lines[-1][0] == "—"  # nothing to do comes last
    table = sample.ok("list", "--as-of", AS_OF).split("\n")[2:2 + len(lines)]
    assert [line.split()[0] for line in table] == [reference for _, reference in lines]
    by_reference = _due_dates(sample, "--sort", "reference")
    assert [r for _, r in by_reference] == sorted(r for _, r in lines)
    by_agency = sample.ok("list", "--format", "csv", "--sort", "agence", "--as-of", AS_OF)
    agencies = [row.split(";")[2] for row in by_agency.strip().split("\r\n")[1:]]
    assert agencies == sorted(agencies, key=str.casefold)


def test_list_due_within_counts_what_report_upcoming_lists(sample: Dossiers) -> None:
    """A step waiting for AKTO is not the agency's to do: neither counts it."""
    for within in ("7", "14", "45"):
        listed = {r for _, r in _due_dates(sample, "--due-within", within)}
        rows = json.loads(sample.ok("report", "upcoming", "--within", within, "--format", "json",
                                    "--as-of", AS_OF))
        assert listed == {row["reference"] for row in rows}, within
        assert listed


def test_the_list_csv_goes_to_a_file_and_says_how_many(sample: Dossiers, tmp_path: Path) -> None:
    target = tmp_path / "liste.csv"
    out = sample.ok("list", "--overdue", "--format", "csv", "-o", str(target), "--as-of", AS_OF)
    count = len(json.loads(sample.ok("list", "--overdue", "--json", "--as-of", AS_OF)))
    assert out == f"Liste écrite dans {target} ({count} dossiers).\n"
    data = target.read_bytes()
    assert data.startswith("\ufeff".encode()) and data.count(b"\r\n") == count + 1


def _digest_blocks(out: str) -> dict[str, str]:
    """Each dossier's block of the dry-run digests, by its heading « REF — worker (KIND) »."""
    blocks: dict[str, str] = {}
    for block in out.split("\n\n"):
        heading = block.split("\n", 1)[0]
        match = re.match(r"(\S+) — .* \((CIPI|CDPI|CAR)\)", heading)
        if match:
            blocks[f"{match[1]} {match[2]}"] = block
    return blocks


def test_a_digest_cites_only_rules_of_the_dossier_s_scheme(
        sample: Dossiers, monkeypatch: pytest.MonkeyPatch) -> None:
    """R-CIPI-MISSION, R-CAR-MISSION: a CIPI or CAR block never cites a CDPI rule."""
    monkeypatch.setenv("DOSSIERS_MAIL_FROM", "Suivi <dossiers@interim-exemple.fr>")
    blocks = _digest_blocks(sample.ok("remind", "--dry-run", "--as-of", AS_OF))
    assert any(key.endswith("CIPI") for key in blocks) and any(k.endswith("CAR") for k in blocks)
    for key, block in blocks.items():
        kind = key.split()[1]
        cited = set(re.findall(r"\bR-(CIPI|CDPI|CAR)-", block))
        assert cited <= {kind}, (key, block)
