"""Plain tables are drawn without rich, exactly as rich draws them (dossiers.terminal)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dossiers import terminal
from dossiers.terminal import Cell, Column

# Words of the characters the plain drawing takes, and some it leaves to rich (« ⚠ », a
# combining accent, a wide character, a tab).
LETTERS = "abcdeéèàçôÉÀŒœ0123456789-/()«»’…—–−€.,:;'\"\u00a0\u202f"
WORD = st.text(LETTERS, min_size=1, max_size=30)
SPACE = st.sampled_from([" ", " ", " ", "  ", "\n", " \n", "\n\n", "\u00a0", "\u202f"])
TEXT = st.one_of(
    st.builds(lambda words, spaces: "".join(w + s for w, s in zip(words, spaces)).strip(" \n"),
              st.lists(WORD, min_size=1, max_size=8), st.lists(SPACE, min_size=8, max_size=8)),
    st.builds(lambda words, spaces: "".join(w + s for w, s in zip(words, spaces)),
              st.lists(WORD, min_size=1, max_size=8), st.lists(SPACE, min_size=8, max_size=8)),
    st.sampled_from(["", " ", "  ", "\n", "⚠ alerte", "e\u0301te\u0301", "日本", "a\tb"]),
)
COLUMN = st.builds(Column, TEXT.filter(bool), st.sampled_from(["wrap", "keep"]),
                   st.sampled_from([None, None, 3, 12]))
CELL = st.one_of(TEXT, st.builds(Cell, TEXT, st.sampled_from(["", "bold red", "green"])))


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[Column], list[list[str | Cell]], int]:
    columns = draw(st.lists(COLUMN, min_size=1, max_size=6))
    rows = draw(st.lists(st.lists(CELL, min_size=len(columns), max_size=len(columns)),
                         max_size=5))
    return columns, rows, draw(st.one_of(st.sampled_from([40, 60, 80, 100, 132]),
                                         st.integers(40, 200)))


@settings(max_examples=600, deadline=None)
@given(tables())
def test_a_plain_table_is_the_one_rich_draws(table: tuple[list[Column], list[list[str | Cell]],
                                                           int]) -> None:
    columns, rows, wide = table
    assert terminal.table(columns, rows, wide, colour=False) == \
        terminal._rich_table(columns, rows, wide, colour=False)


def test_the_daily_tables_are_drawn_without_rich() -> None:
    """A timeline's table, with its no-break spaces and its cell of two lines, is plain text."""
    columns = [Column("Étape"), Column("Ouverture\nÉchéance", "keep"), Column("Statut"),
               Column("Règle", "keep")]
    rows = [["Réponse d'AKTO à la DRF", "14/09/2026\n16/09/2026",
             Cell("en retard de 7\u00a0j", "bold red"), "R-DRF-ANSWER"]]
    drawn = terminal._plain_table(columns, rows, 60)
    assert drawn is not None
    assert drawn == terminal._rich_table(columns, rows, 60, colour=False)
    assert drawn.split("\n") == [
        "                  Ouverture",
        "Étape             Échéance    Statut            Règle",
        "───────────────── ─────────── ───────────────── ────────────",
        "Réponse d'AKTO à  14/09/2026  en retard de 7\u00a0j  R-DRF-ANSWER",
        "la DRF            16/09/2026",
    ]
