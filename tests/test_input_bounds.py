"""Every input is bounded: dates 2000–2100, numbers with a maximum, text trimmed, without
control characters and of limited length. Each case used to end in a traceback or to be
stored and printed back; now: one French line naming the field, exit 2, nothing written."""

from __future__ import annotations

import pytest

from dossiers.parsing import parse_text
from tests.conftest import Dossiers
from tests.test_bad_input import OPEN, replaced

RANGE = "hors des dates prises en charge (01/01/2000 – 31/12/2100)"
LONG = "x" * 10_000
CONTROL = "caractère de contrôle interdit (saut de ligne, tabulation…)"

CASES = {
    "year 9999": (replaced(OPEN, "--end", "9999-12-31"), f"--end : date « 9999-12-31 » {RANGE}"),
    "year 0001": (replaced(OPEN, "--start", "0001-01-01"),
                  f"--start : date « 0001-01-01 » {RANGE}"),
    "event in year 9999": (["record", "CDPI-1", "drf-submitted", "--on", "31/12/9999"],
                           f"--on : date « 31/12/9999 » {RANGE}"),
    "plan in year 9999": (["plan", "--kind", "cdpi", "--start", "9999-12-01", "--end",
                           "9999-12-31", "--training-hours", "210"],
                          f"--start : date « 9999-12-01 » {RANGE}"),
    "as-of in year 0001": (["list", "--as-of", "0001-01-01"],
                           f"--as-of : date « 0001-01-01 » {RANGE}"),
    "30-digit headcount": (["agency", "add", "Brest", "--headcount", "9" * 30],
                           "--headcount : " + "9" * 30
                           + " dépasse le maximum de 1\u202f000\u202f000"),
    "30-digit hours": (replaced(OPEN, "--training-hours", "9" * 30),
                       f"--training-hours : « {'9' * 30} » dépasse le maximum de 10\u202f000 h"),
    "5000-digit hours": (replaced(OPEN, "--training-hours", "9" * 5000),
                         f"--training-hours : nombre d'heures invalide « {'9' * 39}… » "
                         "(exemple : 210 ou 46,5)"),
    "30-digit mission hours": (["mission", "CDPI-1", "--start", "2027-03-01", "--end",
                                "2027-03-19", "--hours", "9" * 30],
                               f"--hours : « {'9' * 30} » dépasse le maximum de 10\u202f000 h"),
    "30-digit cost": ([*OPEN, "--hourly-cost", "9" * 30],
                      f"--hourly-cost : « {'9' * 30} » dépasse le maximum de 10\u202f000 €"),
    "30-digit day count": (["list", "--due-within", "9" * 30],
                           f"--due-within : {'9' * 30} dépasse le maximum de 36\u202f500"),
    "newline in a worker's name": (replaced(OPEN, "--worker", "Karim\nB."),
                                   f"--worker : {CONTROL}"),
    "escape in an agency name": (["agency", "add", "Lyon\x1b[31m"], f"NAME : {CONTROL}"),
    "bidirectional override in a staff name": (
        ["staff", "add", "L\u202eéa", "--email", "x@example.fr", "--agency", "Lyon"],
        f"NAME : {CONTROL}"),
    "10 000-character worker": (replaced(OPEN, "--worker", LONG),
                                "--worker : trop long (10000 caractères, 120 au plus)"),
    "10 000-character agency": (["agency", "add", LONG],
                                "NAME : trop long (10000 caractères, 120 au plus)"),
    "10 000-character dossier id": (["show", LONG],
                                    "ID : trop long (10000 caractères, 64 au plus)"),
    "blank worker": (replaced(OPEN, "--worker", "   "), "--worker : ne peut pas être vide"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_an_out_of_bounds_value_gets_one_line_exit_2_and_changes_nothing(
        network: Dossiers, case: str) -> None:
    network.ok(*OPEN, "--reference", "CDPI-1")
    args, message = CASES[case]
    before = network.dump()
    result = network.run(*args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"Erreur : {message}\n"
    assert network.dump() == before


def test_the_bounds_themselves_are_accepted(network: Dossiers) -> None:
    network.ok("agency", "add", "B" * 120, "--headcount", "1000000")
    network.ok("plan", "--kind", "car", "--start", "2000-01-03", "--end", "2000-06-30",
               "--training-hours", "400")
    network.ok("list", "--due-within", "36500", "--as-of", "2100-12-31")


def test_names_are_trimmed_before_they_are_stored(network: Dossiers) -> None:
    network.ok("agency", "add", "  Brest  ")
    assert "Brest" in network.ok("agency", "list", "--json")
    assert parse_text("nom", "  Léa Martin ") == "Léa Martin"


def test_an_imported_row_with_a_control_character_or_a_far_date_is_refused(
        network: Dossiers, tmp_path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "dossiers.csv"
    source.write_text("type;interimaire;debut;fin;heures_formation;responsable\n"
                      "cdpi;\"Karim\x07B.\";2027-01-11;2027-02-19;210;lea@example.fr\n"
                      "cdpi;Ana;2027-01-11;9999-02-19;210;lea@example.fr\n"
                      "cdpi;Ana;2027-01-11;2027-02-19;" + "9" * 30 + ";lea@example.fr\n",
                      encoding="utf-8")
    before = network.dump()
    result = network.run("import", str(source))
    assert result.exit_code == 2
    assert result.stderr == (
        f"Erreur : {source}, ligne 2, colonne B : interimaire : {CONTROL}\n"
        f"Erreur : {source}, ligne 3, colonne D : fin : date « 9999-02-19 » {RANGE}\n"
        f"Erreur : {source}, ligne 4, colonne E : heures_formation : « {'9' * 30} » dépasse le maximum de 10\u202f000 h\n"
        "Rien n'a été importé (3 erreur(s)).\n")
    assert network.dump() == before
