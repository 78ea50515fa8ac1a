"""R-CAL-2: every zone's holiday subdivision exists in the installed `holidays` release,
and each zone's own holidays are the ones the rules rely on."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import holidays
import pytest

from dossiers.deadlines.zones import ZONES

# One holiday that only this zone has (R-CAL-2), as the `holidays` package dates it.
OWN_HOLIDAY = {
    "alsace-moselle": date(2027, 3, 26),  # Vendredi saint
    "guadeloupe": date(2027, 5, 27),      # Abolition de l'esclavage
    "martinique": date(2027, 5, 22),
    "guyane": date(2027, 6, 10),
    "reunion": date(2027, 12, 20),
    "mayotte": date(2027, 4, 27),
}


@pytest.mark.parametrize("slug", sorted(ZONES))
def test_each_zone_subdivision_exists_in_the_installed_holidays(slug: str) -> None:
    """R-CAL-2: a subdivision the package does not know would silently give metropole's days."""
    zone = ZONES[slug]
    if zone.subdivision is not None:
        assert zone.subdivision in holidays.France.subdivisions
    ZoneInfo(zone.time_zone)  # R-CAL-4: the zone's time zone is known to tzdata


@pytest.mark.parametrize("slug", sorted(OWN_HOLIDAY))
def test_each_zone_has_its_own_holiday_and_metropole_does_not(slug: str) -> None:
    """R-CAL-2: the day is a holiday in the zone only."""
    day = OWN_HOLIDAY[slug]
    assert day in holidays.France(subdiv=ZONES[slug].subdivision, years=day.year)
    assert day not in holidays.France(years=day.year)


def test_alsace_moselle_also_keeps_the_26th_of_december() -> None:
    """R-CAL-2: Saint-Étienne in Alsace-Moselle."""
    assert date(2027, 12, 26) in holidays.France(subdiv="57", years=2027)
    assert date(2027, 12, 26) not in holidays.France(years=2027)
