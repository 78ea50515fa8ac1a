"""Bounds a dossier must respect before it is opened or an event recorded.

Each check raises InvalidInput naming the field and the rule (R-CIPI-HOURS,
R-CDPI-HOURS, R-CAR-HOURS, R-CIPI-BILAN, R-CDPI-BILAN, R-CIPI-FUND, R-CDPI-FUND,
R-CDPI-ELIG, R-DRF-WINDOW).
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from dossiers import messages
from dossiers.deadlines.zones import DEFAULT_ZONE
from dossiers.deadlines.facts import EventKind, Kind
from dossiers.deadlines.periods import Period
from dossiers.deadlines.rulesets import Figure, HoursRange, RuleSet
from dossiers.deadlines.suspensions import suspension_on
from dossiers.errors import InvalidInput

F = messages.FIELD_LABELS
SENIORITY_BASIS = "anciennete-150h"


def check_dossier(
    kind: Kind,
    start: date,
    end: date,
    training_hours: Fraction,
    rules: RuleSet,
    mission_hours: Fraction | None = None,
    *,
    positioning_hours: Fraction | None = None,
    evaluation_hours: Fraction | None = None,
    tutor_hours: Fraction | None = None,
) -> None:
    """The training dates and hours of a dossier, per kind; the maximum lengths are checked on
    the training dates, the CIPI missions on the planned hours (I-PERIOD-FROM-TRAINING). Tutor
    hours above 40 are accepted: the sources cap their funding, not the training
    (I-TUTOR-40H-FUNDED, funding.py)."""
    if end < start:
        raise InvalidInput(F["training_end"], f"le {messages.short_date(end)} précède le début "
                           f"de formation du {messages.short_date(start)}")
    if training_hours <= 0:
        raise InvalidInput(F["training_hours"], "doit être un nombre d'heures positif")
    if mission_hours is not None and mission_hours < 0:
        raise InvalidInput(F["mission_hours"], "ne peut pas être négatif")
    for key, value in (("positioning_hours", positioning_hours),
                       ("evaluation_hours", evaluation_hours), ("tutor_hours", tutor_hours)):
        if value is not None and value < 0:
            raise InvalidInput(F[key], "ne peut pas être négatif")
    if kind is Kind.CIPI:
        _check_range(F["training_hours"], training_hours, rules.cipi_training_hours)
        planned = rules.cipi_mission_hours.value if mission_hours is None else mission_hours
        if planned < rules.cipi_mission_hours.value:
            raise InvalidInput(
                F["mission_hours"],
                f"{messages.hours(planned)} prévues, il en faut au moins "
                f"{messages.hours(rules.cipi_mission_hours.value)}",
                rules.cipi_mission_hours.rule,
            )
        _check_range("heures totales (formation + missions)", training_hours + planned,
                     rules.cipi_total_hours)
        _check_length(start, end, rules.cipi_period, rules.cipi_training_hours.rule)
        _check_max("positioning_hours", positioning_hours, rules.cipi_positioning_max_hours)
        _check_max("evaluation_hours", evaluation_hours, rules.cipi_evaluation_max_hours)
    elif kind is Kind.CDPI:
        _check_range(F["training_hours"], training_hours, rules.cdpi_training_hours)
        _check_length(start, end, rules.cdpi_period, rules.cdpi_period.rule)
        _check_max("positioning_hours", positioning_hours, rules.cdpi_positioning_max_hours)
        _check_max("evaluation_hours", evaluation_hours, rules.cdpi_evaluation_max_hours)
    else:
        _check_length(start, end, rules.car_training_period, rules.car_training_period.rule)


AKTO_PROCESS_EVENTS = frozenset({
    EventKind.DRF_SUBMITTED, EventKind.DRF_ACCORD, EventKind.DRF_REFUSAL,
    EventKind.CONTRACT_SUBMITTED, EventKind.ATTENDANCE_SUBMITTED,
})


def check_event_kind(dossier_kind: Kind, kind: EventKind) -> None:
    """The DRF process is CIPI's and CDPI's; the CAR has its own request (R-CAR-REQUEST)."""
    if dossier_kind is Kind.CAR and kind in AKTO_PROCESS_EVENTS:
        raise InvalidInput("événement", f"« {kind.value} » ne concerne pas un CAR "
                           "(demande à AKTO : car-request-submitted)", "R-CAR-REQUEST")
    if dossier_kind is not Kind.CAR and kind is EventKind.CAR_REQUEST_SUBMITTED:
        raise InvalidInput("événement", f"« {kind.value} » ne concerne que les CAR",
                           "R-CAR-REQUEST")


def check_event_date(kind: EventKind, on: date, start: date, drf_submitted: date | None,
                     drf_answered: date | None, field: str = "--on") -> None:
    """R-DRF-WINDOW: a DRF dated on or after the training start is refused; an answer of
    AKTO or a contract needs the DRF or the accord before it."""
    if kind is EventKind.DRF_SUBMITTED and on >= start:
        raise InvalidInput(
            field,
            f"une DRF ne peut pas être déposée le {messages.short_date(on)}, la formation "
            f"démarre le {messages.short_date(start)}",
            "R-DRF-WINDOW",
        )
    if kind in (EventKind.DRF_ACCORD, EventKind.DRF_REFUSAL):
        if drf_submitted is None:
            raise InvalidInput(field, "aucune DRF déposée : enregistrez d'abord drf-submitted",
                               "R-DRF-ANSWER")
        if on < drf_submitted:
            raise InvalidInput(field, f"la réponse d'AKTO précède la DRF du "
                               f"{messages.short_date(drf_submitted)}", "R-DRF-ANSWER")
    if kind is EventKind.CONTRACT_SUBMITTED:
        if drf_answered is None:
            raise InvalidInput(field, "aucun accord de DRF : enregistrez d'abord drf-accord",
                               "R-CONTRACT")
        if on < drf_answered:
            raise InvalidInput(field, f"le contrat précède l'accord du "
                               f"{messages.short_date(drf_answered)}", "R-CONTRACT")


def _check_range(field: str, value: Fraction, figure: Figure[HoursRange]) -> None:
    bounds = figure.value
    if (bounds.low is not None and value < bounds.low) or (
        bounds.high is not None and value > bounds.high
    ):
        raise InvalidInput(
            field,
            f"{messages.hours(value)} hors des bornes "
            f"{messages.hours(bounds.low or Fraction(0))} – {messages.hours(bounds.high or value)}",
            figure.rule,
        )


def _check_length(start: date, end: date, figure: Figure[Period], rule: str) -> None:
    # R-CAL-3: a durée that counts its first day ends start + N months − 1 day.
    limit = figure.value.last_day(start, DEFAULT_ZONE)
    if end > limit:
        raise InvalidInput(
            F["training_end"],
            f"le {messages.short_date(end)} dépasse la durée maximale "
            f"({messages.period(figure.value.amount, figure.value.unit.value)} comptés du "
            f"démarrage, soit au plus tard le {messages.short_date(limit)})",
            rule,
        )


def _check_max(key: str, value: Fraction | None, figure: Figure[Fraction]) -> None:
    if value is not None and value > figure.value:
        raise InvalidInput(F[key], f"{messages.hours(value)} au-delà du maximum "
                           f"de {messages.hours(figure.value)}", figure.rule)


def check_seniority(kind: Kind, eligibility: str | None, seniority_hours: Fraction | None,
                    rules: RuleSet) -> None:
    """R-CDPI-ELIG: a CDPI opened on seniority needs 150 h in the branch over the last 12
    months (interpretation I-SENIORITY: the 12 months before the training start)."""
    if seniority_hours is not None and seniority_hours < 0:
        raise InvalidInput(F["seniority_hours"], "ne peut pas être négatif")
    figure = rules.cdpi_seniority_hours
    if (kind is Kind.CDPI and eligibility == SENIORITY_BASIS and seniority_hours is not None
            and seniority_hours < figure.value):
        raise InvalidInput(F["seniority_hours"],
                           f"{messages.hours(seniority_hours)} dans la branche sur les 12 mois "
                           f"précédant le démarrage, il en faut au moins "
                           f"{messages.hours(figure.value)}", figure.rule)


def check_basic_skills_share(share: Fraction | None) -> None:
    """R-L&C: a share of the programme, between 0 and 100 %."""
    if share is not None and not 0 <= share <= 1:
        raise InvalidInput(F["basic_skills_share"], "doit être un pourcentage entre 0 et 100",
                           "R-L&C")


def check_drf_deposit(rules: RuleSet, on: date, field: str = "--on") -> None:
    """R-DRF-WINDOW, I-2021-SUSPENSION: no DRF deposit while deposits are suspended, whatever
    the rule set (`rules` is kept for the callers; the suspension is a fact about dates)."""
    suspension = suspension_on(on)
    if suspension is not None:
        first, last = suspension
        raise InvalidInput(field, messages.drf_deposit_suspended(on, first, last),
                           "R-DRF-WINDOW")
