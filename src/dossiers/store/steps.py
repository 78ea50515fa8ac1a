"""Stored timelines: each dossier's schedule as the engine computed it at its last write.

A schedule's dates, rules, done-on days and alerts depend on the dossier's facts, not on the
day (deadlines/timeline.py); only statuses do. So every write stores the engine's first stage
(`schedule_of`) in the same transaction: the `steps` and `timeline_alerts` tables, stamped
with what it was computed with (the `timelines` table): the engine's source, the holiday data,
the rule set, and the interval of days it holds over, [`valid_from`, `valid_until`): from
the latest dated fact (or mission end passed) to the next end of a mission still running
(`interval()`). For any day in it, `load()` gives back the schedule and deadlines/status.py
sees it on that day, with no facts read and no rule run again.

The daily commands use it to let SQL choose: `candidates()` selects the dossiers that may have
something to say on a day (a step not finished and due by then, one that opens, a mission
obligation at risk, or a dossier whose facts are dated after the day) — a superset — and only
those are seen on the day. No rule is implemented twice: the first day a mission obligation is
at risk is found by asking deadlines/status.py.

One place keeps the table true: a session listener collects the dossiers that a flush
touched (dossiers, events, missions, incidents, documents, agencies) and recomputes them just
before the commit. `import`, which writes with bulk inserts, calls `refresh()` itself in its
transaction. Rows written by other programs (benchmarks/generate.py), timelines of an older
engine or holiday release, and those whose interval has ended by the CLI's day (`write_for`)
are recomputed by `heal()` at the start of a command.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable, Iterator
from datetime import date, timedelta
from fractions import Fraction
from functools import cache, lru_cache
from itertools import islice
from importlib import resources
from typing import Any

from sqlalchemy import DateTime, Select, and_, delete, event, insert, or_, select
from sqlalchemy.orm import Session

from dossiers.store.models import (
    Agency, Document, Dossier, Event, Incident, Mission, StoredAlert, StoredStep, StoredTimeline,
)

BATCH = 2000
# The tables of the stored timelines: derived data, deleted with their dossier (ON DELETE
# CASCADE), recomputed whenever stale; never counted as kept data.
DERIVED_TABLES = ("timelines", "steps", "timeline_alerts")
TOUCHED = "dossiers_touched"
TOUCHED_AGENCIES = "agencies_touched"
# Facts whose change changes a dossier's timeline.
FACT_ROWS = (Event, Mission, Incident, Document)
# The oldest day a search for the first day at risk starts from when no fact is dated.
EPOCH = date(2000, 1, 1)


# How a stored timeline is written: part of its stamp, so that a change to it (here, the
# interval of days a schedule holds over) makes every stored timeline stale, as the engine does.
STORE_FORMAT = b"interval-1"


@cache
def engine_version() -> str:
    """A digest of the rule core's source (rule sets included) and of STORE_FORMAT: any change
    to either makes every stored timeline stale."""
    digest = hashlib.sha256(STORE_FORMAT)
    folder = resources.files("dossiers") / "deadlines"
    for name in sorted(item.name for item in folder.iterdir() if item.name.endswith(".py")):
        digest.update(name.encode())
        digest.update((folder / name).read_bytes())
    return digest.hexdigest()[:16]


@cache
def holidays_version() -> str:
    from dossiers.holiday_cache import holidays_release

    return holidays_release()[:32]


def valid_from(facts: Any) -> date | None:
    """The date of the dossier's latest dated fact, mission ends included: the schedule holds
    from there on, whatever the day after."""
    ends = [m.end for m in facts.missions]
    known = known_from(facts)
    return max([known, *ends]) if known is not None else None


def known_from(facts: Any) -> date | None:
    """The last day the facts known on a day change (DossierFacts.as_of: events, mission
    starts, incidents and their proof, documents): from there on, they are all known."""
    days = [e.on for e in facts.events]
    days += [m.start for m in facts.missions]
    days += [d for i in facts.incidents for d in (i.on, i.document_on) if d is not None]
    days += list(facts.documents.values())
    return max(days) if days else None


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
    """The days [start, end) over which the engine's schedule of these facts does not change,
    the one holding on `around` when it can (end None: for ever; start None: from any day;
    `around` None: the last one).

    Once every fact is known (known_from), the schedule still changes on each day a mission
    ends: a mission not ended by the day does not count yet (deadlines/engine.py). A mission
    still running is a fifth of the dossiers a daily command looks at: its dossier's
    schedule, stored over [latest fact or end passed, next mission end), is not recomputed
    from its facts every day until the mission ends."""
    start = known_from(facts)
    if start is None:
        return None, None
    ends = sorted({m.end for m in facts.missions if m.end > start})
    passed = [end for end in ends if around is None or end <= around]
    if passed:
        start = passed[-1]
    coming = [end for end in ends if end > start]
    return start, (coming[0] if coming else None)


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


TimelineRows = tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]
"""A dossier's stored timeline: its stamp, step and alert rows."""


def timeline_rows(dossier: Any) -> TimelineRows:
    """The stamp, step and alert rows of one dossier (an ORM object or a DossierRecord)."""
    from dossiers.deadlines.engine import schedule_of
    from dossiers.deadlines.status import status_on
    from dossiers.deadlines.timeline import Alert
    from dossiers.store.facts import facts_of

    facts = facts_of(dossier)
    since, until = interval(facts, today())
    schedule = schedule_of(facts, since or EPOCH)
    # Which steps are settled whatever the day: their status on the first day it holds.
    seen = status_on(schedule, since or EPOCH)
    stamp = {"dossier_id": dossier.id, "engine": engine_version(),
             "holidays": holidays_version(), "rules": dossier.rules, "valid_from": since,
             "valid_until": until, "closed_on": facts.closed_on,
             "mission_hours": str(schedule.mission_hours_required),
             "drf_redo": schedule.drf_redo_required}
    rows = []
    for position, (planned, step) in enumerate(zip(schedule.steps, seen.steps, strict=True)):
        finished = settled(step)
        risk = None
        if planned.code == "mission_obligation" and not finished and planned.due is not None:
            risk = at_risk_from(schedule, since or EPOCH, planned.due,
                                _guess_at_risk(schedule, planned))
        rows.append({"dossier_id": dossier.id, "code": planned.code, "position": position,
                     "opens": planned.opens, "due": planned.due, "done_on": planned.done_on,
                     "finished": finished, "rule": planned.rule, "track": planned.track.value,
                     "hours_done": (None if planned.progress is None
                                    else str(planned.progress.hours_done)),
                     "missing": " ".join(planned.missing), "at_risk_from": risk})
    alerts = []
    for position, entry in enumerate(schedule.alerts):
        row = {"dossier_id": dossier.id, "position": position, "code": entry.code,
               "rule": entry.rule, "message": entry.message, "step": None, "on": None,
               "pace": None}
        if not isinstance(entry, Alert):
            row.update(step=entry.step, on=entry.on,
                       pace=None if entry.pace is None else str(entry.pace))
        alerts.append(row)
    return stamp, rows, alerts


@lru_cache(maxsize=4096)
def _fraction(text: str) -> Fraction:
    """« 70 », « 140/3 »: the same few figures come back on thousands of rows."""
    return Fraction(text)


def load(session: Session, stamps: dict[int, Any]) -> dict[int, Any]:
    """The stored schedules of these dossiers (id: its `timelines` row, as `StoredTimeline`
    columns), read back in two queries (Core rows: no ORM bookkeeping)."""
    from dossiers.deadlines.timeline import (
        Alert, DayCheck, MissionProgress, PlannedStep, Schedule, Track,
    )

    ids = sorted(stamps)
    steps: dict[int, list[PlannedStep]] = {i: [] for i in ids}
    alerts: dict[int, list[Alert | DayCheck]] = {i: [] for i in ids}
    required = {i: _fraction(stamps[i].mission_hours) for i in ids}
    connection = session.connection()
    step_columns = (StoredStep.dossier_id, StoredStep.code, StoredStep.opens, StoredStep.due,
                    StoredStep.done_on, StoredStep.rule, StoredStep.track,
                    StoredStep.hours_done, StoredStep.missing)
    for (dossier_id, code, opens, due, done_on, rule, track, hours_done,
         missing) in connection.execute(select(*step_columns)
                                        .where(StoredStep.dossier_id.in_(ids))
                                        .order_by(StoredStep.dossier_id, StoredStep.position)):
        progress = None
        if hours_done is not None:
            progress = MissionProgress(_fraction(hours_done), required[dossier_id], opens, due)
        steps[dossier_id].append(PlannedStep(code, opens, due, done_on, rule, Track(track),
                                             progress, tuple(missing.split())))
    alert_columns = (StoredAlert.dossier_id, StoredAlert.code, StoredAlert.rule,
                     StoredAlert.message, StoredAlert.step, StoredAlert.on, StoredAlert.pace)
    for (dossier_id, code, rule, message, step, on,
         pace) in connection.execute(select(*alert_columns)
                                     .where(StoredAlert.dossier_id.in_(ids))
                                     .order_by(StoredAlert.dossier_id, StoredAlert.position)):
        if step is None:
            alerts[dossier_id].append(Alert(code, rule, message))
        else:
            alerts[dossier_id].append(DayCheck(code, rule, step, message, on,
                                               None if pace is None else _fraction(pace)))
    return {i: Schedule(tuple(steps[i]), tuple(alerts[i]), stamps[i].drf_redo, required[i])
            for i in ids}


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
    with their attributes and an `id`: `import` gives those it has just inserted), replacing
    what was stored, in the session's transaction, batch by batch."""
    done = 0
    pending = iter(dossiers)
    while batch := list(islice(pending, BATCH)):
        stamps, steps, alerts = [], [], []
        for dossier in batch:
            stamp, rows, alert_rows = timeline_rows(dossier)
            stamps.append(stamp)
            steps += rows
            alerts += alert_rows
        ids = [dossier.id for dossier in batch]
        # Core on the session's connection: one executemany per table, no ORM bookkeeping.
        connection = session.connection()
        for table in (StoredStep.__table__, StoredAlert.__table__, StoredTimeline.__table__):
            connection.execute(delete(table).where(table.c.dossier_id.in_(ids)))
        for table, rows in ((StoredTimeline.__table__, stamps), (StoredStep.__table__, steps),
                            (StoredAlert.__table__, alerts)):
            if rows:
                connection.execute(insert(table), rows)
        done += len(stamps)
    return done


STAMP_COLUMNS = ("dossier_id", "engine", "holidays", "rules", "valid_from", "valid_until",
                 "closed_on", "mission_hours", "drf_redo")
STEP_COLUMNS = ("dossier_id", "code", "position", "opens", "due", "done_on", "finished", "rule",
                "track", "hours_done", "missing", "at_risk_from")
ALERT_COLUMNS = ("dossier_id", "position", "code", "rule", "message", "step", "on", "pace")
ComputedTimeline = tuple[tuple[Any, ...], list[tuple[Any, ...]], list[tuple[Any, ...]]]
"""timeline_rows of a dossier not written yet, as tuples in the *_COLUMNS order without the
dossier's id: a third of the memory of the dicts (`import` holds one per row of its file)."""


def computed(dossier: Any) -> ComputedTimeline:
    stamp, rows, alerts = timeline_rows(dossier)
    assert tuple(stamp) == STAMP_COLUMNS and all(tuple(row) == STEP_COLUMNS for row in rows[:1])
    assert all(tuple(row) == ALERT_COLUMNS for row in alerts[:1])
    return (tuple(stamp.values())[1:], [tuple(row.values())[1:] for row in rows],
            [tuple(row.values())[1:] for row in alerts])


def insert_computed(session: Session, ids: list[int], timelines: list[ComputedTimeline]) -> int:
    """Store timelines computed before the dossiers had their ids (`import` computes them
    before its write transaction): each gets its dossier's id, batch by batch."""
    connection = session.connection()
    sqlite = connection.dialect.name == "sqlite"
    for first in range(0, len(ids), BATCH):
        stamps, steps, alerts = [], [], []
        for dossier_id, (stamp, rows, alert_rows) in zip(
                ids[first:first + BATCH], timelines[first:first + BATCH], strict=True):
            stamps.append((dossier_id, *stamp))
            steps += [(dossier_id, *row) for row in rows]
            alerts += [(dossier_id, *row) for row in alert_rows]
        for table, columns, rows in ((StoredTimeline.__table__, STAMP_COLUMNS, stamps),
                                     (StoredStep.__table__, STEP_COLUMNS, steps),
                                     (StoredAlert.__table__, ALERT_COLUMNS, alerts)):
            if rows and sqlite:
                _sqlite_insert(connection, table, columns, rows)
            elif rows:
                connection.execute(insert(table), [dict(zip(columns, row, strict=True))
                                                   for row in rows])
    return len(ids)


def _sqlite_insert(connection: Any, table: Any, columns: tuple[str, ...],
                   rows: list[tuple[Any, ...]]) -> None:
    """The rows given to SQLite's executemany as they are stored (dates as SQLAlchemy writes
    them on SQLite, AAAA-MM-JJ; booleans as 0 and 1): most of an import's write transaction
    was SQLAlchemy preparing each row's parameters, while the write lock was held."""
    assert not any(isinstance(table.c[name].type, DateTime) for name in columns)
    quote = connection.dialect.identifier_preparer.quote  # « on » is a keyword
    statement = (f'INSERT INTO {quote(table.name)} ({", ".join(map(quote, columns))}) '
                 f'VALUES ({", ".join("?" for _ in columns)})')

    def stored(value: Any) -> Any:
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, bool):
            return int(value)
        return value

    connection.exec_driver_sql(statement, [tuple(map(stored, row)) for row in rows])


def stale_ids(session: Session) -> list[int]:
    """Dossiers without a stored timeline, or with one of another engine or holiday release,
    or (when today() is known) one whose interval of days has ended: a mission ended since,
    the next interval is stored."""
    stale = [StoredTimeline.dossier_id.is_(None), StoredTimeline.engine != engine_version(),
             StoredTimeline.holidays != holidays_version(), StoredTimeline.rules != Dossier.rules]
    if today() is not None:
        stale.append(StoredTimeline.valid_until <= today())
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
    return len(ids)


def candidates(first_day: date, last_day: date, *, overdue: bool = False,
               due_within: int | None = None, remind_since: date | None = None,
               remind_lead: int = 0) -> Select[Any]:
    """The ids of the dossiers that may have a step to show between `first_day` and
    `last_day` (the day in the earliest and the latest zone): a superset of what the engine
    will keep.

    overdue       a step not finished whose due date is before the day;
    due_within N  a step not finished due in the next N days;
    remind_since  what `remind` may say: a step not finished due by the day plus the
                  longest lead, or opened since that day, or a mission obligation at risk.
    Dossiers whose stored schedule does not hold on the day (a fact dated after `first_day`,
    an interval ended by `last_day`) are always in: the engine decides.
    """
    open_step = StoredStep.finished.is_(False)
    conditions = []
    if overdue:
        conditions.append(StoredStep.due < last_day)
    if due_within is not None:
        conditions.append(and_(StoredStep.due >= first_day,
                               StoredStep.due <= last_day + timedelta(days=due_within)))
    if remind_since is not None:
        conditions += [StoredStep.due <= last_day + timedelta(days=max(remind_lead, 0)),
                       and_(StoredStep.opens > remind_since, StoredStep.opens <= last_day),
                       StoredStep.at_risk_from <= last_day]
    by_steps = select(StoredStep.dossier_id).where(open_step, or_(*conditions))
    by_date = select(StoredTimeline.dossier_id).where(or_(StoredTimeline.valid_from > first_day,
                                                          StoredTimeline.valid_until <= last_day))
    return by_steps.union(by_date)


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
