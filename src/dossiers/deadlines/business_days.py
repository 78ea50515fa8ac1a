"""Jours ouvrés per zone (R-CAL-1, R-CAL-2) and calendar months (R-CAL-3)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from dateutil.relativedelta import relativedelta

from dossiers.deadlines.zones import zone_named

HolidaySource = Callable[[str, int], frozenset[date]]


@lru_cache(maxsize=None)
def _package_calendar(zone: str) -> Any:
    """The zone's calendar from the `holidays` package, built once per process (building it
    costs far more than adding a year to it). The package adds a whole year to it the first
    time a date of that year is looked up (its `expand`), each year once."""
    import holidays  # imported on first use: it loads every country (≈ 0.3 s)

    return holidays.France(subdiv=zone_named(zone).subdivision)


def package_holidays(zone: str, years: Iterable[int]) -> dict[int, frozenset[date]]:
    """R-CAL-2: the zone's public holidays of each year, from the `holidays` package: the
    same dates as a calendar built for that year alone."""
    calendar = _package_calendar(zone)
    wanted: dict[int, set[date]] = {year: set() for year in years}
    for year in wanted:
        _ = date(year, 1, 1) in calendar  # the package fills the year in
    for day in calendar:
        if day.year in wanted:
            wanted[day.year].add(day)
    return {year: frozenset(days) for year, days in wanted.items()}


def holidays_from_package(zone: str, year: int) -> frozenset[date]:
    """R-CAL-2: the zone's public holidays of a year, from the `holidays` package."""
    return package_holidays(zone, (year,))[year]


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


def next_business_day(day: date, zone: str) -> date:
    """The first jour ouvré after `day`."""
    return add_business_days(day, 1, zone)


def business_days_between(first: date, last: date, zone: str) -> int:
    """How many jours ouvrés lie in first … last, both included."""
    count = 0
    current = first
    while current <= last:
        if is_business_day(current, zone):
            count += 1
        current += timedelta(days=1)
    return count
