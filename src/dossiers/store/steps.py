"""Stored timelines: each dossier's schedule as the engine computed it at its last write.

A schedule's dates, rules, done-on days and alerts depend on the dossier's facts, not on the
day (deadlines/timeline.py); only statuses do. So every write stores the engine's first stage
(`schedule_of`) in the same transaction: one `timelines` row per dossier, its schedule packed
in one column (store/packed.py), stamped with what it was computed with (the engine's source,
the holiday data, the rule set) and the interval of days it holds over, [`valid_from`,
`valid_until`): from one change of the facts known (a fact's date, a mission's end) to the
next (`interval()`). For any day in it, the daily commands unpack the schedule and
deadlines/status.py sees it on that day, with no facts read and no rule run again.

The daily commands use it to let SQL choose: `candidates()` selects the dossiers that may have
something to say on a day (a step not finished and due by then, one that opens, a mission
obligation at risk, or a dossier whose schedule does not hold on the day) — a superset — from
a few dates of the row, and only those are seen on the day. No rule is implemented twice: the
first day a mission obligation is at risk is found by asking deadlines/status.py.

One place keeps the table true: a session listener collects the dossiers that a flush
touched (dossiers, events, missions, incidents, documents, agencies) and recomputes them just
before the commit. `import`, which writes with bulk inserts, calls `insert_rows()` itself in
its transaction. Rows written by other programs (benchmarks/generate.py), timelines of an
older engine or holiday release, and those whose interval has ended by the CLI's day
(`write_for`) are recomputed by `heal()` at the start of a command.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable, Iterator
from datetime import date, timedelta
from functools import cache
from itertools import islice
from importlib import resources
from typing import Any

from sqlalchemy import Select, and_, delete, event, or_, select, text
from sqlalchemy.orm import Session

from dossiers.store.models import (
    Agency, Document, Dossier, Event, Incident, Mission, StoredTimeline,
)
from dossiers.store.bulk import insert_many
from dossiers.store.packed import pack

BATCH = 2000
# The tables of the stored timelines: derived data, deleted with their dossier (ON DELETE
# CASCADE), recomputed whenever stale; never counted as kept data.
DERIVED_TABLES = ("timelines",)
TOUCHED = "dossiers_touched"
TOUCHED_AGENCIES = "agencies_touched"
# Facts whose change changes a dossier's timeline.
FACT_ROWS = (Event, Mission, Incident, Document)
# The oldest day a search for the first day at risk starts from when no fact is dated.
EPOCH = date(2000, 1, 1)


# How a stored timeline is written: part of its stamp, so that a change to it (here, the
# interval of days a schedule holds over; the packing's own code is read too) makes every
# stored timeline stale, as the engine does.
STORE_FORMAT = b"packed-1"


@cache
def engine_version() -> str:
    """A digest of the rule core's source (rule sets included), of STORE_FORMAT and of the
    packing's source (store/packed.py): any change to one of them makes every stored
    timeline stale."""
    digest = hashlib.sha256(STORE_FORMAT)
    package = resources.files("dossiers")
    folder = package / "deadlines"
    for name in sorted(item.name for item in folder.iterdir() if item.name.endswith(".py")):
        digest.update(name.encode())
        digest.update((folder / name).read_bytes())
    digest.update((package / "store" / "packed.py").read_bytes())
    return digest.hexdigest()[:16]


@cache
def holidays_version() -> str:
    from dossiers.holiday_cache import holidays_release

    return holidays_release()[:32]


def change_days(facts: Any) -> list[date]:
    """The days on which the schedule of these facts can change, in order: the date of each
    fact (DossierFacts.as_of: events, mission starts, incidents and their proof, documents),
    from which it is known, and each mission's end, from which it counts."""
    days = {e.on for e in facts.events}
    days.update(day for m in facts.missions for day in (m.start, m.end))
    days.update(d for i in facts.incidents for d in (i.on, i.document_on) if d is not None)
    days.update(facts.documents.values())
    return sorted(days)


_written_for: date | None = None


def write_for(day: date | None) -> None:
    """The day stored timelines are written for: the CLI gives its clock's (only the CLI reads
    the clock). It only chooses which interval of days is stored, never what is right on a
    day. Unset (other programs, most tests), the last interval is stored: it holds for ever."""
    global _written_for
    _written_for = day


def today() -> date | None:
    return _written_for


def interval(facts: Any, around: date | None) -> tuple[date | None, date | None]:
    """The days [start, end) over which the engine's schedule of these facts does not change:
    from one change day (change_days) to the next, the one holding on `around` when it is
    known (start None: from any day; end None: for ever; `around` None: the last one).

    A mission still running (a fifth of the dossiers a daily command looks at) or a fact
    dated after the day (a mission planned ahead, a closing date) no longer makes its
    dossier's schedule recomputed from its facts every day: the schedule stored holds until
    that day comes."""
    days = change_days(facts)
    if not days:
        return None, None
    if around is None:
        return days[-1], None
    start = end = None
    for day in days:
        if day <= around:
            start = day
        else:
            end = day
            break
    return start, end


def _at_risk(schedule: Any, day: date) -> bool:
    from dossiers.deadlines.status import status_on

    return any(a.code == "mission_at_risk" for a in status_on(schedule, day).alerts)


def at_risk_from(schedule: Any, first: date, due: date, hint: date | None = None) -> date | None:
    """The first day in [first, due] on which the mission obligation is at risk, or None.
    Past `first` the hours done no longer change, and the days left only shrink: once at
    risk, it stays so until the due date. `hint`, a guess, saves most of the search when it
    is right; deadlines/status.py checks it either way."""
    if first > due:
        return None
    if hint is not None and first < hint <= due:
        if _at_risk(schedule, hint) and not _at_risk(schedule, hint - timedelta(days=1)):
            return hint
    if not _at_risk(schedule, due):
        return None
    if _at_risk(schedule, first):
        return first
    low, high = first, due  # not at risk on low, at risk on high
    while (high - low).days > 1:
        middle = low + (high - low) / 2
        if _at_risk(schedule, middle):
            high = middle
        else:
            low = middle
    return high


def _guess_at_risk(schedule: Any, step: Any) -> date | None:
    """Where the search should look first: the day the remaining hours stop fitting at the
    check's weekly pace (deadlines/status.py decides; see at_risk_from)."""
    from dossiers.deadlines.timeline import DayCheck

    pace = next((check.pace for check in schedule.alerts
                 if isinstance(check, DayCheck) and check.code == "mission_at_risk"), None)
    if step.progress is None or not pace:
        return None
    days = math.ceil(step.progress.hours_remaining * 7 / pace)
    return step.due - timedelta(days=days - 2) if days > 0 else None


def settled(step: Any) -> bool:
    """Nothing is left to do on the step whatever the day: done (on time or late) or
    justified. A step done too early is to do again (`due_within`), so it is not settled."""
    from dossiers.deadlines.timeline import Status

    return step.status.is_finished and step.status is not Status.DONE_TOO_EARLY


def timeline_row(dossier: Any) -> dict[str, Any]:
    """The `timelines` row of one dossier (an ORM object, a DossierRecord, or anything with
    their attributes; its `id` may still be None): its stamp, its schedule packed, and the
    dates SQL chooses candidates by (candidates())."""
    from dossiers.deadlines.engine import schedule_of
    from dossiers.deadlines.status import status_on
    from dossiers.store.facts import facts_of

    facts = facts_of(dossier)
    since, until = interval(facts, today())
    first = since or EPOCH
    schedule = schedule_of(facts.as_of(first), first)
    # Which steps are settled whatever the day: their status on the first day it holds.
    seen = status_on(schedule, first)
    dues, opens, dates = [], [], []
    risk = None
    for planned, step in zip(schedule.steps, seen.steps, strict=True):
        dates += [day for day in (planned.opens, planned.due) if day is not None]
        if settled(step):
            continue
        if planned.due is not None:
            dues.append(planned.due)
        if planned.opens is not None:
            opens.append(planned.opens)
        if planned.code == "mission_obligation" and planned.due is not None:
            risk = at_risk_from(schedule, first, planned.due, _guess_at_risk(schedule, planned))
    return {"dossier_id": dossier.id, "engine": engine_version(),
            "holidays": holidays_version(), "rules": dossier.rules, "valid_from": since,
            "valid_until": until, "closed_on": facts.closed_on, "schedule": pack(schedule),
            "first_due": min(dues, default=None), "last_due": max(dues, default=None),
            "first_opens": min(opens, default=None), "last_opens": max(opens, default=None),
            "at_risk_from": risk, "span_first": min(dates, default=None),
            "span_last": max(dates, default=None)}


def current(stamp: Any, rules: str) -> bool:
    """Whether a `timelines` row was written by this engine, holiday data and rule set."""
    return (stamp.engine == engine_version() and stamp.holidays == holidays_version()
            and stamp.rules == rules)


def refresh(session: Session, ids: Iterable[int]) -> int:
    """Recompute and store the timelines of these dossiers, in the session's transaction."""
    from dossiers.store.records import dossier_query, stream_dossiers

    wanted = sorted(set(ids))
    done = 0
    for first in range(0, len(wanted), BATCH):
        batch = wanted[first:first + BATCH]
        lock_dossiers(session, batch)
        done += store(session, stream_dossiers(session, dossier_query()
                                               .where(Dossier.id.in_(batch))))
    return done


def lock_dossiers(session: Session, ids: Iterable[int]) -> None:
    """Writers of one dossier serialise: lock its row before its facts are read, so that the
    schedule stored in the same transaction comes from the committed facts. PostgreSQL:
    `SELECT … FOR UPDATE` (a concurrent writer waits, in id order so that two writers of
    several dossiers cannot deadlock); SQLite: nothing to do, a write transaction holds the
    database's write lock from its BEGIN IMMEDIATE (store/database.py)."""
    wanted = sorted(set(ids))
    if wanted and session.get_bind().dialect.name != "sqlite":
        session.execute(select(Dossier.id).where(Dossier.id.in_(wanted))
                        .order_by(Dossier.id).with_for_update())


def store(session: Session, dossiers: Iterable[Any]) -> int:
    """Compute and store the timelines of these dossiers (ORM objects, records, or anything
    with their attributes and an `id`), replacing what was stored, in the session's
    transaction, batch by batch."""
    done = 0
    pending = iter(dossiers)
    table = StoredTimeline.__table__
    while batch := list(islice(pending, BATCH)):
        rows = [timeline_row(dossier) for dossier in batch]
        # Core on the session's connection: one executemany, no ORM bookkeeping.
        connection = session.connection()
        connection.execute(delete(table).where(table.c.dossier_id.in_([d.id for d in batch])))
        insert_rows(session, rows)
        done += len(rows)
    return done


TIMELINE_COLUMNS = tuple(StoredTimeline.__table__.columns.keys())
ComputedTimeline = tuple[Any, ...]
"""timeline_row of a dossier not written yet, as a tuple in the TIMELINE_COLUMNS order without
the dossier's id: a third of the memory of a dict (`import` holds one per row of its file)."""


def computed(dossier: Any) -> ComputedTimeline:
    row = timeline_row(dossier)
    assert tuple(row) == TIMELINE_COLUMNS
    return tuple(row.values())[1:]


def insert_computed(session: Session, ids: list[int], timelines: list[ComputedTimeline]) -> int:
    """Store timelines computed before the dossiers had their ids (`import` computes them
    before its write transaction): each gets its dossier's id, batch by batch."""
    for first in range(0, len(ids), BATCH):
        insert_rows(session, [dict(zip(TIMELINE_COLUMNS, (dossier_id, *timeline), strict=True))
                              for dossier_id, timeline in zip(ids[first:first + BATCH],
                                                              timelines[first:first + BATCH],
                                                              strict=True)])
    return len(ids)


def insert_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert `timelines` rows (timeline_row()) in the session's transaction."""
    if rows:
        insert_many(session.connection(), StoredTimeline.__table__, rows)


def stale_ids(session: Session) -> list[int]:
    """Dossiers without a stored timeline, or with one of another engine or holiday release,
    or (when today() is known) one whose interval of days does not hold on it: the facts
    changed since (a mission ended, a fact dated ahead came), the interval of today is stored."""
    stale = [StoredTimeline.dossier_id.is_(None), StoredTimeline.engine != engine_version(),
             StoredTimeline.holidays != holidays_version(), StoredTimeline.rules != Dossier.rules]
    if today() is not None:
        stale += [StoredTimeline.valid_until <= today(), StoredTimeline.valid_from > today()]
    query = (select(Dossier.id).outerjoin(StoredTimeline, StoredTimeline.dossier_id == Dossier.id)
             .where(or_(*stale))
             .order_by(Dossier.id))
    return list(session.scalars(query))


def heal(begin: Callable[[], Any], progress: Callable[[int, int], None] | None = None,
         look: Callable[[], Any] | None = None) -> int:
    """Recompute every stale timeline; `begin()` opens a write transaction (a context manager
    giving a session), `look()` a reading one, to find them (by default `begin`): a database
    with nothing to heal is then never written, and may be read-only. One transaction per
    batch, so that readers are never held long."""
    with (look or begin)() as session:
        ids = stale_ids(session)
    for first in range(0, len(ids), BATCH):
        with begin() as session:
            refresh(session, ids[first:first + BATCH])
        if progress is not None:
            progress(min(first + BATCH, len(ids)), len(ids))
    if len(ids) >= BATCH:
        with begin() as session:
            analyze(session)
    return len(ids)


def analyze(session: Session) -> None:
    """PostgreSQL: the planner's statistics of `timelines` made again after many of its rows
    were rewritten (a new engine: all of them). Until the autovacuum came by, the daily
    commands were planned on the old rows' statistics: the first `remind` after a new engine
    took 14 s at 100 000 dossiers, 5 s once the table was analysed. A role that does not own the table is told so in a warning and
    skips it (PostgreSQL refuses nothing); SQLite plans without statistics it was not given."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"ANALYZE {StoredTimeline.__tablename__}"))


def candidates(first_day: date, last_day: date, *, overdue: bool = False,
               due_within: int | None = None, remind_since: date | None = None,
               remind_lead: int = 0) -> Select[Any]:
    """The ids of the dossiers that may have a step to show between `first_day` and
    `last_day` (the day in the earliest and the latest zone): a superset of what the engine
    will keep, chosen on the `timelines` rows alone (the dates of the steps not settled).

    overdue       a step not finished whose due date is before the day;
    due_within N  a step not finished due in the next N days;
    remind_since  what `remind` may say: a step not finished due by the day plus the
                  longest lead, or opened since that day, or a mission obligation at risk.
    Dossiers whose stored schedule does not hold on the day (a change of its facts after
    `first_day`, an interval ended by `last_day`) are always in: the engine decides.
    """
    stored = StoredTimeline
    conditions = [stored.valid_from > first_day, stored.valid_until <= last_day]
    if overdue:
        conditions.append(stored.first_due < last_day)
    if due_within is not None:
        conditions.append(and_(stored.first_due <= last_day + timedelta(days=due_within),
                               stored.last_due >= first_day))
    if remind_since is not None:
        conditions += [stored.first_due <= last_day + timedelta(days=max(remind_lead, 0)),
                       and_(stored.first_opens <= last_day, stored.last_opens > remind_since),
                       stored.at_risk_from <= last_day]
    return select(stored.dossier_id).where(or_(*conditions))


def _collect(session: Session, _context: Any) -> None:
    """after_flush: note the dossiers whose timeline this flush may have changed."""
    touched: set[int] = session.info.setdefault(TOUCHED, set())
    agencies: set[int] = session.info.setdefault(TOUCHED_AGENCIES, set())
    for instance in _changed(session):
        if isinstance(instance, Dossier):
            if instance.id is not None:
                touched.add(instance.id)
        elif isinstance(instance, FACT_ROWS):
            if instance.dossier_id is not None:
                touched.add(instance.dossier_id)
        elif isinstance(instance, Agency) and instance.id is not None:
            agencies.add(instance.id)


def _changed(session: Session) -> Iterator[Any]:
    yield from session.new
    yield from session.dirty
    yield from session.deleted


def _store_before_commit(session: Session) -> None:
    """before_commit: the touched dossiers' timelines, in the same transaction; once, at the
    outer commit (a savepoint's release waits for it)."""
    if session.in_nested_transaction():
        return
    session.flush()
    touched: set[int] = session.info.pop(TOUCHED, set())
    agencies: set[int] = session.info.pop(TOUCHED_AGENCIES, set())
    if agencies:
        touched |= set(session.scalars(select(Dossier.id).where(Dossier.agency_id.in_(agencies))))
    if touched:
        refresh(session, touched)
        session.flush()


def _forget(session: Session, previous: Any) -> None:
    """after_soft_rollback: a whole transaction rolled back wrote nothing to store (a
    savepoint's rollback keeps what the rest of the transaction touched)."""
    if previous.parent is None and not previous.nested:
        session.info.pop(TOUCHED, None)
        session.info.pop(TOUCHED_AGENCIES, None)


event.listen(Session, "after_flush", _collect)
event.listen(Session, "before_commit", _store_before_commit)
event.listen(Session, "after_soft_rollback", _forget)
