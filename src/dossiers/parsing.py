"""Reading what users type or import: dates, hours, choices. Errors name the field."""

from __future__ import annotations

import re
from datetime import date, datetime
from fractions import Fraction

from dossiers.errors import InvalidInput

_HOURS = re.compile(r"^\s*(\d+)(?:[.,](\d+))?\s*(?:h)?\s*$")
_HOURS_MINUTES = re.compile(r"^\s*(\d+)\s*h\s*(\d{1,2})\s*(?:min)?\s*$")


def parse_date(field: str, text: str) -> date:
    """AAAA-MM-JJ or JJ/MM/AAAA."""
    value = text.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise InvalidInput(field, f"date invalide « {text} » (attendu AAAA-MM-JJ ou JJ/MM/AAAA)")


def parse_hours(field: str, text: str) -> Fraction:
    """« 210 », « 210,5 », « 46.5 », « 46 h 40 »: hours, to the minute."""
    match = _HOURS_MINUTES.match(text)
    if match:
        whole, minutes = int(match.group(1)), int(match.group(2))
        if minutes >= 60:
            raise InvalidInput(field, f"nombre d'heures invalide « {text} »")
        return Fraction(whole) + Fraction(minutes, 60)
    match = _HOURS.match(text)
    if not match:
        raise InvalidInput(field, f"nombre d'heures invalide « {text} » (exemple : 210 ou 46,5)")
    whole, decimals = match.group(1), match.group(2) or ""
    value = Fraction(int(whole)) + (Fraction(int(decimals), 10 ** len(decimals)) if decimals else 0)
    if (value * 60).denominator != 1:
        raise InvalidInput(field, f"« {text} » n'est pas un nombre entier de minutes")
    return value


_AMOUNT = re.compile(r"^\s*(\d+)(?:[.,](\d{1,2}))?\s*(?:€|EUR)?\s*$", re.IGNORECASE)


def parse_amount(field: str, text: str) -> Fraction:
    """« 36 », « 36,50 », « 36.5 € »: euros, to the cent."""
    match = _AMOUNT.match(text)
    if not match:
        raise InvalidInput(field, f"montant invalide « {text} » (exemple : 36 ou 36,50)")
    cents = match.group(2) or "0"
    return Fraction(int(match.group(1))) + Fraction(int(cents.ljust(2, "0")), 100)


_PERCENT = re.compile(r"^\s*(\d+)(?:[.,](\d{1,2}))?\s*%?\s*$")


def parse_percent(field: str, text: str) -> Fraction:
    """« 30 », « 32,5 % »: a percentage to the hundredth, returned as a share of 0 … 1."""
    match = _PERCENT.match(text)
    if not match:
        raise InvalidInput(field, f"pourcentage invalide « {text} » (exemple : 30 ou 32,5)")
    hundredths = int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))
    share = Fraction(hundredths, 10000)
    if share > 1:
        raise InvalidInput(field, f"« {text} » dépasse 100 %")
    return share


def to_minutes(value: Fraction) -> int:
    minutes = value * 60
    assert minutes.denominator == 1, "hours are parsed to the minute"
    return int(minutes)


def from_minutes(minutes: int) -> Fraction:
    return Fraction(minutes, 60)


def parse_choice(field: str, text: str, choices: dict[str, str]) -> str:
    """A value among `choices` (code → French label), case and accents of the code aside."""
    value = text.strip().lower()
    if value in choices:
        return value
    listed = ", ".join(choices)
    raise InvalidInput(field, f"valeur inconnue « {text} » (valeurs possibles : {listed})")
