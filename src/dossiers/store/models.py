"""The schema, as SQLAlchemy 2 typed declarative models.

The tables are created only by the Alembic migrations (top-level migrations/, shipped as dossiers/migrations).
Hours are stored as whole minutes so that sums are exact on every database.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Date, DateTime, ForeignKey, Integer, MetaData, String, Text,
    UniqueConstraint, false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _key_of_reference(context: Any) -> str:
    from dossiers.parsing import reference_key

    return reference_key(context.get_current_parameters()["reference"])


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Agency(Base):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    zone: Mapped[str] = mapped_column(String(32))
    headcount: Mapped[int | None]
    prism_member: Mapped[bool] = mapped_column(default=False)

    staff: Mapped[list[Staff]] = relationship(back_populates="agency")


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)

    agency: Mapped[Agency] = relationship(back_populates="staff")


class Dossier(Base):
    __tablename__ = "dossiers"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    # parsing.reference_key: one dossier per reference whatever its case or character forms
    # (computed from the reference when a row is inserted without it).
    reference_key: Mapped[str] = mapped_column(String(256), unique=True,
                                               default=_key_of_reference)
    kind: Mapped[str] = mapped_column(String(8))
    worker: Mapped[str] = mapped_column(String(120))
    contract_type: Mapped[str] = mapped_column(String(8))
    programme: Mapped[str | None] = mapped_column(String(32))
    training_start: Mapped[date] = mapped_column(Date)
    training_end: Mapped[date] = mapped_column(Date)
    training_minutes: Mapped[int] = mapped_column(Integer)
    mission_minutes: Mapped[int | None] = mapped_column(Integer)
    # R-CIPI-BILAN, R-CDPI-BILAN: two bilans of 14 h at most each.
    positioning_minutes: Mapped[int | None] = mapped_column(Integer)
    evaluation_minutes: Mapped[int | None] = mapped_column(Integer)
    # R-CIPI-FUND, R-CDPI-FUND: tutor training, 40 h at most.
    tutor_minutes: Mapped[int | None] = mapped_column(Integer)
    # R-L&C: share of basic-skills content, in hundredths of a percent (3000 = 30 %).
    basic_skills_basis_points: Mapped[int | None] = mapped_column(Integer)
    owner_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    rules: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), default="open", index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # Sensitive (R-CIPI-ELIG, R-CDPI-ELIG, R-CAR-ELIG): shown only by `show` and `explain`.
    eligibility: Mapped[str | None] = mapped_column(String(32))
    # R-CDPI-ELIG: hours in the branch over the 12 months before the start (reveals the basis).
    seniority_minutes: Mapped[int | None] = mapped_column(Integer)
    in_user_company: Mapped[bool] = mapped_column(default=False, server_default=false())
    afest: Mapped[bool] = mapped_column(default=False, server_default=false())
    hourly_cost_cents: Mapped[int | None] = mapped_column(Integer)

    owner: Mapped[Staff] = relationship()
    agency: Mapped[Agency] = relationship()
    events: Mapped[list[Event]] = relationship(
        back_populates="dossier", order_by="Event.id", cascade="all, delete-orphan"
    )
    missions: Mapped[list[Mission]] = relationship(
        back_populates="dossier", order_by="Mission.start", cascade="all, delete-orphan"
    )
    changes: Mapped[list[Change]] = relationship(
        back_populates="dossier", order_by="Change.id", cascade="all, delete-orphan"
    )
    incidents: Mapped[list[Incident]] = relationship(
        back_populates="dossier", order_by="Incident.id", cascade="all, delete-orphan"
    )
    documents: Mapped[list[Document]] = relationship(
        back_populates="dossier", order_by="Document.id", cascade="all, delete-orphan"
    )


class Event(Base):
    """A dated fact of the dossier's life: DRF submitted, accord, contract sent, close…"""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    occurred_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(DateTime)

    dossier: Mapped[Dossier] = relationship(back_populates="events")


class Mission(Base):
    __tablename__ = "missions"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    worked_minutes: Mapped[int] = mapped_column(Integer)
    holiday_minutes: Mapped[int] = mapped_column(Integer, default=0)

    dossier: Mapped[Dossier] = relationship(back_populates="missions")


class Incident(Base):
    """Why the mission obligation could not be met (R-CDPI-EXCUSE), and when its proof came.

    Sensitive (illness): shown only by `show` and `explain`.
    """

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    occurred_on: Mapped[date] = mapped_column(Date)
    document_on: Mapped[date | None] = mapped_column(Date)
    # `maladie`: the last day of the sick leave (I-EXCUSE-IN-WINDOW); None when not entered.
    until_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    dossier: Mapped[Dossier] = relationship(back_populates="incidents")


class Document(Base):
    """A document of a step's checklist received (R-DOCS)."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    received_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    dossier: Mapped[Dossier] = relationship(back_populates="documents")


class Change(Base):
    """The history of a dossier: when, what, before → after."""

    __tablename__ = "changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    what: Mapped[str] = mapped_column(String(64))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)

    dossier: Mapped[Dossier] = relationship(back_populates="changes")


class Snooze(Base):
    """`dossiers snooze`: no reminder for this step until this day (its status is unchanged)."""

    __tablename__ = "snoozes"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    step: Mapped[str] = mapped_column(String(32))
    until: Mapped[date] = mapped_column(Date)
    # The day it was asked for (--as-of or today): an earlier day's view ignores it.
    made_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    dossier: Mapped[Dossier] = relationship()


class ReminderRun(Base):
    """A day the reminder job composed its digests: the next run catches up from there."""

    __tablename__ = "reminder_runs"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    composed_at: Mapped[datetime] = mapped_column(DateTime)


class OutboxMessage(Base):
    """One digest for one recipient and one day, recorded before it is sent."""

    __tablename__ = "outbox"
    __table_args__ = (UniqueConstraint("day", "recipient", name="uq_outbox_day_recipient"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    recipient: Mapped[str] = mapped_column(String(254))
    recipient_name: Mapped[str] = mapped_column(String(120))
    message_id: Mapped[str] = mapped_column(String(250), unique=True)
    subject: Mapped[str] = mapped_column(Text)
    content: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    claim: Mapped[str | None] = mapped_column(String(64))
    # The claim holds until then; its sender renews it while it sends.
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)
    first_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)

    items: Mapped[list[OutboxItem]] = relationship(
        back_populates="message", order_by="OutboxItem.id", cascade="all, delete-orphan"
    )


class OutboxItem(Base):
    """What a digest reminded of: the minimum gap between two reminders reads it back."""

    __tablename__ = "outbox_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox.id"), index=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    step: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(16))

    message: Mapped[OutboxMessage] = relationship(back_populates="items")


class StoredTimeline(Base):
    """A dossier's schedule as the engine computed it at its last write, and what with.

    It is valid for every day from `valid_from` to the day before `valid_until` (the days
    between two changes of the facts known, or two mission ends: store/steps.py `interval`;
    None: from any day, for ever), as long as the engine, the holiday data and its rule set
    are those stamped here; store/steps.py recomputes it otherwise. `schedule` is the
    schedule itself, packed in one line (store/packed.py); `closed_on` is the day the dossier
    was closed or abandoned. The other dates are there for SQL to choose the dossiers a daily
    command looks at (store/steps.py `candidates`): among the steps not settled whatever the
    day, the first and last due dates and opening dates, and the first day the mission
    obligation is at risk; `span_first` and `span_last`, the first and last dates of any
    step (the holiday calendars the schedule leans on).
    """

    __tablename__ = "timelines"

    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("dossiers.id", ondelete="CASCADE"), primary_key=True)
    engine: Mapped[str] = mapped_column(String(16), index=True)
    holidays: Mapped[str] = mapped_column(String(32))
    rules: Mapped[str] = mapped_column(String(32))
    valid_from: Mapped[date | None] = mapped_column(Date, index=True)
    valid_until: Mapped[date | None] = mapped_column(Date, index=True)
    closed_on: Mapped[date | None] = mapped_column(Date)
    schedule: Mapped[str] = mapped_column(Text)
    first_due: Mapped[date | None] = mapped_column(Date, index=True)
    last_due: Mapped[date | None] = mapped_column(Date)
    first_opens: Mapped[date | None] = mapped_column(Date)
    last_opens: Mapped[date | None] = mapped_column(Date)
    at_risk_from: Mapped[date | None] = mapped_column(Date, index=True)
    span_first: Mapped[date | None] = mapped_column(Date)
    span_last: Mapped[date | None] = mapped_column(Date)


class SignInLink(Base):
    """A one-time sign-in link of the web view: its token's SHA-256, never the token."""

    __tablename__ = "sign_in_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)


class CalendarSubscription(Base):
    """An owner's secret calendar address: its token's SHA-256, and the token sealed with the
    server's private key (services/web_access.py) so that the owner's page can show it."""

    __tablename__ = "calendar_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), unique=True)
    sealed: Mapped[str | None] = mapped_column(String(64))
    nonce: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
