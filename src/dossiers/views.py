"""How steps, dossiers and plans look: JSON objects for programs, text for a terminal."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from dossiers import messages, terminal
from dossiers.deadlines.facts import DossierFacts
from dossiers.deadlines.timeline import Alert, Status, Step, Timeline
from dossiers.parsing import from_minutes
from dossiers.spreadsheet import spreadsheet_safe
from dossiers.terminal import Cell, Column

if TYPE_CHECKING:
    from dossiers.store.models import Dossier as DossierRow
    from dossiers.store.records import DossierRecord

    Dossier = DossierRow | DossierRecord


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def step_json(step: Step, with_status: bool, detail: bool = False) -> dict[str, Any]:
    """The stable step object of `plan --json`; `list`/`show` add the status."""
    data: dict[str, Any] = {
        "code": step.code,
        "label": step.label,
        "opens": _iso(step.opens),
        "due": _iso(step.due),
        "rule": step.rule,
    }
    if with_status:
        data["status"] = step.status.value
        data["done_on"] = _iso(step.done_on)
        data["days_left"] = step.days_left
        if step.progress is not None:
            data["hours_done"] = round(float(step.progress.hours_done), 2)
            data["hours_required"] = round(float(step.progress.hours_required), 2)
            data["hours_remaining"] = round(float(step.progress.hours_remaining), 2)
            data["window_start"] = step.progress.window_start.isoformat()
            data["window_end"] = step.progress.window_end.isoformat()
        if detail:
            # Document names can reveal an eligibility basis: only `show` gives them.
            data["missing_documents"] = list(step.missing)
            if step.progress is not None:
                data["missions"] = [
                    {"start": m.start.isoformat(), "end": m.end.isoformat(),
                     "hours": round(float(m.hours), 2), "counted": m.counted, "reason": m.reason}
                    for m in step.progress.missions
                ]
    return data


def plan_json(kind: str, zone: str, rules: str, timeline: Timeline) -> dict[str, Any]:
    return {
        "kind": messages.KIND_LABELS[kind],
        "zone": zone,
        "rules": rules,
        "steps": [step_json(step, with_status=False) for step in timeline.steps],
        "mission_hours_required": round(float(timeline.mission_hours_required), 2),
        "drf_redo_required": timeline.drf_redo_required,
        "alerts": [alert_json(alert) for alert in timeline.alerts],
    }


def alert_json(alert: Alert) -> dict[str, str]:
    return {"code": alert.code, "rule": alert.rule, "message": alert.message}


def dossier_json(dossier: Dossier, timeline: Timeline, detail: bool = False,
                 facts: DossierFacts | None = None) -> dict[str, Any]:
    """`list --json` objects; `detail` (for `show`) adds the dossier's sensitive facts, as
    `facts` (cut at the day shown) give them."""
    data = {
        "id": dossier.id,
        "reference": dossier.reference,
        "kind": messages.KIND_LABELS[dossier.kind],
        "agency": dossier.agency.name,
        "zone": dossier.agency.zone,
        "owner": dossier.owner.email,
        "owner_name": dossier.owner.name,
        "worker": dossier.worker,
        "contract_type": messages.CONTRACT_LABELS[dossier.contract_type],
        "programme": dossier.programme,
        "training_start": dossier.training_start.isoformat(),
        "training_end": dossier.training_end.isoformat(),
        "training_hours": round(dossier.training_minutes / 60, 2),
        "rules": dossier.rules,
        "state": _state(dossier, facts),
        "steps": [step_json(step, with_status=True, detail=detail) for step in timeline.steps],
        "mission_hours_required": round(float(timeline.mission_hours_required), 2),
        "drf_redo_required": timeline.drf_redo_required,
        "alerts": [alert_json(alert) for alert in timeline.alerts],
    }
    if detail:
        def hours_or_none(minutes: int | None) -> float | None:
            return None if minutes is None else round(minutes / 60, 2)

        data["positioning_hours"] = hours_or_none(dossier.positioning_minutes)
        data["evaluation_hours"] = hours_or_none(dossier.evaluation_minutes)
        data["tutor_hours"] = hours_or_none(dossier.tutor_minutes)
        data["basic_skills_percent"] = (None if dossier.basic_skills_basis_points is None
                                        else dossier.basic_skills_basis_points / 100)
        data["eligibility"] = dossier.eligibility
        # Sensitive like the basis it reveals (R-CDPI-ELIG): `show` only.
        data["seniority_hours"] = hours_or_none(dossier.seniority_minutes)
        data["in_user_company"] = dossier.in_user_company
        data["afest"] = dossier.afest
        data["checklist"] = [
            {"code": item.code, "label": item.label, "step": item.step, "rule": item.rule,
             "destination": item.destination, "when": item.when, "implied": item.implied,
             "received_on": _iso(item.received_on), "missing": item.missing}
            for item in timeline.checklist
        ]
        data["incidents"] = [{"kind": i.kind, "on": i.on.isoformat(),
                              "until": _iso(i.until), "document_on": _iso(i.document_on)}
                             for i in _incidents(dossier, facts)]
    return data


@dataclass(frozen=True)
class _IncidentView:
    kind: str
    on: date
    document_on: date | None
    until: date | None = None


def _state(dossier: Dossier, facts: DossierFacts | None) -> str:
    """The dossier's state on the day its facts were cut at: one closed after that day was
    still open then (I-AS-OF-KNOWS-PAST)."""
    if facts is not None and facts.closed_on is None:
        return "open"
    return dossier.state


def _incidents(dossier: Dossier, facts: DossierFacts | None) -> list[_IncidentView]:
    """The incidents of the day shown (I-AS-OF-KNOWS-PAST), with their kind's code."""
    if facts is not None:
        return [_IncidentView(i.kind.value, i.on, i.document_on, i.until)
                for i in facts.incidents]
    return [_IncidentView(i.kind, i.occurred_on, i.document_on, i.until_on)
            for i in dossier.incidents]


def table(headers: Sequence[Column | str], rows: Iterable[Sequence[str | Cell]],
          columns_wide: int | None = None) -> str:
    """A text table that fits the terminal (see dossiers.terminal)."""
    return terminal.table(headers, rows, columns_wide)


def status_cell(step: Step) -> str:
    """« fait le 03/09/2026 », « échéance proche (J-3) », « en retard (4 j de retard) »."""
    label = messages.STATUS_LABELS[step.status.value]
    if step.status is Status.DONE_TOO_EARLY and step.done_on:
        return f"à refaire, fait le {messages.short_date(step.done_on)} (trop tôt)"
    if step.status.is_finished and step.done_on:
        return f"{label} le {messages.short_date(step.done_on)}"
    if step.status in (Status.OVERDUE, Status.AKTO_LATE):
        return f"{label} de {-(step.days_left or 0)}{messages.NBSP}j"
    left = messages.days_left(step.days_left)
    if step.status is Status.NOT_YET_OPEN or not left:
        return label
    return f"{label} ({left})"


def status_style(step: Step) -> str:
    return terminal.STATUS_STYLES.get(step.status.value, "")


# Below this width, a timeline gives each step's due date under its opening date, in one
# column, so that no word of a step or a status is cut.
STEPS_NARROW = 70


def steps_table(timeline: Timeline, columns_wide: int | None = None) -> str:
    wide = columns_wide or terminal.width()
    dates_apart = wide >= STEPS_NARROW
    rows = []
    for step in timeline.steps:
        opens, due = messages.short_date(step.opens), messages.short_date(step.due)
        rows.append([
            step.label,
            *((opens, due) if dates_apart else (f"{opens}\n{due}",)),
            Cell(status_cell(step), status_style(step)),
            step.rule,
        ])
    dates = ([Column("Ouverture", "keep"), Column("Échéance", "keep")] if dates_apart
             else [Column("Ouverture\nÉchéance", "keep")])
    return table([Column("Étape"), *dates, Column("Statut"), Column("Règle", "keep")], rows,
                 wide)


def progress_lines(timeline: Timeline) -> list[str]:
    lines = []
    for step in timeline.steps:
        if step.progress is not None:
            p = step.progress
            lines.append(terminal.fit(
                f"Missions : {messages.hours(p.hours_done)} faites sur "
                f"{messages.hours(p.hours_required)} requises entre le "
                f"{messages.short_date(p.window_start)} et le {messages.short_date(p.window_end)} "
                f"({step.rule})"
            ))
    return lines


def alert_lines(timeline: Timeline) -> list[str]:
    return [terminal.fit(f"⚠ {alert.message} ({alert.rule})") for alert in timeline.alerts]


def dossier_text(dossier: Dossier, timeline: Timeline, as_of: date,
                 funding: Any = None, facts: DossierFacts | None = None) -> str:
    """The timeline `show` prints. Written here rather than as a Jinja2 template so that
    `show` does not load Jinja2 (about a tenth of its start-up): the mails and the HTML report
    keep their templates."""
    from dossiers.deadlines.bounds import SENIORITY_BASIS
    from dossiers.deadlines.eligibility import CATEGORIES
    from dossiers.deadlines.explain import rule_set_summary
    from dossiers.deadlines.facts import Programme
    from dossiers.store.facts import facts_of

    m = messages
    # The facts of the day shown (I-AS-OF-KNOWS-PAST), as the timeline was computed from.
    facts = facts if facts is not None else facts_of(dossier)
    agency, owner = dossier.agency, dossier.owner
    out = [
        f"Dossier {dossier.reference} ({m.KIND_LABELS[dossier.kind]}, "
        f"{m.STATE_LABELS[_state(dossier, facts)]}) — {dossier.worker}",
        f"Agence {agency.name} (zone {m.ZONE_LABELS.get(agency.zone, agency.zone)}), suivi par "
        f"{owner.name} <{owner.email}>",
        f"Formation du {m.short_date(dossier.training_start)} au "
        f"{m.short_date(dossier.training_end)}, {m.hours(from_minutes(dossier.training_minutes))}, "
        f"contrat {m.CONTRACT_LABELS[dossier.contract_type]}, programme "
        f"{m.PROGRAMME_LABELS.get(dossier.programme or '', 'aucun')}, règles {dossier.rules}",
        f"Règles {dossier.rules} : {rule_set_summary(facts)}",
    ]
    category = CATEGORIES.get(dossier.eligibility or "")
    if category is not None:
        line = f"Éligibilité : {category.label}"
        if category.code == SENIORITY_BASIS:
            # Sensitive, like the basis it reveals: `show` only (R-CDPI-ELIG).
            seniority = (f"{m.hours(facts.seniority_hours)} dans la branche sur les 12 mois "
                         "précédant le démarrage" if facts.seniority_hours is not None
                         else "heures d'ancienneté non renseignées")
            line += f" ({seniority}, R-CDPI-ELIG)"
        out.append(line)
    if facts.bilan_hours:
        out.append(f"Bilans : positionnement {m.hours(facts.positioning_hours)}, évaluation "
                   f"{m.hours(facts.evaluation_hours)} (R-{m.KIND_LABELS[dossier.kind]}-BILAN)")
    if facts.programme is Programme.LANGUE_COMPETENCES or facts.basic_skills_share is not None:
        share = ("part des savoirs de base non renseignée" if facts.basic_skills_share is None
                 else f"{m.percent(facts.basic_skills_share)} de savoirs de base ou de langue")
        out.append(f"Part savoirs de base : {share} (R-L&C)")
    out += [f"Situation au {m.long_date(as_of)} :", "", steps_table(timeline)]
    for step in timeline.steps:
        p = step.progress
        if p is None:
            continue
        out += ["", f"Missions : {m.hours(p.hours_done)} faites sur {m.hours(p.hours_required)} "
                    f"requises entre le {m.short_date(p.window_start)} et le "
                    f"{m.short_date(p.window_end)}, reste {m.hours(p.hours_remaining)} ({step.rule})"]
        out += [f"  • du {m.short_date(mission.start)} au {m.short_date(mission.end)}, "
                f"{m.hours(mission.hours)} : "
                + ("compte" if mission.counted else f"ne compte pas, {mission.reason}")
                for mission in p.missions]
    incidents = _incidents(dossier, facts)
    if incidents:
        out += ["", f"Incidents de mission ({m.INCIDENT_RULES[dossier.kind]}) :"]
        for incident in incidents:
            what, proof = m.INCIDENT_LABELS[incident.kind]
            received = (f"reçu le {m.short_date(incident.document_on)}" if incident.document_on
                        else "à récupérer")
            until = (f" jusqu'au {m.short_date(incident.until)}" if incident.until
                     else " (fin de l'arrêt à saisir : --until)"
                     if incident.kind == "maladie" else "")
            out.append(f"  • {m.short_date(incident.on)}{until} : {what} — {proof} {received}")
    pieces = [item for item in timeline.checklist if not item.implied]
    if pieces:
        out += ["", "Pièces à fournir :"]
        for item in pieces:
            where = ("à transmettre à AKTO" if item.destination == "akto"
                     else "à conserver par l'agence")
            received = f", reçue le {m.short_date(item.received_on)}" if item.received_on else ""
            out.append(f"  • [{'x' if item.received_on else ' '}] {m.STEP_SHORT_LABELS[item.step]} : "
                       f"{item.label} — {where}, {item.when}{received} ({item.rule}, code {item.code})")
    if funding and funding.amount is not None:
        out += ["", _funding_line(funding)]
    if timeline.alerts:
        out.append("")
        out += [f"⚠ {alert.message} ({alert.rule})" for alert in timeline.alerts]
    return terminal.fit("\n".join(out).rstrip("\n"))


def _funding_line(funding: Any) -> str:
    """R-CIPI-FUND, R-CDPI-FUND, R-SURCOUT: the flat rate, the tutor's training, the surcoût."""
    m = messages
    line = (f"Forfait estimé : {m.euros(funding.amount)} HT ({m.hours(funding.hours)} × "
            f"{m.euros(funding.rate)}/h, {funding.rate_figure.rule})")
    if funding.tutor_hours:
        tutor = (f"{m.euros(funding.tutor_amount)} HT ({m.hours(funding.tutor_funded_hours)} × "
                 f"{m.euros(funding.tutor_rate)}/h)" if funding.tutor_amount is not None
                 else f"{m.hours(funding.tutor_hours)}, taux non connu")
        if funding.tutor_funded_hours < funding.tutor_hours:
            tutor += (f", {m.hours(funding.tutor_hours)} saisies, financées pour "
                      f"{m.hours(funding.tutor_funded_hours)} (I-TUTOR-40H-FUNDED)")
        line += f" ; formation du tuteur {tutor}, {funding.tutor_rate_figure.rule}"
    if funding.surcout_total is not None:
        line += (f" ; surcoût {m.euros(funding.surcout_total)} "
                 f"({m.euros(funding.surcout_per_hour)}/h, R-SURCOUT)")
    return line


def next_step(timeline: Timeline) -> Step | None:
    """The most urgent step still to do: the earliest due date among the unfinished ones."""
    pending = [s for s in timeline.steps if not s.status.is_finished and s.due is not None]
    return min(pending, key=lambda s: s.due) if pending else None  # type: ignore[arg-type, return-value]


def list_sort_key(dossier: Dossier, timeline: Timeline, sort: str = "due") -> tuple[Any, ...]:
    """How `list` orders its rows: by default the next due date first (nothing to do last),
    then the reference; by agency, owner or worker, the due date comes second."""
    step = next_step(timeline)
    due = step.due if step and step.due else date.max
    if sort == "reference":
        return (dossier.reference,)
    first = {"due": "", "agency": dossier.agency.name, "owner": dossier.owner.name,
             "worker": dossier.worker}[sort]
    return (first.casefold(), due, dossier.reference)


LIST_HEADERS = ("Référence", "Type", "Agence", "Responsable", "Intérimaire", "Prochaine étape",
                "Échéance", "Statut")


def list_cells(dossier: Dossier, timeline: Timeline) -> list[str | Cell]:
    step = next_step(timeline)
    return [
        dossier.reference,
        messages.KIND_LABELS[dossier.kind],
        dossier.agency.name,
        dossier.owner.name,
        dossier.worker,
        messages.STEP_SHORT_LABELS[step.code] if step else "—",
        messages.short_date(step.due) if step else "—",
        Cell(status_cell(step), status_style(step)) if step else "rien à faire",
    ]


# Below this width, `list` drops the type (the reference names it) and gives the agency
# on a line under the owner's name; below LIST_NARROW, the worker goes under the reference and
# the due date under the step: so that no word of a cell is cut.
LIST_WIDE = 110
LIST_NARROW = 80


def list_rows(rows: Iterable[tuple[Dossier, Timeline]], sort: str = "due",
              ) -> list[list[str | Cell]]:
    """The cells of each dossier's line, in `sort` order; timelines are not kept."""
    keyed = [(list_sort_key(dossier, timeline, sort), list_cells(dossier, timeline))
             for dossier, timeline in rows]
    keyed.sort(key=lambda pair: pair[0])
    return [cells for _, cells in keyed]


def list_text(lines: Sequence[Sequence[str | Cell]], columns_wide: int | None = None) -> str:
    """`list` as a table (`list_rows` gives the lines)."""
    if not lines:
        return ""
    wide = columns_wide or terminal.width()
    keep = {"Référence", "Type", "Échéance"}
    if wide >= LIST_WIDE:
        columns = [Column(h, "keep" if h in keep else "wrap") for h in LIST_HEADERS]
        return table(columns, lines, wide)
    if wide >= LIST_NARROW:
        medium = [[ref, worker, f"{owner}\n{agency}", step, due, status]
                  for ref, _kind, agency, owner, worker, step, due, status in lines]
        columns = [Column("Référence", "keep"), Column("Intérimaire"), Column("Suivi par"),
                   Column("Prochaine étape"), Column("Échéance", "keep"), Column("Statut")]
        return table(columns, medium, wide)
    narrow = [[f"{ref}\n{worker}", f"{owner}\n{agency}", f"{step}\n{due}", status]
              for ref, _kind, agency, owner, worker, step, due, status in lines]
    columns = [Column("Dossier"), Column("Suivi par"), Column("Prochaine étape"),
               Column("Statut")]
    return table(columns, narrow, wide)


# Below these widths, `staff list` gives the email under the name, then the agency under the
# role: an email is one long word, never cut while it can be given its width.
STAFF_WIDE = 100
STAFF_NARROW = 70


def staff_text(people: Sequence[tuple[str, str, str, str]], columns_wide: int | None = None,
               ) -> str:
    """`staff list` as a table: (name, email, role, agency) of each person."""
    wide = columns_wide or terminal.width()
    if wide >= STAFF_WIDE:
        return table(["Nom", "Email", "Rôle", "Agence"], people, wide)
    if wide >= STAFF_NARROW:
        return table(["Personne", "Rôle", "Agence"],
                     [[f"{name}\n{email}", role, agency] for name, email, role, agency in people],
                     wide)
    return table(["Personne", "Rôle et agence"],
                 [[f"{name}\n{email}", f"{role}\n{agency}"]
                  for name, email, role, agency in people], wide)


def list_csv(lines: Iterable[Sequence[str | Cell]]) -> bytes:
    """What `list` shows, for French Excel: UTF-8 with BOM, « ; », dates JJ/MM/AAAA."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(LIST_HEADERS)
    for cells in lines:
        writer.writerow([spreadsheet_safe(cell.text if isinstance(cell, Cell) else cell)
                         for cell in cells])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


RULE_ID = re.compile(r"(?<![A-Za-z0-9&-])R-[A-Z&-]+[A-Z0-9]")
INTERPRETATION_ID = re.compile(r"(?<![A-Za-z0-9&-])I-[A-Z0-9&]+(?:-[A-Z0-9&]+)*")


def explanation_json(topic: str, text: str) -> dict[str, Any]:
    """One line of `explain --json`: its topic, its text, and the ids the text cites, in the
    order it cites them (the text is built from the rule set's figures, which carry them)."""
    return {"topic": topic, "text": text,
            "rules": list(dict.fromkeys(RULE_ID.findall(text))),
            "interpretations": list(dict.fromkeys(INTERPRETATION_ID.findall(text)))}


def explain_json(reference: str, kind: str, rules: str,
                 lines: list[tuple[str, str]]) -> dict[str, Any]:
    return {"reference": reference, "kind": messages.KIND_LABELS[kind], "rules": rules,
            "explanations": [explanation_json(topic, text) for topic, text in lines]}
