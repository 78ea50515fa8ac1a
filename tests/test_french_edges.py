"""French to the last word: click's usage line, a mistyped code, dates in hints, a dry run
announced first, late calendar events, `list --json` in the table's order."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dossiers.cli import cli
from tests.conftest import Dossiers
from tests.test_calendar import events_of, open_dossier

CDPI = ["open", "--kind", "cdpi", "--worker", "Karim B.", "--start", "2027-01-11",
        "--end", "2027-02-19", "--training-hours", "210", "--owner", "lea@example.fr"]


def test_the_usage_line_is_french_for_the_program_and_its_groups() -> None:
    for path in ([], ["agency"], ["staff"], ["report"], ["outbox"]):
        first = CliRunner().invoke(cli, [*path, "--help"]).output.split("\n")[0]
        assert first == " ".join(["Utilisation : dossiers", *path,
                                  "[OPTIONS] COMMANDE [ARGUMENTS]..."])
    first = CliRunner().invoke(cli, ["record", "--help"]).output.split("\n")[0]
    assert first == "Utilisation : dossiers record [OPTIONS] ID ÉVÉNEMENT"


def test_a_mistyped_code_is_refused_with_the_nearest_one(network: Dossiers) -> None:
    network.ok(*CDPI, "--reference", "CDPI-1")
    before = network.dump()
    result = network.run("record", "CDPI-1", "drf-acord", "--on", "2026-12-01")
    assert result.exit_code == 2
    assert result.stderr == (
        "Erreur : ÉVÉNEMENT : valeur inconnue « drf-acord » ; vouliez-vous dire « drf-accord » ? "
        "(valeurs possibles : drf-submitted, drf-accord, drf-refusal, contract-submitted, "
        "funding-granted, attendance-submitted, positioning-done, car-request-submitted, close, "
        "abandon)\n")
    assert network.dump() == before
    far = network.run("list", "--sort", "zzz")
    assert far.exit_code == 2 and "vouliez-vous dire" not in far.stderr
    near = network.run("list", "--sort", "agency")
    assert "vouliez-vous dire « agence » ?" in near.stderr


def test_the_hint_of_a_second_mission_gives_its_date_as_typed_in_french(
        network: Dossiers) -> None:
    network.ok(*CDPI, "--reference", "CDPI-1")
    mission = ["mission", "CDPI-1", "--start", "2027-03-01", "--end", "2027-03-19",
               "--hours", "98"]
    network.ok(*mission)
    result = network.run(*mission)
    assert result.exit_code == 2
    assert "pour la corriger : dossiers cancel CDPI-1 mission --on 01/03/2027," in result.stderr
    assert "2027-03-01" not in result.stderr


def test_a_late_akto_answer_is_late_in_the_calendar_title(network: Dossiers) -> None:
    """R-DRF-ANSWER: AKTO has not answered the DRF of 01/12/2026 within its time."""
    open_dossier(network, "CDPI-1", "lea@example.fr")
    open_dossier(network, "CDPI-2", "lea@example.fr", start="2027-01-18", end="2027-02-26")
    network.ok("record", "CDPI-1", "drf-submitted", "--on", "2026-12-01")
    as_of = "2027-01-20"
    steps = {s["code"]: s["status"] for s in json.loads(
        network.ok("show", "CDPI-1", "--json", "--as-of", as_of))["steps"]}
    assert steps["akto_response"] == "akto_late"
    events = events_of(network.ok("calendar", "--as-of", as_of))
    assert events["CDPI-1/akto_response@dossiers.invalid"]["summary"] == (
        "CDPI-1 : Réponse AKTO — en retard")
    assert events["CDPI-2/drf@dossiers.invalid"]["summary"] == "CDPI-2 : DRF — en retard"


def test_list_json_comes_in_the_order_of_sort(network: Dossiers) -> None:
    network.ok("staff", "add", "Bruno Zed", "--email", "bruno@example.fr", "--agency", "Lyon")
    for reference, worker, owner, start, end in (
            ("A-3", "Zoé", "lea@example.fr", "2027-01-11", "2027-02-19"),
            ("A-1", "Yann", "bruno@example.fr", "2027-03-08", "2027-04-16"),
            ("A-2", "Xavier", "julien@example.fr", "2027-02-08", "2027-03-19")):
        network.ok("open", "--kind", "cdpi", "--worker", worker, "--start", start, "--end", end,
                   "--training-hours", "210", "--owner", owner, "--reference", reference)

    def order(*sort: str) -> list[str]:
        return [d["reference"] for d in json.loads(
            network.ok("list", "--json", "--as-of", "2026-12-01", *sort))]

    def table(*sort: str) -> list[str]:
        csv = network.ok("list", "--format", "csv", "--as-of", "2026-12-01", *sort)
        return [line.split(";")[0] for line in csv.strip().splitlines()[1:]]

    assert order() == table() == ["A-3", "A-2", "A-1"]  # the next due date first
    assert order("--sort", "reference") == ["A-1", "A-2", "A-3"]
    assert order("--sort", "interimaire") == table("--sort", "interimaire") == [
        "A-2", "A-1", "A-3"]
    assert order("--sort", "responsable") == ["A-1", "A-2", "A-3"]
    assert order("--sort", "agence") == table("--sort", "agence")


def test_no_command_but_init_creates_a_database(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for url, path in (("sqlite:///typo.db", tmp_path / "typo.db"),
                      ("sqlite:///missing/folder/x.db", tmp_path / "missing" / "folder" / "x.db")):
        for args in (["list"], ["show", "X-1"], ["remind", "--dry-run"], ["sample"],
                     ["agency", "add", "Lyon"], ["report", "overdue"]):
            result = CliRunner().invoke(cli, ["--db", url, *args])
            assert result.exit_code == 2, (args, result.output)
            assert result.stderr.startswith(
                f"Erreur : base de données : fichier introuvable {path}"), result.stderr
            assert "lancez « dossiers init »" in result.stderr
        assert list(tmp_path.iterdir()) == [], url
    assert CliRunner().invoke(cli, ["--db", "sqlite:///missing/folder/x.db", "list"]).stderr == (
        f"Erreur : base de données : fichier introuvable {tmp_path}/missing/folder/x.db (le "
        f"dossier {tmp_path}/missing/folder n'existe pas non plus) ; pour la créer, lancez "
        "« dossiers init » avec la même adresse (--db ou DOSSIERS_DB)\n")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    home = CliRunner().invoke(cli, ["--db", "sqlite:///~/x.db", "list"])
    assert home.exit_code == 2
    assert f"fichier introuvable {tmp_path}/home/x.db (le dossier {tmp_path}/home " in home.stderr
    created = CliRunner().invoke(cli, ["--db", "sqlite:///typo.db", "init"])
    assert created.exit_code == 0
    assert created.output.endswith(f" : {tmp_path / 'typo.db'}.\n")
    assert CliRunner().invoke(cli, ["--db", "sqlite:///typo.db", "list"]).output == (
        "Aucun dossier.\n")


def test_reading_commands_work_in_a_folder_we_cannot_write(
        network: Dossiers, monkeypatch) -> None:
    """SQLite in WAL mode must create its -shm file beside the database to read it: with the
    folder read-only the file is opened immutable (no one can write it there either)."""
    if not network.url.startswith("sqlite:///"):
        pytest.skip("a SQLite file")
    network.ok(*CDPI, "--reference", "CDPI-1")
    database = Path(network.url.removeprefix("sqlite:///"))
    folder = database.parent
    before = network.dump()
    writable = os.access

    def access(path, mode, **kwargs):  # type: ignore[no-untyped-def]
        # Root writes anywhere: the folder is said read-only as a user would find it.
        if Path(path) == folder and mode & os.W_OK:
            return False
        return writable(path, mode, **kwargs)

    monkeypatch.setattr(os, "access", access)
    folder.chmod(0o555)
    try:
        assert "CDPI-1" in network.ok("list")
        assert "CDPI-1" in network.ok("show", "CDPI-1")
        assert "CDPI-1" in network.ok("report", "upcoming", "--within", "60")
        assert network.ok("explain", "CDPI-1")
        assert network.ok("staff", "list")
        refused = network.run("record", "CDPI-1", "drf-submitted", "--on", "2026-12-01")
        assert refused.exit_code == 1
        assert refused.stderr == (
            f"Erreur : base de données en lecture seule : le dossier {folder} n'est pas "
            "modifiable (SQLite y écrit ses fichiers -wal et -shm) ; seules les commandes qui "
            "lisent fonctionnent, rien n'a été modifié\n")
        assert sorted(p.name for p in folder.iterdir()) == [database.name]
    finally:
        folder.chmod(0o755)
    assert network.dump() == before


def _in_a_read_only_folder(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`dossiers ARGS` while `folder` cannot be written: chmod 555 for a user; for root, who
    writes anywhere, a read-only bind mount of it in a mount namespace of its own."""
    command = [sys.executable, "-m", "dossiers", *args]
    env = {**os.environ, "COLUMNS": "200"}
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120,
                                  check=False)
        finally:
            folder.chmod(0o755)
    if shutil.which("unshare") is None:
        pytest.skip("root without unshare: no read-only folder to try")
    mount = (f'mount --bind "{folder}" "{folder}" && mount -o remount,bind,ro "{folder}" '
             '|| exit 99; exec "$@"')
    result = subprocess.run(["unshare", "-m", "sh", "-c", mount, "sh", *command],
                            capture_output=True, text=True, env=env, timeout=120, check=False)
    if result.returncode == 99 or result.stderr.startswith("unshare:"):
        pytest.skip(f"no read-only bind mount here: {result.stderr.strip()}")
    return result


def test_sqlite_really_reads_a_wal_database_in_a_read_only_folder(
        network: Dossiers, tmp_path: Path) -> None:
    if not network.url.startswith("sqlite:///"):
        pytest.skip("a SQLite file")
    network.ok(*CDPI, "--reference", "CDPI-1")
    database = Path(network.url.removeprefix("sqlite:///"))
    args = ["--db", network.url]
    listed = _in_a_read_only_folder(database.parent, *args, "list", "--as-of", "2026-12-01")
    assert listed.returncode == 0, listed.stderr
    assert "CDPI-1" in listed.stdout
    shown = _in_a_read_only_folder(database.parent, *args, "show", "CDPI-1")
    assert shown.returncode == 0 and "Dossier CDPI-1" in shown.stdout, shown.stderr
    refused = _in_a_read_only_folder(database.parent, *args, "record", "CDPI-1", "close",
                                     "--on", "2026-12-01")
    assert refused.returncode == 1
    assert refused.stderr.startswith("Erreur : base de données en lecture seule : le dossier ")
