"""Bad input: one French line naming the field (and the rule), exit code 2, nothing written."""

from __future__ import annotations

import pytest

from tests.conftest import Dossiers

OPEN = ["open", "--kind", "cdpi", "--worker", "Karim B.", "--start", "2027-01-11",
        "--end", "2027-02-19", "--training-hours", "210", "--owner", "lea@example.fr"]


def replaced(args: list[str], option: str, value: str) -> list[str]:
    out = list(args)
    out[out.index(option) + 1] = value
    return out


CASES = {
    "unknown dossier": (["show", "NOPE"], "dossier : aucun dossier « NOPE »"),
    "unknown dossier on record": (["record", "NOPE", "close", "--on", "2026-12-01"],
                                  "dossier : aucun dossier « NOPE »"),
    "malformed date": (replaced(OPEN, "--start", "11/2027"),
                       "--start : date invalide « 11/2027 » (attendu AAAA-MM-JJ ou JJ/MM/AAAA)"),
    "impossible date": (replaced(OPEN, "--end", "2027-02-30"),
                        "--end : date invalide « 2027-02-30 » (attendu AAAA-MM-JJ ou JJ/MM/AAAA)"),
    "end before start": (replaced(OPEN, "--end", "2027-01-10"),
                         "fin de formation : le 10/01/2027 précède le début de formation du "
                         "11/01/2027"),
    "hours out of bounds": (replaced(OPEN, "--training-hours", "100"),
                            "heures de formation : 100\u00a0h hors des bornes 140\u00a0h – 525\u00a0h "
                            "(R-CDPI-HOURS)"),
    "hours not a number": (replaced(OPEN, "--training-hours", "beaucoup"),
                           "--training-hours : nombre d'heures invalide « beaucoup » "
                           "(exemple : 210 ou 46,5)"),
    "amount not a number": ([*OPEN, "--hourly-cost", "36.555"],
                            "--hourly-cost : montant invalide « 36.555 » (exemple : 36 ou 36,50)"),
    "unknown kind": (replaced(OPEN, "--kind", "cdd"),
                     "--kind : valeur inconnue « cdd » (valeurs possibles : cipi, cdpi, car)"),
    "unknown zone": (["agency", "add", "Brest", "--zone", "bretagne"],
                     "--zone : valeur inconnue « bretagne » (valeurs possibles : metropole, "
                     "alsace-moselle, guadeloupe, martinique, guyane, reunion, mayotte)"),
    "unknown zone in plan": (["plan", "--kind", "cdpi", "--start", "2027-01-11", "--end",
                              "2027-02-19", "--training-hours", "210", "--zone", "corse"],
                             "--zone : valeur inconnue « corse » (valeurs possibles : metropole, "
                             "alsace-moselle, guadeloupe, martinique, guyane, reunion, mayotte)"),
    "unknown event": (["record", "CDPI-1", "drf-sent", "--on", "2026-12-01"],
                      "ÉVÉNEMENT : valeur inconnue « drf-sent » (valeurs possibles : drf-submitted, "
                      "drf-accord, drf-refusal, contract-submitted, funding-granted, "
                      "attendance-submitted, positioning-done, car-request-submitted, close, "
                      "abandon)"),
    "missing option": (["record", "CDPI-1", "close"], "--on : valeur obligatoire manquante"),
    "unknown option": (["list", "--late"], "option inconnue « --late »"),
    "unknown command": (["remove"], "commande inconnue « remove » (voir « dossiers --help »)"),
    "unknown owner": (replaced(OPEN, "--owner", "x@example.fr"),
                      "responsable : personne n'a l'adresse « x@example.fr » ; vouliez-vous "
                      "dire « lea@example.fr » ?"),
    "unknown rule set": ([*OPEN, "--rules", "akto-2030"], "règles : jeu de règles inconnu « akto-2030 »"),
    "duplicate reference": ([*OPEN, "--reference", "CDPI-1"], "référence : « CDPI-1 » existe déjà"),
    "drf after start in plan": (["plan", "--kind", "cdpi", "--start", "2027-01-11", "--end",
                                 "2027-02-19", "--training-hours", "210", "--drf-submitted",
                                 "2027-01-12"],
                                "--drf-submitted : une DRF ne peut pas être déposée le 12/01/2027, la "
                                "formation démarre le 11/01/2027 (R-DRF-WINDOW)"),
    "negative count": (["list", "--due-within", "-3"], "--due-within : nombre entier attendu, "
                       "pas « -3 »"),
    "nothing to update": (["update", "CDPI-1"], "rien à modifier : indiquez au moins une option "
                          "(voir « dossiers update --help »)"),
    "bad database url": (["--db", "nonsense", "list"],
                         "--db : adresse de base de données invalide : « nonsense » "
                         "(exemples : sqlite:///chemin/dossiers.db, "
                         "postgresql://utilisateur:motdepasse@hôte:5432/base)"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_gets_one_french_line_exit_2_and_changes_nothing(
    network: Dossiers, case: str
) -> None:
    network.ok(*OPEN, "--reference", "CDPI-1")
    args, message = CASES[case]
    before = network.dump()
    result = network.run(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"Erreur : {message}\n"
    assert network.dump() == before
