"""`dossiers plan`: the dates of a dossier before it exists, without a database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from dossiers.deadlines.bounds import (
    check_dossier, check_drf_deposit, check_event_date, check_event_kind,
)
from dossiers.deadlines.engine import compute_timeline
from dossiers.deadlines.explain import explain
from dossiers.deadlines.facts import DossierFacts, Event, EventKind, Kind, Programme
from dossiers.deadlines.timeline import Timeline
from dossiers.deadlines.rulesets import RuleSet, choose_rule_set, rules_of


@dataclass(frozen=True)
class PlanRequest:
    kind: str
    start: date
    end: date
    training_hours: Fraction
    zone: str
    rules: str | None = None
    """None chooses the rule set by date (I-RULES-DATE)."""
    mission_hours: Fraction | None = None
    positioning_hours: Fraction | None = None
    evaluation_hours: Fraction | None = None
    programme: Programme | None = None
    drf_submitted: date | None = None
    drf_accord: date | None = None


def plan_rules(request: PlanRequest) -> RuleSet:
    """The rule set named, or the one chosen by date (I-RULES-DATE)."""
    if request.rules:
        return rules_of(request.rules)
    return choose_rule_set(request.start, request.zone, request.kind != Kind.CAR.value).rules


def plan_facts(request: PlanRequest) -> DossierFacts:
    events = []
    if request.drf_submitted is not None:
        events.append(Event(EventKind.DRF_SUBMITTED, request.drf_submitted))
    if request.drf_accord is not None:
        events.append(Event(EventKind.DRF_ACCORD, request.drf_accord))
    return DossierFacts(kind=Kind(request.kind), training_start=request.start,
                        training_end=request.end, training_hours=request.training_hours,
                        zone=request.zone, rules=plan_rules(request),
                        programme=request.programme, events=tuple(events),
                        positioning_hours=request.positioning_hours or Fraction(0),
                        evaluation_hours=request.evaluation_hours or Fraction(0))


def plan_explanations(request: PlanRequest, timeline: Timeline) -> list[tuple[str, str]]:
    return explain(plan_facts(request), timeline)


def plan_timeline(request: PlanRequest, as_of: date) -> Timeline:
    """Validated like `open` and `record` (R-*-HOURS, R-DRF-WINDOW), then computed."""
    kind = Kind(request.kind)
    rules = plan_rules(request)
    check_dossier(kind, request.start, request.end, request.training_hours, rules,
                  request.mission_hours, positioning_hours=request.positioning_hours,
                  evaluation_hours=request.evaluation_hours)
    if request.drf_submitted is not None:
        check_event_kind(kind, EventKind.DRF_SUBMITTED)
        check_event_date(EventKind.DRF_SUBMITTED, request.drf_submitted, request.start, None, None,
                         "--drf-submitted")
        check_drf_deposit(rules, request.drf_submitted, "--drf-submitted")
    if request.drf_accord is not None:
        check_event_kind(kind, EventKind.DRF_ACCORD)
        check_event_date(EventKind.DRF_ACCORD, request.drf_accord, request.start,
                         request.drf_submitted or request.drf_accord, None, "--drf-accord")
    # The dates given to a plan are hypotheses, not facts of a day: the plan is seen from
    # the latest of them when it lies after `as_of` (I-AS-OF-KNOWS-PAST cuts facts, not plans).
    given = [d for d in (request.drf_submitted, request.drf_accord) if d is not None]
    return compute_timeline(plan_facts(request), max([as_of, *given]))

