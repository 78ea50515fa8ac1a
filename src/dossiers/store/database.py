"""Engines, transactions and schema upgrades for any SQLAlchemy URL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session

from dossiers.errors import InvalidInput


WRITE_OPTION = "dossiers_write"


class SchemaNotReady(Exception):
    """The database has no schema yet, or an older one: `dossiers init` upgrades it."""


def default_database_path(data_home: str | None, home: Path) -> Path:
    """$XDG_DATA_HOME/dossiers/dossiers.db, else ~/.local/share/dossiers/dossiers.db."""
    base = Path(data_home) if data_home else home / ".local" / "share"
    return base / "dossiers" / "dossiers.db"


def open_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InvalidInput("--db", f"adresse de base de données invalide : « {url} »") from None
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3, not psycopg2
        try:
            return create_engine(parsed)
        except ImportError:
            raise InvalidInput("--db", "PostgreSQL demande le pilote psycopg : pip install "
                               "'dossiers[postgresql]'") from None
    if parsed.get_backend_name() != "sqlite":
        try:
            return create_engine(parsed)
        except (ImportError, ArgumentError) as error:
            raise InvalidInput("--db", f"base non prise en charge ({error})") from None
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, connect_args={"timeout": 30})
    _use_real_sqlite_transactions(engine)
    return engine


def _use_real_sqlite_transactions(engine: Engine) -> None:
    """pysqlite opens transactions late and never for DDL; let SQLAlchemy emit BEGIN itself,
    so that every command, migrations included, is one transaction."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        # Readers do not wait for a writer, and a writer does not wait for readers.
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):  # type: ignore[no-untyped-def]
        # A writing transaction takes the write lock at once (BEGIN IMMEDIATE): two
        # concurrent commands then queue up instead of failing on a lock upgrade.
        write = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("dossiers") / "migrations"))
    return config


def upgrade(engine: Engine, target: str = "head") -> tuple[str | None, str | None]:
    """Bring the schema to a migration (the newest by default), in one transaction;
    returns (revision before, revision after)."""
    return _migrate(engine, command.upgrade, target)


def downgrade(engine: Engine, target: str) -> tuple[str | None, str | None]:
    return _migrate(engine, command.downgrade, target)


def _migrate(engine: Engine, action: Callable[[Config, str], None],
             target: str) -> tuple[str | None, str | None]:
    config = _alembic_config()
    with engine.execution_options(**{WRITE_OPTION: True}).connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite rebuilds a table to alter it; foreign keys must be off while the old
            # one is dropped (they can only be switched outside a transaction), and are
            # checked before the commit.
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys = OFF")  # type: ignore[union-attr]
        try:
            with connection.begin():
                before = MigrationContext.configure(connection).get_current_revision()
                config.attributes["connection"] = connection
                action(config, target)
                if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
                    raise RuntimeError("foreign key check failed after the migration")
                after = MigrationContext.configure(connection).get_current_revision()
        finally:
            if sqlite:
                connection.connection.dbapi_connection.execute("PRAGMA foreign_keys = ON")  # type: ignore[union-attr]
    return before, after


def head_revision() -> str:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def ensure_current(engine: Engine) -> None:
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current != head_revision():
        raise SchemaNotReady


@contextmanager
def transaction(engine: Engine, write: bool = True) -> Iterator[Session]:
    """One command, one transaction: committed when the block ends, rolled back on error.

    `write=False` for commands that only read: on SQLite they do not take the write lock.
    """
    bind = engine.execution_options(**{WRITE_OPTION: write})
    with Session(bind, expire_on_commit=False) as session, session.begin():
        yield session
