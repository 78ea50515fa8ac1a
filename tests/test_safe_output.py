"""What the commands write, they write safely: `-o` never follows a symbolic link nor replaces
anything but a regular file, writes beside the file and renames it (a failure keeps the old
file), and an existing file keeps its mode; a closed or full standard output is one French
line and exit code 1; a database password never shows in a message."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Dossiers, character_device

OPEN = ["open", "--kind", "cdpi", "--worker", "Karim B.", "--start", "2027-01-11", "--end",
        "2027-02-19", "--training-hours", "210", "--owner", "lea@example.fr", "--reference",
        "CDPI-1"]
WRITERS = [
    ["report", "overdue", "--format", "csv", "--as-of", "2027-03-01"],
    ["report", "upcoming", "--format", "html"],
    ["calendar", "--as-of", "2027-01-02"],
    ["list", "--format", "csv"],
]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".dossiers-"))


@pytest.mark.parametrize("command", WRITERS, ids=lambda c: " ".join(c[:2]))
def test_o_refuses_a_symbolic_link_and_leaves_its_target_alone(
        network: Dossiers, tmp_path: Path, command: list[str]) -> None:
    target = tmp_path / "cible.txt"
    target.write_text("à garder")
    target.chmod(0o644)
    link = tmp_path / "rapport"
    link.symlink_to(target)
    result = network.run(*command, "-o", str(link))
    assert result.exit_code == 2
    assert result.stderr == (f"Erreur : -o : « {link} » est un lien symbolique : refusé, seul un "
                             "fichier ordinaire est remplacé (indiquez un autre nom de fichier)\n")
    assert link.is_symlink() and target.read_text() == "à garder" and mode(target) == 0o644
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("command", WRITERS, ids=lambda c: " ".join(c[:2]))
def test_o_refuses_a_fifo_and_a_folder(network: Dossiers, tmp_path: Path,
                                       command: list[str]) -> None:
    fifo = tmp_path / "tube"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a writer would not wait for one
    try:
        result = network.run(*command, "-o", str(fifo))
        assert os.read(reader, 100) == b""
    finally:
        os.close(reader)
    assert result.exit_code == 2
    assert result.stderr == (f"Erreur : -o : « {fifo} » est un tube nommé (FIFO) : refusé, seul "
                             "un fichier ordinaire est remplacé (indiquez un autre nom de "
                             "fichier)\n")
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    folder = tmp_path / "dossier"
    folder.mkdir()
    result = network.run(*command, "-o", str(folder))
    assert result.exit_code == 2 and "« " + str(folder) + " » est un dossier" in result.stderr
    assert leftovers(tmp_path) == []


def test_o_refuses_a_device(network: Dossiers, tmp_path: Path) -> None:
    device = character_device(tmp_path)
    result = network.run("calendar", "-o", str(device))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Erreur : -o : « {device} » est un périphérique : refusé")
    assert stat.S_ISCHR(device.lstat().st_mode)


def test_a_report_that_fails_half_way_keeps_the_old_file(
        network: Dossiers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dossiers.errors import InvalidInput
    from dossiers.reports import formats

    network.ok(*OPEN)
    target = tmp_path / "retards.csv"
    target.write_text("le rapport d'hier\n")
    real = formats.csv_chunks

    def failing(report, rows):  # type: ignore[no-untyped-def]
        chunks = real(report, rows)
        yield next(chunks)
        raise InvalidInput("rapport", "échec simulé")

    monkeypatch.setattr(formats, "csv_chunks", failing)
    result = network.run("report", "overdue", "--format", "csv", "--as-of", "2027-03-01",
                         "-o", str(target))
    assert result.exit_code == 2
    assert target.read_text() == "le rapport d'hier\n"
    assert leftovers(tmp_path) == []


def test_a_published_calendar_keeps_its_mode_and_a_new_one_is_private(
        network: Dossiers, tmp_path: Path) -> None:
    network.ok(*OPEN)
    published = tmp_path / "publie.ics"
    published.write_text("ancien")
    published.chmod(0o644)
    network.ok("calendar", "-o", str(published), "--as-of", "2027-01-02")
    assert mode(published) == 0o644 and published.read_text().startswith("BEGIN:VCALENDAR")
    fresh = tmp_path / "nouveau.ics"
    previous = os.umask(0)
    try:
        network.ok("calendar", "-o", str(fresh), "--as-of", "2027-01-02")
    finally:
        os.umask(previous)
    assert mode(fresh) == 0o600
    assert leftovers(tmp_path) == []


def run_program(url: str, *args: str, stdout: int | object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "dossiers", "--db", url, *args], stdout=stdout,
                          stderr=subprocess.PIPE, timeout=120, check=False)


FULL = ("Erreur : sortie standard : écriture impossible (plus de place sur le disque) ; sortie "
        "incomplète\n")


@pytest.mark.parametrize("args", [
    ["report", "overdue", "--as-of", "2027-03-01"],
    ["report", "overdue", "--format", "csv", "--as-of", "2027-03-01"],
    ["list", "--json"],
    ["list"],
    ["--help"],
])
def test_a_full_standard_output_is_one_french_line_and_exit_1(network: Dossiers,
                                                              args: list[str]) -> None:
    network.ok(*OPEN)
    with open("/dev/full", "wb") as full:
        result = run_program(network.url, *args, stdout=full)
    assert result.returncode == 1
    assert result.stderr.decode() == FULL


def test_a_long_output_into_a_closed_pipe_is_one_french_line_and_exit_1(
        dossiers: Dossiers) -> None:
    dossiers.ok("sample", "--as-of", "2026-11-23")
    read, write = os.pipe()
    os.close(read)
    try:
        result = run_program(dossiers.url, "list", "--json", stdout=write)
    finally:
        os.close(write)
    assert result.returncode == 1
    assert result.stderr.decode() == ("Erreur : sortie standard : écriture impossible (tube "
                                      "refermé par le programme qui lisait) ; sortie incomplète\n")


@pytest.mark.parametrize("url", [
    "postgresql//u:S3CRET@host/db",
    "postgresql://u:S3CRET@host:port/db",
    "postgresql://u:S3CRET@[::1/db",
    "postgresql+nosuchdriver://u:S3CRET@host/db",
    "sqlite:///{folder}/x.db?timeout=S3CRET",
    "mysql://u:S3CRET@host/db",
])
def test_a_malformed_database_url_is_one_french_line_without_its_password(
        url: str, tmp_path: Path) -> None:
    (tmp_path / "x.db").touch()  # the file exists: only its URL's option is wrong
    result = Dossiers(url.format(folder=tmp_path)).run("list")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Erreur : --db : ")
    assert result.stderr.count("\n") == 1
    assert "S3CRET" not in result.output


def test_an_unreachable_database_never_shows_its_password() -> None:
    result = Dossiers("postgresql://u:S3CRET@127.0.0.1:1/db").run("list")
    assert result.exit_code == 1
    assert result.stderr.startswith("Erreur : base de données inaccessible")
    assert "S3CRET" not in result.output
