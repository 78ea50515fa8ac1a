from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from dossiers.cli import cli


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may touch the user's own database or configuration."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("DOSSIERS_DB", raising=False)


@dataclass
class Dossiers:
    """The `dossiers` command on a real SQLite file."""

    db_path: Path

    @property
    def url(self) -> str:
        return f"sqlite:///{self.db_path}"

    def run(self, *args: str) -> Result:
        return CliRunner().invoke(cli, ["--db", self.url, *args], catch_exceptions=False)

    def ok(self, *args: str) -> str:
        result = self.run(*args)
        assert result.exit_code == 0, result.output + result.stderr
        return result.stdout

    def dump(self) -> list[str]:
        with sqlite3.connect(self.db_path) as connection:
            return list(connection.iterdump())


@pytest.fixture
def dossiers(tmp_path: Path) -> Dossiers:
    tool = Dossiers(tmp_path / "dossiers.db")
    tool.ok("init")
    return tool


@pytest.fixture
def network(dossiers: Dossiers) -> Dossiers:
    """Two agencies, one in Alsace-Moselle, with a chargée and a manager each."""
    dossiers.ok("agency", "add", "Lyon", "--zone", "metropole", "--headcount", "30", "--prism")
    dossiers.ok("agency", "add", "Metz", "--zone", "alsace-moselle", "--headcount", "12")
    dossiers.ok("staff", "add", "Léa Martin", "--email", "lea@example.fr", "--agency", "Lyon")
    dossiers.ok("staff", "add", "Sophie Garnier", "--email", "sophie@example.fr",
                "--role", "manager", "--agency", "Lyon")
    dossiers.ok("staff", "add", "Julien Weber", "--email", "julien@example.fr", "--agency", "Metz")
    return dossiers


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A real SMTP server on loopback; the environment points `dossiers remind` at it."""
    from tests.smtp_server import SmtpServer

    server = SmtpServer()
    server.start()
    for name, value in server.env().items():
        monkeypatch.setenv(name, value)
    yield server
    server.stop()
