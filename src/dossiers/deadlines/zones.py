"""The holiday zones of R-CAL-2 and their time zones (R-CAL-4): plain data, cheap to import."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Zone:
    """A holiday zone (R-CAL-2) and the time zone its local dates are read in (R-CAL-4)."""

    slug: str
    subdivision: str | None
    time_zone: str


ZONES: dict[str, Zone] = {
    zone.slug: zone
    for zone in (
        Zone("metropole", None, "Europe/Paris"),
        # Moselle (57) and Alsace (6AE) share the same two extra holidays.
        Zone("alsace-moselle", "57", "Europe/Paris"),
        Zone("guadeloupe", "971", "America/Guadeloupe"),
        Zone("martinique", "972", "America/Martinique"),
        Zone("guyane", "973", "America/Cayenne"),
        Zone("reunion", "974", "Indian/Reunion"),
        Zone("mayotte", "976", "Indian/Mayotte"),
    )
}
DEFAULT_ZONE = "metropole"


class UnknownZone(ValueError):
    def __init__(self, slug: str) -> None:
        super().__init__(slug)
        self.slug = slug


def zone_named(slug: str) -> Zone:
    try:
        return ZONES[slug]
    except KeyError:
        raise UnknownZone(slug) from None
