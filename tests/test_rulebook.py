"""The rest of the rule book: missions in detail, incidents, documents, eligibility,
funding, trial period, explanations."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date
from fractions import Fraction

import pytest

from dossiers.deadlines.documents import checklist
from dossiers.deadlines.engine import compute_timeline
from dossiers.deadlines.explain import explain
from dossiers.deadlines.facts import (
    Company, ContractType, DossierFacts, Event, EventKind, Incident, IncidentKind, Kind, Mission,
    Programme,
)
from dossiers.deadlines.funding import estimate, trial_days
from dossiers.deadlines.timeline import Status
from tests.conftest import Dossiers

START, END = date(2027, 1, 11), date(2027, 2, 19)
AFTER_WINDOW = date(2027, 5, 20)


def cdpi(**extra) -> DossierFacts:  # type: ignore[no-untyped-def]
    values = {"kind": Kind.CDPI, "training_start": START, "training_end": END,
              "training_hours": Fraction(210)}
    values.update(extra)
    return DossierFacts(**values)


def mission_step(facts: DossierFacts, as_of: date):  # type: ignore[no-untyped-def]
    step = compute_timeline(facts, as_of).step("mission_obligation")
    assert step is not None and step.progress is not None
    return step


# R-CDPI-MISSION, R-CIPI-MISSION: missions in detail.

def test_each_mission_says_whether_it_counts_and_why_not() -> None:
    """R-CDPI-MISSION: window 2027-02-20 … 2027-05-19, missions entirely inside it."""
    facts = cdpi(missions=(
        Mission(date(2027, 2, 15), date(2027, 2, 26), Fraction(35)),
        Mission(date(2027, 3, 1), date(2027, 3, 12), Fraction(63), Fraction(7)),
        Mission(date(2027, 5, 10), date(2027, 5, 21), Fraction(35)),
        Mission(date(2027, 4, 1), date(2027, 4, 9), Fraction(35)),
    ))
    step = mission_step(facts, date(2027, 4, 5))
    before = ("commence avant le 20/02/2027, lendemain de la fin de formation : les missions "
              "pendant le CDPI ne comptent pas")
    assert [(m.start, m.counted, m.reason) for m in step.progress.missions] == [
        (date(2027, 2, 15), False, before),
        (date(2027, 3, 1), True, None),
        (date(2027, 4, 1), False, "pas encore terminée au jour dit"),
    ]  # I-AS-OF-KNOWS-PAST: the mission of 10 May has not begun on 5 April
    assert step.progress.hours_done == 70 and step.status is Status.DONE
    later = mission_step(facts, date(2027, 5, 25))
    assert [(m.start, m.counted, m.reason) for m in later.progress.missions][-1] == (
        date(2027, 5, 10), False, "finit après le 19/05/2027, fin de la fenêtre de 3 mois")


def test_a_cipi_counts_missions_inside_its_six_month_period() -> None:
    """R-CIPI-MISSION: 70 h within start … start + 6 months, whatever the training length."""
    facts = DossierFacts(Kind.CIPI, START, END, Fraction(245), missions=(
        Mission(date(2027, 1, 4), date(2027, 1, 8), Fraction(35)),
        Mission(date(2027, 3, 1), date(2027, 3, 12), Fraction(70)),
    ))
    step = mission_step(facts, date(2027, 7, 1))
    assert step.progress.hours_required == 70
    assert [m.counted for m in step.progress.missions] == [False, True]
    assert step.status is Status.DONE and step.done_on == date(2027, 3, 12)


@pytest.mark.parametrize(("as_of", "at_risk"), [
    (date(2027, 5, 6), False),  # 14 days left, window end included: 70 h fit at 5 h a day
    (date(2027, 5, 7), True),   # 13 days: 65 h at most
])
def test_a_warning_comes_when_the_remaining_hours_no_longer_fit_at_35_hours_a_week(
    as_of: date, at_risk: bool
) -> None:
    """R-CDPI-MISSION: 70 h left, window ends 2027-05-19; 35 h a week is 5 h a day."""
    alerts = [a for a in compute_timeline(cdpi(), as_of).alerts if a.code == "mission_at_risk"]
    assert [a.rule for a in alerts] == (["R-CDPI-MISSION"] if at_risk else [])


# R-CDPI-EXCUSE: incidents.

def test_a_justified_shortfall_closes_the_obligation() -> None:
    facts = cdpi(incidents=(Incident(IncidentKind.REFUSAL, date(2027, 3, 2), date(2027, 3, 5)),))
    step = mission_step(facts, AFTER_WINDOW)
    assert (step.status, step.done_on) == (Status.JUSTIFIED, date(2027, 3, 5))
    timeline = compute_timeline(facts, AFTER_WINDOW)
    assert [s.code for s in timeline.overdue] == ["drf"]
    assert not [a for a in timeline.alerts if a.rule == "R-CDPI-EXCUSE"]


def test_an_unjustified_shortfall_at_the_deadline_costs_the_flat_rate() -> None:
    unproven = cdpi(incidents=(Incident(IncidentKind.ILLNESS, date(2027, 3, 2)),))
    timeline = compute_timeline(unproven, AFTER_WINDOW)
    assert [(a.code, a.rule) for a in timeline.alerts] == [
        ("incident_unproven", "R-CDPI-EXCUSE"), ("flat_rate_lost", "R-CDPI-EXCUSE")]
    assert "forfait non versé" in timeline.alerts[1].message
    assert "maladie" not in " ".join(a.message for a in timeline.alerts)
    assert mission_step(unproven, AFTER_WINDOW).status is Status.OVERDUE


# R-DOCS, R-CONTRACT, R-ATTEND, R-SURCOUT: checklists.

def codes(facts: DossierFacts) -> dict[str, list[str]]:
    by_step: dict[str, list[str]] = {}
    for item in checklist(facts):
        by_step.setdefault(item.step, []).append(item.code)
    return by_step


def test_the_checklist_follows_the_dossier() -> None:
    """R-DOCS rows: L&C and HOPE references, user company, Missions Jeunes, AFEST, surcoût."""
    assert codes(cdpi()) == {
        "contract": ["donnees-salarie", "contrat-signe", "convention", "programme-formation"],
        "attendance": ["heures-presence", "certificat-realisation", "contrat-mission",
                       "attestation-competences"],   # R-CDPI-CERTIFICATE, not blocking
    }
    lc = codes(cdpi(programme=Programme.LANGUE_COMPETENCES, in_user_company=True, afest=True,
                    hourly_cost=Fraction(36)))
    assert lc["drf"] == ["reference-langue-competences", "engagement-parties"]
    assert "protocole-afest" in lc["contract"] and "facture-of" in lc["attendance"]
    assert "organisme-externe-afest" in lc["contract"]   # R-AFEST-OF, not blocking
    assert codes(cdpi(programme=Programme.HOPE))["drf"] == ["reference-hope"]
    assert "charte-missions-jeunes" in codes(cdpi(programme=Programme.MISSIONS_JEUNES))["contract"]
    assert "reference-hope" not in str(codes(DossierFacts(Kind.CIPI, START, END, Fraction(140),
                                                          programme=Programme.HOPE)))


def test_the_contract_of_a_cdii_is_a_lettre_de_mission_formation() -> None:
    """R-CONTRACT: « contrat type (CTT) ou lettre de mission formation (CDII) »."""
    labels = {i.code: i.label for i in checklist(cdpi(contract_type=ContractType.CDII))}
    assert labels["contrat-signe"] == "lettre de mission-formation signée"


def test_the_cdaph_opinion_goes_to_akto_with_the_contract_other_proofs_stay_at_the_agency() -> None:
    """R-CDPI-ELIG, R-DOCS (handicap: avis CDAPH at contract)."""
    [boe] = [i for i in checklist(cdpi(eligibility="obligation-emploi")) if i.sensitive]
    assert (boe.step, boe.destination, boe.when) == ("contract", "akto", "à la saisie du contrat")
    [rsa] = [i for i in checklist(cdpi(eligibility="minima-sociaux")) if i.sensitive]
    assert (rsa.step, rsa.destination) == ("drf", "agence")
    assert not [i for i in checklist(cdpi(eligibility="anciennete-150h")) if i.sensitive]


def test_a_step_with_a_missing_document_is_not_done_and_says_which() -> None:
    """R-DOCS: the contract is sent, the AFEST protocol is not there."""
    events = (Event(EventKind.DRF_SUBMITTED, date(2026, 12, 1)),
              Event(EventKind.DRF_ACCORD, date(2026, 12, 2)),
              Event(EventKind.CONTRACT_SUBMITTED, date(2026, 12, 20)))
    missing = compute_timeline(cdpi(afest=True, events=events), date(2027, 1, 5))
    contract = missing.step("contract")
    assert contract is not None
    assert (contract.status, contract.missing) == (Status.OPEN, ("protocole-afest",))
    assert [a.rule for a in missing.alerts] == ["R-DOCS"]
    complete = cdpi(afest=True, events=events, documents={"protocole-afest": date(2026, 12, 20)})
    done = compute_timeline(complete, date(2027, 1, 5)).step("contract")
    assert done is not None and (done.status, done.missing) == (Status.DONE, ())


def test_a_car_request_needs_the_pole_reconversion_opinion() -> None:
    """R-CAR-ELIG: the FPETT pôle reconversion's opinion comes before the request."""
    car = DossierFacts(Kind.CAR, START, date(2027, 6, 30), Fraction(400),
                       events=(Event(EventKind.CAR_REQUEST_SUBMITTED, date(2027, 1, 4)),))
    request = compute_timeline(car, date(2027, 1, 5)).step("car_request")
    assert request is not None and request.missing == ("avis-pole-reconversion",)
    assert not request.status.is_finished
    after = replace(car, documents={"avis-pole-reconversion": date(2027, 1, 5)})
    timeline = compute_timeline(after, date(2027, 1, 6))
    assert [(a.code, a.rule) for a in timeline.alerts] == [("pole_opinion_late", "R-CAR-ELIG")]
    before = replace(car, documents={"avis-pole-reconversion": date(2026, 12, 20)})
    timeline = compute_timeline(before, date(2027, 1, 6))
    step = timeline.step("car_request")
    assert timeline.alerts == () and step is not None and step.status is Status.DONE


# R-CIPI-FUND, R-CDPI-FUND, R-SURCOUT, R-CDPI-TRIAL.

def test_the_cipi_flat_rate_is_17_or_27_euros_on_training_and_both_bilans() -> None:
    """R-CIPI-FUND, R-CIPI-BILAN: the flat rate applies « aux heures de formation externe, aux
    heures bilan de positionnement et aux heures d'évaluation »."""
    classic = estimate(DossierFacts(Kind.CIPI, START, END, Fraction(140),
                                    positioning_hours=Fraction(14), evaluation_hours=Fraction(7)))
    assert classic is not None and (classic.rate, classic.amount) == (17, 17 * 161)
    assert classic.hours == 161 and classic.total == 17 * 161
    programme = estimate(DossierFacts(Kind.CIPI, START, END, Fraction(140),
                                      programme=Programme.LANGUE_COMPETENCES))
    assert programme is not None and programme.rate == 27


def test_the_surcout_is_the_cost_above_the_flat_rate() -> None:
    """R-SURCOUT, 001's example: 36 €/h − 17 €/h = 19 €/h."""
    funding = estimate(DossierFacts(Kind.CIPI, START, END, Fraction(140),
                                    hourly_cost=Fraction(36)))
    assert funding is not None and funding.surcout_per_hour == 19
    assert funding.surcout_total == 19 * 140


def test_the_cdpi_rate_comes_from_the_configuration() -> None:
    """R-CDPI-FUND: no figure in the sources."""
    unknown = estimate(cdpi())
    assert unknown is not None and unknown.amount is None
    configured = estimate(cdpi(), Fraction(15))
    assert configured is not None and configured.amount == 15 * 210


@pytest.mark.parametrize(("end", "days"), [
    (date(2027, 2, 10), 2), (date(2027, 2, 11), 3), (date(2027, 3, 10), 3), (date(2027, 3, 11), 5),
])
def test_the_trial_period_follows_the_contract_length(end: date, days: int) -> None:
    """R-CDPI-TRIAL: 2 days up to 1 month, 3 up to 2 months, 5 beyond (a durée, R-CAL-3)."""
    assert trial_days(cdpi(training_end=end)) == days


@pytest.mark.parametrize(("company", "warned"), [
    (Company(11, True), False), (Company(10, True), True), (Company(40, False), True),
    (Company(None, True), False),
])
def test_akto_funds_only_agencies_of_eleven_and_more_in_prism_emploi(
    company: Company, warned: bool
) -> None:
    """R-CDPI-FUND (« 11 et plus »; 001 says « + de 11 »: we use 11 and more)."""
    alerts = compute_timeline(cdpi(company=company), date(2026, 11, 22)).alerts
    found = [a.rule for a in alerts if a.code == "funding_impossible"]
    # R-FUND-NON-MEMBER: 11 and more but not a member (003, « selon les règles issues de
    # l'ancien accord »).
    non_member = company.headcount is not None and company.headcount >= 11
    assert found == ((["R-FUND-NON-MEMBER"] if non_member else ["R-CDPI-FUND"]) if warned
                     else [])


# Explanations.

def test_explain_gives_the_arithmetic_and_the_source_words() -> None:
    """R-DRF-WINDOW: the issue's own example."""
    facts = cdpi()
    lines = dict(explain(facts, compute_timeline(facts, date(2026, 11, 22))))
    assert lines["Demande de réservation de financement (DRF), échéance"].startswith(
        "07/01/2027 = 11/01/2027 (démarrage) − 2 jours ouvrés (R-DRF-WINDOW, 001 : « au plus tôt "
        "2 mois et au plus tard 48 heures avant le démarrage de la formation »)")
    assert lines["Obligation de mission, heures"].startswith("70\u00a0h = 210\u00a0h × 1/3")
    assert lines["Période d'essai"].startswith("3 jours au plus")


def test_explanations_and_steps_agree_on_every_date() -> None:
    facts = cdpi(programme=Programme.LANGUE_COMPETENCES, events=(
        Event(EventKind.DRF_SUBMITTED, date(2026, 12, 24)),
        Event(EventKind.DRF_ACCORD, date(2026, 12, 28))))
    timeline = compute_timeline(facts, date(2026, 12, 29))
    text = " ".join(t for _, t in explain(facts, timeline))
    for step in timeline.steps:
        if step.due is not None:
            assert step.due.strftime("%d/%m/%Y") in text, step.code


# Through the CLI.

def test_incidents_documents_and_eligibility_through_the_cli(
        network: Dossiers, monkeypatch: pytest.MonkeyPatch) -> None:
    """R-CDPI-EXCUSE, R-DOCS, R-CDPI-ELIG."""
    monkeypatch.setenv("COLUMNS", "200")
    network.ok("open", "--kind", "cdpi", "--worker", "Karim B.", "--start", "2027-01-11",
               "--end", "2027-02-19", "--training-hours", "210", "--owner", "lea@example.fr",
               "--reference", "D-1", "--eligibility", "minima-sociaux", "--afest")
    out = network.ok("doc", "D-1")
    assert ("  • justificatif-minima-sociaux : attestation de la CAF (RSA) ou de France Travail (ASS)"
            " — DRF, à conserver par l'agence, avant la DRF ; à recevoir (R-CDPI-ELIG)") in out
    assert network.ok("doc", "D-1", "protocole-afest", "--on", "2026-12-01") == (
        "D-1 : « protocole de formation AFEST et engagement des parties » reçue.\n")
    out = network.ok("incident", "D-1", "refus", "--on", "2027-03-02", "--document-on",
                     "2027-03-05", "--as-of", "2027-05-20")
    assert out.endswith("Obligation de mission : justifié.\n")
    shown = json.loads(network.ok("show", "D-1", "--json", "--as-of", "2027-05-20"))
    assert shown["eligibility"] == "minima-sociaux"
    assert shown["incidents"] == [{"kind": "refus", "on": "2027-03-02",
                                   "until": None, "document_on": "2027-03-05"}]
    steps = {s["code"]: s for s in shown["steps"]}
    assert steps["drf"]["missing_documents"] == ["justificatif-minima-sociaux"]
    assert steps["mission_obligation"]["status"] == "justified"
    assert (steps["mission_obligation"]["hours_done"], steps["mission_obligation"]["hours_required"],
            steps["mission_obligation"]["window_end"]) == (0.0, 70.0, "2027-05-19")
    text = network.ok("show", "D-1", "--as-of", "2027-05-20")
    assert "Éligibilité : bénéficiaire des minima sociaux" in text
    assert "refus de la mission proposée" in text
    # I-AS-OF-KNOWS-PAST: the day before the incident, `show` knows it no more than its JSON.
    before = network.ok("show", "D-1", "--as-of", "2027-03-01")
    assert "refus de la mission proposée" not in before and "Incidents de mission" not in before
    assert json.loads(network.ok("show", "D-1", "--json", "--as-of", "2027-03-01"))[
        "incidents"] == []


def test_sensitive_facts_stay_out_of_lists_reports_and_emails(network: Dossiers, smtp) -> None:  # type: ignore[no-untyped-def]
    """R-CDPI-ELIG: the basis and its justificatif only in `show` and `explain`."""
    network.ok("open", "--kind", "cdpi", "--worker", "Karim B.", "--start", "2027-01-11",
               "--end", "2027-02-19", "--training-hours", "210", "--owner", "lea@example.fr",
               "--reference", "D-1", "--eligibility", "obligation-emploi")
    network.ok("record", "D-1", "drf-submitted", "--on", "2026-12-01")
    network.ok("record", "D-1", "drf-accord", "--on", "2026-12-02")
    network.ok("record", "D-1", "contract-submitted", "--on", "2026-12-20")
    network.ok("incident", "D-1", "maladie", "--on", "2027-03-02")
    outputs = [
        network.ok("list", "--json", "--as-of", "2027-02-10"),
        network.ok("list", "--as-of", "2027-02-10"),
        network.ok("report", "overdue", "--format", "json", "--as-of", "2027-02-10"),
        network.ok("report", "overdue", "--format", "html", "--as-of", "2027-02-10"),
        network.ok("report", "overdue", "--as-of", "2027-02-10"),
        network.ok("show", "D-1", "--history", "--as-of", "2027-02-10").split("Historique")[1],
        network.ok("calendar", "--as-of", "2027-02-10"),
    ]
    network.ok("remind", "--transport", "smtp", "--as-of", "2027-02-10")
    outputs += [r.message.as_string() for r in smtp.outbox]
    assert smtp.outbox, "the missing CDAPH opinion makes the contract late: a digest goes out"
    for text in outputs:
        for word in ("obligation-emploi", "CDAPH", "handicap", "maladie", "invalidit"):
            assert word not in text, word
    assert "CDAPH" in network.ok("show", "D-1", "--as-of", "2027-02-10")


def test_plan_explain_prints_the_explanations(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from dossiers.cli import cli

    result = CliRunner().invoke(cli, ["plan", "--kind", "cdpi", "--start", "2027-01-11", "--end",
                                      "2027-02-19", "--training-hours", "210", "--explain"],
                             env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "07/01/2027 = 11/01/2027 (démarrage) − 2 jours ouvrés (R-DRF-WINDOW" in result.stdout
    data = json.loads(CliRunner().invoke(cli, [
        "plan", "--kind", "cdpi", "--start", "2027-01-11", "--end", "2027-02-19",
        "--training-hours", "210", "--explain", "--json"]).stdout)
    assert data["explanations"][0]["subject"] == "Jeu de règles"
    assert data["explanations"][1]["subject"].startswith("Demande de réservation")


def test_explain_command(network: Dossiers, monkeypatch: pytest.MonkeyPatch) -> None:
    """R-CIPI-FUND, R-SURCOUT: amounts and hours in French, with no-break spaces."""
    monkeypatch.setenv("COLUMNS", "200")
    network.ok("open", "--kind", "cipi", "--worker", "A", "--start", "2027-01-11", "--end",
               "2027-02-19", "--training-hours", "140", "--owner", "lea@example.fr",
               "--reference", "C-1", "--hourly-cost", "36")
    out = network.ok("explain", "C-1")
    assert out.startswith("Dossier C-1 (CIPI), règles akto-current :")
    assert ("2\u202f380,00\u00a0€ HT = 140\u00a0h (formation et bilans) × 17,00\u00a0€/h "
            "(R-CIPI-FUND") in out
    assert "19,00\u00a0€/h = 36,00\u00a0€/h (coût) − 17,00\u00a0€/h (forfait)" in out


def test_an_eligibility_basis_must_suit_the_kind(network: Dossiers) -> None:
    """R-CIPI-ELIG: seniority opens a CDPI, not a CIPI."""
    before = network.dump()
    result = network.run("open", "--kind", "cipi", "--worker", "A", "--start", "2027-01-11",
                         "--end", "2027-02-19", "--training-hours", "140", "--owner",
                         "lea@example.fr", "--eligibility", "anciennete-150h")
    assert result.exit_code == 2
    assert result.stderr.startswith("Erreur : éligibilité : « anciennete-150h » n'ouvre pas droit "
                                    "au CIPI")
    assert result.stderr.rstrip().endswith("(R-CIPI-ELIG)")
    assert network.dump() == before


def test_doc_never_lists_a_document_that_it_then_refuses(network: Dossiers,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """R-DOCS: a document sent with its step (the convention, with the contract) is listed
    apart, and `doc REF convention` says how it counts as received rather than « aucune »."""
    monkeypatch.setenv("COLUMNS", "200")
    network.ok("open", "--kind", "cipi", "--worker", "A", "--start", "2027-01-11", "--end",
               "2027-02-19", "--training-hours", "140", "--owner", "lea@example.fr",
               "--reference", "C-1")
    listed = network.ok("doc", "C-1")
    assert listed.startswith("Pièces qui partent avec leur étape")
    assert "  • convention : convention de formation — Contrat à AKTO" in listed
    before = network.dump()
    refused = network.run("doc", "C-1", "convention")
    assert refused.exit_code == 2
    assert refused.stderr == (
        "Erreur : DOCUMENT : « convention de formation » part avec l'étape « Contrat à AKTO » et "
        "compte comme reçue quand cet envoi est enregistré : dossiers record C-1 "
        "contract-submitted --on JJ/MM/AAAA (R-DOCS)\n")
    unknown = network.run("doc", "C-1", "bulletin")
    assert "aucune" not in unknown.stderr.split("(")[0]
    assert unknown.stderr == (
        "Erreur : DOCUMENT : « bulletin » n'est pas dans la liste des pièces de ce dossier (aucune "
        "pièce à marquer une à une : les autres partent avec leur étape) (R-DOCS)\n")
    assert network.dump() == before


@pytest.mark.parametrize(("kind", "rule"), [("cipi", "R-CIPI-MISSION"), ("car", "R-CAR-MISSION")])
def test_an_incident_outside_a_cdpi_cites_its_own_scheme(network: Dossiers, kind: str,
                                                         rule: str) -> None:
    """R-CIPI-MISSION, R-CAR-MISSION: `show` cites the dossier's own scheme for its mission
    incidents, never the CDPI's excuse rule."""
    extra = ["--eligibility", "accident-travail"] if kind == "car" else []
    network.ok("open", "--kind", kind, "--worker", "A", "--start", "2027-01-11", "--end",
               "2027-02-19", "--training-hours", "140", "--owner", "lea@example.fr",
               "--reference", "X-1", *extra)
    network.ok("incident", "X-1", "maladie", "--on", "2027-03-02", "--document-on", "2027-03-03",
               "--as-of", "2027-03-04")
    text = network.ok("show", "X-1", "--as-of", "2027-03-04")
    assert f"Incidents de mission ({rule}) :" in text
    assert set(re.findall(r"\bR-(CIPI|CDPI|CAR)-", text)) == {kind.upper()}
