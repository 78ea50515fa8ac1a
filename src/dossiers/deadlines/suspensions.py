"""Suspensions of DRF deposits in a rule set (R-DRF-WINDOW, interpretation I-2021-SUSPENSION).

The rules of 22/09/2021 (002) stop deposits from 1 July to 21 August 2022 inclusive: a
DRF window cannot open inside a suspension (it opens the day after), and a deposit dated
inside one is refused.
"""

from __future__ import annotations

from datetime import date, timedelta

from dossiers.deadlines.rulesets import RuleSet

Suspension = tuple[date, date]


def suspension_on(rules: RuleSet, day: date) -> Suspension | None:
    """The suspension of deposits that holds `day`, if any."""
    for first, last in rules.drf_suspensions.value:
        if first <= day <= last:
            return first, last
    return None


def drf_opening(rules: RuleSet, start: date, zone: str) -> tuple[date, Suspension | None]:
    """R-DRF-WINDOW: the window opens start − 2 months (4 weeks in 2021); inside a
    suspension it opens the day after the suspension, which is returned with it."""
    opens = rules.drf_opens_before_start.value.before(start, zone)
    suspension = suspension_on(rules, opens)
    if suspension is None:
        return opens, None
    return suspension[1] + timedelta(days=1), suspension
