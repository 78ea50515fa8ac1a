"""Each step's checklist of documents, computed from the dossier (R-DOCS, R-CONTRACT,
R-ATTEND, R-SURCOUT, R-CDPI-ELIG, R-CAR-ELIG).

A document « implied » by a step's event is what that event means (sending the
contract is sending the employee data, the contract, the convention and the
programme); the others must be marked received (`dossiers doc`), and a step with a
missing one is not done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import lru_cache
from typing import Any

from dossiers.deadlines.eligibility import CATEGORIES, TO_AKTO
from dossiers.messages import period
from dossiers.deadlines.facts import ContractType, DossierFacts, Kind, Programme

AKTO = TO_AKTO
AGENCY = "agence"
# R-CONTRACT: the delay comes from the dossier's rule set (61 days now, 30 under akto-2021).
CONTRACT_WHEN = "sous {contract} après l'accord"


@dataclass(frozen=True)
class DocumentRule:
    code: str
    label: str
    step: str
    rule: str
    destination: str
    when: str
    applies: Callable[[DossierFacts], bool]
    implied: bool = False
    sensitive: bool = False
    # A line to check that no source ties to the step's event: missing, it is said, and the
    # step can still be done (R-AFEST-OF, R-CDPI-CERTIFICATE).
    blocking: bool = True


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    label: str
    step: str
    rule: str
    destination: str
    when: str
    implied: bool
    received_on: date | None
    sensitive: bool
    blocking: bool = True

    @property
    def missing(self) -> bool:
        return not self.implied and self.received_on is None

    @property
    def blocks(self) -> bool:
        """Missing, it keeps its step from being done (I-DOCS-BLOCK-STEP)."""
        return self.missing and self.blocking


def _akto_process(facts: DossierFacts) -> bool:
    return facts.kind is not Kind.CAR


def _contract_label(facts: DossierFacts) -> str:
    return ("lettre de mission-formation signée" if facts.contract_type is ContractType.CDII
            else "contrat type signé")


RULES: tuple[DocumentRule, ...] = (
    DocumentRule("reference-langue-competences",
                 "« Référence projet » d'AKTO et commentaire « Programme Langue & Compétences »",
                 "drf", "R-DOCS", AKTO, "à la saisie de la DRF",
                 lambda f: _akto_process(f) and f.programme is Programme.LANGUE_COMPETENCES),
    DocumentRule("reference-hope", "« Référence projet » d'AKTO et commentaire « Programme HOPE »",
                 "drf", "R-DOCS", AKTO, "à la saisie de la DRF",
                 lambda f: f.kind is Kind.CDPI and f.programme is Programme.HOPE),
    DocumentRule("engagement-parties", "programme et « engagement des parties » (formation dans "
                 "l'entreprise utilisatrice)", "drf", "R-DOCS", AKTO, "à la saisie de la DRF",
                 lambda f: _akto_process(f) and f.in_user_company),
    DocumentRule("donnees-salarie", "informations relatives au salarié", "contract",
                 "R-CONTRACT", AKTO, CONTRACT_WHEN, _akto_process, implied=True),
    DocumentRule("contrat-signe", "contrat type ou lettre de mission-formation signé(e)",
                 "contract", "R-CONTRACT", AKTO, CONTRACT_WHEN, _akto_process,
                 implied=True),
    DocumentRule("convention", "convention de formation", "contract", "R-CONTRACT", AKTO,
                 CONTRACT_WHEN, _akto_process, implied=True),
    DocumentRule("programme-formation", "programme de formation", "contract", "R-CONTRACT", AKTO,
                 CONTRACT_WHEN, _akto_process, implied=True),
    DocumentRule("charte-missions-jeunes", "charte d'engagement (Missions Jeunes)", "contract",
                 "R-DOCS", AKTO, "avec le contrat",
                 lambda f: _akto_process(f) and f.programme is Programme.MISSIONS_JEUNES),
    DocumentRule("protocole-afest", "protocole de formation AFEST et engagement des parties",
                 "contract", "R-DOCS", AKTO, "avec le contrat",
                 lambda f: _akto_process(f) and f.afest),
    DocumentRule("organisme-externe-afest", "AFEST organisée par un organisme de formation "
                 "externe (000 : décision CPNE du 10 mai 2021)", "contract", "R-AFEST-OF", AGENCY,
                 "avant le contrat", lambda f: _akto_process(f) and f.afest, blocking=False),
    DocumentRule("heures-presence", "heures de présence", "attendance", "R-ATTEND", AKTO,
                 "avec la demande de remboursement", _akto_process, implied=True),
    DocumentRule("certificat-realisation", "certificat de réalisation ou feuilles d'émargement",
                 "attendance", "R-ATTEND", AKTO, "avec la demande de remboursement",
                 _akto_process, implied=True),
    DocumentRule("contrat-mission", "contrat de la mission obligatoire, signé", "attendance",
                 "R-ATTEND", AKTO, "avec la demande de remboursement", _akto_process,
                 implied=True),
    DocumentRule("facture-of", "facture de l'organisme de formation (surcoût)", "attendance",
                 "R-SURCOUT", AKTO, "avec la demande de remboursement du surcoût",
                 lambda f: _akto_process(f) and f.hourly_cost is not None),
    DocumentRule("attestation-competences", "document validant les compétences acquises, remis "
                 "par l'organisme de formation en deux exemplaires originaux (salarié et "
                 "employeur)", "attendance", "R-CDPI-CERTIFICATE", AGENCY,
                 "à l'issue de la formation", lambda f: f.kind is Kind.CDPI, blocking=False),
    DocumentRule("avis-pole-reconversion", "avis du pôle reconversion du FPETT",
                 "car_request", "R-CAR-ELIG", AGENCY, "avant la demande à AKTO",
                 lambda f: f.kind is Kind.CAR),
)


def checklist(facts: DossierFacts) -> tuple[ChecklistItem, ...]:
    """Every document the dossier needs, with the date it was received if it was."""
    deciding = (facts.kind, facts.programme, facts.contract_type, facts.in_user_company,
                facts.afest, facts.hourly_cost is not None, facts.eligibility)
    delay = facts.rules.contract_within.value
    received = (tuple(facts.documents.get(row[0]) for row in _applicable(*deciding))
                if facts.documents else None)
    return _checklist(deciding, delay.amount, delay.unit.value, received)


@lru_cache(maxsize=4096)
def _checklist(deciding: tuple[Any, ...], amount: int, unit: str,
               received: tuple[date | None, ...] | None) -> tuple[ChecklistItem, ...]:
    """The checklist of the facts that decide it, the contract's delay and the documents'
    dates (None: none received). Cached: most dossiers share all of them, and the engine asks
    for every dossier (its items are frozen, so dossiers may share them)."""
    contract = period(amount, unit)
    return tuple(
        ChecklistItem(code, label, step, rule, destination, when.format(contract=contract),
                      implied, None if received is None else received[position], sensitive,
                      blocking)
        for position, (code, label, step, rule, destination, when, implied, sensitive,
                       blocking) in enumerate(_applicable(*deciding))
    )


@lru_cache(maxsize=1024)
def _applicable(kind: Kind, programme: Programme | None, contract_type: ContractType,
                in_user_company: bool, afest: bool, has_cost: bool,
                eligibility: str | None) -> tuple[tuple[Any, ...], ...]:
    """The documents that apply, from the few facts that decide it (cached: dossiers share
    them, and the engine asks for every dossier)."""
    facts = DossierFacts(kind=kind, training_start=date.min, training_end=date.min,
                         training_hours=Fraction(0), programme=programme,
                         contract_type=contract_type, in_user_company=in_user_company,
                         afest=afest, hourly_cost=Fraction(1) if has_cost else None,
                         eligibility=eligibility)
    rows: list[tuple[Any, ...]] = [
        (rule.code, rule.label if rule.code != "contrat-signe" else _contract_label(facts),
         rule.step, rule.rule, rule.destination, rule.when, rule.implied, rule.sensitive,
         rule.blocking)
        for rule in RULES if rule.applies(facts)
    ]
    category = CATEGORIES.get(eligibility or "")
    if category is not None and category.justificatif and kind in category.kinds:
        rows.append((f"justificatif-{category.code}", category.justificatif, category.step,
                     category.rule, category.destination, category.when, False, True, True))
    return tuple(rows)
