"""One way to resolve a name a user typed into a stored row (agency, person, dossier):
dossiers.matching decides, this turns a miss into the field's one French line."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from dossiers import messages
from dossiers.errors import NotFound
from dossiers.matching import match

T = TypeVar("T")


def resolve(field: str, query: str, candidates: Iterable[tuple[str, T]], none_phrase: str,
            plural_noun: str) -> T:
    """The one candidate `query` designates; otherwise NotFound naming `field`, with the
    candidates when several fit, or the nearest name when none does."""
    result = match(query, candidates)
    if result.found is not None:
        return result.found
    if result.ambiguous:
        raise NotFound(field, messages.lookup_ambiguous(query, plural_noun, result.ambiguous))
    raise NotFound(field, messages.lookup_missing(none_phrase, query, result.nearest))
