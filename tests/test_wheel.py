"""The wheel holds the top-level templates/, migrations/ and sample_data/: installed alone in a
fresh virtual environment, it opens a database, loads the sample network, composes the day's
reminders and writes a report."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (ROOT / "pyproject.toml").is_file():
        pytest.skip("les sources du paquet ne sont pas à côté des tests")
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "--disable-pip-version-check", "-w", str(out), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    (built,) = out.glob("dossiers-*.whl")
    return built


def test_the_wheel_ships_templates_migrations_and_sample_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for top in ("templates", "migrations", "sample_data"):
        shipped = sorted(p.relative_to(ROOT / top).as_posix() for p in (ROOT / top).rglob("*")
                         if p.is_file() and "__pycache__" not in p.parts)
        assert shipped, top
        assert {f"dossiers/{top}/{name}" for name in shipped} <= names


def test_the_wheel_alone_runs_init_sample_remind_and_a_report(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "venv"
    venv.create(target, with_pip=False)
    python = target / "bin" / "python"
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               check=True, capture_output=True, text=True).stdout.strip())
    # The wheel is unpacked into the fresh environment; its dependencies are read, after it,
    # from the test environment (no network needed), so `dossiers` comes from the wheel.
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    (site / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    env = {**os.environ, "DOSSIERS_DB": f"sqlite:///{tmp_path / 'demo.db'}",
           "XDG_CACHE_HOME": str(tmp_path / "cache"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "DOSSIERS_MAIL_FROM": "dossiers@example.fr"}

    def run(*args: str) -> str:
        result = subprocess.run([python, "-m", "dossiers", *args], env=env, capture_output=True,
                                text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        return result.stdout

    where = subprocess.run([python, "-c", "import dossiers; print(dossiers.__file__)"], env=env,
                           check=True, capture_output=True, text=True).stdout
    assert where.startswith(str(site))
    run("init")
    assert "50 dossiers" in run("sample", "--as-of", "2026-11-23")
    assert "8 messages à envoyer" in run("remind", "--dry-run", "--as-of", "2026-11-23")
    csv_report = run("report", "overdue", "--as-of", "2026-11-23", "--format", "csv")
    assert csv_report.startswith("\ufeff") and ";" in csv_report
