"""Issue 11, points 4, 5 and 7: the two bilans, dated rule sets and their suspension, and the
rules that were missing (L&C share, tutor training, CDPI seniority, CAR contract length).

Each test names the rule it checks; the interpretations (I-…) are tested on both sides of
their boundary."""

from __future__ import annotations

import json
from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest

from dossiers.deadlines.engine import compute_timeline
from dossiers.deadlines.explain import explain
from dossiers.deadlines.facts import DossierFacts, Kind, Mission, Programme
from dossiers.deadlines.funding import estimate
from dossiers.deadlines.rulesets import AKTO_2021, AKTO_CURRENT, choose_rule_set
from tests.conftest import Dossiers


@pytest.fixture(autouse=True)
def _wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests read whole sentences: a terminal wide enough not to wrap them (the width
    itself is tested in test_presentation.py)."""
    monkeypatch.setenv("COLUMNS", "1000")

START, END = date(2027, 1, 11), date(2027, 2, 19)
OPEN_CIPI = ("open", "--kind", "cipi", "--worker", "Aïcha D.", "--start", "2027-01-11", "--end",
             "2027-02-19", "--training-hours", "140", "--owner", "lea@example.fr",
             "--reference", "C-1")
OPEN_CDPI = ("open", "--kind", "cdpi", "--worker", "Karim B.", "--start", "2027-01-11", "--end",
             "2027-02-19", "--training-hours", "210", "--owner", "lea@example.fr",
             "--reference", "D-1")


def alerts(facts: DossierFacts, as_of: date = date(2026, 12, 1)) -> list[str]:
    return [a.code for a in compute_timeline(facts, as_of).alerts]


def explained(facts: DossierFacts, subject: str) -> str:
    lines = dict(explain(facts, compute_timeline(facts, date(2026, 12, 1))))
    return lines[subject]


# R-CIPI-BILAN, R-CDPI-BILAN: two bilans of 14 h at most each.

def test_R_CIPI_BILAN_both_bilans_are_stored_shown_and_paid_at_the_flat_rate(
        network: Dossiers) -> None:
    """R-CIPI-BILAN, R-CIPI-FUND: 140 h + 14 h + 7 h at 17 €/h."""
    network.ok(*OPEN_CIPI, "--positioning-hours", "14", "--evaluation-hours", "7")
    out = network.ok("show", "C-1", "--as-of", "2026-12-01")
    assert "Bilans : positionnement 14\u00a0h, évaluation 7\u00a0h (R-CIPI-BILAN)" in out
    assert "Forfait estimé : 2\u202f737,00\u00a0€ HT (161\u00a0h × 17,00\u00a0€/h, R-CIPI-FUND)" in out
    explanation = network.ok("explain", "C-1", "--as-of", "2026-12-01")
    assert ("14\u00a0h de positionnement (au plus 14\u00a0h) et 7\u00a0h d'évaluation "
            "(au plus 14\u00a0h)") in explanation


def test_R_CDPI_BILAN_an_evaluation_over_fourteen_hours_is_refused_and_nothing_changes(
        network: Dossiers) -> None:
    """R-CDPI-BILAN: « D'une durée maximale de 14 h » for the evaluation too."""
    network.ok(*OPEN_CDPI, "--positioning-hours", "10")
    before = network.dump()
    result = network.run("update", "D-1", "--evaluation-hours", "14,5")
    assert result.exit_code == 2
    assert result.stderr == ("Erreur : heures de bilan d'évaluation : 14\u00a0h\u00a030\u00a0min au-delà du "
                             "maximum de 14\u00a0h (R-CDPI-BILAN)\n")
    assert network.dump() == before
    assert "heures de bilan d'évaluation : — → 14\u00a0h" in network.ok("update", "D-1",
                                                                   "--evaluation-hours", "14")


def test_R_CDPI_BILAN_plan_takes_both_bilans() -> None:
    from click.testing import CliRunner

    from dossiers.cli import cli

    base = ["plan", "--kind", "cdpi", "--start", "2027-01-11", "--end", "2027-02-19",
            "--training-hours", "210", "--as-of", "2026-12-01"]
    assert CliRunner().invoke(cli, [*base, "--positioning-hours", "14",
                                    "--evaluation-hours", "14"]).exit_code == 0
    refused = CliRunner().invoke(cli, [*base, "--positioning-hours", "15"])
    assert refused.exit_code == 2
    assert refused.stderr == ("Erreur : heures de bilan de positionnement : 15\u00a0h au-delà du "
                              "maximum de 14\u00a0h (R-CDPI-BILAN)\n")


def test_the_old_bilan_option_is_gone(network: Dossiers) -> None:
    result = network.run(*OPEN_CIPI, "--bilan-hours", "14")
    assert result.exit_code == 2 and "--bilan-hours" in result.stderr


# Dated rule sets (point 5): chosen by date, shown, and the 2022 suspension.

@pytest.mark.parametrize(("kind", "start", "expected", "reference"), [
    # CIPI, CDPI: the day the rule set's own DRF window opens (I-RULES-DATE), against
    # akto-current's 2022-08-22 (I-RULES-CURRENT-DATE).
    (Kind.CDPI, date(2022, 10, 22), "akto-current", date(2022, 8, 22)),
    (Kind.CDPI, date(2022, 10, 21), "akto-2021", date(2022, 9, 23)),
    (Kind.CIPI, date(2027, 1, 11), "akto-current", date(2026, 11, 11)),
    # CAR: no DRF, the training start decides.
    (Kind.CAR, date(2022, 8, 22), "akto-current", date(2022, 8, 22)),
    (Kind.CAR, date(2022, 8, 21), "akto-2021", date(2022, 8, 21)),
])
def test_a_rule_set_is_chosen_by_the_day_its_drf_window_opens_or_the_car_start(
        kind: Kind, start: date, expected: str, reference: date) -> None:
    """I-RULES-DATE, I-RULES-CURRENT-DATE: both sides of akto-current's effective date."""
    choice = choose_rule_set(start, "metropole", kind is not Kind.CAR)
    assert (choice.rules.name, choice.reference, choice.in_force) == (expected, reference, True)


def test_a_start_before_every_rule_set_gets_the_oldest_and_says_so() -> None:
    """I-RULES-DATE: akto-2021 is in force from 2021-09-22; a window opening 2021-09-21 predates
    it, one opening on 2021-09-22 does not."""
    before = choose_rule_set(date(2021, 10, 19), "metropole", True)
    assert (before.rules.name, before.reference, before.in_force) == (
        "akto-2021", date(2021, 9, 21), False)
    assert choose_rule_set(date(2021, 10, 20), "metropole", True).in_force
    facts = DossierFacts(Kind.CDPI, date(2021, 10, 19), date(2021, 11, 26), Fraction(210),
                         rules=AKTO_2021)
    assert "aucun jeu de règles n'était en vigueur le 21/09/2021" in explained(facts,
                                                                               "Jeu de règles")


def test_open_without_rules_chooses_by_date_and_show_and_explain_say_why(
        network: Dossiers) -> None:
    """I-RULES-DATE: a CDPI starting 2022-09-05 opens its window on 2022-08-08 under akto-2021;
    under akto-current it would open on 2022-07-05, before 2022-08-22."""
    network.ok("open", "--kind", "cdpi", "--worker", "K", "--start", "2022-09-05", "--end",
               "2022-10-14", "--training-hours", "210", "--owner", "lea@example.fr",
               "--reference", "OLD", "--as-of", "2022-08-01")
    out = network.ok("show", "OLD", "--as-of", "2022-08-01")
    assert "règles akto-2021" in out
    assert ("Règles akto-2021 : en vigueur le 08/08/2022 (ouverture de la fenêtre DRF), choix par "
            "date (I-RULES-DATE)") in out
    explanation = network.ok("explain", "OLD", "--as-of", "2022-08-01")
    assert ("akto-2021 (Processus AKTO du 22/09/2021 (page AKTO CIPI, ancienne version)), en "
            "vigueur depuis le 22/09/2021 : choisi par date, ouverture de la fenêtre DRF le "
            "08/08/2022, le jeu le plus récent déjà en vigueur ce jour-là (I-RULES-DATE) ; "
            "akto-current ne s'applique pas : ouverture de la fenêtre DRF le 05/07/2022, avant "
            "son entrée en vigueur le 22/08/2022") in explanation
    network.ok(*OPEN_CDPI)
    assert "règles akto-current" in network.ok("show", "D-1", "--as-of", "2026-12-01")


def test_a_rule_set_given_with_rules_is_kept_and_explain_names_the_date_choice(
        network: Dossiers) -> None:
    network.ok(*OPEN_CDPI, "--rules", "akto-2021")
    explanation = network.ok("explain", "D-1", "--as-of", "2026-12-01")
    assert ("akto-2021 (Processus AKTO du 22/09/2021 (page AKTO CIPI, ancienne version)), en "
            "vigueur depuis le 22/09/2021 : fixé à l'ouverture du dossier (--rules) ; le choix "
            "par date donnerait akto-current (I-RULES-DATE)") in explanation
    assert "akto-current" in explained(
        DossierFacts(Kind.CDPI, START, END, Fraction(210)), "Jeu de règles")


def test_the_akto_current_effective_date_is_an_interpretation_explain_cites() -> None:
    """I-RULES-CURRENT-DATE: the sources 001 and 003 carry no date."""
    assert AKTO_CURRENT.effective_from == date(2022, 8, 22)
    assert AKTO_CURRENT.effective.rule == "I-RULES-CURRENT-DATE"
    text = explained(DossierFacts(Kind.CDPI, START, END, Fraction(210)), "Jeu de règles")
    # The project's words are never inside « » (issue 19): only the source's words it quotes.
    assert "(I-RULES-CURRENT-DATE, interprétation : les fiches 001 et 003 ne sont pas datées" in text


def test_explain_shows_a_2021_window_moved_after_the_suspension() -> None:
    """I-2021-SUSPENSION, R-DRF-WINDOW."""
    facts = DossierFacts(Kind.CDPI, date(2022, 9, 5), date(2022, 10, 14), Fraction(210),
                         rules=AKTO_2021)
    text = explained(facts, "Demande de réservation de financement (DRF), ouverture")
    assert text.startswith("22/08/2022 : 08/08/2022 = 05/09/2022 (démarrage) − 4 semaines "
                           "(R-DRF-WINDOW, 002 :")
    assert ("tombe dans la suspension des dépôts du 01/07/2022 au 21/08/2022, la fenêtre ouvre "
            "le lendemain (I-2021-SUSPENSION, quel que soit le jeu de règles)") in text


def test_R_DRF_WINDOW_a_deposit_inside_the_2022_suspension_is_refused_with_one_line(
        network: Dossiers) -> None:
    """R-DRF-WINDOW, I-2021-SUSPENSION: 2022-08-21 refused, 2022-08-22 recorded."""
    network.ok("open", "--kind", "cdpi", "--worker", "K", "--start", "2022-09-05", "--end",
               "2022-10-14", "--training-hours", "210", "--owner", "lea@example.fr",
               "--reference", "OLD", "--rules", "akto-2021")
    before = network.dump()
    result = network.run("record", "OLD", "drf-submitted", "--on", "2022-08-21",
                         "--as-of", "2022-08-21")
    assert result.exit_code == 2
    assert result.stderr == ("Erreur : --on : une DRF ne peut pas être déposée le 21/08/2022 : "
                             "dépôts suspendus du 01/07/2022 au 21/08/2022, "
                             "déposer à partir du 22/08/2022 (R-DRF-WINDOW)\n")
    assert network.dump() == before
    network.ok("record", "OLD", "drf-submitted", "--on", "2022-08-22", "--as-of", "2022-08-22")


def test_plan_refuses_a_drf_deposit_inside_the_suspension() -> None:
    from click.testing import CliRunner

    from dossiers.cli import cli

    result = CliRunner().invoke(cli, [
        "plan", "--kind", "cipi", "--start", "2022-09-05", "--end", "2022-10-14",
        "--training-hours", "140", "--rules", "akto-2021", "--drf-submitted", "2022-07-01"])
    assert result.exit_code == 2
    assert result.stderr.startswith("Erreur : --drf-submitted : une DRF ne peut pas être déposée "
                                    "le 01/07/2022 : dépôts suspendus")


def test_plan_without_rules_shows_the_rule_set_chosen_by_date() -> None:
    from click.testing import CliRunner

    from dossiers.cli import cli

    args = ["plan", "--kind", "cdpi", "--start", "2022-09-05", "--end", "2022-10-14",
            "--training-hours", "210", "--as-of", "2022-08-01"]
    out = CliRunner().invoke(cli, args).stdout
    assert out.startswith("CDPI, zone métropole, règles akto-2021 (en vigueur le 08/08/2022 "
                          "(ouverture de la fenêtre DRF), choix par date (I-RULES-DATE))")
    data = json.loads(CliRunner().invoke(cli, [*args, "--json"]).stdout)
    assert data["rules"] == "akto-2021" and data["steps"][0]["opens"] == "2022-08-22"


# R-L&C: at least 30 % basic-skills content, recorded and flagged below.

@pytest.mark.parametrize(("share", "codes"), [
    (None, ["lc_share_unknown"]),
    (Fraction(2999, 10000), ["lc_share_low"]),
    (Fraction(30, 100), []),
    (Fraction(1), []),
])
def test_R_LC_a_langue_et_competences_course_is_flagged_below_thirty_percent(
        share: Fraction | None, codes: list[str]) -> None:
    """R-L&C, I-LC-SHARE: 29,99 % flagged, 30 % not; an unknown share is flagged too."""
    for kind in (Kind.CIPI, Kind.CDPI):
        facts = DossierFacts(kind, START, END, Fraction(210), basic_skills_share=share,
                             programme=Programme.LANGUE_COMPETENCES)
        assert [c for c in alerts(facts) if c.startswith("lc_")] == codes
    outside = DossierFacts(Kind.CDPI, START, END, Fraction(210), basic_skills_share=share)
    assert not [c for c in alerts(outside) if c.startswith("lc_")]


def test_R_LC_the_share_is_recorded_shown_and_explained(network: Dossiers) -> None:
    network.ok(*OPEN_CDPI, "--programme", "langue-competences", "--basic-skills-share", "25,5")
    out = network.ok("show", "D-1", "--as-of", "2026-12-01")
    assert "Part savoirs de base : 25,5\u00a0% de savoirs de base ou de langue (R-L&C)" in out
    assert ("⚠ Langue et Compétences : 25,5\u00a0% de savoirs de base ou de langue, il en faut au "
            "moins 30\u00a0% : le parcours ne relève pas du programme (R-L&C)") in out
    explanation = network.ok("explain", "D-1", "--as-of", "2026-12-01")
    assert "25,5\u00a0% < 30\u00a0% : signalé" in explanation
    assert "(I-LC-SHARE) (R-L&C, 001, 003 :" in explanation
    network.ok("update", "D-1", "--basic-skills-share", "30 %")
    assert "⚠ Langue et Compétences" not in network.ok("show", "D-1", "--as-of", "2026-12-01")
    result = network.run("update", "D-1", "--basic-skills-share", "130")
    assert result.exit_code == 2 and result.stderr.startswith("Erreur : ")


# R-CIPI-FUND: tutor training 15 €/h, 40 h at most, in the flat-rate estimate.

def test_R_CIPI_FUND_tutor_training_is_paid_15_euros_an_hour_in_the_estimate() -> None:
    facts = DossierFacts(Kind.CIPI, START, END, Fraction(140), tutor_hours=Fraction(40))
    funding = estimate(facts)
    assert funding is not None
    assert (funding.amount, funding.tutor_amount, funding.total) == (2380, 600, 2980)
    assert explained(facts, "Formation du tuteur").startswith(
        "600,00\u00a0€ HT = 40\u00a0h × 15,00\u00a0€/h (R-CIPI-FUND, 001 : « Formation de tuteur")


def test_R_CDPI_FUND_the_cdpi_tutor_rate_is_unknown_so_no_amount_is_made_up() -> None:
    """I-TUTOR-CDPI: 003 gives the 40 h limit but no rate."""
    facts = DossierFacts(Kind.CDPI, START, END, Fraction(210), tutor_hours=Fraction(10))
    funding = estimate(facts, cdpi_rate=Fraction(20))
    assert funding is not None and funding.tutor_amount is None and funding.total is None
    assert funding.amount == 20 * 210
    assert "taux non connu : montant non estimé (I-TUTOR-CDPI)" in explained(
        facts, "Formation du tuteur")


@pytest.mark.parametrize(("tutor", "funded", "amount"), [
    (Fraction(40), Fraction(40), 600),            # R-CIPI-FUND: the limit, all funded
    (Fraction(81, 2), Fraction(40), 600),         # I-TUTOR-40H-FUNDED: 40 h 30 min, 40 h funded
    (Fraction(60), Fraction(40), 600),
    (Fraction(39), Fraction(39), 585),
])
def test_R_CIPI_FUND_tutor_hours_above_40_are_accepted_and_funded_for_40(
        tutor: Fraction, funded: Fraction, amount: int) -> None:
    """R-CIPI-FUND, I-TUTOR-40H-FUNDED: 001 « dans la limite d'une durée de 40 heures »."""
    funding = estimate(DossierFacts(Kind.CIPI, START, END, Fraction(140), tutor_hours=tutor))
    assert funding is not None
    assert (funding.tutor_hours, funding.tutor_funded_hours, funding.tutor_amount) == (
        tutor, funded, amount)


def test_R_CIPI_FUND_tutor_hours_through_the_cli(network: Dossiers) -> None:
    network.ok(*OPEN_CIPI, "--tutor-hours", "40,5")
    out = network.ok("show", "C-1", "--as-of", "2026-12-01")
    assert ("Forfait estimé : 2\u202f380,00\u00a0€ HT (140\u00a0h × 17,00\u00a0€/h, R-CIPI-FUND) ; "
            "formation du "
            "tuteur 600,00\u00a0€ HT (40\u00a0h × 15,00\u00a0€/h), 40\u00a0h\u00a030\u00a0min "
            "saisies, financées pour 40\u00a0h (I-TUTOR-40H-FUNDED), R-CIPI-FUND") in out
    text = network.ok("explain", "C-1", "--as-of", "2026-12-01")
    assert "financées pour 40\u00a0h au plus" in text and "I-TUTOR-40H-FUNDED" in text


# R-CDPI-ELIG: 150 h in the branch over the last 12 months when that is the basis.

def test_R_CDPI_ELIG_seniority_below_150_hours_is_refused_when_it_is_the_basis(
        network: Dossiers) -> None:
    """R-CDPI-ELIG: 149 h 59 min refused, 150 h accepted; another basis does not check it."""
    before = network.dump()
    result = network.run(*OPEN_CDPI, "--eligibility", "anciennete-150h",
                         "--seniority-hours", "149 h 59")
    assert result.exit_code == 2
    assert result.stderr == ("Erreur : heures d'ancienneté : 149\u00a0h\u00a059\u00a0min dans la "
                             "branche sur les "
                             "12 mois précédant le démarrage, il en faut au moins 150\u00a0h "
                             "(R-CDPI-ELIG)\n")
    assert network.dump() == before
    network.ok(*OPEN_CDPI, "--eligibility", "anciennete-150h", "--seniority-hours", "150")
    refused = network.run("update", "D-1", "--seniority-hours", "100")
    assert refused.exit_code == 2 and "(R-CDPI-ELIG)" in refused.stderr
    network.ok("update", "D-1", "--eligibility", "reconversion")
    network.ok("update", "D-1", "--seniority-hours", "100")


def test_R_CDPI_ELIG_seniority_is_shown_by_show_and_explain_only(network: Dossiers) -> None:
    """Sensitive: the hours reveal the basis, like the basis itself."""
    network.ok(*OPEN_CDPI, "--eligibility", "anciennete-150h", "--seniority-hours", "420")
    show = network.ok("show", "D-1", "--as-of", "2026-12-01")
    assert ("Éligibilité : 150 h dans la branche sur les 12 derniers mois (420\u00a0h dans la branche "
            "sur les 12 mois précédant le démarrage, R-CDPI-ELIG)") in show
    explanation = network.ok("explain", "D-1", "--as-of", "2026-12-01")
    assert ("420\u00a0h ≥ 150\u00a0h, au moins 150\u00a0h du 11/01/2026 au 10/01/2027 (12 mois précédant le "
            "démarrage, I-SENIORITY) (R-CDPI-ELIG, 003 :") in explanation
    detail = json.loads(network.ok("show", "D-1", "--json", "--as-of", "2026-12-01"))
    assert (detail["eligibility"], detail["seniority_hours"]) == ("anciennete-150h", 420)
    for listing in (network.ok("list", "--as-of", "2027-01-20"),
                    network.ok("list", "--json", "--as-of", "2027-01-20"),
                    network.ok("report", "overdue", "--as-of", "2027-01-20")):
        assert "D-1" in listing
        assert "420" not in listing and "ancienneté" not in listing.lower()


def test_R_CDPI_ELIG_missing_seniority_hours_are_said_in_show() -> None:
    facts = DossierFacts(Kind.CDPI, date(2027, 3, 31), date(2027, 5, 7), Fraction(210),
                         eligibility="anciennete-150h")
    text = explained(facts, "Ancienneté dans la branche")
    assert text.startswith("heures non renseignées, au moins 150\u00a0h du 31/03/2026 au 30/03/2027")


# R-CAR-HOURS: the contract (training + missions) lasts 12 months at most.

@pytest.mark.parametrize(("mission_end", "flagged"), [
    (date(2028, 1, 10), False),   # start + 12 months − 1 day: the last day of the contract
    (date(2028, 1, 11), True),
])
def test_R_CAR_HOURS_a_mission_ending_after_twelve_months_is_flagged(
        mission_end: date, flagged: bool) -> None:
    """R-CAR-HOURS, I-CAR-CONTRACT, R-CAL-3: a durée counting its first day, contract from
    2027-01-11 to 2028-01-10 inclusive."""
    car = DossierFacts(Kind.CAR, START, date(2027, 10, 8), Fraction(900), missions=(
        Mission(date(2027, 12, 1), mission_end, Fraction(140)),))
    timeline = compute_timeline(car, date(2028, 2, 1))
    codes = [(a.code, a.rule) for a in timeline.alerts]
    assert (("car_mission_beyond_contract", "R-CAR-HOURS") in codes) is flagged
    assert explained(car, "Contrat CAR, fin au plus tard").startswith(
        "10/01/2028 = 11/01/2027 (démarrage) + 12 mois − 1 jour (R-CAR-HOURS, 000 :")


def test_R_CAR_HOURS_the_flag_shows_in_show(network: Dossiers) -> None:
    network.ok("open", "--kind", "car", "--worker", "Paul R.", "--start", "2027-01-11", "--end",
               "2027-10-08", "--training-hours", "900", "--owner", "lea@example.fr",
               "--reference", "R-1")
    network.ok("mission", "R-1", "--start", "2027-12-01", "--end", "2028-01-20", "--hours", "200")
    out = network.ok("show", "R-1", "--as-of", "2028-02-01")
    assert ("⚠ 1 mission finit après la fin du contrat CAR (10/01/2028, 12 mois au plus formation "
            "et missions comprises) (R-CAR-HOURS)") in out


# Import: the two bilans' columns, and the older single one.

def test_import_reads_both_bilans_and_the_old_bilan_column_as_positioning(
        network: Dossiers, tmp_path: Path) -> None:
    """R-CIPI-BILAN, I-BILAN-MIGRATION."""
    path = tmp_path / "d.csv"
    path.write_text(
        "reference;type;interimaire;debut;fin;heures_formation;responsable;"
        "heures_positionnement;heures_evaluation;heures_bilan;heures_tuteur;part_savoirs_de_base\n"
        "N-1;cipi;A;2027-01-11;2027-02-19;140;lea@example.fr;10;5;;20;\n"
        "N-2;cipi;B;2027-01-11;2027-02-19;140;lea@example.fr;;;12;;35\n", encoding="utf-8")
    assert network.ok("import", str(path)) == ("2 dossiers importés (fichier lu en UTF-8, "
                                               "séparateur « ; »).\n")
    assert "Bilans : positionnement 10\u00a0h, évaluation 5\u00a0h" in network.ok("show", "N-1")
    detail = json.loads(network.ok("show", "N-1", "--json"))
    assert (detail["positioning_hours"], detail["evaluation_hours"], detail["tutor_hours"]) == (
        10, 5, 20)
    shown = network.ok("show", "N-2")
    assert json.loads(network.ok("show", "N-2", "--json"))["basic_skills_percent"] == 35
    assert "Bilans : positionnement 12\u00a0h, évaluation 0\u00a0h" in shown
    assert "Part savoirs de base : 35\u00a0%" in shown
    both = tmp_path / "both.csv"
    both.write_text("type;interimaire;debut;fin;heures_formation;responsable;"
                    "heures_positionnement;heures_bilan\n"
                    "cipi;C;2027-01-11;2027-02-19;140;lea@example.fr;10;12\n", encoding="utf-8")
    result = network.run("import", str(both))
    assert result.exit_code == 2 and "heures_bilan" in result.stderr
