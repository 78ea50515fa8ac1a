"""References are compared in NFKC case-folded form (parsing.reference_key): `MET-0001`,
`met-0001` and the full-width `ＭＥＴ-0001` are one reference, hence one dossier; a look-alike
from another script (Cyrillic `МЕТ-0001`) is refused. Lookups try the exact reference first."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from dossiers.store.database import open_engine, upgrade
from tests.conftest import Dossiers


def opening(reference: str, worker: str = "Karim B.") -> list[str]:
    return ["open", "--kind", "cdpi", "--worker", worker, "--start", "2027-01-11", "--end",
            "2027-02-19", "--training-hours", "210", "--owner", "lea@example.fr", "--reference",
            reference, "--duplicate"]


@pytest.mark.parametrize("second", ["met-0001", "ＭＥＴ-０００１", "Met-0001 "])
def test_a_second_form_of_a_reference_is_refused_as_the_same_reference(
        network: Dossiers, second: str) -> None:
    network.ok(*opening("MET-0001"))
    before = network.dump()
    result = network.run(*opening(second, "Ana P."))
    assert result.exit_code == 2
    assert result.stderr == (
        f"Erreur : référence : « {second.strip()} » existe déjà, écrite « MET-0001 » (les "
        "références se comparent sans majuscules ni variantes de caractères)\n")
    assert network.dump() == before


def test_the_same_reference_typed_again_says_so_plainly(network: Dossiers) -> None:
    network.ok(*opening("MET-0001"))
    result = network.run(*opening("MET-0001", "Ana P."))
    assert result.stderr == "Erreur : référence : « MET-0001 » existe déjà\n"


@pytest.mark.parametrize("look_alike, script", [("МЕТ-0001", "cyrillique"),
                                                ("ΜΕΤ-0001", "grec")])
def test_a_reference_with_letters_of_another_script_is_refused(
        network: Dossiers, look_alike: str, script: str) -> None:
    before = network.dump()
    result = network.run(*opening(look_alike))
    assert result.exit_code == 2
    assert result.stderr == (
        f"Erreur : référence : « {look_alike} » contient « {look_alike[0]} » ({script}) : une "
        "référence s'écrit en lettres latines et chiffres 0-9\n")
    assert network.dump() == before


def test_lookups_find_a_reference_in_any_of_its_forms(network: Dossiers) -> None:
    network.ok(*opening("MET-0001"))
    for typed in ("MET-0001", "met-0001", "ＭＥＴ-０００１"):
        assert network.ok("show", typed).startswith("Dossier MET-0001"), typed


def test_an_import_refuses_another_form_of_a_stored_or_earlier_reference(
        network: Dossiers, tmp_path: Path) -> None:
    network.ok(*opening("MET-0001"))
    path = tmp_path / "formes.csv"
    path.write_text(
        "reference;type;interimaire;debut;fin;heures_formation;responsable;doublon\n"
        "met-0001;cdpi;Ana P.;2027-01-11;2027-02-19;210;lea@example.fr;oui\n"
        "X-1;cdpi;Paul R.;2027-01-11;2027-02-19;210;lea@example.fr;oui\n"
        "ｘ-1;cdpi;Zoé M.;2027-01-11;2027-02-19;210;lea@example.fr;oui\n"
        "МЕТ-0002;cdpi;Léo D.;2027-01-11;2027-02-19;210;lea@example.fr;oui\n", encoding="utf-8")
    before = network.dump()
    result = network.run("import", str(path))
    assert result.stderr.splitlines() == [
        f"Erreur : {path}, ligne 2, colonne A : référence : « met-0001 » existe déjà, écrite "
        "« MET-0001 » (les références se comparent sans majuscules ni variantes de caractères)",
        f"Erreur : {path}, ligne 4, colonne A : référence : « ｘ-1 » existe déjà, écrite « X-1 » "
        "(les références se comparent sans majuscules ni variantes de caractères)",
        f"Erreur : {path}, ligne 5, colonne A : référence : « МЕТ-0002 » contient « М » "
        "(cyrillique) : une référence s'écrit en lettres latines et chiffres 0-9",
        "Rien n'a été importé (3 erreur(s)).",
    ]
    assert network.dump() == before


def test_the_migration_keeps_references_that_already_share_a_key_and_finds_each_exactly(
        database_url: str) -> None:
    """0010_reference_key: two dossiers the old rules let in as `MET-0001` and `met-0001` are
    both kept; each is found by its exact reference; a third form is refused."""
    engine = open_engine(database_url)
    upgrade(engine, "0007_stored_schedules")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO agencies (id, name, zone, headcount, prism_member) "
            "VALUES (1, 'Lyon', 'metropole', 30, true)"))
        connection.execute(text(
            "INSERT INTO staff (id, name, email, role, agency_id) "
            "VALUES (1, 'Léa', 'lea@example.fr', 'charge', 1)"))
        for number, reference, worker in ((1, "MET-0001", "Karim B."), (2, "met-0001", "Ana P."),
                                          (3, "D-3", "Paul R.")):
            connection.execute(text(
                "INSERT INTO dossiers (id, reference, kind, worker, contract_type, "
                "training_start, training_end, training_minutes, owner_id, agency_id, rules, "
                "state, created_at, in_user_company, afest) "
                f"VALUES ({number}, :reference, 'cdpi', :worker, 'ctt', '2027-01-11', "
                "'2027-02-19', 12600, 1, 1, 'akto-current', 'open', '2026-11-22 08:00:00', "
                "false, false)"), {"reference": reference, "worker": worker})
    upgrade(engine)
    with engine.connect() as connection:
        keys = [tuple(row) for row in connection.execute(text(
            "SELECT reference, reference_key FROM dossiers ORDER BY id"))]
    engine.dispose()
    assert keys == [("MET-0001", "met-0001"), ("met-0001", "met-0001\x1f2"), ("D-3", "d-3")]
    tool = Dossiers(database_url)
    assert "Karim B." in tool.ok("show", "MET-0001")
    assert "Ana P." in tool.ok("show", "met-0001")
    assert "Karim B." in tool.ok("show", "Met-0001")  # the same reference as the oldest
    result = tool.run(*opening("Met-0001", "Zoé M."))
    assert result.exit_code == 2 and "écrite « MET-0001 »" in result.stderr
