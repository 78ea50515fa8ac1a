"""The daily reminders: `remind` (compose and send), `snooze` (silence one step for a while)
and `outbox` (what was sent, what waits, what failed; `outbox retry` requeues the failed)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from dossiers import messages
from dossiers.cli.options import (
    App, as_of_option, day_in_zone, echo_json, json_option, pass_app, today_in, utc_now,
)
from dossiers.deadlines.zones import DEFAULT_ZONE
from dossiers.french_click import DATE, REFERENCE, ChoiceType, FrenchCommand, FrenchGroup, fail

if TYPE_CHECKING:
    from dossiers.mail.transports import Transport
    from dossiers.settings import Settings

TRANSPORT_CHOICE = ChoiceType({"smtp": "smtp", "file": "file", "console": "console"})
STEP_CHOICE = ChoiceType(messages.STEP_LABELS)


def _transport(settings: Settings, name: str, outbox_dir: str | None) -> Transport:
    from dossiers.mail.transports import ConsoleTransport, FileTransport, SmtpTransport

    if name == "file":
        return FileTransport(Path(outbox_dir or settings.mail.outbox_dir))
    if name == "console":
        return ConsoleTransport()
    return SmtpTransport(settings.smtp)


@click.command(cls=FrenchCommand)
@click.option("--transport", type=TRANSPORT_CHOICE, default=None,
              help="smtp (défaut, ou [mail] transport), file (un .eml par message dans un "
                   "dossier) ou console.")
@click.option("--outbox-dir", default=None, metavar="DOSSIER",
              help="Dossier des .eml du transport file (défaut : [mail] outbox_dir).")
@click.option("--dry-run", is_flag=True,
              help="Affiche ce qui serait envoyé (destinataire, objet, texte) ; n'enregistre "
                   "rien et ne demande pas d'adresse d'expéditeur.")
@as_of_option
@pass_app
def remind(app: App, transport: str | None, outbox_dir: str | None, dry_run: bool,
           as_of: date | None) -> None:
    """Envoie à chaque personne le récapitulatif du jour : échéances proches (J-7, J-2,
    jour J), étapes en retard, réponses d'AKTO en retard, fenêtres qui s'ouvrent.

    Un message par personne et par jour au plus, enregistré avant l'envoi : relancer
    la commande n'envoie rien deux fois, et ce qui n'a pas pu partir repart au passage
    suivant. Une étape en retard de plus de 3 jours ouvrés va aussi aux managers de
    l'agence. Un jour non ouvré de la zone d'une agence, rien ne part pour elle, et la
    commande le dit avec le prochain jour d'envoi. Fait pour cron : une ligne de bilan,
    code 0 seulement si tout est parti.
    Un destinataire refusé ou une adresse invalide n'échoue que pour son message ; un
    refus de l'expéditeur, de l'authentification ou de TLS garde tout en attente et
    nomme le réglage à corriger (code 1). Code 1 aussi quand un autre passage envoie
    encore, ou quand le paquet holidays ne couvre pas une année nécessaire.

    \b
    Exemples :
      dossiers remind --dry-run
      dossiers --config /etc/dossiers.toml remind --transport smtp
    """
    from dossiers.services.reminders import (
        Unbuildable, compose_day, days_off, preview_day, send_pending,
    )

    settings = app.settings()
    day = as_of or today_in(DEFAULT_ZONE)
    if dry_run:
        count = unbuildable = 0
        with app.transaction(write=False) as session:
            closed = days_off(session, day)
            for preview in preview_day(session, day, settings):
                if isinstance(preview, Unbuildable):
                    unbuildable += 1
                    click.echo(f"À : {preview.recipient}\n{preview.reason}\n")
                    continue
                count += 1
                click.echo(f"À : {preview.to}\nObjet : {preview.subject}\n")
                click.echo(preview.text.rstrip("\n") + "\n")
        failing = f", {unbuildable} impossible(s) à construire" if unbuildable else ""
        _echo_days_off(day, closed)
        click.echo(f"Simulation du {messages.short_date(day)} : "
                   f"{messages.plural(count, 'message')} à envoyer{failing}, rien n'est "
                   "enregistré.")
        return
    chosen = _transport(settings, transport or settings.mail.transport, outbox_dir)
    with app.transaction() as session:
        composed = compose_day(session, day, settings, utc_now())
        closed = days_off(session, day)
    report = send_pending(app.engine(), chosen, settings, utc_now)
    _echo_days_off(day, closed)
    in_flight = f", {report.in_flight} en cours d'envoi ailleurs" if report.in_flight else ""
    calendars = messages.uncovered_calendars(composed.uncovered)
    click.echo(f"Rappels du {messages.short_date(day)} : {report.sent} envoyé(s), "
               f"{report.pending} en attente, {report.failed + composed.failed} en échec"
               f"{in_flight}{', ' + calendars if calendars else ''}.")
    if chosen.name == "file" and report.sent:
        click.echo(f"Messages écrits dans {Path(outbox_dir or settings.mail.outbox_dir).resolve()}")
    if report.stopped:
        fail(f"{report.stopped} : {messages.plural(report.pending, 'message')} gardé(s) pour le "
             "prochain passage", 1)
    if report.in_flight:
        fail(f"{messages.plural(report.in_flight, 'message')} en cours d'envoi par un autre "
             f"passage ({' ; '.join(report.holders)}) : relancez remind quand il aura fini", 1)
    if calendars:
        fail(f"holidays : {calendars} : mettez à jour le paquet holidays (R-CAL-2)", 1)
    if not report.complete or composed.failed:
        raise SystemExit(1)


def _echo_days_off(day: date, closed: Any) -> None:
    from dossiers.terminal import GLUE, fit

    # A day and its date stay on one line.
    for line in messages.days_off(day, closed.zones, closed.every_zone, GLUE):
        click.echo(fit(line).replace(GLUE, " "))


@click.command(cls=FrenchCommand)
@click.argument("dossier_id", metavar="ID", type=REFERENCE)
@click.argument("step", metavar="ÉTAPE", type=STEP_CHOICE)
@click.option("--until", type=DATE, required=True, help="Dernier jour sans rappel.")
@as_of_option
@pass_app
def snooze(app: App, dossier_id: str, step: str, until: date, as_of: date | None) -> None:
    """Suspend les rappels d'une étape jusqu'à une date (incluse). Son statut ne change
    pas : une étape en retard reste en retard dans show, list et les rapports.

    ÉTAPE : drf, drf_redo, akto_response, contract, positioning_assessment, car_request,
    mission_obligation ou attendance.

    Exemple : dossiers snooze LYO-CDPI-09 contract --until 2026-11-30
    """
    from dossiers.services.dossiers import find_dossier
    from dossiers.services.reminders import snooze_step

    with app.transaction() as session:
        dossier = find_dossier(session, dossier_id)
        snooze_step(session, dossier, step, until, day_in_zone(as_of)(dossier.agency.zone),
                    utc_now())
    from dossiers.terminal import fit

    click.echo(fit(f"{dossier.reference} : pas de rappel pour « {messages.STEP_LABELS[step]} » "
                   f"jusqu'au {messages.short_date(until)} inclus."))


OUTBOX_STATUS = {"pending": "en attente", "sending": "en cours d'envoi", "sent": "envoyé",
                 "failed": "en échec"}


@click.group(cls=FrenchGroup, invoke_without_command=True)
@click.option("--status", type=ChoiceType(OUTBOX_STATUS), default=None,
              help="pending, sending, sent ou failed.")
@click.option("--day", type=DATE, default=None, help="Seulement les messages de ce jour.")
@json_option
@pass_app
@click.pass_context
def outbox(ctx: click.Context, app: App, status: str | None, day: date | None,
           as_json: bool) -> None:
    """Liste les récapitulatifs envoyés, en attente ou en échec, et pourquoi ;
    `outbox retry` remet en file ceux en échec.

    Exemple : dossiers outbox --status failed
    """
    if ctx.invoked_subcommand is not None:
        return
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
        [messages.french_dates(r["day"]), r["recipient"], OUTBOX_STATUS[r["status"]],
         str(r["attempts"]),
         r["error"] or ""] for r in rows]))


@outbox.command("retry")
@click.option("--day", type=DATE, default=None, help="Seulement les messages de ce jour.")
@pass_app
def outbox_retry(app: App, day: date | None) -> None:
    """Remet en file les récapitulatifs en échec (tous, ou ceux d'un jour) : le prochain
    `remind` les envoie. Ceux qui n'avaient pas pu être construits (adresse invalide)
    sont retirés : `remind --as-of JOUR` les recompose avec l'adresse corrigée.

    Exemple : dossiers outbox retry --day 2027-01-13
    """
    from dossiers.services.reminders import retry_failed

    with app.transaction() as session:
        requeued, dropped = retry_failed(session, day)
    click.echo(messages.retried(requeued, dropped))


COMMANDS = (remind, snooze, outbox)
