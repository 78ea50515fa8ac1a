"""Bounds checked before a dossier is opened or an event recorded."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from dossiers.deadlines.bounds import check_dossier, check_event_date, check_event_kind
from dossiers.deadlines.facts import EventKind, Kind
from dossiers.deadlines.rulesets import AKTO_CURRENT
from dossiers.errors import InvalidInput

START = date(2027, 1, 11)


def error_of(kind: Kind, end: date, hours: int | Fraction, mission: int | None = None,
             **extra: int) -> InvalidInput | None:
    try:
        check_dossier(kind, START, end, Fraction(hours), AKTO_CURRENT,
                      None if mission is None else Fraction(mission),
                      **{key: Fraction(value) for key, value in extra.items()})
    except InvalidInput as error:
        return error
    return None


@pytest.mark.parametrize(("hours", "mission", "rule"), [
    (70, None, None), (245, None, None), (69, None, "R-CIPI-HOURS"), (246, None, "R-CIPI-HOURS"),
    (245, 70, None), (245, 71, "R-CIPI-HOURS"),  # total 316 h > 315 h
    (100, 69, "R-CIPI-MISSION"),
])
def test_cipi_training_and_total_hours(hours: int, mission: int | None, rule: str | None) -> None:
    """R-CIPI-HOURS: formation 70–245 h, total 140–315 h; missions at least 70 h."""
    error = error_of(Kind.CIPI, date(2027, 3, 1), hours, mission)
    assert (error.rule if error else None) == rule


def test_a_cipi_lasts_at_most_six_months() -> None:
    """R-CIPI-HOURS: « sur une période de 6 mois », a durée counting its first day (R-CAL-3)."""
    assert error_of(Kind.CIPI, date(2027, 7, 10), 140) is None
    error = error_of(Kind.CIPI, date(2027, 7, 11), 140)
    assert error is not None and error.rule == "R-CIPI-HOURS"
    assert error.field == "fin de formation"


@pytest.mark.parametrize(("hours", "rule"), [
    (140, None), (525, None), (139, "R-CDPI-HOURS"), (526, "R-CDPI-HOURS"),
])
def test_cdpi_training_hours(hours: int, rule: str | None) -> None:
    """R-CDPI-HOURS: 140 h (4 weeks) to 525 h (15 weeks)."""
    error = error_of(Kind.CDPI, date(2027, 6, 1), hours)
    assert (error.rule if error else None) == rule
    if error:
        assert "heures de formation" in str(error)


def test_a_cdpi_lasts_at_most_twelve_months() -> None:
    """R-CDPI-HOURS: « sur une période de 12 mois au maximum », a durée (R-CAL-3)."""
    assert error_of(Kind.CDPI, date(2028, 1, 10), 300) is None
    error = error_of(Kind.CDPI, date(2028, 1, 11), 300)
    assert error is not None and error.rule == "R-CDPI-HOURS"


def test_a_car_training_lasts_at_most_nine_months() -> None:
    """R-CAR-HOURS: « Durée de la formation : 9 mois maximum », a durée (R-CAL-3)."""
    assert error_of(Kind.CAR, date(2027, 10, 10), 600) is None
    error = error_of(Kind.CAR, date(2027, 10, 11), 600)
    assert error is not None and error.rule == "R-CAR-HOURS"


@pytest.mark.parametrize(("kind", "rule"), [(Kind.CIPI, "R-CIPI-BILAN"), (Kind.CDPI, "R-CDPI-BILAN")])
@pytest.mark.parametrize(("bilan", "field"), [
    ("positioning_hours", "heures de bilan de positionnement"),
    ("evaluation_hours", "heures de bilan d'évaluation"),
])
def test_each_of_the_two_bilans_is_at_most_fourteen_hours(kind: Kind, rule: str, bilan: str,
                                                           field: str) -> None:
    """R-CIPI-BILAN, R-CDPI-BILAN: positioning and evaluation, 14 h maximum each."""
    both = {"positioning_hours": 14, "evaluation_hours": 14}
    assert error_of(kind, date(2027, 3, 1), 140, **both) is None
    error = error_of(kind, date(2027, 3, 1), 140, **{**both, bilan: 15})
    assert error is not None and (error.rule, error.field) == (rule, field)
    assert str(error) == f"{field} : 15\u00a0h au-delà du maximum de 14\u00a0h ({rule})"


@pytest.mark.parametrize(("kind", "rule"), [(Kind.CIPI, "R-CIPI-FUND"), (Kind.CDPI, "R-CDPI-FUND")])
def test_tutor_training_above_forty_hours_is_accepted(kind: Kind, rule: str) -> None:
    """R-CIPI-FUND (001), R-CDPI-FUND (003), I-TUTOR-40H-FUNDED: « dans la limite d'une durée de
    40 heures » caps the funding, not the training: 40 h and 41 h are accepted."""
    assert error_of(kind, date(2027, 3, 1), 140, tutor_hours=40) is None
    assert error_of(kind, date(2027, 3, 1), 140, tutor_hours=41) is None
    error = error_of(kind, date(2027, 3, 1), 140, tutor_hours=-1)
    assert error is not None and error.field == "heures de formation du tuteur"


def test_the_end_cannot_come_before_the_start() -> None:
    error = error_of(Kind.CDPI, date(2027, 1, 10), 210)
    assert error is not None and error.field == "fin de formation"
    assert str(error) == ("fin de formation : le 10/01/2027 précède le début de formation "
                          "du 11/01/2027")


@pytest.mark.parametrize(("on", "refused"), [
    (date(2027, 1, 8), False), (date(2027, 1, 11), True), (date(2027, 1, 12), True),
])
def test_a_drf_dated_on_or_after_the_start_is_refused(on: date, refused: bool) -> None:
    """R-DRF-WINDOW: « vous ne pouvez pas saisir une DRF pour une formation ayant déjà démarré »."""
    if refused:
        with pytest.raises(InvalidInput) as caught:
            check_event_date(EventKind.DRF_SUBMITTED, on, START, None, None)
        assert caught.value.rule == "R-DRF-WINDOW"
    else:
        check_event_date(EventKind.DRF_SUBMITTED, on, START, None, None)


def test_an_accord_needs_a_drf_before_it_and_a_contract_an_accord() -> None:
    """R-DRF-ANSWER, R-CONTRACT."""
    with pytest.raises(InvalidInput, match="aucune DRF"):
        check_event_date(EventKind.DRF_ACCORD, date(2026, 12, 1), START, None, None)
    with pytest.raises(InvalidInput, match="précède la DRF"):
        check_event_date(EventKind.DRF_ACCORD, date(2026, 12, 1), START, date(2026, 12, 2), None)
    with pytest.raises(InvalidInput, match="aucun accord"):
        check_event_date(EventKind.CONTRACT_SUBMITTED, date(2026, 12, 1), START,
                         date(2026, 11, 2), None)


def test_a_car_has_no_drf_and_only_a_car_has_a_car_request() -> None:
    """R-CAR-REQUEST."""
    with pytest.raises(InvalidInput) as caught:
        check_event_kind(Kind.CAR, EventKind.DRF_SUBMITTED)
    assert caught.value.rule == "R-CAR-REQUEST"
    with pytest.raises(InvalidInput):
        check_event_kind(Kind.CIPI, EventKind.CAR_REQUEST_SUBMITTED)
    check_event_kind(Kind.CAR, EventKind.CAR_REQUEST_SUBMITTED)
