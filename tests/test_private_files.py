"""Personal data on disk is readable by its owner only, whatever the umask: the database and
its -wal/-shm files 0600 in a data folder 0700, outbox .eml files 0600, reports written with
-o 0600."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from dossiers.mail.transports import FileTransport
from tests.conftest import Dossiers


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The loosest umask: files would be 0666 and folders 0777 if we did not care."""
    previous = os.umask(0)
    yield
    os.umask(previous)


def test_the_database_its_wal_and_shm_and_its_folder_are_private(open_umask: None,
                                                                 tmp_path: Path) -> None:
    folder = tmp_path / "data" / "dossiers"
    tool = Dossiers.sqlite(folder / "dossiers.db")
    tool.ok("init")
    tool.ok("agency", "add", "Lyon")
    assert mode(folder) == 0o700
    files = sorted(p.name for p in folder.iterdir())
    assert "dossiers.db" in files
    assert {p.name: mode(p) for p in folder.iterdir()} == {name: 0o600 for name in files}


def test_wal_and_shm_files_are_private_while_a_command_holds_them(open_umask: None,
                                                                  tmp_path: Path) -> None:
    from sqlalchemy import text

    from dossiers.store.database import open_engine

    tool = Dossiers.sqlite(tmp_path / "d" / "dossiers.db")
    tool.ok("init")
    engine = open_engine(tool.url)
    try:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO reminder_runs VALUES ('2027-01-01', "
                                    "'2027-01-01 00:00:00')"))
            side_files = [tmp_path / "d" / f"dossiers.db{suffix}" for suffix in ("-wal", "-shm")]
            assert all(path.exists() for path in side_files)
            assert [mode(path) for path in side_files] == [0o600, 0o600]
    finally:
        engine.dispose()


def test_the_default_data_folder_is_created_private(open_umask: None, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from dossiers.cli import cli

    result = CliRunner().invoke(cli, ["init"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    folder = tmp_path / "xdg" / "dossiers"
    assert mode(folder) == 0o700
    assert mode(folder / "dossiers.db") == 0o600


def test_outbox_eml_files_and_their_folder_are_private(open_umask: None, tmp_path: Path) -> None:
    outbox = tmp_path / "mails"
    content = ("From: a@example.fr\r\nTo: b@example.fr\r\nSubject: x\r\n"
               "Date: Mon, 23 Nov 2026 08:00:00 +0100\r\nMessage-ID: <1@example.fr>\r\n\r\nbody\r\n")
    FileTransport(outbox).send(content, "b@example.fr")
    assert mode(outbox) == 0o700
    assert [mode(p) for p in outbox.iterdir()] == [0o600]


@pytest.mark.parametrize("output_format", ["csv", "json", "html", "table"])
def test_a_report_written_with_o_is_private(open_umask: None, network: Dossiers, tmp_path: Path,
                                            output_format: str) -> None:
    target = tmp_path / f"rapport.{output_format}"
    network.ok("report", "overdue", "--format", output_format, "-o", str(target))
    assert mode(target) == 0o600


def test_an_existing_report_file_keeps_the_permissions_its_owner_chose(
        network: Dossiers, tmp_path: Path) -> None:
    target = tmp_path / "partage.csv"
    target.write_text("ancien")
    target.chmod(0o640)
    network.ok("report", "overdue", "--format", "csv", "-o", str(target))
    assert mode(target) == 0o640
    assert not target.read_bytes().startswith(b"ancien")


def test_a_database_folder_that_cannot_be_created_is_one_line_not_a_traceback(
        tmp_path: Path) -> None:
    blocker = tmp_path / "fichier"
    blocker.write_text("")
    result = Dossiers.sqlite(blocker / "sous-dossier" / "dossiers.db").run("init")
    assert result.exit_code == 1
    assert result.stderr.startswith("Erreur : base de données inaccessible")
    assert result.stderr.count("\n") == 1
