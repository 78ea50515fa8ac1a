"""Flat-rate funding, surcoût and période d'essai: figures a dossier can show and explain.

R-CIPI-FUND: 17 € HT/h, 27 € HT/h under a national programme, on training hours and the
hours of both bilans (R-CIPI-BILAN); tutor training 15 €/h « dans la limite d'une durée de 40
heures »: a longer tutor training is the agency's choice, funded for 40 h (I-TUTOR-40H-FUNDED).
R-CDPI-FUND: a rate set by the joint bodies (none in the sources: configurable); tutor training
funded for 40 h at most, at a rate the sources do not give. R-SURCOUT: cost per hour − flat rate.
R-CDPI-TRIAL: 2, 3 or 5 days.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from dossiers.deadlines.facts import DossierFacts, Kind, Programme
from dossiers.deadlines.periods import months
from dossiers.deadlines.rulesets import Figure


@dataclass(frozen=True)
class FundingEstimate:
    rate: Fraction | None
    rate_figure: Figure[Fraction] | Figure[Fraction | None]
    hours: Fraction
    amount: Fraction | None
    surcout_per_hour: Fraction | None
    surcout_total: Fraction | None
    tutor_hours: Fraction = Fraction(0)
    tutor_rate: Fraction | None = None
    tutor_rate_figure: Figure[Fraction] | Figure[Fraction | None] | None = None
    tutor_amount: Fraction | None = None
    # R-CIPI-FUND, R-CDPI-FUND: the tutor hours funded, 40 at most (I-TUTOR-40H-FUNDED).
    tutor_funded_hours: Fraction = Fraction(0)
    tutor_max_figure: Figure[Fraction] | None = None

    @property
    def total(self) -> Fraction | None:
        """Training and bilans, plus tutor training when there is some."""
        if self.amount is None:
            return None
        if not self.tutor_hours:
            return self.amount
        return None if self.tutor_amount is None else self.amount + self.tutor_amount


# I-CIPI-PROGRAMME-RATE: the national programmes the CIPI sources name (001, 002).
CIPI_PROGRAMMES = frozenset({Programme.LANGUE_COMPETENCES, Programme.MISSIONS_JEUNES})


def flat_rate(facts: DossierFacts,
              cdpi_rate: Fraction | None = None) -> tuple[Fraction | None, Figure]:  # type: ignore[type-arg]
    """R-CIPI-FUND: 27 €/h under a national programme the CIPI sources name (Langue et
    Compétences, Missions Jeunes); HOPE, written for the CDPI only (003), and anything else
    keep 17 €/h (I-CIPI-PROGRAMME-RATE). R-CDPI-FUND: the configured rate (I-CDPI-RATE-CONFIG)."""
    rules = facts.rules
    if facts.kind is Kind.CIPI:
        figure = (rules.cipi_programme_flat_rate if facts.programme in CIPI_PROGRAMMES
                  else rules.cipi_flat_rate)
        return figure.value, figure
    return (cdpi_rate if cdpi_rate is not None else rules.cdpi_flat_rate.value,
            rules.cdpi_flat_rate)


def estimate(facts: DossierFacts, cdpi_rate: Fraction | None = None) -> FundingEstimate | None:
    """None for a CAR: the sources give it no flat rate (I-CAR-NO-FLAT-RATE). The surcoût
    applies to training hours only, never below zero (I-SURCOUT-TRAINING-HOURS)."""
    if facts.kind is Kind.CAR:
        return None
    rate, figure = flat_rate(facts, cdpi_rate)
    hours = facts.training_hours + facts.positioning_hours + facts.evaluation_hours
    amount = rate * hours if rate is not None else None
    per_hour = total = None
    if facts.hourly_cost is not None and rate is not None:
        per_hour = max(Fraction(0), facts.hourly_cost - rate)
        total = per_hour * facts.training_hours
    tutor_figure = rules_tutor_rate(facts)
    # I-TUTOR-40H-FUNDED: hours above the limit are accepted, and not funded.
    tutor_max = (facts.rules.cipi_tutor_max_hours if facts.kind is Kind.CIPI
                 else facts.rules.cdpi_tutor_max_hours)
    funded = min(facts.tutor_hours, tutor_max.value)
    tutor_amount = (tutor_figure.value * funded if tutor_figure.value is not None else None)
    return FundingEstimate(rate, figure, hours, amount, per_hour, total, facts.tutor_hours,
                           tutor_figure.value, tutor_figure, tutor_amount, funded, tutor_max)


def rules_tutor_rate(facts: DossierFacts) -> Figure:  # type: ignore[type-arg]
    """R-CIPI-FUND: 15 €/h; R-CDPI-FUND: no rate in the sources."""
    rules = facts.rules
    return rules.cipi_tutor_rate if facts.kind is Kind.CIPI else rules.cdpi_tutor_rate


def trial_days(facts: DossierFacts) -> int | None:
    """R-CDPI-TRIAL, the contract's length read as the training period (I-TRIAL-TRAINING-PERIOD),
    a durée that counts its first day: « 1 mois » from 11/01 ends on 10/02 (R-CAL-3)."""
    if facts.kind is not Kind.CDPI:
        return None
    for count, days in facts.rules.cdpi_trial_days.value:
        if count is None or facts.training_end <= months(count).last_day(facts.training_start,
                                                                          facts.zone):
            return days
    raise AssertionError("the last trial period has no limit")
