"""A day without reminders says why: the day, « jour non ouvré », and the next sending day
(R-CAL-2); `remind --dry-run` needs no sender; `make demo` always shows mails."""

from __future__ import annotations

import os
import subprocess
from datetime import date
from pathlib import Path

import pytest

from dossiers import messages
from dossiers.deadlines.business_days import next_business_day
from tests.conftest import Dossiers

AS_OF = "2026-11-23"
SENDER = "Suivi <dossiers@interim-exemple.fr>"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def sample(dossiers: Dossiers, monkeypatch: pytest.MonkeyPatch) -> Dossiers:
    monkeypatch.delenv("DOSSIERS_MAIL_FROM", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    dossiers.ok("sample", "--as-of", AS_OF)
    return dossiers


def test_a_dry_run_on_a_saturday_names_the_day_and_the_next_sending_day(
        sample: Dossiers) -> None:
    out = sample.ok("remind", "--dry-run", "--as-of", "2026-12-05")
    assert out == ("samedi 05/12/2026 : jour non ouvré, pas de rappel ; prochain envoi lundi "
                   "07/12/2026\nSimulation du 05/12/2026 : 0 messages à envoyer, rien n'est "
                   "enregistré.\n")
    sunday = sample.ok("remind", "--dry-run", "--as-of", "2026-12-06")
    assert sunday.startswith("dimanche 06/12/2026 : jour non ouvré, pas de rappel ; prochain "
                             "envoi lundi 07/12/2026\n")
    christmas = sample.ok("remind", "--dry-run", "--as-of", "2026-12-25")
    assert christmas.startswith("vendredi 25/12/2026 : jour non ouvré, pas de rappel ; "
                                "prochain envoi lundi 28/12/2026\n")
    working = sample.ok("remind", "--dry-run", "--as-of", AS_OF)
    assert "non ouvré" not in working and "Objet : " in working


def test_a_holiday_of_one_zone_names_the_zone_whose_agencies_get_nothing(
        sample: Dossiers) -> None:
    """27/05: abolition of slavery, a holiday in Guadeloupe only (Pointe-à-Pitre)."""
    out = sample.ok("remind", "--dry-run", "--as-of", "2027-05-27")
    assert out.endswith("\njeudi 27/05/2027 : jour non ouvré en zone Guadeloupe, pas de rappel "
                        "pour ses agences ; prochain envoi vendredi 28/05/2027\nSimulation du "
                        "27/05/2027 : 7 messages à envoyer, rien n'est enregistré.\n")
    assert "Pointe-à-Pitre" not in out  # its agency gets nothing that day
    assert messages.days_off(date(2027, 3, 26), {"alsace-moselle": date(2027, 3, 29),
                                                 "guadeloupe": date(2027, 3, 29)}, False) == [
        "vendredi 26/03/2027 : jour non ouvré en zones Alsace-Moselle et Guadeloupe, pas de "
        "rappel pour leurs agences ; prochain envoi lundi 29/03/2027"]


def test_the_real_run_on_a_day_off_says_so_too(sample: Dossiers, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOSSIERS_MAIL_FROM", SENDER)
    out = sample.ok("remind", "--transport", "file", "--outbox-dir", str(tmp_path / "mails"),
                    "--as-of", "2026-12-05")
    assert out.startswith("samedi 05/12/2026 : jour non ouvré, pas de rappel ; prochain envoi "
                          "lundi 07/12/2026\nRappels du 05/12/2026 : 0 envoyé(s)")


def test_a_dry_run_needs_no_sender(sample: Dossiers) -> None:
    assert "DOSSIERS_MAIL_FROM" not in os.environ
    out = sample.ok("remind", "--dry-run", "--as-of", AS_OF)
    assert "À : " in out and "Objet : " in out
    refused = sample.run("remind", "--transport", "file", "--as-of", AS_OF)
    assert refused.exit_code == 2 and "mail.from" in refused.stderr


def test_the_next_business_day_skips_week_ends_and_holidays() -> None:
    assert next_business_day(date(2026, 12, 5), "metropole") == date(2026, 12, 7)
    assert next_business_day(date(2026, 12, 24), "metropole") == date(2026, 12, 28)
    assert next_business_day(date(2026, 12, 25), "alsace-moselle") == date(2026, 12, 28)


@pytest.mark.skipif(not (ROOT / ".venv" / ".installed").exists(), reason="make .venv/.installed")
@pytest.mark.parametrize(("today", "shown"), [("2026-12-05", "2026-12-07"),
                                              ("2026-11-23", "2026-11-23")])
def test_make_demo_always_shows_mails_and_points_only_at_files_it_wrote(
        tmp_path: Path, today: str, shown: str) -> None:
    demo = tmp_path / "demo"
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DOSSIERS_", "MAKE", "MFLAGS"))}
    result = subprocess.run(["make", "-s", "demo", f"DEMO_DIR={demo}", f"DEMO_TODAY={today}"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    mails = sorted(demo.glob("mails/*.eml"))
    assert mails
    day = date.fromisoformat(shown)
    if today != shown:
        assert (f"{messages.day_and_date(date.fromisoformat(today))} n'est pas un jour ouvré : "
                f"la démonstration se place au {messages.day_and_date(day)} (--as-of "
                f"{messages.short_date(day)}).\n") in result.stdout
    else:
        assert "jour ouvré" not in result.stdout and "--as-of" not in result.stdout
    assert f"Rappels du {messages.short_date(day)} : {len(mails)} envoyé(s)" in result.stdout
    assert f"Ouvrez les rappels {demo}/mails/*.eml" in result.stdout
    assert f"export DOSSIERS_DB=sqlite:///{demo}/dossiers.db" in result.stdout
    assert f"Étapes en retard au {messages.short_date(day)}" in result.stdout
