"""Finding what people type: an agency, a person or a reference, without case or accents,
from a unique prefix, and the nearest name when nothing matches.

Pure: no I/O. The services give the candidates and turn a miss into one French line.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


SEPARATORS = str.maketrans({c: " " for c in "-‐‑–—_.'’"})
"""Typed as a space: « saint etienne » finds « Saint-Étienne », « karim b » « Karim B. »."""


def normalise(text: str) -> str:
    """« Saint-Étienne » and « saint  etienne » alike: case folded, accents stripped, hyphens,
    dots and apostrophes read as spaces, spaces collapsed."""
    # Compatibility forms first (« 𝕬 » is an A), then case, then decompose again: casefold
    # may itself add a combining mark (« İ » folds to « i̇ »).
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(unicodedata.normalize("NFC", bare).translate(SEPARATORS).split())


@dataclass(frozen=True)
class Match(Generic[T]):
    """One value found, or the names it could have been (ambiguous), or the nearest names."""

    found: T | None
    ambiguous: tuple[str, ...] = ()
    nearest: tuple[str, ...] = ()


def match(query: str, candidates: Iterable[tuple[str, T]], nearest: int = 1) -> Match[T]:
    """Exact match first (normalised), then a unique prefix; a value may carry several names
    (a person: email and name). Several values for the prefix: ambiguous, with their names
    (the first name of each value); none: the nearest names by difflib."""
    wanted = normalise(query)
    names: dict[str, list[tuple[str, T]]] = {}
    first_name: list[tuple[str, T]] = []
    seen: list[T] = []
    for name, value in candidates:
        names.setdefault(normalise(name), []).append((name, value))
        if value not in seen:
            seen.append(value)
            first_name.append((name, value))
    if not wanted:
        return Match(None)
    exact = _distinct(value for _, value in names.get(wanted, ()))
    if len(exact) == 1:
        return Match(exact[0])
    if exact:
        return Match(None, ambiguous=_labels(exact, first_name))
    prefixed = _distinct(value for key, pairs in names.items() if key.startswith(wanted)
                         for _, value in pairs)
    if len(prefixed) == 1:
        return Match(prefixed[0])
    if prefixed:
        return Match(None, ambiguous=_labels(prefixed, first_name))
    import difflib  # only when nothing matched

    close = difflib.get_close_matches(wanted, list(names), n=nearest, cutoff=0.6)
    return Match(None, nearest=tuple(names[key][0][0] for key in close))


def contains(query: str, text: str) -> bool:
    """`list --worker`: the normalised query is a part of the normalised text."""
    return normalise(query) in normalise(text)


def _distinct(values: Iterable[T]) -> list[T]:
    found: list[T] = []
    for value in values:
        if value not in found:
            found.append(value)
    return found


def _labels(values: list[T], first_name: list[tuple[str, T]]) -> tuple[str, ...]:
    return tuple(sorted(name for name, value in first_name
                        if value in values))
