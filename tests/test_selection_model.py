"""Issue 18, point 9: `select_digests` (with `reminders_given` and `undelivered_since`, which
read the outbox's history) against a small, independent statement of the reminder policy,
over random histories and days.

The policy, in words (the model below says it again, step by step):
- nothing goes on a day that is not a jour ouvré of the dossier's zone (R-CAL-1);
- a step not finished and overdue is reminded to its owner; more than `escalation_days` jours
  ouvrés after its due date, to the agency's managers too;
- a step open whose due date minus a lead time, or whose opening, falls after the last day
  handled and up to the day, is reminded to its owner; the last day handled is the earlier of
  the last run, the zone's previous jour ouvré, and the day before the owner's oldest digest
  still waiting (pending or uncertain) — the new digest carries it;
- a snooze silences a step up to its end day included;
- an overdue step reminded to a person fewer than `min_gap_days` days ago is not repeated; only
  a *sent* digest reminded anyone (failed, superseded, pending and uncertain ones did not).
Statuses AKTO_LATE and the mission-at-risk alert are out of this model (fixed tests cover them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from dossiers.deadlines.business_days import is_business_day
from dossiers.deadlines.timeline import Status, Step, Timeline
from dossiers.reminders.selection import (
    DossierState, Person, Policy, reminders_given, select_digests, undelivered_since,
)

LEADS = (7, 2, 0)
OWNERS = (Person("a@example.fr", "A"), Person("b@example.fr", "B"))
MANAGER = Person("m@example.fr", "M")
CODES = ("drf", "contract", "attendance")
FIRST = date(2027, 4, 20)  # around Easter Monday and 1st/8th May: days off in both zones


@dataclass(frozen=True)
class StepFacts:
    code: str
    opens: date
    due: date
    done_on: date | None


@dataclass(frozen=True)
class DossierFacts:
    id: int
    zone: str
    owner: Person
    steps: tuple[StepFacts, ...]


def status_on(step: StepFacts, day: date) -> Status:
    if step.done_on is not None and step.done_on <= day:
        return Status.DONE
    if day < step.opens:
        return Status.NOT_YET_OPEN
    if step.due < day:
        return Status.OVERDUE
    return Status.OPEN


def state_of(dossier: DossierFacts, day: date) -> DossierState:
    steps = tuple(Step(code=s.code, label=s.code, opens=s.opens, due=s.due,
                       done_on=s.done_on if s.done_on and s.done_on <= day else None,
                       status=status_on(s, day), rule="R", days_left=(s.due - day).days)
                  for s in dossier.steps)
    return DossierState(id=dossier.id, reference=f"D-{dossier.id}", worker="W", kind="cdpi",
                        agency_id=1, zone=dossier.zone, owner=dossier.owner,
                        managers=(MANAGER,), timeline=Timeline(steps, (), None, 0))


# The model -------------------------------------------------------------------------------------


def previous_working_day(day: date, zone: str) -> date:
    day -= timedelta(days=1)
    while not is_business_day(day, zone):
        day -= timedelta(days=1)
    return day


def nth_working_day_after(day: date, count: int, zone: str) -> date:
    while count:
        day += timedelta(days=1)
        count -= is_business_day(day, zone)
    return day


def model(dossiers: list[DossierFacts], day: date, last_run: date, escalation: int, gap: int,
          history: list[tuple[int, str, str, str, date]],
          snoozes: dict[tuple[int, str], date]) -> dict[str, set[tuple[int, str, str, bool]]]:
    sent_days: dict[tuple[int, str, str], list[date]] = {}
    for dossier_id, code, email, status, on in history:
        if status == "sent":
            sent_days.setdefault((dossier_id, code, email), []).append(on)
    waiting_days: dict[str, list[date]] = {}
    for _, _, email, status, on in history:
        if status in ("pending", "uncertain") and on < day:
            waiting_days.setdefault(email, []).append(on)
    expected: dict[str, set[tuple[int, str, str, bool]]] = {}

    def give(person: Person, dossier_id: int, code: str, reason: str, escalated: bool) -> None:
        if reason == "overdue":
            recent = [on for on in sent_days.get((dossier_id, code, person.email), [])
                      if (day - on).days < gap]
            if recent:
                return
        expected.setdefault(person.email, set()).add((dossier_id, code, reason, escalated))

    for dossier in dossiers:
        if not is_business_day(day, dossier.zone):
            continue
        handled = min([last_run, previous_working_day(day, dossier.zone)]
                      + [on - timedelta(days=1) for on in waiting_days.get(dossier.owner.email, [])])
        for step in dossier.steps:
            snoozed = snoozes.get((dossier.id, step.code))
            if snoozed is not None and day <= snoozed:
                continue
            status = status_on(step, day)
            if status is Status.DONE or status is Status.NOT_YET_OPEN:
                continue
            if status is Status.OVERDUE:
                give(dossier.owner, dossier.id, step.code, "overdue", False)
                if day >= nth_working_day_after(step.due, escalation + 1, dossier.zone):
                    give(MANAGER, dossier.id, step.code, "overdue", True)
            elif any(handled < step.due - timedelta(days=lead) <= day for lead in LEADS):
                give(dossier.owner, dossier.id, step.code, "due", False)
            elif handled < step.opens <= day:
                give(dossier.owner, dossier.id, step.code, "opened", False)
    return {email: items for email, items in expected.items() if items}


# Random histories -----------------------------------------------------------------------------

days = st.integers(min_value=0, max_value=40).map(lambda n: FIRST + timedelta(days=n))


@st.composite
def steps(draw: st.DrawFn, code: str) -> StepFacts:
    opens = draw(days)
    due = opens + timedelta(days=draw(st.integers(0, 15)))
    done = draw(st.none() | days)
    return StepFacts(code, opens, due, done)


@st.composite
def dossiers(draw: st.DrawFn) -> list[DossierFacts]:
    count = draw(st.integers(1, 3))
    return [DossierFacts(number, draw(st.sampled_from(["metropole", "alsace-moselle"])),
                         draw(st.sampled_from(OWNERS)),
                         tuple(draw(steps(code)) for code in
                               draw(st.lists(st.sampled_from(CODES), min_size=1, max_size=3,
                                             unique=True))))
            for number in range(1, count + 1)]


@settings(max_examples=400, deadline=None, derandomize=True)
@given(dossiers(), days, st.integers(1, 10), st.integers(0, 4), st.integers(0, 4),
       st.data())
def test_select_digests_agrees_with_the_policy_model(
    facts: list[DossierFacts], day: date, back: int, escalation: int, gap: int,
    data: st.DataObject,
) -> None:
    people = [*OWNERS, MANAGER]
    pairs = [(d.id, s.code) for d in facts for s in d.steps]
    history = data.draw(st.lists(st.tuples(
        st.sampled_from(pairs), st.sampled_from([p.email for p in people]),
        st.sampled_from(["sent", "sent", "failed", "superseded", "pending", "uncertain"]),
        st.integers(1, 6)), max_size=10))
    lines = [(dossier_id, code, email, status, day - timedelta(days=ago))
             for (dossier_id, code), email, status, ago in history]
    snoozes = {pair: day + timedelta(days=offset) for pair, offset in data.draw(st.dictionaries(
        st.sampled_from(pairs), st.integers(-3, 3), max_size=2)).items()}
    last_run = day - timedelta(days=back)
    policy = Policy(lambda _code: LEADS, escalation, gap)
    waiting = [(email, status, on) for _, _, email, status, on in lines]
    found = {digest.recipient.email: {
                 (group.dossier_id, item.step.code, item.reason, item.escalated)
                 for group in digest.dossiers for item in group.items}
             for digest in select_digests(
                 [state_of(d, day) for d in facts], day, last_run, policy,
                 reminders_given(lines), snoozes, undelivered_since(waiting, day))}
    assert found == model(facts, day, last_run, escalation, gap, lines, snoozes)
