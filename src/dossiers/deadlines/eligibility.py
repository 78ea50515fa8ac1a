"""Eligibility bases and their justificatifs (R-CIPI-ELIG, R-CDPI-ELIG, R-CAR-ELIG).

Sensitive data: a dossier's basis is shown only by `show` and `explain`, never in
emails, lists or reports.

003 gives, for each CDPI public, the justificatif and whether the agency keeps it or
sends it to AKTO; its columns are lost in the source text we have, except for the
CDAPH opinion, sent « au moment de la saisie du contrat » (R-DOCS). We read every
other justificatif as kept by the agency (I-JUSTIFICATIF-KEPT, shown with the checklist).
CAR: work accident, occupational disease and commuting accident (I-CAR-COMMUTING).
"""

from __future__ import annotations

from dataclasses import dataclass

from dossiers.deadlines.facts import Kind

KEPT = "agence"
TO_AKTO = "akto"
CIPI_CDPI = frozenset({Kind.CIPI, Kind.CDPI})


@dataclass(frozen=True)
class Category:
    code: str
    label: str
    kinds: frozenset[Kind]
    rule: str
    justificatif: str | None
    destination: str = KEPT
    step: str = "drf"
    when: str = "avant la DRF"


CATEGORIES: dict[str, Category] = {c.code: c for c in (
    Category("anciennete-150h", "150 h dans la branche sur les 12 derniers mois",
             frozenset({Kind.CDPI}), "R-CDPI-ELIG", None),
    Category("etti", "public accompagné par une ETTI", CIPI_CDPI, "R-CDPI-ELIG", None),
    Category("obligation-emploi", "bénéficiaire de l'obligation d'emploi (L. 5212-13)",
             CIPI_CDPI, "R-CDPI-ELIG",
             "avis CDAPH ou attestation d'invalidité de la sécurité sociale", TO_AKTO,
             "contract", "à la saisie du contrat"),
    Category("inapte", "inaptitude définitive reconnue par le médecin du travail", CIPI_CDPI,
             "R-CDPI-ELIG", "avis d'inaptitude de la médecine du travail"),
    Category("savoirs-de-base", "difficultés de maîtrise des savoirs de base", CIPI_CDPI,
             "R-CDPI-ELIG", "bilan de positionnement (compétences linguistiques et savoirs de "
             "base)", KEPT, "drf", "en amont du projet"),
    Category("minima-sociaux", "bénéficiaire des minima sociaux", CIPI_CDPI, "R-CDPI-ELIG",
             "attestation de la CAF (RSA) ou de France Travail (ASS)"),
    Category("chomage-longue-duree", "demandeur d'emploi de longue durée", CIPI_CDPI,
             "R-CDPI-ELIG", "historique de demandeur d'emploi"),
    Category("protection-internationale", "protection internationale ou demande d'asile",
             CIPI_CDPI, "R-CDPI-ELIG", "récépissé, décision OFPRA, récépissé de demande de titre "
             "de séjour ou titre de voyage"),
    Category("sans-qualification", "sans expérience, qualification au plus de niveau 3",
             CIPI_CDPI, "R-CDPI-ELIG", "attestation sur l'honneur (dernier diplôme, difficultés "
             "d'accès à l'emploi)"),
    Category("sans-activite", "sans activité professionnelle depuis au moins 1 an", CIPI_CDPI,
             "R-CDPI-ELIG", "attestation sur l'honneur (interruption d'activité et motif)"),
    Category("reconversion", "en reconversion professionnelle", frozenset({Kind.CDPI}),
             "R-CDPI-ELIG", "attestation sur l'honneur (motif de reconversion)"),
    Category("cipi-complet", "a réalisé un CIPI complet", frozenset({Kind.CDPI}), "R-CDPI-ELIG",
             "copie du mail d'AKTO validant l'éligibilité"),
    Category("accident-travail", "accident du travail pendant une mission",
             frozenset({Kind.CAR}), "R-CAR-ELIG", None),
    Category("maladie-professionnelle", "maladie professionnelle pendant une mission",
             frozenset({Kind.CAR}), "R-CAR-ELIG", None),
    Category("accident-trajet", "accident de trajet pendant une mission (004)",
             frozenset({Kind.CAR}), "R-CAR-ELIG", None),
)}


def categories_for(kind: Kind) -> dict[str, Category]:
    return {code: c for code, c in CATEGORIES.items() if kind in c.kinds}
