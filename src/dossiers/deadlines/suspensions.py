"""The summer 2022 suspension of DRF deposits (R-DRF-WINDOW, interpretation I-2021-SUSPENSION).

002 stops deposits from 1 July to 21 August 2022 inclusive. It is a fact about dates, not a
figure of one rule set: under every rule set, no deposit is dated inside it, and a DRF window
cut by it either ends on the day before (30/06/2022, then « trop tard ») or opens on the day
after (22/08/2022). A window entirely inside allows no DRF.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dossiers.deadlines.rulesets import DRF_SUSPENSIONS, RuleSet

Suspension = tuple[date, date]


def suspension_on(day: date) -> Suspension | None:
    """The suspension of deposits that holds `day`, if any."""
    for first, last in DRF_SUSPENSIONS.value:
        if first <= day <= last:
            return first, last
    return None


@dataclass(frozen=True)
class DrfWindow:
    """R-DRF-WINDOW: the days a DRF can be deposited, and how a suspension cut them.

    `computed_opens`, `computed_due`: the rule set's arithmetic alone; `opens`, `due`: once
    cut by a suspension (`opening_moved_by`, `due_moved_by`)."""

    opens: date
    due: date
    computed_opens: date
    computed_due: date
    opening_moved_by: Suspension | None
    due_moved_by: Suspension | None

    @property
    def impossible(self) -> bool:
        """The whole window lies inside a suspension: no DRF can be deposited."""
        return self.opens > self.due

    def crossed(self) -> list[Suspension]:
        """The suspensions lying inside the window, deposits refused on their days."""
        return [(first, last) for first, last in DRF_SUSPENSIONS.value
                if self.opens < first and last < self.due]


def drf_window(rules: RuleSet, start: date, zone: str) -> DrfWindow:
    """R-DRF-WINDOW: opens on the first day from which the start lies within 2 months (4 weeks
    in 2021, R-CAL-3), due start − 2 jours ouvrés (R-CAL-1); an opening inside a suspension
    moves to the day after it, a due date inside one to the day before it (I-2021-SUSPENSION)."""
    computed_opens = rules.drf_opens_before_start.value.earliest_before(start, zone)
    computed_due = rules.drf_due_before_start.value.before(start, zone)
    opens, due = computed_opens, computed_due
    opening_moved_by = suspension_on(computed_opens)
    if opening_moved_by is not None:
        opens = opening_moved_by[1] + timedelta(days=1)
    due_moved_by = suspension_on(computed_due)
    if due_moved_by is not None:
        due = due_moved_by[0] - timedelta(days=1)
    return DrfWindow(opens, due, computed_opens, computed_due, opening_moved_by, due_moved_by)


def drf_opening(rules: RuleSet, start: date, zone: str) -> tuple[date, Suspension | None]:
    """The opening of the DRF window, and the suspension that moved it, if one did."""
    window = drf_window(rules, start, zone)
    return window.opens, window.opening_moved_by
