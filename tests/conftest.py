from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from dossiers.cli import cli
from dossiers.store.models import Base

TEST_DB = os.environ.get("DOSSIERS_TEST_DB")
"""A PostgreSQL server URL: the suite then runs on a fresh database of it per test."""


def pytest_report_header() -> str:
    if TEST_DB:
        return f"dossiers: PostgreSQL ({make_url(TEST_DB).render_as_string(hide_password=True)})"
    return "dossiers: SQLite (DOSSIERS_TEST_DB=postgresql://… for PostgreSQL)"


def _admin_url() -> str:
    url = make_url(TEST_DB or "")
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A new, empty database: a SQLite file, or a PostgreSQL database when DOSSIERS_TEST_DB
    names a server."""
    if not TEST_DB:
        yield f"sqlite:///{tmp_path / 'dossiers.db'}"
        return
    name = f"dossiers_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(_admin_url()).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may touch the user's own database or configuration."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.delenv("DOSSIERS_DB", raising=False)
    # The width of a terminal of unknown size, whatever terminal runs the tests.
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.delenv("NO_COLOR", raising=False)
    # The day stored schedules are written for, which a command run in this process sets
    # from the clock: each test starts without it (store.steps.write_for).
    from dossiers.store import steps

    monkeypatch.setattr(steps, "_written_for", None)


@dataclass
class Dossiers:
    """The `dossiers` command on a real database (SQLite file, or PostgreSQL)."""

    url: str

    @classmethod
    def sqlite(cls, path: Path) -> Dossiers:
        return cls(f"sqlite:///{path}")

    def run(self, *args: str) -> Result:
        return CliRunner().invoke(cli, ["--db", self.url, *args], catch_exceptions=False)

    def ok(self, *args: str) -> str:
        result = self.run(*args)
        assert result.exit_code == 0, result.output + result.stderr
        return result.stdout

    def dump(self) -> list[tuple[str, list[tuple[object, ...]]]]:
        """Every row of every table, to check that a refused command wrote nothing."""
        engine = create_engine(_driver(self.url))
        try:
            with engine.connect() as connection:
                names = set(inspect(connection).get_table_names())
                tables = [t for t in Base.metadata.sorted_tables if t.name in names]
                return [(t.name, [tuple(row) for row in connection.execute(
                    select(t).order_by(*t.primary_key.columns))]) for t in tables]
        finally:
            engine.dispose()


def _driver(url: str) -> str:
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


@pytest.fixture
def dossiers(database_url: str) -> Dossiers:
    tool = Dossiers(database_url)
    tool.ok("init")
    return tool


@pytest.fixture
def db_engine(dossiers: Dossiers) -> Iterator[Engine]:
    """An engine on the test database, for calling services directly."""
    from dossiers.store.database import open_engine

    engine = open_engine(dossiers.url)
    yield engine
    engine.dispose()


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


def character_device(folder: Path) -> Path:
    """A character device to give as an output file. As root, a null device made in `folder`:
    a command that wrongly replaced it would replace a copy, never the machine's /dev/null. As
    anyone else, /dev/null itself, which they cannot replace (/dev is not theirs)."""
    import stat

    if os.geteuid() != 0:
        return Path("/dev/null")
    device = folder / "null"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    return device


def pty_output(leader: int) -> str:
    """Everything written to a pseudo-terminal, read from its leader side once the program has
    ended and the follower side is closed (Linux then answers EIO: the end)."""
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode("utf-8")
