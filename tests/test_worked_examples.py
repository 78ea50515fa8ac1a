"""The worked examples of docs/rules.md (« Exemples chiffrés ») are this module's data: the test
checks that the rule book's table is exactly these rows, and runs each row against the engine,
so the rule book and the tool cannot disagree (issue 19). Each row names its rules."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest

from dossiers.deadlines.bounds import check_dossier, check_drf_deposit
from dossiers.deadlines.engine import compute_timeline
from dossiers.deadlines.facts import DossierFacts, Event, EventKind, Kind
from dossiers.deadlines.funding import estimate, trial_days
from dossiers.deadlines.rulesets import AKTO_2021, AKTO_CURRENT, RULE_SETS, RuleSet
from dossiers.deadlines.timeline import Status, Step
from dossiers.errors import InvalidInput

ROOT = Path(__file__).resolve().parents[1]
RULE_BOOK = ROOT / "docs" / "rules.md"


@dataclass(frozen=True)
class Example:
    rules: str  # the rule ids the row checks
    case: str
    result: str
    check: Callable[[], None]


def facts(kind: Kind, start: date, end: date, hours: int = 140, zone: str = "metropole",
          rules: RuleSet = AKTO_CURRENT, events: tuple[tuple[EventKind, date], ...] = (),
          **extra) -> DossierFacts:  # type: ignore[no-untyped-def]
    return DossierFacts(kind=kind, training_start=start, training_end=end,
                        training_hours=Fraction(hours), zone=zone, rules=rules,
                        events=tuple(Event(k, on) for k, on in events), **extra)


def step(f: DossierFacts, code: str, day: date | None = None) -> Step:
    found = compute_timeline(f, day or f.training_start).step(code)
    assert found is not None, code
    return found


def _cdpi_january() -> None:
    f = facts(Kind.CDPI, date(2027, 1, 11), date(2027, 2, 19), 210)
    drf, mission = step(f, "drf"), step(f, "mission_obligation")
    assert (drf.opens, drf.due) == (date(2026, 11, 11), date(2027, 1, 7))
    assert (mission.opens, mission.due) == (date(2027, 2, 20), date(2027, 5, 19))
    assert mission.progress is not None and mission.progress.hours_required == 70
    assert trial_days(f) == 3


def _cipi_pentecost() -> None:
    f = facts(Kind.CIPI, date(2026, 5, 26), date(2026, 7, 3))
    assert step(f, "drf").due == date(2026, 5, 21)
    assert step(f, "mission_obligation").due == date(2026, 11, 25)
    check_dossier(Kind.CIPI, date(2026, 5, 26), date(2026, 11, 25), Fraction(140), AKTO_CURRENT)
    with pytest.raises(InvalidInput):
        check_dossier(Kind.CIPI, date(2026, 5, 26), date(2026, 11, 26), Fraction(140),
                      AKTO_CURRENT)


def _good_friday() -> None:
    for zone, due in (("metropole", date(2026, 4, 2)), ("alsace-moselle", date(2026, 4, 1))):
        f = facts(Kind.CDPI, date(2026, 4, 7), date(2026, 5, 15), zone=zone)
        assert step(f, "drf").due == due
        assert compute_timeline(f, f.training_start).mission_hours_required == Fraction(140, 3)


def _akto_answer() -> None:
    f = facts(Kind.CDPI, date(2027, 1, 11), date(2027, 2, 19),
              events=((EventKind.DRF_SUBMITTED, date(2026, 12, 24)),))
    assert step(f, "akto_response", date(2026, 12, 24)).due == date(2026, 12, 29)


def _accord() -> None:
    accord = ((EventKind.DRF_SUBMITTED, date(2026, 11, 30)), (EventKind.DRF_ACCORD, date(2026, 12, 1)))
    for start, redo in ((date(2027, 2, 1), False), (date(2027, 2, 2), True)):
        f = facts(Kind.CDPI, start, date(2027, 3, 12), events=accord)
        timeline = compute_timeline(f, date(2026, 12, 2))
        assert timeline.drf_redo_required is redo
        contract = timeline.step("contract")
        assert contract is not None and contract.due == date(2027, 1, 31)


def _leap_window() -> None:
    f = facts(Kind.CDPI, date(2027, 9, 1), date(2027, 11, 30))
    assert step(f, "mission_obligation").due == date(2028, 2, 29)


def _may_window() -> None:
    f = facts(Kind.CDPI, date(2027, 4, 12), date(2027, 5, 21))
    mission = step(f, "mission_obligation")
    assert (mission.opens, mission.due) == (date(2027, 5, 22), date(2027, 8, 21))


def _cipi_funding() -> None:
    f = facts(Kind.CIPI, date(2027, 1, 11), date(2027, 2, 19), positioning_hours=Fraction(14),
              hourly_cost=Fraction(36))
    funding = estimate(f)
    assert funding is not None
    assert (funding.amount, funding.surcout_per_hour, funding.surcout_total) == (2618, 19, 2660)


def _end_of_april() -> None:
    f = facts(Kind.CDPI, date(2027, 4, 30), date(2027, 6, 4))
    assert step(f, "drf").opens == date(2027, 3, 1)
    early = facts(Kind.CDPI, date(2027, 4, 30), date(2027, 6, 4),
                  events=((EventKind.DRF_SUBMITTED, date(2027, 2, 28)),))
    assert step(early, "drf", date(2027, 3, 1)).status is Status.DONE_TOO_EARLY


def _2021_september() -> None:
    f = facts(Kind.CIPI, date(2022, 9, 5), date(2022, 10, 14), rules=AKTO_2021)
    drf = step(f, "drf", date(2022, 8, 1))
    assert (drf.opens, drf.due) == (date(2022, 8, 22), date(2022, 9, 1))
    assert step(f, "mission_obligation").due == date(2023, 3, 4)


def _2021_july() -> None:
    f = facts(Kind.CDPI, date(2022, 7, 25), date(2022, 9, 2), rules=AKTO_2021)
    drf = step(f, "drf", date(2022, 6, 27))
    assert (drf.opens, drf.due) == (date(2022, 6, 27), date(2022, 6, 30))
    assert step(f, "drf", date(2022, 7, 5)).status is Status.OVERDUE


def _deposit_in_suspension() -> None:
    for rules in RULE_SETS.values():
        with pytest.raises(InvalidInput):
            check_drf_deposit(rules, date(2022, 8, 10))
        check_drf_deposit(rules, date(2022, 8, 22))
        check_drf_deposit(rules, date(2022, 6, 30))


EXAMPLES = [
    Example("R-DRF-WINDOW R-CDPI-MISSION R-CDPI-TRIAL",
            "CDPI, démarrage lundi 11/01/2027, fin 19/02/2027, 210 h",
            "DRF ouverte le 11/11/2026, échéance jeudi 07/01/2027 ; mission ≥ 70 h du 20/02/2027 "
            "au 19/05/2027 ; période d'essai 3 jours", _cdpi_january),
    Example("R-DRF-WINDOW R-CAL-2 R-CIPI-MISSION R-CIPI-HOURS R-CAL-3",
            "CIPI, démarrage mardi 26/05/2026",
            "DRF au plus tard jeudi 21/05/2026 (lundi de Pentecôte le 25/05) ; mission ≥ 70 h "
            "jusqu'au 25/11/2026 (6 mois comptés du démarrage) ; formation finie au plus tard le "
            "25/11/2026", _cipi_pentecost),
    Example("R-DRF-WINDOW R-CAL-2 R-CDPI-MISSION",
            "CDPI, démarrage mardi 07/04/2026, 140 h",
            "DRF au plus tard 02/04/2026 en metropole, 01/04/2026 en alsace-moselle ; mission ≥ "
            "46 h 40 min", _good_friday),
    Example("R-DRF-ANSWER", "DRF déposée jeudi 24/12/2026",
            "réponse d'AKTO attendue mardi 29/12/2026", _akto_answer),
    Example("R-CONTRACT R-DRF-SHIFT", "accord de DRF le 01/12/2026",
            "contrat au plus tard le 31/01/2027 ; démarrage le 01/02/2027 : DRF gardée, le "
            "02/02/2027 : DRF à refaire", _accord),
    Example("R-CDPI-MISSION R-CAL-3", "CDPI finissant le 21/05/2027",
            "fenêtre de mission du 22/05/2027 au 21/08/2027 (3 mois après la fin)", _may_window),
    Example("R-CDPI-MISSION R-CAL-3", "CDPI finissant le 30/11/2027",
            "fenêtre de mission jusqu'au 29/02/2028", _leap_window),
    Example("R-CIPI-FUND R-SURCOUT", "CIPI classique, 140 h + 14 h de bilan, coût 36 €/h",
            "forfait 2 618 € HT ; surcoût 19 €/h, 2 660 €", _cipi_funding),
    Example("R-DRF-WINDOW R-CAL-3", "CDPI, démarrage vendredi 30/04/2027",
            "DRF ouverte le 01/03/2027 (le 28/02/2027 + 2 mois = 28/04/2027, avant le démarrage) ;"
            " une DRF du 28/02/2027 est faite trop tôt", _end_of_april),
    Example("R-DRF-WINDOW I-2021-SUSPENSION R-CIPI-MISSION",
            "CIPI sous `akto-2021`, démarrage lundi 05/09/2022",
            "DRF ouverte le 22/08/2022 (le 08/08/2022, 4 semaines avant, tombe dans la suspension "
            "du 01/07 au 21/08/2022), échéance 01/09/2022 ; mission ≥ 70 h jusqu'au 04/03/2023",
            _2021_september),
    Example("R-DRF-WINDOW I-2021-SUSPENSION", "CDPI sous `akto-2021`, démarrage lundi 25/07/2022",
            "DRF du 27/06/2022 au 30/06/2022 (l'échéance du 21/07 tombe dans la suspension), "
            "en retard à partir du 01/07/2022", _2021_july),
    Example("R-DRF-WINDOW I-2021-SUSPENSION", "DRF datée du 10/08/2022, sous tout jeu de règles",
            "refusée (code 2) ; le 30/06/2022 et le 22/08/2022 acceptées", _deposit_in_suspension),
]


def rule_book_rows() -> list[tuple[str, str]]:
    text = RULE_BOOK.read_text(encoding="utf-8")
    section = text.split("## Exemples chiffrés", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")][1:]
    return [tuple(cell.strip() for cell in row.strip("|").split(" | ")) for row in rows]  # type: ignore[misc]


def rule_book_table() -> str:
    """The table as the rule book must print it (`python -m tests.test_worked_examples`)."""
    lines = ["| cas | résultat |", "|---|---|"]
    lines += [f"| {example.case} | {example.result} |" for example in EXAMPLES]
    return "\n".join(lines)


def test_the_rule_book_s_worked_examples_are_these_rows() -> None:
    """docs/rules.md « Exemples chiffrés » holds exactly the rows below, in order."""
    assert rule_book_rows() == [(e.case, e.result) for e in EXAMPLES], rule_book_table()


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: f"{e.rules}: {e.case}")
def test_each_worked_example_is_what_the_engine_computes(example: Example) -> None:
    """Every rule id a row names is defined in the rule book; the engine gives the row's result."""
    for rule in example.rules.split():
        assert re.search(rf"^### {re.escape(rule)} ", RULE_BOOK.read_text(encoding="utf-8"),
                         re.MULTILINE), rule
    example.check()


if __name__ == "__main__":
    print(rule_book_table())
