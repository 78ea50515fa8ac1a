"""A schedule seen on one day: each step's status and days left, and the alerts of the day.

Small and pure, so that a stored schedule (store/steps.py) and one computed in memory
(engine.py) give the same answers through the same lines.
"""

from __future__ import annotations

from datetime import date

from dossiers import messages
from dossiers.deadlines.timeline import (
    Alert, DayCheck, PlannedStep, Schedule, Status, Step, Timeline, Track,
)

DEFAULT_DUE_SOON_DAYS = 7


def status_on(schedule: Schedule, day: date,
              due_soon_days: int = DEFAULT_DUE_SOON_DAYS) -> Timeline:
    """The timeline of `day`. The schedule must be that of the facts known on `day`
    (I-AS-OF-KNOWS-PAST): engine.compute_timeline cuts them; a stored schedule holds over
    its interval of days (store/steps.py)."""
    steps = tuple([_step_on(planned, day, due_soon_days) for planned in schedule.steps])
    by_code = None
    alerts = []
    for entry in schedule.alerts:
        if isinstance(entry, Alert):
            alerts.append(entry)
            continue
        if by_code is None:
            by_code = {step.code: step for step in steps}
        alert = _check(entry, by_code[entry.step], day)
        if alert is not None:
            alerts.append(alert)
    return Timeline(steps=steps, alerts=tuple(alerts),
                    drf_redo_required=schedule.drf_redo_required,
                    mission_hours_required=schedule.mission_hours_required,
                    checklist=schedule.checklist)


def step_status(opens: date | None, due: date | None, done_on: date | None, day: date,
                due_soon_days: int = DEFAULT_DUE_SOON_DAYS) -> Status:
    """R-CAL-4: on time when done on or before the due date; R-DRF-WINDOW: a window
    is also missed when the step is done before it opens (I-DRF-TOO-EARLY)."""
    if done_on is not None:
        if opens is not None and done_on < opens:
            # Done before its window: it does not count (I-DRF-TOO-EARLY); late once
            # the due date has passed without a deposit in the window.
            if due is not None and day > due:
                return Status.OVERDUE
            return Status.DONE_TOO_EARLY
        if due is not None and done_on > due:
            return Status.DONE_LATE
        return Status.DONE
    if opens is not None and day < opens:
        return Status.NOT_YET_OPEN
    if due is None:
        return Status.OPEN
    if day > due:
        return Status.OVERDUE
    if (due - day).days <= due_soon_days:
        return Status.DUE_SOON
    return Status.OPEN


def _step_on(planned: PlannedStep, day: date, due_soon_days: int) -> Step:
    if planned.track is Track.JUSTIFIED:
        status = Status.JUSTIFIED
    elif planned.track is Track.ACCEPTED and planned.done_on is not None:
        status = Status.DONE  # AKTO's accord decides, not the window (I-DRF-SHIFT-DECIDES)
    elif planned.track is Track.AKTO:
        # R-DRF-ANSWER: late past the expected day is AKTO's delay, not the agency's.
        if planned.done_on is not None:
            status = Status.DONE
        elif planned.due is not None and day > planned.due:
            status = Status.AKTO_LATE
        else:
            status = Status.WAITING_AKTO
    else:
        status = step_status(planned.opens, planned.due, planned.done_on, day, due_soon_days)
    days_left = (planned.due - day).days if planned.due is not None else None
    # Step(…) without the ten `object.__setattr__` calls of a frozen dataclass's __init__,
    # more than a third of status_on's time, which runs for every dossier a command looks at
    # (three times for each stored timeline): every field set, the same object
    # (tests/test_engine.py compares them).
    step = _object_new(Step)
    step.__dict__.update({
        "code": planned.code, "label": messages.STEP_LABELS[planned.code],
        "opens": planned.opens, "due": planned.due, "done_on": planned.done_on,
        "status": status, "rule": planned.rule, "days_left": days_left,
        "progress": planned.progress, "missing": planned.missing})
    return step


_object_new = object.__new__


def _check(check: DayCheck, step: Step, day: date) -> Alert | None:
    """The alert a check gives on `day`, or None (the codes are listed in DayCheck)."""
    if check.code == "akto_late":
        return _fixed(check) if step.status is Status.AKTO_LATE else None
    if check.code in ("flat_rate_lost", "mission_missed"):
        return _fixed(check) if step.status is Status.OVERDUE else None
    if check.code == "drf_too_early":
        assert check.on is not None and step.opens is not None and step.due is not None
        return Alert(check.code, check.rule,
                     messages.alert_drf_too_early(check.on, step.opens, step.due, day))
    if check.code == "mission_at_risk":
        return _at_risk(check, step, day)
    raise ValueError(f"unknown day check {check.code!r}")


def _fixed(check: DayCheck) -> Alert:
    assert check.message is not None
    return Alert(check.code, check.rule, check.message)


def _at_risk(check: DayCheck, step: Step, day: date) -> Alert | None:
    """I-MISSION-PACE-35H: before the deadline, warn when the remaining hours no longer fit
    at the rule set's weekly pace."""
    progress = step.progress
    if step.status is Status.OVERDUE or progress is None or check.pace is None:
        return None
    first = max(day, progress.window_start)
    days = (progress.window_end - first).days + 1
    if days <= 0:
        return None
    # remaining > pace × days / 7, exactly, in integers (run on every open dossier, every day).
    remaining, pace = progress.hours_remaining, check.pace
    if (remaining.numerator * pace.denominator * 7
            > pace.numerator * days * remaining.denominator):
        return Alert(check.code, check.rule,
                     messages.alert_mission_at_risk(remaining, days, pace))
    return None
