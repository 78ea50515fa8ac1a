"""Taking back what was typed wrong (issue 14, point 5): missions, duplicate dossiers, staff
and agency edits, update --dry-run, explain --json."""

from __future__ import annotations

import json

from tests.conftest import Dossiers

CDPI = ["open", "--kind", "cdpi", "--worker", "Karim B.", "--start", "2027-01-11",
        "--end", "2027-02-19", "--training-hours", "210", "--owner", "lea@example.fr"]
MISSION = ["mission", "CDPI-1", "--start", "2027-03-01", "--end", "2027-03-19", "--hours", "98"]


def history(tool: Dossiers, reference: str) -> list[tuple[str, str, str]]:
    data = json.loads(tool.ok("show", reference, "--json", "--history"))
    return [(h["what"], h["before"], h["after"]) for h in data["history"]]


def test_a_mission_typed_twice_is_refused_with_a_line(network: Dossiers) -> None:
    """R-CDPI-MISSION: a mission counted twice would meet the obligation by mistake."""
    network.ok(*CDPI, "--reference", "CDPI-1")
    network.ok(*MISSION)
    before = network.dump()
    result = network.run(*MISSION)
    assert result.exit_code == 2
    assert result.stderr == (
        "Erreur : --start : une mission commençant le 01/03/2027 (jusqu'au 19/03/2027) est déjà "
        "enregistrée dans « CDPI-1 » ; pour la corriger : dossiers cancel CDPI-1 mission --on "
        "01/03/2027, puis saisissez-la de nouveau\n")
    assert network.dump() == before


def test_cancel_takes_a_mission_back_and_the_history_keeps_it(network: Dossiers) -> None:
    """R-CDPI-MISSION: the cancelled hours no longer count."""
    network.ok(*CDPI, "--reference", "CDPI-1")
    network.ok(*MISSION)
    assert network.ok("cancel", "cdpi-1", "mission", "--on", "2027-03-01") == (
        "CDPI-1 : mission du 01/03/2027 au 19/03/2027 annulée.\n")
    assert ("mission annulée", "2027-03-01 → 2027-03-19, 98\u00a0h", None) in history(network,
                                                                                  "CDPI-1")
    out = network.ok("mission", "CDPI-1", "--start", "2027-03-01", "--end", "2027-03-19",
                     "--hours", "89", "--as-of", "2027-03-20")
    assert "Missions : 89\u00a0h faites sur 70\u00a0h requises" in out  # not 98 + 89


def test_cancelling_a_mission_that_is_not_there_names_the_day(network: Dossiers) -> None:
    network.ok(*CDPI, "--reference", "CDPI-1")
    before = network.dump()
    result = network.run("cancel", "CDPI-1", "mission", "--on", "2027-03-02")
    assert result.exit_code == 2
    assert result.stderr == ("Erreur : --on : aucune mission commençant le 02/03/2027 dans "
                             "« CDPI-1 »\n")
    assert network.dump() == before


def test_a_second_dossier_for_the_same_worker_kind_and_start_needs_duplicate(
        network: Dossiers) -> None:
    network.ok(*CDPI, "--reference", "CDPI-1")
    before = network.dump()
    same = ["open", "--kind", "cdpi", "--worker", "karim b", "--start", "11/01/2027",
            "--end", "2027-02-19", "--training-hours", "210", "--owner", "lea@example.fr"]
    result = network.run(*same)
    assert result.exit_code == 2
    assert result.stderr == (
        "Erreur : intérimaire : « Karim B. » a déjà un dossier CDPI qui commence le 11/01/2027 "
        "(CDPI-1) ; pour en ouvrir un second quand même, ajoutez --duplicate\n")
    assert network.dump() == before
    assert network.ok(*same, "--duplicate").startswith("Dossier CDPI-2027-0001 ouvert.")


def test_another_start_or_kind_or_an_abandoned_dossier_is_not_a_duplicate(
        network: Dossiers) -> None:
    network.ok(*CDPI, "--reference", "CDPI-1")
    network.ok("open", "--kind", "cdpi", "--worker", "Karim B.", "--start", "2027-01-18",
               "--end", "2027-02-26", "--training-hours", "210", "--owner", "lea@example.fr")
    network.ok("record", "CDPI-1", "abandon", "--on", "2026-12-01")
    network.ok(*CDPI, "--reference", "CDPI-3")


def test_update_dry_run_shows_old_and_new_and_saves_nothing(network: Dossiers) -> None:
    """R-DRF-SHIFT: the what-if of a moved start, same lines as a real update."""
    network.ok(*CDPI, "--reference", "CDPI-1")
    network.ok("record", "CDPI-1", "drf-submitted", "--on", "2026-12-01")
    network.ok("record", "CDPI-1", "drf-accord", "--on", "2026-12-03")
    before = network.dump()
    args = ["update", "CDPI-1", "--start", "2027-04-12", "--end", "2027-05-21",
            "--as-of", "2026-12-04"]
    simulated = network.ok(*args, "--dry-run")
    assert network.dump() == before
    real = network.ok(*args)
    # Announced first: nothing above it reads as if it were saved.
    assert simulated == ("Simulation : rien n'est enregistré.\n"
                         + real.replace("CDPI-1 modifié :", "CDPI-1 serait modifié :", 1))
    assert real.startswith("CDPI-1 modifié :\n")
    assert "  début de formation : 11/01/2027 → 12/04/2027\n" in real
    assert "R-DRF-SHIFT" in real


def test_update_dry_run_refuses_what_update_refuses(network: Dossiers) -> None:
    network.ok(*CDPI, "--reference", "CDPI-1")
    result = network.run("update", "CDPI-1", "--training-hours", "20", "--dry-run")
    assert result.exit_code == 2
    assert result.stderr.startswith("Erreur : heures de formation")


def test_staff_update_changes_a_person_and_the_dossier_history_says_so(
        network: Dossiers) -> None:
    network.ok(*CDPI, "--reference", "CDPI-1")
    out = network.ok("staff", "update", "léa", "--email", "lea.martin@example.fr",
                     "--name", "Léa Martin-Roux")
    assert out == ("Léa Martin-Roux <lea.martin@example.fr> modifié(e) :\n"
                   "  nom : Léa Martin → Léa Martin-Roux\n"
                   "  email : lea@example.fr → lea.martin@example.fr\n")
    assert json.loads(network.ok("show", "CDPI-1", "--json"))["owner"] == "lea.martin@example.fr"
    assert ("responsable : email", "lea@example.fr", "lea.martin@example.fr") in history(
        network, "CDPI-1")


def test_staff_who_owns_dossiers_cannot_change_agency(network: Dossiers) -> None:
    network.ok(*CDPI, "--reference", "CDPI-1")
    before = network.dump()
    result = network.run("staff", "update", "lea@example.fr", "--agency", "Metz")
    assert result.exit_code == 2
    assert result.stderr.startswith("Erreur : --agency : Léa Martin est responsable de 1 dossier")
    assert network.dump() == before
    network.ok("staff", "update", "julien@example.fr", "--agency", "Lyon")


def test_staff_remove_refuses_without_reassign_when_they_own_dossiers(network: Dossiers) -> None:
    network.ok(*CDPI, "--reference", "CDPI-1")
    before = network.dump()
    result = network.run("staff", "remove", "lea@example.fr")
    assert result.exit_code == 2
    assert result.stderr == ("Erreur : --reassign : Léa Martin est responsable de 1 dossier : "
                             "indiquez à qui les confier avec --reassign EMAIL\n")
    assert network.dump() == before
    other_agency = network.run("staff", "remove", "lea@example.fr", "--reassign", "julien")
    assert other_agency.exit_code == 2
    assert other_agency.stderr == ("Erreur : --reassign : Julien Weber n'appartient pas à "
                                   "l'agence « Lyon »\n")
    assert network.dump() == before


def test_staff_remove_reassigns_their_dossiers(network: Dossiers) -> None:
    network.ok(*CDPI, "--reference", "CDPI-1")
    out = network.ok("staff", "remove", "lea@example.fr", "--reassign", "sophie@example.fr")
    assert out == ("Léa Martin <lea@example.fr> retiré(e) ; 1 dossier confié à "
                   "sophie@example.fr.\n")
    assert json.loads(network.ok("show", "CDPI-1", "--json"))["owner"] == "sophie@example.fr"
    assert ("owner", "lea@example.fr", "sophie@example.fr") in history(network, "CDPI-1")
    assert [p["email"] for p in json.loads(network.ok("staff", "list", "--json"))] == [
        "sophie@example.fr", "julien@example.fr"]


def test_removing_the_last_manager_warns_that_escalations_stop(network: Dossiers) -> None:
    result = network.run("staff", "remove", "sophie@example.fr")
    assert result.exit_code == 0
    assert result.stdout == "Sophie Garnier <sophie@example.fr> retiré(e).\n"
    assert result.stderr.startswith("Attention : l'agence « Lyon » n'a plus de manager")


def test_a_manager_who_becomes_charge_leaves_a_warning_when_none_is_left(
        network: Dossiers) -> None:
    result = network.run("staff", "update", "sophie", "--role", "charge")
    assert result.exit_code == 0
    assert result.stdout == ("Sophie Garnier <sophie@example.fr> modifié(e) :\n"
                             "  rôle : manager → chargé(e) de recrutement\n")
    assert result.stderr.startswith("Attention : l'agence « Lyon » n'a plus de manager")
    quiet = network.run("staff", "update", "lea", "--role", "manager")
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_agency_update_changes_the_zone_and_the_dates_follow(network: Dossiers) -> None:
    """R-CAL-2: the holidays are the agency's zone's."""
    network.ok(*CDPI, "--reference", "CDPI-1")
    out = network.ok("agency", "update", "lyon", "--zone", "alsace-moselle", "--headcount", "31")
    assert out == ("Agence « Lyon » modifiée :\n  zone : metropole → alsace-moselle\n"
                   "  effectif : 30 → 31\n")
    assert json.loads(network.ok("show", "CDPI-1", "--json"))["zone"] == "alsace-moselle"
    assert ("agence : zone", "metropole", "alsace-moselle") in history(network, "CDPI-1")


def test_agency_update_cannot_take_another_agency_s_name(network: Dossiers) -> None:
    before = network.dump()
    result = network.run("agency", "update", "Lyon", "--name", "METZ")
    assert result.exit_code == 2
    assert result.stderr == "Erreur : nom : l'agence « Metz » existe déjà\n"
    assert network.dump() == before


def test_explain_json_gives_each_line_with_its_rule_ids(network: Dossiers) -> None:
    network.ok(*CDPI, "--reference", "CDPI-1")
    data = json.loads(network.ok("explain", "CDPI-1", "--json", "--as-of", "2026-11-23"))
    assert (data["reference"], data["kind"], data["rules"]) == ("CDPI-1", "CDPI", "akto-current")
    by_topic = {line["topic"]: line for line in data["explanations"]}
    assert all(set(line) == {"topic", "text", "rules", "interpretations"}
               for line in data["explanations"])
    assert by_topic["Demande de réservation de financement (DRF), ouverture"]["rules"] == [
        "R-DRF-WINDOW"]
    due = by_topic["Demande de réservation de financement (DRF), échéance"]
    assert due["rules"][0] == "R-DRF-WINDOW" and "I-48H-BUSINESS-DAYS" in due["interpretations"]
    text = " ".join(network.ok("explain", "CDPI-1", "--as-of", "2026-11-23").split())
    # The same lines as the text output, which wraps them to the terminal's width.
    assert all(" ".join(f"{line['topic']} : {line['text']}".split()) in text
               for line in data["explanations"])


def test_staff_update_checks_the_new_address_as_staff_add_does(network: Dossiers) -> None:
    before = network.dump()
    result = network.run("staff", "update", "lea", "--email", "lea martin@example.fr")
    assert result.exit_code == 2
    assert result.stderr.startswith("Erreur : --email : ")
    assert network.dump() == before
