"""Durations as the sources state them: calendar days, jours ouvrés, weeks, months."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

from dossiers.deadlines.business_days import add_business_days, add_months


class Unit(Enum):
    DAYS = "days"
    BUSINESS_DAYS = "business_days"
    WEEKS = "weeks"
    MONTHS = "months"


@dataclass(frozen=True)
class Period:
    amount: int
    unit: Unit

    def after(self, day: date, zone: str) -> date:
        return self._shift(day, self.amount, zone)

    def before(self, day: date, zone: str) -> date:
        return self._shift(day, -self.amount, zone)

    def _shift(self, day: date, amount: int, zone: str) -> date:
        if self.unit is Unit.DAYS:
            return day + timedelta(days=amount)
        if self.unit is Unit.WEEKS:
            return day + timedelta(weeks=amount)
        if self.unit is Unit.MONTHS:
            return add_months(day, amount)
        return add_business_days(day, amount, zone)


def days(amount: int) -> Period:
    return Period(amount, Unit.DAYS)


def business_days(amount: int) -> Period:
    return Period(amount, Unit.BUSINESS_DAYS)


def weeks(amount: int) -> Period:
    return Period(amount, Unit.WEEKS)


def months(amount: int) -> Period:
    return Period(amount, Unit.MONTHS)
