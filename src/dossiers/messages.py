"""Every French word a user reads that is not in a template.

Pure data and formatting: no I/O, so the rule core may use it for labels.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import cache, lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from babel import Locale

    from dossiers.services.delivery import SendReport
    from babel.numbers import NumberPattern

LOCALE = "fr_FR"
NBSP = "\u00a0"

STEP_LABELS = {
    "drf": "Demande de réservation de financement (DRF)",
    "drf_redo": "Nouvelle DRF (démarrage décalé)",
    "akto_response": "Réponse d'AKTO à la DRF",
    "contract": "Envoi du contrat et des pièces à AKTO",
    "positioning_assessment": "Bilan de positionnement (Langue et Compétences)",
    "car_request": "Demande de CAR à AKTO",
    "mission_obligation": "Obligation de mission",
    "attendance": "Justificatifs de réalisation (présence) à AKTO",
}

STEP_SHORT_LABELS = {
    "drf": "DRF",
    "drf_redo": "Nouvelle DRF",
    "akto_response": "Réponse AKTO",
    "contract": "Contrat à AKTO",
    "positioning_assessment": "Bilan positionnement",
    "car_request": "Demande CAR",
    "mission_obligation": "Missions",
    "attendance": "Justificatifs",
}

# What to do about a step, in a few words (reports).
STEP_ACTIONS = {
    "drf": "Déposer la DRF",
    "drf_redo": "Déposer une nouvelle DRF",
    "akto_response": "Relancer AKTO",
    "contract": "Envoyer contrat et pièces",
    "positioning_assessment": "Faire le bilan",
    "car_request": "Envoyer la demande",
    "mission_obligation": "Placer en mission",
    "attendance": "Envoyer les justificatifs",
}

# What a missed step costs, per scheme, where the rules say it (I-MISSION-STAKE-PER-KIND); a late
# contract: I-CONTRACT-LATE-STAKE.
STEP_STAKES = {
    "cipi": {
        "drf": "financement non réservé",
        "drf_redo": "financement non réservé pour le nouveau démarrage",
        "contract": "financement compromis",
        "mission_obligation": "engagement de délégation non tenu",
    },
    "cdpi": {
        "drf": "financement non réservé",
        "drf_redo": "financement non réservé pour le nouveau démarrage",
        "contract": "financement compromis",
        "positioning_assessment": "bilan obligatoire du programme non fait",
        "mission_obligation": "forfait non versé",
    },
    "car": {
        "car_request": "demande hors délai (au plus tard au démarrage)",
        "mission_obligation": "obligation du CAR non tenue (enjeu non chiffré par les sources)",
    },
}

STATUS_LABELS = {
    "not_yet_open": "à venir",
    "open": "ouvert",
    "due_soon": "échéance proche",
    "overdue": "en retard",
    "done": "fait",
    "done_late": "fait en retard",
    "done_too_early": "fait trop tôt, à refaire",
    "waiting_akto": "en attente d'AKTO",
    "akto_late": "AKTO en retard",
    "justified": "justifié",
}

EVENT_LABELS = {
    "drf-submitted": "DRF déposée",
    "drf-accord": "accord de la DRF",
    "drf-refusal": "refus de la DRF",
    "contract-submitted": "contrat et pièces envoyés à AKTO",
    "funding-granted": "prise en charge accordée",
    "attendance-submitted": "justificatifs de réalisation envoyés",
    "positioning-done": "bilan de positionnement réalisé",
    "car-request-submitted": "demande de CAR envoyée à AKTO",
    "close": "dossier clos",
    "abandon": "dossier abandonné",
}

# The event that records a step as done (the documents sent with it go with it).
STEP_EVENTS = {
    "drf": "drf-submitted",
    "contract": "contract-submitted",
    "attendance": "attendance-submitted",
    "positioning_assessment": "positioning-done",
    "car_request": "car-request-submitted",
}


def document_sent_with_step(label: str, step: str, reference: str) -> str:
    """`doc REF CODE` for a document that is part of a step's sending (R-DOCS)."""
    event = STEP_EVENTS.get(step)
    how = f" : dossiers record {reference} {event} --on JJ/MM/AAAA" if event else ""
    return (f"« {label} » part avec l'étape « {STEP_SHORT_LABELS[step]} » et compte comme "
            f"reçue quand cet envoi est enregistré{how}")


# The holiday zones (R-CAL-2) as a person names them.
ZONE_LABELS = {"metropole": "métropole", "alsace-moselle": "Alsace-Moselle",
               "guadeloupe": "Guadeloupe", "martinique": "Martinique", "guyane": "Guyane",
               "reunion": "La Réunion", "mayotte": "Mayotte"}

KIND_LABELS = {"cipi": "CIPI", "cdpi": "CDPI", "car": "CAR"}
CONTRACT_LABELS = {"ctt": "CTT", "cdii": "CDII"}
PROGRAMME_LABELS = {
    "langue-competences": "Langue et Compétences",
    "hope": "HOPE",
    "missions-jeunes": "Missions Jeunes",
}
STATE_LABELS = {"open": "en cours", "closed": "clos", "abandoned": "abandonné"}
ROLE_LABELS = {"charge": "chargé(e) de recrutement", "manager": "manager",
               "admin": "administrateur (toutes les agences)"}

FIELD_LABELS = {
    "kind": "type",
    "reference": "référence",
    "worker": "intérimaire",
    "contract_type": "contrat",
    "programme": "programme",
    "training_start": "début de formation",
    "training_end": "fin de formation",
    "training_hours": "heures de formation",
    "mission_hours": "heures de mission prévues",
    "positioning_hours": "heures de bilan de positionnement",
    "evaluation_hours": "heures de bilan d'évaluation",
    "tutor_hours": "heures de formation du tuteur",
    "basic_skills_share": "part savoirs de base",
    "seniority_hours": "heures d'ancienneté",
    "owner": "responsable",
    "agency": "agence",
    "rules": "règles",
    "state": "état",
    "eligibility": "éligibilité",
    "in_user_company": "formation dans l'entreprise utilisatrice",
    "afest": "AFEST",
    "hourly_cost": "coût horaire",
}

_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)


def long_date(day: date) -> str:
    """« jeudi 7 janvier 2027 »."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{_WEEKDAYS[day.weekday()]} {number} {_MONTHS[day.month - 1]} {day.year}"


def day_and_date(day: date, space: str = " ") -> str:
    """« samedi 05/12/2026 »."""
    return f"{_WEEKDAYS[day.weekday()]}{space}{short_date(day)}"


def days_off(day: date, zones: dict[str, date], every_zone: bool,
             space: str = " ") -> list[str]:
    """Why a day sends no reminder, to some agencies or all (R-CAL-2): « samedi 05/12/2026 :
    jour non ouvré, pas de rappel ; prochain envoi lundi 07/12/2026 »."""
    by_next: dict[date, list[str]] = {}
    for zone, next_day in zones.items():
        by_next.setdefault(next_day, []).append(zone)
    lines = []
    for next_day, names in sorted(by_next.items()):
        labels = [ZONE_LABELS.get(z, z) for z in names]
        where = ("" if every_zone and len(by_next) == 1 else
                 f" en zone {labels[0]}" if len(labels) == 1 else
                 f" en zones {', '.join(labels[:-1])} et {labels[-1]}")
        whom = "" if not where else " pour ses agences" if len(names) == 1 else " pour leurs agences"
        lines.append(f"{day_and_date(day, space)} : jour non ouvré{where}, pas de rappel{whom} ; "
                     f"prochain envoi {day_and_date(next_day, space)}")
    return lines


def short_date(day: date | None) -> str:
    """« 07/01/2027 », or a dash when there is no date."""
    return day.strftime("%d/%m/%Y") if day else "—"


@cache
def _locale() -> Locale:
    """The French locale, parsed once per process (Babel would parse its name at each call)."""
    from babel import Locale

    return Locale.parse(LOCALE)


@cache
def _decimal_pattern(decimals: int) -> NumberPattern:
    from babel.numbers import parse_pattern

    return parse_pattern("#,##0" + ("." + "0" * decimals if decimals else ""))


def number(value: int | Fraction | Decimal, decimals: int = 0) -> str:
    """« 1 234 », « 46,67 »: French digits and grouping (Babel, narrow no-break space)."""
    if not decimals and isinstance(value, int | Fraction) and value.denominator == 1 \
            and 0 <= value < 1000:
        # No separator to place: Babel, and its locale data (a good part of a short
        # command's start-up), is loaded only for a number that needs it.
        return str(int(value))
    from babel.numbers import format_decimal

    exact = Decimal(value.numerator) / Decimal(value.denominator) if isinstance(value, Fraction) \
        else Decimal(value)
    return format_decimal(exact, format=_decimal_pattern(decimals), locale=_locale())


@lru_cache(maxsize=4096)
def hours(value: Fraction) -> str:
    """« 70 h », « 46 h 40 min » with no-break spaces (R-CDPI-MISSION compares with the exact
    third)."""
    minutes = round(value * 60)
    whole, rest = divmod(minutes, 60)
    text = f"{number(whole)}{NBSP}h"
    return f"{text}{NBSP}{rest:02d}{NBSP}min" if rest else text


def euros(amount: Fraction | Decimal | int) -> str:
    """« 2 380,00 € » (Babel's French currency format, no-break spaces)."""
    from babel.numbers import format_currency

    exact = Decimal(amount.numerator) / Decimal(amount.denominator) \
        if isinstance(amount, Fraction) else Decimal(amount)
    return format_currency(exact, "EUR", locale=_locale())


def local_time(moment: datetime, time_zone: str = "Europe/Paris") -> str:
    """A stored UTC moment as « 23/11/2026 14:05 », local time of the zone."""
    from zoneinfo import ZoneInfo  # loaded only by the commands that show a moment

    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(time_zone)).strftime("%d/%m/%Y %H:%M")


_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_RAW_AMOUNT = re.compile(r"^(\d+)\.(\d{2}) €$")


def french_dates(text: str) -> str:
    """Every ISO date in a stored text as JJ/MM/AAAA (history lines)."""
    return _ISO_DATE.sub(lambda m: f"{m[3]}/{m[2]}/{m[1]}", text)


def change_subject(what: str) -> str:
    """What a history line is about, in words: field names and event codes are labelled."""
    if what in FIELD_LABELS:
        return FIELD_LABELS[what]
    for prefix in ("événement annulé ", "événement ", "rappels suspendus "):
        if what.startswith(prefix):
            code = what[len(prefix):]
            label = EVENT_LABELS.get(code) or STEP_SHORT_LABELS.get(code)
            if label:
                return f"{prefix}« {label} »"
    return what


def change_value(what: str, value: str | None) -> str:
    """A stored before/after value as a person reads it: dates JJ/MM/AAAA, amounts in French,
    programmes and states by their labels."""
    if not value:
        return "—"
    amount = _RAW_AMOUNT.match(value)
    if amount:
        return euros(Decimal(f"{amount[1]}.{amount[2]}"))
    if what == "programme":
        return PROGRAMME_LABELS.get(value, value)
    if what == "état":
        return STATE_LABELS.get(value, value)
    return french_dates(value)


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """« 1 point », « 3 points »."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count} {word}"


def days_left(count: int | None) -> str:
    """« J-3 », « aujourd'hui », « 4 j de retard »."""
    if count is None:
        return ""
    if count > 0:
        return f"J-{count}"
    if count == 0:
        return "aujourd'hui"
    return f"{-count}{NBSP}j de retard"


# Alerts raised by the engine.
def alert_drf_redo(accord: date, start: date, limit: str) -> str:
    return (
        f"DRF à refaire : le démarrage du {short_date(start)} est à plus de {limit} "
        f"de l'accord du {short_date(accord)}"
    )


def alert_akto_late(expected: date) -> str:
    return (
        f"AKTO n'a pas répondu à la DRF (réponse attendue le {short_date(expected)}) : "
        "relancer AKTO"
    )


def alert_drf_refused(on: date) -> str:
    return (
        f"DRF refusée le {short_date(on)} : déposer une nouvelle DRF avant l'échéance "
        "ou clore le dossier"
    )


def alert_drf_suspended(first: date, last: date) -> str:
    return (
        f"Dépôts de DRF suspendus par AKTO du {short_date(first)} au {short_date(last)} : "
        "la fenêtre de dépôt les recoupe"
    )


def drf_deposit_suspended(on: date, first: date, last: date) -> str:
    return (f"une DRF ne peut pas être déposée le {short_date(on)} : dépôts suspendus du "
            f"{short_date(first)} au {short_date(last)}, déposer à partir du "
            f"{short_date(last + timedelta(days=1))}")


def alert_drf_window_cut(first: date, last: date, due: date) -> str:
    return (f"Dépôts de DRF suspendus par AKTO du {short_date(first)} au {short_date(last)} : "
            f"la DRF doit être déposée au plus tard le {short_date(due)}, sinon trop tard")


def alert_drf_window_suspended(first: date, last: date) -> str:
    return (f"Aucune DRF possible : toute la fenêtre de dépôt tombe dans la suspension des dépôts "
            f"du {short_date(first)} au {short_date(last)} ; décaler le démarrage")


def alert_lc_share_unknown(minimum: Fraction) -> str:
    return (f"Langue et Compétences : part des savoirs de base non renseignée (au moins "
            f"{percent(minimum)} si le parcours a un module métier)")


def alert_lc_share_low(share: Fraction, minimum: Fraction) -> str:
    return (f"Langue et Compétences : {percent(share)} de savoirs de base ou de langue, il en faut "
            f"au moins {percent(minimum)} : le parcours ne relève pas du programme")


def alert_car_mission_beyond_contract(count: int, contract_end: date) -> str:
    return (f"{plural(count, 'mission finit', 'missions finissent')} après la fin du contrat CAR "
            f"({short_date(contract_end)}, 12 mois au plus formation et missions comprises)")


def percent(share: Fraction) -> str:
    """« 30 % », « 32,5 % » (no-break space): a share of 0 … 1."""
    value = share * 100
    text = number(value) if value.denominator == 1 else number(value, 2).rstrip("0")
    return f"{text}{NBSP}%"


def alert_drf_too_early(deposit: date, opens: date, due: date, today: date) -> str:
    """I-DRF-TOO-EARLY: when to deposit again, not « relancer AKTO »."""
    text = (f"DRF déposée le {short_date(deposit)}, avant l'ouverture de sa fenêtre "
            f"({short_date(opens)}) : elle ne compte pas")
    if today > due:
        return text + f" ; le dernier jour pour la redéposer était le {short_date(due)}"
    if today < opens:
        return text + (f" ; la redéposer à partir du {short_date(opens)} et au plus tard le "
                       f"{short_date(due)}")
    return text + f" ; la redéposer dès maintenant, au plus tard le {short_date(due)}"


def incident_outside_window(opens: date, due: date) -> str:
    return (f"⚠ Cet incident ne compte pas : il n'explique pas la délégation manquée pendant la "
            f"fenêtre de mission du {short_date(opens)} au {short_date(due)} "
            "(I-EXCUSE-IN-WINDOW ; voir explain)")


def alert_incident_outside_window(count: int) -> str:
    return (f"{plural(count, 'incident ne justifie', 'incidents ne justifient')} pas le manque "
            "d'heures : hors de la fenêtre de mission (voir explain)")


def first_cdpi_mission_unmet(reference: str, status: str, due: date | None) -> str:
    state = "non tenue" if status == "overdue" else "en cours"
    until = f" (fenêtre jusqu'au {short_date(due)})" if due else ""
    return (f"⚠ CDPI précédent de cet intérimaire, {reference} : obligation de mission {state}"
            f"{until} ; l'obligation de mission après le 1er CDPI doit être respectée "
            f"(R-CDPI-FIRST-MISSION)")


ALERT_FUNDING_NON_MEMBER = (
    "Financement AKTO impossible sur l'enveloppe 0,3 % : agence ni adhérente à Prism'Emploi ni "
    "à l'accord de branche ; le contrat se conclut selon les règles issues de l'ancien accord, "
    "financé sur ses ressources (plan de développement des compétences, investissement "
    "formation, FPETT ou fonds propres)")


def alert_headcount_boundary(minimum: int) -> str:
    return (f"Effectif de {minimum} salariés : la fiche CIPI demande « + de {minimum} », la page "
            f"CDPI « {minimum} et plus » ; financement AKTO du CIPI à confirmer avec AKTO")


def alert_headcount_unknown(minimum: int) -> str:
    return (f"Effectif à renseigner : sans l'effectif de l'agence, le financement AKTO "
            f"(au moins {minimum} salariés) ne peut pas être vérifié")


def list_headcount_unknown(agency: str, count: int) -> str:
    return (f"⚠ Agence {agency} : effectif à renseigner ({plural(count, 'dossier')} dont le "
            f"financement AKTO ne peut pas être vérifié ; dossiers agency update … --headcount N) "
            f"(R-CIPI-FUND, R-CDPI-FUND)")


def alert_funding_impossible(minimum: int) -> str:
    return (f"Financement AKTO impossible : l'agence doit compter au moins {minimum} salariés et "
            "être membre de Prism'Emploi ou adhérente volontaire à l'accord")


def alert_missing_documents(step: str, count: int) -> str:
    return (f"{STEP_LABELS[step]} : {plural(count, 'pièce manquante', 'pièces manquantes')}, "
            "l'étape n'est pas faite (voir dossiers show)")


def alert_mission_at_risk(remaining: Fraction, days: int, pace: Fraction) -> str:
    return (f"Obligation de mission menacée : {hours(remaining)} restantes en {days} jours, "
            f"plus que ce que permet un rythme de {hours(pace)} par semaine")


def future_event_warning(reference: str, event: str, on: date, today: date) -> str:
    return (f"Attention : le {short_date(on)} est après le jour dit ({short_date(today)}). "
            f"Pour l'annuler :\n  dossiers cancel {reference} {event} "
            f"--on {short_date(on)}")


def alert_pole_opinion_late(opinion: date, request: date) -> str:
    return (f"L'avis du pôle reconversion ({short_date(opinion)}) est postérieur à la demande de "
            f"CAR ({short_date(request)}) : il doit la précéder")


# A missed mission obligation, per scheme (I-MISSION-STAKE-PER-KIND): only the CDPI's rule says
# what it costs (R-CDPI-EXCUSE); a CAR has no flat rate (000).
ALERT_INCIDENT_UNPROVEN = {
    "cdpi": "Incident de mission enregistré sans justificatif : le récupérer, sinon le forfait "
            "ne sera pas versé",
    "cipi": "Incident de mission enregistré sans justificatif : le récupérer et le garder au "
            "dossier (les sources ne disent pas ce qu'AKTO en fait pour un CIPI)",
    "car": "Incident de mission enregistré sans justificatif : le récupérer et le transmettre "
           "au pôle reconversion du FPETT",
}
ALERT_MISSION_MISSED = {
    "cdpi": "Obligation de mission non tenue et non justifiée : forfait non versé "
            "(enregistrer l'incident et son justificatif s'il y en a un)",
    "cipi": "Obligation de mission non tenue : les 70 h promises à la conclusion du CIPI "
            "n'ont pas été faites ; les sources ne disent pas ce qu'il en coûte, voir avec AKTO "
            "(enregistrer l'incident et son justificatif s'il y en a un)",
    "car": "Obligation de mission du CAR non tenue : les sources ne disent pas ce qu'il en "
           "coûte (pas de forfait : AKTO rembourse salaires et frais) ; voir avec le pôle "
           "reconversion du FPETT",
}
# What is at stake when the mission obligation is missed (explain), per scheme.
MISSION_STAKE_EXPLAINED = {
    "cdpi": "sans délégation ni justificatif, le forfait n'est pas versé (R-CDPI-EXCUSE)",
    "cipi": "engagement pris à la conclusion du CIPI (R-CIPI-MISSION) ; les sources ne disent "
            "pas ce qu'il en coûte",
    "car": "pas de forfait pour un CAR (AKTO rembourse salaires et frais) ; les sources ne "
           "disent pas ce qu'il en coûte : voir le pôle reconversion du FPETT (R-CAR-MISSION)",
}
# The rule under which a mission incident is recorded, per scheme (I-MISSION-STAKE-PER-KIND).
INCIDENT_RULES = {"cdpi": "R-CDPI-EXCUSE", "cipi": "R-CIPI-MISSION", "car": "R-CAR-MISSION"}
# What to do, in a report, about a mission obligation whose window has closed.
MISSION_MISSED_ACTIONS = {
    "cdpi": "Justifier le manque d'heures",
    "cipi": "Justifier le manque d'heures auprès d'AKTO",
    "car": "Voir avec le pôle reconversion du FPETT",
}


def mission_before_window(kind: str, opens: date) -> str:
    """Why a mission that starts before the window does not count (I-CIPI-MISSION-BEFORE-START)."""
    if kind == "cipi":
        return (f"commence avant le démarrage du CIPI ({short_date(opens)}) : hors de sa "
                "période de réalisation")
    return (f"commence avant le {short_date(opens)}, lendemain de la fin de formation : les "
            f"missions pendant le {KIND_LABELS[kind]} ne comptent pas")


def mission_after_window(kind: str, due: date) -> str:
    if kind == "cipi":
        return f"finit après le {short_date(due)}, fin de la période de 6 mois du CIPI"
    return f"finit après le {short_date(due)}, fin de la fenêtre de 3 mois"


MISSION_NOT_ENDED = "pas encore terminée au jour dit"

ELIGIBILITY_CODES = {
    "anciennete-150h": "150 h dans la branche (CDPI)",
    "etti": "public ETTI",
    "obligation-emploi": "obligation d'emploi",
    "inapte": "inaptitude",
    "savoirs-de-base": "savoirs de base",
    "minima-sociaux": "minima sociaux",
    "chomage-longue-duree": "chômage de longue durée",
    "protection-internationale": "protection internationale",
    "sans-qualification": "sans qualification",
    "sans-activite": "sans activité",
    "reconversion": "reconversion (CDPI)",
    "cipi-complet": "CIPI complet (CDPI)",
    "accident-travail": "accident du travail (CAR)",
    "maladie-professionnelle": "maladie professionnelle (CAR)",
    "accident-trajet": "accident de trajet (CAR)",
}

INCIDENT_LABELS = {
    "echec": ("échec à la formation", "attestation d'échec"),
    "refus": ("refus de la mission proposée", "lettre en LR/AR et son récépissé"),
    "maladie": ("maladie", "copie de l'arrêt de travail"),
    "rupture": ("démission ou licenciement", "lettre de démission ou de licenciement"),
    "autre-emploi": ("autre emploi trouvé", "attestation sur l'honneur ou copie du CDD/CDI"),
}


PERIOD_UNITS = {
    "days": ("jour", "jours"),
    "business_days": ("jour ouvré", "jours ouvrés"),
    "weeks": ("semaine", "semaines"),
    "months": ("mois", "mois"),
}


def period(amount: int, unit: str) -> str:
    singular, plural = PERIOD_UNITS[unit]
    return f"{amount} {singular if amount == 1 else plural}"


def version_line(version: str, rule_sets: list[str], holidays_version: str) -> str:
    """`dossiers --version`: what this install knows."""
    return (f"dossiers {version} — jeux de règles : {', '.join(rule_sets)} — "
            f"holidays {holidays_version}")


def uncovered_calendars(pairs: list[tuple[str, int]]) -> str:
    """« jours fériés inconnus du paquet holidays pour metropole 2101 » (R-CAL-2), or ""."""
    if not pairs:
        return ""
    return ("jours fériés inconnus du paquet holidays pour "
            + ", ".join(f"{zone} {year}" for zone, year in pairs))


PARIS_TIME = "Europe/Paris"


def french_moment(moment: datetime) -> str:
    """A stored UTC time as Paris reads it: « 13/01/2027 08:15 »."""
    from zoneinfo import ZoneInfo

    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(PARIS_TIME)).strftime("%d/%m/%Y %H:%M")


def delivery_summary(head: str, report: SendReport, failed_before: int = 0,
                     superseded: int = 0, calendars: str = "") -> str:
    """The one line a delivery run ends with (remind, outbox deliver): sent, waiting and when
    the next attempt is, failed; then, when there are any, the uncertain (resent with the
    same Message-ID), those taken back from a dead run, the older digests replaced, and those
    another live run is sending; last, the holiday calendars that do not cover the day."""
    parts = [f"{report.sent} envoyé(s)", f"{report.pending} en attente",
             f"{report.failed + failed_before} en échec"]
    if report.uncertain:
        parts.append(f"{report.uncertain} incertain(s), renvoyé(s) avec le même Message-ID")
    if report.taken_back:
        parts.append(f"{report.taken_back} repris d'un passage arrêté")
    if superseded:
        parts.append(f"{superseded} remplacé(s) par le récapitulatif du jour")
    if report.in_flight:
        parts.append(f"{report.in_flight} en cours d'envoi ailleurs")
    if report.next_attempt is not None:
        parts.append(f"prochain essai le {french_moment(report.next_attempt)}")
    if calendars:
        parts.append(calendars)
    return f"{head} : {', '.join(parts)}."


def retried(requeued: int, dropped: int) -> str:
    """What `outbox retry` did."""
    if not requeued and not dropped:
        return "Aucun message en échec."
    parts = []
    if requeued:
        parts.append(f"{plural(requeued, 'message')} remis en file : le prochain remind "
                     "les envoie.")
    if dropped:
        parts.append(f"{plural(dropped, 'message')} impossible(s) à construire retiré(s) : "
                     "remind --as-of JOUR les recompose.")
    return " ".join(parts)


# `dossiers purge`: what each table's rows are called (singular, plural).
PURGE_LABELS = {
    "dossiers": ("dossier", "dossiers"),
    "events": ("événement", "événements"),
    "missions": ("mission", "missions"),
    "documents": ("pièce", "pièces"),
    "incidents": ("incident", "incidents"),
    "changes": ("ligne d'historique", "lignes d'historique"),
    "snoozes": ("suspension de rappel", "suspensions de rappel"),
    "outbox": ("récapitulatif de l'outbox", "récapitulatifs de l'outbox"),
    "outbox_items": ("ligne de récapitulatif", "lignes de récapitulatif"),
}


def purge_summary(closed_before: date, tables: tuple[tuple[str, int], ...], dry_run: bool) -> str:
    """« Supprimé, dossiers clos avant le 01/06/2024 : 2 dossiers, 6 événements, … »."""
    if not dict(tables).get("dossiers"):
        return f"Aucun dossier clos avant le {short_date(closed_before)}."
    counts = ", ".join(
        plural(count, *PURGE_LABELS.get(name, (name, name))) for name, count in tables)
    if dry_run:
        return (f"Simulation, dossiers clos avant le {short_date(closed_before)} : {counts} "
                "seraient supprimés ; rien n'est modifié.")
    return f"Supprimé, dossiers clos avant le {short_date(closed_before)} : {counts}."


def timelines_progress(done: int, total: int) -> str:
    """Shown on stderr while stored timelines are recomputed (new engine, holidays, import)."""
    return f"Mise à jour des échéances enregistrées : {done}/{total} dossiers"


# Looking up what people type (agencies, staff, references).
def lookup_missing(none_phrase: str, query: str, nearest: tuple[str, ...]) -> str:
    """« aucune agence « lyn » ; vouliez-vous dire « Lyon Part-Dieu » ? »."""
    text = f"{none_phrase} « {query.strip()} »"
    return f"{text} ; vouliez-vous dire « {nearest[0]} » ?" if nearest else text


def lookup_ambiguous(query: str, plural_noun: str, names: tuple[str, ...]) -> str:
    shown = ", ".join(f"« {name} »" for name in names[:8])
    more = f" et {len(names) - 8} autres" if len(names) > 8 else ""
    return f"« {query.strip()} » désigne plusieurs {plural_noun} : {shown}{more} ; précisez"


def reference_taken(reference: str, stored: str) -> str:
    if reference == stored:
        return f"« {reference} » existe déjà"
    return (f"« {reference} » existe déjà, écrite « {stored} » (les références se comparent sans "
            "majuscules ni variantes de caractères)")


# Templates, files read and written (import, -o).
_QUOTED = re.compile(r"'([^']*)'")


def template_undefined(reason: object) -> str:
    """A template names a value it is not given (StrictUndefined)."""
    names = _QUOTED.findall(str(reason))
    what = f" « {names[0]} »" if names else ""
    return (f"valeur inconnue{what} : un gabarit n'a accès qu'aux valeurs qu'il reçoit "
            "(voir les gabarits livrés)")


def template_syntax(reason: str | None, line: int) -> str:
    """A template that Jinja2 cannot read."""
    return f"ligne {line} : gabarit illisible ({reason or 'erreur de syntaxe'})"


def template_forbidden(reason: object) -> str:
    """Jinja2's sandbox refused an attribute or a call: named, never run."""
    names = _QUOTED.findall(str(reason))
    what = f" (« {names[0]} »)" if names else ""
    return (f"opération interdite dans un gabarit{what} : un gabarit n'a accès qu'aux valeurs "
            "qu'il reçoit ; rien n'a été exécuté")


SYSTEM_ERRORS = {
    "ENOENT": "fichier ou dossier introuvable", "EACCES": "permission refusée",
    "EPERM": "opération non permise", "ENOSPC": "plus de place sur le disque",
    "EDQUOT": "quota de disque dépassé", "EROFS": "système de fichiers en lecture seule",
    "EISDIR": "c'est un dossier", "ENOTDIR": "un élément du chemin n'est pas un dossier",
    "ENAMETOOLONG": "nom trop long", "EIO": "erreur d'entrée-sortie", "EFBIG": "fichier trop gros",
    "EPIPE": "tube refermé par le programme qui lisait", "ELOOP": "trop de liens symboliques",
}


def system_error(error: OSError) -> str:
    """An OSError in French (its strerror is English): « permission refusée »."""
    import errno

    name = errno.errorcode.get(error.errno or 0, "")
    return SYSTEM_ERRORS.get(name, f"erreur système {name or error.errno}")


def output_refused(path: str, kind: str) -> str:
    return (f"« {path} » est un {kind} : refusé, seul un fichier ordinaire est remplacé "
            "(indiquez un autre nom de fichier)")


def output_not_written(path: str, error: OSError) -> str:
    return f"écriture impossible dans « {path} » ({system_error(error)}) ; rien n'a été remplacé"


def stdout_failed(error: OSError) -> str:
    return f"sortie standard : écriture impossible ({system_error(error)}) ; sortie incomplète"


ENCODING_LABELS = {"utf-8": "UTF-8", "windows-1252": "Windows-1252", "utf-16": "UTF-16"}
DELIMITER_LABELS = {";": "« ; »", ",": "« , »", "\t": "tabulation"}


def import_summary(count: int, encoding: str, delimiter: str, ignored: list[str]) -> str:
    """« 2 dossiers importés (fichier lu en Windows-1252, séparateur « ; ») »."""
    done = f"{plural(count, 'dossier')} importé{'s' if count > 1 else ''}"
    read = f"fichier lu en {ENCODING_LABELS[encoding]}, séparateur {DELIMITER_LABELS[delimiter]}"
    skipped = (" ; " + plural(len(ignored), "colonne ignorée", "colonnes ignorées") + " : "
               + ", ".join(f"« {name} »" if name else "(sans en-tête)" for name in ignored)
               if ignored else "")
    return f"{done} ({read}){skipped}."


DUPLICATE_CONFIRM_OPEN = "ajoutez --duplicate"
DUPLICATE_CONFIRM_IMPORT = "mettez « oui » dans la colonne doublon"


def duplicate_dossier(worker: str, kind: str, start: date, reference: str,
                      confirm: str = DUPLICATE_CONFIRM_OPEN) -> str:
    return (f"« {worker} » a déjà un dossier {KIND_LABELS[kind]} qui commence le "
            f"{short_date(start)} ({reference}) ; pour en ouvrir un second quand même, "
            f"{confirm}")


def duplicate_mission(reference: str, start: date, end: date) -> str:
    return (f"une mission commençant le {short_date(start)} (jusqu'au {short_date(end)}) est déjà "
            f"enregistrée dans « {reference} » ; pour la corriger : dossiers cancel {reference} "
            f"mission --on {short_date(start)}, puis saisissez-la de nouveau")


def no_mission_on(reference: str, start: date) -> str:
    return f"aucune mission commençant le {short_date(start)} dans « {reference} »"


def staff_owns_dossiers(name: str, count: int) -> str:
    return (f"{name} est responsable de {plural(count, 'dossier')} : indiquez à qui les confier "
            "avec --reassign EMAIL")


def last_manager_gone(agency: str) -> str:
    return (f"Attention : l'agence « {agency} » n'a plus de manager ; les étapes en retard de plus "
            "de 3 jours ouvrés ne remontent plus à personne (ajoutez un manager avec "
            "dossiers staff add … --role manager)")


# Row-level security per agency (PostgreSQL): agency grant|revoke, access check.
ACCESS_NEEDS_POSTGRES = ("les rôles par agence demandent PostgreSQL ; une base SQLite est un "
                         "fichier pour un seul bureau (rien n'a été modifié)")
ACCESS_NOT_INSTALLED = ("pas de sécurité par agence dans ce schéma (migration 0012) : lancez "
                        "« dossiers init »")


def _agency_or_all(agency: str | None) -> str:
    return f"l'agence « {agency} »" if agency is not None else "toutes les agences"


def role_is_owner(role: str) -> str:
    return (f"« {role} » est le propriétaire du schéma, que la sécurité par agence n'arrête pas "
            "pour les migrations : donnez aux commandes un autre rôle")


def role_above_the_walls(role: str) -> str:
    return (f"« {role} » est superutilisateur ou BYPASSRLS : la base ne l'arrêterait pas aux "
            "murs des agences ; choisissez un autre rôle")


def role_not_mapped(role: str, agency: str | None) -> str:
    return f"« {role} » n'est pas le rôle de {_agency_or_all(agency)}"


def role_granted(role: str, agency: str | None, created: bool, password_set: bool) -> str:
    done = "créé" if created else "mis à jour"
    password = " ; mot de passe posé" if password_set else ""
    return f"Rôle « {role} » {done} : il voit et écrit {_agency_or_all(agency)}{password}."


def role_revoked(role: str, agency: str | None) -> str:
    return (f"Rôle « {role} » retiré de {_agency_or_all(agency)} : il ne voit plus rien "
            "(le rôle existe encore ; DROP ROLE le supprime).")


def table_without_rls(table: str) -> str:
    return f"table « {table} » : sécurité des lignes non activée (ENABLE ROW LEVEL SECURITY)"


def table_not_forced(table: str) -> str:
    return (f"table « {table} » : sécurité des lignes non forcée : son propriétaire passe "
            "outre (FORCE ROW LEVEL SECURITY)")


def table_without_policy(table: str) -> str:
    return f"table « {table} » : sécurité des lignes sans règle : personne ne voit rien"


def table_unprotected(table: str, why: list[str]) -> str:
    return (f"table « {table} » : données d'agence ({', '.join(why)}) sans sécurité des "
            "lignes ; ajoutez-la à PROTECTED (store/access.py) et à une migration")


def view_not_invoker(view: str) -> str:
    return (f"vue « {view} » : lue avec les droits de son propriétaire ; déclarez-la "
            "security_invoker")


def access_check_not_owner(user: str) -> str:
    return (f"vérification lancée sous « {user} », qui ne voit que sa propre ligne des rôles : "
            "lancez-la avec le rôle propriétaire du schéma")


def role_missing(role: str, agency: str | None) -> str:
    return f"rôle « {role} » ({_agency_or_all(agency)}) : n'existe pas dans le serveur"


def role_bypasses(role: str, agency: str | None, superuser: bool) -> str:
    what = "superutilisateur" if superuser else "BYPASSRLS"
    return (f"rôle « {role} » ({_agency_or_all(agency)}) : {what}, la base ne l'arrête pas "
            "aux murs des agences")


def agency_without_role(agency: str) -> str:
    return f"agence « {agency} » : aucun rôle (dossiers agency grant « {agency} » --role NOM)"


def access_summary(tables: int) -> str:
    return f"Sécurité par agence : aucun problème ({tables} tables protégées)."


def refused_by_database(user: str | None) -> str:
    """insufficient_privilege: a row of another agency (row-level security), or a privilege
    the role does not have (a table it was not granted, DDL)."""
    who = f"au rôle « {user} »" if user else "à ce rôle"
    return (f"la base de données refuse cette écriture ou cette lecture {who} : hors de son "
            "agence ou de ses droits (sécurité par agence) ; rien n'a été modifié")


DUPLICATE_IN_ANOTHER_AGENCY = (
    "la base de données refuse cette écriture : la donnée existe déjà, dans une autre agence "
    "que ce rôle ne voit pas ou enregistrée au même moment par une autre commande ; rien n'a "
    "été modifié")
