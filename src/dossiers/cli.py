"""The `dossiers` command: parse, call one service in one transaction, answer in French.

Only this module reads the clock and the environment. Heavy modules (SQLAlchemy,
the holiday calendars) are imported inside the commands that need them.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import click

from dossiers import messages
from dossiers.deadlines.zones import DEFAULT_ZONE, ZONES
from dossiers.french_click import AMOUNT, COUNT, DATE, HOURS, ChoiceType, FrenchGroup, fail

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

    from dossiers.mail.transports import Transport
    from dossiers.settings import Settings

RULE_SET_HELP = "jeu de règles : akto-current (défaut) ou akto-2021"
ZONE_CHOICE = ChoiceType({slug: slug for slug in ZONES})
KIND_CHOICE = ChoiceType(messages.KIND_LABELS)
CONTRACT_CHOICE = ChoiceType(messages.CONTRACT_LABELS)
PROGRAMME_CHOICE = ChoiceType({"aucun": "aucun", **messages.PROGRAMME_LABELS})
EVENT_CHOICE = ChoiceType(messages.EVENT_LABELS)
ROLE_CHOICE = ChoiceType(messages.ROLE_LABELS)
ELIGIBILITY_CHOICE = ChoiceType(messages.ELIGIBILITY_CODES)
INCIDENT_CHOICE = ChoiceType({code: label for code, (label, _) in
                              messages.INCIDENT_LABELS.items()})


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def today_in(zone: str) -> date:
    """R-CAL-4: the local date of the zone."""
    return datetime.now(ZoneInfo(ZONES[zone].time_zone)).date()


def day_in_zone(as_of: date | None) -> Callable[[str], date]:
    """Today in each zone, unless --as-of fixes the day."""
    if as_of is not None:
        return lambda _zone: as_of
    return today_in


def default_database_url() -> str:
    from dossiers.store.database import default_database_path

    path = default_database_path(os.environ.get("XDG_DATA_HOME"), Path.home())
    return f"sqlite:///{path}"


@dataclass
class App:
    db_url: str | None
    config_path: str | None = None
    _engine: Engine | None = field(default=None, repr=False)
    _settings: Settings | None = field(default=None, repr=False)

    def settings(self) -> Settings:
        if self._settings is None:
            from dossiers.settings import load_settings

            path = Path(self.config_path) if self.config_path else None
            self._settings = load_settings(path, os.environ)
        return self._settings

    def engine(self) -> Engine:
        if self._engine is None:
            from dossiers.store.database import open_engine

            url = self.db_url or (self.settings().db if self.config_path else None)
            self._engine = open_engine(url or default_database_url())
        return self._engine

    def close(self) -> None:
        """Give the database connections back when the command ends."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[Session]:
        """One command, one transaction; the schema must be current."""
        from sqlalchemy.exc import OperationalError

        from dossiers.store.database import SchemaNotReady, ensure_current, transaction

        try:
            ensure_current(self.engine())
            with transaction(self.engine(), write) as session:
                yield session
        except SchemaNotReady:
            fail("base de données non initialisée ou d'une version antérieure : "
                 "lancez « dossiers init »")
        except OperationalError as error:
            fail(f"base de données inaccessible ({error.orig})", 1)


pass_app = click.make_pass_decorator(App)


def as_of_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--as-of", type=DATE, default=None,
        help="Date de référence (AAAA-MM-JJ ou JJ/MM/AAAA) ; par défaut aujourd'hui.",
    )(command)


def json_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True,
                        help="Sortie JSON, pour d'autres programmes.")(command)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def echo_json_array(items: Iterable[Any]) -> None:
    """A JSON array written item by item, so that a long list is never all in memory."""
    first = True
    for item in items:
        text = json.dumps(item, ensure_ascii=False, indent=2).replace("\n", "\n  ")
        click.echo(("[\n  " if first else ",\n  ") + text, nl=False)
        first = False
    click.echo("[]" if first else "\n]")


@click.group(name="dossiers", cls=FrenchGroup, context_settings={"help_option_names": ["-h", "--help"],
                                                 "max_content_width": 100})
@click.option("--db", "db_url", envvar="DOSSIERS_DB", metavar="URL",
              help="Base de données (adresse SQLAlchemy). Par défaut $DOSSIERS_DB, sinon la clé "
                   "db de la configuration, sinon ~/.local/share/dossiers/dossiers.db.")
@click.option("--config", "config_path", envvar="DOSSIERS_CONFIG", metavar="FICHIER",
              help="Fichier de configuration TOML (par défaut $DOSSIERS_CONFIG). Chaque clé peut "
                   "être remplacée par DOSSIERS_<SECTION>_<CLÉ>.")
@click.pass_context
def cli(ctx: click.Context, db_url: str | None, config_path: str | None) -> None:
    """Suivi des échéances AKTO des dossiers CIPI, CDPI et CAR.

    Chaque dossier a ses étapes (DRF, réponse d'AKTO, contrat, missions…), leurs
    dates d'ouverture et d'échéance et leur statut au jour dit, selon les règles
    du livre des règles docs/rules.md (identifiants R-…) ; « dossiers explain ID »
    montre chaque calcul.

    Exemple : dossiers init && dossiers sample && dossiers list --overdue
    """
    ctx.obj = App(db_url, config_path)
    ctx.call_on_close(ctx.obj.close)


def main() -> None:
    from dossiers.deadlines.business_days import use_holiday_source
    from dossiers.holiday_cache import HolidayFileCache, default_cache_folder

    use_holiday_source(HolidayFileCache(
        default_cache_folder(os.environ.get("XDG_CACHE_HOME"), Path.home())))
    cli.main(prog_name="dossiers")


# Database and network ------------------------------------------------------------------------


@cli.command()
@pass_app
def init(app: App) -> None:
    """Crée la base de données ou la met à jour vers le dernier schéma.

    Exemple : dossiers --db sqlite:///agence.db init
    """
    from sqlalchemy.exc import OperationalError

    from dossiers.store.database import upgrade

    try:
        before, after = upgrade(app.engine())
    except OperationalError as error:
        fail(f"base de données inaccessible ({error.orig})", 1)
    if before == after:
        click.echo(f"Base déjà à jour (schéma {after}).")
    elif before is None:
        click.echo(f"Base créée (schéma {after}).")
    else:
        click.echo(f"Base mise à jour du schéma {before} au schéma {after}.")


@cli.group(cls=FrenchGroup)
def agency() -> None:
    """Agences : ajouter, lister."""


@agency.command("add")
@click.argument("name")
@click.option("--zone", type=ZONE_CHOICE, default=DEFAULT_ZONE, show_default=True,
              help="Zone des jours fériés (R-CAL-2).")
@click.option("--headcount", type=COUNT, default=None, help="Effectif de l'agence (ETT).")
@click.option("--prism/--no-prism", "prism_member", default=False,
              help="Adhérente ou membre de Prism'Emploi.")
@pass_app
def agency_add(app: App, name: str, zone: str, headcount: int | None, prism_member: bool) -> None:
    """Ajoute une agence.

    Exemple : dossiers agency add "Metz Centre" --zone alsace-moselle --headcount 25 --prism
    """
    from dossiers.services.network import add_agency

    with app.transaction() as session:
        created = add_agency(session, name, zone, headcount, prism_member)
        click.echo(f"Agence « {created.name} » ajoutée (zone {created.zone}).")


@agency.command("list")
@json_option
@pass_app
def agency_list(app: App, as_json: bool) -> None:
    """Liste les agences.

    Exemple : dossiers agency list --json
    """
    from dossiers.services.network import list_agencies

    with app.transaction(write=False) as session:
        agencies = list_agencies(session)
        rows = [{"name": a.name, "zone": a.zone, "headcount": a.headcount,
                 "prism_member": a.prism_member} for a in agencies]
    if as_json:
        echo_json(rows)
        return
    from dossiers.views import table

    click.echo(table(["Agence", "Zone", "Effectif", "Prism'Emploi"], [
        [r["name"], r["zone"], "" if r["headcount"] is None else str(r["headcount"]),
         "oui" if r["prism_member"] else "non"] for r in rows]) if rows else "Aucune agence.")


@cli.group(cls=FrenchGroup)
def staff() -> None:
    """Personnel des agences : ajouter, lister."""


@staff.command("add")
@click.argument("name")
@click.option("--email", required=True, help="Adresse électronique (identifiant de la personne).")
@click.option("--role", type=ROLE_CHOICE, default="charge", show_default=True,
              help="charge (chargé(e) de recrutement) ou manager.")
@click.option("--agency", "agency_name", required=True, help="Nom de l'agence.")
@pass_app
def staff_add(app: App, name: str, email: str, role: str, agency_name: str) -> None:
    """Ajoute une personne à une agence.

    Exemple : dossiers staff add "Léa Martin" --email lea.martin@example.fr --agency Lyon
    """
    from dossiers.services.network import add_staff

    with app.transaction() as session:
        person = add_staff(session, name, email, role, agency_name)
        click.echo(f"{person.name} <{person.email}> ajouté(e) à « {person.agency.name} » "
                   f"({messages.ROLE_LABELS[person.role]}).")


@staff.command("list")
@click.option("--agency", "agency_name", default=None, help="Seulement cette agence.")
@json_option
@pass_app
def staff_list(app: App, agency_name: str | None, as_json: bool) -> None:
    """Liste le personnel.

    Exemple : dossiers staff list --agency "Metz Centre"
    """
    from dossiers.services.network import list_staff

    with app.transaction(write=False) as session:
        rows = [{"name": p.name, "email": p.email, "role": p.role, "agency": p.agency.name}
                for p in list_staff(session, agency_name)]
    if as_json:
        echo_json(rows)
        return
    from dossiers.views import table

    click.echo(table(["Nom", "Email", "Rôle", "Agence"], [
        [r["name"], r["email"], messages.ROLE_LABELS[r["role"]], r["agency"]] for r in rows])
        if rows else "Personne.")


# Dossiers ------------------------------------------------------------------------------------


def eligibility_options(command: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed([
        click.option("--eligibility", type=ELIGIBILITY_CHOICE, default=None,
                     help="Motif d'éligibilité (R-CIPI-ELIG, R-CDPI-ELIG, R-CAR-ELIG) ; donnée "
                          "sensible, montrée seulement par show et explain."),
        click.option("--in-user-company/--not-in-user-company", default=None,
                     help="Formation dans l'entreprise utilisatrice (pièce en plus, R-DOCS)."),
        click.option("--afest/--no-afest", default=None,
                     help="Formation en situation de travail (protocole AFEST, R-DOCS)."),
        click.option("--hourly-cost", type=AMOUNT, default=None, metavar="EUROS",
                     help="Coût horaire total de la formation, pour le surcoût (R-SURCOUT)."),
    ]):
        command = option(command)
    return command


def _programme(value: str | None):  # type: ignore[no-untyped-def]
    from dossiers.deadlines.facts import Programme

    return None if value in (None, "aucun") else Programme(value)


@cli.command("open")
@click.option("--kind", type=KIND_CHOICE, required=True, help="cipi, cdpi ou car.")
@click.option("--worker", required=True, help="Nom de l'intérimaire.")
@click.option("--contract", "contract_type", type=CONTRACT_CHOICE, default="ctt",
              show_default=True, help="ctt (contrat de travail temporaire) ou cdii.")
@click.option("--start", type=DATE, required=True, help="Début de la formation.")
@click.option("--end", type=DATE, required=True, help="Fin de la formation.")
@click.option("--training-hours", type=HOURS, required=True, help="Heures de formation.")
@click.option("--mission-hours", type=HOURS, default=None,
              help="CIPI : heures de mission prévues (70 h au moins, R-CIPI-HOURS).")
@click.option("--bilan-hours", type=HOURS, default=None, help="Heures de bilan (14 h au plus).")
@click.option("--programme", type=PROGRAMME_CHOICE, default="aucun", show_default=True,
              help="Programme national.")
@click.option("--owner", required=True, help="Email du ou de la responsable du dossier.")
@click.option("--agency", "agency_name", default=None,
              help="Agence (par défaut celle du ou de la responsable).")
@click.option("--rules", default="akto-current", show_default=True, help=RULE_SET_HELP)
@click.option("--reference", default=None, help="Référence (par défaut TYPE-ANNÉE-NNNN).")
@eligibility_options
@as_of_option
@json_option
@pass_app
def open_command(app: App, kind: str, worker: str, contract_type: str, start: date, end: date,
                 training_hours: Fraction, mission_hours: Fraction | None,
                 bilan_hours: Fraction | None, programme: str, owner: str,
                 agency_name: str | None, rules: str, reference: str | None,
                 eligibility: str | None, in_user_company: bool | None, afest: bool | None,
                 hourly_cost: Fraction | None, as_of: date | None, as_json: bool) -> None:
    """Ouvre un dossier après avoir vérifié ses bornes (R-CIPI-HOURS, R-CDPI-HOURS,
    R-CAR-HOURS), puis affiche ses étapes.

    Exemple : dossiers open --kind cdpi --worker "Karim B." --start 2027-01-11
    --end 2027-02-19 --training-hours 210 --owner lea.martin@example.fr
    """
    from dossiers.deadlines.facts import ContractType, Kind
    from dossiers.services.dossiers import DossierDraft, open_dossier, timeline_of
    from dossiers.views import dossier_json, dossier_text

    draft = DossierDraft(
        kind=Kind(kind), worker=worker, contract_type=ContractType(contract_type),
        training_start=start, training_end=end, training_hours=training_hours,
        owner_email=owner, programme=_programme(programme), mission_hours=mission_hours,
        bilan_hours=bilan_hours, agency_name=agency_name, rules=rules, reference=reference,
        eligibility=eligibility, in_user_company=bool(in_user_company), afest=bool(afest),
        hourly_cost=hourly_cost,
    )
    day_in = day_in_zone(as_of)
    with app.transaction() as session:
        dossier = open_dossier(session, draft, utc_now())
        timeline = timeline_of(dossier, day_in)
        if as_json:
            echo_json(dossier_json(dossier, timeline))
        else:
            click.echo(f"Dossier {dossier.reference} ouvert.\n")
            click.echo(dossier_text(dossier, timeline, day_in(dossier.agency.zone)))


@cli.command()
@click.argument("dossier_id", metavar="ID")
@click.argument("event", type=EVENT_CHOICE)
@click.option("--on", "on", type=DATE, required=True, help="Date de l'événement.")
@as_of_option
@pass_app
def record(app: App, dossier_id: str, event: str, on: date, as_of: date | None) -> None:
    """Enregistre un événement daté d'un dossier (référence ou numéro).

    \b
    Événements :
      drf-submitted          DRF déposée (refusée le jour du démarrage ou après, R-DRF-WINDOW)
      drf-accord             accord de la DRF
      drf-refusal            refus de la DRF
      contract-submitted     contrat et pièces envoyés à AKTO (R-CONTRACT)
      funding-granted        prise en charge accordée
      attendance-submitted   justificatifs de réalisation envoyés (R-ATTEND)
      positioning-done       bilan de positionnement réalisé (R-CDPI-BILAN)
      car-request-submitted  demande de CAR envoyée à AKTO (R-CAR-REQUEST)
      close                  dossier clos
      abandon                dossier abandonné

    Exemple : dossiers record CDPI-2027-0001 drf-submitted --on 2026-12-01
    """
    from dossiers.deadlines.facts import EventKind
    from dossiers.services.dossiers import find_dossier, record_event, timeline_of
    from dossiers.views import alert_lines, steps_table

    with app.transaction() as session:
        dossier = find_dossier(session, dossier_id)
        record_event(session, dossier, EventKind(event), on, utc_now())
        click.echo(f"{dossier.reference} : {messages.EVENT_LABELS[event]} le "
                   f"{messages.short_date(on)}.")
        today = day_in_zone(as_of)(dossier.agency.zone)
        if on > today:
            click.echo(messages.future_event_warning(dossier.reference, event, on, today),
                       err=True)
        if dossier.state == "open":
            timeline = timeline_of(dossier, day_in_zone(as_of))
            click.echo("\n" + steps_table(timeline))
            for line in alert_lines(timeline):
                click.echo(line)


@cli.command()
@click.argument("dossier_id", metavar="ID")
@click.argument("event", type=EVENT_CHOICE)
@click.option("--on", "on", type=DATE, required=True, help="Date de l'événement à annuler.")
@pass_app
def cancel(app: App, dossier_id: str, event: str, on: date) -> None:
    """Annule un événement enregistré par erreur (l'historique le garde) ; annuler une
    clôture rouvre le dossier.

    Exemple : dossiers cancel CDPI-2027-0001 drf-submitted --on 2027-12-01
    """
    from dossiers.deadlines.facts import EventKind
    from dossiers.services.dossiers import cancel_event, find_dossier

    with app.transaction() as session:
        dossier = find_dossier(session, dossier_id)
        cancel_event(session, dossier, EventKind(event), on, utc_now())
        click.echo(f"{dossier.reference} : « {messages.EVENT_LABELS[event]} » du "
                   f"{messages.short_date(on)} annulé.")


@cli.command()
@click.argument("dossier_id", metavar="ID")
@click.option("--start", type=DATE, required=True, help="Premier jour de la mission.")
@click.option("--end", type=DATE, required=True, help="Dernier jour de la mission.")
@click.option("--hours", type=HOURS, required=True, help="Heures travaillées.")
@click.option("--holiday-hours", type=HOURS, default="0",
              help="Heures de jours fériés payés dans la mission (R-CDPI-MISSION).")
@as_of_option
@pass_app
def mission(app: App, dossier_id: str, start: date, end: date, hours: Fraction,
            holiday_hours: Fraction, as_of: date | None) -> None:
    """Enregistre une mission (obligation de mission : R-CIPI-MISSION, R-CDPI-MISSION,
    R-CAR-MISSION).

    Exemple : dossiers mission CDPI-2027-0001 --start 2027-03-01 --end 2027-03-19
    --hours 98 --holiday-hours 7
    """
    from dossiers.services.dossiers import add_mission, find_dossier, timeline_of
    from dossiers.views import progress_lines

    with app.transaction() as session:
        dossier = find_dossier(session, dossier_id)
        add_mission(session, dossier, start, end, hours, holiday_hours, utc_now())
        click.echo(f"{dossier.reference} : mission du {messages.short_date(start)} au "
                   f"{messages.short_date(end)} enregistrée.")
        for line in progress_lines(timeline_of(dossier, day_in_zone(as_of))):
            click.echo(line)


@cli.command()
@click.argument("dossier_id", metavar="ID")
@click.option("--start", type=DATE, default=None, help="Nouveau début de formation.")
@click.option("--end", type=DATE, default=None, help="Nouvelle fin de formation.")
@click.option("--training-hours", type=HOURS, default=None, help="Nouvelles heures de formation.")
@click.option("--mission-hours", type=HOURS, default=None, help="CIPI : heures de mission prévues.")
@click.option("--bilan-hours", type=HOURS, default=None, help="Heures de bilan.")
@click.option("--programme", type=PROGRAMME_CHOICE, default=None, help="Programme national.")
@click.option("--worker", default=None, help="Nom de l'intérimaire.")
@click.option("--owner", default=None, help="Email du ou de la nouvelle responsable.")
@eligibility_options
@as_of_option
@pass_app
def update(app: App, dossier_id: str, start: date | None, end: date | None,
           training_hours: Fraction | None, mission_hours: Fraction | None,
           bilan_hours: Fraction | None, programme: str | None, worker: str | None,
           owner: str | None, eligibility: str | None, in_user_company: bool | None,
           afest: bool | None, hourly_cost: Fraction | None, as_of: date | None) -> None:
    """Modifie un dossier et affiche les dates qui bougent (ancienne → nouvelle).

    Un démarrage repoussé de plus de 2 mois après l'accord de la DRF déclenche
    l'alerte « DRF à refaire » (R-DRF-SHIFT).

    Exemple : dossiers update CDPI-2027-0001 --start 2027-02-01 --end 2027-03-12
    """
    from dossiers.services.dossiers import (
        NO_PROGRAMME, DossierChanges, find_dossier, update_dossier,
    )

    changes = DossierChanges(
        worker=worker, training_start=start,
        programme=NO_PROGRAMME if programme == NO_PROGRAMME else _programme(programme),
        training_end=end, training_hours=training_hours, mission_hours=mission_hours,
        bilan_hours=bilan_hours, owner_email=owner, eligibility=eligibility,
        in_user_company=in_user_company, afest=afest, hourly_cost=hourly_cost,
    )
    if changes.empty:
        fail("rien à modifier : indiquez au moins une option (voir « dossiers update --help »)")
    with app.transaction() as session:
        dossier = find_dossier(session, dossier_id)
        result = update_dossier(session, dossier, changes, day_in_zone(as_of)(dossier.agency.zone),
                                utc_now())
        if not result.changed:
            click.echo(f"{dossier.reference} : aucune modification.")
            return
        click.echo(f"{dossier.reference} modifié :")
        for key, (was, now_is) in result.changed.items():
            click.echo(f"  {messages.FIELD_LABELS.get(key, key)} : {was or '—'} → {now_is or '—'}")
        for shift in result.shifts:
            (old_opens, old_due), (new_opens, new_due) = shift.before, shift.after
            click.echo(f"  {shift.label} : échéance {messages.short_date(old_due)} → "
                       f"{messages.short_date(new_due)}"
                       + (f", ouverture {messages.short_date(old_opens)} → "
                          f"{messages.short_date(new_opens)}" if old_opens != new_opens else ""))
        for alert in result.alerts:
            click.echo(f"⚠ {alert.message} ({alert.rule})")


@cli.command()
@click.argument("dossier_id", metavar="ID")
@click.option("--history", is_flag=True, help="Affiche aussi l'historique des modifications.")
@as_of_option
@json_option
@pass_app
def show(app: App, dossier_id: str, history: bool, as_of: date | None, as_json: bool) -> None:
    """Affiche la chronologie d'un dossier : chaque étape, ses dates, son statut,
    les jours restants ou de retard et la règle appliquée.

    Exemple : dossiers show CDPI-2027-0001 --as-of 2027-01-05
    """
    from dossiers.services.dossiers import find_dossier, timeline_of
    from dossiers.views import dossier_json, dossier_text, table

    day_in = day_in_zone(as_of)
    with app.transaction(write=False) as session:
        dossier = find_dossier(session, dossier_id)
        timeline = timeline_of(dossier, day_in)
        changes = [[c.at.strftime("%d/%m/%Y %H:%M"), c.what, c.before or "—", c.after or "—"]
                   for c in dossier.changes]
        if as_json:
            data = dossier_json(dossier, timeline, detail=True)
            if history:
                data["history"] = [dict(zip(("at", "what", "before", "after"), row, strict=True))
                                   for row in changes]
            echo_json(data)
            return
        click.echo(dossier_text(dossier, timeline, day_in(dossier.agency.zone),
                                _funding(app, dossier)))
        if history:
            click.echo("\nHistorique (heures UTC) :\n"
                       + table(["Quand", "Quoi", "Avant", "Après"], changes))


def _funding(app: App, dossier: Any) -> Any:
    from dossiers.deadlines.funding import estimate
    from dossiers.services.dossiers import facts_of

    return estimate(facts_of(dossier), app.settings().funding.cdpi_hourly_rate)


@cli.command()
@click.argument("dossier_id", metavar="ID")
@as_of_option
@pass_app
def explain(app: App, dossier_id: str, as_of: date | None) -> None:
    """Explique chaque date et chaque chiffre d'un dossier : la règle, les mots de la source
    et le calcul, par exemple « 2027-01-07 = 2027-01-11 (démarrage) − 2 jours ouvrés
    (R-DRF-WINDOW, 001 : « … ») ».

    Exemple : dossiers explain CDPI-2027-0001
    """
    from dossiers.deadlines.explain import explain as explain_lines
    from dossiers.services.dossiers import facts_of, find_dossier, timeline_of

    with app.transaction(write=False) as session:
        dossier = find_dossier(session, dossier_id)
        facts = facts_of(dossier)
        timeline = timeline_of(dossier, day_in_zone(as_of))
        click.echo(f"Dossier {dossier.reference} ({messages.KIND_LABELS[dossier.kind]}), "
                   f"règles {dossier.rules} :\n")
        _echo_explanations(explain_lines(facts, timeline, app.settings().funding.cdpi_hourly_rate))


def _echo_explanations(lines: list[tuple[str, str]]) -> None:
    for subject, text in lines:
        click.echo(f"{subject} :\n  {text}")


@cli.command()
@click.argument("dossier_id", metavar="ID")
@click.argument("kind", type=INCIDENT_CHOICE)
@click.option("--on", "on", type=DATE, required=True, help="Date de l'incident.")
@click.option("--document-on", type=DATE, default=None,
              help="Date de réception du justificatif, s'il est là.")
@as_of_option
@pass_app
def incident(app: App, dossier_id: str, kind: str, on: date, document_on: date | None,
             as_of: date | None) -> None:
    """Enregistre pourquoi l'obligation de mission ne peut pas être tenue (R-CDPI-EXCUSE).
    Avec son justificatif, l'obligation est close ; sans lui, le forfait n'est pas versé.

    \b
    Incidents et justificatifs :
      echec          échec à la formation : attestation d'échec
      refus          refus de la mission proposée : lettre en LR/AR et son récépissé
      maladie        maladie : copie de l'arrêt de travail
      rupture        démission ou licenciement : la lettre
      autre-emploi   autre emploi : attestation sur l'honneur ou copie du CDD/CDI

    Exemple : dossiers incident CDPI-2027-0001 refus --on 2027-03-02 --document-on 2027-03-05
    """
    from dossiers.deadlines.facts import IncidentKind
    from dossiers.services.dossiers import find_dossier, record_incident, timeline_of

    with app.transaction() as session:
        dossier = find_dossier(session, dossier_id)
        record_incident(session, dossier, IncidentKind(kind), on, document_on, utc_now())
        step = timeline_of(dossier, day_in_zone(as_of)).step("mission_obligation")
        click.echo(f"{dossier.reference} : incident du {messages.short_date(on)} enregistré"
                   + (f", justificatif reçu le {messages.short_date(document_on)}."
                      if document_on else ", justificatif à récupérer."))
        if step is not None:
            click.echo(f"Obligation de mission : {messages.STATUS_LABELS[step.status.value]}.")


@cli.command()
@click.argument("dossier_id", metavar="ID")
@click.argument("code", metavar="DOCUMENT", required=False)
@click.option("--on", "on", type=DATE, default=None,
              help="Date de réception (par défaut le jour dit).")
@as_of_option
@pass_app
def doc(app: App, dossier_id: str, code: str | None, on: date | None,
        as_of: date | None) -> None:
    """Marque une pièce reçue (R-DOCS) ; sans DOCUMENT, affiche la liste des pièces du
    dossier : à transmettre à AKTO ou à conserver par l'agence, et quand. Une étape dont une
    pièce manque n'est pas faite.

    Exemple : dossiers doc CAR-2027-0001 avis-pole-reconversion --on 2026-12-01
    """
    from dossiers.deadlines.documents import checklist
    from dossiers.services.dossiers import facts_of, find_dossier, mark_document

    day = day_in_zone(as_of)
    with app.transaction(write=code is not None) as session:
        dossier = find_dossier(session, dossier_id)
        if code is not None:
            label = mark_document(session, dossier, code, on or day(dossier.agency.zone),
                                  utc_now())
            click.echo(f"{dossier.reference} : « {label} » reçue.")
            return
        items = list(checklist(facts_of(dossier)))
    if not items:
        click.echo("Aucune pièce pour ce dossier.")
        return
    for item in items:
        state = ("comprise dans l'envoi de l'étape" if item.implied else
                 f"reçue le {messages.short_date(item.received_on)}" if item.received_on
                 else "à recevoir")
        where = "à transmettre à AKTO" if item.destination == "akto" else "à conserver par l'agence"
        click.echo(f"{item.code} : {item.label} — {messages.STEP_SHORT_LABELS[item.step]}, "
                   f"{where}, {item.when} ; {state} ({item.rule})")


@cli.command("list")
@click.option("--overdue", is_flag=True, help="Seulement les dossiers ayant une étape en retard.")
@click.option("--due-within", type=COUNT, default=None, metavar="N",
              help="Seulement les dossiers ayant une échéance dans les N jours.")
@click.option("--kind", type=KIND_CHOICE, default=None, help="cipi, cdpi ou car.")
@click.option("--agency", "agency_name", default=None, help="Nom de l'agence.")
@click.option("--owner", default=None, help="Email du ou de la responsable.")
@click.option("--all", "include_closed", is_flag=True, help="Inclut les dossiers clos.")
@as_of_option
@json_option
@pass_app
def list_command(app: App, overdue: bool, due_within: int | None, kind: str | None,
                 agency_name: str | None, owner: str | None, include_closed: bool,
                 as_of: date | None, as_json: bool) -> None:
    """Liste les dossiers en cours avec leur prochaine étape.

    Exemple : dossiers list --overdue --agency Lyon
    """
    from dossiers.deadlines.facts import Kind
    from dossiers.services.dossiers import ListFilter, list_dossiers
    from dossiers.views import dossier_json, list_text

    where = ListFilter(kind=Kind(kind) if kind else None, agency_name=agency_name,
                       owner_email=owner, overdue=overdue, due_within=due_within,
                       include_closed=include_closed)
    with app.transaction(write=False) as session:
        rows = list_dossiers(session, day_in_zone(as_of), where)
        if as_json:
            echo_json_array(dossier_json(dossier, timeline) for dossier, timeline in rows)
            return
        text, count = list_text(rows)
    if count == 0:
        click.echo("Aucun dossier.")
        return
    click.echo(text)
    click.echo(f"\n{count} dossier{'s' if count > 1 else ''}.")


# Import, sample data and the calculator -------------------------------------------------------


@cli.command("import")
@click.argument("csv_file", metavar="FICHIER.csv", type=click.Path(dir_okay=False))
@pass_app
def import_command(app: App, csv_file: str) -> None:
    """Importe des dossiers depuis un fichier CSV : toutes les lignes ou aucune.

    Séparateur « ; » ou « , », UTF-8 (avec ou sans BOM). Colonnes : voir README.
    Les erreurs sont données par numéro de ligne.

    Exemple : dossiers import dossiers.csv
    """
    from dossiers.services.importer import ImportFailed, import_dossiers, read_rows

    rows = read_rows(Path(csv_file))
    with app.transaction() as session:
        try:
            count = import_dossiers(session, rows, utc_now())
        except ImportFailed as failure:
            for line in failure.lines():
                click.echo(f"Erreur : {line}", err=True)
            click.echo(f"Rien n'a été importé ({len(failure.errors)} erreur(s)).", err=True)
            raise SystemExit(2) from None
    click.echo(f"{count} dossier{'s' if count > 1 else ''} importé{'s' if count > 1 else ''}.")


@cli.command()
@as_of_option
@pass_app
def sample(app: App, as_of: date | None) -> None:
    """Charge le réseau fictif de démonstration (agences, personnel, dossiers), dates
    placées autour du jour dit pour montrer des étapes à venir, proches et en retard.

    Exemple : dossiers sample --as-of 2026-11-23
    """
    from dossiers.services.sample import load_sample

    day = as_of or today_in(DEFAULT_ZONE)
    with app.transaction() as session:
        counts = load_sample(session, day, utc_now())
    click.echo(f"Données de démonstration chargées au {messages.short_date(day)} : "
               f"{counts.agencies} agences, {counts.staff} personnes, {counts.dossiers} dossiers.")


@cli.command()
@click.option("--kind", type=KIND_CHOICE, required=True, help="cipi, cdpi ou car.")
@click.option("--start", type=DATE, required=True, help="Début de la formation.")
@click.option("--end", type=DATE, required=True, help="Fin de la formation.")
@click.option("--training-hours", type=HOURS, required=True, help="Heures de formation.")
@click.option("--mission-hours", type=HOURS, default=None,
              help="CIPI : heures de mission prévues (70 h par défaut).")
@click.option("--zone", type=ZONE_CHOICE, default=DEFAULT_ZONE, show_default=True,
              help="Zone des jours fériés (R-CAL-2).")
@click.option("--programme", type=PROGRAMME_CHOICE, default="aucun", show_default=True,
              help="Programme national.")
@click.option("--drf-submitted", type=DATE, default=None, help="Date de dépôt de la DRF.")
@click.option("--drf-accord", type=DATE, default=None, help="Date de l'accord de la DRF.")
@click.option("--rules", default="akto-current", show_default=True, help=RULE_SET_HELP)
@click.option("--explain", "with_explanations", is_flag=True,
              help="Explique chaque date : règle, mots de la source, calcul.")
@as_of_option
@json_option
def plan(kind: str, start: date, end: date, training_hours: Fraction,
         mission_hours: Fraction | None, zone: str, programme: str,
         drf_submitted: date | None, drf_accord: date | None, rules: str,
         with_explanations: bool, as_of: date | None, as_json: bool) -> None:
    """Calcule les dates d'un dossier sans base de données, avant de l'ouvrir.

    Exemple : dossiers plan --kind cdpi --start 2027-01-11 --end 2027-02-19
    --training-hours 210 --json
    """
    from dossiers.services.planner import PlanRequest, plan_explanations, plan_timeline
    from dossiers.views import alert_lines, plan_json, steps_table

    request = PlanRequest(kind=kind, start=start, end=end, training_hours=training_hours,
                          mission_hours=mission_hours, zone=zone, programme=_programme(programme),
                          drf_submitted=drf_submitted, drf_accord=drf_accord, rules=rules)
    day = as_of or today_in(zone)
    timeline = plan_timeline(request, day)
    if as_json:
        data = plan_json(kind, zone, rules, timeline)
        if with_explanations:
            data["explanations"] = [{"subject": subject, "text": text}
                                    for subject, text in plan_explanations(request, timeline)]
        echo_json(data)
        return
    click.echo(f"{messages.KIND_LABELS[kind]}, zone {zone}, règles {rules} — "
               f"situation au {messages.long_date(day)} :\n")
    click.echo(steps_table(timeline))
    click.echo("")
    click.echo(f"Heures de mission requises : {messages.hours(timeline.mission_hours_required)}")
    for line in alert_lines(timeline):
        click.echo(line)
    if timeline.drf_redo_required is not None:
        click.echo("DRF à refaire (R-DRF-SHIFT) : "
                   + ("oui" if timeline.drf_redo_required else "non"))
    if with_explanations:
        click.echo("")
        _echo_explanations(plan_explanations(request, timeline))


# Reminders ---------------------------------------------------------------------------------


TRANSPORT_CHOICE = ChoiceType({"smtp": "smtp", "file": "file", "console": "console"})
STEP_CHOICE = ChoiceType(messages.STEP_LABELS)


def _transport(settings: Settings, name: str, outbox_dir: str | None) -> Transport:
    from dossiers.mail.transports import ConsoleTransport, FileTransport, SmtpTransport

    if name == "file":
        return FileTransport(Path(outbox_dir or settings.mail.outbox_dir))
    if name == "console":
        return ConsoleTransport()
    return SmtpTransport(settings.smtp)


@cli.command()
@click.option("--transport", type=TRANSPORT_CHOICE, default=None,
              help="smtp (défaut, ou [mail] transport), file (un .eml par message dans un "
                   "dossier) ou console.")
@click.option("--outbox-dir", default=None, metavar="DOSSIER",
              help="Dossier des .eml du transport file (défaut : [mail] outbox_dir).")
@click.option("--dry-run", is_flag=True, help="Affiche ce qui serait envoyé ; n'enregistre rien.")
@as_of_option
@pass_app
def remind(app: App, transport: str | None, outbox_dir: str | None, dry_run: bool,
           as_of: date | None) -> None:
    """Envoie à chaque personne le récapitulatif du jour : échéances proches (J-7, J-2,
    jour J), étapes en retard, réponses d'AKTO en retard, fenêtres qui s'ouvrent.

    Un message par personne et par jour au plus, enregistré avant l'envoi : relancer
    la commande n'envoie rien deux fois, et ce qui n'a pas pu partir repart au passage
    suivant. Une étape en retard de plus de 3 jours ouvrés va aussi aux managers de
    l'agence. Fait pour cron : une ligne de bilan, code 0 seulement si tout est parti.

    Exemple : dossiers --config /etc/dossiers.toml remind --transport smtp
    """
    from dossiers.services.reminders import compose_day, preview_day, send_pending

    settings = app.settings()
    day = as_of or today_in(DEFAULT_ZONE)
    if dry_run:
        count = 0
        with app.transaction(write=False) as session:
            for message in preview_day(session, day, settings, utc_now()):
                count += 1
                text = message.get_body(("plain",))
                click.echo(f"À : {message['To']}\nObjet : {message['Subject']}\n")
                click.echo((text.get_content() if text else "").rstrip("\n") + "\n")
        click.echo(f"Simulation du {messages.short_date(day)} : "
                   f"{messages.plural(count, 'message')} à envoyer, rien n'est enregistré.")
        return
    chosen = _transport(settings, transport or settings.mail.transport, outbox_dir)
    with app.transaction() as session:
        compose_day(session, day, settings, utc_now())
    report = send_pending(app.engine(), chosen, settings, utc_now)
    in_flight = f", {report.in_flight} en cours d'envoi ailleurs" if report.in_flight else ""
    click.echo(f"Rappels du {messages.short_date(day)} : {report.sent} envoyé(s), "
               f"{report.pending} en attente, {report.failed} en échec{in_flight}.")
    if chosen.name == "file" and report.sent:
        click.echo(f"Messages écrits dans {Path(outbox_dir or settings.mail.outbox_dir).resolve()}")
    if report.stopped:
        fail(f"{report.stopped} : {messages.plural(report.pending, 'message')} gardé(s) pour le "
             "prochain passage", 1)
    if not report.complete:
        raise SystemExit(1)


@cli.command()
@click.argument("dossier_id", metavar="ID")
@click.argument("step", type=STEP_CHOICE)
@click.option("--until", type=DATE, required=True, help="Dernier jour sans rappel.")
@as_of_option
@pass_app
def snooze(app: App, dossier_id: str, step: str, until: date, as_of: date | None) -> None:
    """Suspend les rappels d'une étape jusqu'à une date (incluse). Son statut ne change
    pas : une étape en retard reste en retard dans show, list et les rapports.

    Exemple : dossiers snooze LYO-CDPI-09 contract --until 2026-11-30
    """
    from dossiers.services.dossiers import find_dossier
    from dossiers.services.reminders import snooze_step

    with app.transaction() as session:
        dossier = find_dossier(session, dossier_id)
        snooze_step(session, dossier, step, until, day_in_zone(as_of)(dossier.agency.zone),
                    utc_now())
    click.echo(f"{dossier.reference} : pas de rappel pour « {messages.STEP_LABELS[step]} » "
               f"jusqu'au {messages.short_date(until)} inclus.")


OUTBOX_STATUS = {"pending": "en attente", "sending": "en cours d'envoi", "sent": "envoyé",
                 "failed": "en échec"}


@cli.command()
@click.option("--status", type=ChoiceType(OUTBOX_STATUS), default=None,
              help="pending, sending, sent ou failed.")
@click.option("--day", type=DATE, default=None, help="Seulement les messages de ce jour.")
@json_option
@pass_app
def outbox(app: App, status: str | None, day: date | None, as_json: bool) -> None:
    """Liste les récapitulatifs envoyés, en attente ou en échec, et pourquoi.

    Exemple : dossiers outbox --status failed
    """
    from dossiers.services.reminders import outbox_messages
    from dossiers.views import table

    with app.transaction(write=False) as session:
        rows = [{"day": m.day.isoformat(), "recipient": m.recipient, "status": m.status,
                 "attempts": m.attempts, "message_id": m.message_id,
                 "sent_at": m.sent_at.isoformat() if m.sent_at else None,
                 "error": m.last_error} for m in outbox_messages(session, status, day)]
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo("Aucun message.")
        return
    click.echo(table(["Jour", "Destinataire", "Statut", "Essais", "Erreur"], [
        [r["day"], r["recipient"], OUTBOX_STATUS[r["status"]], str(r["attempts"]),
         r["error"] or ""] for r in rows], widest=60))


# Reports ------------------------------------------------------------------------------------


FORMAT_CHOICE = ChoiceType({"table": "table", "csv": "csv", "html": "html", "pdf": "pdf",
                            "json": "json"})


def report_options(command: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed([
        click.option("--agency", "agency_name", default=None, help="Seulement cette agence."),
        click.option("--owner", default=None, help="Seulement ce ou cette responsable (email)."),
        click.option("--kind", type=KIND_CHOICE, default=None, help="cipi, cdpi ou car."),
        click.option("--format", "output_format", type=FORMAT_CHOICE, default="table",
                     show_default=True,
                     help="table (terminal), csv (Excel), html (impression A4), pdf, json."),
        click.option("-o", "--output", default=None, metavar="FICHIER",
                     help="Écrit le rapport dans ce fichier (obligatoire pour pdf)."),
        as_of_option,
    ]):
        command = option(command)
    return command


@cli.group(cls=FrenchGroup)
def report() -> None:
    """Rapports à imprimer : retards, échéances à venir."""


@report.command("overdue")
@report_options
@pass_app
def report_overdue(app: App, agency_name: str | None, owner: str | None, kind: str | None,
                   output_format: str, output: str | None, as_of: date | None) -> None:
    """Les étapes en retard, par agence puis responsable, les plus en retard d'abord, avec
    ce qu'il faut faire et ce qui est en jeu.

    Exemple : dossiers report overdue --agency "Metz Centre" --format pdf -o retards.pdf
    """
    _report(app, "overdue", None, agency_name, owner, kind, output_format, output, as_of)


@report.command("upcoming")
@click.option("--within", type=COUNT, default=14, show_default=True, metavar="N",
              help="Échéances des N prochains jours.")
@report_options
@pass_app
def report_upcoming(app: App, within: int, agency_name: str | None, owner: str | None,
                    kind: str | None, output_format: str, output: str | None,
                    as_of: date | None) -> None:
    """Les étapes à faire dont l'échéance tombe dans les N prochains jours.

    Exemple : dossiers report upcoming --within 7 --format csv -o semaine.csv
    """
    _report(app, "upcoming", within, agency_name, owner, kind, output_format, output, as_of)


def _report(app: App, kind_of_report: str, within: int | None, agency_name: str | None,
            owner: str | None, kind: str | None, output_format: str, output: str | None,
            as_of: date | None) -> None:
    from dossiers.deadlines.facts import Kind
    from dossiers.reports import formats
    from dossiers.reports.rows import Report, report_rows
    from dossiers.services.dossiers import ListFilter, list_dossiers

    if output_format == "pdf" and not output:
        fail("--format pdf : indiquez le fichier à écrire avec -o FICHIER.pdf")
    day = as_of or today_in(DEFAULT_ZONE)
    where = ListFilter(kind=Kind(kind) if kind else None, agency_name=agency_name,
                       owner_email=owner, overdue=kind_of_report == "overdue")
    heading = Report(kind_of_report, day, within, ())
    count = 0
    with app.transaction(write=False) as session:
        rows = report_rows(kind_of_report, list_dossiers(session, day_in_zone(day), where), day,
                           within)
        if output_format in ("csv", "json"):
            # Written as the rows come: memory stays flat however long the report is.
            def counted() -> Iterator[Any]:
                nonlocal count
                for row in rows:
                    count += 1
                    yield row

            chunks = (formats.csv_chunks(heading, counted()) if output_format == "csv"
                      else formats.json_chunks(counted()))
            _write_report(chunks, output)
        else:
            built = Report(kind_of_report, day, within, tuple(rows))
            count = len(built.rows)
    if output_format not in ("csv", "json"):
        _write_report(iter([_render_report(app, built, output_format, agency_name, owner,
                                           kind)]), output)
    if output:
        click.echo(f"Rapport écrit dans {output} ({messages.plural(count, 'ligne')}).")


def _render_report(app: App, built: Any, output_format: str, agency_name: str | None,
                   owner: str | None, kind: str | None) -> bytes:
    from dossiers.reports import formats

    if output_format == "table":
        return (formats.as_table(built) + "\n").encode("utf-8")
    scope = " · ".join(part for part in (
        f"agence {agency_name}" if agency_name else "toutes les agences",
        f"responsable {owner}" if owner else "",
        messages.KIND_LABELS[kind] if kind else "",
    ) if part)
    html = formats.as_html(built, scope, app.settings().mail.templates)
    if output_format == "html":
        return html.encode("utf-8")
    try:
        return formats.as_pdf(html)
    except formats.PdfUnavailable as error:
        fail(str(error), 1)


def _write_report(chunks: Iterator[bytes], output: str | None) -> None:
    """To the file, or to standard output."""
    if not output:
        sys.stdout.flush()
        stream = sys.stdout.buffer
        for chunk in chunks:
            stream.write(chunk)
        stream.flush()
        return
    try:
        with open(output, "wb") as target:
            for chunk in chunks:
                target.write(chunk)
    except OSError as error:
        fail(f"-o : écriture impossible dans « {output} » ({error.strerror})")
