"""`list --json` sorts its lines through a temporary file (dossiers/spill.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dossiers.spill import in_key_order


@given(st.lists(st.tuples(st.integers(0, 5), st.text())))
def test_lines_come_back_in_key_order_and_equal_keys_in_the_order_given(
        pairs: list[tuple[int, str]]) -> None:
    """Any text (accents, emoji, line breaks), the stable order of sorted()."""
    assert list(in_key_order(pairs)) == [line for _key, line in
                                         sorted(pairs, key=lambda pair: pair[0])]
