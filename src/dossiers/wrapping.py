"""Long lines wrapped on words for a reader: the terminal, or a mail's plain-text part.

French no-break spaces hold, and French punctuation stays with its word (« mot », « mot : »).
"""

from __future__ import annotations

import re
import textwrap
from functools import lru_cache

# A space that `paragraph` never breaks and prints as a plain space.
GLUE = "\ue002"
# French punctuation stays with its word when a line is wrapped: « mot », « mot : ».
_BOUND = (("« ", "«" + GLUE), (" »", GLUE + "»"), (" :", GLUE + ":"), (" ;", GLUE + ";"),
          (" ?", GLUE + "?"), (" !", GLUE + "!"))
# What a terminal draws as colour, not as characters: SGR escape sequences (ESC [ … m).
_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
# A date in words stays on one line: « 17 novembre 2026 », « 1er mars 2027 ».
_DATE_IN_WORDS = re.compile(r"\b(\d{1,2}|1er) (janvier|février|mars|avril|mai|juin|juillet|août|"
                            r"septembre|octobre|novembre|décembre) (\d{4})\b")


@lru_cache(maxsize=8192)
def paragraph(text: str, columns_wide: int, indent: str = "",
              subsequent_indent: str | None = None) -> str:
    """A long line wrapped on words to `columns_wide`; no-break spaces and French punctuation
    hold. Remembered: a day's digests repeat the same lines (an alert, a late step seen by
    its owner and the managers) many times."""
    for pair in _BOUND:
        text = text.replace(*pair)
    text = _DATE_IN_WORDS.sub(lambda m: GLUE.join(m.groups()), text)
    lines = textwrap.wrap(
        text, columns_wide, initial_indent=indent,
        subsequent_indent=indent if subsequent_indent is None else subsequent_indent,
        break_long_words=False, break_on_hyphens=False)
    return "\n".join(lines).replace(GLUE, " ") or indent.rstrip()


def visible_width(line: str) -> int:
    """The columns a line takes on a terminal: its colour escape codes take none."""
    return len(_ESCAPE.sub("", line)) if "\x1b" in line else len(line)


def fit(text: str, columns_wide: int, hang: str = "  ") -> str:
    """Each line longer than `columns_wide` wrapped on words, continuation lines indented
    under the text of a bullet (« • », « ⚠ »), else by `hang` more than the line itself (a
    terminal sets them off; a mail's paragraphs wrap flush, hang=""). Lengths are visible
    widths: a coloured table row is as wide as its characters, not its escape codes."""
    wide = columns_wide
    out = []
    for line in text.split("\n"):
        if visible_width(line) <= wide:
            out.append(line)
            continue
        body = line.lstrip(" ")
        indent = line[: len(line) - len(body)]
        bullet = indent + "  " if body[:2] in ("• ", "⚠ ") else None
        out.append(paragraph(body, wide, indent, bullet or indent + hang))
    return "\n".join(out)
