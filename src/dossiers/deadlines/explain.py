"""`dossiers explain`: every date and figure with its rule, the source's words and the
arithmetic, read from the same rule set figures the engine applies."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from dossiers import messages
from dossiers.deadlines.engine import current_accord
from dossiers.deadlines.facts import DossierFacts, Kind
from dossiers.deadlines.funding import estimate, trial_days
from dossiers.deadlines.periods import Period
from dossiers.deadlines.rulesets import Figure
from dossiers.deadlines.timeline import Timeline


def _period(period: Period) -> str:
    return messages.period(period.amount, period.unit.value)


def _cite(figure: Figure) -> str:  # type: ignore[type-arg]
    return f"({figure.rule}, {figure.source} : « {figure.quote} »)"


def _shift(result: date, anchor: date, anchor_name: str, sign: str, figure: Figure) -> str:  # type: ignore[type-arg]
    return (f"{result.isoformat()} = {anchor.isoformat()} ({anchor_name}) {sign} "
            f"{_period(figure.value)} {_cite(figure)}")


def explain(facts: DossierFacts, timeline: Timeline,
            cdpi_rate: Fraction | None = None) -> list[tuple[str, str]]:
    """(subject, explanation) pairs, in the order of the steps."""
    rules = facts.rules
    start, end = facts.training_start, facts.training_end
    lines: list[tuple[str, str]] = []
    for step in timeline.steps:
        label = step.label
        if step.code == "drf":
            assert step.opens and step.due
            lines.append((f"{label}, ouverture",
                          _shift(step.opens, start, "démarrage", "−", rules.drf_opens_before_start)))
            lines.append((f"{label}, échéance",
                          _shift(step.due, start, "démarrage", "−", rules.drf_due_before_start)
                          + f" ; jours ouvrés de la zone {facts.zone} (R-CAL-1, R-CAL-2 ; "
                          "« 48 heures » lues comme 2 jours ouvrés, interprétation "
                          "I-48H-BUSINESS-DAYS)"))
        elif step.code == "akto_response" and step.opens and step.due:
            lines.append((label, _shift(step.due, step.opens, "dépôt de la DRF", "+",
                                        rules.akto_answer_within)))
        elif step.code == "contract" and step.opens and step.due:
            lines.append((label, _shift(step.due, step.opens, "accord de la DRF", "+",
                                        rules.contract_within)))
        elif step.code == "positioning_assessment" and step.due:
            lines.append((label, _shift(step.due, start, "démarrage", "−",
                                        rules.cdpi_positioning_before_start)))
        elif step.code == "car_request" and step.due:
            lines.append((label, f"{step.due.isoformat()} = {start.isoformat()} (démarrage) "
                          f"{_cite(rules.car_request_before_start)}"))
        elif step.code == "mission_obligation" and step.progress:
            lines += _mission(facts, timeline, step.progress.window_start,
                              step.progress.window_end)
        elif step.code == "attendance":
            lines.append((label, f"ouverte le {end.isoformat()} (fin de formation), sans échéance "
                          "(interprétation I-ATTEND-NO-DEADLINE) "
                          f"{_cite(rules.attendance_due_after_end)}"))
    accord = current_accord(facts)
    if accord is not None and facts.kind is not Kind.CAR:
        limit = rules.drf_shift_limit
        edge = limit.value.after(accord, facts.zone)
        verdict = "DRF à refaire" if start > edge else "la DRF reste valable"
        lines.append(("Décalage du démarrage",
                      f"{start.isoformat()} (démarrage) {'>' if start > edge else '≤'} "
                      f"{accord.isoformat()} (accord) + {_period(limit.value)} = "
                      f"{edge.isoformat()} : {verdict} {_cite(limit)}"))
    lines += _funding(facts, cdpi_rate)
    days = trial_days(facts)
    if days is not None:
        lines.append(("Période d'essai", f"{days} jours au plus, la durée du contrat étant lue "
                      f"comme la période de formation du {start.isoformat()} au "
                      f"{end.isoformat()} (interprétation I-TRIAL-TRAINING-PERIOD) "
                      f"{_cite(rules.cdpi_trial_days)}"))
    return lines


def _mission(facts: DossierFacts, timeline: Timeline, opens: date,
             due: date) -> list[tuple[str, str]]:
    rules = facts.rules
    label = messages.STEP_LABELS["mission_obligation"]
    if facts.kind is Kind.CIPI:
        window = rules.cipi_period
        return [
            (f"{label}, fenêtre", _shift(due, facts.training_start, "démarrage", "+", window)),
            (f"{label}, heures", f"{messages.hours(timeline.mission_hours_required)} "
             f"{_cite(rules.cipi_mission_hours)}"),
        ]
    window = rules.cdpi_mission_window if facts.kind is Kind.CDPI else rules.car_mission_window
    share = rules.cdpi_mission_share if facts.kind is Kind.CDPI else rules.car_mission_share
    return [
        (f"{label}, ouverture", f"{opens.isoformat()} = {facts.training_end.isoformat()} (fin de "
         f"formation) + 1 jour ; seules comptent les missions entièrement dans la fenêtre "
         f"(interprétation I-MISSION-INSIDE-WINDOW)"),
        (f"{label}, fin de la fenêtre", _shift(due, facts.training_end, "fin de formation", "+",
                                               window)),
        (f"{label}, heures", f"{messages.hours(timeline.mission_hours_required)} = "
         f"{messages.hours(facts.training_hours)} × {share.value} (tiers exact, interprétation "
         f"I-MISSION-EXACT-THIRD) "
         f"{_cite(share)}"),
    ]


def _funding(facts: DossierFacts, cdpi_rate: Fraction | None) -> list[tuple[str, str]]:
    funding = estimate(facts, cdpi_rate)
    if funding is None:
        return []
    if funding.rate is None or funding.amount is None:
        return [("Forfait", "taux non connu : aucun chiffre dans les sources, à régler dans la "
                 "configuration ([funding] cdpi_hourly_rate ; interprétation I-CDPI-RATE-CONFIG) "
                 f"{_cite(funding.rate_figure)}")]
    lines = [("Forfait", f"{messages.euros(funding.amount)} HT = {messages.hours(funding.hours)} "
              f"(formation et bilans) × {messages.euros(funding.rate)}/h {_cite(funding.rate_figure)}")]
    if funding.surcout_per_hour is not None and facts.hourly_cost is not None:
        assert funding.surcout_total is not None
        euros = messages.euros
        lines.append(("Surcoût", f"{euros(funding.surcout_per_hour)}/h = "
                      f"{euros(facts.hourly_cost)}/h (coût) − {euros(funding.rate)}/h (forfait) ; "
                      f"{euros(funding.surcout_total)} sur {messages.hours(facts.training_hours)} "
                      "(R-SURCOUT, 001 : « le surcoût du contrat sera de 36-17 = 19€/ H »)"))
    return lines


