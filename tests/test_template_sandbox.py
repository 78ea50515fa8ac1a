"""Templates a user installs (`[mail] templates`) are rendered in Jinja2's sandbox: they read
the values they are given and nothing else; an attempt on Python's internals is one French line,
exit 2, and nothing of it runs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dossiers.rendering import environment
from tests.conftest import Dossiers

CDPI = ["open", "--kind", "cdpi", "--worker", "Karim B.", "--start", "2027-01-11",
        "--end", "2027-02-19", "--training-hours", "210", "--owner", "lea@example.fr",
        "--reference", "CDPI-1"]


@pytest.fixture
def hostile_templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A template folder whose templates try to run `touch PROOF`."""
    folder = tmp_path / "gabarits"
    folder.mkdir()
    proof = tmp_path / "PROOF"
    payload = f"{{{{ cycler.__init__.__globals__.os.popen('touch {proof}').read() }}}}"
    for name in ("digest_subject.txt.j2", "report.html.j2"):
        (folder / name).write_text(payload, encoding="utf-8")
    monkeypatch.setenv("DOSSIERS_MAIL_TEMPLATES", str(folder))
    monkeypatch.setenv("DOSSIERS_MAIL_FROM", "dossiers@example.fr")
    environment.cache_clear()
    yield proof
    environment.cache_clear()


def test_a_template_reaching_python_internals_is_refused_in_one_line_and_runs_nothing(
        network: Dossiers, hostile_templates: Path) -> None:
    network.ok(*CDPI)
    result = network.run("remind", "--dry-run", "--as-of", "2027-01-08")
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        "Erreur : gabarit digest_subject.txt.j2 : opération interdite dans un gabarit "
        "(« __init__ ») : un gabarit n'a accès qu'aux valeurs qu'il reçoit ; rien n'a été "
        "exécuté\n")
    assert not hostile_templates.exists()


def test_a_report_template_reaching_python_internals_is_refused_too(
        network: Dossiers, hostile_templates: Path, tmp_path: Path) -> None:
    result = network.run("report", "overdue", "--format", "html", "-o",
                         str(tmp_path / "r.html"))
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Erreur : gabarit report.html.j2 : opération interdite")
    assert result.stderr.count("\n") == 1
    assert not hostile_templates.exists()
    assert not (tmp_path / "r.html").exists()
