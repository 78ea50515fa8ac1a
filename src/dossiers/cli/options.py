"""What every command family shares: the App object in `ctx.obj` (settings, engine, one
transaction per command), `pass_app`, the `--as-of` and `--json` options, JSON output, the
clock (only the CLI asks what day it is, R-CAL-4) and the choice types used by several
families.

Heavy modules (SQLAlchemy, the settings loader) are imported inside the methods that need them.
"""

from __future__ import annotations

import errno
import gc
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from dossiers import messages
from dossiers.deadlines.zones import ZONES
from dossiers.french_click import DATE, ChoiceType, fail

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

    from dossiers.settings import Settings

DISK_ERRORS = (errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG)
"""Writing failed for want of room or of a working disk: not the user's input (exit 1)."""
RULE_SET_HELP = ("jeu de règles : akto-current ou akto-2021 ; par défaut choisi par date, celui "
                 "en vigueur à l'ouverture de la fenêtre DRF (au démarrage pour un CAR)")
ZONE_CHOICE = ChoiceType({slug: slug for slug in ZONES})
KIND_CHOICE = ChoiceType(messages.KIND_LABELS)


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def today_in(zone: str) -> date:
    """R-CAL-4: the local date of the zone."""
    from zoneinfo import ZoneInfo  # not loaded when --as-of fixes the day

    return datetime.now(ZoneInfo(ZONES[zone].time_zone)).date()


def day_in_zone(as_of: date | None) -> Callable[[str], date]:
    """Today in each zone, unless --as-of fixes the day."""
    if as_of is not None:
        return lambda _zone: as_of
    return today_in


def default_database_url() -> str:
    from dossiers.store.database import default_database_path

    path = default_database_path(os.environ.get("XDG_DATA_HOME"), Path.home())
    return f"sqlite:///{path}"


def start_up_done() -> None:
    """The command reaches its data: the modules it needs are loaded. `main` held the cyclic
    garbage collector off while they loaded; what exists now lives until the end, so it is
    frozen out of the collector's way, and the collector runs again for the command's work.
    Nothing happens when the collector was on (the tests' CliRunner, a program importing us)."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


@dataclass
class App:
    """What a command reaches through `ctx.obj`: the settings, the engine, transactions."""

    db_url: str | None
    config_path: str | None = None
    _engine: Engine | None = field(default=None, repr=False)
    _settings: Settings | None = field(default=None, repr=False)
    _healed: bool = field(default=False, repr=False)

    def settings(self) -> Settings:
        if self._settings is None:
            from dossiers.settings import load_settings

            from dossiers.french_click import keep_secret

            path = Path(self.config_path) if self.config_path else None
            self._settings = load_settings(path, os.environ)
            # No message ever shows the SMTP password (a server's reply may echo it).
            keep_secret(self._settings.smtp.password)
        return self._settings

    def database_url(self) -> str:
        return (self.db_url or (self.settings().db if self.config_path else None)
                or default_database_url())

    def engine(self, create: bool = False) -> Engine:
        """The database's engine; a SQLite file that does not exist is refused, naming its
        path, unless `create` (`dossiers init` alone creates a database)."""
        if self._engine is None:
            start_up_done()
            from dossiers.french_click import keep_secret
            from dossiers.store import steps
            from dossiers.store.database import open_engine, read_only_folder, url_password

            url = self.database_url()
            keep_secret(url_password(url))
            self._engine = open_engine(url, create=create)
            # Stored schedules hold over an interval of days: written, by any command (`init`
            # included), for today's, by the clock. Not in a read-only folder: nothing can be
            # written there, and the last interval stored stays right (days outside it go to
            # the engine), so no command should try to move it on.
            if read_only_folder(self._engine) is None:
                steps.write_for(utc_now().date())
        return self._engine

    def close(self) -> None:
        """Give the database connections back when the command ends."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    @contextmanager
    def transaction(self, write: bool = True, commit: bool = True) -> Iterator[Session]:
        """One command, one transaction; the schema must be current. `commit=False`: a
        what-if (`--dry-run`), the same writes rolled back at the end."""
        from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

        from dossiers.store.database import (
            SchemaNotReady, ensure_current, read_only_folder, transaction,
        )

        folder = read_only_folder(self.engine())
        if write and folder:
            fail(f"base de données en lecture seule : le dossier {folder} n'est pas modifiable "
                 "(SQLite y écrit ses fichiers -wal et -shm) ; seules les commandes qui lisent "
                 "fonctionnent, rien n'a été modifié", 1)
        try:
            ensure_current(self.engine())
            self._heal_timelines()
            with transaction(self.engine(), write, commit) as session:
                yield session
        except SchemaNotReady:
            fail("base de données non initialisée ou d'une version antérieure : "
                 "lancez « dossiers init »")
        except OperationalError as error:
            fail(f"base de données inaccessible ({error.orig})", 1)
        except IntegrityError:
            # Every check passed, then the database refused the write: another command wrote
            # the same thing meanwhile (two `open` or `import` of one reference on PostgreSQL),
            # or, under an agency's role, another agency holds it (a reference it cannot see).
            if self._agency_scoped():
                fail(messages.DUPLICATE_IN_ANOTHER_AGENCY, 1)
            fail("une autre commande a enregistré la même donnée au même moment ; rien n'a été "
                 "modifié : relancez la commande", 1)
        except ProgrammingError as error:
            # PostgreSQL's row-level security (a row of another agency) or the role's
            # privileges (no TRUNCATE, no DDL): insufficient_privilege.
            if getattr(error.orig, "sqlstate", None) != "42501":
                raise
            fail(messages.refused_by_database(self.engine().url.username), 1)

    def _agency_scoped(self) -> bool:
        """Whether the command's role sees only some agencies (PostgreSQL)."""
        from dossiers.store.access import scoped

        try:
            with self.engine().connect() as connection:
                return scoped(connection)
        except Exception:  # noqa: BLE001 -- only chooses between two refusals
            return False


    def _heal_timelines(self) -> None:
        """Recompute the stored timelines an older engine or holiday release left, rows
        written without the ORM, and those whose interval of days has ended; a progress line
        on stderr when it takes more than a second."""
        if self._healed:
            return
        self._healed = True
        import time

        from dossiers.store import steps
        from dossiers.store.database import transaction

        began = time.monotonic()
        shown = False

        def progress(done: int, total: int) -> None:
            nonlocal shown
            if time.monotonic() - began > 1:
                shown = True
                click.echo("\r" + messages.timelines_progress(done, total), nl=False, err=True)

        steps.heal(lambda: transaction(self.engine()), progress,
                   look=lambda: transaction(self.engine(), write=False))
        if shown:
            click.echo(err=True)


pass_app = click.make_pass_decorator(App)


def as_of_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--as-of", type=DATE, default=None,
        help="Date de référence (AAAA-MM-JJ ou JJ/MM/AAAA) ; par défaut aujourd'hui.",
    )(command)


def json_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True,
                        help="Sortie JSON, pour d'autres programmes.")(command)


def echo_lines(lines: Iterable[str]) -> None:
    for line in lines:
        click.echo(line)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


json_line = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
"""One object of a JSON array on one line, compact."""


def echo_json_array(items: Iterable[Any], encoded: bool = False) -> None:
    """A JSON array written item by item, so that a long list is never all in memory: one
    compact object per line (`jq .` indents it for a person). `encoded`: the items are
    already `json_line` strings."""
    pending: list[str] = []
    first = True
    for item in items:
        pending.append(("[\n" if first else ",\n") + (item if encoded else json_line(item)))
        first = False
        if len(pending) == 500:  # a few writes, not one per dossier
            click.echo("".join(pending), nl=False)
            pending.clear()
    click.echo("".join(pending) + ("[]" if first else "\n]"))


def write_output(chunks: Iterator[bytes], output: str | None) -> None:
    """Bytes to the file given by -o (written beside it, then renamed: never through a link,
    never over anything but a regular file), or to standard output (reports, list --format
    csv)."""
    if not output:
        sys.stdout.flush()
        stream = sys.stdout.buffer
        for chunk in chunks:
            stream.write(chunk)
        stream.flush()
        return
    from dossiers.private_files import UnsafeTarget, replace_private

    try:
        replace_private(output, chunks)
    except UnsafeTarget as unsafe:
        fail(f"-o : {messages.output_refused(unsafe.path, unsafe.kind)}")
    except OSError as error:
        fail(f"-o : {messages.output_not_written(output, error)}", 1 if error.errno in DISK_ERRORS
             else 2)


def check_output(output: str | None) -> None:
    """Refuse a -o target before any work: a link or anything but a regular file."""
    if not output:
        return
    from dossiers.private_files import UnsafeTarget, replaceable

    try:
        replaceable(output)
    except UnsafeTarget as unsafe:
        fail(f"-o : {messages.output_refused(unsafe.path, unsafe.kind)}")
    except OSError as error:
        fail(f"-o : {messages.output_not_written(output, error)}")
