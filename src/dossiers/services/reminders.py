"""`dossiers remind`: compose the day's digests into the outbox, then send what is pending.

Each digest is recorded (outbox, status pending) before it is sent and marked sent
right after, each in its own transaction: a crash costs at most one repeated
message (same Message-ID), never a lost one.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import Engine, and_, func, or_, select, text, update
from sqlalchemy.orm import Session

from dossiers.mail.compose import build_message, new_message_id, sender_address
from dossiers.mail.transports import (
    PermanentFailure, ServerUnavailable, TemporaryFailure, Transport,
)
from dossiers.reminders.selection import Digest, DossierState, Person, Policy, select_digests
from dossiers.errors import InvalidInput
from dossiers.services.dossiers import log_change, timeline_of
from dossiers.settings import Settings
from dossiers.store.database import transaction
from dossiers.store.models import Dossier, OutboxItem, OutboxMessage, ReminderRun, Snooze
from dossiers.store.records import dossier_query, managers_by_agency, stream_dossiers

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"


def policy_of(settings: Settings) -> Policy:
    reminders = settings.reminders
    return Policy(reminders.leads_for, reminders.escalation_days, reminders.min_gap_days)


def dossier_states(session: Session, day: date) -> Iterator[DossierState]:
    """Open dossiers with their timelines on `day`, their owner and their agency's managers."""
    managers = {agency: tuple(Person(m.email, m.name) for m in people)
                for agency, people in managers_by_agency(session).items()}
    for dossier in stream_dossiers(session, dossier_query().where(Dossier.state == "open")):
        yield DossierState(
            id=dossier.id, reference=dossier.reference, worker=dossier.worker, kind=dossier.kind,
            agency_id=dossier.agency_id, zone=dossier.agency.zone,
            owner=Person(dossier.owner.email, dossier.owner.name),
            managers=managers.get(dossier.agency_id, ()),
            timeline=timeline_of(dossier, lambda _zone: day),
        )


def _digests(session: Session, day: date, settings: Settings) -> Iterator[Digest]:
    since = session.scalar(select(func.max(ReminderRun.day)).where(ReminderRun.day < day))
    reminded = session.execute(
        select(OutboxItem.dossier_id, OutboxItem.step, OutboxMessage.recipient,
               func.max(OutboxMessage.day))
        .join(OutboxItem.message)
        .where(OutboxMessage.day < day, OutboxMessage.status != FAILED)
        .group_by(OutboxItem.dossier_id, OutboxItem.step, OutboxMessage.recipient)
    )
    snoozes = session.execute(
        select(Snooze.dossier_id, Snooze.step, func.max(Snooze.until))
        .group_by(Snooze.dossier_id, Snooze.step)
    )
    # Read both before the dossiers stream: the rows would otherwise be consumed lazily.
    last_reminded = {(d, s, r): last for d, s, r, last in reminded}
    snoozed = {(d, s): until for d, s, until in snoozes}
    return select_digests(
        dossier_states(session, day), day, since or day - timedelta(days=1), policy_of(settings),
        last_reminded, snoozed,
    )


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


def compose_day(session: Session, day: date, settings: Settings, now: datetime) -> Composed:
    """Record the day's digests in the outbox; a recipient who has one for the day gets no other."""
    sender = sender_address(settings.mail.from_)
    _lock_composition(session)
    existing = set(session.scalars(select(OutboxMessage.recipient)
                                   .where(OutboxMessage.day == day)))
    created = already = 0
    for digest in _digests(session, day, settings):
        if digest.recipient.email in existing:
            already += 1
            continue
        message_id = new_message_id(sender, day)
        message = build_message(digest, day, sender, message_id, now, settings.mail.templates)
        session.add(OutboxMessage(
            day=day, recipient=digest.recipient.email, recipient_name=digest.recipient.name,
            message_id=message_id, subject=str(message["Subject"]), content=message.as_string(),
            status=PENDING, attempts=0, created_at=now,
            items=[OutboxItem(dossier_id=group.dossier_id, step=item.step.code, reason=item.reason)
                   for group in digest.dossiers for item in group.items],
        ))
        created += 1
    if session.get(ReminderRun, day) is None:
        session.add(ReminderRun(day=day, composed_at=now))
    session.flush()
    return Composed(created, already)


def preview_day(session: Session, day: date, settings: Settings,
                now: datetime) -> Iterator[EmailMessage]:
    """`--dry-run`: the day's digests as they would be sent; nothing is recorded."""
    sender = sender_address(settings.mail.from_)
    for digest in _digests(session, day, settings):
        yield build_message(digest, day, sender, new_message_id(sender, day), now,
                            settings.mail.templates)


@dataclass
class SendReport:
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    pending: int = 0
    in_flight: int = 0
    stopped: str | None = None

    @property
    def complete(self) -> bool:
        return self.stopped is None and self.failed == 0 and self.pending == 0


def _claimable(now: datetime, lease: timedelta):  # type: ignore[no-untyped-def]
    return or_(
        and_(OutboxMessage.status == PENDING,
             or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now)),
        and_(OutboxMessage.status == SENDING, OutboxMessage.claimed_at < now - lease),
    )


def _claim_next(engine: Engine, now: datetime, lease: timedelta) -> tuple[int, str, str] | None:
    """Take one message for this run; a concurrent run never takes the same one."""
    token = uuid.uuid4().hex
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
                .values(status=SENDING, claim=token, claimed_at=now,
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
    report = SendReport()
    lease = timedelta(minutes=settings.reminders.send_lease_minutes)
    retry = timedelta(minutes=settings.reminders.retry_minutes)
    try:
        while (claimed := _claim_next(engine, clock(), lease)) is not None:
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
                _finish(engine, message_id, status=PENDING, last_error=str(error))
                report.stopped = str(error)
                break
            else:
                _finish(engine, message_id, status=SENT, sent_at=clock(), last_error=None)
                report.sent += 1
    finally:
        transport.close()
    # Left for a later run: pending ones, and claims whose run died. A message another
    # run is sending right now is that run's to report.
    now = clock()
    with transaction(engine, write=False) as session:
        report.pending = session.scalar(
            select(func.count()).select_from(OutboxMessage).where(or_(
                OutboxMessage.status == PENDING,
                and_(OutboxMessage.status == SENDING, OutboxMessage.claimed_at < now - lease),
            ))
        ) or 0
        report.in_flight = session.scalar(
            select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.status == SENDING, OutboxMessage.claimed_at >= now - lease)
        ) or 0
    return report


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
        raise InvalidInput("STEP", f"« {step} » n'est pas une étape de ce dossier "
                           f"(étapes : {', '.join(codes)})")
    if until < day:
        raise InvalidInput("--until", "la date est déjà passée")
    session.add(Snooze(dossier=dossier, step=step, until=until, created_at=now))
    log_change(session, dossier, now, f"rappels suspendus {step}", None, until.isoformat())
    session.flush()
