"""A second, deliberately plain statement of the rules of docs/rules.md, to check the engine.

Written from the rule book alone, dates only, and slow on purpose: jours ouvrés are counted
one day at a time against `holidays.France(subdiv=…)`, months come from
`dateutil.relativedelta`, mission hours are summed day by day. It imports nothing from
`dossiers`: if it shared code with the engine, a mistake in that code would agree with itself.

Facts are plain values: event and kind names are the strings a user types (`drf-submitted`,
`cdpi`, `akto-2021`…). The result is, for each step the dossier has on a day, its window
(opens, due), the date it was done and its status:

- `not_yet_open`, `pending` (open, whether due soon or not), `overdue`;
- `done`, `done_late`, `done_too_early` (R-CAL-4, R-DRF-WINDOW);
- `waiting_akto`, `akto_late`, `answered` (R-DRF-ANSWER: AKTO's step);
- None where the rule book does not decide.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from functools import cache

import holidays
from dateutil.relativedelta import relativedelta

# R-CAL-2: zone slug → subdivision of holidays.France.
SUBDIVISIONS: dict[str, str | None] = {
    "metropole": None,
    "alsace-moselle": "57",
    "guadeloupe": "971",
    "martinique": "972",
    "guyane": "973",
    "reunion": "974",
    "mayotte": "976",
}

CURRENT = "akto-current"
OLD = "akto-2021"

# 002: no DRF deposit from 1 July to 21 August 2022 inclusive, a fact about dates whatever the
# rule set: a window that would open inside opens on 22 August 2022, one that would close inside
# closes on 30 June 2022.
SUSPENSION_FIRST = date(2022, 7, 1)
SUSPENSION_LAST = date(2022, 8, 21)
REOPENING = date(2022, 8, 22)
LAST_BEFORE = date(2022, 6, 30)


@dataclass(frozen=True)
class Dossier:
    kind: str  # "cipi", "cdpi", "car"
    zone: str
    rules: str  # "akto-current", "akto-2021"
    start: date
    end: date
    training_hours: Fraction
    langue_competences: bool = False
    events: tuple[tuple[str, date], ...] = ()
    # (first day, last day, hours worked, paid holiday hours)
    missions: tuple[tuple[date, date, Fraction, Fraction], ...] = ()


@dataclass(frozen=True)
class Expected:
    opens: date | None
    due: date | None
    done_on: date | None
    status: str | None
    hours_required: Fraction | None = None
    hours_done: Fraction | None = None
    # False where the rule book does not fix the window (an accorded DRF: R-DRF-SHIFT) or
    # which deposit a step holds (a DRF accepted twice).
    window_decided: bool = True
    done_decided: bool = True


@dataclass(frozen=True)
class View:
    """What the rule book says of a dossier on one day."""

    steps: dict[str, Expected] = field(default_factory=dict)
    redo: bool | None = None  # R-DRF-SHIFT: None while no accord answers the latest DRF


# Calendar.

@cache
def holidays_of(zone: str, year: int) -> frozenset[date]:
    """R-CAL-2."""
    return frozenset(holidays.France(subdiv=SUBDIVISIONS[zone], years=year))


def is_working_day(day: date, zone: str) -> bool:
    """R-CAL-1: Monday to Friday, minus the zone's public holidays."""
    return day.weekday() < 5 and day not in holidays_of(zone, day.year)


def working_days_after(day: date, count: int, zone: str) -> date:
    """`count` jours ouvrés after `day`, walking one day at a time; `day` itself does not count."""
    current = day
    found = 0
    while found < count:
        current = current + timedelta(days=1)
        if is_working_day(current, zone):
            found += 1
    return current


def working_days_before(day: date, count: int, zone: str) -> date:
    current = day
    found = 0
    while found < count:
        current = current - timedelta(days=1)
        if is_working_day(current, zone):
            found += 1
    return current


def months_after(day: date, count: int) -> date:
    """R-CAL-3: calendar months, clamped to the month's end."""
    return day + relativedelta(months=count)


def months_before(day: date, count: int) -> date:
    return day - relativedelta(months=count)


# The rule sets' figures, as the rule book states them.

def drf_window(rules: str, start: date, zone: str) -> tuple[date, date]:
    """R-DRF-WINDOW: opens on the first day from which the start lies within 2 months (2021: 4
    weeks), due start − 2 jours ouvrés; the 2022 suspension cuts it under both rule sets."""
    # Walk forward from well before: the first day d with d + 2 months (28 days) ≥ start.
    opens = start - timedelta(days=70)
    while (months_after(opens, 2) if rules == CURRENT else opens + timedelta(days=28)) < start:
        opens += timedelta(days=1)
    due = working_days_before(start, 2, zone)
    if SUSPENSION_FIRST <= opens <= SUSPENSION_LAST:
        opens = REOPENING
    if SUSPENSION_FIRST <= due <= SUSPENSION_LAST:
        due = LAST_BEFORE
    return opens, due


def contract_due(rules: str, accord: date) -> date:
    """R-CONTRACT: accord + 61 calendar days (2021: 30)."""
    return accord + timedelta(days=61 if rules == CURRENT else 30)


def shift_limit(rules: str, accord: date) -> date:
    """R-DRF-SHIFT: the last start that keeps the DRF: accord + 2 months (2021: 4 weeks)."""
    return months_after(accord, 2) if rules == CURRENT else accord + timedelta(days=28)


def mission_window(dossier: Dossier) -> tuple[date, date]:
    """R-CIPI-MISSION: start … start + 6 months − 1 day (a durée counts its first day).
    R-CDPI-MISSION, R-CAR-MISSION: end + 1 day … end + 3 months (a délai after the end)."""
    if dossier.kind == "cipi":
        return dossier.start, months_after(dossier.start, 6) - timedelta(days=1)
    return dossier.end + timedelta(days=1), months_after(dossier.end, 3)


def mission_hours_required(dossier: Dossier) -> Fraction:
    """R-CIPI-MISSION: 70 h. R-CDPI-MISSION, R-CAR-MISSION: the exact third of the training."""
    if dossier.kind == "cipi":
        return Fraction(70)
    return Fraction(dossier.training_hours) / 3


# Statuses.

def status(opens: date | None, due: date, done_on: date | None, day: date) -> str | None:
    """R-CAL-4: done on or before the due date is on time; R-DRF-WINDOW: done before the
    window opens is too early. Not done: not yet open, pending, or overdue after the due date."""
    if opens is not None and opens > due:
        # Only the 2022 suspension can do this: the rule book does not say what such a
        # window's statuses are.
        return None
    if done_on is not None:
        if opens is not None and done_on < opens:
            # "au plus tôt": outside the window, it does not count (I-DRF-TOO-EARLY): to be
            # deposited again by the due date, overdue after it.
            return "done_too_early" if day <= due else "overdue"
        if done_on > due:
            return "done_late"
        return "done"
    if opens is not None and day < opens:
        return "not_yet_open"
    if day > due:
        return "overdue"
    return "pending"


def latest(events: list[tuple[str, date]], name: str) -> date | None:
    found = None
    for kind, on in events:
        if kind == name and (found is None or on > found):
            found = on
    return found


# The view of a day.

def view(dossier: Dossier, day: date) -> View:
    """Every step the rule book gives the dossier on `day`."""
    # "A view of day D knows only what is dated on or before D."
    known = [(kind, on) for kind, on in dossier.events if on <= day]
    steps: dict[str, Expected] = {}
    redo = None
    if dossier.kind == "car":
        # R-CAR-REQUEST: due = training start.
        done_on = latest(known, "car-request-submitted")
        steps["car_request"] = Expected(None, dossier.start, done_on,
                                        status(None, dossier.start, done_on, day))
    else:
        submitted = latest(known, "drf-submitted")
        accord = latest(known, "drf-accord")
        refusal = latest(known, "drf-refusal")
        # Only an answer given to the latest DRF counts.
        if accord is not None and submitted is not None and accord < submitted:
            accord = None
        if refusal is not None and submitted is not None and refusal < submitted:
            refusal = None
        opens, due = drf_window(dossier.rules, dossier.start, dossier.zone)
        if accord is not None:
            redo = dossier.start > shift_limit(dossier.rules, accord)
        accords = sorted(on for kind, on in known if kind == "drf-accord")
        if not accords:
            steps["drf"] = Expected(opens, due, submitted, status(opens, due, submitted, day))
        else:
            # R-DRF-SHIFT decides alone once an accord exists: the accepted DRF (the one the
            # first accord answers) is kept, its window is not checked against the (possibly
            # moved) start. Which DRF it was is only clear while AKTO has accepted one.
            first = max((on for kind, on in known if kind == "drf-submitted" and on <= accords[0]),
                        default=None)
            steps["drf"] = Expected(None, None, first, "done", window_decided=False,
                                    done_decided=len(accords) == 1)
            redone = submitted if submitted is not None and submitted > accords[0] else None
            if redo:
                # Beyond the limit: the new DRF is a step of its own, with the new start's
                # window, until a new deposit is recorded.
                steps["new_drf"] = Expected(opens, due, None, status(opens, due, None, day))
            elif redone is not None and accord is not None:
                # The new deposit accepted within the limit: kept, like the first.
                steps["new_drf"] = Expected(None, None, redone, "done", window_decided=False)
            elif redone is not None:
                steps["new_drf"] = Expected(opens, due, redone, status(opens, due, redone, day))
        too_early = (submitted is not None and submitted < opens and accord is None
                     and refusal is None)
        if submitted is not None and not too_early:
            # R-DRF-ANSWER: AKTO answers the latest DRF within 2 jours ouvrés. A DRF deposited
            # before its window and not answered is to be deposited again, not AKTO to be
            # chased (I-DRF-TOO-EARLY): no answer is awaited for it.
            expected = working_days_after(submitted, 2, dossier.zone)
            answer = accord if accord is not None else refusal
            if answer is not None:
                answered = "answered"
            elif day > expected:
                answered = "akto_late"
            else:
                answered = "waiting_akto"
            steps["akto_response"] = Expected(submitted, expected, answer, answered)
        if accord is not None:
            # R-CONTRACT: within 61 days of the accord of the latest DRF.
            contract_on = latest(known, "contract-submitted")
            due_contract = contract_due(dossier.rules, accord)
            steps["contract"] = Expected(accord, due_contract, contract_on,
                                         status(accord, due_contract, contract_on, day))
        if dossier.kind == "cdpi" and dossier.langue_competences:
            # R-CDPI-BILAN: under Langue et Compétences, one week before the start.
            bilan_due = dossier.start - timedelta(days=7)
            bilan_on = latest(known, "positioning-done")
            steps["positioning_assessment"] = Expected(None, bilan_due, bilan_on,
                                                       status(None, bilan_due, bilan_on, day))
    steps["mission_obligation"] = mission_step(dossier, day)
    return View(steps, redo)


def mission_step(dossier: Dossier, day: date) -> Expected:
    """R-CIPI-MISSION, R-CDPI-MISSION, R-CAR-MISSION: a mission counts when it lies entirely
    inside the window and has ended by `day`; paid holiday hours count."""
    opens, due = mission_window(dossier)
    required = mission_hours_required(dossier)

    def counts(mission: tuple[date, date, Fraction, Fraction]) -> bool:
        first, last, _, _ = mission
        return opens <= first and last <= due and last <= day

    counted = [m for m in dossier.missions if counts(m)]
    done = sum((worked + paid for _, _, worked, paid in counted), Fraction(0))
    # The day the obligation was met: the first day by which the missions ended reach it.
    reached_on = None
    current = opens
    while current <= due:
        by_then = sum((w + p for _, last, w, p in counted if last <= current), Fraction(0))
        if by_then >= required:
            reached_on = current
            break
        current += timedelta(days=1)
    return Expected(opens, due, reached_on, status(opens, due, reached_on, day), required, done)
