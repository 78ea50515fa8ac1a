"""What the engine returns, in two stages.

A `Schedule` is what a dossier's facts decide: every step's opening and due dates, rule and
done-on day, the mission window and hours, the documents missing, and the alerts. It does not
depend on the day, so it can be computed once per write and stored (store/steps.py). A
`Timeline` is a schedule seen on one day: each step's status and days left, and the alerts
that depend on the day (deadlines/status.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import Enum
from functools import lru_cache
from fractions import Fraction
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dossiers.deadlines.documents import ChecklistItem


class Status(Enum):
    NOT_YET_OPEN = "not_yet_open"
    OPEN = "open"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    DONE = "done"
    DONE_LATE = "done_late"
    DONE_TOO_EARLY = "done_too_early"
    WAITING_AKTO = "waiting_akto"
    AKTO_LATE = "akto_late"
    JUSTIFIED = "justified"

    @property
    def is_finished(self) -> bool:
        """A step done too early is not finished: it is to be done again in its window
        (I-DRF-TOO-EARLY)."""
        return self in (Status.DONE, Status.DONE_LATE, Status.JUSTIFIED)


@dataclass(frozen=True)
class MissionCount:
    """One recorded mission and whether it counts towards the obligation, and why not."""

    start: date
    end: date
    hours: Fraction
    counted: bool
    reason: str | None


@lru_cache(maxsize=4096)
def _remaining(required: Fraction, done: Fraction) -> Fraction:
    """Exact fractions are slow, and the same few pairs come back on thousands of dossiers."""
    return max(Fraction(0), required - done)


@dataclass(frozen=True)
class MissionProgress:
    hours_done: Fraction
    hours_required: Fraction
    window_start: date
    window_end: date
    missions: tuple[MissionCount, ...] = ()

    @property
    def hours_remaining(self) -> Fraction:
        return _remaining(self.hours_required, self.hours_done)


@dataclass(frozen=True)
class Step:
    code: str
    label: str
    opens: date | None
    due: date | None
    done_on: date | None
    status: Status
    rule: str
    days_left: int | None
    progress: MissionProgress | None = None
    missing: tuple[str, ...] = ()


def due_within(step: Step, days: int) -> bool:
    """A step for the agency to do whose due date falls in the next `days` days (today
    included): what `report upcoming` lists and `list --due-within` counts. A step done too
    early is to do again; a step waiting for AKTO is not the agency's to do."""
    return (step.status in (Status.OPEN, Status.DUE_SOON, Status.DONE_TOO_EARLY)
            and step.days_left is not None and 0 <= step.days_left <= days)


@dataclass(frozen=True)
class Alert:
    code: str
    rule: str
    message: str


class Track(Enum):
    """How a planned step's status follows from its dates and the day (deadlines/status.py)."""

    AGENCY = "agency"  # the agency's to do, by its due date (R-CAL-4)
    ACCEPTED = "accepted"  # done once recorded, whatever the window: AKTO accepted it
    AKTO = "akto"  # AKTO's answer: waiting, then late (R-DRF-ANSWER)
    JUSTIFIED = "justified"  # a mission obligation closed by a proven incident (R-CDPI-EXCUSE)


@dataclass(frozen=True)
class PlannedStep:
    """A step as the facts decide it, before any day: no status, no days left."""

    code: str
    opens: date | None
    due: date | None
    done_on: date | None
    rule: str
    track: Track = Track.AGENCY
    progress: MissionProgress | None = None
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class DayCheck:
    """An alert whose presence or words depend on the day: `status.py` reads the step it
    names on that day. `code` says which check (deadlines/status.py):

    akto_late                       the step is AKTO_LATE; `message` fixed
    flat_rate_lost, mission_missed  the step is OVERDUE; `message` fixed
    drf_too_early                   always; the words follow the day (`on`: the deposit)
    mission_at_risk                 the remaining hours no longer fit at `pace` h a week
    """

    code: str
    rule: str
    step: str
    message: str | None = None
    on: date | None = None
    pace: Fraction | None = None


@dataclass(frozen=True)
class Schedule:
    """A dossier's steps and alerts as its facts decide them, in the order they are shown;
    `alerts` mixes fixed alerts and checks made on the day, in that order too."""

    steps: tuple[PlannedStep, ...]
    alerts: tuple[Alert | DayCheck, ...]
    drf_redo_required: bool | None
    mission_hours_required: Fraction
    checklist: tuple[ChecklistItem, ...] = ()


@dataclass(frozen=True)
class Timeline:
    steps: tuple[Step, ...]
    alerts: tuple[Alert, ...]
    drf_redo_required: bool | None
    mission_hours_required: Fraction
    checklist: tuple[ChecklistItem, ...] = ()

    def step(self, code: str) -> Step | None:
        return next((step for step in self.steps if step.code == code), None)

    def without_detail(self) -> Timeline:
        """What a stored timeline gives (store/steps.py): no document checklist and no
        mission-by-mission count, which only `show`, `explain` and `doc` print, from the
        facts."""
        steps = tuple(step if step.progress is None else
                      replace(step, progress=replace(step.progress, missions=()))
                      for step in self.steps)
        return replace(self, steps=steps, checklist=())

    @property
    def overdue(self) -> tuple[Step, ...]:
        return tuple(step for step in self.steps if step.status is Status.OVERDUE)
