"""A stored dossier as the engine's `DossierFacts`: the one mapping from rows to facts.

It reads what store/models.py and store/records.py hold (an ORM `Dossier` or a
`DossierRecord`, with the same attribute names), so it lives beside them: the store's stored
schedules (steps.py) and the services both take it from here, and the arrows only go down.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from dossiers.deadlines.facts import (
    Company, ContractType, DossierFacts, Event as EventFact, EventKind, Incident as IncidentFact,
    IncidentKind, Kind, Mission as MissionFact, Programme,
)
from dossiers.deadlines.rulesets import rules_of
from dossiers.parsing import from_minutes


def hours_or_none(minutes: int | None) -> Fraction | None:
    return None if minutes is None else from_minutes(minutes)


def facts_of(dossier: Any) -> DossierFacts:
    """The facts of a dossier (store.models.Dossier or store.records.DossierRecord read with
    its facts)."""
    agency = dossier.agency
    return DossierFacts(
        kind=Kind(dossier.kind),
        training_start=dossier.training_start,
        training_end=dossier.training_end,
        training_hours=from_minutes(dossier.training_minutes),
        zone=agency.zone,
        rules=rules_of(dossier.rules),
        programme=Programme(dossier.programme) if dossier.programme else None,
        events=tuple(EventFact(EventKind(e.kind), e.occurred_on) for e in dossier.events),
        missions=tuple(
            MissionFact(m.start, m.end, from_minutes(m.worked_minutes),
                        from_minutes(m.holiday_minutes))
            for m in dossier.missions
        ),
        contract_type=ContractType(dossier.contract_type),
        eligibility=dossier.eligibility,
        in_user_company=dossier.in_user_company,
        afest=dossier.afest,
        hourly_cost=None if dossier.hourly_cost_cents is None
        else Fraction(dossier.hourly_cost_cents, 100),
        positioning_hours=from_minutes(dossier.positioning_minutes or 0),
        evaluation_hours=from_minutes(dossier.evaluation_minutes or 0),
        tutor_hours=from_minutes(dossier.tutor_minutes or 0),
        basic_skills_share=None if dossier.basic_skills_basis_points is None
        else Fraction(dossier.basic_skills_basis_points, 10000),
        seniority_hours=hours_or_none(dossier.seniority_minutes),
        incidents=tuple(IncidentFact(IncidentKind(i.kind), i.occurred_on, i.document_on,
                                     i.until_on)
                        for i in dossier.incidents),
        documents={d.code: d.received_on for d in dossier.documents},
        company=Company(agency.headcount, agency.prism_member),
    )
