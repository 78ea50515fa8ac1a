"""What happens to a dossier, dated: `record` (an event), `cancel` (an event recorded by
mistake), `mission` and `incident` (the mission obligation and its excuses)."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import click

from dossiers import messages
from dossiers.cli.options import App, as_of_option, day_in_zone, echo_lines, pass_app, utc_now
from dossiers.french_click import DATE, HOURS, REFERENCE, ChoiceType, FrenchCommand

EVENT_CHOICE = ChoiceType(messages.EVENT_LABELS)
CANCEL_CHOICE = ChoiceType({**messages.EVENT_LABELS, "mission": "une mission, par son début"})
INCIDENT_CHOICE = ChoiceType({code: label for code, (label, _) in
                              messages.INCIDENT_LABELS.items()})


@click.command(cls=FrenchCommand)
@click.argument("dossier_id", metavar="ID", type=REFERENCE)
@click.argument("event", metavar="ÉVÉNEMENT", type=EVENT_CHOICE)
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

    Exemple : dossiers record LYO-CDPI-01 drf-submitted --on 2026-12-01
    """
    from dossiers.deadlines.facts import EventKind
    from dossiers.services.dossiers import find_dossier, record_event, timeline_of
    from dossiers.views import alert_lines, steps_table

    lines: list[str] = []
    warning = None
    with app.transaction() as session:
        dossier = find_dossier(session, dossier_id)
        record_event(session, dossier, EventKind(event), on, utc_now())
        lines.append(f"{dossier.reference} : {messages.EVENT_LABELS[event]} le "
                     f"{messages.short_date(on)}.")
        today = day_in_zone(as_of)(dossier.agency.zone)
        if on > today:
            from dossiers.terminal import fit

            warning = fit(messages.future_event_warning(dossier.reference, event, on, today))
        if dossier.state == "open":
            timeline = timeline_of(dossier, day_in_zone(as_of))
            lines.append("\n" + steps_table(timeline))
            lines += alert_lines(timeline)
    click.echo(lines[0])
    if warning:
        click.echo(warning, err=True)
    echo_lines(lines[1:])


@click.command(cls=FrenchCommand)
@click.argument("dossier_id", metavar="ID", type=REFERENCE)
@click.argument("event", metavar="ÉVÉNEMENT", type=CANCEL_CHOICE)
@click.option("--on", "on", type=DATE, required=True,
              help="Date de l'événement à annuler ; pour une mission, son premier jour.")
@pass_app
def cancel(app: App, dossier_id: str, event: str, on: date) -> None:
    """Annule un événement ou une mission enregistrés par erreur (l'historique les garde) ;
    annuler une clôture rouvre le dossier. ÉVÉNEMENT : un des événements de record
    (voir « dossiers record --help »), ou mission.

    \b
    Exemples :
      dossiers cancel LYO-CDPI-05 drf-submitted --on 2026-11-22
      dossiers cancel LYO-CDPI-11 mission --on 2026-11-03
    """
    from dossiers.deadlines.facts import EventKind
    from dossiers.services.dossiers import cancel_event, cancel_mission, find_dossier

    with app.transaction() as session:
        dossier = find_dossier(session, dossier_id)
        if event == "mission":
            taken = cancel_mission(session, dossier, on, utc_now())
            done = (f"mission du {messages.short_date(taken.start)} au "
                    f"{messages.short_date(taken.end)} annulée.")
        else:
            cancel_event(session, dossier, EventKind(event), on, utc_now())
            done = f"« {messages.EVENT_LABELS[event]} » du {messages.short_date(on)} annulé."
    click.echo(f"{dossier.reference} : {done}")


@click.command(cls=FrenchCommand)
@click.argument("dossier_id", metavar="ID", type=REFERENCE)
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
    R-CAR-MISSION). Une mission qui commence le même jour qu'une autre du dossier est
    refusée : pour la corriger, annulez-la (cancel ID mission --on DÉBUT) puis ressaisissez-la.

    Exemple : dossiers mission LYO-CDPI-11 --start 2026-11-02 --end 2026-11-20 --hours 98
    --holiday-hours 7
    """
    from dossiers.services.dossiers import add_mission, find_dossier, timeline_of
    from dossiers.views import progress_lines

    with app.transaction() as session:
        dossier = find_dossier(session, dossier_id)
        add_mission(session, dossier, start, end, hours, holiday_hours, utc_now())
        lines = [f"{dossier.reference} : mission du {messages.short_date(start)} au "
                 f"{messages.short_date(end)} enregistrée.",
                 *progress_lines(timeline_of(dossier, day_in_zone(as_of)))]
    echo_lines(lines)



@click.command(cls=FrenchCommand)
@click.argument("dossier_id", metavar="ID", type=REFERENCE)
@click.argument("kind", metavar="INCIDENT", type=INCIDENT_CHOICE)
@click.option("--on", "on", type=DATE, required=True, help="Date de l'incident.")
@click.option("--document-on", type=DATE, default=None,
              help="Date de réception du justificatif, s'il est là.")
@click.option("--until", type=DATE, default=None,
              help="maladie : dernier jour de l'arrêt de travail.")
@as_of_option
@pass_app
def incident(app: App, dossier_id: str, kind: str, on: date, document_on: date | None,
             until: date | None, as_of: date | None) -> None:
    """Enregistre pourquoi l'obligation de mission ne peut pas être tenue (R-CDPI-EXCUSE).
    Avec son justificatif, l'obligation est close ; sans lui, le forfait n'est pas versé.

    Un incident ne compte que s'il explique le manque de délégation pendant la fenêtre de
    mission (I-EXCUSE-IN-WINDOW) : un arrêt maladie (--on … --until) qui la recoupe ; un refus
    daté dans la fenêtre ; un échec, une rupture ou un autre emploi à partir de sa date.

    \b
    Incidents et justificatifs :
      echec          échec à la formation : attestation d'échec
      refus          refus de la mission proposée : lettre en LR/AR et son récépissé
      maladie        maladie : copie de l'arrêt de travail
      rupture        démission ou licenciement : la lettre
      autre-emploi   autre emploi : attestation sur l'honneur ou copie du CDD/CDI

    \b
    Exemples :
      dossiers incident LYO-CDPI-11 refus --on 2026-11-02 --document-on 2026-11-05
      dossiers incident LYO-CDPI-11 maladie --on 2027-06-01 --until 2027-06-20
    """
    from dossiers.deadlines.engine import incident_counts
    from dossiers.deadlines.facts import Incident, IncidentKind
    from dossiers.services.dossiers import find_dossier, record_incident, timeline_of

    with app.transaction() as session:
        dossier = find_dossier(session, dossier_id)
        record_incident(session, dossier, IncidentKind(kind), on, document_on, utc_now(), until)
        step = timeline_of(dossier, day_in_zone(as_of)).step("mission_obligation")
    click.echo(f"{dossier.reference} : incident du {messages.short_date(on)} enregistré"
               + (f", justificatif reçu le {messages.short_date(document_on)}."
                  if document_on else ", justificatif à récupérer."))
    if step is not None and step.opens is not None and step.due is not None and not (
            incident_counts(Incident(IncidentKind(kind), on, document_on, until), step.opens,
                            step.due)):
        # I-EXCUSE-IN-WINDOW: recorded, but it explains nothing of this window.
        click.echo(messages.incident_outside_window(step.opens, step.due))
    if step is not None:
        click.echo(f"Obligation de mission : {messages.STATUS_LABELS[step.status.value]}.")


COMMANDS = (record, cancel, mission, incident)
