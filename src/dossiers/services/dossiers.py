"""Open, record, update, find and list dossiers; their timelines come from the engine."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields
from datetime import date, datetime
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from dossiers import messages
from dossiers.deadlines.documents import checklist
from dossiers.deadlines.bounds import (
    check_basic_skills_share, check_dossier, check_drf_deposit, check_event_date,
    check_event_kind, check_seniority,
)
from dossiers.deadlines.engine import compute_timeline, current_accord
from dossiers.deadlines.facts import (
    ContractType, DossierFacts, EventKind, IncidentKind, Kind, Programme,
)
from dossiers.deadlines.eligibility import categories_for
from dossiers.deadlines.rulesets import RuleSet, choose_rule_set, rules_of
from dossiers.deadlines.zones import ZONES
from dossiers.deadlines.timeline import Alert, Step, Timeline, due_within
from dossiers.errors import InvalidInput
from dossiers.matching import contains, match, normalise
from dossiers.parsing import from_minutes, parse_reference, reference_key, to_minutes
from dossiers.services.lookup import resolve
from dossiers.store.models import (
    Change, Document, Dossier, Event, Incident, Mission,
)
from dossiers.store.facts import facts_of, hours_or_none
from dossiers.store.database import writing
from dossiers.store.steps import candidates, lock_dossiers

if TYPE_CHECKING:
    from dossiers.services.access import Scope
    from dossiers.store.records import DossierRecord

# services.network and store.records are imported by the functions that use them: `show` and
# the other commands on one dossier start without them.

DayInZone = Callable[[str], date]
"""Which day it is in a zone (R-CAL-4): a fixed --as-of, or the clock read by the CLI."""

CLOSING_EVENTS = {EventKind.CLOSE: "closed", EventKind.ABANDON: "abandoned"}


@dataclass(frozen=True)
class DossierDraft:
    """What a user gives to open a dossier, already parsed."""

    kind: Kind
    worker: str
    contract_type: ContractType
    training_start: date
    training_end: date
    training_hours: Fraction
    owner_email: str
    programme: Programme | None = None
    mission_hours: Fraction | None = None
    positioning_hours: Fraction | None = None
    evaluation_hours: Fraction | None = None
    agency_name: str | None = None
    rules: str | None = None
    """A rule set's name; None chooses it by date (I-RULES-DATE)."""
    reference: str | None = None
    eligibility: str | None = None
    in_user_company: bool = False
    afest: bool = False
    hourly_cost: Fraction | None = None
    tutor_hours: Fraction | None = None
    basic_skills_share: Fraction | None = None
    seniority_hours: Fraction | None = None
    duplicate: bool = False
    """Open it even if the worker already has a dossier of this kind starting that day."""


def check_eligibility(kind: Kind, code: str | None) -> None:
    """R-CIPI-ELIG, R-CDPI-ELIG, R-CAR-ELIG: a basis the kind accepts."""
    if code is None:
        return
    allowed = categories_for(kind)
    if code not in allowed:
        rule = {Kind.CIPI: "R-CIPI-ELIG", Kind.CDPI: "R-CDPI-ELIG", Kind.CAR: "R-CAR-ELIG"}[kind]
        raise InvalidInput("éligibilité", f"« {code} » n'ouvre pas droit au "
                           f"{messages.KIND_LABELS[kind.value]} (possibles : "
                           f"{', '.join(allowed)})", rule)


Log = tuple[str, str | None, str | None]
"""One line of a dossier's history: what, before, after."""


class Directory(Protocol):
    """What opening a dossier looks up: the database itself (`open`), or what `import` read
    of it once, with the file's rows already checked (services/importer.py)."""

    def staff(self, email: str) -> Any:
        """The owner, by email or name (staff_by_email): a Staff or a StaffRecord."""

    def agency(self, name: str) -> Any:
        """An agency by name (agency_named): an Agency or an AgencyRecord."""

    def agency_of(self, owner: Any) -> Any:
        """The owner's agency."""

    def reference_taken(self, reference: str) -> str | None:
        """The stored reference that is the same as this one (reference_key), if any."""

    def references_like(self, prefix: str) -> int:
        """How many references the database's LIKE 'prefix%' matches."""

    def same_day(self, kind: Kind, start: date, agency_id: int,
                 worker: str) -> Iterable[tuple[str, str]]:
        """(reference, worker) of the dossiers of this kind, start and agency that are not
        abandoned, oldest first; those of other workers may be left out."""


@dataclass(frozen=True)
class SessionDirectory:
    """The lookups of `open`: one query each, in the command's transaction."""

    session: Session

    def staff(self, email: str) -> Any:
        from dossiers.services.network import staff_by_email

        return staff_by_email(self.session, email)

    def agency(self, name: str) -> Any:
        from dossiers.services.network import agency_named

        return agency_named(self.session, name)

    def agency_of(self, owner: Any) -> Any:
        return owner.agency

    def reference_taken(self, reference: str) -> str | None:
        return self.session.scalar(
            select(Dossier.reference).where(Dossier.reference_key == reference_key(reference)))

    def references_like(self, prefix: str) -> int:
        return self.session.scalar(
            select(func.count()).where(Dossier.reference.like(f"{prefix}%"))) or 0

    def same_day(self, kind: Kind, start: date, agency_id: int,
                 worker: str) -> Iterable[tuple[str, str]]:
        # Every worker's: one small query, compared by _check_not_duplicate.
        return [(reference, other) for reference, other
                in self.session.execute(same_day_query(kind, start, agency_id))]


@dataclass(frozen=True)
class Opening:
    """A draft checked against its kind's bounds and the dossiers there are: what to store."""

    worker: str
    owner: Any
    agency: Any
    rules: RuleSet
    reference: str


def check_opening(draft: DossierDraft, directory: Directory) -> Opening:
    """Validate the bounds of its kind (R-CIPI-HOURS, R-CDPI-HOURS, R-CAR-HOURS), the owner,
    the agency, the rule set (I-RULES-DATE), the reference and duplicates: `open` and
    `import` both."""
    worker = draft.worker.strip()
    if not worker:
        raise InvalidInput(messages.FIELD_LABELS["worker"], "ne peut pas être vide")
    owner = directory.staff(draft.owner_email)
    agency = directory.agency_of(owner)
    if draft.agency_name is not None:
        agency = directory.agency(draft.agency_name)
        if agency.id != owner.agency_id:
            raise InvalidInput(messages.FIELD_LABELS["agency"],
                               f"{owner.name} n'appartient pas à l'agence « {agency.name} »")
    rules = (rules_of(draft.rules) if draft.rules else
             choose_rule_set(draft.training_start, agency.zone, draft.kind is not Kind.CAR).rules)
    check_dossier(draft.kind, draft.training_start, draft.training_end, draft.training_hours,
                  rules, draft.mission_hours, positioning_hours=draft.positioning_hours,
                  evaluation_hours=draft.evaluation_hours, tutor_hours=draft.tutor_hours)
    check_eligibility(draft.kind, draft.eligibility)
    check_seniority(draft.kind, draft.eligibility, draft.seniority_hours, rules)
    check_basic_skills_share(draft.basic_skills_share)
    _check_cost(draft.hourly_cost)
    field = messages.FIELD_LABELS["reference"]
    reference = (parse_reference(field, draft.reference) if (draft.reference or "").strip()
                 else _next_reference(directory, draft))
    stored = directory.reference_taken(reference)
    if stored is not None:
        raise InvalidInput(field, messages.reference_taken(reference, stored))
    if not draft.duplicate:
        _check_not_duplicate(directory.same_day(draft.kind, draft.training_start, agency.id,
                                                worker), draft.kind, worker, draft.training_start)
    return Opening(worker, owner, agency, rules, reference)


def dossier_columns(draft: DossierDraft, opening: Opening, now: datetime) -> dict[str, Any]:
    """The `dossiers` row of a new dossier, as `open` and `import` store it."""
    return {
        "reference": opening.reference,
        "reference_key": reference_key(opening.reference),
        "kind": draft.kind.value,
        "worker": opening.worker,
        "contract_type": draft.contract_type.value,
        "programme": draft.programme.value if draft.programme else None,
        "training_start": draft.training_start,
        "training_end": draft.training_end,
        "training_minutes": to_minutes(draft.training_hours),
        "mission_minutes": _minutes_or_none(draft.mission_hours),
        "positioning_minutes": _minutes_or_none(draft.positioning_hours),
        "evaluation_minutes": _minutes_or_none(draft.evaluation_hours),
        "tutor_minutes": _minutes_or_none(draft.tutor_hours),
        "basic_skills_basis_points": _basis_points_or_none(draft.basic_skills_share),
        "seniority_minutes": _minutes_or_none(draft.seniority_hours),
        "owner_id": opening.owner.id,
        "agency_id": opening.agency.id,
        "rules": opening.rules.name,
        "state": "open",
        "created_at": now,
        "eligibility": draft.eligibility,
        "in_user_company": draft.in_user_company,
        "afest": draft.afest,
        "hourly_cost_cents": _cents_or_none(draft.hourly_cost),
    }


def opening_log(opening: Opening) -> Log:
    return ("ouverture", None, f"{opening.reference} ({opening.rules.name})")


def open_dossier(session: Session, draft: DossierDraft, now: datetime) -> Dossier:
    """Check the draft (check_opening) and store it."""
    opening = check_opening(draft, SessionDirectory(session))
    dossier = Dossier(**dossier_columns(draft, opening, now), owner=opening.owner,
                      agency=opening.agency)
    session.add(dossier)
    session.flush()
    log_change(session, dossier, now, *opening_log(opening))
    return dossier


def same_day_query(kind: Kind, start: date, agency_id: int) -> Select[Any]:
    """The dossiers a new one of this kind, start and agency may duplicate (not abandoned)."""
    return (select(Dossier.reference, Dossier.worker)
            .where(Dossier.kind == kind.value, Dossier.training_start == start,
                   Dossier.agency_id == agency_id, Dossier.state != "abandoned")
            .order_by(Dossier.id))


class DuplicateDossier(InvalidInput):
    """A dossier most likely typed twice; `open --duplicate` (or the import's `doublon`
    column) confirms it."""

    def __init__(self, worker: str, kind: Kind, start: date, reference: str,
                 confirm: str = messages.DUPLICATE_CONFIRM_OPEN) -> None:
        super().__init__(messages.FIELD_LABELS["worker"], messages.duplicate_dossier(
            worker, kind.value, start, reference, confirm))
        self.details = (worker, kind, start, reference)

    def confirmed_by(self, confirm: str) -> DuplicateDossier:
        """The same refusal, saying how to confirm where the dossier was typed."""
        return DuplicateDossier(*self.details, confirm)


def _check_not_duplicate(same_day: Iterable[tuple[str, str]], kind: Kind, worker: str,
                         start: date) -> None:
    """A second dossier of the same kind in the same agency, for the same worker (without case
    or accents) and the same training start, is most likely typed twice: refused unless
    confirmed. An abandoned dossier does not count; another agency's worker of the same name
    is taken for another person."""
    for reference, other in same_day:
        if normalise(other) == normalise(worker):
            raise DuplicateDossier(other, kind, start, reference)


def reference_prefix(kind: Kind, start: date) -> str:
    return f"{kind.value.upper()}-{start.year}-"


def _next_reference(directory: Directory, draft: DossierDraft) -> str:
    prefix = reference_prefix(draft.kind, draft.training_start)
    number = directory.references_like(prefix) + 1
    while directory.reference_taken(f"{prefix}{number:04d}") is not None:
        number += 1
    return f"{prefix}{number:04d}"


def _check_cost(cost: Fraction | None) -> None:
    if cost is not None and cost <= 0:
        raise InvalidInput("coût horaire", "doit être un montant positif", "R-SURCOUT")


def _cents_or_none(value: Fraction | None) -> int | None:
    return None if value is None else round(value * 100)


def _minutes_or_none(value: Fraction | None) -> int | None:
    return None if value is None else to_minutes(value)


def _basis_points_or_none(share: Fraction | None) -> int | None:
    """R-L&C: a share of 0 … 1 as hundredths of a percent (parsed to that precision)."""
    return None if share is None else round(share * 10000)


def find_dossier(session: Session, ident: str) -> Dossier:
    """By reference exactly, then as the same reference (reference_key: « met-0001 » or
    « ＭＥＴ-0001 » for « MET-0001 »), or by number; otherwise by reference without case or
    accents, or a unique prefix of it (« cdpi-2027-00 » when only one reference starts so);
    a miss names the nearest reference. In a write transaction the dossier's row is locked
    first (store.steps.lock_dossiers): writers of one dossier serialise."""
    text = ident.strip()
    found = session.scalar(select(Dossier.id).where(Dossier.reference == text))
    if found is None and text:
        found = session.scalar(select(Dossier.id).where(
            Dossier.reference_key == reference_key(text)))
    if found is None and text.isdigit():
        found = session.scalar(select(Dossier.id).where(Dossier.id == int(text)))
    if found is None:
        # Only on a miss: the references, as plain rows (two columns, read once).
        found = resolve("dossier", ident, session.execute(select(Dossier.reference, Dossier.id)),
                        "aucun dossier", "dossiers")
    if writing(session):
        # A write: its row locked before any of its facts is read (a concurrent writer of the
        # same dossier waits), then read again as the lock found it.
        lock_dossiers(session, [found])
        return session.scalars(select(Dossier).where(Dossier.id == found)
                               .execution_options(populate_existing=True)).one()
    return session.get_one(Dossier, found)


def facts_on(dossier: Dossier | DossierRecord, day: date) -> DossierFacts:
    """The dossier as it stood on `day` (I-AS-OF-KNOWS-PAST): every read path (show, list,
    reports, reminders, explain, doc) goes through here."""
    return facts_of(dossier).as_of(day)


def timeline_of(dossier: Dossier | DossierRecord, day_in: DayInZone) -> Timeline:
    day = day_in(dossier.agency.zone)
    return compute_timeline(facts_on(dossier, day), day)


def unmet_first_cdpi_obligations(session: Session, dossier: Dossier,
                                  day_in: DayInZone) -> list[tuple[str, Step]]:
    """R-CDPI-FIRST-MISSION: 003 « L'obligation de mission après le 1er CDPI doit être
    respectée ». For a CDPI being opened: the earlier CDPI of the same worker in the agency (the
    name compared without accents or case), not abandoned, whose mission obligation is still
    open or was missed on the day, with that step."""
    if dossier.kind != Kind.CDPI.value:
        return []
    others = session.scalars(
        select(Dossier).where(Dossier.kind == Kind.CDPI.value,
                              Dossier.agency_id == dossier.agency_id, Dossier.id != dossier.id,
                              Dossier.state != "abandoned",
                              Dossier.training_start < dossier.training_start)
        .order_by(Dossier.training_start, Dossier.id))
    unmet = []
    for other in others:
        if normalise(other.worker) != normalise(dossier.worker):
            continue
        step = timeline_of(other, day_in).step("mission_obligation")
        if step is not None and not step.status.is_finished:
            unmet.append((other.reference, step))
    return unmet


def open_or_closed_after(query: Select[Any], day: date) -> Select[Any]:
    """Dossiers open now, or closed after `day`: still open in that day's view
    (I-AS-OF-KNOWS-PAST); `open_on` of their facts cut at the day decides."""
    closed_later = select(Event.dossier_id).where(
        Event.kind.in_([kind.value for kind in CLOSING_EVENTS]), Event.occurred_on > day)
    return query.where(or_(Dossier.state == "open", Dossier.id.in_(closed_later)))


def open_on(facts: DossierFacts) -> bool:
    """Whether the dossier was still open on the day its facts were cut at."""
    return facts.closed_on is None


def record_event(session: Session, dossier: Dossier, kind: EventKind, on: date,
                 now: datetime) -> Event:
    """R-DRF-WINDOW: a DRF dated on or after the training start is refused (check_event)."""
    state, logs = check_event(dossier, facts_of(dossier), kind, on)
    event = Event(dossier=dossier, kind=kind.value, occurred_on=on, recorded_at=now)
    session.add(event)
    for log in logs:
        log_change(session, dossier, now, *log)
    if state != dossier.state:
        dossier.state = state
    session.flush()
    return event


def check_event(dossier: Any, facts: DossierFacts, kind: EventKind,
                on: date) -> tuple[str, list[Log]]:
    """An event the dossier (a Dossier, or a row of `import` in memory; `facts` are its
    facts) may record: the state it leaves the dossier in, and its lines of history.
    R-DRF-WINDOW: a DRF dated on or after the training start is refused."""
    _require_open(dossier)
    check_event_kind(Kind(dossier.kind), kind)
    check_event_date(kind, on, dossier.training_start, facts.last(EventKind.DRF_SUBMITTED),
                     current_accord(facts))
    if kind is EventKind.DRF_SUBMITTED:
        check_drf_deposit(facts.rules, on)
    logs: list[Log] = []
    state = dossier.state
    if kind in CLOSING_EVENTS:
        logs.append(("état", state, CLOSING_EVENTS[kind]))
        state = CLOSING_EVENTS[kind]
    logs.append((f"événement {kind.value}", None, on.isoformat()))
    return state, logs


def cancel_event(session: Session, dossier: Dossier, kind: EventKind, on: date,
                 now: datetime) -> None:
    """Take back an event entered by mistake; the history keeps what it was. Cancelling a
    closure reopens the dossier."""
    if kind in CLOSING_EVENTS:
        if dossier.state != CLOSING_EVENTS[kind]:
            raise InvalidInput("ÉVÉNEMENT", f"« {dossier.reference} » n'est pas "
                               f"{messages.STATE_LABELS[CLOSING_EVENTS[kind]]}")
    else:
        _require_open(dossier)
    matches = [e for e in dossier.events if e.kind == kind.value and e.occurred_on == on]
    if not matches:
        raise InvalidInput("--on", f"aucun événement « {kind.value} » le "
                           f"{messages.short_date(on)} dans « {dossier.reference} »")
    event = matches[-1]
    dossier.events.remove(event)
    session.delete(event)
    if kind in CLOSING_EVENTS:
        log_change(session, dossier, now, "état", dossier.state, "open")
        dossier.state = "open"
    log_change(session, dossier, now, f"événement annulé {kind.value}", on.isoformat(), None)
    session.flush()


def add_mission(session: Session, dossier: Dossier, start: date, end: date,
                hours_worked: Fraction, holiday_hours: Fraction, now: datetime) -> Mission:
    check_mission(dossier, start, end, hours_worked, holiday_hours)
    mission = Mission(dossier=dossier, start=start, end=end,
                      worked_minutes=to_minutes(hours_worked),
                      holiday_minutes=to_minutes(holiday_hours))
    session.add(mission)
    log_change(session, dossier, now, *mission_log(mission))
    session.flush()
    return mission


def check_mission(dossier: Any, start: date, end: date, hours_worked: Fraction,
                  holiday_hours: Fraction) -> None:
    """A mission the dossier (a Dossier, or a row of `import` in memory) may record."""
    _require_open(dossier)
    if end < start:
        raise InvalidInput("fin de mission", f"le {messages.short_date(end)} précède le début "
                           f"du {messages.short_date(start)}")
    if hours_worked < 0 or holiday_hours < 0:
        raise InvalidInput("heures de mission", "ne peuvent pas être négatives")
    for other in dossier.missions:
        # The start names a mission (`cancel REF mission --on START`): one per start.
        if other.start == start:
            raise InvalidInput("--start", messages.duplicate_mission(dossier.reference,
                                                                     other.start, other.end))


def mission_log(mission: Any) -> Log:
    """A Mission, or a MissionRecord of `import`."""
    return ("mission", None, _mission_text(mission))


def cancel_mission(session: Session, dossier: Dossier, start: date, now: datetime) -> Mission:
    """Take back a mission entered by mistake, named by its first day; the history keeps
    what it was."""
    _require_open(dossier)
    matches = [m for m in dossier.missions if m.start == start]
    if not matches:
        raise InvalidInput("--on", messages.no_mission_on(dossier.reference, start))
    mission = matches[-1]
    dossier.missions.remove(mission)
    session.delete(mission)
    log_change(session, dossier, now, "mission annulée", _mission_text(mission), None)
    session.flush()
    return mission


def _mission_text(mission: Any) -> str:
    total = from_minutes(mission.worked_minutes + mission.holiday_minutes)
    return f"{mission.start.isoformat()} → {mission.end.isoformat()}, {messages.hours(total)}"


def _require_open(dossier: Any) -> None:
    if dossier.state != "open":
        raise InvalidInput("dossier", f"« {dossier.reference} » est "
                           f"{messages.STATE_LABELS[dossier.state]} : plus de modification possible")


@dataclass(frozen=True)
class DateShift:
    code: str
    label: str
    before: tuple[date | None, date | None]
    after: tuple[date | None, date | None]


@dataclass(frozen=True)
class UpdateResult:
    changed: dict[str, tuple[str, str]]
    shifts: tuple[DateShift, ...]
    alerts: tuple[Alert, ...]


NO_PROGRAMME = "aucun"


@dataclass(frozen=True)
class DossierChanges:
    """What `update` changes; None leaves a field as it is (NO_PROGRAMME removes the
    programme)."""

    worker: str | None = None
    programme: Programme | str | None = None
    training_start: date | None = None
    training_end: date | None = None
    training_hours: Fraction | None = None
    mission_hours: Fraction | None = None
    positioning_hours: Fraction | None = None
    evaluation_hours: Fraction | None = None
    owner_email: str | None = None
    eligibility: str | None = None
    in_user_company: bool | None = None
    afest: bool | None = None
    hourly_cost: Fraction | None = None
    tutor_hours: Fraction | None = None
    basic_skills_share: Fraction | None = None
    seniority_hours: Fraction | None = None

    @property
    def empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in fields(self))


def update_dossier(session: Session, dossier: Dossier, changes: DossierChanges,
                   as_of: date, now: datetime) -> UpdateResult:
    """Apply the changes, check the bounds again and return every date that moved.

    R-DRF-SHIFT: a start moved more than 2 months after the accord raises an alert.
    """
    _require_open(dossier)
    before = compute_timeline(facts_of(dossier), as_of)
    old = _describe(dossier)
    if changes.worker is not None:
        if not changes.worker.strip():
            raise InvalidInput(messages.FIELD_LABELS["worker"], "ne peut pas être vide")
        dossier.worker = changes.worker.strip()
    if changes.programme is not None:
        dossier.programme = (changes.programme.value if isinstance(changes.programme, Programme)
                             else None)
    if changes.training_start is not None:
        dossier.training_start = changes.training_start
    if changes.training_end is not None:
        dossier.training_end = changes.training_end
    if changes.training_hours is not None:
        dossier.training_minutes = to_minutes(changes.training_hours)
    if changes.mission_hours is not None:
        dossier.mission_minutes = to_minutes(changes.mission_hours)
    if changes.positioning_hours is not None:
        dossier.positioning_minutes = to_minutes(changes.positioning_hours)
    if changes.evaluation_hours is not None:
        dossier.evaluation_minutes = to_minutes(changes.evaluation_hours)
    if changes.tutor_hours is not None:
        dossier.tutor_minutes = to_minutes(changes.tutor_hours)
    if changes.basic_skills_share is not None:
        check_basic_skills_share(changes.basic_skills_share)
        dossier.basic_skills_basis_points = _basis_points_or_none(changes.basic_skills_share)
    if changes.seniority_hours is not None:
        dossier.seniority_minutes = to_minutes(changes.seniority_hours)
    if changes.owner_email is not None:
        from dossiers.services.network import staff_by_email

        owner = staff_by_email(session, changes.owner_email)
        if owner.agency_id != dossier.agency_id:
            raise InvalidInput(messages.FIELD_LABELS["owner"],
                               f"{owner.name} n'appartient pas à l'agence « {dossier.agency.name} »")
        dossier.owner = owner
    if changes.eligibility is not None:
        check_eligibility(Kind(dossier.kind), changes.eligibility)
        dossier.eligibility = changes.eligibility
    if changes.in_user_company is not None:
        dossier.in_user_company = changes.in_user_company
    if changes.afest is not None:
        dossier.afest = changes.afest
    if changes.hourly_cost is not None:
        _check_cost(changes.hourly_cost)
        dossier.hourly_cost_cents = _cents_or_none(changes.hourly_cost)
    rules = rules_of(dossier.rules)
    check_dossier(
        Kind(dossier.kind), dossier.training_start, dossier.training_end,
        from_minutes(dossier.training_minutes), rules, hours_or_none(dossier.mission_minutes),
        positioning_hours=hours_or_none(dossier.positioning_minutes),
        evaluation_hours=hours_or_none(dossier.evaluation_minutes),
        tutor_hours=hours_or_none(dossier.tutor_minutes),
    )
    check_seniority(Kind(dossier.kind), dossier.eligibility,
                    hours_or_none(dossier.seniority_minutes), rules)
    _check_recorded_drf(dossier)
    new = _describe(dossier)
    changed = {key: (old[key], new[key]) for key in old if old[key] != new[key]}
    for key, (was, now_is) in changed.items():
        log_change(session, dossier, now, key, was, now_is)
    session.flush()
    after = compute_timeline(facts_of(dossier), as_of)
    return UpdateResult(changed, _shifts(before, after), after.alerts)


def _check_recorded_drf(dossier: Dossier) -> None:
    """R-DRF-WINDOW: moving the start on or before a recorded DRF would make that DRF refused."""
    submitted = facts_of(dossier).last(EventKind.DRF_SUBMITTED)
    if submitted is not None and submitted >= dossier.training_start:
        raise InvalidInput(
            messages.FIELD_LABELS["training_start"],
            f"le {messages.short_date(dossier.training_start)} n'est pas après la DRF déposée le "
            f"{messages.short_date(submitted)}",
            "R-DRF-WINDOW",
        )


def _describe(dossier: Dossier) -> dict[str, str]:
    def hours_text(minutes: int | None) -> str:
        return "" if minutes is None else messages.hours(from_minutes(minutes))

    return {
        "worker": dossier.worker,
        "programme": dossier.programme or "",
        "training_start": dossier.training_start.isoformat(),
        "training_end": dossier.training_end.isoformat(),
        "training_hours": hours_text(dossier.training_minutes),
        "mission_hours": hours_text(dossier.mission_minutes),
        "positioning_hours": hours_text(dossier.positioning_minutes),
        "evaluation_hours": hours_text(dossier.evaluation_minutes),
        "tutor_hours": hours_text(dossier.tutor_minutes),
        "basic_skills_share": "" if dossier.basic_skills_basis_points is None
        else messages.percent(Fraction(dossier.basic_skills_basis_points, 10000)),
        # Seen only by `show --history` and the user who types them, like `show` itself.
        "seniority_hours": hours_text(dossier.seniority_minutes),
        "owner": dossier.owner.email,
        # Sensitive: the history says that the basis changed, not what it is.
        "eligibility": "renseignée" if dossier.eligibility else "",
        "in_user_company": "oui" if dossier.in_user_company else "non",
        "afest": "oui" if dossier.afest else "non",
        "hourly_cost": "" if dossier.hourly_cost_cents is None
        else f"{dossier.hourly_cost_cents / 100:.2f} €",
    }


def _shifts(before: Timeline, after: Timeline) -> tuple[DateShift, ...]:
    shifts = []
    for step in after.steps:
        old = before.step(step.code)
        old_dates = (old.opens, old.due) if old else (None, None)
        if old_dates != (step.opens, step.due):
            shifts.append(DateShift(step.code, step.label, old_dates, (step.opens, step.due)))
    return tuple(shifts)


def log_change(session: Session, dossier: Dossier, at: datetime, what: str, before: str | None,
         after: str | None) -> None:
    session.add(Change(dossier=dossier, at=at, what=what, before=before, after=after))


@dataclass(frozen=True)
class ListFilter:
    kind: Kind | None = None
    agency_name: str | None = None
    owner_email: str | None = None
    overdue: bool = False
    due_within: int | None = None
    include_closed: bool = False
    worker: str | None = None
    """Part of the worker's name, without case or accents (« karim », « ELODIE »)."""
    scope: Scope | None = None
    """Who is looking (the web view): only the dossiers they may see (services/access.py)."""
    search: str | None = None
    """Part of the reference or of the worker's name, without case or accents (the web view)."""


def list_dossiers(session: Session, day_in: DayInZone,
                  where: ListFilter = ListFilter()) -> Iterator[tuple[DossierRecord, Timeline]]:
    """Dossiers with their timelines, by agency, owner and reference, streamed in batches
    so that memory stays flat however many dossiers there are."""
    from dossiers.store.records import dossier_query

    query = dossier_query()
    if where.scope is not None:
        query = where.scope.restrict(query)
    if not where.include_closed:
        query = open_or_closed_after(query, min(day_in(zone) for zone in ZONES))
    if where.kind is not None:
        query = query.where(Dossier.kind == where.kind.value)
    if where.agency_name:
        from dossiers.services.network import agency_named

        query = query.where(Dossier.agency_id == agency_named(session, where.agency_name).id)
    if where.owner_email:
        from dossiers.services.network import staff_by_email

        query = query.where(Dossier.owner_id == staff_by_email(session, where.owner_email).id)
    if where.overdue or where.due_within is not None:
        # Let SQL choose over the stored timelines; only those are seen on the day.
        first, last = day_span(day_in)
        query = query.where(Dossier.id.in_(candidates(
            first, last, overdue=where.overdue, due_within=where.due_within)))
    from dossiers.services.timelines import timelines_on

    # The worker in Python rather than SQL: SQLite's lower() knows no accents and
    # PostgreSQL's unaccent is an extension; the rows stream anyway, and this test is cheap.
    worker, search = where.worker, where.search

    def wanted(row: Any) -> bool:
        return ((not worker or contains(worker, row.worker))
                and (not search or contains(search, row.worker) or contains(search, row.reference)))

    keep = wanted if worker or search else None
    for seen in timelines_on(session, query, day_in, keep):
        if not seen.open and not where.include_closed:
            continue
        timeline = seen.timeline
        if where.overdue and not timeline.overdue:
            continue
        if where.due_within is not None and not _due_within(timeline, where.due_within):
            continue
        yield seen.dossier, timeline


def day_span(day_in: DayInZone) -> tuple[date, date]:
    """The earliest and the latest day it is in the zones (R-CAL-4)."""
    days = [day_in(zone) for zone in ZONES]
    return min(days), max(days)


def _due_within(timeline: Timeline, days: int) -> bool:
    return any(due_within(step, days) for step in timeline.steps)


def record_incident(session: Session, dossier: Dossier, kind: IncidentKind, on: date,
                    document_on: date | None, now: datetime, until: date | None = None,
                    fields: tuple[str, str] = ("--document-on", "--until")) -> Incident:
    """R-CDPI-EXCUSE: why the mission obligation could not be met, and when the proof came;
    for a sick leave, its last day (`until`, I-EXCUSE-IN-WINDOW)."""
    _require_open(dossier)
    check_incident(kind, on, document_on, until, fields)
    incident = Incident(dossier=dossier, kind=kind.value, occurred_on=on, document_on=document_on,
                        until_on=until, created_at=now)
    session.add(incident)
    # Sensitive (illness): the history keeps the date, not the reason.
    log_change(session, dossier, now, *incident_log(on, document_on))
    session.flush()
    return incident


def incident_log(on: date, document_on: date | None) -> Log:
    """The history line of an incident: its date, never its reason (illness is sensitive)."""
    return ("incident de mission", None,
            on.isoformat() + (", justifié" if document_on else ", sans justificatif"))


def check_incident(kind: IncidentKind, on: date, document_on: date | None, until: date | None,
                   fields: tuple[str, str] = ("--document-on", "--until")) -> None:
    """R-CDPI-EXCUSE: a proof is not older than its incident; only a sick leave has an end,
    not before its first day (I-EXCUSE-IN-WINDOW)."""
    if document_on is not None and document_on < on:
        raise InvalidInput(fields[0], "le justificatif précède l'incident", "R-CDPI-EXCUSE")
    if until is not None and kind is not IncidentKind.ILLNESS:
        raise InvalidInput(fields[1], f"seul un incident « maladie » a une fin (celle de l'arrêt "
                           f"de travail), pas « {kind.value} »", "R-CDPI-EXCUSE")
    if until is not None and until < on:
        raise InvalidInput(fields[1], f"la fin de l'arrêt, le {messages.short_date(until)}, précède "
                           f"son début, le {messages.short_date(on)}", "R-CDPI-EXCUSE")


def _documents_to_mark(codes: Iterable[str]) -> str:
    listed = ", ".join(codes)
    return (f"pièces à marquer : {listed}" if listed else
            "aucune pièce à marquer une à une : les autres partent avec leur étape")


def mark_document(session: Session, dossier: Dossier, code: str, on: date,
                  now: datetime) -> str:
    """R-DOCS: a document of the dossier's checklist received on a day; returns its label."""
    label, log = check_document(dossier, facts_of(dossier), code, on)
    session.add(Document(dossier=dossier, code=code, received_on=on, created_at=now))
    log_change(session, dossier, now, *log)
    session.flush()
    return label


def check_document(dossier: Any, facts: DossierFacts, code: str, on: date) -> tuple[str, Log]:
    """R-DOCS: a document the dossier (a Dossier, or a row of `import` in memory; `facts` are
    its facts) may mark received: its label and its line of history."""
    _require_open(dossier)
    every = checklist(facts)
    items = {item.code: item for item in every if not item.implied}
    implied = {item.code: item for item in every if item.implied}
    if code in implied:
        # Listed by `doc`, but part of a step's sending: the step's event records it.
        step = implied[code].step
        raise InvalidInput("DOCUMENT", messages.document_sent_with_step(
            implied[code].label, step, dossier.reference), "R-DOCS")
    if code not in items:
        raise InvalidInput("DOCUMENT", f"« {code} » n'est pas dans la liste des pièces de ce "
                           f"dossier ({_documents_to_mark(items)})", "R-DOCS")
    return items[code].label, ("pièce reçue", None, f"{code} le {on.isoformat()}")


def nearest_worker(session: Session, text: str) -> str | None:
    """`list --worker` found nothing: the nearest worker's name, to suggest."""
    workers = session.scalars(select(Dossier.worker).distinct())
    return next(iter(match(text, ((w, w) for w in workers)).nearest), None)
