"""`dossiers import`: all rows or none, errors by row number."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Dossiers

HEADER = "Référence;Type;Intérimaire;Début;Fin;Heures formation;Responsable;DRF déposée;DRF accord\n"


@pytest.fixture(autouse=True)
def _in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files are named as a user types them, from the folder that holds them."""
    monkeypatch.chdir(tmp_path)


def write(tmp_path: Path, text: str, name: str = "dossiers.csv") -> str:
    """The file as Excel's « CSV UTF-8 » writes it (with a BOM), named as typed."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8-sig")
    return name


def test_a_good_file_imports_every_row_with_its_events(network: Dossiers, tmp_path: Path) -> None:
    """R-DRF-ANSWER: the imported DRF and accord make the contract step (R-CONTRACT)."""
    path = write(tmp_path, HEADER
                 + "A-1;CDPI;Karim B.;11/01/2027;19/02/2027;210;lea@example.fr;01/12/2026;02/12/2026\n"
                 + "A-2;cipi;Aïcha D.;2027-03-01;2027-04-09;140,5;julien@example.fr;;\n")
    assert network.ok("import", path) == "2 dossiers importés (fichier lu en UTF-8, séparateur « ; »).\n"
    dossiers = {d["reference"]: d for d in json.loads(network.ok("list", "--json", "--as-of",
                                                                 "2026-12-02"))}
    assert dossiers["A-2"]["agency"] == "Metz" and dossiers["A-2"]["training_hours"] == 140.5
    contract = [s for s in dossiers["A-1"]["steps"] if s["code"] == "contract"]
    assert contract[0]["due"] == "2027-02-01"


def test_one_bad_row_cancels_the_whole_file_and_every_error_is_reported(
    network: Dossiers, tmp_path: Path
) -> None:
    """R-CDPI-HOURS, R-DRF-WINDOW errors by row number; nothing is written."""
    path = write(tmp_path, HEADER
                 + "A-1;cdpi;Karim B.;2027-01-11;2027-02-19;210;lea@example.fr;;\n"
                 + "A-2;cdpi;Aïcha D.;2027-01-11;2027-02-19;100;lea@example.fr;;\n"
                 + "\n"
                 + "A-3;cdpi;Paul R.;2027-01-11;2027-02-19;210;lea@example.fr;2027-01-11;\n"
                 + "A-1;cdpi;Doublon;2027-01-11;2027-02-19;210;lea@example.fr;;\n")
    before = network.dump()
    result = network.run("import", path)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Erreur : dossiers.csv, ligne 3, colonne F : heures de formation : 100\u00a0h hors des bornes 140\u00a0h – 525\u00a0h "
        "(R-CDPI-HOURS)",
        "Erreur : dossiers.csv, ligne 5 : --on : une DRF ne peut pas être déposée le 11/01/2027, la formation "
        "démarre le 11/01/2027 (R-DRF-WINDOW)",
        "Erreur : dossiers.csv, ligne 6, colonne A : référence : « A-1 » existe déjà",
        "Rien n'a été importé (3 erreur(s)).",
    ]
    assert network.dump() == before


def test_unknown_columns_are_refused_rather_than_ignored(network: Dossiers, tmp_path: Path) -> None:
    path = write(tmp_path, "type,interimaire,debut,fin,heures_formation,responsable,couleur\n"
                 "cdpi,X,2027-01-11,2027-02-19,210,lea@example.fr,bleu\n")
    result = network.run("import", path)
    assert result.exit_code == 2
    assert result.stderr == (
        "Erreur : dossiers.csv, ligne 1, colonne G : colonne inconnue « couleur » (colonnes "
        "possibles : voir le README ; --ignore-unknown-columns l'ignore)\n"
        "Rien n'a été importé (1 erreur(s)).\n")


def test_a_missing_file_or_column_is_one_clear_line(network: Dossiers, tmp_path: Path) -> None:
    missing = network.run("import", str(tmp_path / "absent.csv"))
    assert missing.exit_code == 2
    assert missing.stderr == f"Erreur : {tmp_path / 'absent.csv'} : fichier introuvable\n"
    path = write(tmp_path, "type;interimaire\ncdpi;X\n")
    result = network.run("import", path)
    assert result.stderr == ("Erreur : dossiers.csv : colonne(s) obligatoire(s) absente(s) : "
                             "debut, fin, heures_formation, responsable\n"
                             "Rien n'a été importé (1 erreur(s)).\n")


# The file is checked whole, then written in one short transaction (bulk inserts, stored
# timelines included): what the services would have written, row by row.

FULL_HEADER = ("reference;type;interimaire;debut;fin;heures_formation;responsable;agence;"
               "drf_deposee;drf_accord;contrat_envoye;demande_car;avis_pole;clos_le;"
               "mission_debut;mission_fin;mission_heures;mission_heures_feriees\n")
FULL_ROWS = (
    "H-1;cdpi;Karim B.;2027-01-11;2027-02-19;210;lea@example.fr;Lyon;2026-12-01;2026-12-03;"
    "2026-12-10;;;2027-06-30;2027-03-01;2027-03-31;100;7\n"
    "H-2;car;Paul R.;2027-01-11;2027-10-08;900;lea@example.fr;;;;;2027-01-20;2027-01-05;;;;;\n"
    ";cipi;Aïcha D.;2027-03-01;2027-04-09;140,5;julien@example.fr;Metz;2027-01-15;;;;;;;;;\n"
    ";cipi;Ana P.;2027-03-01;2027-04-09;140;julien@example.fr;;;;;;;;2027-05-02;2027-05-20;"
    "60;\n"
)
# The same dossiers, typed one command at a time (events in date order, after the mission
# and the documents, as `import` records them).
BY_HAND = (
    ("open", "--kind", "cdpi", "--worker", "Karim B.", "--start", "2027-01-11", "--end",
     "2027-02-19", "--training-hours", "210", "--owner", "lea@example.fr", "--agency", "Lyon",
     "--reference", "H-1"),
    ("mission", "H-1", "--start", "2027-03-01", "--end", "2027-03-31", "--hours", "100",
     "--holiday-hours", "7"),
    ("record", "H-1", "drf-submitted", "--on", "2026-12-01"),
    ("record", "H-1", "drf-accord", "--on", "2026-12-03"),
    ("record", "H-1", "contract-submitted", "--on", "2026-12-10"),
    ("record", "H-1", "close", "--on", "2027-06-30"),
    ("open", "--kind", "car", "--worker", "Paul R.", "--start", "2027-01-11", "--end",
     "2027-10-08", "--training-hours", "900", "--owner", "lea@example.fr", "--reference", "H-2"),
    ("doc", "H-2", "avis-pole-reconversion", "--on", "2027-01-05"),
    ("record", "H-2", "car-request-submitted", "--on", "2027-01-20"),
    ("open", "--kind", "cipi", "--worker", "Aïcha D.", "--start", "2027-03-01", "--end",
     "2027-04-09", "--training-hours", "140,5", "--owner", "julien@example.fr", "--agency",
     "Metz"),
    ("record", "CIPI-2027-0001", "drf-submitted", "--on", "2027-01-15"),
    ("open", "--kind", "cipi", "--worker", "Ana P.", "--start", "2027-03-01", "--end",
     "2027-04-09", "--training-hours", "140", "--owner", "julien@example.fr"),
    ("mission", "CIPI-2027-0002", "--start", "2027-05-02", "--end", "2027-05-20", "--hours",
     "60"),
)


def _history_and_steps(tool: Dossiers) -> dict[str, object]:
    """Per dossier: `show --json --history` (the moments of writing aside) and the stored
    timeline rows."""
    dumped = dict(tool.dump())
    found: dict[str, object] = {}
    for reference in ("H-1", "H-2", "CIPI-2027-0001", "CIPI-2027-0002"):
        shown = json.loads(tool.ok("show", reference, "--json", "--history", "--as-of",
                                   "2027-02-01"))
        for change in shown["history"]:
            change.pop("at")
        found[reference] = shown
    found["timelines"] = dumped["timelines"]
    found["events"] = [row[:4] for row in dumped["events"]]  # recorded_at aside
    found["missions"] = dumped["missions"]
    found["documents"] = [row[:4] for row in dumped["documents"]]
    found["changes"] = [(row[1], *row[3:]) for row in dumped["changes"]]  # `at` aside
    return found


def test_an_imported_file_writes_what_the_same_commands_typed_one_by_one_write(
        network: Dossiers, tmp_path: Path) -> None:
    """Same rows, same ids, same history lines (opening, mission, document, events, state),
    same stored timelines (R-DOCS, R-CAR-REQUEST, R-DRF-WINDOW, R-CDPI-MISSION)."""
    by_hand = Dossiers.sqlite(tmp_path / "by-hand.db")  # whatever database the import has
    by_hand.ok("init")
    for args in (("agency", "add", "Lyon", "--zone", "metropole", "--headcount", "30",
                  "--prism"),
                 ("agency", "add", "Metz", "--zone", "alsace-moselle", "--headcount", "12"),
                 ("staff", "add", "Léa Martin", "--email", "lea@example.fr", "--agency", "Lyon"),
                 ("staff", "add", "Sophie Garnier", "--email", "sophie@example.fr", "--role",
                  "manager", "--agency", "Lyon"),
                 ("staff", "add", "Julien Weber", "--email", "julien@example.fr", "--agency",
                  "Metz")):
        by_hand.ok(*args)
    for args in BY_HAND:
        by_hand.ok(*args)
    assert network.ok("import", write(tmp_path, FULL_HEADER + FULL_ROWS)) == \
        "4 dossiers importés (fichier lu en UTF-8, séparateur « ; »).\n"
    imported, typed = _history_and_steps(network), _history_and_steps(by_hand)
    assert imported == typed
    assert [c[1:] for c in imported["changes"]][:2] == [  # type: ignore[index]
        ("ouverture", None, "H-1 (akto-current)"),
        ("mission", None, "2027-03-01 → 2027-03-31, 107\u00a0h")]


def test_imported_dossiers_have_their_stored_timelines_at_once(
        network: Dossiers, tmp_path: Path) -> None:
    """Each imported dossier's stored timeline is the engine's, right after the import,
    without the next command having to heal anything."""
    from dossiers.store.database import open_engine
    from tests.test_stored_timelines import _check_stored

    assert network.ok("import", write(tmp_path, FULL_HEADER + FULL_ROWS)) == \
        "4 dossiers importés (fichier lu en UTF-8, séparateur « ; »).\n"
    engine = open_engine(network.url)
    try:
        _check_stored(engine)
    finally:
        engine.dispose()
    assert len(dict(network.dump())["timelines"]) == 4


def test_an_error_in_the_last_row_of_a_big_file_writes_nothing(
        network: Dossiers, tmp_path: Path) -> None:
    rows = "".join(f"B-{n};cdpi;Intérimaire {n};2027-01-11;2027-02-19;210;lea@example.fr;"
                   "2026-12-01;2026-12-03\n" for n in range(1, 400))
    path = write(tmp_path, HEADER + rows
                 + "B-400;cdpi;Dernier;2027-01-11;2027-02-19;210;lea@example.fr;2027-01-12;\n")
    before = network.dump()
    result = network.run("import", path)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Erreur : dossiers.csv, ligne 401 : --on : une DRF ne peut pas être déposée le 12/01/2027, la "
        "formation démarre le 11/01/2027 (R-DRF-WINDOW)",
        "Rien n'a été importé (1 erreur(s)).",
    ]
    assert network.dump() == before
    assert network.ok("import", write(tmp_path, HEADER + rows, "good.csv")) == \
        "399 dossiers importés (fichier lu en UTF-8, séparateur « ; »).\n"
    listed = json.loads(network.ok("list", "--json", "--as-of", "2026-12-04"))
    assert len(listed) == 399
    assert {s["code"]: s["due"] for s in listed[0]["steps"]}["contract"] == "2027-02-02"


def test_the_rows_of_a_file_see_the_rows_before_them(network: Dossiers, tmp_path: Path) -> None:
    """References are numbered after the stored ones and the file's earlier rows; an earlier
    row typed twice is a duplicate; a refused row's reference stays free."""
    network.ok("open", "--kind", "cdpi", "--worker", "Déjà Là", "--start", "2027-01-11",
               "--end", "2027-02-19", "--training-hours", "210", "--owner", "lea@example.fr")
    path = write(tmp_path, HEADER
                 + ";cdpi;Karim B.;2027-01-11;2027-02-19;210;lea@example.fr;;\n"
                 + "CDPI-2027-0003;cdpi;Ana P.;2027-01-11;2027-02-19;210;lea@example.fr;;\n"
                 + ";cdpi;Paul R.;2027-01-11;2027-02-19;210;lea@example.fr;;\n"
                 + "X-1;cdpi;KARIM b.;2027-01-11;2027-02-19;210;lea@example.fr;;\n"
                 + "X-2;cdpi;Zoé;2027-01-11;2027-02-19;100;lea@example.fr;;\n"
                 + "X-2;cdpi;Zoé;2027-01-11;2027-02-19;210;lea@example.fr;;\n")
    result = network.run("import", path)
    assert result.stderr.splitlines() == [
        "Erreur : dossiers.csv, ligne 5, colonne C : intérimaire : « Karim B. » a déjà un dossier CDPI qui commence le "
        "11/01/2027 (CDPI-2027-0002) ; pour en ouvrir un second quand même, mettez « oui » dans "
        "la colonne doublon",
        "Erreur : dossiers.csv, ligne 6, colonne F : heures de formation : 100\u00a0h hors des bornes 140\u00a0h – "
        "525\u00a0h (R-CDPI-HOURS)",
        "Rien n'a été importé (2 erreur(s)).",
    ]
    path = write(tmp_path, HEADER
                 + ";cdpi;Karim B.;2027-01-11;2027-02-19;210;lea@example.fr;;\n"
                 + "CDPI-2027-0003;cdpi;Ana P.;2027-01-11;2027-02-19;210;lea@example.fr;;\n"
                 + ";cdpi;Paul R.;2027-01-11;2027-02-19;210;lea@example.fr;;\n"
                 + "X-2;cdpi;Zoé;2027-01-11;2027-02-19;210;lea@example.fr;;\n", "good.csv")
    assert network.ok("import", path) == "4 dossiers importés (fichier lu en UTF-8, séparateur « ; »).\n"
    workers = {d["reference"]: d["worker"]
               for d in json.loads(network.ok("list", "--json", "--as-of", "2026-12-01"))}
    assert workers == {"CDPI-2027-0001": "Déjà Là", "CDPI-2027-0002": "Karim B.",
                       "CDPI-2027-0003": "Ana P.", "CDPI-2027-0004": "Paul R.", "X-2": "Zoé"}


def test_the_doublon_column_confirms_a_dossier_typed_twice_as_open_duplicate_does(
        network: Dossiers, tmp_path: Path) -> None:
    """A second dossier of the same kind, start and worker: refused unless the row says
    « oui » in `doublon`; anything else than oui/non there is refused, naming the column."""
    network.ok("open", "--kind", "cdpi", "--worker", "Karim B.", "--start", "2027-01-11",
               "--end", "2027-02-19", "--training-hours", "210", "--owner", "lea@example.fr")
    header = "type;interimaire;debut;fin;heures_formation;responsable;doublon\n"
    row = "cdpi;Karim B.;2027-01-11;2027-02-19;210;lea@example.fr;"
    before = network.dump()
    refused = network.run("import", write(tmp_path, header + row + "non\n"))
    assert refused.exit_code == 2
    assert "mettez « oui » dans la colonne doublon" in refused.stderr
    wrong = network.run("import", write(tmp_path, header + row + "peut-être\n", "wrong.csv"))
    assert wrong.stderr.splitlines()[0] == (
        "Erreur : wrong.csv, ligne 2, colonne G : doublon : valeur inconnue « peut-être » (valeurs possibles : oui, non)")
    assert network.dump() == before
    assert network.ok("import", write(tmp_path, header + row + "OUI\n", "yes.csv")) \
        == "1 dossier importé (fichier lu en UTF-8, séparateur « ; »).\n"
    workers = [d["worker"] for d in json.loads(network.ok("list", "--json", "--as-of",
                                                          "2026-12-01"))]
    assert workers.count("Karim B.") == 2


def test_the_file_is_checked_while_another_command_holds_the_write_lock(
        network: Dossiers, tmp_path: Path) -> None:
    """Parsing and checking need no write lock: another command writing meanwhile neither
    waits for them nor makes them wait; only the short write transaction queues."""
    from contextlib import ExitStack
    from datetime import datetime

    from dossiers.services.importer import import_rows, read_rows
    from dossiers.store.database import open_engine, transaction
    from dossiers.store.models import Agency

    path = Path(write(tmp_path, HEADER
                      + "A-1;cdpi;Karim B.;2027-01-11;2027-02-19;210;lea@example.fr;;\n"))
    engine = open_engine(network.url)
    held = ExitStack()
    try:
        other = held.enter_context(transaction(engine))
        other.add(Agency(name="Brest", zone="metropole"))
        other.flush()  # holds the write lock (SQLite: BEGIN IMMEDIATE) until closed
        checked_while_held = []

        def write_transaction():  # type: ignore[no-untyped-def]
            checked_while_held.append(True)  # reached with the lock still held by `other`
            held.close()  # the other command commits; the import's write may begin
            return transaction(engine)

        count = import_rows(lambda: transaction(engine, write=False), write_transaction,
                            read_rows(path), datetime(2026, 11, 23, 8))
    finally:
        held.close()
        engine.dispose()
    assert (count, checked_while_held) == (1, [True])
    assert "Brest" in network.ok("agency", "list")
    assert "A-1" in network.ok("list", "--all")


def test_what_another_command_wrote_while_the_file_was_checked_is_checked_again(
        network: Dossiers, tmp_path: Path) -> None:
    """The write transaction reads again what the checks read; if it changed, the rows are
    checked again, under the lock: a reference taken meanwhile is refused, a number taken
    meanwhile is skipped."""
    from datetime import datetime

    from dossiers.services.importer import ImportFailed, import_rows, read_rows
    from dossiers.store.database import open_engine, transaction

    engine = open_engine(network.url)
    opened = iter((("A-1", "Paul R."), ("CDPI-2027-0001", "Zoé M.")))

    def write_after_another_open():  # type: ignore[no-untyped-def]
        reference, worker = next(opened)
        network.ok("open", "--kind", "cdpi", "--worker", worker, "--start", "2027-01-11",
                   "--end", "2027-02-19", "--training-hours", "210", "--owner",
                   "lea@example.fr", "--reference", reference)
        return transaction(engine)

    def run(text: str, name: str) -> int:
        return import_rows(lambda: transaction(engine, write=False), write_after_another_open,
                           read_rows(Path(write(tmp_path, HEADER + text, name))),
                           datetime(2026, 11, 23, 8))

    try:
        with pytest.raises(ImportFailed) as failed:
            run("A-1;cdpi;Karim B.;2027-01-11;2027-02-19;210;lea@example.fr;;\n"
                ";cdpi;Ana P.;2027-01-11;2027-02-19;210;lea@example.fr;;\n", "a.csv")
        assert failed.value.lines() == ["ligne 2 : référence : « A-1 » existe déjà"]
        assert [row[1] for row in dict(network.dump())["dossiers"]] == ["A-1"]
        assert run(";cdpi;Ana P.;2027-01-11;2027-02-19;210;lea@example.fr;;\n", "b.csv") == 1
    finally:
        engine.dispose()
    workers = {d["reference"]: d["worker"]
               for d in json.loads(network.ok("list", "--json", "--as-of", "2026-12-01"))}
    assert workers == {"A-1": "Paul R.", "CDPI-2027-0001": "Zoé M.",
                       "CDPI-2027-0002": "Ana P."}


def test_a_command_writing_during_an_imports_write_transaction_waits_for_it(
        network: Dossiers, tmp_path: Path) -> None:
    """The import's write transaction holds SQLite's write lock; `snooze` meanwhile waits for it
    (busy timeout, README: 60 s at most) instead of failing, and both are written."""
    import threading
    import time
    from contextlib import contextmanager
    from datetime import datetime

    from dossiers.services.importer import import_rows, read_rows
    from dossiers.store.database import BUSY_TIMEOUT_SECONDS, open_engine, transaction

    assert BUSY_TIMEOUT_SECONDS == 60  # the README says so
    if not network.url.startswith("sqlite"):
        pytest.skip("SQLite only: PostgreSQL writers lock rows, not the database")
    network.ok("open", "--kind", "cdpi", "--worker", "Paul R.", "--start", "2027-01-11",
               "--end", "2027-02-19", "--training-hours", "210", "--owner", "lea@example.fr",
               "--reference", "S-1")
    path = Path(write(tmp_path, HEADER
                      + "A-1;cdpi;Karim B.;2027-01-11;2027-02-19;210;lea@example.fr;;\n"))
    engine = open_engine(network.url)
    writing = threading.Event()

    @contextmanager
    def slow_write():  # type: ignore[no-untyped-def]
        with transaction(engine) as session:
            session.connection()  # BEGIN IMMEDIATE: the write lock is held from here
            writing.set()
            yield session
            time.sleep(1.5)  # a long import's inserts

    importing = threading.Thread(target=import_rows, args=(
        lambda: transaction(engine, write=False), slow_write, read_rows(path),
        datetime(2026, 11, 23, 8)))
    importing.start()
    try:
        assert writing.wait(30)
        began = time.monotonic()
        result = network.run("snooze", "S-1", "drf", "--until", "2026-11-30", "--as-of",
                             "2026-11-23")
        waited = time.monotonic() - began
    finally:
        importing.join()
        engine.dispose()
    assert result.exit_code == 0, result.output
    assert waited > 0.5
    assert "A-1" in network.ok("list", "--all")
