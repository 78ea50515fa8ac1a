"""Reading what users type or import: dates, hours, amounts, counts, text, choices.

Every value is bounded here, once, for the command line and the import alike; errors
name the field.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from fractions import Fraction
from functools import lru_cache

from dossiers.errors import InvalidInput

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)
"""Dates outside these are typing mistakes (and would overflow the calendar arithmetic)."""
MAX_HOURS = 10_000
MAX_EUROS = 10_000
MAX_COUNT = 1_000_000
MAX_DAYS = 36_500
"""Day counts (--within, --due-within): a century at most, like the supported dates."""
MAX_NUMBER_LENGTH = 40
"""Longer text is not a number we could mean (and int() refuses 4 300 digits and more)."""
NAME_LENGTH = 120
EMAIL_LENGTH = 254
REFERENCE_LENGTH = 64
REFERENCE_KEY_LENGTH = 256
"""A reference's key (reference_key) may be longer than the reference: « ⑽ » is « (10) »."""
TEXT_LENGTH = 254

_HOURS = re.compile(r"^\s*(\d+)(?:[.,](\d+))?\s*(?:h)?\s*$")
_HOURS_MINUTES = re.compile(r"^\s*(\d+)\s*h\s*(\d{1,2})\s*(?:min)?\s*$")


_ISO_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
"""AAAA-MM-JJ written in full: the form of nearly every date an import reads."""


def parse_date(field: str, text: str) -> date:
    """AAAA-MM-JJ or JJ/MM/AAAA."""
    value = text.strip()
    match = _ISO_DAY.fullmatch(value)
    if match is not None:
        # What strptime gives for this form, without its cost (an import reads tens of
        # thousands of dates); any other form, or a day that does not exist, goes below.
        try:
            day = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
        else:
            return _supported(field, value, day)
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = datetime.strptime(value, pattern).date()
        except ValueError:
            continue
        return _supported(field, value, day)
    raise InvalidInput(field, f"date invalide « {_shown(text)} » (attendu AAAA-MM-JJ ou "
                       "JJ/MM/AAAA)")


def _supported(field: str, value: str, day: date) -> date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidInput(field, f"date « {value} » hors des dates prises en charge "
                           f"({FIRST_DAY:%d/%m/%Y} – {LAST_DAY:%d/%m/%Y})")
    return day


@lru_cache(maxsize=4096)
def parse_hours(field: str, text: str) -> Fraction:
    """« 210 », « 210,5 », « 46.5 », « 46 h 40 »: hours, to the minute, MAX_HOURS at most.
    Cached (an error is not: it is raised each time): an import reads the same few figures
    on every row, and each costs several fractions."""
    if len(text) > MAX_NUMBER_LENGTH:
        raise InvalidInput(field, f"nombre d'heures invalide « {_shown(text)} » (exemple : 210 "
                           "ou 46,5)")
    match = _HOURS_MINUTES.match(text)
    if match:
        whole, minutes = int(match.group(1)), int(match.group(2))
        if minutes >= 60:
            raise InvalidInput(field, f"nombre d'heures invalide « {text} »")
        return _at_most(field, Fraction(whole) + Fraction(minutes, 60), text, MAX_HOURS, "h")
    match = _HOURS.match(text)
    if not match:
        raise InvalidInput(field, f"nombre d'heures invalide « {_shown(text)} » (exemple : 210 "
                           "ou 46,5)")
    whole, decimals = match.group(1), match.group(2) or ""
    value = Fraction(int(whole)) + (Fraction(int(decimals), 10 ** len(decimals)) if decimals else 0)
    if (value * 60).denominator != 1:
        raise InvalidInput(field, f"« {text} » n'est pas un nombre entier de minutes")
    return _at_most(field, value, text, MAX_HOURS, "h")


def _at_most(field: str, value: Fraction, text: str, limit: int, unit: str) -> Fraction:
    if value > limit:
        raise InvalidInput(field, f"« {text.strip()} » dépasse le maximum de "
                           f"{_thousands(limit)} {unit}")
    return value


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", "\u202f")


_AMOUNT = re.compile(r"^\s*(\d+)(?:[.,](\d{1,2}))?\s*(?:€|EUR)?\s*$", re.IGNORECASE)


def parse_amount(field: str, text: str) -> Fraction:
    """« 36 », « 36,50 », « 36.5 € »: euros, to the cent, MAX_EUROS at most."""
    match = _AMOUNT.match(text) if len(text) <= MAX_NUMBER_LENGTH else None
    if not match:
        raise InvalidInput(field, f"montant invalide « {_shown(text)} » (exemple : 36 ou 36,50)")
    cents = match.group(2) or "0"
    value = Fraction(int(match.group(1))) + Fraction(int(cents.ljust(2, "0")), 100)
    return _at_most(field, value, text, MAX_EUROS, "€")


def parse_count(field: str, text: str, limit: int = MAX_COUNT) -> int:
    """A whole number from 0 to `limit`."""
    value = text.strip()
    if not (value.isascii() and value.isdigit()) or len(value) > MAX_NUMBER_LENGTH:
        raise InvalidInput(field, f"nombre entier attendu, pas « {_shown(text)} »")
    number = int(value)
    if number > limit:
        raise InvalidInput(field, f"{value} dépasse le maximum de {_thousands(limit)}")
    return number


def parse_text(field: str, text: str, limit: int = TEXT_LENGTH) -> str:
    """Text without control characters (newline, tab, escape…), trimmed, not empty,
    `limit` characters at most."""
    value = text.strip()
    # isprintable() is False for every character _is_control refuses (Unicode's « Other »
    # and « Separator » categories): the character by character look only when it is False.
    if not value.isprintable() and any(_is_control(c) for c in value):
        raise InvalidInput(field, "caractère de contrôle interdit (saut de ligne, tabulation…)")
    if not value:
        raise InvalidInput(field, "ne peut pas être vide")
    if len(value) > limit:
        raise InvalidInput(field, f"trop long ({len(value)} caractères, {limit} au plus)")
    return value


def reference_key(reference: str) -> str:
    """What makes two references the same: NFKC, case folded (« MET-0001 », « met-0001 » and
    the full-width « ＭＥＴ-０００１ » are one reference). NFKC again after folding, which may
    undo it (« ﬁ » folds to « fi », « İ » to « i̇ »)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", reference).casefold())


SCRIPT_NAMES = {"CYRILLIC": "cyrillique", "GREEK": "grec", "ARMENIAN": "arménien",
                "HEBREW": "hébreu", "ARABIC": "arabe", "CHEROKEE": "cherokee"}


def parse_reference(field: str, text: str) -> str:
    """A dossier's reference as typed: text of REFERENCE_LENGTH characters at most, whose
    letters are Latin and digits 0-9 once NFKC-normalised, so that no look-alike (Cyrillic
    « М », Greek « Α ») makes a second reference that reads like the first."""
    value = parse_text(field, text, REFERENCE_LENGTH)
    # ASCII is its own NFKC form, and its only letters and digits are Latin and 0-9.
    for character in "" if value.isascii() else unicodedata.normalize("NFKC", value):
        category = unicodedata.category(character)
        if category.startswith("L") and unicodedata.name(character, "").startswith("LATIN"):
            continue
        if category.startswith("N") and character in "0123456789":
            continue
        if category[0] in "LN":
            script = unicodedata.name(character, "?").split()[0]
            alphabet = SCRIPT_NAMES.get(script, "hors de l'alphabet latin")
            raise InvalidInput(field, f"« {_shown(value)} » contient « {character} » "
                               f"({alphabet}) : une référence s'écrit en lettres latines et "
                               "chiffres 0-9")
    if len(reference_key(value)) > REFERENCE_KEY_LENGTH:
        raise InvalidInput(field, f"« {_shown(value)} » : trop long une fois normalisé")
    return value


def _is_control(character: str) -> bool:
    """Control, format (bidirectional overrides), separator of lines or paragraphs, surrogate
    or unassigned characters."""
    return unicodedata.category(character) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")


def _shown(text: str, limit: int = 40) -> str:
    """A bad value as an error message may quote it: one line, not too long."""
    value = "".join("?" if _is_control(c) else c for c in text.strip())
    return value if len(value) <= limit else value[: limit - 1] + "…"


_PERCENT = re.compile(r"^\s*(\d+)(?:[.,](\d{1,2}))?\s*%?\s*$")


def parse_percent(field: str, text: str) -> Fraction:
    """« 30 », « 32,5 % »: a percentage to the hundredth, returned as a share of 0 … 1."""
    match = _PERCENT.match(text) if len(text) <= MAX_NUMBER_LENGTH else None
    if not match:
        raise InvalidInput(field, f"pourcentage invalide « {_shown(text)} » (exemple : 30 ou "
                           "32,5)")
    hundredths = int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))
    share = Fraction(hundredths, 10000)
    if share > 1:
        raise InvalidInput(field, f"« {text} » dépasse 100 %")
    return share


def to_minutes(value: Fraction) -> int:
    minutes = value * 60
    assert minutes.denominator == 1, "hours are parsed to the minute"
    return int(minutes)


@lru_cache(maxsize=4096)
def from_minutes(minutes: int) -> Fraction:
    """Hours (cached: a fraction is slow to make, fractions are immutable, and the same few
    figures come back on every dossier: 0, 140, 210 hours…)."""
    return Fraction(minutes, 60)


def parse_choice(field: str, text: str, choices: dict[str, str]) -> str:
    """A value among `choices` (code → French label), case and accents of the code aside;
    refused with the nearest code, if one is near enough."""
    from difflib import get_close_matches

    value = text.strip().lower()
    if value in choices:
        return value
    listed = ", ".join(choices)
    nearest = get_close_matches(value, list(choices), n=1)
    guess = f" ; vouliez-vous dire « {nearest[0]} » ?" if nearest else ""
    raise InvalidInput(field, f"valeur inconnue « {_shown(text)} »{guess} (valeurs possibles : "
                       f"{listed})")
