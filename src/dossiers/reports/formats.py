"""A report as a terminal table, CSV for French Excel, JSON, HTML for A4, or PDF."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from markupsafe import Markup

from dossiers import messages
from dossiers.spreadsheet import spreadsheet_safe
from dossiers.rendering import render
from dossiers.reports.rows import Report, ReportRow

FORMATS = ("table", "csv", "html", "pdf", "json")
CSV_HEADERS = ("Agence", "Responsable", "Référence", "Intérimaire", "Type", "Étape",
               "Code étape", "Échéance", "Jours de retard", "À faire", "Enjeu", "Règle")



REPORT_WIDE = 100
REPORT_NARROW = 80


class PdfUnavailable(Exception):
    pass


def delay_text(report: Report, row: ReportRow) -> str:
    if report.kind == "overdue":
        return f"{row.days_late}{messages.NBSP}j"
    return messages.days_left(-row.days_late)


def as_table(report: Report, columns_wide: int | None = None) -> str:
    """Fits the terminal (dossiers.terminal): long cells wrap inside their column."""
    from dossiers import terminal
    from dossiers.terminal import Cell, Column

    if not report.rows:
        return report.empty_text + "."
    wide = columns_wide or terminal.width()
    lines = [f"{report.title} — {messages.plural(len(report.rows), 'étape')}", ""]
    glue = terminal.GLUE
    lines.append(terminal.paragraph(
        "Par agence : " + " · ".join(f"{a}{glue}{n}" for a, n in report.by_agency), wide,
        subsequent_indent="  "))
    lines.append(terminal.paragraph(
        "Par responsable : " + " · ".join(f"{o}{glue}({a}){glue}{n}"
                                          for a, o, n in report.by_owner), wide,
        subsequent_indent="  "))
    late = report.kind == "overdue"
    # Narrow, the worker's name goes under the reference rather than in a column of its own;
    # narrower still, the due date and the delay go under the step.
    narrow, narrowest = wide < REPORT_WIDE, wide < REPORT_NARROW
    columns = [Column("Dossier", "keep")] if narrow else [Column("Référence", "keep"),
                                                         Column("Intérimaire")]
    columns += ([Column("Étape")] if narrowest else
                [Column("Étape"), Column("Échéance", "keep"),
                 Column("Retard" if late else "Dans", "keep")])
    columns += [Column("À faire"), Column("Enjeu")]
    for agency, owner, rows in report.groups:
        lines += ["", f"{agency} — {owner} ({len(rows)})"]
        cells = []
        for row in rows:
            who = [f"{row.reference}\n{row.worker}"] if narrow else [row.reference, row.worker]
            step, due = messages.STEP_SHORT_LABELS[row.step], messages.short_date(row.due)
            delay = delay_text(report, row)
            when = ([f"{step}\n{due}\n{delay}{' de retard' if late else ''}"] if narrowest
                    else [step, due, Cell(delay, "bold red" if late else "")])
            cells.append([*who, *when, row.action, Cell(row.stake, "red")])
        lines.append(terminal.table(columns, cells, wide))
    return "\n".join(lines)


def csv_chunks(report: Report, rows: Iterable[ReportRow]) -> Iterator[bytes]:
    """UTF-8 with BOM, « ; », one header row, dates JJ/MM/AAAA: opens cleanly in French Excel.
    Text cells are neutralised (spreadsheet_safe).

    Written row by row from `rows` (`report` gives the title and the empty text).
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")

    def flush() -> bytes:
        text = out.getvalue()
        out.seek(0)
        out.truncate()
        return text.encode("utf-8")

    writer.writerow(CSV_HEADERS)
    yield "\ufeff".encode() + flush()
    empty = True
    for row in rows:
        empty = False
        writer.writerow([spreadsheet_safe(cell) for cell in (
            row.agency, row.owner, row.reference, row.worker, row.kind, row.step_label, row.step,
            messages.short_date(row.due), row.days_late, row.action, row.stake, row.rule)])
        yield flush()
    if empty:
        writer.writerow([report.empty_text] + [""] * (len(CSV_HEADERS) - 1))
        yield flush()


def as_csv(report: Report) -> bytes:
    return b"".join(csv_chunks(report, report.rows))


def _row_json(row: ReportRow) -> dict[str, Any]:
    return {
        "agency": row.agency, "owner": row.owner_email, "owner_name": row.owner,
        "reference": row.reference, "worker": row.worker, "kind": row.kind,
        "step": row.step, "step_label": row.step_label, "due": row.due.isoformat(),
        "days_late": row.days_late, "action": row.action, "stake": row.stake or None,
        "rule": row.rule,
    }


def json_chunks(rows: Iterable[ReportRow]) -> Iterator[bytes]:
    """A JSON array of rows, written row by row."""
    first = True
    for row in rows:
        text = json.dumps(_row_json(row), ensure_ascii=False, indent=2).replace("\n", "\n  ")
        yield (("[\n  " if first else ",\n  ") + text).encode("utf-8")
        first = False
    yield b"[]\n" if first else b"\n]\n"


def as_json(report: Report) -> str:
    return b"".join(json_chunks(report.rows)).decode("utf-8").rstrip("\n")


def fonts_dir() -> Path:
    """The fonts shipped in the package (top-level templates/fonts), with their licence."""
    from importlib.resources import files

    return Path(str(files("dossiers") / "templates" / "fonts")).resolve()


def as_html(report: Report, scope: str, templates_dir: str | None = None,
            for_pdf: bool = False) -> str:
    """`for_pdf` embeds the shipped font (a file URL WeasyPrint reads); a browser's HTML
    keeps the reader's own sans-serif and names no local path."""
    url = fonts_dir().as_uri() if for_pdf else ""
    family = ('"Dossiers Sans", sans-serif' if for_pdf else "Arial, Helvetica, sans-serif")
    return render("report.html.j2", templates_dir, report=report, scope=scope,
                  delay_text=lambda row: delay_text(report, row),
                  STEP_SHORT_LABELS=messages.STEP_SHORT_LABELS, fonts_url=url,
                  font_family=Markup(family))


def as_pdf(html: str) -> bytes:
    """WeasyPrint, an optional extra: pip install 'dossiers[pdf]'."""
    try:
        from weasyprint import HTML
    except ImportError:
        raise PdfUnavailable("le format pdf demande WeasyPrint : pip install 'dossiers[pdf]' "
                             "(ou pip install weasyprint)") from None
    except OSError as error:
        raise PdfUnavailable(f"le format pdf demande la bibliothèque système Pango, introuvable "
                             f"({error}) : sous Debian ou Ubuntu, apt-get install libpango-1.0-0 "
                             f"libpangoft2-1.0-0 ; sinon --format html, à imprimer en PDF depuis "
                             f"le navigateur") from None
    return bytes(HTML(string=html).write_pdf())

