"""`dossiers import`: dossiers from a CSV file, all rows or none.

The file is read as Excel writes it (dossiers/excel_csv.py: encoding, separator, headers and
cells checked, errors by cell). Columns (header names are read without accents or case):
reference, type, interimaire, contrat, programme, debut, fin, heures_formation,
heures_mission, heures_positionnement, heures_evaluation (heures_bilan, of older files, is
read as positioning hours), heures_tuteur, part_savoirs_de_base, responsable, agence,
regles (empty: chosen by date), doublon (« oui »: open it even if it looks typed twice, as
`open --duplicate`), then optional event
dates drf_deposee, drf_accord, drf_refus, contrat_envoye, financement_accorde,
presence_envoyee, bilan_positionnement, demande_car, clos_le, the date of the pôle
reconversion's opinion for a CAR (avis_pole), one mission: mission_debut,
mission_fin, mission_heures, mission_heures_feriees, and one incident (R-CDPI-EXCUSE): incident
(its code), incident_date, incident_fin (a sick leave's last day, I-EXCUSE-IN-WINDOW),
incident_justificatif (the day its proof came).

At database speed, and without holding the write lock while the file is read (a reader or
`remind` is never kept waiting long):

1. every row is parsed (no database);
2. what the checks need of the database — staff, agencies, the references the file names or
   may number after, the dossiers that may be duplicated — is read in one short read
   transaction, a query each (a `Snapshot`);
3. every row is checked in memory, in file order, by the very functions `open`, `mission`,
   `incident`, `doc` and `record` call (services/dossiers.py: check_opening, check_mission,
   check_incident, check_document, check_event), each row seeing the rows before it; every error is listed;
4. one write transaction reads the snapshot again (if another command changed it meanwhile,
   the rows are checked again against the new one), inserts the dossiers, their events,
   missions, documents, incidents and history lines in bulk (one executemany per table), and stores
   their timelines (store/steps.py `refresh`) before the commit.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from datetime import date, datetime
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, insert, select
from sqlalchemy.orm import Session

from dossiers import messages
from dossiers.deadlines.facts import ContractType, EventKind, IncidentKind, Kind, Programme
from dossiers.errors import InvalidInput
from dossiers.excel_csv import CellError, CsvRows
from dossiers.matching import normalise
from dossiers.parsing import (
    EMAIL_LENGTH, NAME_LENGTH, REFERENCE_LENGTH, parse_choice, parse_date, parse_hours,
    parse_percent, parse_text, reference_key, to_minutes,
)
from dossiers.services.dossiers import (
    DossierDraft, DuplicateDossier, Log, check_document, check_event, check_incident,
    check_mission, check_opening, dossier_columns, incident_log, mission_log,
    opening_log, reference_prefix,
)
from dossiers.services.network import agency_among, staff_among
from dossiers.store import steps
from dossiers.store.bulk import insert_many
from dossiers.store.facts import facts_of
from dossiers.store.models import (
    Agency, Change, Document, Dossier, Event, Incident, Mission, Staff,
)
from dossiers.store.records import (
    AgencyRecord, DocumentRecord, EventRecord, IncidentRecord, MissionRecord, StaffRecord,
)

REQUIRED = ("type", "interimaire", "debut", "fin", "heures_formation", "responsable")
OPTIONAL = ("reference", "contrat", "programme", "heures_mission", "heures_positionnement",
            "heures_evaluation", "heures_bilan", "heures_tuteur", "part_savoirs_de_base",
            "agence", "regles", "doublon")
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
YES_NO = {"oui": "oui", "non": "non"}
INCIDENT_CHOICES = {code: label for code, (label, _proof) in messages.INCIDENT_LABELS.items()}
MISSION_COLUMNS = ("mission_debut", "mission_fin", "mission_heures", "mission_heures_feriees")
INCIDENT_COLUMNS = ("incident", "incident_date", "incident_fin", "incident_justificatif")
KNOWN = (set(REQUIRED) | set(OPTIONAL) | set(EVENT_COLUMNS) | set(DOCUMENT_COLUMNS)
         | set(MISSION_COLUMNS) | set(INCIDENT_COLUMNS))

Row = tuple[int, dict[str, str]]


FIELD_COLUMNS = {"kind": "type", "reference": "reference", "worker": "interimaire",
                 "contract_type": "contrat", "programme": "programme", "training_start": "debut",
                 "training_end": "fin", "training_hours": "heures_formation",
                 "mission_hours": "heures_mission", "positioning_hours": "heures_positionnement",
                 "evaluation_hours": "heures_evaluation", "tutor_hours": "heures_tuteur",
                 "basic_skills_share": "part_savoirs_de_base", "owner": "responsable",
                 "agency": "agence", "rules": "regles"}
"""The column of each field the services name in their errors (« heures de formation »)."""
FILE = "fichier"
"""The field of an error about the whole file, named by ImportFailed.file when it is known."""


@dataclass
class ImportFailed(Exception):
    errors: list[tuple[int | None, InvalidInput]]
    file: str = ""
    """The file as the user named it, at the head of each line."""
    columns: dict[str, str] = dataclass_field(default_factory=dict)
    """Field (column name or label) → the column's letter, to name the cell of an error."""

    def lines(self) -> list[str]:
        return [self._line(line, error) for line, error in self.errors]

    def _line(self, line: int | None, error: InvalidInput) -> str:
        text = error.message if error.field in (self.file, FILE) else str(error)
        if line is None:
            return f"{self.file} : {text}" if self.file else text
        letter = error.column if isinstance(error, CellError) else self.columns.get(error.field)
        place = ", ".join(part for part in (self.file, f"ligne {line}",
                                            f"colonne {letter}" if letter else "") if part)
        return f"{place} : {text}"


@dataclass(frozen=True)
class ReadFile:
    """A CSV file read whole: its rows, and what the summary line says of it."""

    rows: list[Row]
    encoding: str
    delimiter: str
    ignored: list[str]
    columns: dict[str, str]


def read_file(path: Path, shown: str, encoding: str | None = None,
              ignore_unknown: bool = False) -> ReadFile:
    """The rows of a CSV file as Excel writes it (excel_csv), numbered as a spreadsheet shows
    them (header = line 1); ImportFailed lists every cell that cannot be read, InvalidInput
    (naming the file as `shown`) what makes the whole file unreadable."""
    source = CsvRows(path, shown, KNOWN, encoding=encoding, ignore_unknown=ignore_unknown)
    rows = list(source.rows())
    assert source.header is not None
    letters = source.header.letters
    columns = dict(letters)
    for key, column in FIELD_COLUMNS.items():
        if column in letters:
            columns[messages.FIELD_LABELS[key]] = letters[column]
    if "heures_bilan" in letters and "heures_positionnement" not in letters:
        columns[messages.FIELD_LABELS["positioning_hours"]] = letters["heures_bilan"]
    errors = list(source.errors)
    missing = [name for name in REQUIRED if name not in letters]
    if missing:
        errors.insert(0, (None, InvalidInput(shown, "colonne(s) obligatoire(s) absente(s) : "
                                             + ", ".join(missing))))
    if errors:
        raise ImportFailed(errors, shown, columns)
    return ReadFile(rows, source.encoding, source.delimiter, source.header.ignored, columns)


def read_rows(path: Path) -> list[Row]:
    """The rows of a CSV file (the sample network's, and the tests'): any error raises."""
    return read_file(path, str(path)).rows


Drafted = tuple[int, dict[str, str], "DossierDraft | InvalidInput"]
"""A row's number, its cells, and its draft or what was wrong with it."""

# Query parameters per statement, far below every database's limit.
CHUNK = 500
WRITE_BATCH = 2000
"""Dossiers inserted per statement (with their events, missions, documents, history)."""
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


@dataclass(frozen=True)
class Snapshot:
    """What checking a file reads of the database: read once before the write transaction,
    and again inside it to know whether the checks still hold."""

    staff: tuple[StaffRecord, ...]
    """By name, as staff_by_email reads them."""
    agencies: tuple[AgencyRecord, ...]
    references: dict[str, str]
    """By key (parsing.reference_key): the stored references among those the file names, or
    that a reference numbered for the file may take."""
    numbered: dict[str, int]
    """Per prefix of a reference to number (« CDPI-2027- »): the stored references LIKE it."""
    same_day: dict[tuple[str, date, int], tuple[tuple[str, str], ...]]
    """(kind, start, agency id) → (reference, worker) of the dossiers not abandoned, oldest
    first, for the kinds and starts of the file."""
    like_ignores_case: bool
    """SQLite's LIKE ignores the case of ASCII letters, PostgreSQL's does not."""


@dataclass(frozen=True)
class Checked:
    """A file whose every row passed the checks against a snapshot: what to write."""

    drafted: list[Drafted]
    snapshot: Snapshot
    dossiers: list[_Imported]
    now: datetime
    timelines: list[steps.ComputedTimeline] | None = None
    """Each dossier's stored timeline, computed before the write transaction (none yet: it
    is computed in it)."""


_COLUMN_NAMES: dict[tuple[str, ...], tuple[str, ...]] = {}
"""Each tuple of column names once, shared by the rows that have it."""


class _Imported:
    """One row's dossier in memory while the file is checked. It has the attributes of a
    Dossier that facts_of and the services' checks read, and what will be written with it:
    its facts (as the record classes of store/records.py) and its lines of history.

    The columns are slots, like its own attributes: facts_of and the checks read them
    hundreds of thousands of times in a file (through a `__getattr__` over a dictionary of
    the columns, that was a tenth of an import's time), and a row takes half the memory
    it took with its own dictionary."""

    __slots__ = (*(column.key for column in Dossier.__table__.columns), "column_names",
                 "agency", "owner", "events", "missions", "documents", "incidents", "history")

    def __init__(self, columns: dict[str, Any], agency: AgencyRecord,
                 owner: StaffRecord) -> None:
        names = tuple(columns)
        self.column_names = _COLUMN_NAMES.setdefault(names, names)
        for name, value in columns.items():
            setattr(self, name, value)
        self.agency = agency
        self.owner = owner
        self.events: list[EventRecord] = []
        self.missions: list[MissionRecord] = []
        self.documents: list[DocumentRecord] = []
        self.incidents: list[IncidentRecord] = []
        self.history: list[Log] = []
        self.id: int | None = None  # known once written

    if TYPE_CHECKING:
        def __getattr__(self, name: str) -> Any:
            """The dossier's columns (slots named after them)."""
            raise AttributeError(name)

    def row(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.column_names}


class _FileDirectory:
    """The lookups of check_opening over a snapshot, and the rows of the file accepted so
    far: a row sees those before it, as it would if each were opened in turn."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.agencies = {a.id: a for a in snapshot.agencies}
        self.taken: dict[str, str] = {}
        self.numbered = dict(snapshot.numbered)
        # By worker as _check_not_duplicate compares them (normalised), so that a file of
        # many rows starting the same day is not checked in quadratic time.
        self.same_days: dict[tuple[str, date, int, str], list[tuple[str, str]]] = {}
        for (kind, start, agency_id), rows in snapshot.same_day.items():
            for reference, worker in rows:
                self.same_days.setdefault((kind, start, agency_id, normalise(worker)),
                                          []).append((reference, worker))
        self.people: dict[str, StaffRecord] = {}
        self.named: dict[str, AgencyRecord] = {}
        self.last_worker: tuple[str, str] | None = None

    def normalised(self, worker: str) -> str:
        """normalise(worker), said once for a row's check and its acceptance."""
        if self.last_worker is None or self.last_worker[0] != worker:
            self.last_worker = (worker, normalise(worker))
        return self.last_worker[1]

    def staff(self, email: str) -> StaffRecord:
        if email not in self.people:
            self.people[email] = staff_among(email, self.snapshot.staff)
        return self.people[email]

    def agency(self, name: str) -> AgencyRecord:
        if name not in self.named:
            self.named[name] = agency_among(name, self.snapshot.agencies)
        return self.named[name]

    def agency_of(self, owner: StaffRecord) -> AgencyRecord:
        return self.agencies[owner.agency_id]

    def reference_taken(self, reference: str) -> str | None:
        key = reference_key(reference)
        return self.snapshot.references.get(key) or self.taken.get(key)

    def references_like(self, prefix: str) -> int:
        return self.numbered[prefix]

    def same_day(self, kind: Kind, start: date, agency_id: int,
                 worker: str) -> list[tuple[str, str]]:
        return self.same_days.get((kind.value, start, agency_id, self.normalised(worker)), [])

    def accept(self, dossier: _Imported) -> None:
        self.taken[dossier.reference_key] = dossier.reference
        for prefix in self.numbered:
            if _like_prefix(dossier.reference, prefix, self.snapshot.like_ignores_case):
                self.numbered[prefix] += 1
        if dossier.state != "abandoned":
            self.same_days.setdefault(
                (dossier.kind, dossier.training_start, dossier.agency_id,
                 self.normalised(dossier.worker)), []).append((dossier.reference, dossier.worker))


def _like_prefix(text: str, prefix: str, ignore_case: bool) -> bool:
    """`text LIKE 'prefix%'` as the database says it (the prefix has no wildcard)."""
    head = text[:len(prefix)]
    if ignore_case:
        return head.translate(_ASCII_LOWER) == prefix.translate(_ASCII_LOWER)
    return head == prefix


def import_rows(read: Callable[[], AbstractContextManager[Session]],
                write: Callable[[], AbstractContextManager[Session]],
                rows: list[Row], now: datetime) -> int:
    """`dossiers import`: parse, read the snapshot (`read()` opens a read transaction),
    check every row with no transaction open, then write all in one transaction
    (`write()`). Any error cancels all rows; ImportFailed lists them."""
    drafted = draft_rows(rows)
    with read() as session:
        snapshot = read_snapshot(session, drafted)
    checked = check_rows(drafted, snapshot, now)
    # The timelines too, before the write lock: it is then held only to insert.
    checked = replace(checked, timelines=[steps.computed(d) for d in checked.dossiers])
    with write() as session:
        return write_checked(session, checked)


def import_dossiers(session: Session, rows: list[Row], now: datetime) -> int:
    """The same in a transaction already open (`sample` adds its network first)."""
    drafted = draft_rows(rows)
    return _write(session, check_rows(drafted, read_snapshot(session, drafted), now))


def draft_rows(rows: list[Row]) -> list[Drafted]:
    """Each row's draft, or its first error: all a row says before the database is asked."""
    drafted: list[Drafted] = []
    for number, row in rows:
        try:
            drafted.append((number, row, _draft(row)))
        except InvalidInput as error:
            drafted.append((number, row, error))
    return drafted


def read_snapshot(session: Session, drafted: list[Drafted]) -> Snapshot:
    """What the rows' checks need of the database, a query each (the references by chunks)."""
    drafts = [draft for _, _, draft in drafted if isinstance(draft, DossierDraft)]
    named = sorted({reference_key(reference) for d in drafts
                    if (reference := (d.reference or "").strip())})
    prefixes = sorted({reference_prefix(d.kind, d.training_start) for d in drafts
                       if not (d.reference or "").strip()})
    staff = tuple(StaffRecord(*row) for row in session.execute(
        select(Staff.id, Staff.name, Staff.email, Staff.role, Staff.agency_id)
        .order_by(Staff.name, Staff.id)))
    agencies = tuple(AgencyRecord(*row) for row in session.execute(
        select(Agency.id, Agency.name, Agency.zone, Agency.headcount, Agency.prism_member)
        .order_by(Agency.id)))
    references: dict[str, str] = {}
    for first in range(0, len(named), CHUNK):
        references.update((key, reference) for key, reference in session.execute(
            select(Dossier.reference_key, Dossier.reference)
            .where(Dossier.reference_key.in_(named[first:first + CHUNK]))))
    numbered = {}
    for prefix in prefixes:
        like = {key: reference for key, reference in session.execute(
            select(Dossier.reference_key, Dossier.reference)
            .where(Dossier.reference.like(f"{prefix}%")))}
        numbered[prefix] = len(like)
        references |= like
    same_day: dict[tuple[str, date, int], list[tuple[str, str]]] = {}
    wanted = {(d.kind.value, d.training_start) for d in drafts if not d.duplicate}
    if wanted:
        starts = [start for _, start in wanted]
        for reference, worker, kind, start, agency_id in session.execute(
                select(Dossier.reference, Dossier.worker, Dossier.kind, Dossier.training_start,
                       Dossier.agency_id)
                .where(Dossier.state != "abandoned",
                       Dossier.training_start.between(min(starts), max(starts)))
                .order_by(Dossier.id)):
            if (kind, start) in wanted:
                same_day.setdefault((kind, start, agency_id), []).append((reference, worker))
    return Snapshot(staff, agencies, references, numbered,
                    {key: tuple(rows) for key, rows in same_day.items()},
                    session.get_bind().dialect.name == "sqlite")


def check_rows(drafted: list[Drafted], snapshot: Snapshot, now: datetime) -> Checked:
    """Every row checked in file order against the snapshot and the rows before it, with no
    database: all the errors, or what to write."""
    directory = _FileDirectory(snapshot)
    errors: list[tuple[int | None, InvalidInput]] = []
    dossiers: list[_Imported] = []
    for number, row, draft in drafted:
        try:
            if isinstance(draft, InvalidInput):
                raise draft
            dossier = _check_row(row, draft, directory, now)
        except InvalidInput as error:
            errors.append((number, error))
        else:
            directory.accept(dossier)
            dossiers.append(dossier)
    if not drafted:
        errors.append((None, InvalidInput(FILE, "aucune ligne de dossier")))
    if errors:
        raise ImportFailed(errors)
    return Checked(drafted, snapshot, dossiers, now)


def write_checked(session: Session, checked: Checked) -> int:
    """In the write transaction: if the database changed since the file was checked, check
    it again against what it holds now, then write. On SQLite the write lock is held from
    the start of the transaction, so nothing changes in between; on PostgreSQL, as for
    `open`, the unique constraint on references is the last guard against a concurrent
    writer."""
    snapshot = read_snapshot(session, checked.drafted)
    if snapshot != checked.snapshot:
        checked = check_rows(checked.drafted, snapshot, checked.now)
    return _write(session, checked)


def _write(session: Session, checked: Checked) -> int:
    """Bulk inserts, in file order (the ids and history follow the rows as if each had been
    opened in turn), then the stored timelines, in the session's transaction."""
    connection = session.connection()
    now = checked.now
    ids: list[int] = []
    # Batch by batch: the rows of all the file are never all in memory at once.
    for first in range(0, len(checked.dossiers), WRITE_BATCH):
        batch = checked.dossiers[first:first + WRITE_BATCH]
        batch_ids = _insert_dossiers(connection, [dossier.row() for dossier in batch])
        events: list[dict[str, Any]] = []
        missions: list[dict[str, Any]] = []
        documents: list[dict[str, Any]] = []
        incidents: list[dict[str, Any]] = []
        changes: list[dict[str, Any]] = []
        for dossier_id, dossier in zip(batch_ids, batch, strict=True):
            dossier.id = dossier_id
            events += [{"dossier_id": dossier_id, "kind": e.kind, "occurred_on": e.occurred_on,
                        "recorded_at": now} for e in dossier.events]
            missions += [{"dossier_id": dossier_id, "start": m.start, "end": m.end,
                          "worked_minutes": m.worked_minutes,
                          "holiday_minutes": m.holiday_minutes} for m in dossier.missions]
            documents += [{"dossier_id": dossier_id, "code": d.code,
                           "received_on": d.received_on, "created_at": now}
                          for d in dossier.documents]
            incidents += [{"dossier_id": dossier_id, "kind": i.kind, "occurred_on": i.occurred_on,
                           "document_on": i.document_on, "until_on": i.until_on,
                           "created_at": now} for i in dossier.incidents]
            changes += [{"dossier_id": dossier_id, "at": now, "what": what, "before": before,
                         "after": after} for what, before, after in dossier.history]
        for model, rows in ((Event, events), (Mission, missions), (Document, documents),
                            (Incident, incidents), (Change, changes)):
            if rows:
                insert_many(connection, model.__table__, rows)
        ids += batch_ids
    # From the rows in memory, as they were just written: no need to read them back.
    if checked.timelines is None:
        steps.store(session, checked.dossiers)
    else:
        steps.insert_computed(session, ids, checked.timelines)
    return len(ids)


def _insert_dossiers(connection: Connection, rows: list[dict[str, Any]]) -> list[int]:
    """Insert these dossiers; their ids, in the same order."""
    table = Dossier.__table__
    if connection.dialect.name != "sqlite":
        return list(connection.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).scalars())
    # SQLite cannot say which row RETURNING's ids belong to in a statement of many rows, so
    # SQLAlchemy inserted them one statement each: one executemany instead, then the ids
    # read back by reference key (unique), a query per CHUNK rows.
    insert_many(connection, table, rows)
    keys = [row["reference_key"] for row in rows]
    ids: dict[str, int] = {}
    for first in range(0, len(keys), CHUNK):
        ids.update(connection.execute(
            select(table.c.reference_key, table.c.id)
            .where(table.c.reference_key.in_(keys[first:first + CHUNK]))).all())
    return [ids[key] for key in keys]


def _draft(row: dict[str, str]) -> DossierDraft:
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
    return DossierDraft(
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
        duplicate=parse_choice("doublon", get("doublon") or "non", YES_NO) == "oui",
    )


def _check_row(row: dict[str, str], draft: DossierDraft, directory: _FileDirectory,
               now: datetime) -> _Imported:
    """The row's dossier, mission, document and events, checked in the order the services
    would record them (events by date, the column order breaking ties, closing last)."""
    def get(column: str) -> str:
        return row.get(column, "").strip()

    def optional(column: str, parse: Callable[[str, str], object]):  # type: ignore[no-untyped-def]
        value = get(column)
        return parse(column, value) if value else None

    try:
        opening = check_opening(draft, directory)
    except DuplicateDossier as duplicate:
        raise duplicate.confirmed_by(messages.DUPLICATE_CONFIRM_IMPORT) from None
    dossier = _Imported(dossier_columns(draft, opening, now), opening.agency, opening.owner)
    dossier.history.append(opening_log(opening))
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
        start = parse_date("mission_debut", get("mission_debut"))
        end = parse_date("mission_fin", get("mission_fin"))
        worked = parse_hours("mission_heures", get("mission_heures"))
        holiday = optional("mission_heures_feriees", parse_hours) or Fraction(0)
        check_mission(dossier, start, end, worked, holiday)
        mission = MissionRecord(start, end, to_minutes(worked), to_minutes(holiday))
        dossier.missions.append(mission)
        dossier.history.append(mission_log(mission))
    if any(get(column) for column in INCIDENT_COLUMNS):
        # R-CDPI-EXCUSE, I-EXCUSE-IN-WINDOW: the same checks as `incident`.
        for column in ("incident", "incident_date"):
            if not get(column):
                raise InvalidInput(column, "valeur obligatoire quand un incident est indiqué")
        kind = IncidentKind(parse_choice("incident", get("incident"), INCIDENT_CHOICES))
        on = parse_date("incident_date", get("incident_date"))
        until = optional("incident_fin", parse_date)
        proof = optional("incident_justificatif", parse_date)
        check_incident(kind, on, proof, until, ("incident_justificatif", "incident_fin"))
        dossier.incidents.append(IncidentRecord(kind.value, on, proof, until))
        dossier.history.append(incident_log(on, proof))
    for column, code in DOCUMENT_COLUMNS.items():
        received = optional(column, parse_date)
        if received is not None:
            _label, log = check_document(dossier, facts_of(dossier), code, received)
            dossier.documents.append(DocumentRecord(code, received))
            dossier.history.append(log)
    for on, _order, kind in sorted(events):
        dossier.state, logs = check_event(dossier, facts_of(dossier), kind, on)
        dossier.events.append(EventRecord(kind.value, on))
        dossier.history += logs
    return dossier
