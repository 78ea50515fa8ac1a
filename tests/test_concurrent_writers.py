"""Writers of one dossier serialise (issue 18, point 7): each write locks the dossier's row
before reading its facts, so a concurrent writer waits instead of being refused, and the
schedule stored by each transaction comes from the committed facts. Real `dossiers`
processes, on SQLite and on PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import date
from fractions import Fraction

import pytest
from sqlalchemy import select, text

from dossiers.messages import hours
from dossiers.store.database import WRITE_OPTION, open_engine
from dossiers.store.models import Change, Dossier, Event, StoredTimeline
from dossiers.store.packed import unpack
from tests.conftest import Dossiers
from tests.test_stored_timelines import _check_stored

REFERENCE = "LYO-0001"
HOURS = ("200", "190", "180", "170")


def spawn(url: str, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "dossiers", "--db", url, *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@contextmanager
def holding_the_dossier(url: str) -> Iterator[None]:
    """Another transaction holds the dossier as a writer does: its row locked (PostgreSQL),
    the database's write lock (SQLite). Released at the end of the block."""
    engine = open_engine(url)
    try:
        with engine.execution_options(**{WRITE_OPTION: True}).connect() as connection:
            connection.begin()  # SQLite: BEGIN IMMEDIATE, the write lock
            if connection.dialect.name != "sqlite":
                connection.execute(text("SELECT id FROM dossiers WHERE reference = :r FOR UPDATE"),
                                   {"r": REFERENCE})
            yield
            connection.rollback()
    finally:
        engine.dispose()


def wait_until_all_wait(url: str, processes: list[subprocess.Popen[bytes]]) -> None:
    """PostgreSQL: until every process waits for a lock (seen from a connection of its own:
    a transaction sees one snapshot of pg_stat_activity); SQLite, which cannot tell who waits
    for its lock: a few seconds. Either way none may have ended: nobody was refused."""
    engine = open_engine(url)
    try:
        with engine.connect() as observer:
            sqlite = observer.dialect.name == "sqlite"
            began = time.monotonic()
            while time.monotonic() < began + 90:
                assert all(p.poll() is None for p in processes), [
                    p.communicate() for p in processes]
                if sqlite:
                    if time.monotonic() > began + 5:
                        return
                else:
                    waiting = observer.scalar(text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                        "current_database() AND wait_event_type = 'Lock'"))
                    observer.rollback()
                    if waiting == len(processes):
                        return
                time.sleep(0.2)
    finally:
        engine.dispose()
    raise AssertionError("the writers did not all wait for the dossier's lock")


@pytest.mark.parametrize("held", [True, False], ids=["held at the same point", "racing"])
def test_writers_of_one_dossier_wait_for_each_other_and_the_stored_schedule_keeps_every_fact(
        network: Dossiers, held: bool) -> None:
    network.ok("open", "--kind", "cdpi", "--worker", "Karim B.", "--start", "2027-01-11",
               "--end", "2027-02-19", "--training-hours", "210", "--owner", "lea@example.fr",
               "--reference", REFERENCE)
    network.ok("record", REFERENCE, "drf-submitted", "--on", "2026-12-01")
    network.ok("record", REFERENCE, "drf-accord", "--on", "2026-12-03")
    with holding_the_dossier(network.url) if held else nullcontext():
        processes = [spawn(network.url, "record", REFERENCE, "contract-submitted", "--on",
                           "2026-12-04")]
        processes += [spawn(network.url, "update", REFERENCE, "--training-hours", figure)
                      for figure in HOURS]
        if held:
            wait_until_all_wait(network.url, processes)
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert (process.returncode, err.decode()) == (0, ""), out.decode()

    engine = open_engine(network.url)
    try:
        with engine.connect() as connection:
            dossier_id, minutes = connection.execute(
                select(Dossier.id, Dossier.training_minutes)
                .where(Dossier.reference == REFERENCE)).one()
            events = connection.scalars(select(Event.kind).where(Event.dossier_id == dossier_id)
                                        .order_by(Event.id)).all()
            assert events == ["drf-submitted", "drf-accord", "contract-submitted"]
            # Every update is kept, one after the other: each saw the one before it.
            changes = connection.execute(
                select(Change.before, Change.after).where(
                    Change.dossier_id == dossier_id, Change.what == "training_hours")
                .order_by(Change.id)).all()
            assert len(changes) == len(HOURS)
            assert changes[0].before == hours(Fraction(210))
            assert all(a.after == b.before for a, b in zip(changes, changes[1:]))
            assert sorted(c.after for c in changes) == sorted(hours(Fraction(h)) for h in HOURS)
            assert hours(Fraction(minutes, 60)) == changes[-1].after
            packed = connection.scalar(select(StoredTimeline.schedule).where(
                StoredTimeline.dossier_id == dossier_id))
            [contract] = [s for s in unpack(packed).steps if s.code == "contract"]
            assert contract.done_on == date(2026, 12, 4)
        # The stored schedule is the engine's from the facts: the contract is done.
        _check_stored(engine)
    finally:
        engine.dispose()
