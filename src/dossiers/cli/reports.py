"""The printable reports: `report overdue` and `report upcoming`, as a table, CSV, JSON, HTML
or PDF, to the terminal or to a file; and `calendar`, the deadlines as an iCalendar feed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import click

from dossiers import messages
from dossiers.cli.options import (
    KIND_CHOICE, App, as_of_option, check_output, day_in_zone, pass_app, today_in, utc_now,
    write_output,
)
from dossiers.deadlines.zones import DEFAULT_ZONE
from dossiers.french_click import DAYS, EMAIL, NAME, ChoiceType, FrenchCommand, FrenchGroup, fail

FORMAT_CHOICE = ChoiceType({"table": "table", "csv": "csv", "html": "html", "pdf": "pdf",
                            "json": "json"})


def report_options(command: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed([
        click.option("--agency", "agency_name", type=NAME, default=None,
                     help="Seulement cette agence."),
        click.option("--owner", type=EMAIL, default=None,
                     help="Seulement ce ou cette responsable (email ou nom)."),
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


@click.group(cls=FrenchGroup)
def report() -> None:
    """Rapports à imprimer : retards, échéances à venir.

    Exemple : dossiers report overdue --agency "Lyon Part-Dieu"
    """


@report.command("overdue")
@report_options
@pass_app
def report_overdue(app: App, agency_name: str | None, owner: str | None, kind: str | None,
                   output_format: str, output: str | None, as_of: date | None) -> None:
    """Les étapes en retard, par agence puis responsable, les plus en retard d'abord, avec
    ce qu'il faut faire et ce qui est en jeu.

    \b
    Exemples :
      dossiers report overdue --agency "Metz Centre" --format html -o retards.html
      dossiers report overdue --format pdf -o retards.pdf
    """
    _report(app, "overdue", None, agency_name, owner, kind, output_format, output, as_of)


@report.command("upcoming")
@click.option("--within", type=DAYS, default=14, show_default=True, metavar="N",
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
    check_output(output)
    day = as_of or today_in(DEFAULT_ZONE)
    heading = Report(kind_of_report, day, within, ())
    count = 0
    with app.transaction(write=False) as session:
        agency_name, owner = _found(session, agency_name, owner)
        where = ListFilter(kind=Kind(kind) if kind else None, agency_name=agency_name,
                           owner_email=owner, overdue=kind_of_report == "overdue",
                           due_within=within if kind_of_report == "upcoming" else None)
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
            write_output(chunks, output)
        else:
            built = Report(kind_of_report, day, within, tuple(rows))
            count = len(built.rows)
    if output_format not in ("csv", "json"):
        write_output(iter([_render_report(app, built, output_format, agency_name, owner,
                                           kind)]), output)
    if output:
        click.echo(f"Rapport écrit dans {output} ({messages.plural(count, 'ligne')}).")


def _found(session: Any, agency_name: str | None,
           owner: str | None) -> tuple[str | None, str | None]:
    """The agency's name and the person's email as stored, for headings and titles: what was
    typed (« lyon », « lea ») found the way every lookup finds it."""
    from dossiers.services.network import agency_named, staff_by_email

    return (agency_named(session, agency_name).name if agency_name else None,
            staff_by_email(session, owner).email if owner else None)


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
    html = formats.as_html(built, scope, app.settings().mail.templates,
                           for_pdf=output_format == "pdf")
    if output_format == "html":
        return html.encode("utf-8")
    try:
        return formats.as_pdf(html)
    except formats.PdfUnavailable as error:
        fail(str(error), 1)


@click.group("calendar", cls=FrenchGroup, invoke_without_command=True)
@click.option("--owner", type=EMAIL, default=None,
              help="Seulement les dossiers de ce ou cette responsable (email ou nom).")
@click.option("--agency", "agency_name", type=NAME, default=None, help="Seulement cette agence.")
@click.option("-o", "--output", default=None, metavar="FICHIER.ics",
              help="Écrit le calendrier dans ce fichier (remplacé d'un coup, jamais à moitié).")
@as_of_option
@click.pass_context
def calendar(ctx: click.Context, owner: str | None, agency_name: str | None,
             output: str | None, as_of: date | None) -> None:
    """Les échéances dans votre agenda : un fichier iCalendar (RFC 5545) avec un événement
    « journée entière » par étape à faire, le jour de son échéance.

    Chaque événement garde le même identifiant d'une fois sur l'autre : réimporter le fichier,
    ou s'y abonner (Outlook, Thunderbird), met l'agenda à jour sans doublon. Le titre donne la
    référence et l'étape, la description ce qu'il faut faire ; rien de sensible.

    Pour un agenda qui se met à jour tout seul : « dossiers calendar subscribe ».

    \b
    Exemples :
      dossiers calendar --owner lea.martin@interim-exemple.fr -o lea.ics
      dossiers calendar --agency "Lyon Part-Dieu" -o lyon.ics
    """
    if ctx.invoked_subcommand is not None:
        return
    app = ctx.find_object(App)
    assert app is not None
    from dossiers.calendar_feed import calendar_feed
    from dossiers.services.dossiers import ListFilter, list_dossiers

    check_output(output)
    day = as_of or today_in(DEFAULT_ZONE)
    with app.transaction(write=False) as session:
        agency_name, owner = _found(session, agency_name, owner)
        title = " · ".join(part for part in ("Échéances AKTO", agency_name, owner) if part)
        feed = calendar_feed(list_dossiers(session, day_in_zone(as_of),
                                           ListFilter(agency_name=agency_name, owner_email=owner)),
                             day, utc_now(), title)
    # A subscribed calendar never reads half a file: written beside, then renamed.
    write_output(iter([feed]), output)
    if not output:
        return
    events = feed.count(b"BEGIN:VEVENT")
    click.echo(f"Calendrier écrit dans {output} ({messages.plural(events, 'échéance')}).")


@calendar.command("subscribe", cls=FrenchCommand)
@click.option("--owner", type=EMAIL, required=True,
              help="La personne dont l'agenda suit les dossiers (email ou nom).")
@click.option("--base-url", metavar="URL", default=None,
              help="Adresse publique de la vue web (par défaut [web] base_url, sinon "
                   "http://127.0.0.1:8000).")
@click.option("--revoke", is_flag=True, help="Met fin à l'abonnement : l'adresse ne sert plus.")
@pass_app
def calendar_subscribe(app: App, owner: str, base_url: str | None, revoke: bool) -> None:
    """Affiche l'adresse secrète d'abonnement à l'agenda d'une personne
    (…/calendrier/<jeton>.ics), à coller dans Outlook, Google Agenda ou Thunderbird : les
    échéances de ses dossiers, mises à jour à chaque actualisation. Une nouvelle adresse
    remplace l'ancienne ; --revoke y met fin.

    \b
    Exemples :
      dossiers calendar subscribe --owner lea.martin@interim-exemple.fr
      dossiers calendar subscribe --owner lea.martin@interim-exemple.fr --revoke
    """
    from dossiers.cli.web import DEFAULT_PORT, checked_base_url
    from dossiers.services.network import staff_by_email
    from dossiers.services.web_access import revoke_calendar, subscribe_calendar
    from dossiers.web.secret import key_path, load_or_create_key

    url = checked_base_url(app, base_url, f"http://127.0.0.1:{DEFAULT_PORT}")
    with app.transaction() as session:
        person = staff_by_email(session, owner, "--owner")
        name = person.name
        if revoke:
            ended = revoke_calendar(session, person)
        else:
            try:
                key = load_or_create_key(key_path(app.settings().web.key_file))
            except OSError:
                key = None  # the address works; only the web page cannot show it again
            token = subscribe_calendar(session, person, key, utc_now())
    if revoke:
        click.echo(f"Abonnement de {name} supprimé : son adresse ne sert plus." if ended
                   else f"{name} n'avait pas d'abonnement.")
        return
    https = f"{url}/calendrier/{token}.ics"
    click.echo(f"Adresse d'abonnement de {name} (secrète ; remplace la précédente) :")
    click.echo(https)
    click.echo("webcal://" + https.split("://", 1)[1])


COMMANDS = (report, calendar)
