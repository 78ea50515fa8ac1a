"""Engines, transactions and schema upgrades for any SQLAlchemy URL."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import re
from functools import cache
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session

from dossiers.errors import InvalidInput
from dossiers.private_files import private_file, private_folder
from dossiers.store import steps

if TYPE_CHECKING:
    from alembic.config import Config


WRITE_OPTION = "dossiers_write"
READ_ONLY_FOLDER = "dossiers_read_only_folder"
"""Set on an engine opened read-only: the SQLite file's folder, which we cannot write."""
BUSY_TIMEOUT_SECONDS = 60
"""SQLite: how long a command waits for another one's write lock before it gives up (README)."""


def writing(session: Session) -> bool:
    """Whether the session is a command's write transaction (`transaction(write=True)`):
    its writes to a dossier lock the dossier's row first (`lock_dossiers`)."""
    return bool(session.info.get(WRITE_OPTION, False))


class SchemaNotReady(Exception):
    """The database has no schema yet, or an older one: `dossiers init` upgrades it."""


class SchemaTooNew(InvalidInput):
    """The database was written by a newer version of dossiers: no command may touch it."""

    def __init__(self, found: str, known: str) -> None:
        super().__init__("base de données", f"schéma {found} écrit par une version plus récente "
                         f"de dossiers ; cette version connaît jusqu'au schéma {known} : mettez "
                         "dossiers à jour (rien n'a été modifié)")
        self.found = found
        self.known = known


class DatabaseMissing(InvalidInput):
    """A SQLite file that does not exist: only `dossiers init` creates one."""

    def __init__(self, path: Path) -> None:
        folder = "" if path.parent.is_dir() else f" (le dossier {path.parent} n'existe pas non plus)"
        super().__init__("base de données", f"fichier introuvable {path}{folder} ; pour la créer, "
                         "lancez « dossiers init » avec la même adresse (--db ou DOSSIERS_DB)")
        self.path = path


def default_database_path(data_home: str | None, home: Path) -> Path:
    """$XDG_DATA_HOME/dossiers/dossiers.db, else ~/.local/share/dossiers/dossiers.db."""
    base = Path(data_home) if data_home else home / ".local" / "share"
    return base / "dossiers" / "dossiers.db"


def sqlite_file(url: str) -> Path | None:
    """The absolute path of a SQLite database file, or None (another database, memory, a URI)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or not parsed.database or \
            parsed.database == ":memory:" or parsed.database.startswith("file:"):
        return None
    return Path(parsed.database).expanduser().absolute()


def masked_url(url: str) -> str:
    """The URL as a message may show it: the password between « : » and « @ » hidden, even
    in a URL too malformed to parse (« postgresql//u:S3CRET@host/db »)."""
    head, at, tail = url.rpartition("@")
    if not at:
        return url
    scheme = head.find("//")
    start = scheme + 2 if scheme >= 0 else 0
    user, colon, _password = head[start:].partition(":")
    return f"{head[:start]}{user}{':***' if colon else ''}@{tail}"


def url_password(url: str) -> str | None:
    """The password a URL carries, parsed or not, so that no message ever shows it."""
    head, at, _tail = url.rpartition("@")
    if not at:
        return None
    scheme = head.find("//")
    _user, colon, password = head[scheme + 2 if scheme >= 0 else 0:].partition(":")
    return password if colon and password else None


def open_engine(url: str, create: bool = True) -> Engine:
    """An engine on `url`. A SQLite file that does not exist is created (0600, in a folder
    created 0700) only with `create`; else it is refused, naming its absolute path. A SQLite
    file in a folder we cannot write, which no one has open in WAL mode (no -wal file), is
    opened read-only and immutable: SQLite could not create the -shm file a WAL reader needs,
    and no writer can change the file without creating its -wal file there."""
    try:
        parsed = make_url(url)
        parsed.port  # noqa: B018 -- a port that is not a number is refused here, not later
    except (ArgumentError, ValueError, TypeError):
        raise InvalidInput("--db", f"adresse de base de données invalide : « {masked_url(url)} » "
                           "(exemples : sqlite:///chemin/dossiers.db, "
                           "postgresql://utilisateur:motdepasse@hôte:5432/base)") from None
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3, not psycopg2
        try:
            return create_engine(parsed)
        except ImportError:
            raise InvalidInput("--db", "PostgreSQL demande le pilote psycopg : pip install "
                               "'dossiers[postgresql]'") from None
        except (ArgumentError, ValueError, TypeError):
            raise InvalidInput("--db", f"option invalide dans l'adresse « {masked_url(url)} »") \
                from None
    if parsed.get_backend_name() != "sqlite":
        try:
            return create_engine(parsed)
        except (ImportError, ArgumentError, ValueError, TypeError):
            raise InvalidInput("--db", "base non prise en charge : "
                               f"« {parsed.get_backend_name()} » (sqlite ou postgresql)") from None
    path = sqlite_file(url)
    read_only = False
    if path is not None:
        if not path.exists() and not create:
            raise DatabaseMissing(path)
        # Personal data: the folder 0700 and the file 0600 when we create them; SQLite gives
        # the -wal and -shm files the database file's permissions.
        try:
            private_folder(path.parent)
            private_file(path)
        except OSError:
            pass  # SQLite says why it cannot open the file, in the usual one line
        read_only = (path.exists() and not os.access(path.parent, os.W_OK)
                     and not path.with_name(path.name + "-wal").exists())
        # SQLite opens the very file checked here (« ~ » expanded, made absolute).
        parsed = parsed.set(database=str(path))
        if read_only:
            parsed = parsed.set(database=f"file:{path}", query={
                "mode": "ro", "immutable": "1", "uri": "true"})
    try:
        engine = create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_SECONDS})
    except (ArgumentError, ValueError, TypeError):
        raise InvalidInput("--db", f"option invalide dans l'adresse « {masked_url(url)} »") \
            from None
    _use_real_sqlite_transactions(engine, wal=not read_only)
    if read_only:
        assert path is not None
        engine.update_execution_options(**{READ_ONLY_FOLDER: str(path.parent)})
    return engine


def read_only_folder(engine: Engine) -> str | None:
    """The folder of a SQLite file opened read-only (see `open_engine`), else None."""
    return engine.get_execution_options().get(READ_ONLY_FOLDER)


def _use_real_sqlite_transactions(engine: Engine, wal: bool = True) -> None:
    """pysqlite opens transactions late and never for DDL; let SQLAlchemy emit BEGIN itself,
    so that every command, migrations included, is one transaction."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        if wal:
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
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("dossiers") / "migrations"))
    return config


def upgrade(engine: Engine, target: str = "head") -> tuple[str | None, str | None]:
    """Bring the schema to a migration (the newest by default), in one transaction;
    returns (revision before, revision after)."""
    from alembic import command

    return _migrate(engine, command.upgrade, target)


def downgrade(engine: Engine, target: str) -> tuple[str | None, str | None]:
    from alembic import command

    return _migrate(engine, command.downgrade, target)


def _migrate(engine: Engine, action: Callable[[Config, str], None],
             target: str) -> tuple[str | None, str | None]:
    from alembic.runtime.migration import MigrationContext

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
                _refuse_unknown(before)
                config.attributes["connection"] = connection
                action(config, target)
                if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
                    raise RuntimeError("foreign key check failed after the migration")
                after = MigrationContext.configure(connection).get_current_revision()
                if after == head_revision():
                    # Fill the stored timelines the upgrade created or made stale; only at the
                    # head, whose schema is the models' (an older one may lack their columns).
                    with Session(connection) as session:
                        steps.refresh(session, steps.stale_ids(session))
                        session.flush()
        finally:
            if sqlite:
                connection.connection.dbapi_connection.execute("PRAGMA foreign_keys = ON")  # type: ignore[union-attr]
    return before, after


REVISION = re.compile(r"^revision(?:: str)? = ['\"]([^'\"]+)['\"]", re.MULTILINE)
DOWN_REVISION = re.compile(
    r"^down_revision(?:: [^=]+)? = (?:['\"]([^'\"]+)['\"]|None)", re.MULTILINE)


@cache
def known_revisions() -> tuple[frozenset[str], str]:
    """Every migration and the newest one, read from the migration files without importing
    Alembic (the start-up of every command pays for this check)."""
    revisions, revised = set(), set()
    folder = resources.files("dossiers") / "migrations" / "versions"
    for item in folder.iterdir():
        if not item.name.endswith(".py"):
            continue
        text = item.read_text(encoding="utf-8")
        found, down = REVISION.search(text), DOWN_REVISION.search(text)
        if found is None or down is None:
            continue
        revisions.add(found.group(1))
        if down.group(1):
            revised.add(down.group(1))
    heads = revisions - revised
    if len(heads) != 1:
        raise RuntimeError(f"the migrations have {len(heads)} heads: {sorted(heads)}")
    return frozenset(revisions), heads.pop()


def head_revision() -> str:
    return known_revisions()[1]


def current_revision(engine: Engine) -> str | None:
    """The database's schema version, read with one query."""
    with engine.connect() as connection:
        if not engine.dialect.has_table(connection, "alembic_version"):
            return None
        return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def _refuse_unknown(revision: str | None) -> None:
    """A revision our migrations do not know was written by a newer version."""
    if revision is not None and revision not in known_revisions()[0]:
        raise SchemaTooNew(revision, head_revision())


def ensure_current(engine: Engine) -> None:
    current = current_revision(engine)
    if current != head_revision():
        _refuse_unknown(current)
        raise SchemaNotReady


@contextmanager
def transaction(engine: Engine, write: bool = True, commit: bool = True) -> Iterator[Session]:
    """One command, one transaction: committed when the block ends, rolled back on error.

    `write=False` for commands that only read: on SQLite they do not take the write lock.
    `commit=False` for a what-if (`update --dry-run`): the very same writes, then rolled back.
    """
    bind = engine.execution_options(**{WRITE_OPTION: write})
    with Session(bind, expire_on_commit=False, info={WRITE_OPTION: write}) as session:
        with session.begin() as started:
            yield session
            if not commit:
                started.rollback()
