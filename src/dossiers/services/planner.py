"""`dossiers plan`: the dates of a dossier before it exists, without a database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from dossiers.deadlines.bounds import check_dossier, check_event_date, check_event_kind
from dossiers.deadlines.engine import compute_timeline
from dossiers.deadlines.facts import DossierFacts, Event, EventKind, Kind, Programme
from dossiers.deadlines.timeline import Timeline
from dossiers.services.dossiers import rules_of


@dataclass(frozen=True)
class PlanRequest:
    kind: str
    start: date
    end: date
    training_hours: Fraction
    zone: str
    rules: str
    mission_hours: Fraction | None = None
    programme: Programme | None = None
    drf_submitted: date | None = None
    drf_accord: date | None = None


def plan_timeline(request: PlanRequest, as_of: date) -> Timeline:
    """Validated like `open` and `record` (R-*-HOURS, R-DRF-WINDOW), then computed."""
    kind = Kind(request.kind)
    rules = rules_of(request.rules)
    check_dossier(kind, request.start, request.end, request.training_hours, rules,
                  request.mission_hours)
    events = []
    if request.drf_submitted is not None:
        check_event_kind(kind, EventKind.DRF_SUBMITTED)
        check_event_date(EventKind.DRF_SUBMITTED, request.drf_submitted, request.start, None, None,
                         "--drf-submitted")
        events.append(Event(EventKind.DRF_SUBMITTED, request.drf_submitted))
    if request.drf_accord is not None:
        check_event_kind(kind, EventKind.DRF_ACCORD)
        check_event_date(EventKind.DRF_ACCORD, request.drf_accord, request.start,
                         request.drf_submitted or request.drf_accord, None, "--drf-accord")
        events.append(Event(EventKind.DRF_ACCORD, request.drf_accord))
    facts = DossierFacts(kind=kind, training_start=request.start, training_end=request.end,
                         training_hours=request.training_hours, zone=request.zone, rules=rules,
                         programme=request.programme, events=tuple(events))
    return compute_timeline(facts, as_of)

