"""The configuration file is UTF-8 TOML whose types and bounds are checked at load, unknown
keys named: a bad file is one French line and exit 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Dossiers

CASES = {
    "port 70 000": ("[smtp]\nport = 70000\n", "smtp.port : doit être compris entre 1 et 65535"),
    "port 0": ("[smtp]\nport = 0\n", "smtp.port : doit être compris entre 1 et 65535"),
    "port as a float": ("[smtp]\nport = 25.5\n", "smtp.port : nombre entier attendu, pas « 25.5 »"),
    "port as a boolean": ("[smtp]\nport = true\n",
                          "smtp.port : nombre entier attendu, pas « True »"),
    "zero timeout": ("[smtp]\ntimeout = 0\n", "smtp.timeout : doit être compris entre 1 et 3600"),
    "30-digit escalation": ("[reminders]\nescalation_days = " + "9" * 30 + "\n",
                            "reminders.escalation_days : doit être compris entre 0 et 366"),
    "30-digit lead day": ("[reminders]\nlead_days = [" + "9" * 30 + "]\n",
                          "reminders.lead_days : 366 jours au plus"),
    "huge hourly rate": ("[funding]\ncdpi_hourly_rate = 1e300\n",
                         "funding.cdpi_hourly_rate : 10000 € au plus"),
    "section as a value": ("smtp = 3\n", "configuration : « smtp » doit être une section [smtp]"),
    "db as a number": ("db = 3\n", "db : texte attendu, pas « 3 »"),
    "newline in the host": ('[smtp]\nhost = "a\\nb"\n',
                            "smtp.host : caractère de contrôle interdit (saut de ligne, "
                            "tabulation…)"),
    "unknown key": ("[smtp]\nhots = \"x\"\n", "configuration : clé inconnue « smtp.hots »"),
    "steps as a value": ("[reminders]\nlead_days_by_step = 3\n",
                         "configuration : « reminders.lead_days_by_step » doit être une section "
                         "[reminders.lead_days_by_step]"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_configuration_is_one_line_and_exit_2(dossiers: Dossiers, tmp_path: Path,
                                                    case: str) -> None:
    text, message = CASES[case]
    path = tmp_path / "dossiers.toml"
    path.write_text(text, encoding="utf-8")
    result = dossiers.run("--config", str(path), "remind", "--dry-run", "--as-of", "2027-01-04")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"Erreur : {message}\n"


def test_a_configuration_not_in_utf8_is_named(dossiers: Dossiers, tmp_path: Path) -> None:
    path = tmp_path / "dossiers.toml"
    path.write_bytes('[mail]\nfrom = "Agence de Besançon <a@example.fr>"\n'.encode("latin-1"))
    result = dossiers.run("--config", str(path), "remind", "--dry-run", "--as-of", "2027-01-04")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (f"Erreur : --config : « {path} » n'est pas en UTF-8 (enregistrez-le "
                             "en UTF-8)\n")


def test_a_folder_given_as_configuration_is_named(dossiers: Dossiers, tmp_path: Path) -> None:
    result = dossiers.run("--config", str(tmp_path), "remind", "--dry-run")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Erreur : --config : lecture impossible de « {tmp_path} »")


def test_an_environment_port_out_of_range_is_named(dossiers: Dossiers,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOSSIERS_SMTP_PORT", "70000")
    result = dossiers.run("remind", "--dry-run")
    assert result.stderr == "Erreur : DOSSIERS_SMTP_PORT : doit être compris entre 1 et 65535\n"
    assert result.exit_code == 2


def test_the_edges_of_each_range_are_accepted(tmp_path: Path) -> None:
    from dossiers.settings import load_settings

    path = tmp_path / "dossiers.toml"
    path.write_text("[smtp]\nport = 65535\ntimeout = 1\n[reminders]\nlead_days = [366, 0]\n"
                    "[funding]\ncdpi_hourly_rate = 9.5\n", encoding="utf-8")
    settings = load_settings(path, {})
    assert (settings.smtp.port, settings.smtp.timeout, settings.reminders.lead_days) == (
        65535, 1, (366, 0))
    assert str(settings.funding.cdpi_hourly_rate) == "19/2"
