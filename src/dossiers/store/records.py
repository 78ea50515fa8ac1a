"""A light, read-only copy of dossiers for the commands that look at every one of them
(`list`, `report`, `remind`): plain rows streamed in batches, no ORM objects.

The records have the attribute names of the models, so `facts_of` and the views read
either. `show` and the writing commands keep the ORM. A record read without its facts (its
stored schedule is enough: services/timelines.py) has None for events, missions, incidents
and documents, so that `facts_of` fails loudly on it rather than see an empty dossier.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Select, select
from sqlalchemy.orm import Session

from dossiers.store.models import Agency, Document, Dossier, Event, Incident, Mission, Staff

BATCH = 5000


@dataclass(frozen=True)
class AgencyRecord:
    id: int
    name: str
    zone: str
    headcount: int | None
    prism_member: bool


@dataclass(frozen=True)
class StaffRecord:
    id: int
    name: str
    email: str
    role: str
    agency_id: int


@dataclass(frozen=True)
class EventRecord:
    kind: str
    occurred_on: date


@dataclass(frozen=True)
class MissionRecord:
    start: date
    end: date
    worked_minutes: int
    holiday_minutes: int


@dataclass(frozen=True)
class IncidentRecord:
    kind: str
    occurred_on: date
    document_on: date | None
    until_on: date | None = None


@dataclass(frozen=True)
class DocumentRecord:
    code: str
    received_on: date


@dataclass(frozen=True)
class DossierRecord:
    id: int
    reference: str
    kind: str
    worker: str
    contract_type: str
    programme: str | None
    training_start: date
    training_end: date
    training_minutes: int
    mission_minutes: int | None
    positioning_minutes: int | None
    evaluation_minutes: int | None
    tutor_minutes: int | None
    basic_skills_basis_points: int | None
    rules: str
    state: str
    eligibility: str | None
    seniority_minutes: int | None
    in_user_company: bool
    afest: bool
    hourly_cost_cents: int | None
    agency_id: int
    agency: AgencyRecord
    owner: StaffRecord
    events: tuple[EventRecord, ...] | None
    missions: tuple[MissionRecord, ...] | None
    incidents: tuple[IncidentRecord, ...] | None
    documents: tuple[DocumentRecord, ...] | None


DOSSIER_COLUMNS = (
    Dossier.id, Dossier.reference, Dossier.kind, Dossier.worker, Dossier.contract_type,
    Dossier.programme, Dossier.training_start, Dossier.training_end, Dossier.training_minutes,
    Dossier.mission_minutes, Dossier.positioning_minutes, Dossier.evaluation_minutes,
    Dossier.tutor_minutes, Dossier.basic_skills_basis_points, Dossier.rules, Dossier.state,
    Dossier.eligibility, Dossier.seniority_minutes, Dossier.in_user_company, Dossier.afest, Dossier.hourly_cost_cents,
    Dossier.agency_id, Dossier.owner_id,
)


def dossier_query() -> Select[Any]:
    """The dossier columns, ordered by agency, owner and reference; callers add filters."""
    return (select(*DOSSIER_COLUMNS).join(Agency, Dossier.agency_id == Agency.id)
            .join(Staff, Dossier.owner_id == Staff.id)
            .order_by(Agency.name, Staff.name, Dossier.reference))


def _children(connection: Connection, ids: list[int]) -> dict[str, dict[int, list[Any]]]:
    found: dict[str, dict[int, list[Any]]] = {name: defaultdict(list) for name in
                                              ("events", "missions", "incidents", "documents")}
    for row in connection.execute(select(Event.dossier_id, Event.kind, Event.occurred_on)
                                  .where(Event.dossier_id.in_(ids)).order_by(Event.id)):
        found["events"][row[0]].append(EventRecord(row[1], row[2]))
    for row in connection.execute(select(Mission.dossier_id, Mission.start, Mission.end,
                                         Mission.worked_minutes, Mission.holiday_minutes)
                                  .where(Mission.dossier_id.in_(ids)).order_by(Mission.start)):
        found["missions"][row[0]].append(MissionRecord(row[1], row[2], row[3], row[4]))
    for row in connection.execute(select(Incident.dossier_id, Incident.kind,
                                         Incident.occurred_on, Incident.document_on,
                                         Incident.until_on)
                                  .where(Incident.dossier_id.in_(ids)).order_by(Incident.id)):
        found["incidents"][row[0]].append(IncidentRecord(row[1], row[2], row[3], row[4]))
    for row in connection.execute(select(Document.dossier_id, Document.code,
                                         Document.received_on)
                                  .where(Document.dossier_id.in_(ids)).order_by(Document.id)):
        found["documents"][row[0]].append(DocumentRecord(row[1], row[2]))
    return found


def stream_dossiers(session: Session, query: Select[Any]) -> Iterator[DossierRecord]:
    """The dossiers of `query` (built on dossier_query), batch by batch, with their facts."""
    reader = RecordReader(session)
    for batch in dossier_batches(session, query):
        yield from reader.records(batch, [row.id for row in batch])


def dossier_batches(session: Session, query: Select[Any]) -> Iterator[Sequence[Any]]:
    """The rows of `query` (built on dossier_query), streamed in batches (Core rows on the
    session's connection: no ORM bookkeeping)."""
    # Per statement: Connection.execution_options() would change the session's connection.
    # Closed when the reader stops early (the web view's pages): PostgreSQL's server-side
    # cursor is released in the transaction, not left to the garbage collector.
    with session.connection().execute(query,
                                      execution_options={"stream_results": True}) as result:
        yield from result.partitions(BATCH)


class RecordReader:
    """Turns rows of dossier_query into records; agencies and staff are read once."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.agencies = {a.id: AgencyRecord(a.id, a.name, a.zone, a.headcount, a.prism_member)
                         for a in session.execute(select(Agency.id, Agency.name, Agency.zone,
                                                         Agency.headcount, Agency.prism_member))}
        self.staff = {s.id: StaffRecord(s.id, s.name, s.email, s.role, s.agency_id)
                      for s in session.execute(select(Staff.id, Staff.name, Staff.email,
                                                      Staff.role, Staff.agency_id))}

    def records(self, batch: Sequence[Any], with_facts: Collection[int]) -> list[DossierRecord]:
        """The batch's records; those in `with_facts` with their events, missions, incidents
        and documents, the others without (None)."""
        wanted = set(with_facts)
        children = _children(self.session.connection(), sorted(wanted)) if wanted else {}
        # The record's own fields: the dossier's columns, but its owner's id (given as a
        # record) and whatever a caller added after them.
        own = len(DOSSIER_COLUMNS) - 1
        records = []
        for row in batch:
            if row.id in wanted:
                facts = [tuple(children[name].get(row.id, ()))
                         for name in ("events", "missions", "incidents", "documents")]
            else:
                facts = [None, None, None, None]
            records.append(DossierRecord(*row[:own], self.agencies[row.agency_id],
                                         self.staff[row.owner_id], *facts))
        return records


def managers_by_agency(session: Session) -> dict[int, list[StaffRecord]]:
    managers: dict[int, list[StaffRecord]] = defaultdict(list)
    for s in session.execute(select(Staff.id, Staff.name, Staff.email, Staff.role,
                                    Staff.agency_id).where(Staff.role == "manager")
                             .order_by(Staff.name)):
        managers[s.agency_id].append(StaffRecord(s.id, s.name, s.email, s.role, s.agency_id))
    return managers
