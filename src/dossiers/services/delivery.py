"""The outbox's state machine: each message's fate, recorded alone, one transaction each.

    pending ──claim──▶ sending ──▶ sent
       ▲                  ├──▶ pending + next attempt   (4xx, line lost before the data)
       │                  ├──▶ uncertain + next attempt (line lost after the data: the same
       │                  │                              Message-ID goes again)
       │                  ├──▶ failed                   (5xx; attempts or time used up)
       └──────────────────┘ back as it was              (421, server gone, run interrupted
                                                         before the data)
    pending, uncertain ──a newer digest for the same person carries it──▶ superseded

A claim holds until `lease_until`; a claim whose run is known dead is taken back at once.
`now` comes from the caller (the CLI reads the clock): tests drive time without sleeping.
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine, and_, func, or_, select, text, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from dossiers.errors import InvalidInput
from dossiers.mail.transports import (
    PermanentFailure, ServerClosing, ServerUnavailable, TemporaryFailure, Transport, Uncertain,
)
from dossiers.settings import RemindersSettings, Settings
from dossiers.store.database import transaction
from dossiers.store.models import OutboxMessage

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
UNCERTAIN, SUPERSEDED = "uncertain", "superseded"
WAITING = (PENDING, UNCERTAIN)
"""States that still go out, when their next attempt is due."""

LEASE_PER_TIMEOUT = 10
"""One message is at most a dozen SMTP exchanges, each bounded by smtp.timeout: a lease of
ten timeouts cannot end under a sender that is still alive."""


class Interrupted(BaseException):
    """SIGTERM during delivery (SIGINT arrives as KeyboardInterrupt)."""


def check_lease(settings: Settings) -> None:
    """A lease shorter than one message's send lets a second run take over a live one."""
    lease = settings.reminders.send_lease_minutes * 60
    needed = LEASE_PER_TIMEOUT * settings.smtp.timeout
    if lease < needed:
        raise InvalidInput(
            "reminders.send_lease_minutes",
            f"{settings.reminders.send_lease_minutes} min ne dépasse pas assez smtp.timeout "
            f"({settings.smtp.timeout} s) : il faut au moins {LEASE_PER_TIMEOUT} fois "
            f"smtp.timeout, soit {-(-needed // 60)} min (ou baissez smtp.timeout)")


def backoff(attempts: int, reminders: RemindersSettings) -> timedelta:
    """The wait after the `attempts`-th failed attempt: retry_minutes, three times longer each
    time, never more than retry_max_minutes (5, 15, 45, 135, 240, 240… by default)."""
    minutes = reminders.retry_minutes * 3 ** min(max(attempts - 1, 0), 20)
    return timedelta(minutes=min(minutes, reminders.retry_max_minutes))


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    taken_back: int = 0  # claims of dead runs taken back
    reconnects: int = 0
    # When the run ends: waiting (pending), and uncertain (their fate unknown: they go again
    # with the same Message-ID), and the earliest next attempt of those not due yet.
    pending: int = 0
    uncertain: int = 0
    next_attempt: datetime | None = None
    in_flight: int = 0
    stopped: str | None = None
    interrupted: str | None = None
    holders: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return (self.stopped is None and self.interrupted is None and self.failed == 0
                and self.pending == 0 and self.uncertain == 0 and self.in_flight == 0)


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


def _lease_over(now: datetime, lease: timedelta):  # type: ignore[no-untyped-def]
    return or_(OutboxMessage.lease_until < now,
               and_(OutboxMessage.lease_until.is_(None), OutboxMessage.claimed_at < now - lease))


def _lease_running(now: datetime, lease: timedelta):  # type: ignore[no-untyped-def]
    return or_(OutboxMessage.lease_until >= now,
               and_(OutboxMessage.lease_until.is_(None), OutboxMessage.claimed_at >= now - lease))


TAKEN_BACK = "repris : le passage qui l'envoyait s'est arrêté ; renvoyé avec le même Message-ID"


def _release_dead_claims(engine: Engine, now: datetime, lease: timedelta, me: Holder) -> int:
    """Messages left `sending` by a run that died go back at once, as uncertain (the dead run
    may have handed them to the server). Returns how many."""
    released = 0
    with transaction(engine) as session:
        held = session.execute(
            select(OutboxMessage.id, OutboxMessage.claim)
            .where(OutboxMessage.status == SENDING, _lease_running(now, lease),
                   OutboxMessage.claim != me.claim)
        ).all()
        for message_id, claim in held:
            if not _holder_alive(session, Holder.parse(claim)):
                released += session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == message_id, OutboxMessage.status == SENDING,
                           OutboxMessage.claim == claim)
                    .values(status=UNCERTAIN, claim=None, lease_until=None,
                            next_attempt_at=None, last_error=TAKEN_BACK)
                ).rowcount
    return released


def _claimable(now: datetime, lease: timedelta):  # type: ignore[no-untyped-def]
    due = or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now)
    return or_(and_(OutboxMessage.status.in_(WAITING), due),
               and_(OutboxMessage.status == SENDING, _lease_over(now, lease)))


@dataclass(frozen=True)
class Claimed:
    id: int
    content: str
    recipient: str
    was: str  # the status it was taken from: pending, uncertain, or sending (a lapsed lease)


def _claim_next(engine: Engine, now: datetime, lease: timedelta, me: Holder) -> Claimed | None:
    """Take one message for this run; a concurrent run never takes the same one."""
    while True:
        with transaction(engine) as session:
            # PostgreSQL: skip rows another run has locked (SQLite ignores the clause).
            candidate = session.execute(
                select(OutboxMessage.id, OutboxMessage.status).where(_claimable(now, lease))
                .order_by(OutboxMessage.id).limit(1).with_for_update(skip_locked=True)
            ).first()
            if candidate is None:
                return None
            claimed = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == candidate.id, _claimable(now, lease))
                .values(status=SENDING, claim=me.claim, claimed_at=now, lease_until=now + lease)
            ).rowcount
            if claimed == 1:
                row = session.execute(select(OutboxMessage.content, OutboxMessage.recipient)
                                      .where(OutboxMessage.id == candidate.id)).one()
                return Claimed(candidate.id, row.content, row.recipient, candidate.status)


def _anything_due(engine: Engine, now: datetime, lease: timedelta) -> bool:
    with transaction(engine, write=False) as session:
        return session.scalar(select(OutboxMessage.id).where(_claimable(now, lease))
                              .limit(1)) is not None


def _mine(message: Claimed, me: Holder):  # type: ignore[no-untyped-def]
    return and_(OutboxMessage.id == message.id, OutboxMessage.status == SENDING,
                OutboxMessage.claim == me.claim)


def _record(engine: Engine, message: Claimed, me: Holder, **values: object) -> None:
    with transaction(engine) as session:
        session.execute(update(OutboxMessage).where(_mine(message, me))
                        .values(claim=None, lease_until=None, **values))


def _record_attempt(engine: Engine, message: Claimed, me: Holder, now: datetime,
                    reminders: RemindersSettings, status: str, reason: str) -> str:
    """A failed attempt: the message waits for its next one, or fails when its attempts or
    its time are used up. Returns the state it is left in."""
    with transaction(engine) as session:
        row = session.execute(select(OutboxMessage.attempts, OutboxMessage.first_attempt_at)
                              .where(OutboxMessage.id == message.id)).one()
        attempts = row.attempts + 1
        first = row.first_attempt_at or now
        values: dict[str, object] = {"attempts": attempts, "first_attempt_at": first,
                                     "claim": None, "lease_until": None}
        give_up = timedelta(hours=reminders.give_up_hours)
        if status == FAILED:
            values.update(status=FAILED, last_error=reason, next_attempt_at=None)
        elif attempts >= reminders.max_attempts or now - first >= give_up:
            status = FAILED
            values.update(status=FAILED, next_attempt_at=None,
                          last_error=f"{reason} (abandon après {attempts} essai(s))")
        else:
            values.update(status=status, last_error=reason,
                          next_attempt_at=now + backoff(attempts, reminders))
        session.execute(update(OutboxMessage).where(_mine(message, me)).values(**values))
    return status


@contextmanager
def _renewing(engine: Engine, me: Holder, clock: Callable[[], datetime], lease: timedelta,
              every: float) -> Iterator[None]:
    """While the run sends, its claims are renewed every `every` seconds (a third of the lease
    by default): a slow server cannot make a live run's message look abandoned."""
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(every):
            try:
                with transaction(engine) as session:
                    session.execute(update(OutboxMessage).where(
                        OutboxMessage.claim == me.claim, OutboxMessage.status == SENDING)
                        .values(lease_until=clock() + lease))
            except SQLAlchemyError:
                pass  # the sending thread meets the same error and reports it

    thread = threading.Thread(target=renew, name="dossiers-lease", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def send_pending(engine: Engine, transport: Transport, settings: Settings,
                 clock: Callable[[], datetime], renew_every: float | None = None) -> SendReport:
    """Send every message that is due (of any day: a missed run catches up), each its own
    fate. SIGINT, SIGTERM (raised as Interrupted) and a database error end the run with its
    report (`interrupted` says why), never with a message left unsaid."""
    lease = timedelta(minutes=settings.reminders.send_lease_minutes)
    report = SendReport()
    every = renew_every if renew_every is not None else lease.total_seconds() / 3
    with _run_holder(engine) as me, _renewing(engine, me, clock, lease, every):
        try:
            _deliver(engine, transport, settings, clock, me, report)
        except KeyboardInterrupt:
            report.interrupted = "interrompu (SIGINT)"
        except Interrupted:
            report.interrupted = "interrompu (SIGTERM)"
        except SQLAlchemyError as error:
            report.interrupted = ("arrêté par une erreur de la base de données "
                                  f"({type(error).__name__})")
        finally:
            transport.close()
        try:
            _tally(engine, report, clock(), lease, me)
        except SQLAlchemyError:
            pass  # the database is gone: the counts of this run are all there is
    return report


def _deliver(engine: Engine, transport: Transport, settings: Settings,
             clock: Callable[[], datetime], me: Holder, report: SendReport) -> None:
    reminders = settings.reminders
    lease = timedelta(minutes=reminders.send_lease_minutes)
    report.taken_back += _release_dead_claims(engine, clock(), lease, me)
    while True:
        if not transport.connected and not _anything_due(engine, clock(), lease):
            return  # a frequent timer with nothing due does not even connect
        try:
            # Connected before any message is claimed: no server, nothing claimed.
            transport.open()
        except ServerUnavailable as error:
            report.stopped = str(error)
            _note_waiting(engine, clock(), str(error))
            return
        message = _claim_next(engine, clock(), lease, me)
        if message is None:
            return
        if message.was == SENDING:
            report.taken_back += 1
        try:
            _send_one(engine, transport, message, me, clock, reminders, report)
        except ServerUnavailable as error:
            report.stopped = str(error)
            _note_waiting(engine, clock(), str(error))
            return
        except (KeyboardInterrupt, Interrupted):
            report.uncertain += 1  # its fate unknown (recounted from the outbox if it can be)
            _interrupted(engine, message, me, clock())
            raise
        except SQLAlchemyError:
            report.uncertain += 1  # handed to the server, or not: its fate is not recorded
            raise
        if not transport.connected:
            report.reconnects += 1
            if report.reconnects > reminders.max_reconnects:
                report.stopped = (f"le serveur SMTP a coupé la connexion {report.reconnects} "
                                  f"fois (reminders.max_reconnects = {reminders.max_reconnects})")
                return


def _send_one(engine: Engine, transport: Transport, message: Claimed, me: Holder,
              clock: Callable[[], datetime], reminders: RemindersSettings,
              report: SendReport) -> None:
    again = message.was != PENDING
    try:
        transport.send(message.content, message.recipient)
    except ServerClosing:
        # 421: the server's doing, not the message's; it goes again once reconnected.
        _record(engine, message, me, status=PENDING if message.was == PENDING else UNCERTAIN)
    except ServerUnavailable as error:
        # A setting, or no server: the message waits with the rest, as it was.
        _record(engine, message, me, status=PENDING if message.was == PENDING else UNCERTAIN,
                last_error=str(error))
        raise
    except Uncertain as error:
        state = _record_attempt(engine, message, me, clock(), reminders, UNCERTAIN,
                                f"{error} : renvoyé avec le même Message-ID")
        report.failed += int(state == FAILED)
    except TemporaryFailure as error:
        status = UNCERTAIN if again else PENDING
        state = _record_attempt(engine, message, me, clock(), reminders, status, str(error))
        report.failed += int(state == FAILED)
    except PermanentFailure as error:
        _record_attempt(engine, message, me, clock(), reminders, FAILED, str(error))
        report.failed += 1
    else:
        now = clock()
        _record(engine, message, me, status=SENT, sent_at=now, next_attempt_at=None,
                attempts=OutboxMessage.attempts + 1,
                first_attempt_at=func.coalesce(OutboxMessage.first_attempt_at, now),
                last_error=("envoyé ; un essai précédent au sort inconnu avait le même "
                            "Message-ID" if again else None))
        report.sent += 1


def _interrupted(engine: Engine, message: Claimed, me: Holder, now: datetime) -> None:
    """Stopped while this message was in the server's hands: its fate is unknown."""
    try:
        _record(engine, message, me, status=UNCERTAIN, next_attempt_at=None,
                last_error="passage interrompu pendant l'envoi : renvoyé avec le même "
                           "Message-ID")
    except SQLAlchemyError:
        pass  # left `sending` under a dead run's claim: the next run takes it back


def _note_waiting(engine: Engine, now: datetime, reason: str) -> None:
    """What is due waits for the server: `outbox` says why."""
    with transaction(engine) as session:
        session.execute(update(OutboxMessage).where(
            OutboxMessage.status.in_(WAITING),
            or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now))
            .values(last_error=reason))


def _tally(engine: Engine, report: SendReport, now: datetime, lease: timedelta,
           me: Holder) -> None:
    """Left for a later run: waiting ones, and claims whose run died. A message another live
    run is sending right now is that run's to report; this run says it met it."""
    report.taken_back += _release_dead_claims(engine, now, lease, me)
    with transaction(engine, write=False) as session:
        report.pending = session.scalar(
            select(func.count()).select_from(OutboxMessage).where(or_(
                OutboxMessage.status == PENDING,
                and_(OutboxMessage.status == SENDING, _lease_over(now, lease)),
            ))
        ) or 0
        report.uncertain = session.scalar(
            select(func.count()).select_from(OutboxMessage)
            .where(OutboxMessage.status == UNCERTAIN)) or 0
        report.next_attempt = session.scalar(
            select(func.min(OutboxMessage.next_attempt_at))
            .where(OutboxMessage.status.in_(WAITING), OutboxMessage.next_attempt_at > now))
        claims = session.scalars(
            select(OutboxMessage.claim).where(
                OutboxMessage.status == SENDING, _lease_running(now, lease))
        ).all()
    report.in_flight = len(claims)
    report.holders = sorted({holder.describe() if (holder := Holder.parse(c)) else "inconnu"
                             for c in claims})


def describe_claim(message: OutboxMessage) -> dict[str, object] | None:
    """Who holds a message being sent: host, process, since, until (`outbox`)."""
    if message.status != SENDING:
        return None
    holder = Holder.parse(message.claim)
    return {"host": holder.host if holder else None, "pid": holder.pid if holder else None,
            "since": message.claimed_at, "until": message.lease_until}
