"""`dossiers import` reads the files Excel writes on a French Windows, byte for byte as Excel
writes them, and names the file and the cell (line, column letter) of every error.

- « CSV (séparateur : point-virgule) »: Windows-1252, CRLF, « ; »;
- « CSV UTF-8 (délimité par des virgules) »: UTF-8 with a BOM, CRLF, « ; » on a French Windows;
- « Texte Unicode »: UTF-16 LE with a BOM (FF FE), CRLF, tabs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Dossiers

HEADER = ["Référence", "Type", "Intérimaire", "Début", "Fin", "Heures formation", "Responsable"]
ROWS = [["A-1", "CDPI", "Aïcha Dœuf", "11/01/2027", "19/02/2027", "210", "lea@example.fr"],
        ["A-2", "cipi", "Zoé Ñúñez", "01/03/2027", "09/04/2027", "140,5", "lea@example.fr"]]


@pytest.fixture(autouse=True)
def _in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def excel(rows: list[list[str]], separator: str = ";") -> str:
    """Lines as Excel ends them (CRLF), the last one included."""
    return "".join(separator.join(row) + "\r\n" for row in rows)


def save(name: str, data: bytes) -> str:
    Path(name).write_bytes(data)
    return name


def workers(tool: Dossiers) -> dict[str, str]:
    return {d["reference"]: d["worker"]
            for d in json.loads(tool.ok("list", "--json", "--all", "--as-of", "2026-12-01"))}


def test_excel_csv_semicolon_in_windows_1252_with_crlf_is_read_and_said(
        network: Dossiers) -> None:
    data = excel([HEADER, *ROWS]).encode("cp1252")
    assert b"\x9c" in data and b"\r\n" in data  # « œ » as Windows-1252 writes it
    path = save("export excel.csv", data)
    assert network.ok("import", path) == (
        "2 dossiers importés (fichier lu en Windows-1252, séparateur « ; »).\n")
    assert workers(network) == {"A-1": "Aïcha Dœuf", "A-2": "Zoé Ñúñez"}


def test_excel_unicode_text_utf16_le_with_bom_and_tabs_is_read_and_said(
        network: Dossiers) -> None:
    data = b"\xff\xfe" + excel([HEADER, *ROWS], "\t").encode("utf-16-le")
    path = save("texte unicode.txt", data)
    assert network.ok("import", path) == (
        "2 dossiers importés (fichier lu en UTF-16, séparateur tabulation).\n")
    assert workers(network) == {"A-1": "Aïcha Dœuf", "A-2": "Zoé Ñúñez"}


def test_excel_csv_utf8_with_bom_is_read_and_said(network: Dossiers) -> None:
    path = save("utf8.csv", b"\xef\xbb\xbf" + excel([HEADER, *ROWS]).encode("utf-8"))
    assert network.ok("import", path) == (
        "2 dossiers importés (fichier lu en UTF-8, séparateur « ; »).\n")
    assert workers(network)["A-1"] == "Aïcha Dœuf"


def test_encoding_forces_one_when_the_bytes_are_valid_utf8_but_meant_windows_1252(
        network: Dossiers) -> None:
    # « Ã© » in Windows-1252 is C3 A9: also valid UTF-8 (« é »), so read as UTF-8 by default.
    rows = [HEADER, ["A-1", "cdpi", "Ã©mile", "11/01/2027", "19/02/2027", "210",
                     "lea@example.fr"]]
    path = save("force.csv", excel(rows).encode("cp1252"))
    assert network.ok("import", path, "--encoding", "windows-1252") == (
        "1 dossier importé (fichier lu en Windows-1252, séparateur « ; »).\n")
    assert workers(network) == {"A-1": "Ã©mile"}


def test_bytes_neither_utf8_nor_windows_1252_name_the_file_and_line(network: Dossiers) -> None:
    data = excel([HEADER, *ROWS]).encode("cp1252") + b"A-3;cdpi;\x81;;;;\r\n"
    before = network.dump()
    result = network.run("import", save("bizarre.csv", data))
    assert result.exit_code == 2
    assert result.stderr == ("Erreur : bizarre.csv : ligne 4 : octet 0x81 ni UTF-8 ni "
                             "Windows-1252 ; enregistrez le fichier en « CSV UTF-8 » ou indiquez "
                             "--encoding\n")
    assert network.dump() == before


def test_a_forced_encoding_the_file_is_not_in_is_one_line_naming_the_file(
        network: Dossiers) -> None:
    path = save("latin.csv", excel([HEADER, *ROWS]).encode("cp1252"))
    result = network.run("import", path, "--encoding", "utf-8")
    assert result.exit_code == 2
    assert result.stderr.startswith("Erreur : latin.csv : ligne ")
    assert "le fichier n'est pas en UTF-8" in result.stderr and result.stderr.count("\n") == 1


def test_a_missing_file_is_named_as_typed(network: Dossiers) -> None:
    result = network.run("import", "absent/dossiers.csv")
    assert (result.exit_code, result.stderr) == (
        2, "Erreur : absent/dossiers.csv : fichier introuvable\n")
    Path("dossier").mkdir()
    result = network.run("import", "dossier")
    assert (result.exit_code, result.stderr) == (
        2, "Erreur : dossier : c'est un dossier, pas un fichier CSV\n")


def refused(tool: Dossiers, path: str, *options: str) -> list[str]:
    before = tool.dump()
    result = tool.run("import", path, *options)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert tool.dump() == before
    return result.stderr.splitlines()


@pytest.mark.parametrize("second", ["debut", "Début", " DÉBUT "])
def test_a_header_given_twice_is_refused_by_name_even_after_normalisation(
        network: Dossiers, second: str) -> None:
    rows = [[*HEADER, second], [*ROWS[0], "12/01/2027"]]
    path = save("double.csv", excel(rows).encode("utf-8"))
    assert refused(network, path) == [
        f"Erreur : double.csv, ligne 1, colonne H : colonne « {second.strip()} » en double : "
        "c'est déjà la colonne D (« Début ») ; gardez-en une",
        "Rien n'a été importé (1 erreur(s)).",
    ]
    # Never ignored: which of the two was meant is the user's to say.
    assert refused(network, path, "--ignore-unknown-columns")[0].startswith(
        "Erreur : double.csv, ligne 1, colonne H : colonne")


def test_an_unknown_header_in_another_script_is_refused_by_name_or_ignored_when_asked(
        network: Dossiers) -> None:
    rows = [[*HEADER, "Цвет"], [*ROWS[0], "синий"]]
    path = save("cyrillique.csv", excel(rows).encode("utf-8"))
    assert refused(network, path) == [
        "Erreur : cyrillique.csv, ligne 1, colonne H : colonne inconnue « Цвет » (colonnes "
        "possibles : voir le README ; --ignore-unknown-columns l'ignore)",
        "Rien n'a été importé (1 erreur(s)).",
    ]
    assert network.ok("import", path, "--ignore-unknown-columns") == (
        "1 dossier importé (fichier lu en UTF-8, séparateur « ; ») ; 1 colonne ignorée : "
        "« Цвет ».\n")


def test_a_value_under_an_empty_header_is_refused_at_its_cell(network: Dossiers) -> None:
    rows = [[*HEADER, ""], [*ROWS[0], "note perdue"], [*ROWS[1], ""]]
    path = save("vide.csv", excel(rows).encode("utf-8"))
    assert refused(network, path) == [
        "Erreur : vide.csv, ligne 2, colonne H : valeur « note perdue » dans une colonne sans "
        "en-tête (nommez la colonne, ou --ignore-unknown-columns)",
        "Rien n'a été importé (1 erreur(s)).",
    ]
    # An empty column (Excel's trailing « ; ») holds nothing to lose.
    rows = [[*HEADER, ""], [*ROWS[0], ""]]
    assert network.ok("import", save("fin.csv", excel(rows).encode("utf-8"))).startswith(
        "1 dossier importé")


def test_a_value_beyond_the_last_column_is_refused_at_its_cell(network: Dossiers) -> None:
    rows = [HEADER, [*ROWS[0], "", "en trop"]]
    assert refused(network, save("trop.csv", excel(rows).encode("utf-8"))) == [
        "Erreur : trop.csv, ligne 2, colonne I : valeur « en trop » hors des colonnes nommées "
        "(plus de valeurs que de colonnes)",
        "Rien n'a été importé (1 erreur(s)).",
    ]


@pytest.mark.parametrize("breaking", ["\n", "\r\n", "\u2028", "\u2029", "\x85", "\x0b"])
def test_a_line_break_inside_a_cell_is_refused_at_its_cell(network: Dossiers,
                                                           breaking: str) -> None:
    rows = [HEADER, ROWS[0], [*ROWS[1][:2], f'"Multi{breaking}Ligne"', *ROWS[1][3:]]]
    path = save("multi.csv", excel(rows).encode("utf-8"))
    assert refused(network, path) == [
        "Erreur : multi.csv, ligne 3, colonne C : interimaire : saut de ligne dans la cellule "
        "(une seule ligne attendue)",
        "Rien n'a été importé (1 erreur(s)).",
    ]


def test_a_cell_over_128_kib_is_refused_at_its_line(network: Dossiers) -> None:
    rows = [HEADER, ROWS[0], [*ROWS[1][:2], "x" * 200_000, *ROWS[1][3:]]]
    assert refused(network, save("grosse.csv", excel(rows).encode("utf-8"))) == [
        "Erreur : grosse.csv, ligne 3 : une cellule dépasse 128 Kio : ligne refusée",
        "Rien n'a été importé (1 erreur(s)).",
    ]


def test_an_error_of_the_services_names_its_cell(network: Dossiers) -> None:
    rows = [HEADER, [*ROWS[0][:5], "100", ROWS[0][6]]]
    assert refused(network, save("heures.csv", excel(rows).encode("cp1252")))[0] == (
        "Erreur : heures.csv, ligne 2, colonne F : heures de formation : 100\u00a0h hors des "
        "bornes 140\u00a0h – 525\u00a0h (R-CDPI-HOURS)")


def test_parsing_200_000_rows_stays_under_300_mb(tmp_path: Path) -> None:
    """The file is read row by row (never whole in memory): 200 000 rows, 17 MB, parsed with
    a peak of Python allocations under 300 MB, counted by tracemalloc from the start of the
    read (the process's own peak RSS also counts the allocator's spare arenas, and was seen
    to vary by a third between two runs of the same code on a loaded machine)."""
    import subprocess
    import sys

    path = tmp_path / "gros.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("reference;type;interimaire;debut;fin;heures_formation;responsable;"
                  "drf_deposee\r\n")
        for number in range(200_000):
            out.write(f"B-{number};cdpi;Intérimaire {number};2027-01-11;2027-02-19;210;"
                      "lea@example.fr;2026-12-01\r\n")
    script = ("import sys, tracemalloc\n"
              "from pathlib import Path\n"
              "from dossiers.services.importer import read_file\n"
              "tracemalloc.start()\n"
              "rows = read_file(Path(sys.argv[1]), 'gros.csv').rows\n"
              "print(len(rows), tracemalloc.get_traced_memory()[1] // 2**20)\n")
    result = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True,
                            text=True, timeout=300, check=True)
    count, peak_mb = map(int, result.stdout.split())
    assert count == 200_000
    assert peak_mb < 300, peak_mb


def test_a_quote_left_open_is_refused_at_its_line(network: Dossiers) -> None:
    rows = [HEADER, ROWS[0], [*ROWS[1][:2], '"Zoé', *ROWS[1][3:]]]
    assert refused(network, save("guillemet.csv", excel(rows).encode("utf-8"))) == [
        "Erreur : guillemet.csv, ligne 3 : ligne illisible : guillemets mal placés ou jamais "
        "refermés",
        "Rien n'a été importé (1 erreur(s)).",
    ]


def test_a_file_of_headers_only_says_it_has_no_dossier(network: Dossiers) -> None:
    assert refused(network, save("entete.csv", excel([HEADER]).encode("utf-8"))) == [
        "Erreur : entete.csv : aucune ligne de dossier",
        "Rien n'a été importé (1 erreur(s)).",
    ]
