"""What the engine returns: steps with dates and statuses, and alerts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
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


@dataclass(frozen=True)
class MissionProgress:
    hours_done: Fraction
    hours_required: Fraction
    window_start: date
    window_end: date
    missions: tuple[MissionCount, ...] = ()

    @property
    def hours_remaining(self) -> Fraction:
        return max(Fraction(0), self.hours_required - self.hours_done)


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


@dataclass(frozen=True)
class Timeline:
    steps: tuple[Step, ...]
    alerts: tuple[Alert, ...]
    drf_redo_required: bool | None
    mission_hours_required: Fraction
    checklist: tuple[ChecklistItem, ...] = ()

    def step(self, code: str) -> Step | None:
        return next((step for step in self.steps if step.code == code), None)

    @property
    def overdue(self) -> tuple[Step, ...]:
        return tuple(step for step in self.steps if step.status is Status.OVERDUE)
