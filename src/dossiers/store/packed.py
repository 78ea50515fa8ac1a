"""A stored schedule as one line of text, and back.

A dossier's schedule (deadlines/timeline.py `Schedule`, without the detail only `show` prints)
is kept in one column of its `timelines` row (store/steps.py): a compact JSON array that the
daily commands read with the dossier's own row, in the same query, and turn back into the
engine's objects without any rule run again. Dates are day ordinals, fractions their exact
text (« 70 », « 140/3 »):

    [mission_hours, drf_redo,
     [[code, opens, due, done_on, rule, track, hours_done, [missing…]], …],
     [[code, rule, message] | [code, rule, message, step, on, pace], …]]

A mission obligation's progress is rebuilt from its step: the window is the step's opening
and due dates, the hours required the schedule's.
"""

from __future__ import annotations

import json
from datetime import date
from fractions import Fraction
from functools import lru_cache

from dossiers.deadlines.timeline import (
    Alert, DayCheck, MissionProgress, PlannedStep, Schedule, Track,
)

_TRACKS = {track.value: track for track in Track}
_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_decode = json.JSONDecoder().decode
_from_ordinal = date.fromordinal


def _day(value: date | None) -> int | None:
    return None if value is None else value.toordinal()


def _text(value: Fraction | None) -> str | None:
    return None if value is None else str(value)


@lru_cache(maxsize=4096)
def fraction(text: str) -> Fraction:
    """« 70 », « 140/3 »: the same few figures come back on thousands of rows."""
    return Fraction(text)


def pack(schedule: Schedule) -> str:
    steps = [[step.code, _day(step.opens), _day(step.due), _day(step.done_on), step.rule,
              step.track.value,
              None if step.progress is None else _text(step.progress.hours_done),
              list(step.missing)]
             for step in schedule.steps]
    alerts = [[entry.code, entry.rule, entry.message] if isinstance(entry, Alert) else
              [entry.code, entry.rule, entry.message, entry.step, _day(entry.on),
               _text(entry.pace)]
              for entry in schedule.alerts]
    return _encode([str(schedule.mission_hours_required), schedule.drf_redo_required,
                    steps, alerts])


def unpack(text: str) -> Schedule:
    required_text, drf_redo, step_rows, alert_rows = _decode(text)
    required = fraction(required_text)
    steps = []
    for code, opens, due, done_on, rule, track, hours_done, missing in step_rows:
        opens_day = None if opens is None else _from_ordinal(opens)
        due_day = None if due is None else _from_ordinal(due)
        progress = None
        if hours_done is not None:
            progress = MissionProgress(fraction(hours_done), required, opens_day, due_day)
        steps.append(PlannedStep(code, opens_day, due_day,
                                 None if done_on is None else _from_ordinal(done_on),
                                 rule, _TRACKS[track], progress, tuple(missing)))
    alerts: list[Alert | DayCheck] = []
    for row in alert_rows:
        if len(row) == 3:
            alerts.append(Alert(*row))
        else:
            code, rule, message, step, on, pace = row
            alerts.append(DayCheck(code, rule, step, message,
                                   None if on is None else _from_ordinal(on),
                                   None if pace is None else fraction(pace)))
    return Schedule(tuple(steps), tuple(alerts), drf_redo, required)

