"""Agencies, staff and references are found the way people type them (issue 14, point 3)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Dossiers

CDPI = ["open", "--kind", "cdpi", "--start", "2027-01-11", "--end", "2027-02-19",
        "--training-hours", "210"]


@pytest.fixture
def lyon(dossiers: Dossiers) -> Dossiers:
    dossiers.ok("agency", "add", "Lyon Part-Dieu", "--headcount", "30", "--prism")
    dossiers.ok("agency", "add", "Saint-Étienne", "--headcount", "20", "--prism")
    dossiers.ok("staff", "add", "Léa Martin", "--email", "lea@example.fr", "--agency", "lyon")
    dossiers.ok("staff", "add", "Élodie Roux", "--email", "elodie@example.fr",
                "--agency", "saint etienne")
    dossiers.ok(*CDPI, "--worker", "Karim Benali", "--owner", "lea martin",
                "--reference", "LYO-CDPI-09")
    dossiers.ok(*CDPI, "--worker", "Chloé Dubois", "--owner", "ELODIE",
                "--reference", "STE-CDPI-01")
    return dossiers


def test_an_agency_is_found_by_a_prefix_without_case_or_accents(lyon: Dossiers) -> None:
    staff = json.loads(lyon.ok("staff", "list", "--json"))
    assert [(p["email"], p["agency"]) for p in staff] == [
        ("lea@example.fr", "Lyon Part-Dieu"), ("elodie@example.fr", "Saint-Étienne")]
    listed = json.loads(lyon.ok("list", "--agency", "SAINT-ETIENNE", "--json"))
    assert [d["reference"] for d in listed] == ["STE-CDPI-01"]


def test_a_mistyped_agency_suggests_the_nearest_and_writes_nothing(lyon: Dossiers) -> None:
    before = lyon.dump()
    result = lyon.run("staff", "add", "Paul", "--email", "paul@example.fr",
                      "--agency", "Lion Part-Dieu")
    assert result.exit_code == 2
    assert result.stderr == ("Erreur : agence : aucune agence « Lion Part-Dieu » ; vouliez-vous "
                             "dire « Lyon Part-Dieu » ?\n")
    assert lyon.dump() == before


def test_a_prefix_of_two_agencies_lists_them(lyon: Dossiers) -> None:
    lyon.ok("agency", "add", "Lyon Vaise")
    result = lyon.run("list", "--agency", "lyon")
    assert result.exit_code == 2
    assert result.stderr == ("Erreur : agence : « lyon » désigne plusieurs agences : "
                             "« Lyon Part-Dieu », « Lyon Vaise » ; précisez\n")


def test_an_agency_differing_only_by_case_or_accents_is_refused(lyon: Dossiers) -> None:
    result = lyon.run("agency", "add", "saint-etienne")
    assert result.exit_code == 2
    assert result.stderr == "Erreur : nom : l'agence « Saint-Étienne » existe déjà\n"


def test_a_person_is_found_by_name_or_email_without_case(lyon: Dossiers) -> None:
    for typed in ("LEA@EXAMPLE.FR", "léa", "lea martin"):
        listed = json.loads(lyon.ok("list", "--owner", typed, "--json"))
        assert [d["reference"] for d in listed] == ["LYO-CDPI-09"], typed


def test_a_mistyped_person_suggests_the_nearest(lyon: Dossiers) -> None:
    result = lyon.run("list", "--owner", "lea@exemple.fr")
    assert result.exit_code == 2
    assert result.stderr == ("Erreur : responsable : personne n'a l'adresse "
                             "« lea@exemple.fr » ; vouliez-vous dire « lea@example.fr » ?\n")


def test_a_reference_is_found_without_case_or_by_a_unique_prefix(lyon: Dossiers) -> None:
    assert json.loads(lyon.ok("show", "lyo-cdpi-09", "--json"))["reference"] == "LYO-CDPI-09"
    assert json.loads(lyon.ok("show", "ste", "--json"))["reference"] == "STE-CDPI-01"


def test_a_mistyped_reference_suggests_the_nearest_and_writes_nothing(lyon: Dossiers) -> None:
    before = lyon.dump()
    result = lyon.run("record", "LYO-CDPI-90", "drf-submitted", "--on", "2026-12-01")
    assert result.exit_code == 2
    assert result.stderr == ("Erreur : dossier : aucun dossier « LYO-CDPI-90 » ; vouliez-vous "
                             "dire « LYO-CDPI-09 » ?\n")
    assert lyon.dump() == before


def test_snooze_finds_the_dossier_the_same_way(lyon: Dossiers) -> None:
    out = lyon.ok("snooze", "lyo-cdpi", "drf", "--until", "2026-12-31", "--as-of", "2026-11-23")
    assert out.startswith("LYO-CDPI-09 : pas de rappel")


def test_list_finds_dossiers_by_part_of_the_worker_s_name(lyon: Dossiers) -> None:
    for typed, expected in (("karim", ["LYO-CDPI-09"]), ("CHLOE", ["STE-CDPI-01"]),
                            ("dubois", ["STE-CDPI-01"]), ("b", ["LYO-CDPI-09", "STE-CDPI-01"])):
        listed = json.loads(lyon.ok("list", "--worker", typed, "--json"))
        assert [d["reference"] for d in listed] == expected, typed


def test_list_by_a_mistyped_worker_suggests_the_nearest_name(lyon: Dossiers) -> None:
    assert lyon.ok("list", "--worker", "Karin Benali") == (
        "Aucun dossier.\nVouliez-vous dire « Karim Benali » ?\n")


def test_the_help_examples_of_list_and_staff_add_run_on_the_sample(dossiers: Dossiers) -> None:
    """The sample network names its agencies in full (« Lyon Part-Dieu »…)."""
    dossiers.ok("sample", "--as-of", "2026-11-23")
    dossiers.ok("staff", "add", "Léa Martin", "--email", "lea.martin@example.fr",
                "--agency", "Lyon")
    dossiers.ok("list", "--overdue", "--agency", "Lyon", "--as-of", "2026-11-23")


def test_a_report_heading_names_the_agency_and_person_found_not_what_was_typed(
        lyon: Dossiers, tmp_path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "retards.html"
    lyon.ok("report", "overdue", "--agency", "lyon", "--owner", "lea", "--format", "html",
            "-o", str(target), "--as-of", "2026-11-23")
    html = target.read_text(encoding="utf-8")
    assert "agence Lyon Part-Dieu" in html and "responsable lea@example.fr" in html
    assert "agence lyon" not in html


def test_a_calendar_title_names_the_agency_found(lyon: Dossiers) -> None:
    feed = lyon.ok("calendar", "--agency", "saint etienne", "--as-of", "2026-11-23")
    assert "Échéances AKTO · Saint-Étienne" in feed.replace("\r\n ", "")
