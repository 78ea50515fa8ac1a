"""The schema, as SQLAlchemy 2 typed declarative models.

The tables are created only by the Alembic migrations in dossiers/migrations.
Hours are stored as whole minutes so that sums are exact on every database.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


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
    kind: Mapped[str] = mapped_column(String(8))
    worker: Mapped[str] = mapped_column(String(120))
    contract_type: Mapped[str] = mapped_column(String(8))
    programme: Mapped[str | None] = mapped_column(String(32))
    training_start: Mapped[date] = mapped_column(Date)
    training_end: Mapped[date] = mapped_column(Date)
    training_minutes: Mapped[int] = mapped_column(Integer)
    mission_minutes: Mapped[int | None] = mapped_column(Integer)
    bilan_minutes: Mapped[int | None] = mapped_column(Integer)
    owner_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    rules: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), default="open", index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)

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
