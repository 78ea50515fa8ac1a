"""Finding what people type: without case or accents, a unique prefix, the nearest on a miss."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dossiers.matching import contains, match, normalise

AGENCIES = [(name, name) for name in ("Lyon Part-Dieu", "Lyon Vaise", "Metz Centre",
                                      "Saint-Étienne")]


@given(st.text())
def test_normalising_twice_changes_nothing(text: str) -> None:
    assert normalise(normalise(text)) == normalise(text)


@given(st.text())
def test_normalised_text_has_no_accents_no_capitals_and_single_spaces(text: str) -> None:
    result = normalise(text)
    assert not any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", result))
    assert result == result.casefold()
    assert "  " not in result and result == result.strip()


@given(st.text(alphabet="aeiouéèêàçôîAEIOUÉÈÀÇ -", max_size=30))
def test_case_and_accents_do_not_change_the_normalised_text(text: str) -> None:
    bare = "".join(c for c in unicodedata.normalize("NFD", text)
                   if not unicodedata.combining(c))
    assert normalise(text.upper()) == normalise(bare.lower())


@pytest.mark.parametrize(("typed", "found"), [
    ("Metz Centre", "Metz Centre"),
    ("metz centre", "Metz Centre"),
    ("METZ", "Metz Centre"),
    ("saint-etienne", "Saint-Étienne"),
    ("saint etienne", "Saint-Étienne"),
    ("SAINT-ÉTIENNE", "Saint-Étienne"),
    ("lyon p", "Lyon Part-Dieu"),
    ("  lyon   vaise ", "Lyon Vaise"),
])
def test_a_name_is_found_without_case_accents_or_its_end(typed: str, found: str) -> None:
    assert match(typed, AGENCIES).found == found


def test_an_exact_name_wins_over_the_longer_names_it_begins() -> None:
    candidates = [("Lyon", 1), ("Lyon Part-Dieu", 2)]
    assert match("lyon", candidates).found == 1


def test_a_prefix_of_several_names_lists_them_all() -> None:
    result = match("lyon", AGENCIES)
    assert result.found is None
    assert result.ambiguous == ("Lyon Part-Dieu", "Lyon Vaise")


def test_a_miss_names_the_nearest() -> None:
    result = match("Mets Centre", AGENCIES)
    assert result.found is None and result.ambiguous == ()
    assert result.nearest == ("Metz Centre",)


def test_a_miss_far_from_everything_suggests_nothing() -> None:
    assert match("Bordeaux", AGENCIES) == match("Bordeaux", AGENCIES).__class__(None)


def test_a_value_with_two_names_is_found_by_either_and_counted_once() -> None:
    lea, leo = object(), object()
    people = [("lea@example.fr", lea), ("Léa Martin", lea),
              ("leo@example.fr", leo), ("Léo Petit", leo)]
    assert match("lea martin", people).found is lea
    assert match("LEO@", people).found is leo
    # « le » begins both people's email and name: two people, not four names.
    assert match("le", people).ambiguous == ("lea@example.fr", "leo@example.fr")


def test_an_empty_query_finds_nothing() -> None:
    assert match("  ", AGENCIES).found is None


@pytest.mark.parametrize(("typed", "worker", "expected"), [
    ("karim", "Karim B.", True),
    ("ÉLODIE", "elodie Durand", True),
    ("durand", "Élodie Durand", True),
    ("dupont", "Élodie Durand", False),
])
def test_a_worker_is_found_by_any_part_of_the_name(typed: str, worker: str,
                                                   expected: bool) -> None:
    assert contains(typed, worker) is expected
