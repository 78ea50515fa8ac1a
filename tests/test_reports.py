"""`dossiers report overdue|upcoming`: rows, grouping, totals, formats, the empty case."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import Dossiers

AS_OF = "2027-01-13"


def open_dossier(tool: Dossiers, reference: str, owner: str, kind: str = "cdpi",
                 start: str = "2027-01-11", end: str = "2027-02-19", hours: str = "210",
                 worker: str = "Karim B.") -> None:
    tool.ok("open", "--kind", kind, "--worker", worker, "--start", start, "--end", end,
            "--training-hours", hours, "--owner", owner, "--reference", reference)


@pytest.fixture
def late(network: Dossiers) -> Dossiers:
    """Lyon: Léa has a DRF 6 days late and a contract 11 days late; Sophie's CAR request is
    2 days late. Metz: Julien's DRF is due on the day, not late. One dossier is on time."""
    return open_late_network(network)


def open_late_network(network: Dossiers, *metz_extra: dict[str, str]) -> Dossiers:
    """`late`'s dossiers; each of `metz_extra` (open_dossier's keywords) is one more of Julien's
    dossiers in Metz, opened after his DRF."""
    open_dossier(network, "L-DRF", "lea@example.fr", worker="Chloé Müller")
    open_dossier(network, "L-CONTRACT", "lea@example.fr", start="2027-02-01", end="2027-03-12")
    network.ok("record", "L-CONTRACT", "drf-submitted", "--on", "2026-11-01")
    network.ok("record", "L-CONTRACT", "drf-accord", "--on", "2026-11-02")
    open_dossier(network, "S-CAR", "sophie@example.fr", kind="car", start="2027-01-11",
                 end="2027-06-30", hours="400")
    open_dossier(network, "M-DRF", "julien@example.fr", start="2027-01-15", end="2027-02-26")
    for extra in metz_extra:
        open_dossier(network, owner="julien@example.fr", **extra)
    open_dossier(network, "ON-TIME", "lea@example.fr", start="2027-03-15", end="2027-04-23")
    return network


def test_overdue_rows_are_grouped_by_agency_then_owner_most_late_first(late: Dossiers) -> None:
    """R-DRF-WINDOW, R-CONTRACT, R-CAR-REQUEST: what is late and what is at stake."""
    rows = json.loads(late.ok("report", "overdue", "--format", "json", "--as-of", AS_OF))
    assert [(r["agency"], r["owner"], r["reference"], r["step"], r["due"], r["days_late"])
            for r in rows] == [
        ("Lyon", "lea@example.fr", "L-CONTRACT", "contract", "2027-01-02", 11),
        ("Lyon", "lea@example.fr", "L-DRF", "drf", "2027-01-07", 6),
        ("Lyon", "sophie@example.fr", "S-CAR", "car_request", "2027-01-11", 2),
    ]
    assert rows[1]["stake"] == "financement non réservé"
    assert rows[1]["action"] == "Déposer la DRF"
    assert rows[1]["rule"] == "R-DRF-WINDOW"


def test_the_report_rows_are_the_overdue_steps_of_list(late: Dossiers) -> None:
    rows = json.loads(late.ok("report", "overdue", "--format", "json", "--as-of", "2027-01-20"))
    listed = json.loads(late.ok("list", "--overdue", "--json", "--as-of", "2027-01-20"))
    from_list = sorted((d["reference"], s["code"], s["due"], -s["days_left"])
                       for d in listed for s in d["steps"] if s["status"] == "overdue")
    assert sorted((r["reference"], r["step"], r["due"], r["days_late"]) for r in rows) == from_list
    assert len(from_list) == 4


def test_the_table_starts_with_the_counts_and_fits_100_columns(late: Dossiers) -> None:
    out = late.ok("report", "overdue", "--as-of", AS_OF)
    lines = out.splitlines()
    assert lines[0] == "Étapes en retard au 13/01/2027 — 3 étapes"
    assert lines[2] == "Par agence : Lyon 3"
    assert lines[3] == ("Par responsable : Léa Martin (Lyon) 2 · Sophie Garnier (Lyon) 1")
    assert "Lyon — Léa Martin (2)" in lines
    assert max(len(line) for line in lines) <= 100


def test_filters_narrow_the_report(late: Dossiers) -> None:
    def refs(*args: str) -> list[str]:
        return [r["reference"] for r in json.loads(late.ok(
            "report", "overdue", "--format", "json", "--as-of", "2027-01-20", *args))]

    assert refs("--agency", "Metz") == ["M-DRF"]
    assert refs("--owner", "sophie@example.fr") == ["S-CAR"]
    assert refs("--kind", "car") == ["S-CAR"]


def test_no_late_step_is_an_explicit_report_in_every_format(network: Dossiers,
                                                           tmp_path: Path) -> None:
    open_dossier(network, "ON-TIME", "lea@example.fr")
    assert network.ok("report", "overdue", "--as-of", "2026-12-01") == (
        "Aucun retard au 01/12/2026.\n")
    network.ok("report", "overdue", "--as-of", "2026-12-01", "--format", "csv",
               "-o", str(tmp_path / "r.csv"))
    text = (tmp_path / "r.csv").read_text(encoding="utf-8-sig")
    assert "Aucun retard au 01/12/2026" in text
    html = network.ok("report", "overdue", "--as-of", "2026-12-01", "--format", "html")
    assert "Aucun retard au 01/12/2026." in html
    assert json.loads(network.ok("report", "overdue", "--as-of", "2026-12-01",
                                 "--format", "json")) == []


def test_the_csv_opens_in_french_excel_and_round_trips_with_accents(
    late: Dossiers, tmp_path: Path
) -> None:
    out = late.ok("report", "overdue", "--as-of", AS_OF, "--format", "csv",
                  "-o", str(tmp_path / "retards.csv"))
    assert out == f"Rapport écrit dans {tmp_path / 'retards.csv'} (3 lignes).\n"
    raw = (tmp_path / "retards.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Agence", "Responsable", "Référence"]
    assert len(rows) == 4
    drf = next(r for r in rows if r[2] == "L-DRF")
    assert drf[3] == "Chloé Müller"
    assert drf[7] == "07/01/2027" and drf[8] == "6"
    assert drf[10] == "financement non réservé"


class _TagChecker(HTMLParser):
    VOID = {"meta", "br", "col", "link", "img", "hr", "input"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.cells: list[str] = []
        self._in_td = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.stack.append(tag)
        self._in_td = tag == "td"

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self._in_td and data.strip():
            self.cells.append(data.strip())


def test_the_html_parses_and_is_ready_for_a4(late: Dossiers) -> None:
    html = late.ok("report", "overdue", "--as-of", AS_OF, "--format", "html", "--agency", "Lyon")
    checker = _TagChecker()
    checker.feed(html)
    checker.close()
    assert checker.stack == []
    assert "Chloé Müller" in checker.cells and "L-CONTRACT" in checker.cells
    assert "size: A4" in html and "counter(page)" in html and "break-inside: avoid" in html
    assert "<h2>Lyon — Léa Martin (2)</h2>" in html


def test_names_are_escaped_in_the_html(network: Dossiers) -> None:
    open_dossier(network, "X-1", "lea@example.fr", worker="<script>alert(1)</script>")
    html = network.ok("report", "overdue", "--as-of", AS_OF, "--format", "html")
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_upcoming_lists_what_is_due_within_n_days(late: Dossiers) -> None:
    """R-DRF-WINDOW: ON-TIME's DRF is due 11/03/2027."""
    rows = json.loads(late.ok("report", "upcoming", "--within", "7", "--format", "json",
                              "--as-of", "2027-03-05"))
    assert [(r["reference"], r["step"], r["due"]) for r in rows] == [
        ("ON-TIME", "drf", "2027-03-11")]
    out = late.ok("report", "upcoming", "--within", "7", "--as-of", "2027-03-05")
    assert out.startswith("Échéances des 7 prochains jours au 05/03/2027 — 1 étape")


def test_pdf_needs_weasyprint_and_says_how_to_install_it(
    late: Dossiers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as if it were not installed
    target = tmp_path / "retards.pdf"
    result = late.run("report", "overdue", "--as-of", AS_OF, "--format", "pdf", "-o", str(target))
    assert result.exit_code == 1
    assert result.stderr == ("Erreur : le format pdf demande WeasyPrint : pip install "
                             "'dossiers[pdf]' (ou pip install weasyprint)\n")
    assert not target.exists()


def test_pdf_without_pango_names_the_system_library_and_the_html_way_out(
    late: Dossiers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A WeasyPrint whose import fails as it does when Pango is missing (OSError from cffi)."""
    fake = tmp_path / "site" / "weasyprint"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(
        "raise OSError(\"cannot load library 'libpango-1.0-0'\")\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.delitem(sys.modules, "weasyprint", raising=False)
    target = tmp_path / "retards.pdf"
    result = late.run("report", "overdue", "--as-of", AS_OF, "--format", "pdf", "-o", str(target))
    assert result.exit_code == 1
    assert result.stderr == (
        "Erreur : le format pdf demande la bibliothèque système Pango, introuvable (cannot load "
        "library 'libpango-1.0-0') : sous Debian ou Ubuntu, apt-get install libpango-1.0-0 "
        "libpangoft2-1.0-0 ; sinon --format html, à imprimer en PDF depuis le navigateur\n")
    assert not target.exists()


def test_pdf_is_the_html_through_weasyprint(late: Dossiers, tmp_path: Path) -> None:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as error:
        if os.environ.get("CI") == "true":  # CI has Pango: a PDF path that cannot run there is a failure
            raise
        pytest.skip(f"WeasyPrint inutilisable ici (Pango absent ?) : {error}")
    from pypdf import PdfReader

    target = tmp_path / "retards.pdf"
    late.ok("report", "overdue", "--as-of", AS_OF, "--format", "pdf", "-o", str(target))
    assert target.read_bytes().startswith(b"%PDF")
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(target).pages)
    for expected in ("Étapes en retard au 13/01/2027", "L-DRF", "S-CAR", "Chloé Müller"):
        assert expected in text
    assert "ON-TIME" not in text


def _text_runs(pdf: Path) -> list[tuple[str, float, float, float]]:
    """Every run of text drawn in the PDF: (text, x, y, size in points)."""
    from pypdf import PdfReader

    runs: list[tuple[str, float, float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            runs.append((text.strip(), tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5],
                         size * tm[0] * cm[0]))

    for page in PdfReader(pdf).pages:
        page.extract_text(visitor_text=visit)
    return runs


def test_the_pdf_embeds_the_shipped_font_and_no_column_runs_into_the_next(
    late: Dossiers, tmp_path: Path
) -> None:
    """Each due date and each delay is drawn apart: the date's width in the shipped font ends
    before the delay's column begins (no « 07/01/20276 j »)."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"WeasyPrint inutilisable ici (Pango absent ?) : {error}")
    from fontTools.ttLib import TTFont
    from pypdf import PdfReader

    from dossiers.reports.formats import fonts_dir

    target = tmp_path / "retards.pdf"
    late.ok("report", "overdue", "--as-of", AS_OF, "--format", "pdf", "-o", str(target))
    fonts = {str(font["/BaseFont"]) for page in PdfReader(target).pages
             for font in page["/Resources"]["/Font"].values()}
    assert fonts and all("Dossiers-Sans" in name for name in fonts), fonts
    font_file = fonts_dir() / "DejaVuSansCondensed.ttf"
    face = TTFont(font_file)
    advances, per_em = face["hmtx"].metrics, face["head"].unitsPerEm
    cmap = face.getBestCmap()

    def width(text: str, size: float) -> float:
        return sum(advances[cmap[ord(c)]][0] for c in text) * size / per_em

    runs = _text_runs(target)
    rows = json.loads(late.ok("report", "overdue", "--format", "json", "--as-of", AS_OF))
    assert rows
    for row in rows:
        due = "/".join(reversed(row["due"].split("-")))
        delay = f"{row['days_late']}\u00a0j"
        [(_, due_x, due_y, size)] = [r for r in runs if r[0] == due and
                                     any(d[0] == delay and abs(d[2] - r[2]) < 1 for d in runs)][:1]
        [(_, delay_x, _, _)] = [d for d in runs if d[0] == delay and abs(d[2] - due_y) < 1][:1]
        assert due_x + width(due, size) < delay_x, (row["reference"], due, delay)


def test_the_shipped_font_has_its_licence_and_is_free_to_redistribute() -> None:
    from dossiers.reports.formats import fonts_dir

    folder = fonts_dir()
    licence = (folder / "LICENSE").read_text(encoding="utf-8")
    assert "Permission is hereby granted, free of charge" in licence
    assert "Bitstream Vera" in licence
    assert {p.name for p in folder.glob("*.ttf")} == {"DejaVuSansCondensed.ttf",
                                                      "DejaVuSansCondensed-Bold.ttf"}


def test_pdf_without_an_output_file_is_refused(late: Dossiers) -> None:
    result = late.run("report", "overdue", "--format", "pdf")
    assert result.exit_code == 2
    assert result.stderr == "Erreur : --format pdf : indiquez le fichier à écrire avec -o FICHIER.pdf\n"


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None and os.environ.get("CI") != "true",
                    reason="Chromium absent : rendu headless du HTML non testé")
def test_the_html_renders_headless_to_png(late: Dossiers, tmp_path: Path) -> None:
    late.ok("report", "overdue", "--as-of", AS_OF, "--format", "html",
            "-o", str(tmp_path / "r.html"))
    assert CHROMIUM is not None
    subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
         f"--screenshot={tmp_path / 'r.png'}", "--window-size=1000,1400",
         (tmp_path / "r.html").as_uri()],
        check=True, capture_output=True, timeout=120,
    )
    png = (tmp_path / "r.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
