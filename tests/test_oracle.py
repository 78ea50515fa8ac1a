"""The engine against a second, independent statement of the rules (tests/oracle.py).

Hypothesis draws dossiers (zones, kinds, both rule sets), event histories and days, rich in
boundaries: month ends, public holidays, the days around each due date. The engine's
`compute_timeline` and the oracle must give every step the same window, done date and status
(open and due soon are one status here: "due soon" is the engine's, not the rule book's), except
where the oracle says the rule book does not decide. The step for a DRF to file again
(R-DRF-SHIFT) is found whatever its code: any step of R-DRF-SHIFT or R-DRF-WINDOW besides `drf`.

Where the engine does not yet follow docs/rules.md, the comparison lives in its own test,
marked `xfail(strict=True)` with the rule id: its strategy draws only such cases, so it fails
today, and turns into a failure (XPASS) once the engine is fixed; then remove the mark (and the
case's clause in `_known_gap`). The broad comparison leaves out exactly those cases, so it still
guards everything else.
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from dossiers.deadlines.engine import compute_timeline
from dossiers.deadlines.facts import DossierFacts, Event, EventKind, Kind, Mission, Programme
from dossiers.deadlines.rulesets import RULE_SETS
from dossiers.deadlines.timeline import Status, Step, Timeline

from tests import oracle
from tests.oracle import Dossier, View

# 250 examples a test on a shared machine; ORACLE_EXAMPLES=5000 for a longer hunt.
SETTINGS = settings(max_examples=int(os.environ.get("ORACLE_EXAMPLES", "250")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
# A known difference (xfail) is reported as found, not shrunk: the literal cases at the end are
# its smallest examples.
XFAIL_SETTINGS = settings(SETTINGS, phases=[Phase.explicit, Phase.reuse, Phase.generate])

ZONES = sorted(oracle.SUBDIVISIONS)
FIRST = date(2021, 6, 1)
LAST = date(2028, 12, 31)
DOCUMENTS_ON = date(2000, 1, 1)

# Boundary-rich days: every public holiday of every zone, every month's last days, the 29th,
# 30th and 31st (clamped months), each with a few days around it.
_HOLIDAYS = sorted({day for zone in ZONES for year in range(FIRST.year - 1, LAST.year + 2)
                    for day in oracle.holidays_of(zone, year)})
_MONTH_ENDS = sorted(date(year, month, 1) - timedelta(days=1)
                     for year in range(FIRST.year, LAST.year + 2) for month in range(1, 13))
_LATE_IN_MONTH = sorted(
    date(year, month, min(day, (date(year + month // 12, month % 12 + 1, 1)
                                - timedelta(days=1)).day))
    for year in range(FIRST.year, LAST.year + 1) for month in range(1, 13) for day in (29, 30, 31))


def _near(days: list[date], spread: int) -> st.SearchStrategy[date]:
    return st.builds(lambda day, shift: day + timedelta(days=shift),
                     st.sampled_from(days), st.integers(-spread, spread))


_OWN_HOLIDAYS = {zone: sorted({day for year in range(FIRST.year - 1, LAST.year + 2)
                               for day in oracle.holidays_of(zone, year)
                               - oracle.holidays_of("metropole", year)})
                 for zone in ZONES}


def boundary_days(first: date = FIRST, last: date = LAST, zone: str | None = None
                  ) -> st.SearchStrategy[date]:
    """Any day, or one near a holiday (the zone's own ones more often), a month's end or a
    clamped month day."""
    def inside(days: list[date]) -> list[date]:
        return [day for day in days if first <= day <= last] or [first]

    return st.one_of(
        st.dates(first, last),
        _near(inside(_HOLIDAYS), 4),
        _near(inside(_OWN_HOLIDAYS.get(zone or "metropole") or _HOLIDAYS), 4),
        _near(inside(_MONTH_ENDS), 2),
        st.sampled_from(inside(_LATE_IN_MONTH)),
    )


# metropole and alsace-moselle drawn more often than each overseas zone
zones = st.sampled_from(ZONES + ["metropole", "alsace-moselle", "alsace-moselle"])


def _around(day: date, spread: int) -> st.SearchStrategy[date]:
    return st.integers(-spread, spread).map(lambda shift: day + timedelta(days=shift))


def _training_hours(kind: str) -> st.SearchStrategy[Fraction]:
    low, high = {"cipi": (70, 245), "cdpi": (140, 525), "car": (35, 1200)}[kind]
    return st.one_of(st.integers(low, high).map(Fraction),
                     st.integers(low * 60, high * 60).map(lambda minutes: Fraction(minutes, 60)))


@st.composite
def _drf_rounds(draw: st.DrawFn, rules: str, start: date, zone: str, accorded: bool = False
                ) -> list[tuple[str, date]]:
    """0 to 3 DRF deposits around the window, each perhaps answered (accord or refusal);
    `accorded`: at least one, the last one accorded."""
    opens, due = oracle.drf_window(rules, start, zone)
    events: list[tuple[str, date]] = []
    rounds = draw(st.integers(1 if accorded else 0, 3))
    deposit = draw(st.one_of(_around(opens, 3), _around(due, 3), _around(start, 1),
                             st.dates(min(opens, start) - timedelta(days=15), start + timedelta(days=3))))
    for number in range(rounds):
        events.append(("drf-submitted", deposit))
        answer = draw(st.sampled_from([None, "drf-accord", "drf-accord", "drf-refusal"]))
        if accorded and number == rounds - 1:
            answer = "drf-accord"
        last = deposit
        if answer is not None:
            last = deposit + timedelta(days=draw(st.sampled_from([0, 1, 2, 3, 4, 5, 8, 20])))
            events.append((answer, last))
        deposit = last + timedelta(days=draw(st.integers(1, 40)))
    return events


def _last_accord(events: list[tuple[str, date]]) -> date | None:
    """The accord of the last DRF of a history, if it has one."""
    if not events or events[-1][0] != "drf-accord":
        return None
    return events[-1][1]


@st.composite
def dossiers(draw: st.DrawFn, kinds: tuple[str, ...] = ("cipi", "cdpi", "car"),
             rule_sets: tuple[str, ...] = (oracle.CURRENT, oracle.OLD),
             move: str = "any") -> Dossier:
    """A dossier with its whole history. `move`: "any", "none" (the start never moved),
    "within" / "beyond" (the start moved after an accord, within / beyond R-DRF-SHIFT)."""
    kind = draw(st.sampled_from(kinds))
    zone = draw(zones)
    rules = draw(st.sampled_from(rule_sets))
    if rules == oracle.OLD and draw(st.booleans()):
        # around the 2022 suspension of DRF deposits
        start = draw(boundary_days(date(2022, 6, 1), date(2022, 10, 31), zone))
    else:
        start = draw(boundary_days(zone=zone))
    events: list[tuple[str, date]] = []
    if kind != "car":
        events += draw(_drf_rounds(rules, start, zone, accorded=move in ("within", "beyond")))
        accord = _last_accord(events)
        if accord is not None and move != "none":
            limit = oracle.shift_limit(rules, accord)
            if move == "within":
                moved = draw(st.one_of(_around(limit, 2), st.dates(accord, limit)))
                moved = min(moved, limit)
            elif move == "beyond":
                moved = draw(st.one_of(_around(limit, 2), st.dates(limit, limit + timedelta(days=150))))
                moved = max(moved, limit + timedelta(days=1))
            else:
                moved = draw(st.one_of(st.just(start), _around(limit, 2),
                                       st.dates(accord, accord + timedelta(days=150))))
            # the services refuse a start that is not after the latest DRF
            submitted = max(on for name, on in events if name == "drf-submitted")
            assume(moved > submitted)
            start = moved
        if accord is not None and draw(st.booleans()):
            events.append(("contract-submitted", accord + timedelta(
                days=draw(st.sampled_from([0, 1, 29, 30, 31, 60, 61, 62, 100])))))
    else:
        for _ in range(draw(st.integers(0, 2))):
            events.append(("car-request-submitted", draw(_around(start, 5))))
    langue_competences = kind != "car" and draw(st.booleans())
    if kind == "cdpi" and langue_competences and draw(st.booleans()):
        events.append(("positioning-done", draw(_around(start - timedelta(days=7), 3))))
    end = draw(st.one_of(
        st.integers(27, 330).map(lambda length: start + timedelta(days=length)),
        st.integers(1, 11).map(lambda months: oracle.months_after(start.replace(day=1), months)
                               - timedelta(days=1)),
    ))
    hours = draw(_training_hours(kind))
    partial = Dossier(kind, zone, rules, start, end, hours, langue_competences)
    opens, due = oracle.mission_window(partial)
    missions = []
    for _ in range(draw(st.integers(0, 4))):
        first = draw(st.one_of(_around(opens, 3), _around(due - timedelta(days=20), 20),
                               st.dates(opens - timedelta(days=10), due + timedelta(days=10))))
        last = first + timedelta(days=draw(st.integers(0, 45)))
        worked = Fraction(draw(st.integers(7 * 60, 80 * 60)), 60)
        paid = Fraction(draw(st.sampled_from([0, 0, 7])))
        missions.append((first, last, worked, paid))
    return Dossier(kind, zone, rules, start, end, hours, langue_competences,
                   tuple(sorted(events, key=lambda event: event[1])), tuple(missions))


def _key_days(dossier: Dossier) -> list[date]:
    """Every date a status can turn on: events, windows, due dates, mission ends."""
    days = [on for _, on in dossier.events] + [dossier.start, dossier.end]
    days += [last for _, last, _, _ in dossier.missions]
    for expected in oracle.view(dossier, LAST + timedelta(days=800)).steps.values():
        days += [day for day in (expected.opens, expected.due, expected.done_on) if day]
    opens, due = oracle.drf_window(dossier.rules, dossier.start, dossier.zone)
    return days + [opens, due]


@st.composite
def days_of(draw: st.DrawFn, dossier: Dossier) -> date:
    days = _key_days(dossier)
    return draw(st.one_of(
        st.sampled_from(days).flatmap(lambda day: _around(day, 2)),
        st.dates(min(days) - timedelta(days=30), max(days) + timedelta(days=30)),
    ))


# The engine's side.

def engine_facts(dossier: Dossier, events: tuple[tuple[str, date], ...]) -> DossierFacts:
    """The same dossier as the engine is told it. The documents R-DOCS asks for are there,
    so that a recorded event means a done step."""
    documents = {}
    if dossier.langue_competences:
        documents["reference-langue-competences"] = DOCUMENTS_ON
    if dossier.kind == "car":
        documents["avis-pole-reconversion"] = DOCUMENTS_ON
    return DossierFacts(
        kind=Kind(dossier.kind), training_start=dossier.start, training_end=dossier.end,
        training_hours=dossier.training_hours, zone=dossier.zone, rules=RULE_SETS[dossier.rules],
        programme=Programme.LANGUE_COMPETENCES if dossier.langue_competences else None,
        events=tuple(Event(EventKind(name), on) for name, on in events),
        missions=tuple(Mission(first, last, worked, paid)
                       for first, last, worked, paid in dossier.missions),
        documents=documents,
    )


def engine_on(dossier: Dossier, day: date, whole_history: bool = False) -> Timeline:
    """The engine's timeline; told only the events of the day's view unless `whole_history`."""
    events = dossier.events if whole_history else tuple(e for e in dossier.events if e[1] <= day)
    return compute_timeline(engine_facts(dossier, events), day)


_SAME_STATUS = {Status.OPEN: "pending", Status.DUE_SOON: "pending"}
ENGINE_STEPS = {"drf", "akto_response", "contract", "positioning_assessment", "car_request",
                "mission_obligation", "attendance"}


def _status_name(code: str, status: Status) -> str:
    if code == "akto_response" and status.is_finished:
        return "answered"
    return _SAME_STATUS.get(status, status.value)


def differences(timeline: Timeline, expected: View, dossier: Dossier) -> list[str]:
    """What the engine says differently from the oracle, one line per difference."""
    found: list[str] = []
    new_drf = _new_drf_steps(timeline)
    codes = {step.code for step in timeline.steps if step not in new_drf}
    wanted = set(expected.steps) - {"new_drf"}
    if codes != wanted:
        found.append(f"steps {sorted(codes)} ≠ {sorted(wanted)}")
    if len(new_drf) != ("new_drf" in expected.steps):
        found.append(f"R-DRF-SHIFT: {len(new_drf)} step(s) for a new DRF ≠ "
                     f"{int('new_drf' in expected.steps)}")
    for code, want in expected.steps.items():
        step = (new_drf[0] if new_drf else None) if code == "new_drf" else timeline.step(code)
        if step is None:
            continue
        if want.window_decided and (step.opens, step.due) != (want.opens, want.due):
            found.append(f"{code}: window {step.opens} … {step.due} ≠ {want.opens} … {want.due}")
        if want.done_decided and step.done_on != want.done_on:
            found.append(f"{code}: done on {step.done_on} ≠ {want.done_on}")
        if want.status is not None and _status_name(code, step.status) != want.status:
            found.append(f"{code}: status {step.status.value} ≠ {want.status}")
        if want.hours_required is not None:
            assert step.progress is not None
            progress = (step.progress.hours_required, step.progress.hours_done)
            if progress != (want.hours_required, want.hours_done):
                found.append(f"{code}: hours {progress} ≠ {(want.hours_required, want.hours_done)}")
    if dossier.kind != "car" and timeline.drf_redo_required != expected.redo:
        found.append(f"R-DRF-SHIFT: redo {timeline.drf_redo_required} ≠ {expected.redo}")
    return found


def _new_drf_steps(timeline: Timeline) -> list[Step]:
    """The engine's step for a DRF to file again (R-DRF-SHIFT beyond), whatever its code: any
    step of R-DRF-SHIFT or R-DRF-WINDOW other than the known ones."""
    return [step for step in timeline.steps if step.code not in ENGINE_STEPS
            and step.rule in ("R-DRF-SHIFT", "R-DRF-WINDOW")]


def _opens_in_2022_suspension(dossier: Dossier) -> bool:
    return (dossier.kind != "car" and dossier.rules == oracle.OLD
            and oracle.SUSPENSION_FIRST <= dossier.start - timedelta(days=28)
            <= oracle.SUSPENSION_LAST)


def _accorded_drf_outside_start_window(dossier: Dossier, expected: View) -> bool:
    drf = expected.steps.get("drf")
    if drf is None or drf.window_decided or drf.done_on is None:
        return False
    opens, due = oracle.drf_window(dossier.rules, dossier.start, dossier.zone)
    return not opens <= drf.done_on <= due


def _new_drf_expected(expected: View) -> bool:
    return "new_drf" in expected.steps


def _known_gap(dossier: Dossier, expected: View) -> bool:
    """The cases where the engine does not yet follow the rules, each covered by a strict xfail
    test below. None today: when one is found, add its clause here and remove it once fixed."""
    return False


def _drf_differences(found: list[str]) -> list[str]:
    return [line for line in found if line.startswith(("drf:", "new_drf:", "R-DRF-SHIFT"))]


# The oracle itself against the worked examples of the rule book.

@pytest.mark.parametrize(("zone", "start", "opens", "due"), [
    ("metropole", date(2027, 1, 11), date(2026, 11, 11), date(2027, 1, 7)),
    ("metropole", date(2026, 5, 26), date(2026, 3, 26), date(2026, 5, 21)),
    ("metropole", date(2026, 4, 7), date(2026, 2, 7), date(2026, 4, 2)),
    ("alsace-moselle", date(2026, 4, 7), date(2026, 2, 7), date(2026, 4, 1)),
])
def test_the_oracle_gives_the_worked_examples_drf_windows(
        zone: str, start: date, opens: date, due: date) -> None:
    """R-DRF-WINDOW, R-CAL-1, R-CAL-2 worked examples, so that the oracle is worth trusting."""
    assert oracle.drf_window(oracle.CURRENT, start, zone) == (opens, due)


def test_the_oracle_gives_the_worked_examples_answer_contract_shift_and_missions() -> None:
    """R-DRF-ANSWER, R-CONTRACT, R-DRF-SHIFT, R-CDPI-MISSION, R-CIPI-MISSION, R-CAL-3."""
    assert oracle.working_days_after(date(2026, 12, 24), 2, "metropole") == date(2026, 12, 29)
    assert oracle.contract_due(oracle.CURRENT, date(2026, 12, 1)) == date(2027, 1, 31)
    assert oracle.shift_limit(oracle.CURRENT, date(2026, 12, 1)) == date(2027, 2, 1)
    cdpi = Dossier("cdpi", "metropole", oracle.CURRENT, date(2027, 1, 11), date(2027, 2, 19),
                   Fraction(210))
    assert oracle.mission_window(cdpi) == (date(2027, 2, 20), date(2027, 5, 19))
    assert oracle.mission_hours_required(cdpi) == 70
    late_cdpi = Dossier("cdpi", "metropole", oracle.CURRENT, date(2027, 9, 1), date(2027, 11, 30),
                        Fraction(140))
    assert oracle.mission_window(late_cdpi)[1] == date(2028, 2, 29)
    assert oracle.mission_hours_required(late_cdpi) == Fraction(140, 3)
    cipi = Dossier("cipi", "metropole", oracle.CURRENT, date(2026, 5, 26), date(2026, 7, 3),
                   Fraction(140))
    assert oracle.mission_window(cipi) == (date(2026, 5, 26), date(2026, 11, 25))
    # R-DRF-WINDOW, R-CAL-3: start 2027-04-30 opens 2027-03-01 (2027-02-28 + 2 months < start).
    assert oracle.drf_window(oracle.CURRENT, date(2027, 4, 30), "metropole")[0] == date(2027, 3, 1)
    # I-2021-SUSPENSION under both rule sets: cut at 2022-06-30, or opened on 2022-08-22.
    assert oracle.drf_window(oracle.OLD, date(2022, 7, 25), "metropole") == (
        date(2022, 6, 27), date(2022, 6, 30))
    assert oracle.drf_window(oracle.CURRENT, date(2022, 10, 10), "metropole")[0] == date(2022, 8, 22)


# The engine against the oracle.

@SETTINGS
@given(data=st.data(), zone=zones, rules=st.sampled_from([oracle.CURRENT, oracle.OLD]))
def test_r_drf_window_opens_and_due_match_the_oracle(data: st.DataObject, zone: str, rules: str
                                                     ) -> None:
    """R-DRF-WINDOW, R-CAL-1, R-CAL-2, R-CAL-3: opens start − 2 months (2021: 4 weeks), due start −
    2 jours ouvrés of the zone, for a dossier with no event yet."""
    start = data.draw(boundary_days(zone=zone), label="start")
    dossier = Dossier("cdpi", zone, rules, start, start + timedelta(days=60), Fraction(140))
    step = engine_on(dossier, start).step("drf")
    assert step is not None
    assert (step.opens, step.due) == oracle.drf_window(rules, start, zone)


@SETTINGS
@given(zone=zones, start=boundary_days(date(2022, 7, 29), date(2022, 9, 18)))
def test_r_drf_window_2021_window_opening_in_the_suspension_opens_on_22_august_2022(
        zone: str, start: date) -> None:
    """R-DRF-WINDOW, older rules: no DRF from 1 July to 21 August 2022; interpretation: a window
    that would open inside the suspension opens on 22 August 2022."""
    dossier = Dossier("cipi", zone, oracle.OLD, start, start + timedelta(days=60), Fraction(70))
    assert _opens_in_2022_suspension(dossier)
    step = engine_on(dossier, start).step("drf")
    assert step is not None
    assert step.opens == oracle.REOPENING
    assert step.due == oracle.drf_window(oracle.OLD, start, zone)[1]


@SETTINGS
@given(data=st.data(), dossier=dossiers())
def test_every_step_of_a_day_s_view_matches_the_oracle(data: st.DataObject, dossier: Dossier) -> None:
    """R-DRF-WINDOW, R-DRF-ANSWER, R-CONTRACT, R-DRF-SHIFT, R-CAR-REQUEST, R-CDPI-BILAN,
    R-CIPI-MISSION, R-CDPI-MISSION, R-CAR-MISSION, R-CAL-4: the same steps, windows, done dates,
    statuses and mission hours, on any day, for the events dated on or before that day."""
    day = data.draw(days_of(dossier), label="day")
    expected = oracle.view(dossier, day)
    assume(not _known_gap(dossier, expected))
    assert differences(engine_on(dossier, day), expected, dossier) == []


@SETTINGS
@given(data=st.data(), dossier=dossiers(kinds=("cipi", "cdpi"), move="any"))
def test_r_drf_shift_whether_a_new_drf_is_needed_matches_the_oracle(
        data: st.DataObject, dossier: Dossier) -> None:
    """R-DRF-SHIFT: None while no accord answers the latest DRF; a new DRF when the start is more
    than 2 months (2021: 4 weeks) after the accord."""
    day = data.draw(days_of(dossier), label="day")
    assert engine_on(dossier, day).drf_redo_required == oracle.view(dossier, day).redo


@XFAIL_SETTINGS
@given(data=st.data(), dossier=dossiers(kinds=("cipi", "cdpi"), move="within"))
def test_r_drf_shift_within_the_limit_keeps_the_accorded_drf_done(
        data: st.DataObject, dossier: Dossier) -> None:
    """R-DRF-SHIFT (interpretation): a start moved within 2 months of the accord keeps the DRF;
    its original window is not re-checked against the new start."""
    accord = _last_accord([e for e in dossier.events if e[0].startswith("drf")])
    assert accord is not None
    day = data.draw(st.dates(accord, accord + timedelta(days=200)), label="day")
    expected = oracle.view(dossier, day)
    assume(_accorded_drf_outside_start_window(dossier, expected))
    assume(not _new_drf_expected(expected))  # a DRF redone: the test below
    step = engine_on(dossier, day).step("drf")
    assert step is not None
    assert (step.done_on, step.status) == (expected.steps["drf"].done_on, Status.DONE)


@XFAIL_SETTINGS
@given(data=st.data(), dossier=dossiers(kinds=("cipi", "cdpi"), move="beyond"))
def test_r_drf_shift_beyond_the_limit_the_new_drf_is_a_step_of_its_own(
        data: st.DataObject, dossier: Dossier) -> None:
    """R-DRF-SHIFT (interpretation): beyond the limit, the new DRF is a step of its own, with the
    window of the new start, until a new deposit is recorded; the accepted DRF stays done."""
    accord = _last_accord([e for e in dossier.events if e[0].startswith("drf")])
    assert accord is not None
    day = data.draw(st.one_of(_around(dossier.start, 3),
                              st.dates(accord, dossier.start + timedelta(days=10))), label="day")
    assume(day >= accord)
    expected = oracle.view(dossier, day)
    assert expected.redo is True and _new_drf_expected(expected)
    found = differences(engine_on(dossier, day), expected, dossier)
    assert _drf_differences(found) == []


@XFAIL_SETTINGS
@given(data=st.data(), dossier=dossiers(kinds=("cipi", "cdpi"), move="beyond"))
def test_r_drf_shift_the_new_drf_is_done_by_the_next_deposit_and_kept_once_accorded(
        data: st.DataObject, dossier: Dossier) -> None:
    """R-DRF-SHIFT (interpretation): the new DRF step is done by the next deposit, judged against
    the new start's window (R-DRF-WINDOW, R-CAL-4) until AKTO accords it; then R-DRF-SHIFT
    decides alone again: kept, or a new DRF again beyond the new accord's limit."""
    accord = _last_accord([e for e in dossier.events if e[0].startswith("drf")])
    assert accord is not None
    deposit = data.draw(st.one_of(
        st.dates(accord + timedelta(days=1), dossier.start + timedelta(days=3)),
        st.sampled_from(oracle.drf_window(dossier.rules, dossier.start, dossier.zone))
        .flatmap(lambda day: _around(day, 2))), label="deposit")
    assume(deposit > accord)
    events = [*dossier.events, ("drf-submitted", deposit)]
    answer = data.draw(st.sampled_from([None, "drf-accord", "drf-refusal"]), label="answer")
    if answer is not None:
        events.append((answer, deposit + timedelta(days=data.draw(st.integers(0, 5)))))
    dossier = replace(dossier, events=tuple(sorted(events, key=lambda event: event[1])))
    day = data.draw(st.one_of(st.sampled_from([on for _, on in events]).flatmap(
                                  lambda on: _around(on, 1)),
                              _around(dossier.start, 3),
                              st.dates(deposit, max(deposit, dossier.start + timedelta(days=10)))),
                    label="day")
    assume(day >= deposit)
    expected = oracle.view(dossier, day)
    assert _new_drf_expected(expected)
    found = differences(engine_on(dossier, day), expected, dossier)
    assert _drf_differences(found) == []


@XFAIL_SETTINGS
@given(data=st.data(), dossier=dossiers())
def test_a_view_of_day_d_knows_only_what_is_dated_on_or_before_d(
        data: st.DataObject, dossier: Dossier) -> None:
    """Interpretation "A view of day D knows only what is dated on or before D" (`--as-of D`):
    told the whole history, the engine gives on D the steps it gives from the events up to D
    (which the broad test above compares with the oracle). The day is drawn before the last
    event, so that the history does hold a later one."""
    assume(dossier.events)
    last = max(on for _, on in dossier.events)
    day = data.draw(st.one_of(_around(last - timedelta(days=3), 2),
                              st.dates(last - timedelta(days=90), last - timedelta(days=1))),
                    label="day")
    whole, seen = engine_on(dossier, day, whole_history=True), engine_on(dossier, day)
    assert (whole.steps, whole.drf_redo_required) == (seen.steps, seen.drf_redo_required)


@SETTINGS
@given(data=st.data(), dossier=dossiers())
def test_r_cdpi_mission_and_r_cipi_mission_hours_and_windows_match_the_oracle(
        data: st.DataObject, dossier: Dossier) -> None:
    """R-CIPI-MISSION (70 h over start … start + 6 months), R-CDPI-MISSION and R-CAR-MISSION (the
    exact third over end + 1 … end + 3 months): only missions entirely inside the window and
    finished by the day count, paid holiday hours included."""
    opens, due = oracle.mission_window(dossier)
    day = data.draw(st.one_of(_around(opens, 2), _around(due, 2),
                              st.sampled_from([last for _, last, _, _ in dossier.missions] or [due])
                              .flatmap(lambda last: _around(last, 1)),
                              st.dates(opens, due + timedelta(days=5))), label="day")
    want = oracle.view(dossier, day).steps["mission_obligation"]
    step = engine_on(dossier, day).step("mission_obligation")
    assert step is not None and step.progress is not None
    assert (step.opens, step.due, step.done_on, _status_name(step.code, step.status)) == (
        want.opens, want.due, want.done_on, want.status)
    assert (step.progress.hours_required, step.progress.hours_done) == (
        want.hours_required, want.hours_done)


# The smallest cases of each difference found, literal (metropole, akto-current unless said).

def _cipi(start: date, *events: tuple[str, date], rules: str = oracle.CURRENT) -> Dossier:
    return Dossier("cipi", "metropole", rules, start, start + timedelta(days=60), Fraction(70),
                   events=events)


def _xfail(reason: str):  # type: ignore[no-untyped-def]
    return pytest.mark.xfail(strict=True, reason=reason)


@pytest.mark.parametrize(("dossier", "day", "whole_history"), [
    pytest.param(_cipi(date(2027, 3, 25), ("drf-submitted", date(2027, 1, 20))), date(2027, 1, 22),
                 False, id="I-DRF-TOO-EARLY: a DRF deposited before its window awaits no answer"),
    pytest.param(_cipi(date(2022, 8, 15), rules=oracle.OLD), date(2022, 8, 1), False,
                 id="R-DRF-WINDOW 2021: opens 2022-08-22, not 2022-07-18"),
    pytest.param(_cipi(date(2027, 3, 1), ("drf-submitted", date(2026, 12, 28)),
                       ("drf-accord", date(2027, 1, 4))), date(2027, 1, 10), False,
                 id="R-DRF-SHIFT within: the accorded DRF of 2026-12-28 stays done"),
    pytest.param(_cipi(date(2027, 3, 8), ("drf-submitted", date(2026, 12, 28)),
                       ("drf-accord", date(2027, 1, 4))), date(2027, 1, 10), False,
                 id="R-DRF-SHIFT beyond: a new DRF step, 2027-01-08 to 2027-03-04"),
    pytest.param(_cipi(date(2027, 3, 25), ("drf-submitted", date(2027, 1, 4)),
                       ("drf-accord", date(2027, 1, 5)), ("drf-submitted", date(2027, 1, 20)),
                       ("drf-accord", date(2027, 2, 2))), date(2027, 3, 24), False,
                 id="R-DRF-SHIFT: the new DRF of 2027-01-20, accorded, stays done"),
    pytest.param(Dossier("car", "metropole", oracle.CURRENT, date(2027, 6, 1), date(2027, 6, 28),
                         Fraction(35), events=(("car-request-submitted", date(2027, 6, 1)),)),
                 date(2027, 5, 28), True,
                 id="as-of: on 2027-05-28 a request dated 2027-06-01 is not yet made"),
])
def test_the_smallest_cases_found_match_the_oracle(dossier: Dossier, day: date,
                                                   whole_history: bool) -> None:
    """Each difference the property tests found, as a literal case (see the ids)."""
    expected = oracle.view(dossier, day)
    assert differences(engine_on(dossier, day, whole_history), expected, dossier) == []
