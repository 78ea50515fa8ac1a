"""`dossiers remind`: compose the day's digests into the outbox, then send what is pending.

Each digest is recorded (outbox, status pending) before it is sent and marked sent
right after, each in its own transaction: a crash costs at most one repeated
message (same Message-ID), never a lost one.
"""

from __future__ import annotations

import os
import secrets
import socket
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.errors import MessageError
from email.message import EmailMessage

from sqlalchemy import Engine, and_, func, or_, select, text, update
from sqlalchemy.orm import Session

from dossiers.deadlines.business_days import holidays_cover, is_business_day, next_business_day
from dossiers.mail.addresses import AddressError
from dossiers.mail.compose import (
    Preview, build_message, new_message_id, preview_message, sender_address,
)
from dossiers.mail.transports import (
    PermanentFailure, ServerUnavailable, TemporaryFailure, Transport,
)
from dossiers.reminders.selection import (
    ACTIONABLE, Digest, DossierState, Person, Policy, select_digests,
)
from dossiers.errors import InvalidInput
from dossiers.services.dossiers import log_change, open_or_closed_after, timeline_of
from dossiers.settings import Settings
from dossiers.store.database import transaction
from dossiers.store.models import (
    Agency, Dossier, OutboxItem, OutboxMessage, ReminderRun, Snooze, StoredStep,
)
from dossiers.store.records import dossier_query, managers_by_agency
from dossiers.services.timelines import timelines_on
from dossiers.store.steps import candidates

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"


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
             seen: set[tuple[str, int]] | None = None) -> Iterator[Digest]:
    since = session.scalar(select(func.max(ReminderRun.day)).where(ReminderRun.day < day))
    reminded = session.execute(
        select(OutboxItem.dossier_id, OutboxItem.step, OutboxMessage.recipient,
               func.max(OutboxMessage.day))
        .join(OutboxItem.message)
        .where(OutboxMessage.day < day, OutboxMessage.status != FAILED)
        .group_by(OutboxItem.dossier_id, OutboxItem.step, OutboxMessage.recipient)
    )
    # A snooze made after the day does not exist yet in that day's view (I-AS-OF-KNOWS-PAST).
    snoozes = session.execute(
        select(Snooze.dossier_id, Snooze.step, func.max(Snooze.until))
        .where(Snooze.made_on <= day)
        .group_by(Snooze.dossier_id, Snooze.step)
    )
    # Read both before the dossiers stream: the rows would otherwise be consumed lazily.
    last_reminded = {(d, s, r): last for d, s, r, last in reminded}
    snoozed = {(d, s): until for d, s, until in snoozes}
    since = since or day - timedelta(days=1)
    policy = policy_of(settings)
    states = dossier_states(session, day, since, policy)
    if seen is not None:
        # Every open dossier's calendars, not only the day's candidates: from the stored steps.
        seen |= _stored_years(session, day)
    return select_digests(
        states if seen is None else _noting_years(states, day, seen), day, since, policy,
        last_reminded, snoozed,
    )


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
    query = (select(Agency.zone, func.min(StoredStep.opens), func.max(StoredStep.opens),
                    func.min(StoredStep.due), func.max(StoredStep.due))
             .join(Dossier, Dossier.id == StoredStep.dossier_id)
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


def compose_day(session: Session, day: date, settings: Settings, now: datetime) -> Composed:
    """Record the day's digests in the outbox; a recipient who has one for the day gets no other."""
    sender = sender_address(settings.mail.from_)
    _lock_composition(session)
    existing = set(session.scalars(select(OutboxMessage.recipient)
                                   .where(OutboxMessage.day == day)))
    created = already = failed = 0
    seen: set[tuple[str, int]] = set()
    for digest in _digests(session, day, settings, seen):
        if digest.recipient.email in existing:
            already += 1
            continue
        message_id = new_message_id(sender, day)
        items = [OutboxItem(dossier_id=group.dossier_id, step=item.step.code, reason=item.reason)
                 for group in digest.dossiers for item in group.items]
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
    return Composed(created, already, failed, uncovered_calendars(seen))


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


@dataclass
class SendReport:
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    pending: int = 0
    in_flight: int = 0
    stopped: str | None = None
    holders: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return (self.stopped is None and self.failed == 0 and self.pending == 0
                and self.in_flight == 0)


HOLDER_LOCK = 0x646F7374  # PostgreSQL: (this, holder key) is held while a run sends
_ACTIVE_TOKENS: set[str] = set()  # runs of this process still sending


@dataclass(frozen=True)
class Holder:
    """Who claimed a message: written in `outbox.claim` as token:key:pid:host."""

    token: str
    key: int  # PostgreSQL advisory lock key held by the run (0: none)
    pid: int
    host: str

    @property
    def claim(self) -> str:
        return f"{self.token}:{self.key}:{self.pid}:{self.host}"[:64]

    @classmethod
    def parse(cls, claim: str | None) -> Holder | None:
        parts = (claim or "").split(":", 3)
        if len(parts) != 4 or not parts[1].isdigit() or not parts[2].isdigit():
            return None
        return cls(parts[0], int(parts[1]), int(parts[2]), parts[3])

    def describe(self) -> str:
        return f"{self.host}, processus {self.pid}"


def _this_host() -> str:
    return socket.gethostname()[:36]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _holder_alive(session: Session, holder: Holder | None) -> bool:
    """A claim is taken over before its lease ends only when its run is known dead:
    on PostgreSQL its advisory lock is gone (any host); otherwise its process, on this
    host, is gone (or it is a finished run of this very process). Unknown: alive."""
    if holder is None:
        return True
    if holder.key and session.get_bind().dialect.name == "postgresql":
        return session.scalar(text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND classid::bigint = :class AND objid::bigint = :key AND objsubid = 2"),
            {"class": HOLDER_LOCK, "key": holder.key}) > 0
    if holder.host != _this_host():
        return True
    if holder.pid == os.getpid():
        return holder.token in _ACTIVE_TOKENS
    return _pid_alive(holder.pid)


@contextmanager
def _run_holder(engine: Engine) -> Iterator[Holder]:
    token = uuid.uuid4().hex[:8]
    connection = None
    key = 0
    if engine.dialect.name == "postgresql":
        key = secrets.randbelow(2**31 - 1) + 1
        connection = engine.connect()
        connection.execute(text("SELECT pg_advisory_lock(:class, :key)"),
                           {"class": HOLDER_LOCK, "key": key})
        connection.commit()
    _ACTIVE_TOKENS.add(token)
    try:
        yield Holder(token, key, os.getpid(), _this_host())
    finally:
        _ACTIVE_TOKENS.discard(token)
        if connection is not None:
            # A pooled connection outlives close(): drop the DBAPI connection itself, and
            # the session's advisory lock with it.
            connection.invalidate()
            connection.close()


def _release_dead_claims(engine: Engine, now: datetime, lease: timedelta, me: Holder) -> None:
    """Messages left `sending` by a run that died go back to pending at once."""
    with transaction(engine) as session:
        held = session.execute(
            select(OutboxMessage.id, OutboxMessage.claim)
            .where(OutboxMessage.status == SENDING, OutboxMessage.claimed_at >= now - lease,
                   OutboxMessage.claim != me.claim)
        ).all()
        for message_id, claim in held:
            if not _holder_alive(session, Holder.parse(claim)):
                session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == message_id, OutboxMessage.status == SENDING,
                           OutboxMessage.claim == claim)
                    .values(status=PENDING, claim=None,
                            last_error="repris : le passage qui l'envoyait s'est arrêté")
                )


def _claimable(now: datetime, lease: timedelta):  # type: ignore[no-untyped-def]
    return or_(
        and_(OutboxMessage.status == PENDING,
             or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now)),
        and_(OutboxMessage.status == SENDING, OutboxMessage.claimed_at < now - lease),
    )


def _claim_next(engine: Engine, now: datetime, lease: timedelta,
                me: Holder) -> tuple[int, str, str] | None:
    """Take one message for this run; a concurrent run never takes the same one."""
    while True:
        with transaction(engine) as session:
            # PostgreSQL: skip rows another run has locked (SQLite ignores the clause).
            candidate = session.scalar(select(OutboxMessage.id).where(_claimable(now, lease))
                                       .order_by(OutboxMessage.id).limit(1)
                                       .with_for_update(skip_locked=True))
            if candidate is None:
                return None
            claimed = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == candidate, _claimable(now, lease))
                .values(status=SENDING, claim=me.claim, claimed_at=now,
                        attempts=OutboxMessage.attempts + 1)
            ).rowcount
            if claimed == 1:
                row = session.execute(select(OutboxMessage.content, OutboxMessage.recipient)
                                      .where(OutboxMessage.id == candidate)).one()
                return candidate, row.content, row.recipient


def _finish(engine: Engine, message_id: int, **values: object) -> None:
    with transaction(engine) as session:
        session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id)
                        .values(claim=None, **values))


def send_pending(engine: Engine, transport: Transport, settings: Settings,
                 clock: Callable[[], datetime]) -> SendReport:
    """Send every pending digest (of any day: a missed run catches up)."""
    with _run_holder(engine) as me:
        return _send_pending(engine, transport, settings, clock, me)


def _send_pending(engine: Engine, transport: Transport, settings: Settings,
                  clock: Callable[[], datetime], me: Holder) -> SendReport:
    report = SendReport()
    lease = timedelta(minutes=settings.reminders.send_lease_minutes)
    retry = timedelta(minutes=settings.reminders.retry_minutes)
    _release_dead_claims(engine, clock(), lease, me)
    try:
        while (claimed := _claim_next(engine, clock(), lease, me)) is not None:
            message_id, content, recipient = claimed
            try:
                transport.send(content, recipient)
            except TemporaryFailure as error:
                _finish(engine, message_id, status=PENDING, last_error=str(error),
                        next_attempt_at=clock() + retry)
                report.deferred += 1
            except PermanentFailure as error:
                _finish(engine, message_id, status=FAILED, last_error=str(error))
                report.failed += 1
            except ServerUnavailable as error:
                # Not this message's fault (a setting, or no server): it waits with the rest.
                _finish(engine, message_id, status=PENDING, last_error=str(error))
                report.stopped = str(error)
                break
            else:
                _finish(engine, message_id, status=SENT, sent_at=clock(), last_error=None)
                report.sent += 1
    finally:
        transport.close()
    # Left for a later run: pending ones, and claims whose run died. A message another
    # live run is sending right now is that run's to report; this run says it met it.
    now = clock()
    _release_dead_claims(engine, now, lease, me)
    with transaction(engine, write=False) as session:
        report.pending = session.scalar(
            select(func.count()).select_from(OutboxMessage).where(or_(
                OutboxMessage.status == PENDING,
                and_(OutboxMessage.status == SENDING, OutboxMessage.claimed_at < now - lease),
            ))
        ) or 0
        claims = session.scalars(
            select(OutboxMessage.claim).where(
                OutboxMessage.status == SENDING, OutboxMessage.claimed_at >= now - lease)
        ).all()
    report.in_flight = len(claims)
    report.holders = sorted({holder.describe() if (holder := Holder.parse(c)) else "inconnu"
                             for c in claims})
    return report


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
