"""Rule exactness (tracker issue 19): edges read on the safe side, table-driven, each row naming
its rule id. The quotations are checked by tests/test_quotations.py, the rule book's worked
examples by tests/test_worked_examples.py."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from dossiers.deadlines.bounds import check_dossier, check_drf_deposit
from dossiers.deadlines.engine import compute_timeline
from dossiers.deadlines.explain import explain
from dossiers.deadlines.facts import (
    Company, DossierFacts, Event, EventKind, Incident, IncidentKind, Kind, Mission, Programme,
)
from dossiers.deadlines.funding import estimate
from dossiers.deadlines.periods import months, weeks
from dossiers.deadlines.rulesets import AKTO_2021, AKTO_CURRENT, RuleSet
from dossiers.deadlines.timeline import Status
from dossiers.errors import InvalidInput
from tests.conftest import Dossiers


def facts(kind: Kind = Kind.CDPI, start: date = date(2027, 1, 11),
          end: date = date(2027, 2, 19), hours: int = 210, rules: RuleSet = AKTO_CURRENT,
          events: tuple[tuple[EventKind, date], ...] = (),
          **extra) -> DossierFacts:  # type: ignore[no-untyped-def]
    return DossierFacts(kind=kind, training_start=start, training_end=end,
                        training_hours=Fraction(hours), rules=rules,
                        events=tuple(Event(k, on) for k, on in events), **extra)


def explained(f: DossierFacts, day: date) -> str:
    return "\n".join(text for _, text in explain(f, compute_timeline(f, day)))


# Point 2: two kinds of « N mois » (R-CAL-3, I-MONTHS-TWO-READINGS).

@pytest.mark.parametrize(("rule", "reading", "first", "n", "last"), [
    ("R-CIPI-MISSION", "durée", date(2026, 5, 26), 6, date(2026, 11, 25)),
    ("R-CDPI-HOURS", "durée", date(2027, 1, 11), 12, date(2028, 1, 10)),
    ("R-CAR-HOURS", "durée", date(2026, 11, 30), 9, date(2027, 8, 29)),
    ("R-CAR-HOURS", "durée", date(2027, 1, 11), 12, date(2028, 1, 10)),
    ("R-CDPI-MISSION", "délai", date(2027, 5, 21), 3, date(2027, 8, 21)),
    ("R-CDPI-MISSION", "délai", date(2027, 11, 30), 3, date(2028, 2, 29)),
    ("R-DRF-SHIFT", "délai", date(2026, 12, 1), 2, date(2027, 2, 1)),
])
def test_r_cal_3_a_delai_ends_on_the_same_date_a_duree_the_day_before(
        rule: str, reading: str, first: date, n: int, last: date) -> None:
    """R-CAL-3: « N mois » after an event (délai) or counting its first day (durée)."""
    period = months(n)
    found = period.after(first, "metropole") if reading == "délai" else period.last_day(
        first, "metropole")
    assert found == last, rule


@pytest.mark.parametrize(("rule", "start", "opens"), [
    ("R-DRF-WINDOW", date(2027, 1, 11), date(2026, 11, 11)),
    ("R-DRF-WINDOW", date(2027, 4, 30), date(2027, 3, 1)),   # 28/02 + 2 months = 28/04 < start
    ("R-DRF-WINDOW", date(2027, 4, 28), date(2027, 2, 28)),
    ("R-DRF-WINDOW", date(2028, 4, 30), date(2028, 3, 1)),   # 29/02/2028 + 2 months = 29/04
    ("R-DRF-WINDOW", date(2027, 12, 31), date(2027, 10, 31)),
])
def test_r_drf_window_opens_on_the_first_day_from_which_the_start_is_within_two_months(
        rule: str, start: date, opens: date) -> None:
    """R-DRF-WINDOW, R-CAL-3: « au plus tôt 2 mois » before the start; the day before the
    opening lies more than 2 months before it. 4 weeks (akto-2021) are 28 days."""
    assert months(2).earliest_before(start, "metropole") == opens, rule
    assert months(2).after(opens, "metropole") >= start
    assert months(2).after(date.fromordinal(opens.toordinal() - 1), "metropole") < start
    assert weeks(4).earliest_before(start, "metropole") == date.fromordinal(start.toordinal() - 28)
    step = compute_timeline(facts(Kind.CDPI, start, date.fromordinal(start.toordinal() + 40)),
                            opens).step("drf")
    assert step is not None and step.opens == opens


@pytest.mark.parametrize(("rule", "kind", "start", "accepted_end", "refused_end"), [
    ("R-CIPI-HOURS", Kind.CIPI, date(2026, 5, 26), date(2026, 11, 25), date(2026, 11, 26)),
    ("R-CDPI-HOURS", Kind.CDPI, date(2027, 1, 11), date(2028, 1, 10), date(2028, 1, 11)),
    ("R-CAR-HOURS", Kind.CAR, date(2027, 1, 11), date(2027, 10, 10), date(2027, 10, 11)),
])
def test_r_cal_3_the_longest_training_is_accepted_the_next_day_refused(
        rule: str, kind: Kind, start: date, accepted_end: date, refused_end: date) -> None:
    """R-CIPI-HOURS, R-CDPI-HOURS, R-CAR-HOURS with R-CAL-3 (durée): both sides of the edge."""
    check_dossier(kind, start, accepted_end, Fraction(140), AKTO_CURRENT)
    with pytest.raises(InvalidInput) as refused:
        check_dossier(kind, start, refused_end, Fraction(140), AKTO_CURRENT)
    assert refused.value.rule == rule


@pytest.mark.parametrize(("rule", "mission_end", "counted"), [
    ("R-CIPI-MISSION", date(2026, 11, 25), True),
    ("R-CIPI-MISSION", date(2026, 11, 26), False),
])
def test_r_cipi_mission_the_six_months_end_the_day_before(
        rule: str, mission_end: date, counted: bool) -> None:
    """R-CIPI-MISSION, R-CAL-3: a CIPI starting 26/05/2026 has until 25/11/2026."""
    f = facts(Kind.CIPI, date(2026, 5, 26), date(2026, 7, 3), 140, missions=(
        Mission(date(2026, 11, 10), mission_end, Fraction(70)),))
    step = compute_timeline(f, date(2026, 12, 1)).step("mission_obligation")
    assert step is not None and step.progress is not None
    assert step.progress.missions[0].counted is counted, rule
    assert (step.status is Status.DONE) is counted


# Point 3: the 2022 suspension as dates, under every rule set (I-2021-SUSPENSION).

@pytest.mark.parametrize(("rule", "rules", "start", "opens", "due"), [
    # The issue's case: due 21/07/2022 falls in the suspension, the window ends on 30/06.
    ("I-2021-SUSPENSION", AKTO_2021, date(2022, 7, 25), date(2022, 6, 27), date(2022, 6, 30)),
    ("I-2021-SUSPENSION", AKTO_2021, date(2022, 9, 5), date(2022, 8, 22), date(2022, 9, 1)),
    ("I-2021-SUSPENSION", AKTO_2021, date(2022, 7, 28), date(2022, 6, 30), date(2022, 6, 30)),
    ("I-2021-SUSPENSION", AKTO_CURRENT, date(2022, 10, 10), date(2022, 8, 22), date(2022, 10, 6)),
    ("I-2021-SUSPENSION", AKTO_CURRENT, date(2022, 8, 1), date(2022, 6, 1), date(2022, 6, 30)),
    ("R-DRF-WINDOW", AKTO_CURRENT, date(2022, 11, 2), date(2022, 9, 2), date(2022, 10, 28)),
])
def test_i_2021_suspension_a_window_cut_by_it_ends_on_30_june_or_opens_on_22_august(
        rule: str, rules: RuleSet, start: date, opens: date, due: date) -> None:
    """I-2021-SUSPENSION under both rule sets; R-DRF-WINDOW outside it."""
    f = facts(Kind.CDPI, start, date.fromordinal(start.toordinal() + 40), 140, rules=rules)
    step = compute_timeline(f, date(2022, 5, 1)).step("drf")
    assert step is not None and (step.opens, step.due) == (opens, due), rule


def test_i_2021_suspension_after_30_june_a_cut_window_is_too_late_and_explain_says_why() -> None:
    """I-2021-SUSPENSION: the issue's CDPI starting 25/07/2022 under akto-2021 is not « ouvert
    (J-16) » on 05/07/2022 but overdue since 01/07/2022."""
    f = facts(Kind.CDPI, date(2022, 7, 25), date(2022, 9, 2), 140, rules=AKTO_2021)
    on_30_june = compute_timeline(f, date(2022, 6, 30)).step("drf")
    on_5_july = compute_timeline(f, date(2022, 7, 5)).step("drf")
    assert on_30_june is not None and on_30_june.status is Status.DUE_SOON
    assert on_5_july is not None and on_5_july.status is Status.OVERDUE
    text = explained(f, date(2022, 7, 5))
    assert "30/06/2022 : 21/07/2022 = 25/07/2022 (démarrage) − 2 jours ouvrés" in text
    assert "la DRF se dépose au plus tard la veille, ensuite trop tard (I-2021-SUSPENSION" in text
    alerts = [a.code for a in compute_timeline(f, date(2022, 6, 28)).alerts]
    assert "drf_suspended" in alerts


@pytest.mark.parametrize(("rule", "on", "refused"), [
    ("I-2021-SUSPENSION", date(2022, 6, 30), False),
    ("I-2021-SUSPENSION", date(2022, 7, 1), True),
    ("I-2021-SUSPENSION", date(2022, 8, 10), True),
    ("I-2021-SUSPENSION", date(2022, 8, 21), True),
    ("I-2021-SUSPENSION", date(2022, 8, 22), False),
])
@pytest.mark.parametrize("rules", [AKTO_CURRENT, AKTO_2021], ids=lambda r: r.name)
def test_i_2021_suspension_no_deposit_dated_inside_under_any_rule_set(
        rule: str, on: date, refused: bool, rules: RuleSet) -> None:
    """I-2021-SUSPENSION, R-DRF-WINDOW: the issue's DRF of 10/08/2022 under akto-current."""
    if refused:
        with pytest.raises(InvalidInput) as error:
            check_drf_deposit(rules, on)
        assert error.value.rule == "R-DRF-WINDOW", rule
    else:
        check_drf_deposit(rules, on)


def test_i_2021_suspension_record_refuses_a_deposit_under_akto_current(network: Dossiers) -> None:
    """I-2021-SUSPENSION through the command: one French line, exit 2, nothing written."""
    network.ok("open", "--kind", "cdpi", "--worker", "K", "--start", "2022-10-10", "--end",
               "2022-11-18", "--training-hours", "210", "--owner", "lea@example.fr",
               "--reference", "CUR", "--rules", "akto-current")
    before = network.dump()
    result = network.run("record", "CUR", "drf-submitted", "--on", "2022-08-10",
                         "--as-of", "2022-08-10")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == ("Erreur : --on : une DRF ne peut pas être déposée le 10/08/2022 : "
                             "dépôts suspendus du 01/07/2022 au 21/08/2022, déposer à partir du "
                             "22/08/2022 (R-DRF-WINDOW)\n")
    assert network.dump() == before


# Point 5: unknown headcount (I-MIN-HEADCOUNT).

@pytest.mark.parametrize(("rule", "kind", "company", "codes"), [
    ("R-CDPI-FUND", Kind.CDPI, Company(None, True), ["headcount_unknown"]),
    ("R-CIPI-FUND", Kind.CIPI, Company(None, True), ["headcount_unknown"]),
    ("R-CDPI-FUND", Kind.CDPI, Company(None, False), ["funding_impossible", "headcount_unknown"]),
    ("R-CDPI-FUND", Kind.CDPI, Company(11, True), []),
    ("R-CDPI-FUND", Kind.CDPI, Company(10, True), ["funding_impossible"]),
    ("R-CAR-HOURS", Kind.CAR, Company(None, True), []),   # the CAR has no flat rate
])
def test_i_min_headcount_an_unknown_headcount_is_flagged_never_assumed(
        rule: str, kind: Kind, company: Company, codes: list[str]) -> None:
    """I-MIN-HEADCOUNT: « effectif à renseigner »."""
    f = facts(kind, company=company)
    found = [(a.code, a.rule) for a in compute_timeline(f, date(2026, 12, 1)).alerts
             if a.code in ("headcount_unknown", "funding_impossible")]
    assert found == [(code, "R-FUND-NON-MEMBER" if code == "funding_impossible"
                      and not company.prism_member else rule) for code in codes]


def test_i_min_headcount_show_list_and_the_digest_say_effectif_a_renseigner(
        dossiers: Dossiers, monkeypatch: pytest.MonkeyPatch) -> None:
    """I-MIN-HEADCOUNT, R-CDPI-FUND: an agency added without --headcount."""
    monkeypatch.setenv("DOSSIERS_MAIL_FROM", "Suivi <dossiers@interim-exemple.fr>")
    dossiers.ok("agency", "add", "Brest", "--prism")
    dossiers.ok("staff", "add", "Léa Martin", "--email", "lea@example.fr", "--agency", "Brest")
    dossiers.ok("open", "--kind", "cdpi", "--worker", "Karim B.", "--start", "2027-01-11",
                "--end", "2027-02-19", "--training-hours", "210", "--owner", "lea@example.fr",
                "--reference", "B-1")
    show = " ".join(dossiers.ok("show", "B-1", "--as-of", "2026-12-01").split())
    assert ("⚠ Effectif à renseigner : sans l'effectif de l'agence, le financement AKTO (au moins "
            "11 salariés) ne peut pas être vérifié (R-CDPI-FUND)") in show
    listed = dossiers.ok("list", "--as-of", "2026-12-01")
    assert listed.endswith("⚠ Agence Brest : effectif à renseigner (1 dossier dont le financement "
                           "AKTO ne peut pas être vérifié ; dossiers agency update … --headcount "
                           "N) (R-CIPI-FUND, R-CDPI-FUND)\n")
    digest = dossiers.ok("remind", "--dry-run", "--as-of", "2027-01-08")
    assert "Effectif à renseigner" in digest
    dossiers.ok("agency", "update", "Brest", "--headcount", "25")
    assert "effectif à renseigner" not in dossiers.ok("list", "--as-of", "2026-12-01")
    assert "Effectif à renseigner" not in dossiers.ok("show", "B-1", "--as-of", "2026-12-01")


# Point 4: an incident counts when it can explain the missed delegation (I-EXCUSE-IN-WINDOW).
# CDPI 11/01/2027 … 19/02/2027 (210 h): mission window 20/02/2027 … 19/05/2027.

WINDOW = (date(2027, 2, 20), date(2027, 5, 19))


@pytest.mark.parametrize(("rule", "kind", "on", "until", "counts"), [
    ("I-EXCUSE-IN-WINDOW", IncidentKind.ILLNESS, date(2027, 2, 1), date(2027, 2, 19), False),
    ("I-EXCUSE-IN-WINDOW", IncidentKind.ILLNESS, date(2027, 2, 1), date(2027, 2, 20), True),
    ("I-EXCUSE-IN-WINDOW", IncidentKind.ILLNESS, date(2027, 5, 19), date(2027, 6, 30), True),
    ("I-EXCUSE-IN-WINDOW", IncidentKind.ILLNESS, date(2027, 5, 20), date(2027, 6, 30), False),
    ("I-EXCUSE-IN-WINDOW", IncidentKind.ILLNESS, date(2027, 2, 19), None, False),
    ("I-EXCUSE-IN-WINDOW", IncidentKind.ILLNESS, date(2027, 2, 20), None, True),
    ("I-EXCUSE-IN-WINDOW", IncidentKind.REFUSAL, date(2027, 2, 19), None, False),
    ("I-EXCUSE-IN-WINDOW", IncidentKind.REFUSAL, date(2027, 2, 20), None, True),
    ("I-EXCUSE-IN-WINDOW", IncidentKind.REFUSAL, date(2027, 5, 19), None, True),
    ("I-EXCUSE-IN-WINDOW", IncidentKind.REFUSAL, date(2027, 5, 20), None, False),
    ("I-EXCUSE-IN-WINDOW", IncidentKind.FAILURE, date(2027, 2, 10), None, True),
    ("I-EXCUSE-IN-WINDOW", IncidentKind.FAILURE, date(2027, 5, 19), None, True),
    ("I-EXCUSE-IN-WINDOW", IncidentKind.FAILURE, date(2027, 5, 20), None, False),
    ("I-EXCUSE-IN-WINDOW", IncidentKind.TERMINATION, date(2027, 1, 20), None, True),
    ("I-EXCUSE-IN-WINDOW", IncidentKind.TERMINATION, date(2027, 5, 20), None, False),
    ("I-EXCUSE-IN-WINDOW", IncidentKind.OTHER_JOB, date(2027, 5, 19), None, True),
    ("I-EXCUSE-IN-WINDOW", IncidentKind.OTHER_JOB, date(2027, 5, 20), None, False),
])
def test_i_excuse_in_window_an_incident_counts_only_when_it_can_explain_the_shortfall(
        rule: str, kind: IncidentKind, on: date, until: date | None, counts: bool) -> None:
    """R-CDPI-EXCUSE, I-EXCUSE-IN-WINDOW: a proven incident that counts closes the obligation
    (« justifiée »); one that does not leaves it open, then missed, and says why."""
    proof = max(on, date(2027, 3, 1))
    f = facts(incidents=(Incident(kind, on, proof, until),))
    timeline = compute_timeline(f, date(2027, 6, 1))
    step = timeline.step("mission_obligation")
    assert step is not None and (step.opens, step.due) == WINDOW
    assert (step.status is Status.JUSTIFIED) is counts, rule
    codes = [a.code for a in timeline.alerts]
    assert ("flat_rate_lost" in codes) is not counts
    assert ("incident_outside_window" in codes) is not counts
    text = explained(f, date(2027, 6, 1))
    verdict = "compte :" if counts else "ne compte pas :"
    assert f"{verdict} " in text and "I-EXCUSE-IN-WINDOW" in text


def test_i_excuse_in_window_the_issue_s_sick_note_of_march_does_not_justify_may_to_august() -> None:
    """The issue's case: a sick note of 01/03/2027 against a CDPI obligation of 22/05–21/08/2027."""
    f = facts(start=date(2027, 4, 12), end=date(2027, 5, 21), incidents=(
        Incident(IncidentKind.ILLNESS, date(2027, 3, 1), date(2027, 3, 2), date(2027, 3, 15)),))
    timeline = compute_timeline(f, date(2027, 8, 22))
    step = timeline.step("mission_obligation")
    assert step is not None and (step.opens, step.due) == (date(2027, 5, 22), date(2027, 8, 21))
    assert step.status is not Status.JUSTIFIED
    assert "flat_rate_lost" in [a.code for a in timeline.alerts]
    assert ("ne compte pas : arrêt du 01/03/2027 au 15/03/2027 ne recoupe pas la fenêtre du "
            "22/05/2027 au 21/08/2027") in explained(f, date(2027, 8, 22))


def test_i_excuse_in_window_incident_until_through_the_cli(network: Dossiers) -> None:
    """I-EXCUSE-IN-WINDOW, R-CDPI-EXCUSE: `incident … maladie --until`; bad input is one French
    line naming the field and the rule, exit 2, nothing written."""
    network.ok("open", "--kind", "cdpi", "--worker", "Karim B.", "--start", "2027-01-11",
               "--end", "2027-02-19", "--training-hours", "210", "--owner", "lea@example.fr",
               "--reference", "D-1")
    before = network.dump()
    for args, message in [
        (("refus", "--on", "2027-03-02", "--until", "2027-03-05"),
         "--until : seul un incident « maladie » a une fin (celle de l'arrêt de travail), pas "
         "« refus » (R-CDPI-EXCUSE)"),
        (("maladie", "--on", "2027-03-02", "--until", "2027-03-01"),
         "--until : la fin de l'arrêt, le 01/03/2027, précède son début, le 02/03/2027 "
         "(R-CDPI-EXCUSE)"),
    ]:
        result = network.run("incident", "D-1", *args)
        assert (result.exit_code, result.stdout) == (2, "")
        assert result.stderr == f"Erreur : {message}\n"
        assert network.dump() == before
    out = network.ok("incident", "D-1", "maladie", "--on", "2027-02-10", "--until", "2027-02-25",
                     "--document-on", "2027-02-26", "--as-of", "2027-03-01")
    assert out.endswith("Obligation de mission : justifié.\n")
    shown = network.ok("show", "D-1", "--as-of", "2027-03-01")
    assert "10/02/2027 jusqu'au 25/02/2027 : maladie" in shown
    import json
    data = json.loads(network.ok("show", "D-1", "--json", "--as-of", "2027-03-01"))
    assert data["incidents"] == [{"kind": "maladie", "on": "2027-02-10", "until": "2027-02-25",
                                  "document_on": "2027-02-26"}]


def test_i_excuse_in_window_incident_columns_of_the_import(dossiers: Dossiers, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """I-EXCUSE-IN-WINDOW: incident, incident_date, incident_fin, incident_justificatif."""
    dossiers.ok("agency", "add", "Lyon", "--headcount", "30", "--prism")
    dossiers.ok("staff", "add", "Léa Martin", "--email", "lea@example.fr", "--agency", "Lyon")
    header = ("type;interimaire;debut;fin;heures_formation;responsable;reference;incident;"
              "incident_date;incident_fin;incident_justificatif\n")
    bad = tmp_path / "bad.csv"
    bad.write_text(header + "cdpi;A;2027-01-11;2027-02-19;210;lea@example.fr;IMP-1;echec;"
                   "2027-03-01;2027-03-09;\n", encoding="utf-8")
    before = dossiers.dump()
    result = dossiers.run("import", str(bad))
    assert result.exit_code == 2
    assert ("incident_fin : seul un incident « maladie » a une fin (celle de l'arrêt de "
            "travail), pas « echec » (R-CDPI-EXCUSE)") in result.stderr
    assert dossiers.dump() == before
    good = tmp_path / "good.csv"
    good.write_text(header + "cdpi;A;2027-01-11;2027-02-19;210;lea@example.fr;IMP-1;maladie;"
                    "2027-02-10;2027-02-25;2027-02-26\n", encoding="utf-8")
    dossiers.ok("import", str(good))
    import json
    data = json.loads(dossiers.ok("show", "IMP-1", "--json", "--as-of", "2027-03-01"))
    assert data["incidents"] == [{"kind": "maladie", "on": "2027-02-10", "until": "2027-02-25",
                                  "document_on": "2027-02-26"}]
    steps = {s["code"]: s["status"] for s in data["steps"]}
    assert steps["mission_obligation"] == "justified"


# Point 6: « L'obligation de mission après le 1er CDPI doit être respectée » (003).

SECOND_CDPI = ["open", "--kind", "cdpi", "--worker", "karim b", "--start", "2027-09-06",
               "--end", "2027-10-15", "--training-hours", "210", "--owner", "lea@example.fr"]


@pytest.mark.parametrize(("rule", "missions", "as_of", "warned"), [
    ("R-CDPI-FIRST-MISSION", [], "2027-04-01", "en cours (fenêtre jusqu'au 19/05/2027)"),
    ("R-CDPI-FIRST-MISSION", [], "2027-06-01", "non tenue (fenêtre jusqu'au 19/05/2027)"),
    ("R-CDPI-FIRST-MISSION", [("2027-03-01", "2027-03-19", "70")], "2027-06-01", None),
])
def test_r_cdpi_first_mission_a_second_cdpi_says_the_first_obligation_is_unmet(
        network: Dossiers, rule: str, missions: list[tuple[str, str, str]], as_of: str,
        warned: str | None) -> None:
    """R-CDPI-FIRST-MISSION: `open` of a worker's second CDPI (same agency, name without case
    or accents) alerts while the first CDPI's obligation is open or missed, not once met."""
    network.ok("open", "--kind", "cdpi", "--worker", "Karim B.", "--start", "2027-01-11",
               "--end", "2027-02-19", "--training-hours", "210", "--owner", "lea@example.fr",
               "--reference", "CDPI-1")
    for start, end, hours in missions:
        network.ok("mission", "CDPI-1", "--start", start, "--end", end, "--hours", hours)
    out = " ".join(network.ok(*SECOND_CDPI, "--as-of", as_of).split())
    line = ("⚠ CDPI précédent de cet intérimaire, CDPI-1 : obligation de mission "
            f"{warned} ; l'obligation de mission après le 1er CDPI doit être respectée "
            f"({rule})")
    if warned is None:
        assert "CDPI précédent" not in out
    else:
        assert out.endswith(line)


@pytest.mark.parametrize(("rule", "company", "message"), [
    ("R-CDPI-FUND", Company(10, True), "Financement AKTO impossible : l'agence doit compter"),
    ("R-FUND-NON-MEMBER", Company(11, False), "règles issues de l'ancien accord"),
    ("R-FUND-NON-MEMBER", Company(None, False), "règles issues de l'ancien accord"),
    ("R-CDPI-FUND", Company(10, False), "Financement AKTO impossible : l'agence doit compter"),
])
def test_r_fund_non_member_eleven_and_more_not_members_follow_the_old_agreement(
        rule: str, company: Company, message: str) -> None:
    """R-FUND-NON-MEMBER (003): « les entreprises de + de 11 salariés non adhérentes […] Peuvent
    conclure des CIPI ou CDPI établis selon les règles issues de l'ancien accord »."""
    alerts = [a for a in compute_timeline(facts(company=company), date(2026, 12, 1)).alerts
              if a.code == "funding_impossible"]
    assert [(a.rule, message in a.message) for a in alerts] == [(rule, True)]


@pytest.mark.parametrize(("rule", "code", "extra", "step"), [
    ("R-AFEST-OF", "organisme-externe-afest", {"afest": True}, "contract"),
    ("R-CDPI-CERTIFICATE", "attestation-competences", {}, "attendance"),
])
def test_source_lines_without_a_document_are_checklist_lines_that_block_nothing(
        rule: str, code: str, extra: dict[str, bool], step: str) -> None:
    """R-AFEST-OF (000: AFEST « organisée par un organisme de formation externe »),
    R-CDPI-CERTIFICATE (003: « en deux exemplaires originaux »): listed, not blocking."""
    accepted = (
        (EventKind.DRF_SUBMITTED, date(2026, 12, 1)), (EventKind.DRF_ACCORD, date(2026, 12, 2)),
        (EventKind.CONTRACT_SUBMITTED, date(2026, 12, 10)),
        (EventKind.FUNDING_GRANTED, date(2026, 12, 20)),
        (EventKind.ATTENDANCE_SUBMITTED, date(2027, 2, 25)))
    # The AFEST protocol itself is required (R-DOCS): received.
    timeline = compute_timeline(facts(events=accepted, documents={"protocole-afest": date(
        2026, 12, 10)}, **extra), date(2027, 3, 1))
    item = next(i for i in timeline.checklist if i.code == code)
    assert (item.rule, item.step, item.missing, item.blocks) == (rule, step, True, False)
    done = timeline.step(step)
    assert done is not None and done.status is Status.DONE


@pytest.mark.parametrize(("rule", "headcount", "says"), [
    ("R-SURCOUT-FUNDS", 49, "ou les fonds mutualisés des ETT (49 salariés, moins de 50)"),
    ("R-SURCOUT-FUNDS", 50, "pas les fonds mutualisés des ETT (50 salariés, 50 ou plus)"),
    ("R-SURCOUT-FUNDS", None, "seulement si l'agence a moins de 50 salariés (effectif non "
                              "renseigné)"),
])
def test_r_surcout_funds_mutualised_funds_only_under_fifty_employees(
        rule: str, headcount: int | None, says: str) -> None:
    """R-SURCOUT-FUNDS (001, 003) and R-FUND-HOLIDAYS (003) in `explain`'s funding notes."""
    f = facts(Kind.CIPI, hours=140, hourly_cost=Fraction(36), company=Company(headcount, True))
    lines = dict(explain(f, compute_timeline(f, date(2026, 12, 1))))
    assert says in lines["Financement du surcoût"] and rule in lines["Financement du surcoût"]
    assert "R-FUND-HOLIDAYS" in lines["Ponts et jours fériés"]
    assert "I-HOLIDAY-PAY-CIPI" in lines["Ponts et jours fériés"]


# Point 6: readings stated, each on the side that protects the agency's funding.

@pytest.mark.parametrize(("rule", "programme", "eligibility", "rate", "note"), [
    ("I-CIPI-PROGRAMME-RATE", Programme.LANGUE_COMPETENCES, None, 27, None),
    ("I-CIPI-PROGRAMME-RATE", Programme.MISSIONS_JEUNES, None, 27, None),
    ("I-CIPI-PROGRAMME-RATE", Programme.HOPE, None, 17, "HOPE n'est décrit que pour le CDPI"),
    ("I-CIPI-PROGRAMME-RATE", None, "obligation-emploi", 17, "programme « handicap » du CIPI"),
    ("R-CIPI-FUND", None, None, 17, None),
])
def test_i_cipi_programme_rate_27_euros_only_for_the_cipi_s_own_programmes(
        rule: str, programme: Programme | None, eligibility: str | None, rate: int,
        note: str | None) -> None:
    """I-CIPI-PROGRAMME-RATE: HOPE (003, CDPI) and 002's « handicap » never raise a CIPI's
    estimate to 27 €/h."""
    f = facts(Kind.CIPI, hours=140, programme=programme, eligibility=eligibility)
    funding = estimate(f)
    assert funding is not None and funding.rate == rate
    line = dict(explain(f, compute_timeline(f, date(2026, 12, 1))))["Forfait"]
    assert (note is not None and note in line and rule in line) or (
        note is None and "I-CIPI-PROGRAMME-RATE" not in line)


@pytest.mark.parametrize(("rule", "kind", "rules", "cited"), [
    ("I-DRF-SHIFT-CIPI", Kind.CIPI, AKTO_CURRENT, True),
    ("I-DRF-SHIFT-CIPI", Kind.CDPI, AKTO_CURRENT, False),
    ("I-DRF-SHIFT-CIPI", Kind.CIPI, AKTO_2021, False),
])
def test_i_drf_shift_cipi_explain_says_the_shift_rule_is_the_cdpi_page_s(
        rule: str, kind: Kind, rules: RuleSet, cited: bool) -> None:
    """I-DRF-SHIFT-CIPI: 003's 2 months applied to the CIPI (001 is silent; 002's 4 weeks went
    with its 4-week window)."""
    f = facts(kind, start=date(2027, 2, 2), end=date(2027, 3, 12), hours=140, rules=rules,
              events=((EventKind.DRF_SUBMITTED, date(2026, 11, 30)),
                      (EventKind.DRF_ACCORD, date(2026, 12, 1))))
    line = dict(explain(f, compute_timeline(f, date(2026, 12, 2))))["Décalage du démarrage"]
    assert (rule in line) is cited


@pytest.mark.parametrize(("rule", "kind", "rules", "cited"), [
    ("I-2021-CDPI", Kind.CDPI, AKTO_2021, True),
    ("I-2021-CDPI", Kind.CIPI, AKTO_2021, False),
    ("I-2021-CDPI", Kind.CDPI, AKTO_CURRENT, False),
])
def test_i_2021_cdpi_explain_says_the_2021_page_is_the_cipi_s(
        rule: str, kind: Kind, rules: RuleSet, cited: bool) -> None:
    """I-2021-CDPI: akto-2021 (002, the CIPI's page) applied to a CDPI, its delays being the
    shortest."""
    f = facts(kind, start=date(2022, 3, 7), end=date(2022, 4, 15), hours=140, rules=rules)
    line = dict(explain(f, compute_timeline(f, date(2022, 1, 3))))["Jeu de règles"]
    assert (rule in line) is cited


@pytest.mark.parametrize(("rule", "kind", "headcount", "boundary"), [
    ("I-MIN-HEADCOUNT", Kind.CIPI, 11, True),    # 001: « de + de 11 salariés »
    ("I-MIN-HEADCOUNT", Kind.CIPI, 12, False),
    ("I-MIN-HEADCOUNT", Kind.CDPI, 11, False),   # 003: « 11 salariés et plus »
])
def test_i_min_headcount_a_cipi_at_exactly_eleven_is_to_be_confirmed(
        rule: str, kind: Kind, headcount: int, boundary: bool) -> None:
    """I-MIN-HEADCOUNT: 001 and 003 disagree on 11; for the CIPI, whose sheet says « + de 11 »,
    11 exactly alerts (to confirm), on the side that protects the funding."""
    f = facts(kind, hours=140, company=Company(headcount, True))
    alerts = [a.code for a in compute_timeline(f, date(2026, 12, 1)).alerts]
    assert ("headcount_boundary" in alerts) is boundary
    assert "funding_impossible" not in alerts
    line = dict(explain(f, compute_timeline(f, date(2026, 12, 1))))["Agence"]
    assert rule in line and (("à confirmer" in line) is boundary)


def test_i_excuse_in_window_incident_says_when_it_does_not_count(network: Dossiers) -> None:
    """I-EXCUSE-IN-WINDOW: the issue's sick note of 01/03/2027 against 22/05–21/08/2027."""
    network.ok("open", "--kind", "cdpi", "--worker", "Karim B.", "--start", "2027-04-12",
               "--end", "2027-05-21", "--training-hours", "210", "--owner", "lea@example.fr",
               "--reference", "D-2")
    out = network.ok("incident", "D-2", "maladie", "--on", "2027-03-01", "--until",
                     "2027-03-15", "--document-on", "2027-03-02", "--as-of", "2027-03-02")
    assert ("⚠ Cet incident ne compte pas : il n'explique pas la délégation manquée pendant "
            "la fenêtre de mission du 22/05/2027 au 21/08/2027 (I-EXCUSE-IN-WINDOW ; voir "
            "explain)") in " ".join(out.split())
    inside = network.ok("incident", "D-2", "maladie", "--on", "2027-05-20", "--until",
                        "2027-06-15", "--document-on", "2027-05-21", "--as-of", "2027-05-21")
    assert "ne compte pas" not in inside and inside.endswith("Obligation de mission : justifié.\n")
