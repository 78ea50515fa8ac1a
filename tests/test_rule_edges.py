"""The edges agencies meet every week (tracker issue 11, points 1, 2, 3 and 6): the view of a
day, R-DRF-SHIFT both ways, each scheme's stakes, and the readings we chose (I-…)."""

from __future__ import annotations

import json
from datetime import date
from fractions import Fraction

import pytest

from dossiers import messages
from dossiers.deadlines.bounds import check_dossier
from dossiers.deadlines.engine import compute_timeline
from dossiers.deadlines.explain import explain
from dossiers.deadlines.facts import (
    DossierFacts, Event, EventKind, Incident, IncidentKind, Kind, Mission,
)
from dossiers.deadlines.funding import trial_days
from dossiers.deadlines.rulesets import AKTO_2021, AKTO_CURRENT, RuleSet
from dossiers.deadlines.timeline import Status
from dossiers.errors import InvalidInput
from dossiers.reports.rows import step_action, step_stake
from tests.conftest import Dossiers


def facts(kind: Kind = Kind.CDPI, start: date = date(2027, 1, 11),
          end: date = date(2027, 2, 19), hours: int = 210, rules: RuleSet = AKTO_CURRENT,
          events: list[tuple[EventKind, date]] | None = None,
          **extra) -> DossierFacts:  # type: ignore[no-untyped-def]
    return DossierFacts(kind=kind, training_start=start, training_end=end,
                        training_hours=Fraction(hours), rules=rules,
                        events=tuple(Event(k, on) for k, on in events or []), **extra)


ACCEPTED = [(EventKind.DRF_SUBMITTED, date(2026, 11, 30)), (EventKind.DRF_ACCORD, date(2026, 12, 1))]


# Point 1: I-AS-OF-KNOWS-PAST.

def test_i_vue_du_jour_a_drf_dated_after_the_day_is_not_done_on_that_day() -> None:
    """I-AS-OF-KNOWS-PAST, R-DRF-WINDOW: on 2026-11-25 a DRF dated 2026-12-01 does not exist."""
    f = facts(events=[(EventKind.DRF_SUBMITTED, date(2026, 12, 1))])
    before = compute_timeline(f, date(2026, 11, 25))
    drf = before.step("drf")
    assert drf is not None and (drf.status, drf.done_on) == (Status.OPEN, None)
    assert before.step("akto_response") is None
    on_the_day = compute_timeline(f, date(2026, 12, 1)).step("drf")
    assert on_the_day is not None and on_the_day.status is Status.DONE


def test_i_vue_du_jour_cuts_missions_incidents_and_documents_at_the_day() -> None:
    """I-AS-OF-KNOWS-PAST: a mission begun after the day, an incident after it, a proof received
    after it, a document received after it do not exist yet."""
    f = facts(missions=(Mission(date(2027, 3, 1), date(2027, 3, 12), Fraction(70)),),
              incidents=(Incident(IncidentKind.ILLNESS, date(2027, 3, 2), date(2027, 3, 9)),),
              documents={"facture-of": date(2027, 3, 5)})
    cut = f.as_of(date(2027, 3, 4))
    assert cut.missions == f.missions
    assert cut.incidents == (Incident(IncidentKind.ILLNESS, date(2027, 3, 2), None),)
    assert cut.documents == {}
    assert f.as_of(date(2027, 2, 28)).missions == () and f.as_of(date(2027, 3, 1)).incidents == ()
    assert f.as_of(date(2027, 3, 12)) is f


# Point 2: R-DRF-SHIFT both ways.

@pytest.mark.parametrize(("rules", "keeps", "redo"), [
    (AKTO_CURRENT, date(2027, 2, 1), date(2027, 2, 2)),
    (AKTO_2021, date(2026, 12, 29), date(2026, 12, 30)),
])
def test_r_drf_shift_worked_example_keeps_the_drf_up_to_the_limit_and_asks_a_new_one_after(
    rules: RuleSet, keeps: date, redo: date
) -> None:
    """R-DRF-SHIFT: accord 2026-12-01; start 2027-02-01 keeps the DRF, 2027-02-02 needs a new
    one (2 months); under akto-2021, 4 weeks: 2026-12-29 keeps it, 2026-12-30 does not."""
    day = date(2026, 12, 2)
    kept = compute_timeline(facts(start=keeps, end=date(2027, 3, 12), rules=rules,
                                  events=ACCEPTED), day)
    drf = kept.step("drf")
    assert drf is not None and (drf.status, drf.done_on) == (Status.DONE, date(2026, 11, 30))
    assert kept.step("drf_redo") is None and kept.drf_redo_required is False
    assert not {"drf_redo", "drf_too_early"} & {a.code for a in kept.alerts}
    moved = compute_timeline(facts(start=redo, end=date(2027, 3, 12), rules=rules,
                                   events=ACCEPTED), day)
    new = moved.step("drf_redo")
    assert new is not None and new.rule == "R-DRF-SHIFT" and new.done_on is None
    assert new.due == rules.drf_due_before_start.value.before(redo, "metropole")
    assert new.opens == rules.drf_opens_before_start.value.before(redo, "metropole")
    assert [a.rule for a in moved.alerts if a.code == "drf_redo"] == ["R-DRF-SHIFT"]
    contract = moved.step("contract")
    assert contract is not None and contract.due == rules.contract_within.value.after(
        date(2026, 12, 1), "metropole")


def test_r_drf_shift_an_accepted_drf_missing_a_document_is_still_not_done() -> None:
    """R-DRF-SHIFT with R-DOCS (I-DOCS-BLOCK-STEP): the accord decides the window, not the
    documents: a Langue et Compétences DRF without its « Référence projet » is not done."""
    from dossiers.deadlines.facts import Programme

    f = facts(events=ACCEPTED, programme=Programme.LANGUE_COMPETENCES)
    timeline = compute_timeline(f, date(2026, 12, 2))
    drf = timeline.step("drf")
    assert drf is not None and drf.done_on is None and drf.status is not Status.DONE
    assert "missing_documents" in {a.code for a in timeline.alerts}
    with_reference = facts(events=ACCEPTED, programme=Programme.LANGUE_COMPETENCES,
                           documents={"reference-langue-competences": date(2026, 11, 30)})
    accepted = compute_timeline(with_reference, date(2026, 12, 2)).step("drf")
    assert accepted is not None and accepted.status is Status.DONE


def test_r_drf_shift_issue_case_a_start_moved_within_two_months_keeps_the_drf_done() -> None:
    """R-DRF-SHIFT (I-DRF-SHIFT-DECIDES): CDPI 11/01/2027, DRF 20/11/2026, accord 23/11/2026, start
    moved to 22/01/2027: no « à redéposer », no « trop tôt », the DRF stays done."""
    events = [(EventKind.DRF_SUBMITTED, date(2026, 11, 20)),
              (EventKind.DRF_ACCORD, date(2026, 11, 23))]
    timeline = compute_timeline(facts(start=date(2027, 1, 22), end=date(2027, 3, 5),
                                      events=events), date(2026, 11, 24))
    drf = timeline.step("drf")
    assert drf is not None and drf.status is Status.DONE
    assert timeline.alerts == ()
    assert timeline.step("drf_redo") is None


def test_r_drf_shift_the_redo_drf_moves_through_its_window_then_the_new_accord_drives_the_rest(
) -> None:
    """R-DRF-SHIFT, R-DRF-ANSWER, R-CONTRACT: the new DRF has the window of the new start; once
    deposited, the new answer and the new accord's 61 days follow."""
    start = date(2027, 4, 12)  # accord 2026-12-01 + 2 months = 2027-02-01 < start
    f = facts(start=start, end=date(2027, 5, 21), events=ACCEPTED)
    statuses = {day: compute_timeline(f, day).step("drf_redo").status  # type: ignore[union-attr]
                for day in (date(2027, 2, 11), date(2027, 2, 12), date(2027, 4, 8),
                            date(2027, 4, 9))}
    assert statuses == {date(2027, 2, 11): Status.NOT_YET_OPEN, date(2027, 2, 12): Status.OPEN,
                        date(2027, 4, 8): Status.DUE_SOON, date(2027, 4, 9): Status.OVERDUE}
    redone = facts(start=start, end=date(2027, 5, 21), events=[
        *ACCEPTED, (EventKind.DRF_SUBMITTED, date(2027, 2, 15)),
        (EventKind.DRF_ACCORD, date(2027, 2, 17))])
    timeline = compute_timeline(redone, date(2027, 2, 18))
    assert [s.code for s in timeline.steps] == [
        "drf", "drf_redo", "akto_response", "contract", "mission_obligation"]
    redo, answer, contract = (timeline.step(c) for c in ("drf_redo", "akto_response", "contract"))
    assert redo is not None and (redo.status, redo.done_on) == (Status.DONE, date(2027, 2, 15))
    assert answer is not None and (answer.opens, answer.done_on) == (
        date(2027, 2, 15), date(2027, 2, 17))
    assert contract is not None and (contract.opens, contract.due) == (
        date(2027, 2, 17), date(2027, 4, 19))
    assert timeline.alerts == ()


def test_r_drf_window_a_drf_filed_too_early_says_when_to_file_again_not_to_chase_akto() -> None:
    """R-DRF-WINDOW (I-DRF-TOO-EARLY): window opens 2026-11-11; a DRF of 2026-11-10 does not
    count, and AKTO is not to be chased; one of 2026-11-11 does."""
    early = facts(events=[(EventKind.DRF_SUBMITTED, date(2026, 11, 10))])
    timeline = compute_timeline(early, date(2026, 11, 20))
    drf = timeline.step("drf")
    assert drf is not None and drf.status is Status.DONE_TOO_EARLY
    assert not drf.status.is_finished
    assert timeline.step("akto_response") is None
    assert [a.message for a in timeline.alerts] == [
        "DRF déposée le 10/11/2026, avant l'ouverture de sa fenêtre (11/11/2026) : elle ne "
        "compte pas ; la redéposer dès maintenant, au plus tard le 07/01/2027"]
    assert all("relancer" not in a.message for a in timeline.alerts)
    past_due = compute_timeline(early, date(2027, 1, 8)).step("drf")
    assert past_due is not None and past_due.status is Status.OVERDUE
    in_time = compute_timeline(facts(events=[(EventKind.DRF_SUBMITTED, date(2026, 11, 11))]),
                               date(2026, 11, 20))
    assert in_time.step("drf").status is Status.DONE  # type: ignore[union-attr]
    assert "drf_too_early" not in {a.code for a in in_time.alerts}


# Point 3: each scheme's own stakes (I-MISSION-STAKE-PER-KIND).

def missed(kind: Kind, rules: RuleSet = AKTO_CURRENT):  # type: ignore[no-untyped-def]
    end = date(2027, 2, 19)
    f = facts(kind=kind, hours=140, end=end, rules=rules)
    return compute_timeline(f, date(2027, 8, 1))


@pytest.mark.parametrize("rules", [AKTO_CURRENT, AKTO_2021], ids=lambda r: r.name)
@pytest.mark.parametrize(("kind", "code", "rule", "stake", "action"), [
    (Kind.CDPI, "flat_rate_lost", "R-CDPI-EXCUSE", "forfait non versé",
     "Justifier le manque d'heures"),
    (Kind.CIPI, "mission_missed", "R-CIPI-MISSION", "engagement de délégation non tenu",
     "Justifier le manque d'heures auprès d'AKTO"),
    (Kind.CAR, "mission_missed", "R-CAR-MISSION",
     "obligation du CAR non tenue (enjeu non chiffré par les sources)",
     "Voir avec le pôle reconversion du FPETT"),
])
def test_r_car_mission_r_cipi_mission_r_cdpi_excuse_a_missed_obligation_says_the_schemes_stake(
    rules: RuleSet, kind: Kind, code: str, rule: str, stake: str, action: str
) -> None:
    """R-CDPI-EXCUSE is the CDPI's; a CAR has no flat rate (000): R-CAR-MISSION, the pôle
    reconversion; a CIPI's commitment is R-CIPI-MISSION."""
    timeline = missed(kind, rules)
    alerts = [(a.code, a.rule) for a in timeline.alerts]
    assert alerts == [(code, rule)]
    step = timeline.step("mission_obligation")
    assert step is not None and step.status is Status.OVERDUE
    assert (step_stake(kind.value, step), step_action(kind.value, step)) == (stake, action)
    if kind is not Kind.CDPI:
        assert "forfait non versé" not in timeline.alerts[0].message
        assert "R-CDPI-EXCUSE" not in {a.rule for a in timeline.alerts}


@pytest.mark.parametrize("kind", list(Kind))
def test_every_stake_and_action_of_a_scheme_names_only_its_own_steps(kind: Kind) -> None:
    """R-CAR-REQUEST, R-DRF-WINDOW: a CAR has no DRF stake, a CIPI/CDPI no CAR request."""
    stakes = messages.STEP_STAKES[kind.value]
    if kind is Kind.CAR:
        assert set(stakes) == {"car_request", "mission_obligation"}
        assert all("forfait non versé" not in text for text in stakes.values())
    else:
        assert "car_request" not in stakes and stakes["drf"] == "financement non réservé"
    assert set(messages.ALERT_INCIDENT_UNPROVEN) == set(messages.MISSION_MISSED_ACTIONS) == {
        k.value for k in Kind}


def test_r_car_mission_an_unproven_car_incident_does_not_threaten_a_flat_rate() -> None:
    """R-CAR-MISSION: the CAR's incident alert cites its own rule and no flat rate."""
    f = facts(kind=Kind.CAR, incidents=(Incident(IncidentKind.REFUSAL, date(2027, 3, 1)),))
    alert = next(a for a in compute_timeline(f, date(2027, 3, 2)).alerts
                 if a.code == "incident_unproven")
    assert alert.rule == "R-CAR-MISSION" and "forfait" not in alert.message


@pytest.mark.parametrize(("rules", "delay"), [(AKTO_CURRENT, "61 jours"), (AKTO_2021, "30 jours")])
def test_r_contract_the_checklist_gives_the_contract_delay_of_the_rule_set(
    rules: RuleSet, delay: str
) -> None:
    """R-CONTRACT: 61 days now, 30 under akto-2021."""
    timeline = compute_timeline(facts(rules=rules), date(2026, 11, 22))
    whens = {item.when for item in timeline.checklist if item.step == "contract"}
    assert whens == {f"sous {delay} après l'accord"}


# Point 6: the readings we chose, at their boundaries.

@pytest.mark.parametrize(("kind", "start", "last_day", "hours"), [
    (Kind.CIPI, date(2026, 5, 26), date(2026, 11, 25), 140),   # R-CIPI-HOURS, 6 mois
    (Kind.CDPI, date(2027, 1, 11), date(2028, 1, 10), 210),    # R-CDPI-HOURS, 12 mois
    (Kind.CAR, date(2026, 11, 30), date(2027, 8, 29), 600),    # R-CAR-HOURS, 9 mois
])
def test_r_cal_3_a_duree_counts_its_first_day_and_ends_the_day_before_the_same_date(
    kind: Kind, start: date, last_day: date, hours: int
) -> None:
    """R-CAL-3, I-MONTHS-TWO-READINGS (R-CIPI-HOURS, R-CDPI-HOURS, R-CAR-HOURS): the last day
    accepted, the next refused."""
    check_dossier(kind, start, last_day, Fraction(hours), AKTO_CURRENT)
    with pytest.raises(InvalidInput):
        check_dossier(kind, start, date.fromordinal(last_day.toordinal() + 1), Fraction(hours),
                      AKTO_CURRENT)


@pytest.mark.parametrize(("end", "days"), [
    (date(2027, 2, 10), 2), (date(2027, 2, 11), 3),
    (date(2027, 3, 10), 3), (date(2027, 3, 11), 5),
])
def test_r_cal_3_r_cdpi_trial_period_at_one_and_two_months(end: date, days: int) -> None:
    """R-CDPI-TRIAL (R-CAL-3, I-MONTHS-TWO-READINGS): start 2027-01-11; « 1 mois » counting its
    first day ends on 2027-02-10."""
    assert trial_days(facts(end=end)) == days


def test_i_cipi_mission_avant_a_mission_before_the_cipi_start_does_not_count_and_says_so() -> None:
    """R-CIPI-MISSION (I-CIPI-MISSION-BEFORE-START): the period runs from the training start; a
    mission begun the day before does not count, one begun that day does."""
    start = date(2027, 1, 11)
    f = facts(kind=Kind.CIPI, start=start, end=date(2027, 2, 26), hours=140, missions=(
        Mission(date(2027, 1, 10), date(2027, 1, 20), Fraction(35)),
        Mission(start, date(2027, 1, 22), Fraction(35)),
    ))
    step = compute_timeline(f, date(2027, 3, 1)).step("mission_obligation")
    assert step is not None and step.progress is not None
    assert [(m.counted, m.reason) for m in step.progress.missions] == [
        (False, "commence avant le démarrage du CIPI (11/01/2027) : hors de sa période de "
                "réalisation"),
        (True, None),
    ]
    assert step.progress.hours_done == 35


def test_explain_shows_each_interpretation_it_applies() -> None:
    """I-DRF-SHIFT-DECIDES, I-MONTHS-TWO-READINGS, I-MISSION-STAKE-PER-KIND,
    I-AS-OF-KNOWS-PAST, I-CIPI-MISSION-BEFORE-START are cited by `explain` (docs/rules.md
    defines them)."""
    cdpi = facts(start=date(2027, 2, 2), end=date(2027, 3, 12), events=ACCEPTED)
    text = "\n".join(t for _, t in explain(cdpi, compute_timeline(cdpi, date(2026, 12, 2))))
    for code in ("I-DRF-SHIFT-DECIDES", "I-MONTHS-TWO-READINGS", "I-MISSION-STAKE-PER-KIND",
                 "I-AS-OF-KNOWS-PAST"):
        assert code in text, code
    cipi = facts(kind=Kind.CIPI, end=date(2027, 2, 26), hours=140)
    text = "\n".join(t for _, t in explain(cipi, compute_timeline(cipi, date(2026, 12, 2))))
    assert "I-CIPI-MISSION-BEFORE-START" in text
    early = facts(events=[(EventKind.DRF_SUBMITTED, date(2026, 11, 10))])
    text = "\n".join(t for _, t in explain(early, compute_timeline(early, date(2026, 11, 20))))
    assert "à redéposer entre le 11/11/2026 et le 07/01/2027 (interprétation I-DRF-TOO-EARLY)" in text


# Through the command: show, list --json, reports, digests and explain agree.

OPEN_CDPI = ["open", "--kind", "cdpi", "--worker", "Karim B.", "--start", "2027-01-11",
             "--end", "2027-02-19", "--training-hours", "210", "--owner", "lea@example.fr",
             "--reference", "CDPI-1"]


def steps_of(data: dict) -> dict[str, dict]:  # type: ignore[type-arg]
    return {s["code"]: s for s in data["steps"]}


def test_i_vue_du_jour_show_list_explain_doc_and_reports_ignore_what_is_dated_later(
    network: Dossiers
) -> None:
    """I-AS-OF-KNOWS-PAST (R-DRF-WINDOW): `show --as-of 2026-11-25` does not call « fait » a DRF
    dated 2026-12-01, and neither do list, report, explain and doc."""
    network.ok(*OPEN_CDPI)
    network.ok("record", "CDPI-1", "drf-submitted", "--on", "2026-12-01")
    day = ["--as-of", "2026-11-25"]
    shown = json.loads(network.ok("show", "CDPI-1", "--json", *day))
    listed = json.loads(network.ok("list", "--json", *day))[0]
    assert steps_of(shown)["drf"]["status"] == steps_of(listed)["drf"]["status"] == "open"
    assert steps_of(shown)["drf"]["done_on"] is None and "akto_response" not in steps_of(shown)
    assert "fait" not in network.ok("show", "CDPI-1", *day).split("Règle")[1].split("\n")[2]
    upcoming = network.ok("report", "upcoming", "--within", "60", "--format", "json", *day)
    assert [row["step"] for row in json.loads(upcoming)] == ["drf"]
    assert "déposée" not in network.ok("explain", "CDPI-1", *day)
    later = json.loads(network.ok("show", "CDPI-1", "--json", "--as-of", "2026-12-01"))
    assert steps_of(later)["drf"]["status"] == "done"


def test_i_vue_du_jour_doc_lists_a_document_received_later_as_still_to_receive(
    network: Dossiers
) -> None:
    """I-AS-OF-KNOWS-PAST (R-CAR-ELIG): the pôle's opinion received on 2026-12-01 is « à recevoir »
    on 2026-11-30."""
    network.ok("open", "--kind", "car", "--worker", "Paul R.", "--start", "2027-01-11",
               "--end", "2027-06-30", "--training-hours", "400", "--owner", "lea@example.fr",
               "--reference", "CAR-1")
    network.ok("doc", "CAR-1", "avis-pole-reconversion", "--on", "2026-12-01")
    assert "à recevoir" in network.ok("doc", "CAR-1", "--as-of", "2026-11-30")
    assert "reçue le 01/12/2026" in network.ok("doc", "CAR-1", "--as-of", "2026-12-01")


def test_r_drf_shift_issue_case_through_update_show_and_list(
    network: Dossiers, monkeypatch: pytest.MonkeyPatch
) -> None:
    """R-DRF-SHIFT: DRF 20/11/2026, accord 23/11/2026, `update --start 2027-01-22` says no
    « à redéposer » and the DRF stays done; `--start 2027-01-24` (> accord + 2 months) makes
    the new DRF a step in show, list, report upcoming, the digest and explain."""
    monkeypatch.setenv("COLUMNS", "200")  # whole sentences, unwrapped
    network.ok(*OPEN_CDPI)
    network.ok("record", "CDPI-1", "drf-submitted", "--on", "2026-11-20", "--as-of", "2026-11-20")
    network.ok("record", "CDPI-1", "drf-accord", "--on", "2026-11-23", "--as-of", "2026-11-23")
    day = ["--as-of", "2026-11-24"]
    out = network.ok("update", "CDPI-1", "--start", "2027-01-22", "--end", "2027-03-05", *day)
    assert "redéposer" not in out and "trop tôt" not in out and "à refaire" not in out
    shown = json.loads(network.ok("show", "CDPI-1", "--json", *day))
    assert steps_of(shown)["drf"]["status"] == "done" and shown["alerts"] == []
    assert "drf_redo" not in steps_of(shown)

    network.ok("update", "CDPI-1", "--start", "2027-01-24", *day)
    shown = json.loads(network.ok("show", "CDPI-1", "--json", *day))
    listed = json.loads(network.ok("list", "--json", *day))[0]
    for data in (shown, listed):
        redo = steps_of(data)["drf_redo"]
        assert (redo["opens"], redo["due"], redo["status"], redo["rule"]) == (
            "2026-11-24", "2027-01-21", "open", "R-DRF-SHIFT")
        assert steps_of(data)["drf"]["status"] == "done"
        assert [a["code"] for a in data["alerts"]] == ["drf_redo"]
    rows = json.loads(network.ok("report", "upcoming", "--within", "60", "--format", "json",
                                 *day))
    assert [(r["step"], r["action"]) for r in rows if r["reference"] == "CDPI-1"][0] == (
        "drf_redo", "Déposer une nouvelle DRF")
    overdue = json.loads(network.ok("report", "overdue", "--format", "json", "--as-of",
                                    "2027-01-22"))
    assert ("drf_redo", "R-DRF-SHIFT") in {(r["step"], r["rule"]) for r in overdue}
    monkeypatch.setenv("DOSSIERS_MAIL_FROM", "suivi@example.fr")
    digest = network.ok("remind", "--dry-run", "--as-of", "2027-01-14")
    assert "Nouvelle DRF (démarrage décalé) : échéance dans 7 jours" in digest
    assert "nouvelle DRF à déposer" in network.ok("explain", "CDPI-1", *day)

    network.ok("record", "CDPI-1", "drf-submitted", "--on", "2026-12-01", "--as-of", "2026-12-01")
    network.ok("record", "CDPI-1", "drf-accord", "--on", "2026-12-03", "--as-of", "2026-12-03")
    after = json.loads(network.ok("show", "CDPI-1", "--json", "--as-of", "2026-12-03"))
    steps = steps_of(after)
    assert steps["drf_redo"]["status"] == "done" and steps["drf_redo"]["done_on"] == "2026-12-01"
    assert (steps["contract"]["opens"], steps["contract"]["due"]) == ("2026-12-03", "2027-02-02")
    assert steps["akto_response"]["done_on"] == "2026-12-03" and after["alerts"] == []


def test_i_vue_du_jour_a_snooze_asked_for_later_does_not_silence_an_earlier_day(
    network: Dossiers, monkeypatch: pytest.MonkeyPatch
) -> None:
    """I-AS-OF-KNOWS-PAST (R-DRF-WINDOW): a snooze made on 2027-01-08 silences the DRF from that day,
    not in the digest of 2027-01-07, its due date."""
    monkeypatch.setenv("DOSSIERS_MAIL_FROM", "suivi@example.fr")
    network.ok(*OPEN_CDPI)
    network.ok("snooze", "CDPI-1", "drf", "--until", "2027-01-10", "--as-of", "2027-01-08")
    assert "Demande de réservation de financement (DRF)" in network.ok(
        "remind", "--dry-run", "--as-of", "2027-01-07")
    assert "Demande de réservation de financement (DRF)" not in network.ok(
        "remind", "--dry-run", "--as-of", "2027-01-08")


@pytest.mark.parametrize("later", [0, 20, 75])
def test_i_vue_du_jour_show_list_and_reports_agree_on_the_sample_network_on_any_day(
    dossiers: Dossiers, later: int
) -> None:
    """R-DRF-SHIFT, R-DRF-WINDOW, R-CONTRACT…: for every dossier of the sample (a redo DRF
    included), `show --json` and `list --json` give the same steps and alerts on a day, and the
    overdue and upcoming reports are the overdue and soon-due steps of that list."""
    dossiers.ok("sample", "--as-of", "2026-11-22")
    day = date.fromordinal(date(2026, 11, 22).toordinal() + later).isoformat()
    listed = json.loads(dossiers.ok("list", "--json", "--as-of", day))
    assert any("drf_redo" in steps_of(d) for d in listed) or later == 75
    for data in listed:
        shown = json.loads(dossiers.ok("show", data["reference"], "--json", "--as-of", day))
        assert [{k: s[k] for k in listed_step} for s, listed_step in zip(
            shown["steps"], data["steps"], strict=True)] == data["steps"]
        assert shown["alerts"] == data["alerts"]
    overdue = json.loads(dossiers.ok("report", "overdue", "--format", "json", "--as-of", day))
    assert sorted((r["reference"], r["step"]) for r in overdue) == sorted(
        (d["reference"], s["code"]) for d in listed for s in d["steps"]
        if s["status"] == "overdue")
    upcoming = json.loads(dossiers.ok("report", "upcoming", "--within", "14", "--format", "json",
                                      "--as-of", day))
    assert sorted((r["reference"], r["step"]) for r in upcoming) == sorted(
        (d["reference"], s["code"]) for d in listed for s in d["steps"]
        if s["status"] in ("open", "due_soon", "done_too_early") and s["due"] is not None
        and 0 <= s["days_left"] <= 14)
