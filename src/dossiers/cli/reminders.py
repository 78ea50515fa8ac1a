"""The daily reminders: `remind` (compose and deliver), `snooze` (silence one step for a
while) and `outbox` (what was sent, what waits, what failed, who is sending; `outbox deliver`
sends what is due, `outbox retry` requeues the failed)."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
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
    from dossiers.services.delivery import SendReport
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


class MomentType(click.ParamType):
    """« 2027-01-13 08:30 » or « 13/01/2027 08:30 », Paris time: returned in UTC, as stored."""

    name = "MOMENT"
    FORMATS = ("%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M")

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        from zoneinfo import ZoneInfo

        for form in self.FORMATS:
            try:
                local = datetime.strptime(str(value).strip(), form)
            except ValueError:
                continue
            return local.replace(tzinfo=ZoneInfo("Europe/Paris")).astimezone(UTC).replace(
                tzinfo=None)
        self.fail(f"date et heure attendues (AAAA-MM-JJ HH:MM ou JJ/MM/AAAA HH:MM, heure de "
                  f"Paris), pas « {value} »", param, ctx)


def now_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--now", type=MomentType(), default=None,
        help="Heure de référence des essais (AAAA-MM-JJ HH:MM, heure de Paris) ; par défaut "
             "maintenant.")(command)


@contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """SIGTERM during delivery ends the run like Ctrl-C does: with its summary."""
    from dossiers.services.delivery import Interrupted

    def interrupt(_signum: int, _frame: object) -> None:
        raise Interrupted

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: nothing to catch
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _check_lease(settings: Settings, chosen: Transport) -> None:
    from dossiers.services.delivery import check_lease

    if chosen.name == "smtp":
        check_lease(settings)


def _deliver(app: App, settings: Settings, chosen: Transport, now: datetime | None) -> SendReport:
    from dossiers.services.delivery import send_pending

    clock = (lambda: now) if now is not None else utc_now
    with _sigterm_interrupts():
        return send_pending(app.engine(), chosen, settings, clock)


def _end(report: SendReport, extra_failed: int = 0, calendars: str = "") -> None:
    """The exit of a delivery run, after its summary line: the reason on stderr."""
    if report.interrupted:
        code = {"interrompu (SIGINT)": 130, "interrompu (SIGTERM)": 143}.get(
            report.interrupted, 1)
        fail(f"passage {report.interrupted} : ce qui n'est pas parti attend le prochain "
             "passage", code)
    if report.stopped:
        fail(f"{report.stopped} : {messages.plural(report.pending, 'message')} gardé(s) pour le "
             "prochain passage", 1)
    if report.in_flight:
        fail(f"{messages.plural(report.in_flight, 'message')} en cours d'envoi par un autre "
             f"passage ({' ; '.join(report.holders)}) : relancez la commande quand il aura fini", 1)
    if calendars:
        fail(f"holidays : {calendars} : mettez à jour le paquet holidays (R-CAL-2)", 1)
    if not report.complete or extra_failed:
        raise SystemExit(1)


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
@now_option
@pass_app
def remind(app: App, transport: str | None, outbox_dir: str | None, dry_run: bool,
           as_of: date | None, now: datetime | None) -> None:
    """Envoie à chaque personne le récapitulatif du jour : échéances proches (J-7, J-2,
    jour J), étapes en retard, réponses d'AKTO en retard, fenêtres qui s'ouvrent.

    Un message par personne et par jour au plus, enregistré avant l'envoi : relancer
    la commande n'envoie rien deux fois. Chaque message a son propre sort : un refus
    temporaire (4xx) ou une ligne coupée le remet en attente avec un prochain essai
    (5 min, 15 min, 45 min… ; `outbox deliver` l'envoie quand il est dû), une ligne coupée
    après le message le rend incertain (renvoyé avec le même Message-ID), un refus
    définitif le met en échec ; les autres partent dans le même passage. Après une panne,
    chacun ne reçoit que le récapitulatif le plus récent. Une étape en retard de plus de
    3 jours ouvrés va aussi aux managers de l'agence. Un jour non ouvré de la zone d'une
    agence, rien ne part pour elle, et la commande le dit avec le prochain jour d'envoi.
    Fait pour cron : une ligne de bilan, code 0 seulement si tout est parti.
    Un destinataire refusé ou une adresse invalide n'échoue que pour son message ; un
    refus de l'expéditeur, de l'authentification ou de TLS garde tout en attente et
    nomme le réglage à corriger (code 1). Code 1 aussi quand un autre passage envoie
    encore, ou quand le paquet holidays ne couvre pas une année nécessaire.

    \b
    Exemples :
      dossiers remind --dry-run
      dossiers --config /etc/dossiers.toml remind --transport smtp
    """
    from dossiers.services.reminders import Unbuildable, compose_day, days_off, preview_day

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
    _check_lease(settings, chosen)  # before anything is written
    with app.transaction() as session:
        composed = compose_day(session, day, settings, now or utc_now())
        closed = days_off(session, day)
    report = _deliver(app, settings, chosen, now)
    _echo_days_off(day, closed)
    calendars = messages.uncovered_calendars(composed.uncovered)
    click.echo(messages.delivery_summary(f"Rappels du {messages.short_date(day)}", report,
                                         composed.failed, composed.superseded, calendars))
    if chosen.name == "file" and report.sent:
        click.echo(f"Messages écrits dans {Path(outbox_dir or settings.mail.outbox_dir).resolve()}")
    _end(report, composed.failed, calendars)


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
                 "uncertain": "incertain", "failed": "en échec", "superseded": "remplacé"}


@click.group(cls=FrenchGroup, invoke_without_command=True)
@click.option("--status", type=ChoiceType(OUTBOX_STATUS), default=None,
              help="pending, sending, sent, uncertain, failed ou superseded.")
@click.option("--day", type=DATE, default=None, help="Seulement les messages de ce jour.")
@json_option
@pass_app
@click.pass_context
def outbox(ctx: click.Context, app: App, status: str | None, day: date | None,
           as_json: bool) -> None:
    """Liste les récapitulatifs envoyés, en attente, incertains (renvoyés avec le même
    Message-ID), en échec ou remplacés par un plus récent, et pourquoi ; pour un message
    en cours d'envoi, qui le tient (machine, processus, depuis, jusqu'à). `outbox deliver`
    envoie ce qui est dû, `outbox retry` remet en file ceux en échec.

    Exemple : dossiers outbox --status failed
    """
    if ctx.invoked_subcommand is not None:
        return
    from dossiers.services.delivery import describe_claim
    from dossiers.services.reminders import outbox_messages
    from dossiers.views import table

    def moment(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    with app.transaction(write=False) as session:
        rows = []
        for m in outbox_messages(session, status, day):
            claim = describe_claim(m)
            rows.append({
                "day": m.day.isoformat(), "recipient": m.recipient, "status": m.status,
                "attempts": m.attempts, "message_id": m.message_id,
                "sent_at": moment(m.sent_at), "next_attempt_at": moment(m.next_attempt_at),
                "claim": None if claim is None else {
                    "host": claim["host"], "pid": claim["pid"],
                    "since": moment(claim["since"]), "until": moment(claim["until"])},
                "error": m.last_error})
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo("Aucun message.")
        return

    def note(row: dict[str, Any]) -> str:
        claim = row["claim"]
        if claim is not None:
            until = (f" jusqu'au {messages.french_moment(datetime.fromisoformat(claim['until']))}"
                     if claim["until"] else "")
            since = (messages.french_moment(datetime.fromisoformat(claim["since"]))
                     if claim["since"] else "?")
            return (f"envoi par {claim['host'] or '?'}, processus {claim['pid'] or '?'}, "
                    f"depuis le {since}{until}")
        text = row["error"] or ""
        if row["next_attempt_at"] and row["status"] in ("pending", "uncertain"):
            when = messages.french_moment(datetime.fromisoformat(row["next_attempt_at"]))
            text = f"{text} ; prochain essai le {when}" if text else f"prochain essai le {when}"
        return text

    click.echo(table(["Jour", "Destinataire", "Statut", "Essais", "Erreur"], [
        [messages.french_dates(r["day"]), r["recipient"], OUTBOX_STATUS[r["status"]],
         str(r["attempts"]), note(r)] for r in rows]))


@outbox.command("deliver")
@click.option("--transport", type=TRANSPORT_CHOICE, default=None,
              help="smtp (défaut, ou [mail] transport), file ou console.")
@click.option("--outbox-dir", default=None, metavar="DOSSIER",
              help="Dossier des .eml du transport file (défaut : [mail] outbox_dir).")
@now_option
@pass_app
def outbox_deliver(app: App, transport: str | None, outbox_dir: str | None,
                   now: datetime | None) -> None:
    """Envoie les récapitulatifs dont l'essai est dû (en attente, incertains), sans rien
    composer : pour un minuteur fréquent (toutes les 10 à 15 minutes) à côté du remind
    quotidien. Une ligne de bilan ; code 0 seulement si plus rien n'attend.

    \b
    Exemples :
      dossiers outbox deliver --transport file --outbox-dir mails
      dossiers --config /etc/dossiers.toml outbox deliver
    """
    settings = app.settings()
    chosen = _transport(settings, transport or settings.mail.transport, outbox_dir)
    _check_lease(settings, chosen)
    report = _deliver(app, settings, chosen, now)
    click.echo(messages.delivery_summary("Envoi", report))
    _end(report)


@outbox.command("retry")
@click.option("--day", type=DATE, default=None, help="Seulement les messages de ce jour.")
@pass_app
def outbox_retry(app: App, day: date | None) -> None:
    """Remet en file les récapitulatifs en échec (tous, ou ceux d'un jour), avec de
    nouveaux essais : le prochain `remind` ou `outbox deliver` les envoie. Ceux qui n'avaient pas pu être construits (adresse invalide)
    sont retirés : `remind --as-of JOUR` les recompose avec l'adresse corrigée.

    Exemple : dossiers outbox retry --day 2027-01-13
    """
    from dossiers.services.reminders import retry_failed

    with app.transaction() as session:
        requeued, dropped = retry_failed(session, day)
    click.echo(messages.retried(requeued, dropped))


COMMANDS = (remind, snooze, outbox)
