"""`dossiers plan`: the dates of a dossier before it exists, without a database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from dossiers.deadlines.bounds import check_dossier, check_event_date, check_event_kind
from dossiers.deadlines.engine import compute_timeline
from dossiers.deadlines.explain import explain
from dossiers.deadlines.facts import DossierFacts, Event, EventKind, Kind, Programme
from dossiers.deadlines.timeline import Timeline
from dossiers.deadlines.rulesets import rules_of


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


def plan_facts(request: PlanRequest) -> DossierFacts:
    events = []
    if request.drf_submitted is not None:
        events.append(Event(EventKind.DRF_SUBMITTED, request.drf_submitted))
    if request.drf_accord is not None:
        events.append(Event(EventKind.DRF_ACCORD, request.drf_accord))
    return DossierFacts(kind=Kind(request.kind), training_start=request.start,
                        training_end=request.end, training_hours=request.training_hours,
                        zone=request.zone, rules=rules_of(request.rules),
                        programme=request.programme, events=tuple(events))


def plan_explanations(request: PlanRequest, timeline: Timeline) -> list[tuple[str, str]]:
    return explain(plan_facts(request), timeline)


def plan_timeline(request: PlanRequest, as_of: date) -> Timeline:
    """Validated like `open` and `record` (R-*-HOURS, R-DRF-WINDOW), then computed."""
    kind = Kind(request.kind)
    rules = rules_of(request.rules)
    check_dossier(kind, request.start, request.end, request.training_hours, rules,
                  request.mission_hours)
    if request.drf_submitted is not None:
        check_event_kind(kind, EventKind.DRF_SUBMITTED)
        check_event_date(EventKind.DRF_SUBMITTED, request.drf_submitted, request.start, None, None,
                         "--drf-submitted")
    if request.drf_accord is not None:
        check_event_kind(kind, EventKind.DRF_ACCORD)
        check_event_date(EventKind.DRF_ACCORD, request.drf_accord, request.start,
                         request.drf_submitted or request.drf_accord, None, "--drf-accord")
    return compute_timeline(plan_facts(request), as_of)

