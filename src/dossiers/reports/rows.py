"""Report rows: one per step overdue (or due soon), grouped by agency then owner.

Built from the same timelines as `dossiers list`, so the report's rows are the
overdue steps of `list --overdue --json` for the same day.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from dossiers import messages
from dossiers.deadlines.timeline import Status, Step, Timeline, due_within

if TYPE_CHECKING:
    from dossiers.store.models import Dossier as DossierRow
    from dossiers.store.records import DossierRecord

    Dossier = DossierRow | DossierRecord


@dataclass(frozen=True)
class ReportRow:
    agency: str
    owner: str
    owner_email: str
    reference: str
    worker: str
    kind: str
    step: str
    step_label: str
    due: date
    days_late: int
    action: str
    stake: str
    rule: str
    status: str = ""
    """The step's status code (overdue, akto_late, due_soon…): the web view filters on it."""


@dataclass(frozen=True)
class Report:
    kind: str  # "overdue" or "upcoming"
    as_of: date
    within: int | None
    rows: tuple[ReportRow, ...]

    @property
    def by_agency(self) -> list[tuple[str, int]]:
        return sorted(Counter(row.agency for row in self.rows).items())

    @property
    def by_owner(self) -> list[tuple[str, str, int]]:
        counts = Counter((row.agency, row.owner) for row in self.rows)
        return [(agency, owner, count) for (agency, owner), count in sorted(counts.items())]

    @property
    def groups(self) -> list[tuple[str, str, list[ReportRow]]]:
        """(agency, owner, rows) in the order the rows are sorted."""
        grouped: dict[tuple[str, str], list[ReportRow]] = {}
        for row in self.rows:
            grouped.setdefault((row.agency, row.owner), []).append(row)
        return [(agency, owner, rows) for (agency, owner), rows in grouped.items()]

    @property
    def title(self) -> str:
        if self.kind == "overdue":
            return f"Étapes en retard au {messages.short_date(self.as_of)}"
        return (f"Échéances des {self.within} prochains jours au "
                f"{messages.short_date(self.as_of)}")

    @property
    def empty_text(self) -> str:
        if self.kind == "overdue":
            return f"Aucun retard au {messages.short_date(self.as_of)}"
        return (f"Aucune échéance dans les {self.within} prochains jours au "
                f"{messages.short_date(self.as_of)}")


def step_action(kind: str, step: Step) -> str:
    """What to do about a step, in the words of its scheme (I-MISSION-STAKE-PER-KIND)."""
    if step.progress is not None:
        if step.status is Status.OVERDUE:
            # Past the window: R-CDPI-EXCUSE for a CDPI; the CAR has no flat rate.
            return messages.MISSION_MISSED_ACTIONS[kind]
        return (f"{messages.STEP_ACTIONS[step.code]} "
                f"({messages.hours(step.progress.hours_remaining)} restantes)")
    if step.status is Status.DONE_TOO_EARLY:
        return f"{messages.STEP_ACTIONS[step.code]} à nouveau à partir du " \
               f"{messages.short_date(step.opens)}"
    return messages.STEP_ACTIONS[step.code]


def step_stake(kind: str, step: Step) -> str:
    """What missing the step costs, for this scheme; empty where the rules say nothing."""
    return messages.STEP_STAKES[kind].get(step.code, "")


def _row(dossier: Dossier, step: Step, as_of: date) -> ReportRow:
    assert step.due is not None
    return ReportRow(
        agency=dossier.agency.name, owner=dossier.owner.name, owner_email=dossier.owner.email,
        reference=dossier.reference, worker=dossier.worker,
        kind=messages.KIND_LABELS[dossier.kind], step=step.code, step_label=step.label,
        due=step.due, days_late=(as_of - step.due).days,
        action=step_action(dossier.kind, step), stake=step_stake(dossier.kind, step),
        rule=step.rule, status=step.status.value,
    )


def report_rows(kind: str, dossiers: Iterable[tuple[Dossier, Timeline]], as_of: date,
                within: int | None = None) -> Iterator[ReportRow]:
    """The rows of an "overdue" or "upcoming" report, in report order, as they come.

    Dossiers arrive ordered by agency, owner and reference (as `list` gives them): only
    one owner's rows are held at a time, to sort them most late (or soonest due) first.
    """
    def wanted(step: Step) -> bool:
        if kind == "overdue":
            return step.status is Status.OVERDUE
        return due_within(step, within or 0)

    def order(row: ReportRow) -> tuple[object, ...]:
        if kind == "overdue":
            return (-row.days_late, row.reference, row.step)
        return (row.due, row.reference, row.step)

    group: tuple[str, str] | None = None
    held: list[ReportRow] = []
    for dossier, timeline in dossiers:
        key = (dossier.agency.name, dossier.owner.name)
        if key != group:
            yield from sorted(held, key=order)
            group, held = key, []
        held += [_row(dossier, step, as_of) for step in timeline.steps if wanted(step)]
    yield from sorted(held, key=order)


def overdue_report(dossiers: Iterable[tuple[Dossier, Timeline]], as_of: date) -> Report:
    """Every overdue step; most late first within each agency and owner."""
    return Report("overdue", as_of, None, tuple(report_rows("overdue", dossiers, as_of)))


def upcoming_report(dossiers: Iterable[tuple[Dossier, Timeline]], as_of: date,
                    within: int) -> Report:
    """Every step still to do whose due date is within `within` days; soonest first."""
    return Report("upcoming", as_of, within,
                  tuple(report_rows("upcoming", dossiers, as_of, within)))
