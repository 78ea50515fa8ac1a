"""Jours ouvrés per zone (R-CAL-1, R-CAL-2) and calendar months (R-CAL-3)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import lru_cache

from dateutil.relativedelta import relativedelta

from dossiers.deadlines.zones import zone_named

HolidaySource = Callable[[str, int], frozenset[date]]


def holidays_from_package(zone: str, year: int) -> frozenset[date]:
    """R-CAL-2: the zone's public holidays of a year, from the `holidays` package."""
    import holidays  # imported on first use: it loads every country (≈ 0.3 s)

    return frozenset(holidays.France(subdiv=zone_named(zone).subdivision, years=year))


_source: HolidaySource = holidays_from_package


def use_holiday_source(source: HolidaySource) -> None:
    """Let the application put a cache in front of the package (the dates are the same)."""
    global _source
    _source = source
    _year_holidays.cache_clear()
    add_business_days.cache_clear()


@lru_cache(maxsize=None)
def _year_holidays(zone: str, year: int) -> frozenset[date]:
    zone_named(zone)  # an unknown zone is an error, not a calendar without holidays
    return _source(zone, year)


def holidays_cover(zone: str, year: int) -> bool:
    """R-CAL-2: whether the holiday source knows the zone's year. Every French zone has
    public holidays each year (1 January at least), so an empty year is one the installed
    `holidays` does not cover (0.109 stops after 2100), not a year without holidays."""
    return bool(_year_holidays(zone, year))


def is_holiday(day: date, zone: str) -> bool:
    return day in _year_holidays(zone, day.year)


def is_business_day(day: date, zone: str) -> bool:
    """R-CAL-1: Monday to Friday, minus the zone's jours fériés."""
    return day.weekday() < 5 and not is_holiday(day, zone)


@lru_cache(maxsize=65536)
def add_business_days(day: date, count: int, zone: str) -> date:
    """The date `count` jours ouvrés after `day` (before it when negative).

    `day` itself is never counted: start − 2 jours ouvrés for a Monday start is
    the Thursday before (R-DRF-WINDOW), DRF submitted + 2 jours ouvrés on a
    Thursday is the next Monday (R-DRF-ANSWER). Cached: many dossiers share dates.
    """
    step = 1 if count >= 0 else -1
    remaining = abs(count)
    current = day
    while remaining:
        current += timedelta(days=step)
        if is_business_day(current, zone):
            remaining -= 1
    return current


@lru_cache(maxsize=65536)
def add_months(day: date, months: int) -> date:
    """R-CAL-3: calendar months, clamped to the end of the month."""
    return day + relativedelta(months=months)


def business_days_between(first: date, last: date, zone: str) -> int:
    """How many jours ouvrés lie in first … last, both included."""
    count = 0
    current = first
    while current <= last:
        if is_business_day(current, zone):
            count += 1
        current += timedelta(days=1)
    return count
