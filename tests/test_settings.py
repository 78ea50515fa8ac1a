"""Settings from a TOML file, overridden by DOSSIERS_<SECTION>_<KEY>; secrets only from the
environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from dossiers.errors import InvalidInput
from dossiers.settings import load_settings
from tests.conftest import Dossiers

EXAMPLE = """
db = "sqlite:///from-file.db"

[smtp]
host = "smtp.agence.example"
port = 2525
user = "dossiers"
security = "ssl"

[mail]
from = "Dossiers <dossiers@agence.example>"
transport = "file"

[reminders]
lead_days = [14, 7, 0]
escalation_days = 5

[reminders.lead_days_by_step]
contract = [21, 7]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "dossiers.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_file_sets_every_section(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, EXAMPLE), {})
    assert settings.db == "sqlite:///from-file.db"
    assert (settings.smtp.host, settings.smtp.effective_port, settings.smtp.security) == (
        "smtp.agence.example", 2525, "ssl")
    assert settings.mail.from_ == "Dossiers <dossiers@agence.example>"
    assert settings.reminders.leads_for("drf") == (14, 7, 0)
    assert settings.reminders.leads_for("contract") == (21, 7)
    assert settings.reminders.escalation_days == 5


def test_each_key_is_overridden_by_its_environment_variable(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, EXAMPLE), {
        "DOSSIERS_DB": "sqlite:///from-env.db",
        "DOSSIERS_SMTP_HOST": "127.0.0.1",
        "DOSSIERS_SMTP_PORT": "1025",
        "DOSSIERS_SMTP_USER": "robot",
        "DOSSIERS_SMTP_PASSWORD": "s3cret",
        "DOSSIERS_SMTP_SECURITY": "none",
        "DOSSIERS_MAIL_FROM": "robot@agence.example",
        "DOSSIERS_REMINDERS_LEAD_DAYS": "3, 1",
    })
    assert settings.db == "sqlite:///from-env.db"
    assert (settings.smtp.host, settings.smtp.port, settings.smtp.user, settings.smtp.password,
            settings.smtp.security) == ("127.0.0.1", 1025, "robot", "s3cret", "none")
    assert settings.mail.from_ == "robot@agence.example"
    assert settings.reminders.lead_days == (3, 1)
    assert "s3cret" not in repr(settings)


def test_the_default_port_follows_the_security_mode() -> None:
    assert load_settings(None, {"DOSSIERS_SMTP_SECURITY": "none"}).smtp.effective_port == 25
    assert load_settings(None, {}).smtp.effective_port == 587
    assert load_settings(None, {"DOSSIERS_SMTP_SECURITY": "ssl"}).smtp.effective_port == 465


@pytest.mark.parametrize(("text", "environ", "message"), [
    ('[smtp]\npassword = "x"\n', {}, "smtp.password : le mot de passe SMTP se donne par la "
     "variable d'environnement DOSSIERS_SMTP_PASSWORD, jamais dans le fichier"),
    ('[smtp]\nhots = "x"\n', {}, "clé inconnue « smtp.hots »"),
    ('[smtp]\nport = "vingt"\n', {}, "nombre entier attendu, pas « vingt »"),
    ("", {"DOSSIERS_SMTP_SECURITY": "tls"}, "valeur inconnue « tls »"),
    ("[reminders.lead_days_by_step]\ndrf_late = [1]\n", {}, "étape(s) inconnue(s)"),
    ("[smtp\n", {}, "fichier TOML invalide"),
])
def test_bad_settings_are_named(tmp_path: Path, text: str, environ: dict[str, str],
                                message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        load_settings(write(tmp_path, text), environ)
    assert message in str(caught.value)


def test_a_bad_config_file_is_one_line_and_exit_2(network: Dossiers, tmp_path: Path) -> None:
    path = write(tmp_path, '[smtp]\npassword = "hunter2"\n')
    result = network.run("--config", str(path), "remind", "--dry-run")
    assert result.exit_code == 2
    assert result.stderr.startswith("Erreur : configuration : smtp.password")
    assert "hunter2" not in result.stderr


def test_the_config_file_may_name_the_database(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from dossiers.cli import cli

    path = write(tmp_path, f'db = "sqlite:///{tmp_path / "configured.db"}"\n')
    assert CliRunner().invoke(cli, ["--config", str(path), "init"]).exit_code == 0
    assert (tmp_path / "configured.db").exists()


def test_the_example_file_of_the_readme_loads() -> None:
    example = Path(__file__).resolve().parents[1] / "examples" / "dossiers.toml"
    settings = load_settings(example, {})
    assert settings.smtp.security == "starttls"
    assert settings.reminders.leads_for("contract") == (14, 7, 2, 0)
