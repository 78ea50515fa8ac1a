"""R-CAL-2 through the file cache: the same dates as the holidays package, read back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from dossiers.deadlines import business_days
from dossiers.deadlines.business_days import add_business_days, holidays_from_package
from dossiers.holiday_cache import HolidayFileCache
from dossiers.deadlines.zones import ZONES


@pytest.mark.parametrize("zone", sorted(ZONES))
def test_the_cache_gives_the_package_s_dates_and_keeps_them(tmp_path: Path, zone: str) -> None:
    cache = HolidayFileCache(tmp_path)
    assert cache(zone, 2027) == holidays_from_package(zone, 2027)
    stored = json.loads(cache.path.read_text(encoding="utf-8"))
    assert f"{zone}:2027" in stored
    again = HolidayFileCache(tmp_path)
    assert again._dates == stored
    assert again(zone, 2027) == holidays_from_package(zone, 2027)


def test_business_days_are_the_same_through_the_cache(tmp_path: Path) -> None:
    """R-CAL-1 worked examples, with the cache in front of the package."""
    business_days.use_holiday_source(HolidayFileCache(tmp_path))
    try:
        assert add_business_days(date(2026, 12, 24), 2, "metropole") == date(2026, 12, 29)
        assert add_business_days(date(2026, 4, 7), -2, "alsace-moselle") == date(2026, 4, 1)
    finally:
        business_days.use_holiday_source(holidays_from_package)


def test_the_command_fills_the_cache(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    command = [sys.executable, "-m", "dossiers", "plan", "--kind", "cdpi", "--start",
               "2027-01-11", "--end", "2027-02-19", "--training-hours", "210", "--json"]
    first = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    [cached] = (tmp_path / "dossiers").glob("holidays-*.json")
    assert "metropole:2027" in json.loads(cached.read_text(encoding="utf-8"))
    second = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    assert json.loads(first.stdout)["steps"][0]["due"] == "2027-01-07"
    assert second.stdout == first.stdout


def test_an_unwritable_cache_only_costs_time(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    cache = HolidayFileCache(blocked / "dossiers")
    assert cache("metropole", 2027) == holidays_from_package("metropole", 2027)


def test_a_missing_year_brings_its_neighbours_in_one_write(tmp_path: Path) -> None:
    """A run that needs several years of a zone asks the package and writes the file once:
    the years around the one asked for come with it, with the package's dates."""
    cache = HolidayFileCache(tmp_path)
    assert cache("reunion", 2027) == holidays_from_package("reunion", 2027)
    stored = json.loads(cache.path.read_text(encoding="utf-8"))
    assert sorted(stored) == [f"reunion:{year}" for year in range(2017, 2038)]
    assert all(stored[f"reunion:{year}"] == sorted(
        d.isoformat() for d in holidays_from_package("reunion", year))
        for year in range(2017, 2038))
    cache.path.unlink()
    assert cache("reunion", 2036) == holidays_from_package("reunion", 2036)
    assert not cache.path.exists()  # known already: nothing asked of the package, nothing written


def test_the_release_read_from_the_metadata_s_head_is_importlib_s() -> None:
    from importlib.metadata import version

    from dossiers.holiday_cache import holidays_release

    assert holidays_release() == version("holidays")
