"""Which steps to remind whom of on a day: pure, like the deadline engine.

One digest per recipient. The owner gets the steps whose due date reaches a lead
time, those overdue, late AKTO answers and windows that just opened; a step
overdue for more than N jours ouvrés also goes to the agency's managers. Lead
times and openings crossed since the last run are caught up.

Digests go out on jours ouvrés only (R-CAL-1, in the zone of the dossier's agency): nothing
on Saturdays, Sundays or the zone's public holidays, and the next jour ouvré's digest
brings what those days crossed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from dossiers.deadlines.business_days import add_business_days, is_business_day
from dossiers.deadlines.timeline import Status, Step, Timeline

ACTIONABLE = frozenset({"drf", "drf_redo", "contract", "positioning_assessment", "car_request",
                        "mission_obligation", "attendance"})


class Reason:
    OVERDUE = "overdue"
    AKTO_LATE = "akto_late"
    AT_RISK = "at_risk"
    DUE = "due"
    OPENED = "opened"


REPEATING = frozenset({Reason.OVERDUE, Reason.AKTO_LATE, Reason.AT_RISK})

# Alerts a digest repeats under its dossier: their messages name no sensitive fact.
REMINDED_ALERTS = frozenset({"drf_redo", "drf_refused", "drf_too_early", "missing_documents",
                             "mission_at_risk", "incident_unproven", "flat_rate_lost", "mission_missed",
                             "funding_impossible", "headcount_unknown", "headcount_boundary",
                             "pole_opinion_late"})


@dataclass(frozen=True)
class Person:
    email: str
    name: str


@dataclass(frozen=True)
class DossierState:
    """What the selection needs of a dossier: no eligibility, no health data."""

    id: int
    reference: str
    worker: str
    kind: str
    agency_id: int
    zone: str
    owner: Person
    managers: tuple[Person, ...]
    timeline: Timeline


@dataclass(frozen=True)
class Policy:
    leads_for: Callable[[str], tuple[int, ...]]
    escalation_days: int = 3
    min_gap_days: int = 1


@dataclass(frozen=True)
class Item:
    step: Step
    reason: str
    days_late: int = 0
    escalated: bool = False


@dataclass(frozen=True)
class DossierItems:
    dossier_id: int
    reference: str
    worker: str
    kind: str
    owner_name: str
    items: tuple[Item, ...]
    alerts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Digest:
    recipient: Person
    dossiers: tuple[DossierItems, ...]

    @property
    def count(self) -> int:
        return sum(len(group.items) for group in self.dossiers)

    @property
    def late_count(self) -> int:
        return sum(1 for group in self.dossiers for item in group.items
                   if item.reason == Reason.OVERDUE)


ORDER = {Reason.OVERDUE: 0, Reason.AKTO_LATE: 1, Reason.AT_RISK: 2, Reason.DUE: 3,
         Reason.OPENED: 4}


@dataclass
class _Builder:
    """One recipient's digest as it fills; it keeps what the message shows, not the
    dossiers' timelines, so that memory follows the number of reminders."""

    recipient: Person
    # Per dossier: its heading (DossierItems' fields but its items), and its items by step
    # (the first item of a step stays); the DossierItems is made once, when the digest is.
    groups: dict[int, tuple[tuple[Any, ...], dict[str, Item]]] = field(default_factory=dict)

    def add(self, dossier: DossierState, item: Item) -> None:
        entry = self.groups.get(dossier.id)
        if entry is None:
            alerts = tuple(f"{a.message} ({a.rule})" for a in dossier.timeline.alerts
                           if a.code in REMINDED_ALERTS)
            entry = self.groups[dossier.id] = (
                (dossier.id, dossier.reference, dossier.worker, dossier.kind,
                 dossier.owner.name, alerts), {})
        entry[1].setdefault(item.step.code, item)

    def digest(self) -> Digest:
        groups = [DossierItems(*heading[:5], items=tuple(sorted(
                      items.values(), key=lambda i: (ORDER[i.reason], i.step.due or date.max))),
                               alerts=heading[5])
                  for heading, items in self.groups.values()]
        groups.sort(key=lambda g: (ORDER[g.items[0].reason], g.items[0].step.due or date.max,
                                   g.reference))
        return Digest(self.recipient, tuple(groups))


SENT = "sent"
WAITING = ("pending", "uncertain")


def reminders_given(history: Iterable[tuple[int, str, str, str, date]]
                    ) -> dict[tuple[int, str, str], date]:
    """From the outbox's (dossier_id, step, email, status, day) lines: the last day each step
    was in a digest *delivered* to each person. A digest pending, uncertain, failed or
    superseded reminded nobody: it does not count for the minimum gap."""
    given: dict[tuple[int, str, str], date] = {}
    for dossier_id, step, email, status, day in history:
        key = (dossier_id, step, email)
        if status == SENT and (key not in given or given[key] < day):
            given[key] = day
    return given


def undelivered_since(waiting: Iterable[tuple[str, str, date]], day: date) -> dict[str, date]:
    """From the outbox's (email, status, day) messages: per person, the day before their oldest
    digest of an earlier day still waiting to go. The day's digest catches up from there."""
    since: dict[str, date] = {}
    for email, status, sent_on in waiting:
        if status in WAITING and sent_on < day:
            before = sent_on - timedelta(days=1)
            since[email] = min(since.get(email, before), before)
    return since


def select_digests(
    dossiers: Iterable[DossierState],
    day: date,
    since: date,
    policy: Policy,
    last_reminded: Mapping[tuple[int, str, str], date],
    snoozed_until: Mapping[tuple[int, str], date],
    undelivered_since: Mapping[str, date] | None = None,
) -> Iterator[Digest]:
    """The digests of `day`; `since` is the last day already handled (day − 1 normally).

    `last_reminded[(dossier_id, step, email)]` is the last day that step was in a digest
    delivered to that person (only a sent message counts as a reminder given);
    `snoozed_until[(dossier_id, step)]` silences a step up to that day included;
    `undelivered_since[email]` is the day before that person's oldest digest still waiting to
    go: what it announced is caught up from there, so the new digest carries it (and the old
    ones can be superseded).
    Dossiers come grouped by agency (owners and managers belong to the dossier's agency),
    so each agency's digests are given as soon as its last dossier is read.
    """
    builders: dict[str, _Builder] = {}
    agency: int | None = None

    def flush() -> Iterator[Digest]:
        digests = [builder.digest() for builder in builders.values()]
        builders.clear()
        yield from sorted((d for d in digests if d.count), key=lambda d: d.recipient.email)

    def add(person: Person, dossier: DossierState, item: Item) -> None:
        if item.reason in REPEATING:
            last = last_reminded.get((dossier.id, item.step.code, person.email))
            if last is not None and (day - last).days < policy.min_gap_days:
                return
        builders.setdefault(person.email, _Builder(person)).add(dossier, item)

    for dossier in dossiers:
        if dossier.agency_id != agency:
            yield from flush()
            agency = dossier.agency_id
        if not is_business_day(day, dossier.zone):
            continue  # the agency is closed: the next jour ouvré catches up
        # What fell on the days off since the zone's last jour ouvré comes today.
        zone_since = min(since, add_business_days(day, -1, dossier.zone))
        if undelivered_since:
            zone_since = min(zone_since, undelivered_since.get(dossier.owner.email, zone_since))
        for step in dossier.timeline.steps:
            until = snoozed_until.get((dossier.id, step.code))
            if until is not None and day <= until:
                continue
            item = _item_for(step, day, zone_since, policy, dossier.timeline)
            if item is None:
                continue
            add(dossier.owner, dossier, item)
            if item.reason == Reason.OVERDUE and step.due is not None:
                # More than N jours ouvrés late: the (N+1)th jour ouvré after the due date
                # has come.
                escalate_on = add_business_days(step.due, policy.escalation_days + 1, dossier.zone)
                if escalate_on <= day:
                    for manager in dossier.managers:
                        add(manager, dossier, Item(step, item.reason, item.days_late, True))
    yield from flush()


def _item_for(step: Step, day: date, since: date, policy: Policy,
              timeline: Timeline) -> Item | None:
    if step.status is Status.AKTO_LATE:
        return Item(step, Reason.AKTO_LATE)
    if step.code not in ACTIONABLE or step.status.is_finished:
        return None
    if step.status is Status.OVERDUE:
        assert step.due is not None
        return Item(step, Reason.OVERDUE, days_late=(day - step.due).days)
    if step.code == "mission_obligation" and any(
        alert.code == "mission_at_risk" for alert in timeline.alerts
    ):
        return Item(step, Reason.AT_RISK)
    if step.status is Status.NOT_YET_OPEN:
        return None
    if step.due is not None and any(
        since < step.due - timedelta(days=lead) <= day for lead in policy.leads_for(step.code)
    ):
        return Item(step, Reason.DUE)
    if step.opens is not None and since < step.opens <= day:
        return Item(step, Reason.OPENED)
    return None
