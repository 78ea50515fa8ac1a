"""Who sees what, in one place: the web view's pages and downloads, and its calendar feeds,
all restrict their queries through `Scope` (never a filter of their own).

A `charge` sees the dossiers they own, a `manager` those of their agency, an `admin` every
agency. A dossier outside the scope is not found (the web answers 404, not 403: it does not
say that the reference exists).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from dossiers.store.models import Dossier, Staff

ROLES = ("charge", "manager", "admin")


@dataclass(frozen=True)
class Scope:
    """The signed-in person and what they may see."""

    staff_id: int
    name: str
    email: str
    role: str
    agency_id: int

    def restrict(self, query: Select[Any]) -> Select[Any]:
        """`query` (over the dossiers table) cut to the dossiers of the scope."""
        if self.role == "admin":
            return query
        if self.role == "manager":
            return query.where(Dossier.agency_id == self.agency_id)
        if self.role == "charge":
            return query.where(Dossier.owner_id == self.staff_id)
        return query.where(False)  # an unknown role sees nothing (fail closed)

    def sees(self, dossier: Any) -> bool:
        """The same test on one dossier already read (a model or a record)."""
        if self.role == "admin":
            return True
        if self.role == "manager":
            return bool(dossier.agency_id == self.agency_id)
        if self.role == "charge":
            return bool(dossier.owner_id == self.staff_id)
        return False

    @property
    def wide(self) -> bool:
        """More than one person's dossiers: the agency filter or the owner filter mean something."""
        return self.role in ("manager", "admin")


def scope_of(session: Session, staff_id: int) -> Scope | None:
    """The scope of a person still on the staff (None once removed: their session ends)."""
    row = session.execute(select(Staff.id, Staff.name, Staff.email, Staff.role, Staff.agency_id)
                          .where(Staff.id == staff_id)).one_or_none()
    if row is None:
        return None
    return Scope(row.id, row.name, row.email, row.role, row.agency_id)


def owner_scope(scope: Scope) -> Scope:
    """The dossiers a person owns, whatever their role: their own calendar feed."""
    return Scope(scope.staff_id, scope.name, scope.email, "charge", scope.agency_id)
