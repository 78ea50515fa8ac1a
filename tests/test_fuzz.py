"""Every command, driven with hostile values (formulas, control characters, 10 000 characters,
30-digit numbers, years 1 and 9999…): exit 0 or 2, never a traceback, and a refused command
(exit 2) leaves the database exactly as it was.

Bounded (a few hundred commands, no deadline) so that it stays well under a minute on a slow
machine, in CI like everywhere else."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Dossiers, character_device

HOSTILE = [
    "=HYPERLINK(\"http://evil.example\";\"x\")", "@SUM(1+1)", "+33 6 12 34 56 78", "-1", "-2+3",
    "", " ", "\t", "\n", "a\nb", "a\rb", "\x00", "\x1b[31mrouge", "L\u202eéa", "\u2028",
    "x" * 10_000, "é" * 121, "9" * 30, "9" * 5000, "-" + "9" * 30, "1e308", "NaN", "inf",
    "0", "10001", "65536", "70000", "\u0661\u0662", "²", "9999-12-31", "0001-01-01",
    "31/12/9999", "01/01/0001", "2027-02-30", "2100-12-31", "2000-01-01", "1999-12-31",
    "46 h 99", "46,555", "36,555 €", "'; DROP TABLE dossiers; --", "%s%n", "{0}", "../../etc",
]
hostile = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=20),
    st.from_regex(r"-?[0-9]{1,40}([.,][0-9]{1,12})?", fullmatch=True),
    st.dates().map(lambda day: day.isoformat()),
)

VALID = {
    "ID": "CDPI-1", "KIND": "cdpi", "NAME": "Karim B.", "DATE": "2027-01-11",
    "END": "2027-02-19", "HOURS": "210", "EMAIL": "lea@example.fr", "AGENCY": "Lyon",
    "N": "7", "EUROS": "36,50", "ZONE": "metropole", "EVENT": "drf-submitted", "STEP": "drf",
    "DOC": "contrat-signe", "INCIDENT": "maladie", "ROLE": "charge", "TEXT": "x",
    "PERCENT": "30",
}

COMMANDS = [
    ["agency", "add", "NAME", "--zone", "ZONE", "--headcount", "N"],
    ["agency", "list"],
    ["staff", "add", "NAME", "--email", "EMAIL", "--agency", "AGENCY", "--role", "ROLE"],
    ["staff", "list", "--agency", "AGENCY"],
    ["open", "--kind", "KIND", "--worker", "NAME", "--start", "DATE", "--end", "END",
     "--training-hours", "HOURS", "--owner", "EMAIL", "--reference", "TEXT", "--hourly-cost",
     "EUROS", "--positioning-hours", "HOURS", "--basic-skills-share", "PERCENT",
     "--as-of", "DATE"],
    ["record", "ID", "EVENT", "--on", "DATE", "--as-of", "DATE"],
    ["cancel", "ID", "EVENT", "--on", "DATE"],
    ["mission", "ID", "--start", "DATE", "--end", "END", "--hours", "HOURS",
     "--holiday-hours", "HOURS"],
    ["update", "ID", "--worker", "NAME", "--start", "DATE", "--training-hours", "HOURS",
     "--hourly-cost", "EUROS", "--owner", "EMAIL"],
    ["show", "ID", "--history", "--as-of", "DATE"],
    ["show", "ID", "--json"],
    ["explain", "ID", "--as-of", "DATE"],
    ["incident", "ID", "INCIDENT", "--on", "DATE", "--document-on", "END"],
    ["doc", "ID", "DOC", "--on", "DATE"],
    ["doc", "ID"],
    ["list", "--due-within", "N", "--agency", "AGENCY", "--owner", "EMAIL", "--as-of", "DATE"],
    ["sample", "--as-of", "DATE"],
    ["plan", "--kind", "KIND", "--start", "DATE", "--end", "END", "--training-hours", "HOURS",
     "--mission-hours", "HOURS", "--zone", "ZONE", "--drf-submitted", "DATE"],
    ["remind", "--dry-run", "--as-of", "DATE"],
    ["snooze", "ID", "STEP", "--until", "DATE", "--as-of", "DATE"],
    ["outbox", "--day", "DATE"],
    ["report", "overdue", "--agency", "AGENCY", "--as-of", "DATE", "--format", "csv"],
    ["report", "upcoming", "--within", "N", "--owner", "EMAIL", "--format", "json"],
    ["calendar", "--owner", "EMAIL", "--agency", "AGENCY", "--as-of", "DATE"],
    ["purge", "--closed-before", "DATE", "--dry-run"],
    ["purge", "--closed-before", "DATE"],
    ["import", "CSV"],
    ["--config", "CONFIG", "remind", "--dry-run"],
]
IMPORT_HEADER = "type;interimaire;debut;fin;heures_formation;responsable;reference;heures_bilan\n"


@settings(max_examples=100, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_every_command_answers_hostile_values_with_exit_0_or_2_and_no_traceback(
        network: Dossiers, tmp_path: Path, data: st.DataObject) -> None:
    if "CDPI-1" not in network.ok("list", "--all"):
        network.ok("open", "--kind", "cdpi", "--worker", "Karim B.", "--start", "2027-01-11",
                   "--end", "2027-02-19", "--training-hours", "210", "--owner", "lea@example.fr",
                   "--reference", "CDPI-1")
    template = data.draw(st.sampled_from(COMMANDS), label="command")
    slots = [i for i, word in enumerate(template) if word in VALID]
    # One or two hostile values, the others valid: each value gets its chance to go deep.
    bad = data.draw(st.sets(st.sampled_from(slots), min_size=1, max_size=2), label="hostile slots") \
        if slots else set()
    args = []
    for index, word in enumerate(template):
        if word in VALID:
            args.append(data.draw(hostile, label=word) if index in bad else VALID[word])
        elif word in ("CSV", "CONFIG"):
            values = data.draw(st.lists(st.one_of(hostile, st.sampled_from(list(VALID.values()))),
                                        min_size=8, max_size=8), label=word)
            path = tmp_path / ("import.csv" if word == "CSV" else "config.toml")
            if word == "CSV":
                path.write_text(IMPORT_HEADER + ";".join(v.replace(";", ",") for v in values)
                                + "\n", encoding="utf-8", errors="surrogateescape")
            else:
                path.write_text(f'[smtp]\nport = {values[0]}\nhost = "{values[1]}"\n'
                                f"[reminders]\nlead_days = [{values[2]}]\n",
                                encoding="utf-8", errors="surrogateescape")
            args.append(str(path))
        else:
            args.append(word)
    before = network.dump()
    result = network.run(*args)
    assert result.exit_code in (0, 2), (args, result.output)
    assert "Traceback" not in result.output
    after = network.dump()
    if result.exit_code == 2:
        assert result.stderr.startswith("Erreur : "), (args, result.stderr)
        assert after == before, args
    assert not [cell for name, rows in after if name in ("agencies", "staff", "dossiers")
                for row in rows for cell in row if isinstance(cell, str) and not clean(cell)], args


def clean(text: str) -> bool:
    """What a name, an email or a reference may be once stored."""
    return (0 < len(text) <= 254 and text == text.strip()
            and not any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in text))


# `-o` targets and import headers: what a user's disk and spreadsheet hold.
OUTPUTS = [
    ["report", "overdue", "--format", "csv", "--as-of", "2027-03-01", "-o"],
    ["report", "upcoming", "--format", "json", "-o"],
    ["calendar", "--as-of", "2027-01-02", "-o"],
    ["list", "--format", "csv", "-o"],
]
TARGETS = ["new", "regular", "symlink", "dangling symlink", "fifo", "folder", "missing folder",
           "device", "hostile name"]
HEADER_CELLS = ["type", "interimaire", "debut", "fin", "heures_formation", "responsable",
                "reference", "Début", "DEBUT", " début ", "Type", "", " ", "Цвет", "couleur",
                "heures formation", "heures-formation", "=SUM(A1)", "a\nb", "\u2028", "é" * 300,
                "reference", "doublon", "drf_deposee", "mission_debut"]
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "utf-16"]


_READERS: list[int] = []


def _target(tmp_path: Path, kind: str) -> Path:
    import os

    path = tmp_path / "sortie"
    if kind == "regular":
        path.write_text("ancien")
        path.chmod(0o640)
    elif kind == "symlink":
        (tmp_path / "cible").write_text("cible")
        path.symlink_to(tmp_path / "cible")
    elif kind == "dangling symlink":
        path.symlink_to(tmp_path / "nulle-part")
    elif kind == "fifo":
        os.mkfifo(path)
        # A reader, so that a command writing into the FIFO would not wait forever.
        _READERS.append(os.open(path, os.O_RDONLY | os.O_NONBLOCK))
    elif kind == "folder":
        path.mkdir()
    elif kind == "missing folder":
        path = tmp_path / "absent" / "sortie"
    elif kind == "device":
        path = character_device(tmp_path)
    elif kind == "hostile name":
        path = tmp_path / "-=HYPERLINK(x);\u202e.csv"
    return path


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_o_targets_and_import_headers_answer_with_exit_0_or_2_and_change_nothing_else(
        network: Dossiers, tmp_path_factory: object, data: st.DataObject) -> None:
    import os
    import stat

    tmp_path = tmp_path_factory.mktemp("fuzz")  # type: ignore[attr-defined]
    if data.draw(st.booleans(), label="output (else import)"):
        kind = data.draw(st.sampled_from(TARGETS), label="target")
        path = _target(tmp_path, kind)
        before = os.lstat(path) if os.path.lexists(path) else None
        args = [*data.draw(st.sampled_from(OUTPUTS), label="command"), str(path)]
        try:
            result = network.run(*args)
        finally:
            while _READERS:
                os.close(_READERS.pop())
        assert result.exit_code in (0, 2), (args, result.output)
        assert "Traceback" not in result.output
        if kind in ("symlink", "dangling symlink", "fifo", "folder", "device"):
            assert result.exit_code == 2 and result.stderr.count("\n") == 1, (kind, result.stderr)
            after = os.lstat(path)
            assert before is not None and stat.S_IFMT(after.st_mode) == stat.S_IFMT(before.st_mode)
            if kind == "symlink":
                assert (tmp_path / "cible").read_text() == "cible"
        if kind == "regular" and result.exit_code == 0:
            assert stat.S_IMODE(path.stat().st_mode) == 0o640
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(".dossiers-")]
        return
    headers = data.draw(st.lists(st.sampled_from(HEADER_CELLS), min_size=1, max_size=9),
                        label="headers")
    separator = data.draw(st.sampled_from([";", ",", "\t"]), label="separator")
    encoding = data.draw(st.sampled_from(ENCODINGS), label="encoding")
    row = data.draw(st.lists(st.one_of(hostile, st.sampled_from(list(VALID.values()))),
                             min_size=0, max_size=10), label="row")
    text = "\r\n".join(separator.join(cells) for cells in (headers, row)) + "\r\n"
    path = tmp_path / "import.csv"
    path.write_bytes(text.encode(encoding, errors="replace"))
    options = data.draw(st.sampled_from([[], ["--ignore-unknown-columns"],
                                         ["--encoding", "windows-1252"]]), label="options")
    before = network.dump()
    result = network.run("import", str(path), *options)
    assert result.exit_code in (0, 2), (headers, row, result.output)
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert result.stderr.startswith("Erreur : "), result.stderr
        assert network.dump() == before
