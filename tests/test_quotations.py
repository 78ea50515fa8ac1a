"""Words shown as a source's are that source's, word for word (issue 19, point 1).

Every « … » of docs/rules.md that follows a source number (000 … 004) in its paragraph, and
every quote of the rule sets' figures (`Figure.quote`, shown by `explain` as « … »), must be
found in that source, a cut marked « […] » (each piece is then found, in order). A « … » of
the rule book that no source number precedes is either a source's words (found in one of them)
or the tool's own words (found in src/ or templates/).

The sources lie outside the repository, in the folder `shared/seeds` beside it; where that
folder is absent the test is skipped and says so.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

import pytest

from dossiers.deadlines.rulesets import DRF_SUSPENSIONS, RULE_SETS, Figure

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
RULE_BOOK = ROOT / "docs" / "rules.md"
SOURCE_NUMBER = re.compile(r"(?<![\d/,.])\b(00[0-4])\b(?![\d/])")
QUOTE = re.compile(r"«\s*(.+?)\s*»", re.DOTALL)
CUT = re.compile(r"\s*(?:\[…\]|\[\.\.\.\])\s*")
INTERPRETATION = "interprétation"

needs_seeds = pytest.mark.skipif(
    not SEEDS.is_dir(),
    reason=f"les sources ne sont pas à côté du dépôt ({SEEDS} absent) : citations non vérifiées")


def normalise(text: str) -> str:
    """One spelling for what copies of a text vary in: apostrophes, spaces, line breaks,
    dashes, the case of a first letter."""
    text = unicodedata.normalize("NFC", text).replace("**", "")
    for old, new in (("’", "'"), ("‘", "'"), ("\u00a0", " "), ("\u202f", " "), ("–", "-"),
                     ("—", "-"), ("…", "...")):
        text = text.replace(old, new)
    return re.sub(r"\s+", " ", text).strip().lower()


@cache
def seed(number: str) -> str:
    [path] = SEEDS.glob(f"{number}_*.txt")
    return normalise(path.read_text(encoding="utf-8"))


def found_in(quote: str, text: str) -> bool:
    """Each piece of a quote cut by « […] », in order."""
    position = 0
    for piece in CUT.split(quote):
        piece = normalise(piece)
        if not piece:
            continue
        position = text.find(piece, position)
        if position < 0:
            return False
        position += len(piece)
    return True


def numbers(source: str) -> list[str]:
    return SOURCE_NUMBER.findall(source)


def figures() -> list[tuple[str, Figure]]:  # type: ignore[type-arg]
    found = [("DRF_SUSPENSIONS", DRF_SUSPENSIONS)]
    for rules in RULE_SETS.values():
        for name, value in vars(rules).items():
            if isinstance(value, Figure):
                found.append((f"{rules.name}.{name}", value))
    return found


def quoting_errors(text: str) -> list[str]:
    """The « … » of `text` that are not the words of the source named before them."""
    wrong = []
    for sources, quote in quotations(text):
        if sources:
            missing = [n for n in sources if not found_in(quote, seed(n))]
            if missing:
                wrong.append(f"{'/'.join(sources)} « {quote} » absent de {missing}")
        elif not (any(found_in(quote, seed(n)) for n in ("000", "001", "002", "003", "004"))
                  or found_in(PLACEHOLDER.sub(" […] ", quote), own_words())
                  or quote in RULE_BOOK_TERMS):
            wrong.append(f"« {quote} » : ni dans une source ni dans l'outil")
    return wrong


# The rule book's own terms, in « » because they are words about words, not a source's.
RULE_BOOK_TERMS = {"(non appliquée)", "N mois", "N semaines", "N jours calendaires"}
# What the tool fills in, in its own words quoted by the rule book: « … le … », « (…) ».
PLACEHOLDER = re.compile(r"\(…\)|…")
# Between a source number and its words: « 001 : « … » », « 004 ajoute « … » », « (003 : « … ».
ATTRIBUTION = re.compile(r"^\s*(?::|dit|disent|ajoute|annonce|prévient que|écrit)?\s*$")
# A quotation that goes on the previous one: « … » ; « … », « … » et « … ».
CONTINUATION = re.compile(r"^\s*(?:;|,|et|ou)\s*$")


def quotations(block: str) -> list[tuple[list[str], str]]:
    """(the sources a quotation is attributed to, the quotation) for each « … » of `block`: a
    quotation right after a group of source numbers (« 001 et 003 : « … » ») is theirs, and so
    is one that goes on a quotation of theirs (« … » ; « … »)."""
    found: list[tuple[list[str], str]] = []
    group = re.compile(r"(?<![\d/,.])\b00[0-4]\b(?:(?:, | et | ou )00[0-4]\b)*")
    previous_end, previous_sources = -1, []
    for match in QUOTE.finditer(block):
        before = block[:match.start()]
        sources: list[str] = []
        groups = list(group.finditer(before))
        if groups and ATTRIBUTION.match(before[groups[-1].end():]):
            sources = numbers(groups[-1].group(0))
        elif previous_sources and CONTINUATION.match(block[previous_end:match.start()]):
            sources = previous_sources
        found.append((sources, match.group(1)))
        previous_end, previous_sources = match.end(), sources
    return found


def paragraphs(text: str) -> list[str]:
    return [block for block in re.split(r"\n\s*\n|\n(?=\|)|\n(?=- )", text) if block.strip()]


def rule_book_quotations() -> list[tuple[list[str], str]]:
    """(the source numbers named before it in its paragraph, the quotation) for each « … »."""
    return [found for block in paragraphs(RULE_BOOK.read_text(encoding="utf-8"))
            for found in quotations(block)]


@cache
def own_words() -> str:
    texts = [p.read_text(encoding="utf-8") for folder in ("src", "templates")
             for p in sorted((ROOT / folder).rglob("*")) if p.suffix in (".py", ".j2", ".txt", ".html")]
    # A sentence of the code may be split over string literals: "… de sa " "période …".
    return normalise(re.sub(r"\"\s*\n\s*f?\"", "", "\n".join(texts)))


def test_the_quotation_reader_finds_cuts_and_sources() -> None:
    assert found_in("au plus tôt 2 mois […] avant", "au plus tôt 2 mois et au plus tard 48 heures avant")
    assert not found_in("avant […] au plus tôt", "au plus tôt 2 mois et au plus tard 48 heures avant")
    assert numbers("001, 003") == ["001", "003"] and numbers("interprétation") == []
    assert normalise("L’OPCO\u00a0 ") == "l'opco"


@needs_seeds
@pytest.mark.parametrize(("name", "figure"), figures(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_figure_quotes_its_sources_word_for_word(name: str, figure: Figure) -> None:  # type: ignore[type-arg]
    """A figure's quote is its source's words (each source it names); an interpretation's
    words are the project's and say so (`source` « interprétation »)."""
    sources = numbers(figure.source)
    if not sources:
        assert figure.source == INTERPRETATION, f"{name} : source « {figure.source} » inconnue"
        # Its words are the project's; a source it quotes inside is quoted word for word.
        assert quoting_errors(figure.quote) == [], name
        return
    missing = [n for n in sources if not found_in(figure.quote, seed(n))]
    assert missing == [], f"{name} ({figure.rule}) : « {figure.quote} » absent de {missing}"


@needs_seeds
def test_every_quotation_of_the_rule_book_is_its_source_s_words() -> None:
    """Each « … » after a source number is found in that source (in each of a group named
    together: « 001 et 003 : « … » »); any other « … » is some source's words or the tool's."""
    wrong = [error for block in paragraphs(RULE_BOOK.read_text(encoding="utf-8"))
             for error in quoting_errors(block)]
    assert wrong == []


@needs_seeds
def test_every_quotation_the_code_attributes_to_a_source_is_its_words() -> None:
    """A « … » right after a source number in the code (explain's fixed lines, messages,
    templates) is that source's words; « … » placeholders of docstrings are not quotations."""
    wrong = []
    for folder in ("src", "templates"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix not in (".py", ".j2", ".txt", ".html") or path.name == "rulesets.py":
                continue
            text = re.sub(r"\"\s*\n\s*f?\"", "", path.read_text(encoding="utf-8"))
            for sources, quote in quotations(text):
                if sources and quote not in ("…", "[…]"):
                    missing = [n for n in sources if not found_in(quote, seed(n))]
                    if missing:
                        wrong.append(f"{path.relative_to(ROOT)} : « {quote} » absent de {missing}")
    assert wrong == []
