"""Settings: a TOML file (--config or DOSSIERS_CONFIG), each key overridable by an
environment variable DOSSIERS_<SECTION>_<KEY> (DOSSIERS_DB for the top-level `db`).

The SMTP password comes only from DOSSIERS_SMTP_PASSWORD: never from the file
(which may sit in a repository) nor from the database.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

from dossiers.errors import InvalidInput
from dossiers.parsing import MAX_EUROS

STEP_CODES = ("drf", "akto_response", "contract", "positioning_assessment", "car_request",
              "mission_obligation", "attendance")
SECURITY_MODES = ("none", "starttls", "ssl")
TRANSPORTS = ("smtp", "file", "console")
DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}


@dataclass(frozen=True)
class SmtpSettings:
    """[smtp]: the server reminders are sent through."""

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
    """[mail]: the sender, the transport and the templates of the reminders."""

    from_: str | None = None
    transport: str = "smtp"
    outbox_dir: str = "dossiers-mails"
    templates: str | None = None


@dataclass(frozen=True)
class RemindersSettings:
    """[reminders]: when reminders are sent, and how a failed one is tried again."""

    lead_days: tuple[int, ...] = (7, 2, 0)
    escalation_days: int = 3
    min_gap_days: int = 1
    # A temporary failure waits retry_minutes, then three times longer each attempt, up to
    # retry_max_minutes; after max_attempts attempts or give_up_hours hours, the message fails.
    retry_minutes: int = 5
    retry_max_minutes: int = 240
    max_attempts: int = 8
    give_up_hours: int = 24
    # Reconnections to the SMTP server in one run (421, a dropped line) before it stops.
    max_reconnects: int = 100
    send_lease_minutes: int = 10
    lead_days_by_step: Mapping[str, tuple[int, ...]] = field(default_factory=dict)

    def leads_for(self, step: str) -> tuple[int, ...]:
        return self.lead_days_by_step.get(step, self.lead_days)


@dataclass(frozen=True)
class FundingSettings:
    """R-CDPI-FUND: the sources give no CDPI flat rate; the agency sets the joint bodies' one."""

    cdpi_hourly_rate: Fraction | None = None


@dataclass(frozen=True)
class WebSettings:
    """`dossiers serve`: the public address (for links in mails and secure cookies) and the
    file of the private signing key (by default beside the default database)."""

    base_url: str | None = None
    key_file: str | None = None


@dataclass(frozen=True)
class Settings:
    """Every section of the configuration, read once per command."""

    db: str | None = None
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    mail: MailSettings = field(default_factory=MailSettings)
    reminders: RemindersSettings = field(default_factory=RemindersSettings)
    funding: FundingSettings = field(default_factory=FundingSettings)
    web: WebSettings = field(default_factory=WebSettings)


def _key(name: str) -> str:
    return name.rstrip("_")


LIMITS = {
    "smtp.port": (1, 65_535),
    "smtp.timeout": (1, 3_600),
    "reminders.escalation_days": (0, 366),
    "reminders.min_gap_days": (0, 366),
    "reminders.retry_minutes": (1, 10_080),
    "reminders.retry_max_minutes": (1, 10_080),
    "reminders.max_attempts": (1, 100),
    "reminders.give_up_hours": (1, 720),
    "reminders.max_reconnects": (0, 10_000),
    "reminders.send_lease_minutes": (1, 1_440),
}
"""Bounds of the whole numbers of the file (inclusive); days of lead are 0–366."""
MAX_LEAD_DAYS = 366
MAX_NUMBER_LENGTH = 40


def _whole(where: str, value: Any) -> int:
    """A TOML integer, or text of digits from the environment."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidInput(where, f"nombre entier attendu, pas « {value!r} »")
    text = str(value).strip()
    if len(text) > MAX_NUMBER_LENGTH or not text.lstrip("-").isdigit() or not text.isascii():
        raise InvalidInput(where, f"nombre entier attendu, pas « {text[:MAX_NUMBER_LENGTH]} »")
    return int(text)


def _convert(where: str, annotation: str, value: Any, limits: tuple[int, int] | None = None) -> Any:
    """Values from TOML keep their type, which is checked (a quoted number is read as
    text is from the environment); every number is bounded."""
    if "tuple[int" in annotation:
        if isinstance(value, str):
            value = [part for part in value.replace(" ", "").split(",") if part]
        if not isinstance(value, list | tuple):
            raise InvalidInput(where, f"liste de nombres de jours attendue, pas « {value!r} »")
        try:
            numbers = tuple(_whole(where, v) for v in value)
        except InvalidInput:
            raise InvalidInput(where, "liste de nombres de jours attendue, pas "
                               f"« {str(value)[:MAX_NUMBER_LENGTH]} »") from None
        if any(n < 0 for n in numbers):
            raise InvalidInput(where, "les nombres de jours ne peuvent pas être négatifs")
        if any(n > MAX_LEAD_DAYS for n in numbers):
            raise InvalidInput(where, f"{MAX_LEAD_DAYS} jours au plus")
        return tuple(sorted(set(numbers), reverse=True))
    if "Fraction" in annotation:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise InvalidInput(where, f"montant attendu, pas « {value!r} »")
        text = str(value).strip().replace(",", ".")
        try:
            if len(text) > MAX_NUMBER_LENGTH:
                raise ValueError
            amount = Fraction(text)
        except (ValueError, ZeroDivisionError):
            raise InvalidInput(where, f"montant attendu, pas « {text[:MAX_NUMBER_LENGTH]} »") from None
        if amount < 0:
            raise InvalidInput(where, "ne peut pas être négatif")
        if amount > MAX_EUROS:
            raise InvalidInput(where, f"{MAX_EUROS} € au plus")
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
        number = _whole(where, value)
        low, high = limits or (0, 1_000_000)
        if number < low:
            raise InvalidInput(where, "ne peut pas être négatif" if low == 0
                               else f"doit être compris entre {low} et {high}")
        if number > high:
            raise InvalidInput(where, f"doit être compris entre {low} et {high}")
        return number
    if not isinstance(value, str):
        raise InvalidInput(where, f"texte attendu, pas « {value!r} »")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in value):
        raise InvalidInput(where, "caractère de contrôle interdit (saut de ligne, tabulation…)")
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
        values[known[key].name] = _convert(f"{section}.{key}", str(known[key].type), value,
                                           LIMITS.get(f"{section}.{key}"))
    for key, f in known.items():
        variable = f"DOSSIERS_{section}_{key}".upper()
        if environ.get(variable):
            values[f.name] = _convert(variable, str(f.type), environ[variable],
                                      LIMITS.get(f"{section}.{key}"))
    return cls(**values)


def load_settings(path: Path | None, environ: Mapping[str, str]) -> Settings:
    data: dict[str, Any] = {}
    if path is not None:
        import tomllib  # only with a configuration file

        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InvalidInput("--config", f"fichier introuvable « {path} »") from None
        except UnicodeDecodeError:
            raise InvalidInput("--config", f"« {path} » n'est pas en UTF-8 (enregistrez-le en "
                               "UTF-8)") from None
        except OSError as error:
            raise InvalidInput("--config", f"lecture impossible de « {path} » "
                               f"({error.strerror})") from None
        except tomllib.TOMLDecodeError as error:
            raise InvalidInput("--config", f"fichier TOML invalide ({error})") from None
    unknown = set(data) - {"db", "smtp", "mail", "reminders", "funding", "web"}
    if unknown:
        raise InvalidInput("configuration", "clé(s) inconnue(s) : " + ", ".join(sorted(unknown)))
    for name in ("smtp", "mail", "reminders", "funding", "web"):
        if not isinstance(data.get(name, {}), dict):
            raise InvalidInput("configuration", f"« {name} » doit être une section [{name}]")
    if "db" in data:
        _convert("db", "str", data["db"])
    reminders_table = dict(data.get("reminders", {}))
    by_step_table = reminders_table.get("lead_days_by_step", {})
    if not isinstance(by_step_table, dict):
        raise InvalidInput("configuration", "« reminders.lead_days_by_step » doit être une "
                           "section [reminders.lead_days_by_step]")
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
        web=_section(WebSettings, data.get("web", {}), "web", environ),
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
