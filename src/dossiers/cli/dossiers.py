"""A dossier and its dates: `open`, `update`, `show`, `explain`, `doc` (its documents),
`list`, and `plan`, the calculator that gives the dates of a dossier before it exists."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date
from fractions import Fraction
from typing import Any

import click

from dossiers import messages
from dossiers.cli.options import (
    KIND_CHOICE, RULE_SET_HELP, ZONE_CHOICE, App, as_of_option, check_output, day_in_zone,
    echo_json, echo_json_array, json_line, json_option, pass_app, today_in, utc_now,
    write_output,
)
from dossiers.deadlines.zones import DEFAULT_ZONE, ZONES
from dossiers.french_click import (
    AMOUNT, DATE, DAYS, EMAIL, HOURS, NAME, PERCENT, REFERENCE, TEXT, ChoiceType,
    FrenchCommand, fail,
)

CONTRACT_CHOICE = ChoiceType(messages.CONTRACT_LABELS)
PROGRAMME_CHOICE = ChoiceType({"aucun": "aucun", **messages.PROGRAMME_LABELS})
ELIGIBILITY_CHOICE = ChoiceType(messages.ELIGIBILITY_CODES)


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


def bilan_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """R-CIPI-BILAN, R-CDPI-BILAN: two bilans of 14 h at most each."""
    for option in reversed([
        click.option("--positioning-hours", type=HOURS, default=None,
                     help="Heures du bilan de positionnement (14 h au plus, R-CIPI-BILAN, "
                          "R-CDPI-BILAN)."),
        click.option("--evaluation-hours", type=HOURS, default=None,
                     help="Heures du bilan d'évaluation (14 h au plus)."),
    ]):
        command = option(command)
    return command


def funding_options(command: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed([
        click.option("--tutor-hours", type=HOURS, default=None,
                     help="Heures de formation du tuteur (financées pour 40 h au plus ; 15 €/h "
                          "pour un CIPI, R-CIPI-FUND)."),
        click.option("--basic-skills-share", type=PERCENT, default=None, metavar="POURCENT",
                     help="Langue et Compétences : part des savoirs de base ou de la langue "
                          "dans le programme (au moins 30 %, R-L&C)."),
        click.option("--seniority-hours", type=HOURS, default=None,
                     help="CDPI sur ancienneté : heures dans la branche sur les 12 mois "
                          "précédant le démarrage (150 h au moins, R-CDPI-ELIG) ; montrées "
                          "seulement par show et explain."),
    ]):
        command = option(command)
    return command


def _programme(value: str | None):  # type: ignore[no-untyped-def]
    from dossiers.deadlines.facts import Programme

    return None if value in (None, "aucun") else Programme(value)


@click.command("open", cls=FrenchCommand)
@click.option("--kind", type=KIND_CHOICE, required=True, help="cipi, cdpi ou car.")
@click.option("--worker", type=NAME, required=True, help="Nom de l'intérimaire.")
@click.option("--contract", "contract_type", type=CONTRACT_CHOICE, default="ctt",
              show_default=True, help="ctt (contrat de travail temporaire) ou cdii.")
@click.option("--start", type=DATE, required=True, help="Début de la formation.")
@click.option("--end", type=DATE, required=True, help="Fin de la formation.")
@click.option("--training-hours", type=HOURS, required=True, help="Heures de formation.")
@click.option("--mission-hours", type=HOURS, default=None,
              help="CIPI : heures de mission prévues (70 h au moins, R-CIPI-HOURS).")
@bilan_options
@click.option("--programme", type=PROGRAMME_CHOICE, default="aucun", show_default=True,
              help="Programme national.")
@click.option("--owner", type=EMAIL, required=True,
              help="Email du ou de la responsable du dossier.")
@click.option("--agency", "agency_name", type=NAME, default=None,
              help="Agence (par défaut celle du ou de la responsable).")
@click.option("--rules", type=NAME, default=None, help=RULE_SET_HELP)
@click.option("--reference", type=REFERENCE, default=None,
              help="Référence (par défaut TYPE-ANNÉE-NNNN).")
@click.option("--duplicate", is_flag=True,
              help="Ouvre le dossier même si l'intérimaire en a déjà un du même type qui "
                   "commence le même jour dans l'agence.")
@eligibility_options
@funding_options
@as_of_option
@json_option
@pass_app
def open_command(app: App, kind: str, worker: str, contract_type: str, start: date, end: date,
                 training_hours: Fraction, mission_hours: Fraction | None,
                 positioning_hours: Fraction | None, evaluation_hours: Fraction | None,
                 programme: str, owner: str, agency_name: str | None, rules: str | None,
                 reference: str | None, duplicate: bool, eligibility: str | None,
                 in_user_company: bool | None, afest: bool | None,
                 hourly_cost: Fraction | None, tutor_hours: Fraction | None,
                 basic_skills_share: Fraction | None, seniority_hours: Fraction | None,
                 as_of: date | None, as_json: bool) -> None:
    """Ouvre un dossier après avoir vérifié ses bornes (R-CIPI-HOURS, R-CDPI-HOURS,
    R-CAR-HOURS), puis affiche ses étapes. Un second dossier du même type pour le même
    intérimaire et le même démarrage dans l'agence est refusé, sauf avec --duplicate.

    Exemple : dossiers open --kind cdpi --worker "Karim B." --start 2027-01-11
    --end 2027-02-19 --training-hours 210 --owner lea.martin@interim-exemple.fr
    """
    from dossiers.deadlines.facts import ContractType, Kind
    from dossiers.services.dossiers import (
        DossierDraft, open_dossier, timeline_of, unmet_first_cdpi_obligations,
    )
    from dossiers.terminal import fit
    from dossiers.views import dossier_json, dossier_text

    draft = DossierDraft(
        kind=Kind(kind), worker=worker, contract_type=ContractType(contract_type),
        training_start=start, training_end=end, training_hours=training_hours,
        owner_email=owner, programme=_programme(programme), mission_hours=mission_hours,
        positioning_hours=positioning_hours, evaluation_hours=evaluation_hours,
        agency_name=agency_name, rules=rules, reference=reference,
        eligibility=eligibility, in_user_company=bool(in_user_company), afest=bool(afest),
        hourly_cost=hourly_cost, tutor_hours=tutor_hours, basic_skills_share=basic_skills_share,
        seniority_hours=seniority_hours, duplicate=duplicate,
    )
    day_in = day_in_zone(as_of)
    with app.transaction() as session:
        dossier = open_dossier(session, draft, utc_now())
        timeline = timeline_of(dossier, day_in)
        # R-CDPI-FIRST-MISSION: a worker's earlier CDPI whose mission obligation is unmet.
        unmet = [fit(messages.first_cdpi_mission_unmet(reference, step.status.value, step.due))
                 for reference, step in unmet_first_cdpi_obligations(session, dossier, day_in)]
        if as_json:
            data = dossier_json(dossier, timeline)
        else:
            text = (f"Dossier {dossier.reference} ouvert.\n\n"
                    + dossier_text(dossier, timeline, day_in(dossier.agency.zone)))
    if as_json:
        echo_json(data)
    else:
        click.echo(text)
    for line in unmet:
        click.echo(line, err=as_json)



@click.command(cls=FrenchCommand)
@click.argument("dossier_id", metavar="ID", type=REFERENCE)
@click.option("--start", type=DATE, default=None, help="Nouveau début de formation.")
@click.option("--end", type=DATE, default=None, help="Nouvelle fin de formation.")
@click.option("--training-hours", type=HOURS, default=None, help="Nouvelles heures de formation.")
@click.option("--mission-hours", type=HOURS, default=None, help="CIPI : heures de mission prévues.")
@bilan_options
@click.option("--programme", type=PROGRAMME_CHOICE, default=None, help="Programme national.")
@click.option("--worker", type=NAME, default=None, help="Nom de l'intérimaire.")
@click.option("--owner", type=EMAIL, default=None,
              help="Email ou nom du ou de la nouvelle responsable.")
@click.option("--dry-run", is_flag=True,
              help="Montre ce qui changerait (ancien → nouveau) sans rien enregistrer.")
@eligibility_options
@funding_options
@as_of_option
@pass_app
def update(app: App, dossier_id: str, start: date | None, end: date | None,
           training_hours: Fraction | None, mission_hours: Fraction | None,
           positioning_hours: Fraction | None, evaluation_hours: Fraction | None,
           programme: str | None, worker: str | None, owner: str | None, dry_run: bool,
           eligibility: str | None, in_user_company: bool | None, afest: bool | None,
           hourly_cost: Fraction | None, tutor_hours: Fraction | None,
           basic_skills_share: Fraction | None, seniority_hours: Fraction | None,
           as_of: date | None) -> None:
    """Modifie un dossier et affiche les dates qui bougent (ancienne → nouvelle).

    Un démarrage repoussé de plus de 2 mois après l'accord de la DRF déclenche
    l'alerte « DRF à refaire » (R-DRF-SHIFT). Avec --dry-run, la même modification est
    faite puis annulée : mêmes lignes, rien n'est enregistré (« et si le démarrage
    bougeait ? »).

    \b
    Exemples :
      dossiers update LYO-CDPI-01 --start 2027-03-01 --end 2027-04-09
      dossiers update LYO-CDPI-01 --start 2027-05-03 --end 2027-06-11 --dry-run
    """
    from dossiers.services.dossiers import (
        NO_PROGRAMME, DossierChanges, find_dossier, update_dossier,
    )

    changes = DossierChanges(
        worker=worker, training_start=start,
        programme=NO_PROGRAMME if programme == NO_PROGRAMME else _programme(programme),
        training_end=end, training_hours=training_hours, mission_hours=mission_hours,
        positioning_hours=positioning_hours, evaluation_hours=evaluation_hours,
        owner_email=owner, eligibility=eligibility, in_user_company=in_user_company,
        afest=afest, hourly_cost=hourly_cost, tutor_hours=tutor_hours,
        basic_skills_share=basic_skills_share, seniority_hours=seniority_hours,
    )
    if changes.empty:
        fail("rien à modifier : indiquez au moins une option (voir « dossiers update --help »)")
    # --dry-run: the very same path, in one transaction that is rolled back, never committed.
    with app.transaction(commit=not dry_run) as session:
        dossier = find_dossier(session, dossier_id)
        result = update_dossier(session, dossier, changes, day_in_zone(as_of)(dossier.agency.zone),
                                utc_now())
        reference = dossier.reference  # a rolled-back dry run expires the dossier
    if dry_run:
        click.echo("Simulation : rien n'est enregistré.")
    _echo_update(reference, result, dry_run)


def _echo_update(reference: str, result: Any, dry_run: bool = False) -> None:
    if not result.changed:
        click.echo(f"{reference} : aucune modification.")
        return
    from dossiers.terminal import fit

    click.echo(f"{reference} serait modifié :" if dry_run else f"{reference} modifié :")
    for key, (was, now_is) in result.changed.items():
        click.echo(fit(f"  {messages.change_subject(key)} : {messages.change_value(key, was)}"
                       f" → {messages.change_value(key, now_is)}"))
    for shift in result.shifts:
        (old_opens, old_due), (new_opens, new_due) = shift.before, shift.after
        click.echo(fit(f"  {shift.label} : échéance {messages.short_date(old_due)} → "
                       f"{messages.short_date(new_due)}"
                       + (f", ouverture {messages.short_date(old_opens)} → "
                          f"{messages.short_date(new_opens)}" if old_opens != new_opens
                          else "")))
    for alert in result.alerts:
        click.echo(fit(f"⚠ {alert.message} ({alert.rule})"))


@click.command(cls=FrenchCommand)
@click.argument("dossier_id", metavar="ID", type=REFERENCE)
@click.option("--history", is_flag=True, help="Affiche aussi l'historique des modifications.")
@as_of_option
@json_option
@pass_app
def show(app: App, dossier_id: str, history: bool, as_of: date | None, as_json: bool) -> None:
    """Affiche la chronologie d'un dossier : chaque étape, ses dates, son statut,
    les jours restants ou de retard et la règle appliquée.

    Exemple : dossiers show LYO-CDPI-09 --history
    """
    from dossiers.deadlines.engine import compute_timeline
    from dossiers.services.dossiers import facts_on, find_dossier
    from dossiers.views import dossier_json, dossier_text, table

    day_in = day_in_zone(as_of)
    with app.transaction(write=False) as session:
        dossier = find_dossier(session, dossier_id)
        day = day_in(dossier.agency.zone)
        facts = facts_on(dossier, day)
        timeline = compute_timeline(facts, day)
        if as_json:
            data = dossier_json(dossier, timeline, detail=True, facts=facts)
            if history:
                data["history"] = [{"at": c.at.replace(tzinfo=UTC).isoformat(), "what": c.what,
                                    "before": c.before, "after": c.after}
                                   for c in dossier.changes]
            echo_json(data)
            return
        click.echo(dossier_text(dossier, timeline, day, _funding(app, facts), facts))
        if history:
            time_zone = ZONES[dossier.agency.zone].time_zone
            changes = [[messages.local_time(c.at, time_zone), messages.change_subject(c.what),
                        messages.change_value(c.what, c.before),
                        messages.change_value(c.what, c.after)] for c in dossier.changes]
            click.echo("\nHistorique (heure locale de l'agence) :\n"
                       + table(["Quand", "Quoi", "Avant", "Après"], changes))


def _funding(app: App, facts: Any) -> Any:
    from dossiers.deadlines.funding import estimate

    return estimate(facts, app.settings().funding.cdpi_hourly_rate)


@click.command(cls=FrenchCommand)
@click.argument("dossier_id", metavar="ID", type=REFERENCE)
@as_of_option
@json_option
@pass_app
def explain(app: App, dossier_id: str, as_of: date | None, as_json: bool) -> None:
    """Explique chaque date et chaque chiffre d'un dossier : la règle, les mots de la source
    et le calcul, par exemple « 07/01/2027 = 11/01/2027 (démarrage) − 2 jours ouvrés
    (R-DRF-WINDOW, 001 : « … ») ».

    \b
    Exemples :
      dossiers explain LYO-CDPI-09
      dossiers explain LYO-CDPI-09 --json
    """
    from dossiers.deadlines.explain import explain as explain_lines
    from dossiers.deadlines.engine import compute_timeline
    from dossiers.services.dossiers import facts_on, find_dossier
    from dossiers.views import explain_json

    with app.transaction(write=False) as session:
        dossier = find_dossier(session, dossier_id)
        day = day_in_zone(as_of)(dossier.agency.zone)
        facts = facts_on(dossier, day)
        timeline = compute_timeline(facts, day)
        lines = explain_lines(facts, timeline, app.settings().funding.cdpi_hourly_rate)
        if as_json:
            echo_json(explain_json(dossier.reference, dossier.kind, dossier.rules, lines))
            return
        click.echo(f"Dossier {dossier.reference} ({messages.KIND_LABELS[dossier.kind]}), "
                   f"règles {dossier.rules} :\n")
        _echo_explanations(lines)


def _echo_explanations(lines: list[tuple[str, str]]) -> None:
    from dossiers.terminal import fit

    for subject, text in lines:
        click.echo(fit(f"{subject} :\n  {text}"))



@click.command(cls=FrenchCommand)
@click.argument("dossier_id", metavar="ID", type=REFERENCE)
@click.argument("code", metavar="DOCUMENT", type=TEXT, required=False)
@click.option("--on", "on", type=DATE, default=None,
              help="Date de réception (par défaut le jour dit).")
@as_of_option
@pass_app
def doc(app: App, dossier_id: str, code: str | None, on: date | None,
        as_of: date | None) -> None:
    """Marque une pièce reçue (R-DOCS) ; sans DOCUMENT, affiche la liste des pièces du
    dossier : à transmettre à AKTO ou à conserver par l'agence, et quand. Une étape dont une
    pièce manque n'est pas faite.

    \b
    Exemples :
      dossiers doc LYO-CAR-19
      dossiers doc LYO-CAR-19 avis-pole-reconversion --on 2026-11-20
    """
    from dossiers.deadlines.documents import checklist
    from dossiers.services.dossiers import facts_on, find_dossier, mark_document

    day = day_in_zone(as_of)
    with app.transaction(write=code is not None) as session:
        dossier = find_dossier(session, dossier_id)
        if code is not None:
            label = mark_document(session, dossier, code, on or day(dossier.agency.zone),
                                  utc_now())
        else:
            items = list(checklist(facts_on(dossier, day(dossier.agency.zone))))
    if code is not None:
        click.echo(f"{dossier.reference} : « {label} » reçue.")
        return
    if not items:
        click.echo("Aucune pièce pour ce dossier.")
        return
    from dossiers.terminal import fit

    to_mark = [item for item in items if not item.implied]
    with_step = [item for item in items if item.implied]
    if to_mark:
        click.echo(f"Pièces à marquer une à une (dossiers doc {dossier.reference} PIÈCE) :")
    for item in to_mark:
        state = (f"reçue le {messages.short_date(item.received_on)}" if item.received_on
                 else "à recevoir")
        where = "à transmettre à AKTO" if item.destination == "akto" else "à conserver par l'agence"
        click.echo(fit(f"  • {item.code} : {item.label} — "
                       f"{messages.STEP_SHORT_LABELS[item.step]}, {where}, {item.when} ; {state} "
                       f"({item.rule})"))
    if with_step:
        click.echo(fit(("\n" if to_mark else "") + "Pièces qui partent avec leur étape (reçues "
                       "quand l'envoi est enregistré avec dossiers record) :"))
    for item in with_step:
        click.echo(fit(f"  • {item.code} : {item.label} — "
                       f"{messages.STEP_SHORT_LABELS[item.step]}, {item.when} ({item.rule})"))


LIST_SORT_CHOICE = ChoiceType({"echeance": "prochaine échéance d'abord (défaut)",
                               "reference": "référence", "agence": "agence",
                               "responsable": "responsable", "interimaire": "intérimaire"})
LIST_SORT_KEYS = {"echeance": "due", "reference": "reference", "agence": "agency",
                  "responsable": "owner", "interimaire": "worker"}


@click.command("list", cls=FrenchCommand)
@click.option("--overdue", is_flag=True, help="Seulement les dossiers ayant une étape en retard.")
@click.option("--due-within", type=DAYS, default=None, metavar="N",
              help="Seulement les dossiers ayant une étape à faire dont l'échéance tombe dans les "
                   "N jours (les mêmes que report upcoming --within N).")
@click.option("--kind", type=KIND_CHOICE, default=None, help="cipi, cdpi ou car.")
@click.option("--agency", "agency_name", type=NAME, default=None, help="Nom de l'agence.")
@click.option("--owner", type=EMAIL, default=None, help="Email ou nom du ou de la responsable.")
@click.option("--worker", type=NAME, default=None, metavar="TEXTE",
              help="Intérimaire dont le nom contient ce texte (sans casse ni accents).")
@click.option("--all", "include_closed", is_flag=True, help="Inclut les dossiers clos.")
@click.option("--sort", "sort", type=LIST_SORT_CHOICE, default="echeance", show_default=True,
              help="Ordre : echeance (la prochaine échéance d'abord, puis la référence), "
                   "reference, agence, responsable ou interimaire.")
@click.option("--format", "output_format", type=ChoiceType({"table": "table", "csv": "csv"}),
              default="table", show_default=True,
              help="table (terminal) ou csv (Excel : ce que montre la table).")
@click.option("-o", "--output", default=None, metavar="FICHIER",
              help="Écrit la liste dans ce fichier.")
@as_of_option
@json_option
@pass_app
def list_command(app: App, overdue: bool, due_within: int | None, kind: str | None,
                 agency_name: str | None, owner: str | None, worker: str | None,
                 include_closed: bool, sort: str, output_format: str, output: str | None,
                 as_of: date | None, as_json: bool) -> None:
    """Liste les dossiers en cours avec leur prochaine étape, la plus urgente d'abord. Agence,
    responsable et intérimaire se tapent sans majuscules ni accents, et le début du nom suffit.

    --json donne les dossiers dans le même ordre (celui de --sort).

    \b
    Exemples :
      dossiers list --overdue --agency "Lyon Part-Dieu" --format csv -o retards.csv
      dossiers list --agency lyon --worker oceane
    """
    from dossiers.deadlines.facts import Kind
    from dossiers.services.dossiers import ListFilter, list_dossiers, nearest_worker
    from dossiers.views import dossier_json, list_csv, list_rows, list_sort_key, list_text

    where = ListFilter(kind=Kind(kind) if kind else None, agency_name=agency_name,
                       owner_email=owner, overdue=overdue, due_within=due_within,
                       include_closed=include_closed, worker=worker)
    check_output(output)
    with app.transaction(write=False) as session:
        rows = list_dossiers(session, day_in_zone(as_of), where)
        if as_json:
            from dossiers.spill import in_key_order

            # In the order of the table: each object waits, encoded, in a temporary file until
            # all are sorted.
            keyed = ((list_sort_key(dossier, timeline, LIST_SORT_KEYS[sort]),
                      json_line(dossier_json(dossier, timeline))) for dossier, timeline in rows)
            echo_json_array(in_key_order(keyed), encoded=True)
            return
        # R-CIPI-FUND, R-CDPI-FUND (I-MIN-HEADCOUNT): the agencies whose headcount nobody entered.
        unknown_headcount: dict[str, int] = {}

        def noting(found):  # type: ignore[no-untyped-def]
            for dossier, timeline in found:
                if any(alert.code == "headcount_unknown" for alert in timeline.alerts):
                    name = dossier.agency.name
                    unknown_headcount[name] = unknown_headcount.get(name, 0) + 1
                yield dossier, timeline

        lines = list_rows(noting(rows), LIST_SORT_KEYS[sort])
        nearest = nearest_worker(session, worker) if worker and not lines else None
    count = len(lines)
    if output_format == "csv":
        write_output(iter([list_csv(lines)]), output)
        if output:
            click.echo(f"Liste écrite dans {output} ({messages.plural(count, 'dossier')}).")
        return
    if count == 0 and nearest:
        click.echo(f"Aucun dossier.\nVouliez-vous dire « {nearest} » ?")
        return
    text = (list_text(lines) + f"\n\n{messages.plural(count, 'dossier')}.\n" if count
            else "Aucun dossier.\n")
    text += "".join(messages.list_headcount_unknown(name, number) + "\n"
                    for name, number in sorted(unknown_headcount.items()))
    write_output(iter([text.encode("utf-8")]), output)


@click.command(cls=FrenchCommand)
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
@bilan_options
@click.option("--rules", type=NAME, default=None, help=RULE_SET_HELP)
@click.option("--explain", "with_explanations", is_flag=True,
              help="Explique chaque date : règle, mots de la source, calcul.")
@as_of_option
@json_option
def plan(kind: str, start: date, end: date, training_hours: Fraction,
         mission_hours: Fraction | None, zone: str, programme: str,
         drf_submitted: date | None, drf_accord: date | None,
         positioning_hours: Fraction | None, evaluation_hours: Fraction | None,
         rules: str | None, with_explanations: bool, as_of: date | None,
         as_json: bool) -> None:
    """Calcule les dates d'un dossier sans base de données, avant de l'ouvrir.

    Exemple : dossiers plan --kind cdpi --start 2027-01-11 --end 2027-02-19
    --training-hours 210 --json
    """
    from dossiers.deadlines.explain import rule_set_summary
    from dossiers.services.planner import (
        PlanRequest, plan_explanations, plan_facts, plan_rules, plan_timeline,
    )
    from dossiers.views import alert_lines, plan_json, steps_table

    request = PlanRequest(kind=kind, start=start, end=end, training_hours=training_hours,
                          mission_hours=mission_hours, zone=zone, programme=_programme(programme),
                          drf_submitted=drf_submitted, drf_accord=drf_accord, rules=rules,
                          positioning_hours=positioning_hours, evaluation_hours=evaluation_hours)
    day = as_of or today_in(zone)
    timeline = plan_timeline(request, day)
    rules = plan_rules(request).name
    if as_json:
        data = plan_json(kind, zone, rules, timeline)
        if with_explanations:
            data["explanations"] = [{"subject": subject, "text": text}
                                    for subject, text in plan_explanations(request, timeline)]
        echo_json(data)
        return
    from dossiers.terminal import fit

    click.echo(fit(f"{messages.KIND_LABELS[kind]}, zone {messages.ZONE_LABELS[zone]}, règles {rules} "
                   f"({rule_set_summary(plan_facts(request))}) — "
                   f"situation au {messages.long_date(day)} :") + "\n")
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


COMMANDS = (open_command, update, show, explain, doc, list_command, plan)
