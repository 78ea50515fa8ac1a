"""What a short command loads: only the modules it needs (speed itself is measured by
benchmarks/run.py, not here)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Dossiers

AS_OF = "2026-11-23"
# Loaded by the commands that need them only: the mail and report templates, the migrations
# (`init`), the PDF, the calendar feed, the mail transport.
HEAVY = ("jinja2", "alembic", "weasyprint", "icalendar", "smtplib", "email.mime")
# Loads the `dossiers` program as its entry point does, runs it, then names what was loaded.
PROGRAM = """
import atexit, json, runpy, sys
heavy = json.loads(sys.argv[1])
atexit.register(lambda: print(json.dumps([m for m in heavy if m in sys.modules]), file=sys.stderr))
sys.argv = ["dossiers", *sys.argv[2:]]
runpy.run_module("dossiers", run_name="__main__")
"""


def _loaded(url: str, tmp_path: Path, heavy: tuple[str, ...], *args: str) -> tuple[str, list[str]]:
    """The standard output of `dossiers ARGS` run as a program, and the modules of `heavy` it
    loaded."""
    environ = {**os.environ, "DOSSIERS_DB": url, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-c", PROGRAM, json.dumps(heavy), *args],
                          capture_output=True, text=True, env=environ, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout, json.loads(done.stderr.strip().splitlines()[-1])


def test_show_and_list_load_no_template_engine_migration_pdf_or_mail_module(
        dossiers: Dossiers, tmp_path: Path) -> None:
    """And the program prints what the command prints in-process: the start-up's handling
    of the garbage collector (dossiers.cli.main) changes nothing a user reads."""
    if dossiers.url.startswith("postgresql"):
        pytest.skip("the subprocess reads the database URL: SQLite only")
    dossiers.ok("sample", "--as-of", AS_OF)
    for args in (["show", "LYO-CDPI-09", "--as-of", AS_OF],
                 ["show", "LYO-CIPI-02", "--history", "--as-of", AS_OF],
                 ["list", "--as-of", AS_OF]):
        output, loaded = _loaded(dossiers.url, tmp_path, HEAVY, *args)
        assert loaded == [], (args, loaded)
        assert output == dossiers.ok(*args)


def test_help_and_plan_do_not_load_sqlalchemy(tmp_path: Path) -> None:
    heavy = ("sqlalchemy", *HEAVY)
    for args in (["--help"], ["plan", "--kind", "cdpi", "--start", "2027-01-11", "--end",
                              "2027-02-19", "--training-hours", "210"]):
        _, loaded = _loaded(f"sqlite:///{tmp_path / 'none.db'}", tmp_path, heavy, *args)
        assert loaded == [], (args, loaded)
    assert not (tmp_path / "none.db").exists()
