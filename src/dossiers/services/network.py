"""Agencies and their staff."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from dossiers import messages
from dossiers.deadlines.zones import ZONES
from dossiers.errors import InvalidInput
from dossiers.mail.addresses import AddressError, entry_address, parse_address
from dossiers.matching import normalise
from dossiers.parsing import parse_choice
from dossiers.services.lookup import resolve
from dossiers.store.models import Agency, Change, Dossier, Staff

ZONE_CHOICES = {slug: slug for slug in ZONES}


class AgencyLike(Protocol):
    """An Agency, or an AgencyRecord read once (`import`)."""

    id: int
    name: str


class PersonLike(Protocol):
    """A Staff, or a StaffRecord read once (`import`)."""

    id: int
    name: str
    email: str
    agency_id: int


A = TypeVar("A", bound=AgencyLike)
P = TypeVar("P", bound=PersonLike)


def add_agency(session: Session, name: str, zone: str, headcount: int | None,
               prism_member: bool) -> Agency:
    name = name.strip()
    if not name:
        raise InvalidInput("nom", "ne peut pas être vide")
    zone = parse_choice("zone", zone, ZONE_CHOICES)
    if headcount is not None and headcount < 0:
        raise InvalidInput("effectif", "ne peut pas être négatif")
    _check_agency_name_free(session, name)
    agency = Agency(name=name, zone=zone, headcount=headcount, prism_member=prism_member)
    session.add(agency)
    session.flush()
    return agency


def _check_agency_name_free(session: Session, name: str, but: Agency | None = None) -> None:
    """Two names that differ only by case or accents would make every lookup ambiguous."""
    for other in session.scalars(select(Agency)):
        if other is not but and normalise(other.name) == normalise(name):
            raise InvalidInput("nom", f"l'agence « {other.name} » existe déjà")


def agency_named(session: Session, name: str, field: str = "agence") -> Agency:
    """Exactly, or without case or accents, or by a unique prefix (« lyon » for
    « Lyon Part-Dieu »); a miss names the nearest agency."""
    agency = session.scalar(select(Agency).where(Agency.name == name.strip()))
    if agency is not None:
        return agency
    return agency_among(name, session.scalars(select(Agency).order_by(Agency.id)), field)


def agency_among(name: str, agencies: Iterable[A], field: str = "agence") -> A:
    """`agency_named` over agencies already read (by id): `import` reads them once."""
    every = list(agencies)
    exact = next((a for a in every if a.name == name.strip()), None)
    if exact is not None:
        return exact
    return resolve(field, name, ((a.name, a) for a in every), "aucune agence", "agences")


def list_agencies(session: Session) -> list[Agency]:
    return list(session.scalars(select(Agency).order_by(Agency.name)))


def staff_address(email: str, smtputf8: bool, field: str = "email") -> str:
    """The address as stored: one the mail transport will carry (see mail/addresses.py)."""
    try:
        return entry_address(email, smtputf8).text
    except AddressError as error:
        raise InvalidInput(field, str(error)) from None


def add_staff(session: Session, name: str, email: str, role: str, agency_name: str,
              smtputf8: bool = False) -> Staff:
    """`smtputf8`: the configured server takes non-ASCII local parts ([smtp] smtputf8)."""
    name = name.strip()
    if not name:
        raise InvalidInput("nom", "ne peut pas être vide")
    email = staff_address(email, smtputf8)
    role = parse_choice("rôle", role, messages.ROLE_LABELS)
    agency = agency_named(session, agency_name)
    if session.scalar(select(Staff).where(Staff.email == email)) is not None:
        raise InvalidInput("email", f"« {email} » est déjà enregistré")
    person = Staff(name=name, email=email, role=role, agency=agency)
    session.add(person)
    session.flush()
    return person


def staff_by_email(session: Session, email: str, field: str = "responsable") -> Staff:
    """By email exactly; otherwise by email or name without case or accents, or a unique
    prefix of either (« lea » for « Léa Martin »); a miss names the nearest person."""
    person = session.scalar(select(Staff).where(Staff.email.in_(email_forms(email))))
    if person is not None:
        return person
    return staff_among(email, session.scalars(select(Staff).order_by(Staff.name, Staff.id)),
                       field)


def email_forms(email: str) -> list[str]:
    """As stored since the entry checks (NFC, Unicode domain), or as stored before them."""
    forms = {email.strip().lower()}
    try:
        forms.add(parse_address(email).text)
    except AddressError:
        pass
    return sorted(forms)


def staff_among(email: str, people: Iterable[P], field: str = "responsable") -> P:
    """`staff_by_email` over people already read (by name): `import` reads them once."""
    every = list(people)
    forms = email_forms(email)
    exact = next((p for p in every if p.email in forms), None)
    if exact is not None:
        return exact
    candidates = [pair for p in every for pair in ((p.email, p), (p.name, p))]
    none = "personne n'a l'adresse" if "@" in email else "personne ne s'appelle"
    return resolve(field, email, candidates, none, "personnes")


def list_staff(session: Session, agency_name: str | None = None) -> list[Staff]:
    query = select(Staff).join(Staff.agency).order_by(Agency.name, Staff.name)
    if agency_name:
        query = query.where(Agency.id == agency_named(session, agency_name).id)
    return list(session.scalars(query))


def _log_on_dossiers(session: Session, where: object, at: datetime,
                     lines: list[tuple[str, str | None, str | None]]) -> None:
    """Staff and agency edits go into the history of every dossier they concern: each line
    (what, before, after) on each dossier `where` selects, read once."""
    if not lines:
        return
    ids = list(session.scalars(select(Dossier.id).where(where)))  # type: ignore[arg-type]
    session.add_all(Change(dossier_id=i, at=at, what=what, before=before, after=after)
                    for what, before, after in lines for i in ids)


def _edits(labels: dict[str, str], before: dict[str, str],
           after: dict[str, str]) -> dict[str, tuple[str, str]]:
    """What an edit changed: label: (old, new)."""
    return {labels[k]: (before[k], after[k]) for k in before if before[k] != after[k]}


@dataclass(frozen=True)
class AgencyChanges:
    name: str | None = None
    zone: str | None = None
    headcount: int | None = None
    prism_member: bool | None = None


AGENCY_LABELS = {"name": "nom", "zone": "zone", "headcount": "effectif",
                 "prism_member": "Prism'Emploi"}


def update_agency(session: Session, name: str, changes: AgencyChanges,
                  now: datetime) -> tuple[Agency, dict[str, tuple[str, str]]]:
    """`agency update`: returns the agency and what changed (label: old, new). The zone
    changes the holidays of every dossier of the agency (R-CAL-2); the history of each
    dossier keeps the edit."""
    agency = agency_named(session, name, "NOM")
    before = _describe_agency(agency)
    if changes.name is not None:
        new_name = changes.name.strip()
        if not new_name:
            raise InvalidInput("--name", "ne peut pas être vide")
        _check_agency_name_free(session, new_name, but=agency)
        agency.name = new_name
    if changes.zone is not None:
        agency.zone = parse_choice("zone", changes.zone, ZONE_CHOICES)
    if changes.headcount is not None:
        if changes.headcount < 0:
            raise InvalidInput("effectif", "ne peut pas être négatif")
        agency.headcount = changes.headcount
    if changes.prism_member is not None:
        agency.prism_member = changes.prism_member
    changed = _edits(AGENCY_LABELS, before, _describe_agency(agency))
    _log_on_dossiers(session, Dossier.agency_id == agency.id, now,
                     [(f"agence : {label}", was, is_now)
                      for label, (was, is_now) in changed.items()])
    session.flush()
    return agency, changed


def _describe_agency(agency: Agency) -> dict[str, str]:
    return {"name": agency.name, "zone": agency.zone,
            "headcount": "" if agency.headcount is None else str(agency.headcount),
            "prism_member": "oui" if agency.prism_member else "non"}


@dataclass(frozen=True)
class StaffChanges:
    name: str | None = None
    email: str | None = None
    role: str | None = None
    agency_name: str | None = None


STAFF_LABELS = {"name": "nom", "email": "email", "role": "rôle", "agency": "agence"}


@dataclass(frozen=True)
class StaffUpdate:
    person: Staff
    changed: dict[str, tuple[str, str]]
    warnings: tuple[str, ...]


def update_staff(session: Session, who: str, changes: StaffChanges, now: datetime,
                 smtputf8: bool = False) -> StaffUpdate:
    """`staff update`: the history of each dossier the person owns keeps the edit. A person
    who owns dossiers keeps their agency (a dossier's owner belongs to its agency): reassign
    the dossiers first. A warning when the agency is left without a manager."""
    person = staff_by_email(session, who, "PERSONNE")
    before = _describe_staff(person)
    was_manager_of = person.agency if person.role == "manager" else None
    if changes.name is not None:
        if not changes.name.strip():
            raise InvalidInput("--name", "ne peut pas être vide")
        person.name = changes.name.strip()
    if changes.email is not None:
        email = staff_address(changes.email, smtputf8, "--email")
        taken = session.scalar(select(Staff).where(Staff.email == email))
        if taken is not None and taken is not person:
            raise InvalidInput("--email", f"« {email} » est déjà enregistré")
        person.email = email
    if changes.role is not None:
        person.role = parse_choice("--role", changes.role, messages.ROLE_LABELS)
    if changes.agency_name is not None:
        agency = agency_named(session, changes.agency_name, "--agency")
        if agency.id != person.agency_id:
            owned = _owned_count(session, person)
            if owned:
                raise InvalidInput("--agency", f"{person.name} est responsable de "
                                   f"{messages.plural(owned, 'dossier')} de « {person.agency.name} »"
                                   " : confiez-les d'abord à quelqu'un de cette agence "
                                   "(dossiers update ID --owner EMAIL)")
            person.agency = agency
    changed = _edits(STAFF_LABELS, before, _describe_staff(person))
    _log_on_dossiers(session, Dossier.owner_id == person.id, now,
                     [(f"responsable : {label}", was, is_now)
                      for label, (was, is_now) in changed.items()])
    session.flush()
    warnings: tuple[str, ...] = ()
    if was_manager_of is not None and not _has_manager(session, was_manager_of):
        warnings = (messages.last_manager_gone(was_manager_of.name),)
    return StaffUpdate(person, changed, warnings)


def _has_manager(session: Session, agency: Agency, besides: Staff | None = None) -> bool:
    """Someone (other than `besides`) receives the agency's escalations."""
    query = select(func.count()).select_from(Staff).where(Staff.agency_id == agency.id,
                                                          Staff.role == "manager")
    if besides is not None:
        query = query.where(Staff.id != besides.id)
    return bool(session.scalar(query))


def _describe_staff(person: Staff) -> dict[str, str]:
    return {"name": person.name, "email": person.email,
            "role": messages.ROLE_LABELS[person.role], "agency": person.agency.name}


def _owned_count(session: Session, person: Staff) -> int:
    return session.scalar(select(func.count()).select_from(Dossier)
                          .where(Dossier.owner_id == person.id)) or 0


@dataclass(frozen=True)
class Removal:
    name: str
    email: str
    reassigned: int
    heir: str | None
    warnings: tuple[str, ...]


def remove_staff(session: Session, who: str, reassign_to: str | None, now: datetime) -> Removal:
    """`staff remove`: the person's dossiers (open or not) go to `reassign_to`, of the same
    agency, each dossier's history saying so. Without --reassign, someone who owns
    dossiers is not removed. Removing an agency's last manager leaves its escalations
    with no one: a warning says so. The outbox keeps the messages already composed: they
    are the record of what was (or will be) sent."""
    person = staff_by_email(session, who, "PERSONNE")
    owned = _owned_count(session, person)
    heir: Staff | None = None
    if reassign_to is not None:
        heir = staff_by_email(session, reassign_to, "--reassign")
        if heir is person:
            raise InvalidInput("--reassign", f"{person.name} est la personne retirée")
        if heir.agency_id != person.agency_id:
            raise InvalidInput("--reassign", f"{heir.name} n'appartient pas à l'agence "
                               f"« {person.agency.name} »")
    elif owned:
        raise InvalidInput("--reassign", messages.staff_owns_dossiers(person.name, owned))
    if heir is not None and owned:
        _log_on_dossiers(session, Dossier.owner_id == person.id, now,
                         [("owner", person.email, heir.email)])
        session.execute(update(Dossier).where(Dossier.owner_id == person.id)
                        .values(owner_id=heir.id))
    agency = person.agency
    warnings: list[str] = []
    if person.role == "manager" and not _has_manager(session, agency, besides=person):
        warnings.append(messages.last_manager_gone(agency.name))
    removal = Removal(person.name, person.email, owned if heir else 0,
                      heir.email if heir else None, tuple(warnings))
    session.delete(person)
    session.flush()
    return removal
