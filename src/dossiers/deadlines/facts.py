"""What the engine is told about a dossier: frozen facts, no database rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from enum import Enum
from fractions import Fraction

from dossiers.deadlines.zones import DEFAULT_ZONE
from dossiers.deadlines.rulesets import AKTO_CURRENT, RuleSet


class Kind(Enum):
    CIPI = "cipi"
    CDPI = "cdpi"
    CAR = "car"


class ContractType(Enum):
    CTT = "ctt"
    CDII = "cdii"


class Programme(Enum):
    """National programmes; Langue et Compétences adds a step (R-CDPI-BILAN)."""

    LANGUE_COMPETENCES = "langue-competences"
    HOPE = "hope"
    MISSIONS_JEUNES = "missions-jeunes"


class EventKind(Enum):
    DRF_SUBMITTED = "drf-submitted"
    DRF_ACCORD = "drf-accord"
    DRF_REFUSAL = "drf-refusal"
    CONTRACT_SUBMITTED = "contract-submitted"
    FUNDING_GRANTED = "funding-granted"
    ATTENDANCE_SUBMITTED = "attendance-submitted"
    POSITIONING_DONE = "positioning-done"
    CAR_REQUEST_SUBMITTED = "car-request-submitted"
    CLOSE = "close"
    ABANDON = "abandon"


@dataclass(frozen=True)
class Event:
    kind: EventKind
    on: date


@dataclass(frozen=True)
class Mission:
    start: date
    end: date
    hours_worked: Fraction
    holiday_hours: Fraction = Fraction(0)

    @property
    def hours(self) -> Fraction:
        """R-CDPI-MISSION: paid public holidays inside a mission count as mission hours."""
        return self.hours_worked + self.holiday_hours


class IncidentKind(Enum):
    """Why a mission could not be delegated (R-CDPI-EXCUSE), with the proof each needs."""

    FAILURE = "echec"
    REFUSAL = "refus"
    ILLNESS = "maladie"
    TERMINATION = "rupture"
    OTHER_JOB = "autre-emploi"


@dataclass(frozen=True)
class Incident:
    """`until`: the last day of a sick leave (`maladie`); None when not entered, the leave is
    then read as its first day only (I-EXCUSE-IN-WINDOW)."""

    kind: IncidentKind
    on: date
    document_on: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class Company:
    """The agency as the funding conditions see it (R-CIPI-FUND, R-CDPI-FUND)."""

    headcount: int | None
    prism_member: bool


@dataclass(frozen=True)
class DossierFacts:
    kind: Kind
    training_start: date
    training_end: date
    training_hours: Fraction
    zone: str = DEFAULT_ZONE
    rules: RuleSet = AKTO_CURRENT
    programme: Programme | None = None
    events: tuple[Event, ...] = field(default_factory=tuple)
    missions: tuple[Mission, ...] = field(default_factory=tuple)
    contract_type: ContractType = ContractType.CTT
    eligibility: str | None = None
    in_user_company: bool = False
    afest: bool = False
    hourly_cost: Fraction | None = None
    positioning_hours: Fraction = Fraction(0)
    evaluation_hours: Fraction = Fraction(0)
    tutor_hours: Fraction = Fraction(0)
    # R-L&C: share of basic-skills or French-language content, 0 … 1 (None: not recorded).
    basic_skills_share: Fraction | None = None
    # R-CDPI-ELIG: hours in the branch over the 12 months before the start. Sensitive: it
    # reveals the eligibility basis; shown only by `show` and `explain`.
    seniority_hours: Fraction | None = None
    incidents: tuple[Incident, ...] = field(default_factory=tuple)
    documents: Mapping[str, date] = field(default_factory=dict)
    company: Company | None = None

    @property
    def bilan_hours(self) -> Fraction:
        """R-CIPI-BILAN, R-CDPI-BILAN: positioning and evaluation, paid at the flat rate."""
        return self.positioning_hours + self.evaluation_hours

    def as_of(self, day: date) -> DossierFacts:
        """The dossier as it stood on `day` (interpretation I-AS-OF-KNOWS-PAST): only events,
        missions (by their first day), incidents and documents dated on or before `day`
        exist; a justificatif received later is not yet received. Pure, and `self` when
        nothing is dated after `day`."""
        events = tuple(e for e in self.events if e.on <= day)
        missions = tuple(m for m in self.missions if m.start <= day)
        incidents = tuple(
            i if i.document_on is None or i.document_on <= day else replace(i, document_on=None)
            for i in self.incidents if i.on <= day
        )
        documents = {code: on for code, on in self.documents.items() if on <= day}
        if (len(events), len(missions), len(documents)) == (
            len(self.events), len(self.missions), len(self.documents)
        ) and incidents == self.incidents:
            return self
        return replace(self, events=events, missions=missions, incidents=incidents,
                       documents=documents)

    @property
    def closed_on(self) -> date | None:
        """The day the dossier was closed or abandoned, if it was."""
        dates = [e.on for e in self.events
                 if e.kind in (EventKind.CLOSE, EventKind.ABANDON)]
        return max(dates) if dates else None

    def last(self, kind: EventKind) -> date | None:
        """The latest date recorded for an event kind: a DRF redone replaces the first."""
        dates = [event.on for event in self.events if event.kind is kind]
        return max(dates) if dates else None
