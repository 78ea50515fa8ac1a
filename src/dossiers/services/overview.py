"""What the web view reads, always through a `Scope` (services/access.py): the filter
choices, one page of report rows, one dossier, and when an owner's calendar last changed.

The rows are those of `report overdue` / `report upcoming` (reports/rows.py over
`list_dossiers`, so the same SQL candidate selection over the stored schedules), cut to the
scope and the filters, and read only as far as the page asked for.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from itertools import islice

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dossiers.reports.rows import ReportRow, report_rows
from dossiers.services.access import Scope
from dossiers.services.dossiers import DayInZone, ListFilter, list_dossiers
from dossiers.store.models import Agency, Change, Dossier, Event, Staff


@dataclass(frozen=True)
class Choices:
    agencies: tuple[str, ...]
    owners: tuple[tuple[int, str], ...]


def choices(session: Session, scope: Scope) -> Choices:
    """The agencies and the owners the scope may filter on (none for a `charge`)."""
    if not scope.wide:
        return Choices((), ())
    agencies = select(Agency.name).order_by(Agency.name)
    owners = select(Staff.id, Staff.name).order_by(Staff.name, Staff.id)
    if scope.role != "admin":
        agencies = agencies.where(Agency.id == scope.agency_id)
        owners = owners.where(Staff.agency_id == scope.agency_id)
    return Choices(tuple(session.scalars(agencies)),
                   tuple((row.id, row.name) for row in session.execute(owners)))


def owner_email(session: Session, scope: Scope, staff_id: int) -> str | None:
    """The email of an owner the scope may filter on, else None."""
    if not scope.wide:
        return None
    query = select(Staff.email).where(Staff.id == staff_id)
    if scope.role != "admin":
        query = query.where(Staff.agency_id == scope.agency_id)
    return session.scalar(query)


def scoped_rows(session: Session, scope: Scope, day_in: DayInZone, day: date, kind: str,
                where: ListFilter, within: int | None = None,
                statuses: frozenset[str] = frozenset()) -> Iterator[ReportRow]:
    """The report's rows (`kind` "overdue" or "upcoming") of the scope, as they come."""
    where = replace(where, scope=scope, overdue=kind == "overdue",
                    due_within=within if kind == "upcoming" else None)
    rows = report_rows(kind, list_dossiers(session, day_in, where), day, within)
    if statuses:
        return (row for row in rows if row.status in statuses)
    return rows


def page_of(rows: Iterator[ReportRow], page: int, size: int) -> tuple[list[ReportRow], bool]:
    """Rows of page `page` (from 1), and whether another page follows: the rows after it are
    never computed."""
    try:
        taken = list(islice(rows, (page - 1) * size, page * size + 1))
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()  # the stream below it (a server-side cursor) ends in this transaction
    return taken[:size], len(taken) > size


def dossier_in_scope(session: Session, scope: Scope, reference: str) -> Dossier | None:
    """The dossier of this exact reference, if the scope sees it."""
    return session.scalar(scope.restrict(select(Dossier)).where(Dossier.reference == reference))


def last_modified(session: Session, scope: Scope, since: datetime, day_starts: datetime
                  ) -> datetime:
    """The latest moment the scope's calendar may have changed: a recorded fact or a logged
    change of one of its dossiers, the subscription itself (`since`), the day's start."""
    ids = scope.restrict(select(Dossier.id)).scalar_subquery()
    moments = [since, day_starts,
               session.scalar(select(func.max(Change.at)).where(Change.dossier_id.in_(ids))),
               session.scalar(select(func.max(Event.recorded_at)).where(Event.dossier_id.in_(ids)))]
    return max(moment for moment in moments if moment is not None).replace(microsecond=0)


def day_start_utc(day: date, time_zone: str) -> datetime:
    """Midnight of `day` in `time_zone`, as a naive UTC moment (like the stored ones)."""
    from datetime import UTC
    from zoneinfo import ZoneInfo

    local = datetime.combine(day, time(0), tzinfo=ZoneInfo(time_zone))
    return local.astimezone(UTC).replace(tzinfo=None)
