"""`dossiers sample`: the fictional network of sample_data/, dates placed around a day.

Dates in sample_data/dossiers.csv are written « J+30 » or « J-5 »: days after or
before the day the sample is loaded for, so that the demo always shows steps to
come, due soon and late.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from importlib import resources

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dossiers import messages
from dossiers.errors import InvalidInput

from dossiers.services.importer import Row, import_dossiers, read_rows
from dossiers.services.network import add_agency, add_staff
from dossiers.store.models import Agency, Dossier, Staff

RELATIVE_DATE = re.compile(r"^J([+-]\d+)?$")


@dataclass(frozen=True)
class SampleCounts:
    agencies: int
    staff: int
    dossiers: int


def _csv(name: str) -> str:
    return (resources.files("dossiers") / "sample_data" / name).read_text(encoding="utf-8")


def _records(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_csv(name)), delimiter=";"))


def place_dates(rows: list[Row], day: date) -> list[Row]:
    """« J-5 » → the date five days before `day`."""
    placed = []
    for number, row in rows:
        cells = {}
        for column, value in row.items():
            match = RELATIVE_DATE.match(value)
            cells[column] = ((day + timedelta(days=int(match.group(1) or 0))).isoformat()
                             if match else value)
        placed.append((number, cells))
    return placed


def load_sample(session: Session, day: date, now: datetime) -> SampleCounts:
    """Only into an empty database: fictional dossiers must never mix with real ones."""
    held = [(count, label) for count, label in (
        (session.scalar(select(func.count()).select_from(Agency)) or 0, "agence"),
        (session.scalar(select(func.count()).select_from(Staff)) or 0, "personne"),
        (session.scalar(select(func.count()).select_from(Dossier)) or 0, "dossier"),
    ) if count]
    if held:
        raise InvalidInput("sample", "la base contient déjà des données ("
                           + ", ".join(messages.plural(count, label) for count, label in held)
                           + ") : les données de démonstration ne se chargent que dans une base "
                           "vide (par exemple --db sqlite:///demo.db)")
    agencies = _records("agencies.csv")
    for agency in agencies:
        add_agency(session, agency["nom"], agency["zone"], int(agency["effectif"]),
                   agency["prism"] == "oui")
    people = _records("staff.csv")
    for person in people:
        add_staff(session, person["nom"], person["email"], person["role"], person["agence"])
    with resources.as_file(resources.files("dossiers") / "sample_data" / "dossiers.csv") as path:
        rows = place_dates(read_rows(path), day)
    count = import_dossiers(session, rows, now)
    return SampleCounts(len(agencies), len(people), count)
