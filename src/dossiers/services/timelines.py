"""Dossiers seen on a day, for the commands that look at many (`list`, `report`, `remind`,
`calendar`): from the stored schedule when it holds on that day, from the facts otherwise.

A stored schedule holds on every day from its `valid_from` to the day before its `valid_until`,
while the engine, the holiday data and the rule set are those it was stamped with
(store/steps.py). On another day — `--as-of` before the interval, a change of the facts
(a mission's end, a fact dated ahead) reached since the schedule was stored — the facts known
on that day are read and the engine runs in memory (I-AS-OF-KNOWS-PAST). Both end in the same
deadlines/status.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from dossiers.deadlines.engine import compute_timeline
from dossiers.deadlines.status import status_on
from dossiers.deadlines.timeline import Timeline
from dossiers.store import steps
from dossiers.store.models import Dossier, StoredTimeline
from dossiers.store.packed import unpack
from dossiers.store.records import DossierRecord, RecordReader, dossier_batches

DayInZone = Callable[[str], date]
# The stored timeline's columns read with each dossier's row (labelled: the dossier's own
# columns have a `rules` too).
STAMP_COLUMNS = (StoredTimeline.engine.label("stored_engine"),
                 StoredTimeline.holidays.label("stored_holidays"),
                 StoredTimeline.rules.label("stored_rules"),
                 StoredTimeline.valid_from, StoredTimeline.valid_until,
                 StoredTimeline.closed_on, StoredTimeline.schedule)


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
    `keep`, a test of a dossier row that SQL cannot make, skips the others before any work.
    Each dossier's stored timeline comes with its row, in the same query."""
    from dossiers.services.dossiers import facts_on, open_on

    reader = RecordReader(session)
    engine, holidays = steps.engine_version(), steps.holidays_version()
    query = (query.outerjoin(StoredTimeline, StoredTimeline.dossier_id == Dossier.id)
             .add_columns(*STAMP_COLUMNS))
    for batch in dossier_batches(session, query):
        if keep is not None:
            batch = [row for row in batch if keep(row)]
        days = [day_in(reader.agencies[row.agency_id].zone) for row in batch]
        # The stored schedule holds on the day: this engine's, holiday data's and rule set's,
        # and the day in its interval.
        holds = [row.stored_engine == engine and row.stored_holidays == holidays
                 and row.stored_rules == row.rules
                 and (row.valid_from is None or row.valid_from <= day)
                 and (row.valid_until is None or day < row.valid_until)
                 for row, day in zip(batch, days, strict=True)]
        records = reader.records(batch, [row.id for row, stored in zip(batch, holds, strict=True)
                                         if not stored])
        for row, record, day, stored in zip(batch, records, days, holds, strict=True):
            if stored:
                is_open = row.closed_on is None or row.closed_on > day
                timeline = status_on(unpack(row.schedule), day)
            else:
                facts = facts_on(record, day)
                is_open = open_on(facts)
                # The same as a stored one: no detail that only `show` prints.
                timeline = compute_timeline(facts, day).without_detail()
            if is_open and record.state != "open":
                record = replace(record, state="open")  # closed after the day
            yield SeenDossier(record, day, timeline, is_open)
