"""`dossiers remind`: compose the day's digests into the outbox (services/delivery.py then
sends what is due).

Each digest is recorded (outbox, status pending) before it is sent and its fate right after,
each in its own transaction: a crash costs at most one repeated message (same Message-ID), never
a lost one. After an outage, a person's older digests still waiting are superseded by the day's,
which carries their open items; `recompose` rewrites a waiting digest after a purge.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from email import message_from_string
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.errors import MessageError
from email.message import EmailMessage

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from dossiers.deadlines.business_days import holidays_cover, is_business_day, next_business_day
from dossiers.mail.addresses import AddressError
from dossiers.mail.compose import (
    Preview, build_message, new_message_id, preview_message, sender_address,
)
from dossiers.reminders.selection import (
    ACTIONABLE, Digest, DossierState, Person, Policy, reminders_given, select_digests,
)
from dossiers.reminders.selection import undelivered_since as waiting_since
from dossiers.errors import InvalidInput
from dossiers.services.dossiers import log_change, open_or_closed_after, timeline_of
from dossiers.settings import Settings
from dossiers.store.models import (
    Agency, Dossier, OutboxItem, OutboxMessage, ReminderRun, Snooze, StoredTimeline,
)
from dossiers.store.records import dossier_query, managers_by_agency
from dossiers.services.timelines import timelines_on
from dossiers.store.steps import candidates

# send_pending, the second half of remind, lives with the outbox's states in delivery.py.
from dossiers.services.delivery import (  # noqa: F401
    FAILED, PENDING, SUPERSEDED, WAITING, send_pending,
)


def policy_of(settings: Settings) -> Policy:
    reminders = settings.reminders
    return Policy(reminders.leads_for, reminders.escalation_days, reminders.min_gap_days)


# Reminders on a jour ouvré catch up the days off before it (R-CAL-1): never this many in a row.
LONGEST_DAYS_OFF = 15


def dossier_states(session: Session, day: date, since: date | None = None,
                   policy: Policy | None = None) -> Iterator[DossierState]:
    """Open dossiers with their timelines on `day`, their owner and their agency's managers.

    With `since` and `policy`, only those that may have something to remind of since `since`
    (SQL over the stored timelines chooses a superset; only those are seen on the day).
    """
    managers = {agency: tuple(Person(m.email, m.name) for m in people)
                for agency, people in managers_by_agency(session).items()}
    query = open_or_closed_after(dossier_query(), day)
    if since is not None and policy is not None:
        lead = max((lead for code in ACTIONABLE for lead in policy.leads_for(code)), default=0)
        query = query.where(Dossier.id.in_(candidates(
            day, day, remind_since=min(since, day - timedelta(days=LONGEST_DAYS_OFF)),
            remind_lead=lead)))
    for seen in timelines_on(session, query, lambda _zone: day):
        if not seen.open:
            continue
        dossier = seen.dossier
        yield DossierState(
            id=dossier.id, reference=dossier.reference, worker=dossier.worker, kind=dossier.kind,
            agency_id=dossier.agency_id, zone=dossier.agency.zone,
            owner=Person(dossier.owner.email, dossier.owner.name),
            managers=managers.get(dossier.agency_id, ()),
            timeline=seen.timeline,
        )


def _digests(session: Session, day: date, settings: Settings,
             seen: set[tuple[str, int]] | None = None,
             undelivered: Mapping[str, date] | None = None,
             open_steps: set[tuple[int, str]] | None = None) -> Iterator[Digest]:
    """The day's digests. Only a delivered digest counts as a reminder given (the minimum gap
    reads sent messages only); `undelivered[email]`: the day before that person's oldest
    digest still waiting, from which the new one catches up. `open_steps` is filled with the
    (dossier, step) pairs seen not finished and not snoozed on the day."""
    since = session.scalar(select(func.max(ReminderRun.day)).where(ReminderRun.day < day))
    reminded = session.execute(
        select(OutboxItem.dossier_id, OutboxItem.step, OutboxMessage.recipient,
               OutboxMessage.status, func.max(OutboxMessage.day))
        .join(OutboxItem.message)
        .where(OutboxMessage.day < day)
        .group_by(OutboxItem.dossier_id, OutboxItem.step, OutboxMessage.recipient,
                  OutboxMessage.status)
    )
    # A snooze made after the day does not exist yet in that day's view (I-AS-OF-KNOWS-PAST).
    snoozes = session.execute(
        select(Snooze.dossier_id, Snooze.step, func.max(Snooze.until))
        .where(Snooze.made_on <= day)
        .group_by(Snooze.dossier_id, Snooze.step)
    )
    # Read both before the dossiers stream: the rows would otherwise be consumed lazily.
    last_reminded = reminders_given(tuple(row) for row in reminded)
    snoozed = {(d, s): until for d, s, until in snoozes}
    since = since or day - timedelta(days=1)
    policy = policy_of(settings)
    earliest = min([since, *(undelivered or {}).values()])
    states: Iterator[DossierState] = dossier_states(session, day, earliest, policy)
    if seen is not None:
        # Every open dossier's calendars, not only the day's candidates: from the stored steps.
        seen |= _stored_years(session, day)
        states = _noting_years(states, day, seen)
    if open_steps is not None:
        states = _noting_open_steps(states, day, snoozed, open_steps)
    return select_digests(states, day, since, policy, last_reminded, snoozed, undelivered)


def _noting_open_steps(states: Iterator[DossierState], day: date,
                       snoozed: Mapping[tuple[int, str], date],
                       open_steps: set[tuple[int, str]]) -> Iterator[DossierState]:
    for state in states:
        for step in state.timeline.steps:
            until = snoozed.get((state.id, step.code))
            if not step.status.is_finished and (until is None or day > until):
                open_steps.add((state.id, step.code))
        yield state


def _noting_years(states: Iterator[DossierState], day: date,
                  seen: set[tuple[str, int]]) -> Iterator[DossierState]:
    """The (zone, year) calendars the day's reminders lean on: the day's and each step's."""
    for state in states:
        seen.add((state.zone, day.year))
        for step in state.timeline.steps:
            for when in (step.opens, step.due):
                if when is not None:
                    seen.add((state.zone, when.year))
        yield state


def _stored_years(session: Session, day: date) -> set[tuple[str, int]]:
    """The (zone, year) calendars of every open dossier's steps (their dates do not depend
    on the day), and the day's own year in each zone that has one."""
    query = (select(Agency.zone, func.min(StoredTimeline.span_first),
                    func.max(StoredTimeline.span_last))
             .join(Dossier, Dossier.id == StoredTimeline.dossier_id)
             .join(Agency, Agency.id == Dossier.agency_id)
             .where(Dossier.state == "open").group_by(Agency.zone))
    seen: set[tuple[str, int]] = set()
    for zone, *bounds in session.execute(query):
        years = [when.year for when in bounds if when is not None] + [day.year]
        seen.update((zone, year) for year in range(min(years), max(years) + 1))
    return seen


def uncovered_calendars(seen: set[tuple[str, int]]) -> list[tuple[str, int]]:
    """R-CAL-2: the zone-years the installed `holidays` does not know (no public holiday
    would be counted there, so every deadline in them would be early or late)."""
    return sorted(pair for pair in seen if not holidays_cover(*pair))


COMPOSE_LOCK = 0x646F7373  # any constant: one lock for every composing run


def _lock_composition(session: Session) -> None:
    """Two runs at once compose one after the other. SQLite: the write transaction
    (BEGIN IMMEDIATE) already does it; PostgreSQL: a transaction-level advisory lock."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": COMPOSE_LOCK})


@dataclass(frozen=True)
class Composed:
    created: int
    already: int
    failed: int = 0
    uncovered: list[tuple[str, int]] = field(default_factory=list)
    superseded: int = 0


def undelivered_since(session: Session, day: date) -> dict[str, date]:
    """Per person, the day before their oldest digest (before `day`) still waiting to go."""
    rows = session.execute(
        select(OutboxMessage.recipient, OutboxMessage.status, func.min(OutboxMessage.day))
        .where(OutboxMessage.status.in_(WAITING), OutboxMessage.day < day)
        .group_by(OutboxMessage.recipient, OutboxMessage.status))
    return waiting_since((tuple(row) for row in rows), day)


def _supersede(session: Session, day: date, carried: Mapping[str, set[tuple[int, str]]],
               open_steps: set[tuple[int, str]]) -> int:
    """After an outage, one digest per person: an older digest still waiting becomes
    `superseded` when the day's digest carries every item of it that is still open (else
    it goes too: two messages rather than a lost reminder)."""
    older = session.scalars(
        select(OutboxMessage).where(OutboxMessage.status.in_(WAITING), OutboxMessage.day < day,
                                    OutboxMessage.recipient.in_(list(carried)))
    ) if carried else []
    done = 0
    for message in list(older):
        items = {(item.dossier_id, item.step) for item in message.items}
        if (items & open_steps) - carried[message.recipient]:
            continue
        # Conditional: a message a sender has just claimed is left to it.
        done += session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message.id, OutboxMessage.status.in_(WAITING))
            .values(status=SUPERSEDED, next_attempt_at=None,
                    last_error=f"remplacé par le récapitulatif du {day.strftime('%d/%m/%Y')}, "
                               "qui reprend ses points encore ouverts")
        ).rowcount
    return done


def compose_day(session: Session, day: date, settings: Settings, now: datetime) -> Composed:
    """Record the day's digests in the outbox; a recipient who has one for the day gets no other."""
    sender = sender_address(settings.mail.from_)
    _lock_composition(session)
    existing = set(session.scalars(select(OutboxMessage.recipient)
                                   .where(OutboxMessage.day == day)))
    created = already = failed = 0
    seen: set[tuple[str, int]] = set()
    undelivered = undelivered_since(session, day)
    open_steps: set[tuple[int, str]] = set()
    carried: dict[str, set[tuple[int, str]]] = {}
    for digest in _digests(session, day, settings, seen, undelivered, open_steps):
        if digest.recipient.email in existing:
            already += 1
            continue
        message_id = new_message_id(sender, day)
        items = [OutboxItem(dossier_id=group.dossier_id, step=item.step.code, reason=item.reason)
                 for group in digest.dossiers for item in group.items]
        if digest.recipient.email in undelivered:
            carried[digest.recipient.email] = {(item.dossier_id, item.step) for item in items}
        built = _build(digest, day, sender, message_id, now, settings)
        if isinstance(built, Unbuildable):
            # This person's digest alone: the others of the day still go.
            session.add(OutboxMessage(
                day=day, recipient=digest.recipient.email, recipient_name=digest.recipient.name,
                message_id=message_id, subject="", content="", status=FAILED, attempts=0,
                created_at=now, last_error=built.reason, items=items,
            ))
            failed += 1
            continue
        message, content = built
        session.add(OutboxMessage(
            day=day, recipient=digest.recipient.email, recipient_name=digest.recipient.name,
            message_id=message_id, subject=str(message["Subject"]), content=content,
            status=PENDING, attempts=0, created_at=now, items=items,
        ))
        created += 1
    if session.get(ReminderRun, day) is None:
        session.add(ReminderRun(day=day, composed_at=now))
    session.flush()
    superseded = _supersede(session, day, carried, open_steps)
    return Composed(created, already, failed, uncovered_calendars(seen), superseded)


# What makes one digest's message impossible to build (its address): that one fails alone.
BUILD_ERRORS = (AddressError, UnicodeError, MessageError)


@dataclass(frozen=True)
class Unbuildable:
    """A digest whose message cannot be built (its address): it fails alone."""

    recipient: str
    reason: str


def _build(digest: Digest, day: date, sender: str, message_id: str, now: datetime,
           settings: Settings) -> tuple[EmailMessage, str] | Unbuildable:
    """The message and its text as the outbox stores it, or why it cannot be built."""
    try:
        message = build_message(digest, day, sender, message_id, now, settings.mail.templates)
        return message, message.as_string()
    except BUILD_ERRORS as error:
        return Unbuildable(digest.recipient.email, f"message impossible à construire : {error}")


@dataclass(frozen=True)
class DaysOff:
    """The zones of the network's agencies where a day is not a jour ouvré (R-CAL-2), each
    with its next one: no reminder goes to their agencies that day."""

    zones: dict[str, date]
    every_zone: bool


def days_off(session: Session, day: date) -> DaysOff:
    zones = set(session.scalars(select(Agency.zone).distinct()))
    closed = {zone: next_business_day(day, zone) for zone in sorted(zones)
              if not is_business_day(day, zone)}
    return DaysOff(closed, bool(zones) and len(closed) == len(zones))


def preview_day(session: Session, day: date,
                settings: Settings) -> Iterator[Preview | Unbuildable]:
    """`--dry-run`: the day's digests as they would be sent (recipient, subject, text part,
    rendered as for the real message, which is not built); nothing is recorded, and no sender
    is needed (the preview has no envelope)."""
    for digest in _digests(session, day, settings):
        try:
            yield preview_message(digest, day, settings.mail.templates)
        except BUILD_ERRORS as error:
            yield Unbuildable(digest.recipient.email, f"message impossible à construire : {error}")


def recompose(session: Session, message_ids: Sequence[int], settings: Settings,
              now: datetime) -> None:
    """Digests still to go, rewritten from what the store holds now (after a purge): same
    day, same recipient, same Message-ID; one left with nothing to say is deleted."""
    by_day: dict[date, dict[str, OutboxMessage]] = {}
    for message in session.scalars(
            select(OutboxMessage).where(OutboxMessage.id.in_(list(message_ids)),
                                        OutboxMessage.status.in_(WAITING))
            .with_for_update()):
        by_day.setdefault(message.day, {})[message.recipient] = message
    for day, wanted in sorted(by_day.items()):
        found = {digest.recipient.email: digest for digest in _digests(
                     session, day, settings, undelivered=undelivered_since(session, day))
                 if digest.recipient.email in wanted}
        for recipient, message in wanted.items():
            digest = found.get(recipient)
            if digest is None:
                session.delete(message)
                continue
            sender = str(message_from_string(message.content)["From"] or "")
            built = _build(digest, day, sender, message.message_id, now, settings)
            message.items = [OutboxItem(dossier_id=group.dossier_id, step=item.step.code,
                                        reason=item.reason)
                             for group in digest.dossiers for item in group.items]
            if isinstance(built, Unbuildable):
                message.status, message.content, message.last_error = FAILED, "", built.reason
                continue
            message.subject, message.content = str(built[0]["Subject"]), built[1]
    session.flush()


def retry_failed(session: Session, day: date | None) -> tuple[int, int]:
    """`outbox retry`: failed messages (of `day`, or all) go back to the queue. Those that
    could not even be built are dropped instead, so that `remind --as-of` their day composes
    them again (with the address as it is now). Returns (requeued, dropped)."""
    query = select(OutboxMessage).where(OutboxMessage.status == FAILED)
    if day is not None:
        query = query.where(OutboxMessage.day == day)
    requeued = dropped = 0
    for message in session.scalars(query):
        if message.content:
            message.status = PENDING
            message.next_attempt_at = None
            message.last_error = None
            message.attempts = 0  # new attempts, a new time bound
            message.first_attempt_at = None
            requeued += 1
        else:
            session.delete(message)
            dropped += 1
    session.flush()
    return requeued, dropped


def outbox_messages(session: Session, status: str | None = None,
                    day: date | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.day.desc(), OutboxMessage.recipient)
    if status:
        query = query.where(OutboxMessage.status == status)
    if day:
        query = query.where(OutboxMessage.day == day)
    return list(session.scalars(query))


def snooze_step(session: Session, dossier: Dossier, step: str, until: date, day: date,
                now: datetime) -> None:
    """No reminder of this step up to `until` included; its status does not change."""
    codes = [s.code for s in timeline_of(dossier, lambda _zone: day).steps]
    if step not in codes:
        raise InvalidInput("ÉTAPE", f"« {step} » n'est pas une étape de ce dossier "
                           f"(étapes : {', '.join(codes)})")
    if until < day:
        raise InvalidInput("--until", "la date est déjà passée")
    session.add(Snooze(dossier=dossier, step=step, until=until, made_on=day, created_at=now))
    log_change(session, dossier, now, f"rappels suspendus {step}", None, until.isoformat())
    session.flush()
