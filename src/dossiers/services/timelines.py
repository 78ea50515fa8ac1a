"""Dossiers seen on a day, for the commands that look at many (`list`, `report`, `remind`,
`calendar`): from the stored schedule when it holds on that day, from the facts otherwise.

A stored schedule holds on every day from its `valid_from` to the day before its `valid_until`,
while the engine, the holiday data and the rule set are those it was stamped with
(store/steps.py). On another day — `--as-of` in the past, a dossier holding a future-dated
entry, a mission ended since the schedule was stored — the facts known on that day are read
and the engine runs in memory (I-AS-OF-KNOWS-PAST). Both end in the same
deadlines/status.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from dossiers.deadlines.engine import compute_timeline
from dossiers.deadlines.status import status_on
from dossiers.deadlines.timeline import Timeline
from dossiers.store import steps
from dossiers.store.models import StoredTimeline
from dossiers.store.records import DossierRecord, RecordReader, dossier_batches

DayInZone = Callable[[str], date]
STAMP_COLUMNS = (StoredTimeline.dossier_id, StoredTimeline.engine, StoredTimeline.holidays,
                 StoredTimeline.rules, StoredTimeline.valid_from, StoredTimeline.valid_until,
                 StoredTimeline.closed_on,
                 StoredTimeline.mission_hours, StoredTimeline.drf_redo)


@dataclass(frozen=True)
class SeenDossier:
    """A dossier on its zone's day: its record (facts read only when the engine ran), its
    timeline without detail (Timeline.without_detail), and whether it was open on that day."""

    dossier: DossierRecord
    day: date
    timeline: Timeline
    open: bool


def timelines_on(session: Session, query: Select[Any], day_in: DayInZone,
                 keep: Callable[[Any], bool] | None = None) -> Iterator[SeenDossier]:
    """Every dossier of `query` (built on store.records.dossier_query), in its order, seen on
    the day it is in its zone. A dossier closed after the day is shown open, as it was.
    `keep`, a test of a dossier row that SQL cannot make, skips the others before any work."""
    from dossiers.services.dossiers import facts_on, open_on

    reader = RecordReader(session)
    for batch in dossier_batches(session, query):
        if keep is not None:
            batch = [row for row in batch if keep(row)]
        ids = [row.id for row in batch]
        stamps = {stamp.dossier_id: stamp for stamp in
                  session.connection().execute(select(*STAMP_COLUMNS)
                                               .where(StoredTimeline.dossier_id.in_(ids)))}
        stored = {}
        for row in batch:
            stamp = stamps.get(row.id)
            day = day_in(reader.agencies[row.agency_id].zone)
            if (stamp is not None and steps.current(stamp, row.rules)
                    and (stamp.valid_from is None or stamp.valid_from <= day)
                    and (stamp.valid_until is None or day < stamp.valid_until)):
                stored[row.id] = stamp
        schedules = steps.load(session, stored)
        records = reader.records(batch, [i for i in ids if i not in stored])
        for record in records:
            day = day_in(record.agency.zone)
            if record.id in stored:
                closed_on = stored[record.id].closed_on
                is_open = closed_on is None or closed_on > day
                timeline = status_on(schedules[record.id], day)
            else:
                facts = facts_on(record, day)
                is_open = open_on(facts)
                # The same as a stored one: no detail that only `show` prints.
                timeline = compute_timeline(facts, day).without_detail()
            if is_open and record.state != "open":
                record = replace(record, state="open")  # closed after the day
            yield SeenDossier(record, day, timeline, is_open)
