"""Tables and help at the width of a real terminal: no word cut, escape codes take no room."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dossiers import terminal
from dossiers.cli import cli
from tests.conftest import Dossiers, pty_output
from tests.test_help import COMMANDS

AS_OF = "2026-11-23"
WIDE = "250"
# The headers of the narrower layouts, which the wide one does not have.
NARROW_HEADERS = {"Suivi", "par", "Dossier", "Personne", "Rôle", "et", "agence"}
ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture
def sample(dossiers: Dossiers) -> Dossiers:
    dossiers.ok("sample", "--as-of", AS_OF)
    return dossiers


def _at(tool: Dossiers, columns: str, monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    monkeypatch.setenv("COLUMNS", columns)
    return tool.ok(*args)


def _cut_words(narrow: str, wide: str) -> list[str]:
    """The words of `narrow` that the wide output does not have whole: a word folded in two
    (« Pointe-à-Pit », « re ») or shortened (« hugo.bernard@in… »)."""
    whole = {word.removesuffix("...") for word in wide.split()} | NARROW_HEADERS
    # Click abridges a command's summary in a group's help after a whole word, with « ... ».
    return sorted({word for word in narrow.split()
                   if word.removesuffix("...") not in whole and set(word) != {"─"}})


def _references(sample: Dossiers) -> list[str]:
    return [d["reference"] for d in json.loads(sample.ok("list", "--json", "--as-of", AS_OF))]


@pytest.mark.parametrize("columns", ["80", "60"])
def test_every_word_of_the_daily_outputs_stays_whole_at_80_and_60_columns(
        sample: Dossiers, monkeypatch: pytest.MonkeyPatch, columns: str) -> None:
    commands = [("list", "--as-of", AS_OF), ("list", "--all", "--as-of", AS_OF),
                ("staff", "list"), ("agency", "list"),
                ("report", "overdue", "--as-of", AS_OF),
                ("report", "upcoming", "--within", "60", "--as-of", AS_OF)]
    for reference in _references(sample):
        commands += [("show", reference, "--history", "--as-of", AS_OF),
                     ("explain", reference, "--as-of", AS_OF)]
    for args in commands:
        narrow = _at(sample, columns, monkeypatch, *args)
        wide = _at(sample, WIDE, monkeypatch, *args)
        assert _cut_words(narrow, wide) == [], (args, narrow)
        assert [line for line in narrow.split("\n") if len(line) > int(columns)] == [], args


@pytest.mark.parametrize("columns", [80, 60])
def test_every_word_of_every_help_stays_whole_at_80_and_60_columns(columns: int) -> None:
    for path in COMMANDS:
        narrow = CliRunner().invoke(cli, [*path, "--help"], terminal_width=columns)
        wide = CliRunner().invoke(cli, [*path, "--help"], terminal_width=200)
        assert narrow.exit_code == 0
        assert _cut_words(narrow.output, wide.output) == [], (path, narrow.output)


def test_open_help_never_breaks_a_rule_id_at_its_hyphen() -> None:
    for columns in range(60, 101):
        text = CliRunner().invoke(cli, ["open", "--help"], terminal_width=columns).output
        assert "R-CDPI-ELIG" in text
        assert not re.search(r"R-[A-Z&-]*-\n", text), columns


def test_a_table_never_cuts_a_word_its_column_can_hold() -> None:
    text = terminal.table(
        [terminal.Column("Nom"), terminal.Column("Agence"), terminal.Column("Statut")],
        [["Maëva Jean-Baptiste", "Pointe-à-Pitre", "en retard de 7 j"]], 40, colour=False)
    assert _cut_words(text, "Nom Agence Statut Maëva Jean-Baptiste Pointe-à-Pitre en retard "
                            "de 7 j") == []


def test_a_word_longer_than_the_room_left_is_shortened_with_an_ellipsis() -> None:
    text = terminal.table([terminal.Column("Nom"), terminal.Column("Email")],
                          [["Léa Martin", "lea.martin@interim-exemple.fr"]], 30, colour=False)
    assert all(len(line) <= 30 for line in text.split("\n"))
    assert "lea.martin@" in text and "…" in text
    assert "Martin" in text.split()


def test_widths_give_way_widest_first_down_to_the_longest_word() -> None:
    # (longest word, longest line), wrappable?
    assert terminal.column_widths([(5, 20), (8, 30), (10, 10)], [True, True, False], 60) == [
        20, 30, 10]
    assert terminal.column_widths([(5, 20), (8, 30), (10, 10)], [True, True, False], 40) == [
        15, 15, 10]
    assert terminal.column_widths([(5, 20), (8, 30), (10, 10)], [True, True, False], 23) == [
        5, 8, 10]
    # Then words are shortened, the columns kept whole last.
    assert terminal.column_widths([(5, 20), (8, 30), (10, 10)], [True, True, False], 20) == [
        5, 5, 10]
    assert terminal.column_widths([(5, 20), (8, 30), (10, 10)], [True, True, False], 8) == [
        1, 1, 6]


def _on_a_terminal(database_url: str, tmp_path: Path, columns: int, *args: str) -> str:
    """`dossiers ARGS` in a real pseudo-terminal of `columns` columns, colours on: the width
    comes from the terminal itself (no COLUMNS)."""
    import fcntl
    import struct
    import termios

    leader, follower = os.openpty()
    try:
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
        environ = {**os.environ, "DOSSIERS_DB": database_url, "TERM": "xterm-256color",
                   "XDG_CACHE_HOME": str(tmp_path / "cache")}
        for name in ("COLUMNS", "LINES", "NO_COLOR"):
            environ.pop(name, None)
        process = subprocess.run([sys.executable, "-m", "dossiers", *args],
                                 stdin=follower, stdout=follower, stderr=subprocess.PIPE,
                                 env=environ, timeout=120, check=False)
        assert process.returncode == 0, process.stderr
        os.close(follower)
        follower = -1
        return pty_output(leader).replace("\r\n", "\n")
    finally:
        os.close(leader)
        if follower != -1:
            os.close(follower)


@pytest.mark.parametrize("columns", [80, 60])
def test_in_a_real_colour_terminal_show_and_list_fit_and_keep_their_header(
        sample: Dossiers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, columns: int) -> None:
    if sample.url.startswith("postgresql"):
        pytest.skip("the subprocess reads the database URL: SQLite only")
    for args in (("show", "LYO-CDPI-09", "--as-of", AS_OF), ("list", "--as-of", AS_OF)):
        coloured = _on_a_terminal(sample.url, tmp_path, columns, *args)
        assert "\x1b[" in coloured, args
        visible = ESCAPE.sub("", coloured)
        assert [line for line in visible.split("\n") if len(line) > columns] == [], visible
        wide = _at(sample, WIDE, monkeypatch, *args)
        assert _cut_words(visible, wide) == [], visible
        if args[0] == "show":
            # The header whole above its rule: « Statut » and « Règle » are not pushed under it.
            lines = visible.split("\n")
            rule = next(i for i, line in enumerate(lines) if line.startswith("─"))
            header = " ".join(lines[rule - (1 if columns >= 70 else 2):rule]).split()
            assert sorted(header) == sorted(["Étape", "Ouverture", "Échéance", "Statut", "Règle"])
            assert set(lines[rule]) <= {"─", " "}
            assert lines[rule - 1].startswith("Étape")
