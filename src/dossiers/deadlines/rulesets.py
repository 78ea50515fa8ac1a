"""Named, dated rule sets: every figure of the rule book (docs/rules.md) once, tied to its rule id.

A change of the AKTO process is a new RuleSet here and a test, not a code hunt.
A dossier keeps the rule set it was opened under; without `--rules` it is chosen by
date (`choose_rule_set`, interpretation I-RULES-DATE).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from fractions import Fraction
from typing import Generic, TypeVar

from dossiers.deadlines.periods import Period, business_days, days, months, weeks

T = TypeVar("T")


@dataclass(frozen=True)
class Figure(Generic[T]):
    """One figure of the rule book, with the rule it comes from and the source's words."""

    value: T
    rule: str
    source: str
    quote: str


@dataclass(frozen=True)
class HoursRange:
    low: Fraction | None
    high: Fraction | None


@dataclass(frozen=True)
class RuleSet:
    name: str
    title: str
    effective: Figure[date]
    # AKTO process for CIPI and CDPI
    drf_opens_before_start: Figure[Period]
    drf_due_before_start: Figure[Period]
    akto_answer_within: Figure[Period]
    contract_within: Figure[Period]
    drf_shift_limit: Figure[Period]
    attendance_due_after_end: Figure[Period | None]
    # CIPI
    cipi_training_hours: Figure[HoursRange]
    cipi_total_hours: Figure[HoursRange]
    cipi_mission_hours: Figure[Fraction]
    cipi_period: Figure[Period]
    cipi_positioning_max_hours: Figure[Fraction]
    cipi_evaluation_max_hours: Figure[Fraction]
    # CDPI
    cdpi_training_hours: Figure[HoursRange]
    cdpi_period: Figure[Period]
    cdpi_positioning_before_start: Figure[Period]
    cdpi_positioning_max_hours: Figure[Fraction]
    cdpi_evaluation_max_hours: Figure[Fraction]
    cdpi_seniority_hours: Figure[Fraction]
    cdpi_seniority_period: Figure[Period]
    cdpi_mission_share: Figure[Fraction]
    cdpi_mission_window: Figure[Period]
    cdpi_trial_days: Figure[tuple[tuple[int | None, int], ...]]
    # Funding
    cipi_flat_rate: Figure[Fraction]
    cipi_programme_flat_rate: Figure[Fraction]
    cdpi_flat_rate: Figure[Fraction | None]
    cipi_tutor_rate: Figure[Fraction]
    cipi_tutor_max_hours: Figure[Fraction]
    cdpi_tutor_rate: Figure[Fraction | None]
    cdpi_tutor_max_hours: Figure[Fraction]
    lc_basic_skills_min_share: Figure[Fraction]
    company_min_headcount: Figure[int]
    mission_pace_hours_per_week: Figure[Fraction]
    # CAR
    car_contract_period: Figure[Period]
    car_training_period: Figure[Period]
    car_request_before_start: Figure[Period]
    car_mission_share: Figure[Fraction]
    car_mission_window: Figure[Period]

    @property
    def effective_from(self) -> date:
        return self.effective.value


# R-DRF-WINDOW: a fact about dates, whatever the rule set (I-2021-SUSPENSION): no DRF deposit
# from 1 July to 21 August 2022 inclusive (002).
DRF_SUSPENSIONS: Figure[tuple[tuple[date, date], ...]] = Figure(
    ((date(2022, 7, 1), date(2022, 8, 21)),), "R-DRF-WINDOW", "002",
    "Interruption du dépôt des demandes de réservation de fonds (DRF) des CIPI et CDPI du 1er "
    "juillet jusqu'au 21 août 2022 inclus",
)

AKTO_CURRENT = RuleSet(
    name="akto-current",
    title="Processus AKTO en vigueur (fiches FPETT/AKTO CIPI et CDPI)",
    effective=Figure(
        date(2022, 8, 22), "I-RULES-CURRENT-DATE", "interprétation",
        "les fiches 001 et 003 ne sont pas datées ; la page de 2021 (002) annonce l'« "
        "interruption du dépôt des demandes de réservation de fonds (DRF) des CIPI et CDPI du "
        "1er juillet jusqu'au 21 août 2022 inclus » : nous lisons la reprise des dépôts, le "
        "22 août 2022, comme l'entrée en vigueur du processus actuel",
    ),
    drf_opens_before_start=Figure(
        months(2), "R-DRF-WINDOW", "001",
        "au plus tôt 2 mois et au plus tard 48 heures avant le démarrage de la formation",
    ),
    # "48 heures" read as 2 jours ouvrés (I-48H-BUSINESS-DAYS).
    drf_due_before_start=Figure(
        business_days(2), "R-DRF-WINDOW", "001",
        "au plus tôt 2 mois et au plus tard 48 heures avant le démarrage de la formation",
    ),
    akto_answer_within=Figure(
        business_days(2), "R-DRF-ANSWER", "001", "Réponse d'AKTO – Réseau FAF.TT sous 48h ouvrées",
    ),
    contract_within=Figure(
        days(61), "R-CONTRACT", "001", "Sous 61 jours calendaires suivant l'accord DRF",
    ),
    drf_shift_limit=Figure(
        months(2), "R-DRF-SHIFT", "003",
        "si la date de démarrage de la formation est décalée et commence plus de 2 mois "
        "suivant l'accord DRF, alors il faudra refaire une DRF",
    ),
    # No deadline in the sources (I-ATTEND-NO-DEADLINE).
    attendance_due_after_end=Figure(
        None, "R-ATTEND", "001",
        "Les contrats de mission signés seront à transmettre au moment de votre demande de "
        "remboursement",
    ),
    cipi_training_hours=Figure(
        HoursRange(Fraction(70), Fraction(245)), "R-CIPI-HOURS", "001",
        "Un temps de formation en organisme de formation externe à l'ETT/ETTI, de 70 heures "
        "minimum à 245 heures maximum",
    ),
    cipi_total_hours=Figure(
        HoursRange(Fraction(140), Fraction(315)), "R-CIPI-HOURS", "001",
        "La durée d'un CIPI est comprise entre 140 heures et 315 heures qui peuvent être "
        "réalisées en continu ou en discontinu sur une période de 6 mois",
    ),
    cipi_mission_hours=Figure(
        Fraction(70), "R-CIPI-MISSION", "001",
        "vous (ETT/ETTI) vous engagez à déléguer le/la salarié(e) intérimaire 70 heures minimum "
        "sur la période de 6 mois maximum de réalisation du CIPI, quelle que soit la durée de "
        "la formation",
    ),
    cipi_period=Figure(
        months(6), "R-CIPI-MISSION", "001", "sur la période de 6 mois maximum de réalisation du CIPI",
    ),
    cipi_positioning_max_hours=Figure(
        Fraction(14), "R-CIPI-BILAN", "001",
        "il est possible de proposer au stagiaire un bilan de positionnement [...] Il est d'une "
        "durée maximum de 14 heures",
    ),
    cipi_evaluation_max_hours=Figure(
        Fraction(14), "R-CIPI-BILAN", "001",
        "A l'issue du CIPI, il est possible de faire un bilan d'évaluation [...] d'une durée "
        "maximum de 14 heures",
    ),
    cdpi_training_hours=Figure(
        HoursRange(Fraction(140), Fraction(525)), "R-CDPI-HOURS", "003",
        "une période de formation d'une durée comprise entre 140 heures (soit 4 semaines) "
        "et 525 heures (soit 15 semaines)",
    ),
    cdpi_period=Figure(
        months(12), "R-CDPI-HOURS", "003",
        "réalisées en continu ou en discontinu sur une période de 12 mois au maximum",
    ),
    cdpi_positioning_before_start=Figure(
        days(7), "R-CDPI-BILAN", "003",
        "doit être réalisé une semaine avant le démarrage de la formation",
    ),
    cdpi_positioning_max_hours=Figure(
        Fraction(14), "R-CDPI-BILAN", "003",
        "le bilan de positionnement [...] D'une durée maximum de 14 h",
    ),
    cdpi_evaluation_max_hours=Figure(
        Fraction(14), "R-CDPI-BILAN", "003",
        "le bilan d'évaluation [...] D'une durée maximale de 14 h",
    ),
    cdpi_seniority_hours=Figure(
        Fraction(150), "R-CDPI-ELIG", "003",
        "justifiant d'une ancienneté, de 150 heures (congés payés compris) au moins dans la "
        "branche (toutes Entreprises du Travail Temporaire confondues), au cours des douze "
        "derniers mois",
    ),
    cdpi_seniority_period=Figure(
        months(12), "R-CDPI-ELIG", "003", "au cours des douze derniers mois",
    ),
    cdpi_mission_share=Figure(
        Fraction(1, 3), "R-CDPI-MISSION", "003",
        "d'une durée totale au moins égale au tiers de la durée de la formation",
    ),
    cdpi_mission_window=Figure(
        months(3), "R-CDPI-MISSION", "003",
        "Cette mission doit être entièrement réalisée dans les 3 mois qui suivent la fin de la formation",
    ),
    cdpi_trial_days=Figure(
        ((1, 2), (2, 3), (None, 5)), "R-CDPI-TRIAL", "003",
        "2 jours si le contrat est conclu pour une durée inférieure ou égale à 1 mois ; […] 3 "
        "jours si le contrat est conclu pour une durée supérieure à 1 mois et inférieure ou "
        "égale à 2 mois ; […] 5 jours si le contrat est conclu pour une durée supérieure à 2 "
        "mois",
    ),
    cipi_flat_rate=Figure(
        Fraction(17), "R-CIPI-FUND", "001", "Pour les CIPI classiques : 17 € HT / heure",
    ),
    cipi_programme_flat_rate=Figure(
        Fraction(27), "R-CIPI-FUND", "001",
        "Pour les CIPI dans le cadre des programmes nationaux et de priorités fixées par la "
        "branche : 27 euros € HT / heures",
    ),
    # No figure in the sources: configurable (I-CDPI-RATE-CONFIG).
    cdpi_flat_rate=Figure(
        None, "R-CDPI-FUND", "003",
        "remboursées sur la base d'un taux forfaitaire défini par les instances paritaires",
    ),
    cipi_tutor_rate=Figure(
        Fraction(15), "R-CIPI-FUND", "001",
        "Formation de tuteur : Elle peut être prise en charge par l'OPCO sur la base d'un "
        "forfait horaire de 15 € de l'heure et dans la limite d'une durée de 40 heures",
    ),
    cipi_tutor_max_hours=Figure(
        Fraction(40), "R-CIPI-FUND", "001",
        "Formation de tuteur : [...] dans la limite d'une durée de 40 heures",
    ),
    cdpi_tutor_rate=Figure(
        None, "R-CDPI-FUND", "003",
        "La formation du tuteur peut être prise en charge sur la base d'un forfait horaire dans "
        "la limite d'une durée de 40 heures (cf conditions de prise en charge)",
    ),
    cdpi_tutor_max_hours=Figure(
        Fraction(40), "R-CDPI-FUND", "003",
        "La formation du tuteur peut être prise en charge sur la base d'un forfait horaire dans "
        "la limite d'une durée de 40 heures",
    ),
    lc_basic_skills_min_share=Figure(
        Fraction(30, 100), "R-L&C", "001, 003",
        "Le programme de formation devra comporter au moins 30% de contenus de formation en "
        "lien avec les savoirs de base et /ou l'apprentissage de la langue française",
    ),
    # 001 and 003 disagree; 11 and more (I-MIN-HEADCOUNT).
    company_min_headcount=Figure(
        11, "R-CDPI-FUND", "003",
        "Seules les entreprises de 11 salariés et plus adhérentes à Prism'Emploi ou adhérentes "
        "volontaires à l'accord de branche du 29 novembre 2019 peuvent bénéficier de la prise "
        "en charge de leur CDPI sur l'enveloppe 0,3%",
    ),
    # I-MISSION-PACE-35H.
    mission_pace_hours_per_week=Figure(
        Fraction(35), "R-CDPI-MISSION", "interprétation",
        "alerte quand les heures restantes ne tiennent plus à 35 h par semaine",
    ),
    car_contract_period=Figure(
        months(12), "R-CAR-HOURS", "000", "Durée du contrat (formation + missions): 12 mois maximum",
    ),
    car_training_period=Figure(
        months(9), "R-CAR-HOURS", "000", "Durée de la formation : 9 mois maximum",
    ),
    car_request_before_start=Figure(
        days(0), "R-CAR-REQUEST", "000",
        "Faire parvenir sa demande à AKTO (maxi au démarrage de la formation)",
    ),
    car_mission_share=Figure(
        Fraction(1, 3), "R-CAR-MISSION", "000",
        "Mission obligatoire à l'issue : Au moins 1/3 de la durée de formation dans les 3 mois "
        "suivant la fin de formation",
    ),
    car_mission_window=Figure(
        months(3), "R-CAR-MISSION", "000",
        "Mission obligatoire à l'issue : Au moins 1/3 de la durée de formation dans les 3 mois "
        "suivant la fin de formation",
    ),
)

AKTO_2021 = replace(
    AKTO_CURRENT,
    name="akto-2021",
    title="Processus AKTO du 22/09/2021 (page AKTO CIPI, ancienne version)",
    effective=Figure(
        date(2021, 9, 22), "I-RULES-DATE", "002", "22/09/2021",
    ),
    drf_opens_before_start=Figure(
        weeks(4), "R-DRF-WINDOW", "002",
        "au plus tôt 4 semaines et au plus tard 48 heures ouvrées avant la date de démarrage",
    ),
    drf_due_before_start=Figure(
        business_days(2), "R-DRF-WINDOW", "002",
        "au plus tôt 4 semaines et au plus tard 48 heures ouvrées avant la date de démarrage",
    ),
    contract_within=Figure(
        days(30), "R-CONTRACT", "002", "sous 30 jours calendaires suivant l'accord DRF",
    ),
    drf_shift_limit=Figure(
        weeks(4), "R-DRF-SHIFT", "002",
        "si la date de démarrage de la formation est décalée et commence plus de 4 semaines "
        "suivant l'accord DRF, alors il faudra refaire une DRF",
    ),
)

RULE_SETS: dict[str, RuleSet] = {rules.name: rules for rules in (AKTO_CURRENT, AKTO_2021)}
DEFAULT_RULE_SET = AKTO_CURRENT.name


class UnknownRuleSet(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def rule_set_named(name: str) -> RuleSet:
    try:
        return RULE_SETS[name]
    except KeyError:
        raise UnknownRuleSet(name) from None


def rules_of(name: str) -> RuleSet:
    """The rule set a user named, or one French line saying it does not exist."""
    from dossiers.errors import InvalidInput

    try:
        return rule_set_named(name)
    except UnknownRuleSet:
        raise InvalidInput("règles", f"jeu de règles inconnu « {name} »") from None


@dataclass(frozen=True)
class RuleSetChoice:
    """The rule set a dossier gets by date (I-RULES-DATE) and the day that decided it."""

    rules: RuleSet
    reference: date
    by_drf_opening: bool
    in_force: bool


def choose_rule_set(start: date, zone: str, uses_drf: bool) -> RuleSetChoice:
    """I-RULES-DATE: the newest rule set already in force on the day its own DRF window
    opens (CIPI, CDPI: the process starts with the DRF), or on the training start (CAR,
    which has no DRF). A day before every rule set gets the oldest one, and says so."""
    newest_first = sorted(RULE_SETS.values(), key=lambda r: r.effective_from, reverse=True)
    reference = start
    for rules in newest_first:
        reference = (rules.drf_opens_before_start.value.earliest_before(start, zone) if uses_drf
                     else start)
        if reference >= rules.effective_from:
            return RuleSetChoice(rules, reference, uses_drf, True)
    return RuleSetChoice(newest_first[-1], reference, uses_drf, False)
