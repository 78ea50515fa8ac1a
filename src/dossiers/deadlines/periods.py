"""Durations as the sources state them: calendar days, jours ouvrés, weeks, months.

R-CAL-3 reads « N mois » in two ways, decided here once:

- a délai that runs after an event ends on the same date N months later, clamped at the
  month's end (Code de procédure civile, art. 640–642): `Period.after` (the CDPI/CAR mission
  window, the R-DRF-SHIFT limit);
- a durée that counts its first day ends the day before that date: `Period.last_day`
  (the CIPI's 6 months, the CDPI's 12 months, the CAR's 9 months and 12-month contract).

« Au plus tôt N mois avant » a start opens on the first day from which the start lies within
N months: `Period.earliest_before` (start 30/04/2027 → 01/03/2027, not 28/02).
"""

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
        """R-CAL-3, délai: the day the period ends when it runs after the event `day`."""
        return self._shift(day, self.amount, zone)

    def before(self, day: date, zone: str) -> date:
        return self._shift(day, -self.amount, zone)

    def last_day(self, first: date, zone: str) -> date:
        """R-CAL-3, durée: the last day of a period that counts its first day `first`."""
        return self.after(first, zone) - timedelta(days=1)

    def earliest_before(self, day: date, zone: str) -> date:
        """R-CAL-3: the first day from which `day` lies within the period (« au plus tôt N
        mois avant »). With months clamped at the month's end, `day` − N months can lie more
        than N months before `day` (30/04 − 2 months = 28/02, and 28/02 + 2 months = 28/04):
        the opening is then the next day from which `day` is reached."""
        candidate = self.before(day, zone)
        while self.after(candidate, zone) < day:
            candidate += timedelta(days=1)
        return candidate

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
