"""`dossiers import`: dossiers from a CSV file, all rows or none.

Columns (header names are read without accents or case; « ; » or « , »):
reference, type, interimaire, contrat, programme, debut, fin, heures_formation,
heures_mission, heures_positionnement, heures_evaluation (heures_bilan, of older files, is
read as positioning hours), heures_tuteur, part_savoirs_de_base, responsable, agence,
regles (empty: chosen by date), then optional event
dates drf_deposee, drf_accord, drf_refus, contrat_envoye, financement_accorde,
presence_envoyee, bilan_positionnement, demande_car, clos_le, the date of the pôle
reconversion's opinion for a CAR (avis_pole), and one mission: mission_debut,
mission_fin, mission_heures, mission_heures_feriees.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from pathlib import Path

from sqlalchemy.orm import Session

from dossiers import messages
from dossiers.deadlines.facts import ContractType, EventKind, Kind, Programme
from dossiers.errors import InvalidInput
from dossiers.parsing import (
    EMAIL_LENGTH, NAME_LENGTH, REFERENCE_LENGTH, parse_choice, parse_date, parse_hours,
    parse_percent, parse_text,
)
from dossiers.services.dossiers import (
    DossierDraft, add_mission, mark_document, open_dossier, record_event,
)

REQUIRED = ("type", "interimaire", "debut", "fin", "heures_formation", "responsable")
OPTIONAL = ("reference", "contrat", "programme", "heures_mission", "heures_positionnement",
            "heures_evaluation", "heures_bilan", "heures_tuteur", "part_savoirs_de_base",
            "agence", "regles")
EVENT_COLUMNS = {
    "drf_deposee": EventKind.DRF_SUBMITTED,
    "drf_accord": EventKind.DRF_ACCORD,
    "drf_refus": EventKind.DRF_REFUSAL,
    "contrat_envoye": EventKind.CONTRACT_SUBMITTED,
    "financement_accorde": EventKind.FUNDING_GRANTED,
    "presence_envoyee": EventKind.ATTENDANCE_SUBMITTED,
    "bilan_positionnement": EventKind.POSITIONING_DONE,
    "demande_car": EventKind.CAR_REQUEST_SUBMITTED,
    "clos_le": EventKind.CLOSE,
}
DOCUMENT_COLUMNS = {"avis_pole": "avis-pole-reconversion"}
MISSION_COLUMNS = ("mission_debut", "mission_fin", "mission_heures", "mission_heures_feriees")
KNOWN = (set(REQUIRED) | set(OPTIONAL) | set(EVENT_COLUMNS) | set(DOCUMENT_COLUMNS)
         | set(MISSION_COLUMNS))

Row = tuple[int, dict[str, str]]


@dataclass
class ImportFailed(Exception):
    errors: list[tuple[int | None, InvalidInput]]

    def lines(self) -> list[str]:
        return [f"ligne {line} : {error}" if line else str(error) for line, error in self.errors]


def column_name(header: str) -> str:
    """« Début » → « debut », « Heures formation » → « heures_formation »."""
    plain = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode()
    return "_".join(plain.strip().lower().replace("-", " ").split())


def read_rows(path: Path) -> list[Row]:
    """The rows of a CSV file, numbered as a spreadsheet shows them (header = line 1)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InvalidInput("FICHIER.csv", f"fichier introuvable « {path} »") from None
    except UnicodeDecodeError:
        raise InvalidInput("FICHIER.csv", "le fichier n'est pas en UTF-8 (enregistrez-le en "
                           "« CSV UTF-8 »)") from None
    except OSError as error:
        raise InvalidInput("FICHIER.csv", f"lecture impossible ({error.strerror})") from None
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise InvalidInput("FICHIER.csv", "fichier vide : la première ligne doit nommer les colonnes")
    delimiter = ";" if lines[0].count(";") >= lines[0].count(",") else ","
    reader = csv.reader(lines, delimiter=delimiter)
    headers = [column_name(h) for h in next(reader)]
    unknown = [h for h in headers if h and h not in KNOWN]
    if unknown:
        raise InvalidInput("FICHIER.csv", "colonne(s) inconnue(s) : " + ", ".join(unknown))
    missing = [h for h in REQUIRED if h not in headers]
    if missing:
        raise InvalidInput("FICHIER.csv", "colonne(s) obligatoire(s) absente(s) : "
                           + ", ".join(missing))
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(headers):
            raise InvalidInput("FICHIER.csv", f"ligne {number} : plus de valeurs que de colonnes")
        rows.append((number, {h: c.strip() for h, c in zip(headers, cells, strict=False) if h}))
    return rows


def import_dossiers(session: Session, rows: list[Row], now: datetime) -> int:
    """Open every row's dossier with its events and mission; any error cancels all rows."""
    errors: list[tuple[int | None, InvalidInput]] = []
    for number, row in rows:
        savepoint = session.begin_nested()
        try:
            _import_row(session, row, now)
        except InvalidInput as error:
            savepoint.rollback()
            errors.append((number, error))
        else:
            savepoint.commit()
    if not rows:
        errors.append((None, InvalidInput("FICHIER.csv", "aucune ligne de dossier")))
    if errors:
        raise ImportFailed(errors)
    return len(rows)


def _import_row(session: Session, row: dict[str, str], now: datetime) -> None:
    def get(column: str) -> str:
        return row.get(column, "").strip()

    def optional(column: str, parse: Callable[[str, str], object]):  # type: ignore[no-untyped-def]
        value = get(column)
        return parse(column, value) if value else None

    def text(column: str, limit: int) -> str | None:
        value = get(column)
        return parse_text(column, value, limit) if value else None

    for column in REQUIRED:
        if not get(column):
            raise InvalidInput(column, "valeur obligatoire manquante")
    programme = get("programme").lower()
    if get("heures_bilan") and get("heures_positionnement"):
        raise InvalidInput("heures_bilan", "ancienne colonne des heures de positionnement : "
                           "ne pas la remplir avec heures_positionnement", "R-CIPI-BILAN")
    draft = DossierDraft(
        kind=Kind(parse_choice("type", get("type"), messages.KIND_LABELS)),
        worker=parse_text("interimaire", get("interimaire"), NAME_LENGTH),
        contract_type=ContractType(parse_choice("contrat", get("contrat") or "ctt",
                                                messages.CONTRACT_LABELS)),
        programme=(Programme(parse_choice("programme", programme, messages.PROGRAMME_LABELS))
                   if programme and programme != "aucun" else None),
        training_start=parse_date("debut", get("debut")),
        training_end=parse_date("fin", get("fin")),
        training_hours=parse_hours("heures_formation", get("heures_formation")),
        mission_hours=optional("heures_mission", parse_hours),
        positioning_hours=optional("heures_positionnement" if get("heures_positionnement")
                                   else "heures_bilan", parse_hours),
        evaluation_hours=optional("heures_evaluation", parse_hours),
        tutor_hours=optional("heures_tuteur", parse_hours),
        basic_skills_share=optional("part_savoirs_de_base", parse_percent),
        owner_email=parse_text("responsable", get("responsable"), EMAIL_LENGTH),
        agency_name=text("agence", NAME_LENGTH),
        rules=text("regles", NAME_LENGTH),
        reference=text("reference", REFERENCE_LENGTH),
    )
    dossier = open_dossier(session, draft, now)
    events: list[tuple[date, int, EventKind]] = []
    for order, (column, kind) in enumerate(EVENT_COLUMNS.items()):
        on = optional(column, parse_date)
        if on is not None:
            events.append((on, order, kind))
    mission_start = optional("mission_debut", parse_date)
    if mission_start is not None or get("mission_fin") or get("mission_heures"):
        for column in ("mission_debut", "mission_fin", "mission_heures"):
            if not get(column):
                raise InvalidInput(column, "valeur obligatoire quand une mission est indiquée")
        add_mission(session, dossier, parse_date("mission_debut", get("mission_debut")),
                    parse_date("mission_fin", get("mission_fin")),
                    parse_hours("mission_heures", get("mission_heures")),
                    optional("mission_heures_feriees", parse_hours) or Fraction(0), now)
    for column, code in DOCUMENT_COLUMNS.items():
        received = optional(column, parse_date)
        if received is not None:
            mark_document(session, dossier, code, received, now)
    # Events in date order (the column order breaks ties), closing last.
    for on, _order, kind in sorted(events):
        record_event(session, dossier, kind, on, now)
