"""`dossiers import`: all rows or none, errors by row number."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Dossiers

HEADER = "Référence;Type;Intérimaire;Début;Fin;Heures formation;Responsable;DRF déposée;DRF accord\n"


def write(tmp_path: Path, text: str, name: str = "dossiers.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8-sig")
    return str(path)


def test_a_good_file_imports_every_row_with_its_events(network: Dossiers, tmp_path: Path) -> None:
    """R-DRF-ANSWER: the imported DRF and accord make the contract step (R-CONTRACT)."""
    path = write(tmp_path, HEADER
                 + "A-1;CDPI;Karim B.;11/01/2027;19/02/2027;210;lea@example.fr;01/12/2026;02/12/2026\n"
                 + "A-2;cipi;Aïcha D.;2027-03-01;2027-04-09;140,5;julien@example.fr;;\n")
    assert network.ok("import", path) == "2 dossiers importés.\n"
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
        "Erreur : ligne 3 : heures de formation : 100\u00a0h hors des bornes 140\u00a0h – 525\u00a0h "
        "(R-CDPI-HOURS)",
        "Erreur : ligne 5 : --on : une DRF ne peut pas être déposée le 11/01/2027, la formation "
        "démarre le 11/01/2027 (R-DRF-WINDOW)",
        "Erreur : ligne 6 : référence : « A-1 » existe déjà",
        "Rien n'a été importé (3 erreur(s)).",
    ]
    assert network.dump() == before


def test_unknown_columns_are_refused_rather_than_ignored(network: Dossiers, tmp_path: Path) -> None:
    path = write(tmp_path, "type,interimaire,debut,fin,heures_formation,responsable,couleur\n"
                 "cdpi,X,2027-01-11,2027-02-19,210,lea@example.fr,bleu\n")
    result = network.run("import", path)
    assert result.exit_code == 2
    assert result.stderr == "Erreur : FICHIER.csv : colonne(s) inconnue(s) : couleur\n"


def test_a_missing_file_or_column_is_one_clear_line(network: Dossiers, tmp_path: Path) -> None:
    missing = network.run("import", str(tmp_path / "absent.csv"))
    assert missing.exit_code == 2 and "fichier introuvable" in missing.stderr
    path = write(tmp_path, "type;interimaire\ncdpi;X\n")
    result = network.run("import", path)
    assert result.stderr == ("Erreur : FICHIER.csv : colonne(s) obligatoire(s) absente(s) : "
                             "debut, fin, heures_formation, responsable\n")
