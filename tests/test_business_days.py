"""R-CAL-1, R-CAL-2, R-CAL-3: jours ouvrés per zone and calendar months."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dossiers.deadlines.business_days import (
    add_business_days, add_months, business_days_between, holidays_from_package, is_business_day,
    is_holiday, package_holidays,
)
from dossiers.deadlines.zones import ZONES

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
zones = st.sampled_from(sorted(ZONES))


@pytest.mark.parametrize(("day", "zone", "expected"), [
    (date(2026, 5, 25), "metropole", False),  # Pentecost Monday
    (date(2026, 4, 3), "metropole", True),  # Good Friday is worked in metropole
    (date(2026, 4, 3), "alsace-moselle", False),  # … but not in Alsace-Moselle
    (date(2026, 12, 26), "alsace-moselle", False),  # a Saturday anyway
    (date(2025, 12, 26), "alsace-moselle", False),  # Saint Stephen, a Friday
    (date(2025, 12, 26), "metropole", True),
    (date(2026, 5, 27), "guadeloupe", False),  # Abolition of slavery (971)
    (date(2026, 5, 27), "metropole", True),
    (date(2026, 12, 20), "reunion", False),  # a Sunday, and 974's abolition day
    (date(2026, 11, 21), "metropole", False),  # a Saturday
])
def test_a_jour_ouvre_is_a_weekday_that_is_not_a_holiday_of_the_zone(
    day: date, zone: str, expected: bool
) -> None:
    """R-CAL-1, R-CAL-2."""
    assert is_business_day(day, zone) is expected


def test_two_jours_ouvres_after_christmas_eve_is_the_next_tuesday() -> None:
    """R-CAL-1 worked example: DRF submitted Thu 2026-12-24 → answer Tue 2026-12-29."""
    assert add_business_days(date(2026, 12, 24), 2, "metropole") == date(2026, 12, 29)


def test_two_jours_ouvres_before_a_start_skip_pentecost_monday() -> None:
    """R-CAL-1 worked example: start Tue 2026-05-26 → Thu 2026-05-21."""
    assert add_business_days(date(2026, 5, 26), -2, "metropole") == date(2026, 5, 21)


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2026, 4, 30), -2, date(2026, 2, 28)),
    (date(2026, 11, 30), 3, date(2027, 2, 28)),
    (date(2027, 11, 30), 3, date(2028, 2, 29)),
    (date(2027, 1, 11), -2, date(2026, 11, 11)),
])
def test_months_are_calendar_months_clamped_to_the_end_of_the_month(
    day: date, months: int, expected: date
) -> None:
    """R-CAL-3."""
    assert add_months(day, months) == expected


@given(start=days, zone=zones, count=st.integers(min_value=1, max_value=15))
def test_n_jours_ouvres_before_a_day_is_a_jour_ouvre_exactly_n_jours_ouvres_away(
    start: date, zone: str, count: int
) -> None:
    """R-CAL-1, R-DRF-WINDOW: the due date is a jour ouvré and exactly `count` jours ouvrés
    (the due date included, the start excluded) lie before the start."""
    due = add_business_days(start, -count, zone)
    assert due < start
    assert is_business_day(due, zone)
    assert business_days_between(due, start - timedelta(days=1), zone) == count


@given(day=days, zone=zones, count=st.integers(min_value=0, max_value=15))
def test_adding_then_removing_jours_ouvres_from_a_jour_ouvre_returns_to_it(
    day: date, zone: str, count: int
) -> None:
    """R-CAL-1: the arithmetic is consistent both ways on jours ouvrés."""
    if not is_business_day(day, zone):
        return
    assert add_business_days(add_business_days(day, count, zone), -count, zone) == day


@given(start=days)
def test_alsace_moselle_differs_from_metropole_only_around_its_two_extra_holidays(
    start: date,
) -> None:
    """R-CAL-2: Vendredi saint and 26 December are the only extra holidays; a DRF due date
    differs only when one of them lies between the due date and the start."""
    metropole = add_business_days(start, -2, "metropole")
    alsace = add_business_days(start, -2, "alsace-moselle")
    extra = [
        day for day in (metropole + timedelta(days=n) for n in range((start - metropole).days))
        if is_holiday(day, "alsace-moselle") and not is_holiday(day, "metropole")
    ]
    assert alsace <= metropole
    if alsace != metropole:
        assert extra, f"{start}: {alsace} ≠ {metropole} with no extra holiday between"
        assert all(day.strftime("%m-%d") == "12-26" or day.weekday() == 4 for day in extra)
    else:
        assert not [day for day in extra if day.weekday() < 5]


@given(day=days)
def test_the_only_holidays_alsace_moselle_adds_are_good_friday_and_saint_stephen(day: date) -> None:
    """R-CAL-2."""
    if is_holiday(day, "alsace-moselle") and not is_holiday(day, "metropole"):
        assert (day.month, day.day) == (12, 26) or day.weekday() == 4
    assert not (is_holiday(day, "metropole") and not is_holiday(day, "alsace-moselle"))


@pytest.mark.parametrize("zone", sorted(ZONES))
def test_a_zone_s_calendar_built_once_gives_each_year_the_dates_of_that_year_alone(
    zone: str
) -> None:
    """R-CAL-2: one calendar per zone, years added as they are needed (in any order), gives
    for each year exactly what the `holidays` package gives for that year alone, up to and
    beyond the last year it covers."""
    import holidays

    subdivision = ZONES[zone].subdivision
    years = [2027, 2026, 1999, 2099, 2100, 2101, 2030, 2031, 2024]
    asked = package_holidays(zone, years)
    assert list(asked) == years
    for year in years:
        alone = frozenset(holidays.France(subdiv=subdivision, years=year))
        assert asked[year] == alone == holidays_from_package(zone, year), (zone, year)
    assert asked[2101] == frozenset() and all(asked[y] for y in years if y != 2101)
    assert package_holidays(zone, range(2020, 2036)) == {
        year: frozenset(holidays.France(subdiv=subdivision, years=year))
        for year in range(2020, 2036)}
