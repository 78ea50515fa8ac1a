"""`dossiers purge`: keep only what is needed (CNIL).

Closed or abandoned dossiers whose closing date falls before a day are *deleted*, with every
row that hangs on them (events, missions, documents, incidents, history, snoozes) and what the
outbox holds of them, in one transaction: the lines (outbox items) naming them, the digests
that named nothing else; a digest that also named other dossiers stays. If it is still to go
(pending, uncertain), it is recomposed without them and still goes (`recompose`); if it went
(sent), failed or was superseded, it stays as it was for the day (so a second `remind` the same
day sends nobody anything twice), its text, which named the purged, emptied.

Why delete rather than anonymise: what would remain of an anonymised dossier (its agency, its
training dates and hours, its events) still points at one person inside one agency, so it stays
personal data; and no rule of the rule book needs a dossier once its retention is over. Agencies
and staff are kept: they are the users of the tool, not the people the dossiers are about.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.orm import Session

from dossiers.services.dossiers import CLOSING_EVENTS
from dossiers.store.models import Base, Dossier, Event, OutboxItem, OutboxMessage
from dossiers.store.steps import DERIVED_TABLES

TABLE_ORDER = ["dossiers", "events", "missions", "documents", "incidents", "changes", "snoozes",
               "outbox", "outbox_items"]
"""The order in which counts are reported; a table added later comes after, by name."""
CHUNK = 500
"""Ids per statement: far below SQLite's and PostgreSQL's limits on bound parameters."""


@dataclass(frozen=True)
class PurgeCounts:
    """Rows removed (or that would be), by table name; `dossiers` first."""

    tables: tuple[tuple[str, int], ...]

    @property
    def dossiers(self) -> int:
        return dict(self.tables).get("dossiers", 0)


def purgeable_ids(session: Session, closed_before: date) -> list[int]:
    """Dossiers closed or abandoned, whose closing event is dated before `closed_before`."""
    closing_kinds = [kind.value for kind in CLOSING_EVENTS]
    closed_on = (select(Event.dossier_id, func.max(Event.occurred_on).label("on"))
                 .where(Event.kind.in_(closing_kinds)).group_by(Event.dossier_id).subquery())
    query = (select(Dossier.id).join(closed_on, closed_on.c.dossier_id == Dossier.id)
             .where(Dossier.state.in_(list(CLOSING_EVENTS.values())),
                    closed_on.c.on < closed_before)
             .order_by(Dossier.id))
    return list(session.scalars(query))


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def _dependent_tables() -> list[Table]:
    """Every table with a foreign key to dossiers, children before parents (so that a table
    added later is purged too)."""
    tables = []
    for table in reversed(Base.metadata.sorted_tables):
        # The stored timelines are derived, not kept data: the database deletes them with
        # their dossier (ON DELETE CASCADE), and a purge does not count them.
        if table.name in ("dossiers", "outbox", "outbox_items", *DERIVED_TABLES):
            continue
        if any(key.column.table.name == "dossiers" for key in table.foreign_keys):
            tables.append(table)
    return tables


def _dossier_column(table: Table):  # type: ignore[no-untyped-def]
    return next(key.parent for key in table.foreign_keys if key.column.table.name == "dossiers")


WAITING = ("pending", "uncertain")
IN_FLIGHT = "sending"


def purge_closed(session: Session, closed_before: date, dry_run: bool = False,
                 recompose: Callable[[Session, Sequence[int]], None] | None = None
                 ) -> PurgeCounts:
    """Delete (or, with `dry_run`, only count) the dossiers closed before `closed_before`.
    `recompose(session, message ids)` rewrites the digests still to go that named them among
    others, once they are deleted."""
    ids = purgeable_ids(session, closed_before)
    purged = set(ids)
    named: dict[int, set[int]] = {}
    for chunk in _chunks(ids):
        for message_id in session.scalars(
                select(OutboxItem.message_id).where(OutboxItem.dossier_id.in_(chunk))):
            named[message_id] = set()
    for chunk in _chunks(sorted(named)):
        for message_id, dossier_id in session.execute(
                select(OutboxItem.message_id, OutboxItem.dossier_id)
                .where(OutboxItem.message_id.in_(chunk))):
            named[message_id].add(dossier_id)
    # Digests that named only purged dossiers go; the others lose the purged dossiers' lines.
    messages = sorted(m for m, dossiers in named.items() if dossiers <= purged)
    shared = sorted(m for m, dossiers in named.items() if not dossiers <= purged)
    counts: dict[str, int] = {"dossiers": len(ids)}

    def count_or_delete(table: Table, column, keys: Sequence[int]) -> None:  # type: ignore[no-untyped-def]
        total = 0
        for chunk in _chunks(keys):
            if dry_run:
                total += session.scalar(select(func.count()).select_from(table)
                                        .where(column.in_(chunk))) or 0
            else:
                total += session.execute(delete(table).where(column.in_(chunk))).rowcount
        counts[table.name] = counts.get(table.name, 0) + total

    items, outbox = OutboxItem.__table__, OutboxMessage.__table__
    count_or_delete(items, items.c.dossier_id, ids)
    count_or_delete(outbox, outbox.c.id, messages)
    waiting: list[int] = []
    if not dry_run:
        for chunk in _chunks(shared):
            # Gone or given up: kept for the day, without the text that named the purged.
            session.execute(update(outbox).where(
                outbox.c.id.in_(chunk), outbox.c.status.not_in([*WAITING, IN_FLIGHT]))
                .values(content=""))
            waiting += session.scalars(select(outbox.c.id).where(
                outbox.c.id.in_(chunk), outbox.c.status.in_(WAITING))).all()
    for table in _dependent_tables():
        count_or_delete(table, _dossier_column(table), ids)
    if not dry_run:
        dossiers = Dossier.__table__
        for chunk in _chunks(ids):
            session.execute(delete(dossiers).where(dossiers.c.id.in_(chunk)))
        session.expire_all()
        if waiting and recompose is not None:
            recompose(session, waiting)
    order = sorted(counts, key=lambda name: (TABLE_ORDER.index(name) if name in TABLE_ORDER
                                             else len(TABLE_ORDER), name))
    return PurgeCounts(tuple((name, counts[name]) for name in order))


