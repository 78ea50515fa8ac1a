"""Agencies and their staff."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dossiers import messages
from dossiers.deadlines.zones import ZONES
from dossiers.errors import InvalidInput, NotFound
from dossiers.mail.addresses import AddressError, entry_address, parse_address
from dossiers.parsing import parse_choice
from dossiers.store.models import Agency, Staff

ZONE_CHOICES = {slug: slug for slug in ZONES}


def add_agency(session: Session, name: str, zone: str, headcount: int | None,
               prism_member: bool) -> Agency:
    name = name.strip()
    if not name:
        raise InvalidInput("nom", "ne peut pas être vide")
    zone = parse_choice("zone", zone, ZONE_CHOICES)
    if headcount is not None and headcount < 0:
        raise InvalidInput("effectif", "ne peut pas être négatif")
    if session.scalar(select(Agency).where(Agency.name == name)) is not None:
        raise InvalidInput("nom", f"l'agence « {name} » existe déjà")
    agency = Agency(name=name, zone=zone, headcount=headcount, prism_member=prism_member)
    session.add(agency)
    session.flush()
    return agency


def agency_named(session: Session, name: str) -> Agency:
    agency = session.scalar(select(Agency).where(Agency.name == name.strip()))
    if agency is None:
        raise NotFound("agence", f"aucune agence « {name} »")
    return agency


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


def staff_by_email(session: Session, email: str) -> Staff:
    # As stored since the entry checks (NFC, Unicode domain), or as stored before them.
    forms = {email.strip().lower()}
    try:
        forms.add(parse_address(email).text)
    except AddressError:
        pass
    person = session.scalar(select(Staff).where(Staff.email.in_(sorted(forms))))
    if person is None:
        raise NotFound("responsable", f"personne n'a l'adresse « {email} »")
    return person


def list_staff(session: Session, agency_name: str | None = None) -> list[Staff]:
    query = select(Staff).join(Staff.agency).order_by(Agency.name, Staff.name)
    if agency_name:
        query = query.where(Agency.id == agency_named(session, agency_name).id)
    return list(session.scalars(query))
