"""Settings: a TOML file (--config or DOSSIERS_CONFIG), each key overridable by an
environment variable DOSSIERS_<SECTION>_<KEY> (DOSSIERS_DB for the top-level `db`).

The SMTP password comes only from DOSSIERS_SMTP_PASSWORD: never from the file
(which may sit in a repository) nor from the database.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

from dossiers.errors import InvalidInput

STEP_CODES = ("drf", "akto_response", "contract", "positioning_assessment", "car_request",
              "mission_obligation", "attendance")
SECURITY_MODES = ("none", "starttls", "ssl")
TRANSPORTS = ("smtp", "file", "console")
DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}


@dataclass(frozen=True)
class SmtpSettings:
    host: str = "localhost"
    port: int | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    security: str = "starttls"
    timeout: int = 30
    # The server takes non-ASCII local parts (RFC 6531): staff entry accepts them.
    smtputf8: bool = False

    @property
    def effective_port(self) -> int:
        return self.port or DEFAULT_PORTS[self.security]


@dataclass(frozen=True)
class MailSettings:
    from_: str | None = None
    transport: str = "smtp"
    outbox_dir: str = "dossiers-mails"
    templates: str | None = None


@dataclass(frozen=True)
class RemindersSettings:
    lead_days: tuple[int, ...] = (7, 2, 0)
    escalation_days: int = 3
    min_gap_days: int = 1
    retry_minutes: int = 30
    send_lease_minutes: int = 10
    lead_days_by_step: Mapping[str, tuple[int, ...]] = field(default_factory=dict)

    def leads_for(self, step: str) -> tuple[int, ...]:
        return self.lead_days_by_step.get(step, self.lead_days)


@dataclass(frozen=True)
class FundingSettings:
    """R-CDPI-FUND: the sources give no CDPI flat rate; the agency sets the joint bodies' one."""

    cdpi_hourly_rate: Fraction | None = None


@dataclass(frozen=True)
class Settings:
    db: str | None = None
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    mail: MailSettings = field(default_factory=MailSettings)
    reminders: RemindersSettings = field(default_factory=RemindersSettings)
    funding: FundingSettings = field(default_factory=FundingSettings)


def _key(name: str) -> str:
    return name.rstrip("_")


def _convert(where: str, annotation: str, value: Any) -> Any:
    """Values from TOML keep their type; from the environment they are text."""
    if "tuple[int" in annotation:
        if isinstance(value, str):
            value = [part for part in value.replace(" ", "").split(",") if part]
        try:
            numbers = tuple(int(v) for v in value)
        except (TypeError, ValueError):
            raise InvalidInput(where, f"liste de nombres de jours attendue, pas « {value} »") from None
        if any(n < 0 for n in numbers):
            raise InvalidInput(where, "les nombres de jours ne peuvent pas être négatifs")
        return tuple(sorted(set(numbers), reverse=True))
    if "Fraction" in annotation:
        try:
            amount = Fraction(str(value).replace(",", "."))
        except (TypeError, ValueError):
            raise InvalidInput(where, f"montant attendu, pas « {value} »") from None
        if amount < 0:
            raise InvalidInput(where, "ne peut pas être négatif")
        return amount
    if annotation == "bool":
        if isinstance(value, bool):
            return value
        answer = str(value).strip().lower()
        if answer in ("1", "true", "oui", "yes"):
            return True
        if answer in ("0", "false", "non", "no"):
            return False
        raise InvalidInput(where, f"true ou false attendu, pas « {value} »")
    if "int" in annotation:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise InvalidInput(where, f"nombre entier attendu, pas « {value} »") from None
        if number < 0:
            raise InvalidInput(where, "ne peut pas être négatif")
        return number
    if not isinstance(value, str):
        raise InvalidInput(where, f"texte attendu, pas « {value} »")
    return value


def _section(cls: type, table: Mapping[str, Any], section: str, environ: Mapping[str, str]) -> Any:
    known = {_key(f.name): f for f in fields(cls) if f.name != "lead_days_by_step"}
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key == "lead_days_by_step" and cls is RemindersSettings:
            continue
        if key == "password" and cls is SmtpSettings:
            raise InvalidInput("configuration", "smtp.password : le mot de passe SMTP se donne "
                               "par la variable d'environnement DOSSIERS_SMTP_PASSWORD, jamais "
                               "dans le fichier")
        if key not in known:
            raise InvalidInput("configuration", f"clé inconnue « {section}.{key} »")
        values[known[key].name] = _convert(f"{section}.{key}", str(known[key].type), value)
    for key, f in known.items():
        variable = f"DOSSIERS_{section}_{key}".upper()
        if environ.get(variable):
            values[f.name] = _convert(variable, str(f.type), environ[variable])
    return cls(**values)


def load_settings(path: Path | None, environ: Mapping[str, str]) -> Settings:
    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InvalidInput("--config", f"fichier introuvable « {path} »") from None
        except tomllib.TOMLDecodeError as error:
            raise InvalidInput("--config", f"fichier TOML invalide ({error})") from None
    unknown = set(data) - {"db", "smtp", "mail", "reminders", "funding"}
    if unknown:
        raise InvalidInput("configuration", "clé(s) inconnue(s) : " + ", ".join(sorted(unknown)))
    reminders_table = dict(data.get("reminders", {}))
    by_step_table = reminders_table.get("lead_days_by_step", {})
    bad_steps = set(by_step_table) - set(STEP_CODES)
    if bad_steps:
        raise InvalidInput("configuration", "étape(s) inconnue(s) dans "
                           "reminders.lead_days_by_step : " + ", ".join(sorted(bad_steps)))
    settings = Settings(
        db=environ.get("DOSSIERS_DB") or data.get("db"),
        smtp=_section(SmtpSettings, data.get("smtp", {}), "smtp", environ),
        mail=_section(MailSettings, data.get("mail", {}), "mail", environ),
        reminders=_section(RemindersSettings, reminders_table, "reminders", environ),
        funding=_section(FundingSettings, data.get("funding", {}), "funding", environ),
    )
    by_step = {step: _convert(f"reminders.lead_days_by_step.{step}", "tuple[int, ...]", leads)
               for step, leads in by_step_table.items()}
    settings = replace(settings, reminders=replace(settings.reminders, lead_days_by_step=by_step))
    if settings.smtp.security not in SECURITY_MODES:
        raise InvalidInput("smtp.security", f"valeur inconnue « {settings.smtp.security} » "
                           f"(valeurs possibles : {', '.join(SECURITY_MODES)})")
    if settings.mail.transport not in TRANSPORTS:
        raise InvalidInput("mail.transport", f"valeur inconnue « {settings.mail.transport} » "
                           f"(valeurs possibles : {', '.join(TRANSPORTS)})")
    return settings
