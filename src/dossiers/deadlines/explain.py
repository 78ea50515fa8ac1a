"""`dossiers explain`: every date and figure with its rule, the source's words and the
arithmetic, read from the same rule set figures the engine applies."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

from dossiers import messages
from dossiers.deadlines.bounds import SENIORITY_BASIS
from dossiers.deadlines.engine import (
    car_contract_end, current_accord, drf_cycles, incident_counts,
)
from dossiers.deadlines.facts import DossierFacts, IncidentKind, Kind, Programme
from dossiers.deadlines.funding import estimate, trial_days
from dossiers.deadlines.periods import Period
from dossiers.deadlines.rulesets import (
    DRF_SUSPENSIONS, RULE_SETS, Figure, RuleSetChoice, choose_rule_set,
)
from dossiers.deadlines.suspensions import drf_window
from dossiers.deadlines.timeline import Status, Timeline
from dossiers.deadlines.zones import DEFAULT_ZONE


_d = messages.short_date


def _period(period: Period) -> str:
    return messages.period(period.amount, period.unit.value)


def _cite(figure: Figure) -> str:  # type: ignore[type-arg]
    """The rule, and its source's words in « » (word for word, tests/test_quotations.py); an
    interpretation's words are the project's, never in « »."""
    if figure.source == "interprétation":
        return f"({figure.rule}, interprétation : {figure.quote})"
    return f"({figure.rule}, {figure.source} : « {figure.quote} »)"


def _shift(result: date, anchor: date, anchor_name: str, sign: str, figure: Figure) -> str:  # type: ignore[type-arg]
    return (f"{_d(result)} = {_d(anchor)} ({anchor_name}) {sign} "
            f"{_period(figure.value)} {_cite(figure)}")


def explain(facts: DossierFacts, timeline: Timeline,
            cdpi_rate: Fraction | None = None) -> list[tuple[str, str]]:
    """(subject, explanation) pairs, in the order of the steps."""
    rules = facts.rules
    start, end = facts.training_start, facts.training_end
    cycles = drf_cycles(facts)
    lines: list[tuple[str, str]] = [("Jeu de règles", rule_set_reason(facts))]
    for step in timeline.steps:
        label = step.label
        if step.code == "drf" and (step.opens is None or step.due is None):
            lines.append((label, f"déposée le {_iso(step.done_on)} et acceptée le "
                          f"{_iso(cycles.first_accord)} pour un démarrage depuis décalé : sa "
                          f"fenêtre n'est pas recalculée (interprétation I-DRF-SHIFT-DECIDES)"))
        elif step.code in ("drf", "drf_redo"):
            assert step.opens and step.due
            lines.append((f"{label}, ouverture", _drf_opening(facts)))
            lines.append((f"{label}, échéance", _drf_due(facts, step.due)))
            if step.code == "drf" and cycles.first_accord is not None:
                lines.append((f"{label}, accord", f"acceptée par AKTO le "
                              f"{_d(cycles.first_accord)} : R-DRF-SHIFT décide seule, la "
                              f"fenêtre n'est plus vérifiée (interprétation I-DRF-SHIFT-DECIDES)"))
            if step.status is Status.DONE_TOO_EARLY or (
                step.done_on is not None and step.done_on < step.opens
                and step.status is not Status.DONE
            ):
                lines.append((f"{label}, dépôt trop tôt", f"déposée le {_iso(step.done_on)} < "
                              f"{_d(step.opens)} (ouverture) : ne compte pas, à redéposer "
                              f"entre le {_d(step.opens)} et le {_d(step.due)} "
                              f"(interprétation I-DRF-TOO-EARLY)"))
        elif step.code == "akto_response" and step.opens and step.due:
            lines.append((label, _shift(step.due, step.opens, "dépôt de la DRF", "+",
                                        rules.akto_answer_within)))
        elif step.code == "contract" and step.opens and step.due:
            lines.append((label, _shift(step.due, step.opens, "accord de la DRF", "+",
                                        rules.contract_within)))
        elif step.code == "positioning_assessment" and step.due:
            lines.append((label, _shift(step.due, start, "démarrage", "−",
                                        rules.cdpi_positioning_before_start)))
        elif step.code == "car_request" and step.due:
            lines.append((label, f"{_d(step.due)} = {_d(start)} (démarrage) "
                          f"{_cite(rules.car_request_before_start)}"))
        elif step.code == "mission_obligation" and step.progress:
            lines += _mission(facts, timeline, step.progress.window_start,
                              step.progress.window_end)
            lines += _incidents(facts, step.progress.window_start, step.progress.window_end)
        elif step.code == "attendance":
            lines.append((label, f"ouverte le {_d(end)} (fin de formation), sans échéance "
                          "(interprétation I-ATTEND-NO-DEADLINE) "
                          f"{_cite(rules.attendance_due_after_end)}"))
    accord = current_accord(facts)
    if accord is not None and facts.kind is not Kind.CAR:
        limit = rules.drf_shift_limit
        edge = limit.value.after(accord, facts.zone)
        verdict = ("nouvelle DRF à déposer" if start > edge
                   else "la DRF reste valable, ni à redéposer ni « trop tôt »")
        lines.append(("Décalage du démarrage",
                      f"{_d(start)} (démarrage) {'>' if start > edge else '≤'} "
                      f"{_d(accord)} (accord) + {_period(limit.value)} = "
                      f"{_d(edge)} : {verdict} {_cite(limit)} "
                      f"(interprétation I-DRF-SHIFT-DECIDES){_shift_reading(facts)}"))
    elif cycles.redo_on is not None:
        lines.append(("Décalage du démarrage", f"nouvelle DRF déposée le "
                      f"{_d(cycles.redo_on)} : le nouvel accord fixera la réponse et le "
                      f"contrat {_cite(rules.drf_shift_limit)}"))
    lines += _length(facts)
    if facts.kind is Kind.CAR:
        lines.append(_car_contract(facts))
    lines += _bilans(facts)
    lines += _funding(facts, cdpi_rate)
    lines += _company(facts)
    lines += _basic_skills(facts)
    lines += _seniority(facts)
    days = trial_days(facts)
    if days is not None:
        lines.append(("Période d'essai", f"{days} jours au plus, la durée du contrat étant lue "
                      f"comme la période de formation du {_d(start)} au "
                      f"{_d(end)} (interprétation I-TRIAL-TRAINING-PERIOD), une durée qui compte "
                      f"son premier jour (R-CAL-3, interprétation I-MONTHS-TWO-READINGS) "
                      f"{_cite(rules.cdpi_trial_days)}"))
    lines.append(("Jour dit", "la situation ne tient compte que de ce qui est daté du jour dit "
                  "ou avant (interprétation I-AS-OF-KNOWS-PAST)"))
    return lines


def _iso(day: date | None) -> str:
    """A date of the text, JJ/MM/AAAA (or a dash)."""
    return messages.short_date(day)


def _length(facts: DossierFacts) -> list[tuple[str, str]]:
    """R-CIPI-HOURS, R-CDPI-HOURS, R-CAR-HOURS: the longest training, last day included."""
    rules = facts.rules
    figure = {Kind.CIPI: rules.cipi_period, Kind.CDPI: rules.cdpi_period,
              Kind.CAR: rules.car_training_period}[facts.kind]
    limit = figure.value.last_day(facts.training_start, DEFAULT_ZONE)
    return [("Durée maximale", f"fin de formation au plus tard le {_d(limit)} = "
             f"{_d(facts.training_start)} (démarrage) + {_period(figure.value)} − 1 jour : une "
             f"durée compte son premier jour (R-CAL-3, interprétation I-MONTHS-TWO-READINGS) "
             f"{_cite(figure)}")]


def _mission(facts: DossierFacts, timeline: Timeline, opens: date,
             due: date) -> list[tuple[str, str]]:
    rules = facts.rules
    label = messages.STEP_LABELS["mission_obligation"]
    if facts.kind is Kind.CIPI:
        window = rules.cipi_period
        return [
            (f"{label}, fenêtre", f"{_d(due)} = {_d(facts.training_start)} (démarrage) + "
             f"{_period(window.value)} − 1 jour {_cite(window)}"
             + " ; une durée compte son premier jour (R-CAL-3, interprétation "
             "I-MONTHS-TWO-READINGS) ; une mission commencée avant le démarrage ne compte pas "
             "(interprétation I-CIPI-MISSION-BEFORE-START)"),
            (f"{label}, heures", f"{messages.hours(timeline.mission_hours_required)} "
             f"{_cite(rules.cipi_mission_hours)}"),
            (f"{label}, enjeu", f"{messages.MISSION_STAKE_EXPLAINED['cipi']} "
             f"(interprétation I-MISSION-STAKE-PER-KIND)"),
        ]
    window = rules.cdpi_mission_window if facts.kind is Kind.CDPI else rules.car_mission_window
    share = rules.cdpi_mission_share if facts.kind is Kind.CDPI else rules.car_mission_share
    return [
        (f"{label}, ouverture", f"{_d(opens)} = {_d(facts.training_end)} (fin de "
         f"formation) + 1 jour ; seules comptent les missions entièrement dans la fenêtre "
         f"(interprétation I-MISSION-INSIDE-WINDOW)"),
        (f"{label}, fin de la fenêtre", _shift(due, facts.training_end, "fin de formation", "+",
                                               window)
         + " ; un délai après un événement finit au même quantième (R-CAL-3, interprétation "
         "I-MONTHS-TWO-READINGS)"),
        (f"{label}, heures", f"{messages.hours(timeline.mission_hours_required)} = "
         f"{messages.hours(facts.training_hours)} × {share.value} (tiers exact, interprétation "
         f"I-MISSION-EXACT-THIRD) "
         f"{_cite(share)}"),
        (f"{label}, enjeu", f"{messages.MISSION_STAKE_EXPLAINED[facts.kind.value]} "
         f"(interprétation I-MISSION-STAKE-PER-KIND)"),
    ]


def _incidents(facts: DossierFacts, opens: date, due: date) -> list[tuple[str, str]]:
    """I-EXCUSE-IN-WINDOW: why each incident counts, or not, for the mission obligation.
    Sensitive (illness): `explain` and `show` only."""
    lines = []
    window = f"la fenêtre du {_d(opens)} au {_d(due)}"
    for incident in sorted(facts.incidents, key=lambda i: i.on):
        what, _proof = messages.INCIDENT_LABELS[incident.kind.value]
        counts = incident_counts(incident, opens, due)
        if incident.kind is IncidentKind.ILLNESS:
            last = incident.until or incident.on
            span = (f"arrêt du {_d(incident.on)} au {_d(last)}" if incident.until
                    else f"arrêt du {_d(incident.on)}, fin non saisie (--until) : lu comme ce "
                         "seul jour")
            why = (f"{span} {'recoupe' if counts else 'ne recoupe pas'} {window}")
        elif incident.kind is IncidentKind.REFUSAL:
            why = (f"refus daté du {_d(incident.on)}, {'dans' if counts else 'hors de'} {window}")
        else:
            why = (f"daté du {_d(incident.on)}, {'au plus tard' if counts else 'après'} la fin "
                   f"de {window} : vaut à partir de sa date")
        verdict = "compte" if counts else "ne compte pas"
        proof = (f"justificatif reçu le {_d(incident.document_on)}" if incident.document_on
                 else "justificatif à récupérer")
        lines.append((f"Incident du {_d(incident.on)} ({what})",
                      f"{verdict} : {why} ; {proof} (interprétation I-EXCUSE-IN-WINDOW, "
                      f"R-CDPI-EXCUSE)"))
    return lines


def _funding(facts: DossierFacts, cdpi_rate: Fraction | None) -> list[tuple[str, str]]:
    funding = estimate(facts, cdpi_rate)
    if funding is None:
        return []
    if funding.rate is None or funding.amount is None:
        lines = [("Forfait", "taux non connu : aucun chiffre dans les sources, à régler dans la "
                  "configuration ([funding] cdpi_hourly_rate ; interprétation I-CDPI-RATE-CONFIG) "
                  f"{_cite(funding.rate_figure)}")]
    else:
        lines = [("Forfait", f"{messages.euros(funding.amount)} HT = "
                  f"{messages.hours(funding.hours)} (formation et bilans) × "
                  f"{messages.euros(funding.rate)}/h {_cite(funding.rate_figure)}"
                  + _cipi_rate_reading(facts))]
    if funding.tutor_hours:
        figure = funding.tutor_rate_figure
        assert figure is not None
        capped = ""
        if funding.tutor_funded_hours < funding.tutor_hours:
            assert funding.tutor_max_figure is not None
            capped = (f" ; {messages.hours(funding.tutor_hours)} saisies, financées pour "
                      f"{messages.hours(funding.tutor_funded_hours)} au plus, la source bornant "
                      f"la prise en charge et non la formation (interprétation "
                      f"I-TUTOR-40H-FUNDED) {_cite(funding.tutor_max_figure)}")
        if funding.tutor_amount is None or funding.tutor_rate is None:
            lines.append(("Formation du tuteur", f"{messages.hours(funding.tutor_hours)}, taux non "
                          f"connu : montant non estimé (I-TUTOR-CDPI) {_cite(figure)}{capped}"))
        else:
            lines.append(("Formation du tuteur", f"{messages.euros(funding.tutor_amount)} HT = "
                          f"{messages.hours(funding.tutor_funded_hours)} × "
                          f"{messages.euros(funding.tutor_rate)}/h {_cite(figure)}{capped}"))
    if (funding.surcout_per_hour is not None and facts.hourly_cost is not None
            and funding.rate is not None):
        assert funding.surcout_total is not None
        euros = messages.euros
        lines.append(("Surcoût", f"{euros(funding.surcout_per_hour)}/h = "
                      f"{euros(facts.hourly_cost)}/h (coût) − {euros(funding.rate)}/h (forfait) ; "
                      f"{euros(funding.surcout_total)} sur {messages.hours(facts.training_hours)} "
                      "(R-SURCOUT, 001 : « le surcoût du contrat sera de 36-17 = 19€/ H »)"))
        lines.append(("Financement du surcoût", _surcout_funds(facts)))
    if funding.rate is not None:
        # R-FUND-HOLIDAYS: said for the CDPI (003); the CIPI's flat rate is an hourly rate
        # too (I-HOLIDAY-PAY-CIPI).
        reading = ("" if facts.kind is Kind.CDPI else " ; dit pour le CDPI, lu de même pour le "
                   "CIPI (interprétation I-HOLIDAY-PAY-CIPI)")
        lines.append(("Ponts et jours fériés", "la rémunération de l'intérimaire pendant les "
                      "ponts et jours fériés de la formation n'est pas dans le forfait ; à "
                      "demander au titre du surcoût (R-FUND-HOLIDAYS, 003 : « La rémunération "
                      "du salarié durant les ponts et jours fériés pendant la formation n'est "
                      "pas prise en charge dans le cadre du forfait. Si vous en faite la "
                      f"demande, elle peut être prise en charge via le surcoût »){reading}"))
    return lines


def _shift_reading(facts: DossierFacts) -> str:
    """I-DRF-SHIFT-CIPI: the current rule is written on the CDPI page (003) only."""
    if facts.kind is Kind.CIPI and facts.rules.drf_shift_limit.source == "003":
        return (" ; règle écrite sur la page CDPI (003), appliquée au CIPI qui suit le même "
                "processus (interprétation I-DRF-SHIFT-CIPI)")
    return ""


def _company(facts: DossierFacts) -> list[tuple[str, str]]:
    """R-CIPI-FUND, R-CDPI-FUND, R-FUND-NON-MEMBER: the agency's headcount and membership,
    11 and more (I-MIN-HEADCOUNT), never assumed when not entered."""
    company = facts.company
    if company is None or facts.kind is Kind.CAR:
        return []
    figure = facts.rules.company_min_headcount
    minimum = figure.value
    if company.headcount is None:
        size = "effectif à renseigner : le financement ne peut pas être vérifié"
    elif company.headcount < minimum:
        size = f"{company.headcount} salariés < {minimum} : financement AKTO impossible"
    elif facts.kind is Kind.CIPI and company.headcount == minimum:
        size = (f"{company.headcount} salariés, à confirmer avec AKTO pour un CIPI (001 : « + de "
                "11 salariés » ; 003 : « 11 salariés et plus »)")
    else:
        size = f"{company.headcount} salariés ≥ {minimum}"
    member = ("adhérente à Prism'Emploi ou à l'accord" if company.prism_member else
              "non adhérente : règles de l'ancien accord, sur ses propres ressources "
              "(R-FUND-NON-MEMBER)")
    return [("Agence", f"{size} ; {member} (11 salariés et plus retenus, interprétation "
             f"I-MIN-HEADCOUNT) {_cite(figure)}")]


def _cipi_rate_reading(facts: DossierFacts) -> str:
    """I-CIPI-PROGRAMME-RATE: HOPE is the CDPI's (003); 002's « handicap » programme of the
    CIPI is not modelled: neither is assumed to raise the CIPI's rate."""
    if facts.kind is not Kind.CIPI:
        return ""
    if facts.programme is Programme.HOPE:
        return (" ; le programme HOPE n'est décrit que pour le CDPI (003) : 27 €/h non supposé "
                "pour un CIPI, à confirmer avec AKTO (interprétation I-CIPI-PROGRAMME-RATE)")
    if facts.programme is None and facts.eligibility == "obligation-emploi":
        return (" ; le programme « handicap » du CIPI (002) n'est pas suivi par l'outil : 27 €/h "
                "non supposé, à confirmer avec AKTO (interprétation I-CIPI-PROGRAMME-RATE)")
    return ""


def _surcout_funds(facts: DossierFacts) -> str:
    """R-SURCOUT-FUNDS: what pays the cost above the flat rate; the ETT's mutualised funds
    only for an agency of less than 50 employees, never assumed when the headcount is not
    known."""
    headcount = facts.company.headcount if facts.company is not None else None
    if headcount is None:
        mutualised = ("les fonds mutualisés des ETT seulement si l'agence a moins de 50 "
                      "salariés (effectif non renseigné)")
    elif headcount < 50:
        mutualised = f"ou les fonds mutualisés des ETT ({headcount} salariés, moins de 50)"
    else:
        mutualised = f"pas les fonds mutualisés des ETT ({headcount} salariés, 50 ou plus)"
    return ("les fonds conventionnels (FPE.TT), l'investissement formation (0,6 %), "
            f"{mutualised} (R-SURCOUT-FUNDS, 003 : « Les dépenses de formation non couvertes par "
            "le forfait peuvent être financées soit sur les fonds conventionnels (FPE.TT), soit "
            "sur votre investissement formation (0,6%) ou les fonds mutualisés des ETT (pour les "
            "ETT de moins de 50 salariés) »)")


def rule_set_summary(facts: DossierFacts) -> str:
    """Why the dossier follows its rule set, in a few words (`show`; `explain` says more)."""
    uses_drf = facts.kind is not Kind.CAR
    choice = choose_rule_set(facts.training_start, facts.zone, uses_drf)
    day_name = "ouverture de la fenêtre DRF" if uses_drf else "démarrage"
    if choice.rules.name != facts.rules.name:
        return f"fixé à l'ouverture (--rules) ; par date ce serait {choice.rules.name}"
    if not choice.in_force:
        return (f"aucun jeu en vigueur le {messages.short_date(choice.reference)} ({day_name}), "
                "le plus ancien s'applique")
    return (f"en vigueur le {messages.short_date(choice.reference)} ({day_name}), "
            "choix par date (I-RULES-DATE)")


def rule_set_reason(facts: DossierFacts) -> str:
    """Which rule set the dossier follows and why (I-RULES-DATE, I-RULES-CURRENT-DATE)."""
    rules = facts.rules
    choice = choose_rule_set(facts.training_start, facts.zone, facts.kind is not Kind.CAR)
    head = f"{rules.name} ({rules.title}), en vigueur depuis le {_d(rules.effective_from)}"
    return _choice_reason(facts, choice, head) + _2021_cdpi_reading(facts)


def _2021_cdpi_reading(facts: DossierFacts) -> str:
    """I-2021-CDPI: 002 is the CIPI's page; its process is read for the CDPI too."""
    if facts.kind is Kind.CDPI and facts.rules.drf_opens_before_start.source == "002":
        return (" ; la page de 2021 (002) est celle du CIPI, son processus est appliqué au CDPI "
                "(ses délais sont les plus courts ; interprétation I-2021-CDPI)")
    return ""


def _choice_reason(facts: DossierFacts, choice: RuleSetChoice, head: str) -> str:
    rules = facts.rules
    uses_drf = facts.kind is not Kind.CAR
    day_name = "ouverture de la fenêtre DRF" if uses_drf else "démarrage"
    if choice.rules.name != rules.name:
        return (f"{head} : fixé à l'ouverture du dossier (--rules) ; le choix par date donnerait "
                f"{choice.rules.name} (I-RULES-DATE)")
    if not choice.in_force:
        return (f"{head} : aucun jeu de règles n'était en vigueur le "
                f"{_d(choice.reference)} ({day_name}), le plus ancien s'applique "
                f"(I-RULES-DATE)")
    text = (f"{head} : choisi par date, {day_name} le {_d(choice.reference)}, "
            f"le jeu le plus récent déjà en vigueur ce jour-là (I-RULES-DATE)")
    for newer in sorted(RULE_SETS.values(), key=lambda r: r.effective_from):
        if newer.effective_from > rules.effective_from:
            day = (newer.drf_opens_before_start.value.earliest_before(facts.training_start,
                                                                       facts.zone)
                   if uses_drf else facts.training_start)
            text += (f" ; {newer.name} ne s'applique pas : {day_name} le {_d(day)}, avant "
                     f"son entrée en vigueur le {_d(newer.effective_from)}")
    return f"{text} {_cite(rules.effective)}"


def _drf_opening(facts: DossierFacts) -> str:
    """R-DRF-WINDOW: the first day from which the start lies within 2 months (R-CAL-3), and
    I-2021-SUSPENSION when the opening falls in the summer 2022 suspension."""
    rules, start = facts.rules, facts.training_start
    figure = rules.drf_opens_before_start
    window = drf_window(rules, start, facts.zone)
    raw = figure.value.before(start, facts.zone)
    text = _shift(raw, start, "démarrage", "−", figure)
    if window.computed_opens != raw:
        text = (f"{_d(window.computed_opens)} : {text}, mais {_d(raw)} + {_period(figure.value)} "
                f"= {_d(figure.value.after(raw, facts.zone))} précède le démarrage ; la fenêtre "
                f"ouvre le premier jour d'où le démarrage est à {_period(figure.value)} au plus "
                f"(R-CAL-3)")
    if window.opening_moved_by is None:
        return text
    first, last = window.opening_moved_by
    return (f"{_d(window.opens)} : {text}, tombe dans la suspension des dépôts du "
            f"{_d(first)} au {_d(last)}, la fenêtre ouvre le lendemain "
            f"(I-2021-SUSPENSION, quel que soit le jeu de règles) {_cite(DRF_SUSPENSIONS)}")


def _drf_due(facts: DossierFacts, due: date) -> str:
    """R-DRF-WINDOW: start − 2 jours ouvrés; a due date inside the suspension moves back to
    its eve (I-2021-SUSPENSION)."""
    rules, start = facts.rules, facts.training_start
    zone = messages.ZONE_LABELS.get(facts.zone, facts.zone)
    window = drf_window(rules, start, facts.zone)
    text = (_shift(window.computed_due, start, "démarrage", "−", rules.drf_due_before_start)
            + f" ; jours ouvrés de la zone {zone} (R-CAL-1, R-CAL-2 ; « 48 heures » lues comme "
            "2 jours ouvrés, interprétation I-48H-BUSINESS-DAYS)")
    if window.due_moved_by is None or due != window.due:
        return text
    first, last = window.due_moved_by
    return (f"{_d(due)} : {text}, tombe dans la suspension des dépôts du {_d(first)} au "
            f"{_d(last)}, la DRF se dépose au plus tard la veille, ensuite trop tard "
            f"(I-2021-SUSPENSION, quel que soit le jeu de règles) {_cite(DRF_SUSPENSIONS)}")


def _car_contract(facts: DossierFacts) -> tuple[str, str]:
    figure = facts.rules.car_contract_period
    end = car_contract_end(facts)
    return ("Contrat CAR, fin au plus tard",
            f"{_d(end)} = {_d(facts.training_start)} (démarrage) + {_period(figure.value)} − 1 "
            f"jour {_cite(figure)} : une durée compte son premier jour (R-CAL-3) ; une mission "
            f"finie après cette date est signalée (I-CAR-CONTRACT)")


def _bilans(facts: DossierFacts) -> list[tuple[str, str]]:
    """R-CIPI-BILAN, R-CDPI-BILAN: two bilans of 14 h at most each, paid at the flat rate."""
    if facts.kind is Kind.CAR or not facts.bilan_hours:
        return []
    rules = facts.rules
    positioning, evaluation = ((rules.cipi_positioning_max_hours, rules.cipi_evaluation_max_hours)
                               if facts.kind is Kind.CIPI else
                               (rules.cdpi_positioning_max_hours,
                                rules.cdpi_evaluation_max_hours))
    hours = messages.hours
    return [("Bilans", f"{hours(facts.positioning_hours)} de positionnement (au plus "
             f"{hours(positioning.value)}) et {hours(facts.evaluation_hours)} d'évaluation (au "
             f"plus {hours(evaluation.value)}), hors heures de formation, comptés au forfait ; "
             f"les heures d'un ancien « bilan » unique sont lues comme du positionnement "
             f"(I-BILAN-MIGRATION) {_cite(positioning)}")]


def _basic_skills(facts: DossierFacts) -> list[tuple[str, str]]:
    """R-L&C: at least 30 % basic-skills or French-language content."""
    if facts.programme is not Programme.LANGUE_COMPETENCES or facts.kind is Kind.CAR:
        return []
    figure = facts.rules.lc_basic_skills_min_share
    share = facts.basic_skills_share
    minimum = messages.percent(figure.value)
    if share is None:
        verdict = f"non renseignée, à indiquer (au moins {minimum})"
    elif share < figure.value:
        verdict = f"{messages.percent(share)} < {minimum} : signalé, le parcours ne relève pas du programme"
    else:
        verdict = f"{messages.percent(share)} ≥ {minimum}"
    return [("Langue et Compétences, part savoirs de base",
             f"{verdict} ; la part est celle que déclare l'agence, signalée et non refusée "
             f"(I-LC-SHARE) {_cite(figure)}")]


def _seniority(facts: DossierFacts) -> list[tuple[str, str]]:
    """R-CDPI-ELIG on seniority: 150 h over the 12 months before the start (I-SENIORITY).
    Sensitive: it reveals the eligibility basis; `explain` and `show` only."""
    if facts.kind is not Kind.CDPI or facts.eligibility != SENIORITY_BASIS:
        return []
    rules = facts.rules
    period = rules.cdpi_seniority_period
    first = period.value.before(facts.training_start, facts.zone)
    last = facts.training_start - timedelta(days=1)
    minimum = messages.hours(rules.cdpi_seniority_hours.value)
    hours = facts.seniority_hours
    verdict = ("heures non renseignées" if hours is None
               else f"{messages.hours(hours)} ≥ {minimum}")
    return [("Ancienneté dans la branche",
             f"{verdict}, au moins {minimum} du {_d(first)} au {_d(last)} "
             f"({_period(period.value)} précédant le démarrage, I-SENIORITY) "
             f"{_cite(rules.cdpi_seniority_hours)}")]
