"""The deadline engine against docs/rules.md: every worked example, each status, each alert."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from dossiers.deadlines.engine import compute_timeline, drf_redo_required
from dossiers.deadlines.facts import DossierFacts, Event, EventKind, Kind, Mission, Programme
from dossiers.deadlines.rulesets import AKTO_2021, AKTO_CURRENT, RULE_SETS
from dossiers.deadlines.timeline import Status

AS_OF = date(2026, 11, 22)


def facts(kind: Kind = Kind.CDPI, start: date = date(2027, 1, 11), end: date = date(2027, 2, 19),
          hours: int = 210, zone: str = "metropole",
          events: dict[EventKind, date] | list[tuple[EventKind, date]] | None = None,
          missions: tuple[Mission, ...] = (), **extra) -> DossierFacts:  # type: ignore[no-untyped-def]
    pairs = list(events.items()) if isinstance(events, dict) else list(events or [])
    return DossierFacts(
        kind=kind, training_start=start, training_end=end, training_hours=Fraction(hours),
        zone=zone, events=tuple(Event(k, on) for k, on in pairs), missions=missions, **extra,
    )


def step(f: DossierFacts, code: str, as_of: date = AS_OF):  # type: ignore[no-untyped-def]
    found = compute_timeline(f, as_of).step(code)
    assert found is not None, f"no step {code}"
    return found


# Worked examples of docs/rules.md, one row each.

def test_worked_example_cdpi_starting_monday_11_january_2027() -> None:
    """R-DRF-WINDOW, R-CDPI-MISSION: DRF opens 2026-11-11, due Thu 2027-01-07; mission ≥ 70 h
    from 2027-02-20 to 2027-05-19."""
    f = facts()
    drf = step(f, "drf")
    assert (drf.opens, drf.due, drf.rule) == (date(2026, 11, 11), date(2027, 1, 7), "R-DRF-WINDOW")
    mission = step(f, "mission_obligation")
    assert (mission.opens, mission.due) == (date(2027, 2, 20), date(2027, 5, 19))
    assert mission.progress is not None
    assert mission.progress.hours_required == 70
    assert mission.rule == "R-CDPI-MISSION"


def test_worked_example_cipi_starting_tuesday_26_may_2026() -> None:
    """R-DRF-WINDOW, R-CAL-2: DRF due Thu 2026-05-21 (Pentecost Monday); R-CIPI-MISSION: 70 h by
    2026-11-25 (a durée of 6 months counting its first day, R-CAL-3)."""
    f = facts(kind=Kind.CIPI, start=date(2026, 5, 26), end=date(2026, 7, 3), hours=140)
    assert step(f, "drf").due == date(2026, 5, 21)
    mission = step(f, "mission_obligation")
    assert (mission.opens, mission.due, mission.rule) == (
        date(2026, 5, 26), date(2026, 11, 25), "R-CIPI-MISSION")
    assert mission.progress is not None and mission.progress.hours_required == 70


@pytest.mark.parametrize(("zone", "due"), [
    ("metropole", date(2026, 4, 2)),
    ("alsace-moselle", date(2026, 4, 1)),  # Good Friday 3 April
])
def test_worked_example_cdpi_starting_tuesday_7_april_2026(zone: str, due: date) -> None:
    """R-DRF-WINDOW, R-CAL-2; R-CDPI-MISSION: 140 h → 46 h 40 min, the exact third."""
    f = facts(start=date(2026, 4, 7), end=date(2026, 5, 15), hours=140, zone=zone)
    assert step(f, "drf").due == due
    assert compute_timeline(f, AS_OF).mission_hours_required == Fraction(140, 3)


def test_worked_example_drf_submitted_on_christmas_eve() -> None:
    """R-DRF-ANSWER: DRF submitted Thu 2026-12-24 → AKTO answer expected Tue 2026-12-29."""
    f = facts(events={EventKind.DRF_SUBMITTED: date(2026, 12, 24)})
    answer = step(f, "akto_response", as_of=date(2026, 12, 24))
    assert (answer.opens, answer.due, answer.rule) == (
        date(2026, 12, 24), date(2026, 12, 29), "R-DRF-ANSWER")
    assert answer.status is Status.WAITING_AKTO


@pytest.mark.parametrize(("start", "redo"), [
    (date(2027, 2, 1), False),
    (date(2027, 2, 2), True),
])
def test_worked_example_accord_on_1_december_2026(start: date, redo: bool) -> None:
    """R-CONTRACT: contract due 2027-01-31; R-DRF-SHIFT: a start on 2027-02-01 keeps the DRF,
    2027-02-02 needs a new one."""
    f = facts(start=start, end=date(2027, 3, 12), events={
        EventKind.DRF_SUBMITTED: date(2026, 11, 30), EventKind.DRF_ACCORD: date(2026, 12, 1)})
    contract = step(f, "contract", date(2026, 12, 2))
    assert (contract.opens, contract.due, contract.rule) == (
        date(2026, 12, 1), date(2027, 1, 31), "R-CONTRACT")
    timeline = compute_timeline(f, date(2026, 12, 2))
    assert timeline.drf_redo_required is redo
    assert [a.rule for a in timeline.alerts if a.code == "drf_redo"] == (
        ["R-DRF-SHIFT"] if redo else [])


def test_worked_example_cdpi_ending_30_november_2027() -> None:
    """R-CDPI-MISSION, R-CAL-3: the mission window ends 2028-02-29."""
    f = facts(start=date(2027, 10, 4), end=date(2027, 11, 30))
    assert step(f, "mission_obligation").due == date(2028, 2, 29)


# Statuses: windows, not only due dates (R-DRF-WINDOW, R-CAL-4).

@pytest.mark.parametrize(("as_of", "status", "days_left"), [
    (date(2026, 11, 10), Status.NOT_YET_OPEN, 58),
    (date(2026, 11, 11), Status.OPEN, 57),
    (date(2026, 12, 31), Status.DUE_SOON, 7),
    (date(2027, 1, 7), Status.DUE_SOON, 0),
    (date(2027, 1, 8), Status.OVERDUE, -1),
])
def test_an_unsubmitted_drf_moves_through_its_window(
    as_of: date, status: Status, days_left: int
) -> None:
    """R-DRF-WINDOW, R-CAL-4: due dates are inclusive."""
    drf = step(facts(), "drf", as_of)
    assert (drf.status, drf.days_left) == (status, days_left)


@pytest.mark.parametrize(("submitted", "status"), [
    (date(2026, 11, 10), Status.DONE_TOO_EARLY),
    (date(2026, 11, 11), Status.DONE),
    (date(2027, 1, 7), Status.DONE),
    (date(2027, 1, 8), Status.DONE_LATE),
])
def test_a_drf_is_flagged_both_too_early_and_too_late(submitted: date, status: Status) -> None:
    """R-DRF-WINDOW: « au plus tôt 2 mois et au plus tard 48 heures avant le démarrage »."""
    f = facts(events={EventKind.DRF_SUBMITTED: submitted})
    day = max(submitted, date(2027, 1, 7))
    drf = step(f, "drf", day)
    assert (drf.status, drf.done_on) == (status, submitted)
    too_early = [a for a in compute_timeline(f, day).alerts if a.code == "drf_too_early"]
    assert bool(too_early) is (status is Status.DONE_TOO_EARLY)


def test_a_late_akto_answer_is_akto_late_and_suggests_a_follow_up() -> None:
    """R-DRF-ANSWER: late means AKTO is late; the tracker suggests a relance."""
    f = facts(events={EventKind.DRF_SUBMITTED: date(2026, 12, 24)})
    timeline = compute_timeline(f, date(2026, 12, 30))
    answer = timeline.step("akto_response")
    assert answer is not None and answer.status is Status.AKTO_LATE
    assert [(a.code, a.rule) for a in timeline.alerts] == [("akto_late", "R-DRF-ANSWER")]
    assert "relancer" in timeline.alerts[0].message
    assert timeline.overdue == ()


def test_steps_that_do_not_apply_yet_are_not_listed() -> None:
    """R-DRF-ANSWER needs a DRF, R-CONTRACT an accord, R-ATTEND funding granted."""
    assert [s.code for s in compute_timeline(facts(), AS_OF).steps] == ["drf", "mission_obligation"]
    full = facts(events={
        EventKind.DRF_SUBMITTED: date(2026, 11, 20), EventKind.DRF_ACCORD: date(2026, 11, 23),
        EventKind.FUNDING_GRANTED: date(2026, 12, 15),
    })
    assert [s.code for s in compute_timeline(full, date(2026, 12, 15)).steps] == [
        "drf", "akto_response", "contract", "mission_obligation", "attendance"]


def test_a_contract_sent_after_61_days_is_done_late() -> None:
    """R-CONTRACT: « dans les 61 jours calendaires suivant l'accord DRF »."""
    events = {EventKind.DRF_SUBMITTED: date(2026, 11, 30), EventKind.DRF_ACCORD: date(2026, 12, 1)}
    on_time = facts(start=date(2027, 1, 25), end=date(2027, 3, 5),
                    events={**events, EventKind.CONTRACT_SUBMITTED: date(2027, 1, 31)})
    late = facts(start=date(2027, 1, 25), end=date(2027, 3, 5),
                 events={**events, EventKind.CONTRACT_SUBMITTED: date(2027, 2, 1)})
    assert step(on_time, "contract", date(2027, 2, 1)).status is Status.DONE
    assert step(late, "contract", date(2027, 2, 1)).status is Status.DONE_LATE
    assert step(facts(start=date(2027, 1, 25), end=date(2027, 3, 5), events=events), "contract",
                date(2027, 2, 1)).status is Status.OVERDUE


def test_a_redone_drf_makes_the_old_accord_void_until_akto_answers_again() -> None:
    """R-DRF-SHIFT: after a new DRF, the contract waits for the new accord."""
    f = facts(start=date(2027, 4, 12), end=date(2027, 5, 21), events=[
        (EventKind.DRF_SUBMITTED, date(2026, 11, 30)),
        (EventKind.DRF_ACCORD, date(2026, 12, 1)),
        (EventKind.DRF_SUBMITTED, date(2027, 2, 15)),
    ])
    timeline = compute_timeline(f, date(2027, 2, 16))
    assert drf_redo_required(f) is None
    assert [s.code for s in timeline.steps] == ["drf", "drf_redo", "akto_response",
                                                "mission_obligation"]
    drf = timeline.step("drf")
    assert drf is not None and (drf.status, drf.done_on) == (Status.DONE, date(2026, 11, 30))
    redo = timeline.step("drf_redo")
    assert redo is not None and (redo.status, redo.done_on) == (Status.DONE, date(2027, 2, 15))


def test_a_refused_drf_raises_an_alert() -> None:
    """R-DRF-ANSWER: AKTO answered with a refusal."""
    f = facts(events={EventKind.DRF_SUBMITTED: date(2026, 11, 20),
                      EventKind.DRF_REFUSAL: date(2026, 11, 23)})
    timeline = compute_timeline(f, date(2026, 11, 23))
    assert [a.code for a in timeline.alerts] == ["drf_refused"]
    assert timeline.step("contract") is None


def test_langue_et_competences_needs_a_positioning_assessment_a_week_before_the_start() -> None:
    """R-CDPI-BILAN: « doit être réalisé une semaine avant le démarrage de la formation »."""
    f = facts(programme=Programme.LANGUE_COMPETENCES)
    bilan = step(f, "positioning_assessment", date(2027, 1, 5))
    assert (bilan.due, bilan.rule, bilan.status) == (date(2027, 1, 4), "R-CDPI-BILAN",
                                                     Status.OVERDUE)
    assert compute_timeline(facts(), AS_OF).step("positioning_assessment") is None
    cipi = facts(kind=Kind.CIPI, hours=140, programme=Programme.LANGUE_COMPETENCES)
    assert compute_timeline(cipi, AS_OF).step("positioning_assessment") is None


def test_a_car_request_is_due_on_the_training_start() -> None:
    """R-CAR-REQUEST: « maxi au démarrage de la formation »; R-CAR-MISSION: ⅓ within 3 months."""
    f = facts(kind=Kind.CAR, start=date(2027, 1, 11), end=date(2027, 6, 30), hours=400)
    timeline = compute_timeline(f, date(2027, 1, 11))
    assert [s.code for s in timeline.steps] == ["car_request", "mission_obligation"]
    request = timeline.step("car_request")
    assert request is not None
    assert (request.due, request.status, request.rule) == (
        date(2027, 1, 11), Status.DUE_SOON, "R-CAR-REQUEST")
    assert step(f, "car_request", date(2027, 1, 12)).status is Status.OVERDUE
    mission = timeline.step("mission_obligation")
    assert mission is not None
    assert (mission.opens, mission.due, mission.rule) == (
        date(2027, 7, 1), date(2027, 9, 30), "R-CAR-MISSION")
    assert timeline.mission_hours_required == Fraction(400, 3)


def test_attendance_has_no_deadline_and_is_never_overdue() -> None:
    """R-ATTEND: open from the end of training, never overdue without a date in the rule set."""
    f = facts(events={EventKind.DRF_SUBMITTED: date(2026, 11, 20),
                      EventKind.DRF_ACCORD: date(2026, 11, 23),
                      EventKind.FUNDING_GRANTED: date(2026, 12, 1)})
    assert step(f, "attendance", date(2027, 2, 18)).status is Status.NOT_YET_OPEN
    late = step(f, "attendance", date(2029, 1, 1))
    assert (late.status, late.due, late.rule) == (Status.OPEN, None, "R-ATTEND")


# The mission obligation (R-CIPI-MISSION, R-CDPI-MISSION).

def test_paid_holidays_count_and_the_obligation_is_met_when_the_third_is_reached() -> None:
    """R-CDPI-MISSION: 210 h → 70 h; 003's example: 105 h = 98 h worked + 7 h fériés."""
    f = facts(hours=315, missions=(
        Mission(date(2027, 3, 1), date(2027, 3, 19), Fraction(98), Fraction(7)),))
    mission = step(f, "mission_obligation", date(2027, 4, 1))
    assert mission.progress is not None and mission.progress.hours_done == 105
    assert (mission.status, mission.done_on) == (Status.DONE, date(2027, 3, 19))


def test_only_missions_entirely_inside_the_window_count() -> None:
    """R-CDPI-MISSION: « entièrement réalisée dans les 3 mois qui suivent la fin »; missions
    inside the CDPI do not count (I-MISSION-INSIDE-WINDOW)."""
    f = facts(missions=(
        Mission(date(2027, 2, 15), date(2027, 2, 26), Fraction(70)),  # starts in training
        Mission(date(2027, 5, 10), date(2027, 5, 20), Fraction(70)),  # ends after the window
        Mission(date(2027, 3, 1), date(2027, 3, 5), Fraction(35)),
    ))
    mission = step(f, "mission_obligation", date(2027, 5, 20))
    assert mission.progress is not None and mission.progress.hours_done == 35
    assert mission.status is Status.OVERDUE


def test_the_exact_third_is_compared_not_a_rounded_figure() -> None:
    """R-CDPI-MISSION: 140 h → 46 h 40 min; 46 h 39 is not enough."""
    short = facts(hours=140, missions=(
        Mission(date(2027, 3, 1), date(2027, 3, 10), Fraction(46) + Fraction(39, 60)),))
    exact = facts(hours=140, missions=(
        Mission(date(2027, 3, 1), date(2027, 3, 10), Fraction(46) + Fraction(40, 60)),))
    assert not step(short, "mission_obligation", date(2027, 4, 1)).status.is_finished
    assert step(exact, "mission_obligation", date(2027, 4, 1)).status is Status.DONE


# Rule sets.

def test_the_2021_rule_set_keeps_the_older_figures() -> None:
    """R-DRF-WINDOW (4 weeks), R-CONTRACT (30 days), R-DRF-SHIFT (4 weeks) under akto-2021."""
    events = {EventKind.DRF_SUBMITTED: date(2026, 11, 30), EventKind.DRF_ACCORD: date(2026, 12, 1)}
    old = facts(start=date(2026, 12, 28), end=date(2027, 2, 5), rules=AKTO_2021, events=events)
    current = facts(start=date(2026, 12, 28), end=date(2027, 2, 5), events=events)
    day = date(2026, 12, 2)
    assert step(old, "drf", day).opens == date(2026, 11, 30)
    assert step(current, "drf", day).opens == date(2026, 10, 28)
    assert step(old, "contract", day).due == date(2026, 12, 31)
    assert step(current, "contract", day).due == date(2027, 1, 31)
    later = facts(start=date(2027, 1, 5), end=date(2027, 2, 5), rules=AKTO_2021, events=events)
    assert drf_redo_required(later) is True
    assert drf_redo_required(facts(start=date(2027, 1, 5), end=date(2027, 2, 5),
                                   events=events)) is False


def test_the_2021_rule_set_opens_a_window_inside_the_summer_2022_suspension_on_22_august() -> None:
    """R-DRF-WINDOW under akto-2021, I-2021-SUSPENSION: deposits suspended 1 July – 21 August
    2022; a window opening inside (start − 4 weeks = 2022-08-01) opens on 2022-08-22."""
    f = facts(start=date(2022, 8, 29), end=date(2022, 10, 7), rules=AKTO_2021)
    timeline = compute_timeline(f, date(2022, 7, 15))
    drf = timeline.step("drf")
    assert drf is not None and (drf.opens, drf.due) == (date(2022, 8, 22), date(2022, 8, 25))
    assert timeline.alerts == ()
    assert compute_timeline(facts(start=date(2022, 8, 29), end=date(2022, 10, 7)),
                            date(2022, 7, 15)).step("drf").opens == date(2022, 6, 29)


@pytest.mark.parametrize(("start", "opens"), [
    (date(2022, 7, 28), date(2022, 6, 30)),   # opens the day before the suspension: kept
    (date(2022, 7, 29), date(2022, 8, 22)),   # opens on 1 July: moved
    (date(2022, 9, 18), date(2022, 8, 22)),   # opens on 21 August: moved
    (date(2022, 9, 19), date(2022, 8, 22)),   # opens on 22 August: as computed
    (date(2022, 9, 20), date(2022, 8, 23)),
])
def test_a_2021_window_opens_after_the_suspension_on_both_sides_of_it(start: date,
                                                                      opens: date) -> None:
    """I-2021-SUSPENSION: only an opening inside 2022-07-01 … 2022-08-21 moves."""
    f = facts(start=start, end=start + (date(2022, 10, 7) - date(2022, 8, 29)), rules=AKTO_2021)
    assert step(f, "drf", date(2022, 6, 1)).opens == opens


def test_a_2021_window_entirely_inside_the_suspension_allows_no_drf() -> None:
    """I-2021-SUSPENSION: start 2022-08-10, window 2022-07-13 … 2022-08-08, all suspended."""
    f = facts(start=date(2022, 8, 10), end=date(2022, 9, 30), rules=AKTO_2021)
    timeline = compute_timeline(f, date(2022, 6, 1))
    assert [(a.code, a.rule) for a in timeline.alerts] == [("drf_suspended", "R-DRF-WINDOW")]
    assert timeline.alerts[0].message.startswith("Aucune DRF possible")


def test_every_figure_of_every_rule_set_names_a_rule_of_the_rule_book() -> None:
    """Each figure is tied to its rule id (or, for a date the sources do not give, to the
    interpretation that sets it) and quotes its source."""
    for rules in RULE_SETS.values():
        for name, figure in vars(rules).items():
            if hasattr(figure, "rule"):
                assert figure.rule.startswith(("R-", "I-")), name
                assert set(figure.source.split(", ")) <= {
                    "000", "001", "002", "003", "004", "interprétation"}, name
                assert figure.quote, name
    assert AKTO_CURRENT.contract_within.value.amount == 61


def test_the_steps_of_a_day_are_the_steps_their_init_makes() -> None:
    """status.py makes each Step without its frozen dataclass's __init__ (speed): every
    field is set, nothing else, and the Step equals, hashes and prints as Step(…) makes it."""
    from dataclasses import fields

    from dossiers.deadlines.timeline import Step

    names = {field.name for field in fields(Step)}
    examples = [facts(), facts(kind=Kind.CIPI, start=date(2026, 5, 26), end=date(2026, 7, 3),
                              hours=140, events={EventKind.DRF_SUBMITTED: date(2026, 5, 1)}),
                facts(kind=Kind.CAR, hours=400, missions=(
                    Mission(date(2027, 3, 1), date(2027, 3, 5), Fraction(35)),))]
    seen = 0
    for example in examples:
        for as_of in (date(2026, 1, 1), AS_OF, date(2027, 6, 1)):
            for made in compute_timeline(example, as_of).steps:
                assert set(vars(made)) == names
                again = Step(**{name: getattr(made, name) for name in names})
                assert (made, hash(made), repr(made)) == (again, hash(again), repr(again))
                seen += 1
    assert seen > 10
