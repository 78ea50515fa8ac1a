"""Setting a database up and filling it: `init`, `agency add|list`, `staff add|list`,
`import` (a CSV of dossiers) and `sample` (the fictitious demo network)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import click

from dossiers import messages
from dossiers.cli.options import (
    ZONE_CHOICE, App, as_of_option, echo_json, json_option, pass_app, today_in, utc_now,
)
from dossiers.deadlines.zones import DEFAULT_ZONE
from dossiers.french_click import (
    COUNT, DATE, EMAIL, NAME, ChoiceType, FrenchCommand, FrenchGroup, fail,
)

ROLE_CHOICE = ChoiceType(messages.ROLE_LABELS)
ENCODING_CHOICES = ("utf-8", "windows-1252", "utf-16")  # excel_csv.ENCODINGS, without importing it


@click.command(cls=FrenchCommand)
@pass_app
def init(app: App) -> None:
    """Crée la base de données ou la met à jour vers le dernier schéma.

    Exemple : dossiers --db sqlite:///agence.db init
    """
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from dossiers.store.database import sqlite_file, upgrade

    try:
        before, after = upgrade(app.engine(create=True))
    except OperationalError as error:
        fail(f"base de données inaccessible ({error.orig})", 1)
    except ProgrammingError as error:
        # An agency's role may not change the schema: the owner runs `init`.
        if getattr(error.orig, "sqlstate", None) != "42501":
            raise
        fail(messages.refused_by_database(app.engine().url.username), 1)
    path = sqlite_file(app.database_url())
    where = f" : {path}" if path else ""
    if before == after:
        click.echo(f"Base déjà à jour (schéma {after}){where}.")
    elif before is None:
        click.echo(f"Base créée (schéma {after}){where}.")
    else:
        click.echo(f"Base mise à jour du schéma {before} au schéma {after}{where}.")


@click.group(cls=FrenchGroup)
def agency() -> None:
    """Agences : ajouter, modifier, lister ; sur PostgreSQL, donner à une agence son rôle de
    connexion (grant, revoke), qui ne voit que ses lignes.

    Exemple : dossiers agency list
    """


@agency.command("add")
@click.argument("name", type=NAME)
@click.option("--zone", type=ZONE_CHOICE, default=DEFAULT_ZONE, show_default=True,
              help="Zone des jours fériés (R-CAL-2).")
@click.option("--headcount", type=COUNT, default=None, help="Effectif de l'agence (ETT).")
@click.option("--prism/--no-prism", "prism_member", default=False,
              help="Adhérente ou membre de Prism'Emploi.")
@pass_app
def agency_add(app: App, name: str, zone: str, headcount: int | None, prism_member: bool) -> None:
    """Ajoute une agence.

    Exemple : dossiers agency add "Strasbourg Gare" --zone alsace-moselle --headcount 25 --prism
    """
    from dossiers.services.network import add_agency

    with app.transaction() as session:
        created = add_agency(session, name, zone, headcount, prism_member)
    click.echo(f"Agence « {created.name} » ajoutée (zone {created.zone}).")


@agency.command("update")
@click.argument("name", metavar="NOM")
@click.option("--name", "new_name", default=None, help="Nouveau nom.")
@click.option("--zone", type=ZONE_CHOICE, default=None,
              help="Zone des jours fériés (R-CAL-2) : les dates des dossiers de l'agence suivent.")
@click.option("--headcount", type=COUNT, default=None, help="Effectif de l'agence (ETT).")
@click.option("--prism/--no-prism", "prism_member", default=None,
              help="Adhérente ou membre de Prism'Emploi.")
@pass_app
def agency_update(app: App, name: str, new_name: str | None, zone: str | None,
                  headcount: int | None, prism_member: bool | None) -> None:
    """Modifie une agence ; l'historique de chacun de ses dossiers garde l'ancienne valeur.

    Exemple : dossiers agency update "Nantes Ouest" --headcount 12 --prism
    """
    from dossiers.services.network import AgencyChanges, update_agency

    changes = AgencyChanges(new_name, zone, headcount, prism_member)
    if changes == AgencyChanges():
        fail("rien à modifier : indiquez au moins une option (voir « dossiers agency update "
             "--help »)")
    with app.transaction() as session:
        updated, changed = update_agency(session, name, changes, utc_now())
        _echo_changes(f"Agence « {updated.name} »", "modifiée", changed)


def _echo_changes(subject: str, verb: str, changed: dict[str, tuple[str, str]]) -> None:
    if not changed:
        click.echo(f"{subject} : aucune modification.")
        return
    click.echo(f"{subject} {verb} :")
    for label, (was, now_is) in changed.items():
        click.echo(f"  {label} : {was or '—'} → {now_is or '—'}")


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


def _require_postgres(app: App) -> None:
    if app.engine().dialect.name != "postgresql":
        fail(messages.ACCESS_NEEDS_POSTGRES)


def _agency_choice(name: str | None, every: bool) -> str | None:
    if (name is None) == (not every):
        fail("AGENCE : indiquez une agence, ou --all pour un rôle de toutes les agences "
             "(pas les deux)")
    return name


@agency.command("grant")
@click.argument("name", metavar="AGENCE", type=NAME, required=False)
@click.option("--role", required=True, metavar="NOM",
              help="Rôle de connexion PostgreSQL (créé s'il n'existe pas).")
@click.option("--all", "every", is_flag=True,
              help="Un rôle de toutes les agences (remind du réseau), au lieu d'une agence.")
@click.option("--password-file", type=click.Path(dir_okay=False), default=None,
              metavar="FICHIER", help="Fichier dont la première ligne est le mot de passe du "
                                      "rôle (sinon $DOSSIERS_ROLE_PASSWORD, sinon inchangé).")
@pass_app
def agency_grant(app: App, name: str | None, role: str, every: bool,
                 password_file: str | None) -> None:
    """PostgreSQL : crée (ou met à jour) un rôle de connexion qui ne voit et n'écrit que les
    lignes de l'agence, la base l'imposant (sécurité des lignes). À lancer avec le rôle
    propriétaire du schéma ; le rôle n'a que les droits des commandes (ni TRUNCATE, ni DDL).

    \b
    Exemples :
      dossiers agency grant "Lyon Part-Dieu" --role lyon --password-file lyon.secret
      dossiers agency grant --all --role reseau --password-file reseau.secret
    """
    from dossiers.services.agency_roles import grant

    agency_name = _agency_choice(name, every)
    password = _password(password_file)
    _require_postgres(app)
    with app.transaction() as session:
        granted = grant(session, agency_name, role, password)
    click.echo(messages.role_granted(granted.role, granted.agency, granted.created,
                                     granted.password_set))


def _password(path: str | None) -> str | None:
    """From the file's first line, or $DOSSIERS_ROLE_PASSWORD: never from the command line."""
    import os

    if path is None:
        return os.environ.get("DOSSIERS_ROLE_PASSWORD") or None
    try:
        with open(path, encoding="utf-8") as source:
            password = source.readline().rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as error:
        fail(f"--password-file : lecture impossible de « {path} » "
             f"({getattr(error, 'strerror', None) or 'pas de l’UTF-8'})")
    if not password:
        fail(f"--password-file : « {path} » ne contient pas de mot de passe en première ligne")
    return password


@agency.command("revoke")
@click.argument("name", metavar="AGENCE", type=NAME, required=False)
@click.option("--role", required=True, metavar="NOM", help="Rôle de connexion PostgreSQL.")
@click.option("--all", "every", is_flag=True, help="Le rôle de toutes les agences.")
@pass_app
def agency_revoke(app: App, name: str | None, role: str, every: bool) -> None:
    """PostgreSQL : retire le rôle de l'agence et ses droits ; il ne voit plus rien.

    Exemple : dossiers agency revoke "Lyon Part-Dieu" --role lyon
    """
    from dossiers.services.agency_roles import revoke

    agency_name = _agency_choice(name, every)
    _require_postgres(app)
    with app.transaction() as session:
        revoked = revoke(session, agency_name, role)
    click.echo(messages.role_revoked(role, revoked))


@click.group(cls=FrenchGroup)
def access() -> None:
    """Sécurité par agence (PostgreSQL) : vérifier les murs entre agences.

    Exemple : dossiers access check
    """


@access.command("check")
@pass_app
def access_check(app: App) -> None:
    """Vérifie le catalogue PostgreSQL : chaque table de données d'agence sous sécurité des
    lignes activée et forcée, aucun rôle de commande superutilisateur ou BYPASSRLS, chaque
    agence avec un rôle. Code de sortie 1 au moindre problème. À lancer avec le rôle
    propriétaire du schéma.

    Exemple : dossiers access check
    """
    from dossiers.services.agency_roles import check
    from dossiers.store.access import PROTECTED

    _require_postgres(app)
    with app.transaction(write=False) as session:
        problems = check(session)
    if not problems:
        click.echo(messages.access_summary(len(PROTECTED)))
        return
    for problem in problems:
        click.echo(f"- {problem}")
    click.echo(f"{messages.plural(len(problems), 'problème')}.", err=True)
    raise SystemExit(1)


@click.group(cls=FrenchGroup)
def staff() -> None:
    """Personnel des agences : ajouter, modifier, retirer, lister. Une personne se désigne
    par son email ou son nom, sans majuscules ni accents ; le début suffit s'il est unique.

    Exemple : dossiers staff list --agency "Lyon Part-Dieu"
    """


@staff.command("add")
@click.argument("name", type=NAME)
@click.option("--email", type=EMAIL, required=True,
              help="Adresse électronique (identifiant de la personne).")
@click.option("--role", type=ROLE_CHOICE, default="charge", show_default=True,
              help="charge (chargé(e) de recrutement), manager (son agence) ou admin (toutes "
                   "les agences, dans la vue web).")
@click.option("--agency", "agency_name", type=NAME, required=True, help="Nom de l'agence.")
@pass_app
def staff_add(app: App, name: str, email: str, role: str, agency_name: str) -> None:
    """Ajoute une personne à une agence. Une adresse accentuée avant le @ n'est acceptée
    que si le serveur SMTP propose SMTPUTF8 ([smtp] smtputf8 = true) ; un domaine
    accentué est toujours accepté (il part sous sa forme xn--).

    \b
    Exemple :
      dossiers staff add "Inès Caron" --email ines.caron@interim-exemple.fr --agency "Nantes Ouest"
    """
    from dossiers.services.network import add_staff

    with app.transaction() as session:
        person = add_staff(session, name, email, role, agency_name,
                           app.settings().smtp.smtputf8)
        done = (f"{person.name} <{person.email}> ajouté(e) à « {person.agency.name} » "
                f"({messages.ROLE_LABELS[person.role]}).")
    click.echo(done)


@staff.command("update")
@click.argument("person", metavar="PERSONNE")
@click.option("--name", default=None, help="Nouveau nom.")
@click.option("--email", default=None, help="Nouvelle adresse électronique.")
@click.option("--role", type=ROLE_CHOICE, default=None,
              help="charge (chargé(e) de recrutement) ou manager (reçoit les retards de "
                   "l'agence).")
@click.option("--agency", "agency_name", default=None,
              help="Nouvelle agence (seulement pour qui n'a pas de dossier).")
@pass_app
def staff_update(app: App, person: str, name: str | None, email: str | None, role: str | None,
                 agency_name: str | None) -> None:
    """Modifie une personne ; l'historique de chacun de ses dossiers garde l'ancienne valeur.

    Exemple : dossiers staff update "Hugo Bernard" --email hugo.b@interim-exemple.fr
    """
    from dossiers.services.network import StaffChanges, update_staff

    changes = StaffChanges(name, email, role, agency_name)
    if changes == StaffChanges():
        fail("rien à modifier : indiquez au moins une option (voir « dossiers staff update "
             "--help »)")
    with app.transaction() as session:
        result = update_staff(session, person, changes, utc_now(), app.settings().smtp.smtputf8)
        _echo_changes(f"{result.person.name} <{result.person.email}>", "modifié(e)",
                      result.changed)
    for warning in result.warnings:
        click.echo(warning, err=True)


@staff.command("remove")
@click.argument("person", metavar="PERSONNE")
@click.option("--reassign", default=None, metavar="EMAIL",
              help="Qui reprend ses dossiers (même agence) ; obligatoire s'il y en a.")
@pass_app
def staff_remove(app: App, person: str, reassign: str | None) -> None:
    """Retire une personne. Ses dossiers (en cours ou non) passent à la personne indiquée
    par --reassign, ce que garde l'historique de chaque dossier. Retirer le dernier manager
    d'une agence est signalé : ses retards ne remonteraient plus à personne.

    Exemple : dossiers staff remove hugo.bernard@interim-exemple.fr --reassign lea.martin@interim-exemple.fr
    """
    from dossiers.services.network import remove_staff

    with app.transaction() as session:
        removal = remove_staff(session, person, reassign, utc_now())
    moved = (f" ; {messages.plural(removal.reassigned, 'dossier')} confié"
             f"{'s' if removal.reassigned > 1 else ''} à {removal.heir}"
             if removal.reassigned else "")
    click.echo(f"{removal.name} <{removal.email}> retiré(e){moved}.")
    for warning in removal.warnings:
        click.echo(warning, err=True)


@staff.command("list")
@click.option("--agency", "agency_name", type=NAME, default=None, help="Seulement cette agence.")
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
    from dossiers.views import staff_text

    click.echo(staff_text([(r["name"], r["email"], messages.ROLE_LABELS[r["role"]], r["agency"])
                           for r in rows]) if rows else "Personne.")



@click.command("import", cls=FrenchCommand)
@click.argument("csv_file", metavar="FICHIER.csv")
@click.option("--encoding", type=ChoiceType({code: code for code in ENCODING_CHOICES}),
              default=None,
              help="Force l'encodage du fichier ; par défaut celui de son BOM, sinon UTF-8 s'il "
                   "en est, sinon windows-1252 (Excel « CSV (séparateur : point-virgule) »).")
@click.option("--ignore-unknown-columns", is_flag=True,
              help="Ignore les colonnes inconnues ou sans nom au lieu de refuser le fichier "
                   "(le bilan nomme les colonnes ignorées).")
@pass_app
def import_command(app: App, csv_file: str, encoding: str | None,
                   ignore_unknown_columns: bool) -> None:
    """Importe des dossiers depuis un fichier CSV : toutes les lignes ou aucune.

    Le fichier tel qu'Excel l'enregistre : « CSV UTF-8 », « CSV (séparateur : point-virgule) »
    (windows-1252) ou « Texte Unicode » (UTF-16, tabulations) ; séparateur « ; », « , » ou
    tabulation. Colonnes : voir README. Chaque erreur nomme sa cellule (ligne et lettre de
    colonne, comme dans le tableur).

    Exemple : dossiers import dossiers.csv
    """
    from dossiers.services.importer import ImportFailed, import_rows, read_file

    try:
        read = read_file(Path(csv_file), csv_file, encoding, ignore_unknown_columns)
    except ImportFailed as failure:
        _import_failed(failure)
    try:
        # The file is checked before the write transaction, which only inserts.
        count = import_rows(lambda: app.transaction(write=False), app.transaction, read.rows,
                            utc_now())
    except ImportFailed as failure:
        failure.file, failure.columns = csv_file, read.columns
        _import_failed(failure)
    click.echo(messages.import_summary(count, read.encoding, read.delimiter, read.ignored))


def _import_failed(failure: Any) -> NoReturn:
    """Every error, each naming its file and cell, then that nothing was imported: exit 2."""
    for line in failure.lines():
        click.echo(f"Erreur : {line}", err=True)
    click.echo(f"Rien n'a été importé ({len(failure.errors)} erreur(s)).", err=True)
    raise SystemExit(2)


@click.command(cls=FrenchCommand)
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


@click.command(cls=FrenchCommand)
@click.option("--closed-before", type=DATE, required=True, metavar="DATE",
              help="Supprime les dossiers clos ou abandonnés avant cette date (exclue).")
@click.option("--dry-run", is_flag=True, help="Compte ce qui serait supprimé ; ne supprime rien.")
@pass_app
def purge(app: App, closed_before: date, dry_run: bool) -> None:
    """Ne garde que ce qui sert (CNIL) : supprime les dossiers clos ou abandonnés avant DATE,
    avec leurs événements, missions, pièces, incidents, historique, suspensions de rappel et
    leurs lignes dans les récapitulatifs de l'outbox, en une seule transaction, et donne les
    comptes. Un récapitulatif qui ne nommait qu'eux est supprimé ; un récapitulatif encore à
    envoyer qui nommait aussi d'autres dossiers est recomposé sans eux et part quand même ; un
    récapitulatif déjà envoyé reste envoyé (son texte, qui les nommait, est effacé).
    Les dossiers sont supprimés, pas anonymisés ; les agences et le personnel restent.

    Exemple : dossiers purge --closed-before 2021-01-01 --dry-run
    """
    from dossiers.services.purge import purge_closed
    from dossiers.services.reminders import recompose

    settings = app.settings()
    now = utc_now()
    with app.transaction(write=not dry_run) as session:
        counts = purge_closed(session, closed_before, dry_run,
                              lambda s, ids: recompose(s, ids, settings, now))
    click.echo(messages.purge_summary(closed_before, counts.tables, dry_run))


COMMANDS = (init, agency, access, staff, import_command, sample, purge)
