"""The rule book (docs/rules.md) and the code name the same rules.

A rule `R-…` or an interpretation `I-…` is *defined* in docs/rules.md by a level-3 heading that
starts with its id (`### R-CAL-1 · Jours ouvrés`). A rule whose heading says « (non appliquée) »
is documented but not enforced: the code must not name it until it applies it. Every
interpretation is cited (`I-…`) where the code makes that choice, and only defined ones are.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RULE_BOOK = ROOT / "docs" / "rules.md"
CODE_DIRS = ("src", "templates", "migrations")
NOT_APPLIED = "(non appliquée)"

RULE_ID = re.compile(r"(?<![A-Za-z0-9&-])R-[A-Z&-]+[A-Z0-9]")
# An interpretation id; "CDPI-ELIG" or "CDPI-2027-0001" hold "I-…" but are not one.
INTERPRETATION_ID = re.compile(r"(?<![A-Za-z0-9&-])I-[A-Z0-9&]+(?:-[A-Z0-9&]+)*")
DEFINITION = re.compile(r"^### ((?:R|I)-[A-Z0-9&-]*[A-Z0-9])\b(.*)$", re.MULTILINE)

pytestmark = pytest.mark.skipif(not (ROOT / "pyproject.toml").is_file(),
                                reason="les sources du dépôt ne sont pas à côté des tests")


def text_files(*folders: str) -> list[Path]:
    found = []
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*")):
            if (path.is_file() and "__pycache__" not in path.parts
                    and path.suffix not in (".pyc", ".ttf")):
                found.append(path)
    return found


def ids_in(paths: list[Path], pattern: re.Pattern[str]) -> dict[str, list[str]]:
    """Each id found, with the files that name it."""
    where: dict[str, list[str]] = {}
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="ignore")
        for found in set(pattern.findall(text)):
            where.setdefault(found, []).append(path.relative_to(ROOT).as_posix())
    return where


def definitions() -> list[tuple[str, str]]:
    return DEFINITION.findall(RULE_BOOK.read_text(encoding="utf-8"))


def defined(prefix: str) -> set[str]:
    return {ident for ident, _ in definitions() if ident.startswith(prefix)}


def code_files() -> list[Path]:
    return text_files(*CODE_DIRS)


def test_the_id_patterns_find_ids_and_skip_look_alikes() -> None:
    text = ("R-CAL-1, (R-L&C) et R-CDPI-MISSION: ; I-48H-BUSINESS-DAYS ; I-2021-SUSPENSION. "
            "CDPI-2027-0001 R-CIPI-ELIG R-*-BILAN")
    assert set(RULE_ID.findall(text)) == {"R-CAL-1", "R-L&C", "R-CDPI-MISSION", "R-CIPI-ELIG"}
    assert set(INTERPRETATION_ID.findall(text)) == {"I-48H-BUSINESS-DAYS", "I-2021-SUSPENSION"}
    assert DEFINITION.findall("### R-CAL-1 · Jours ouvrés\n### I-X-Y · Un choix\n") == [
        ("R-CAL-1", " · Jours ouvrés"), ("I-X-Y", " · Un choix")]


def test_the_rule_book_defines_each_id_once() -> None:
    idents = [ident for ident, _ in definitions()]
    assert len(idents) > 30
    assert sorted(i for i in set(idents) if idents.count(i) > 1) == []


def test_every_rule_id_the_code_or_the_tests_name_is_defined_in_the_rule_book() -> None:
    named = ids_in(code_files() + [p for p in text_files("tests") if p.name != Path(__file__).name],
                   RULE_ID)
    assert "R-DRF-WINDOW" in named  # the scan sees the code
    missing = {ident: files for ident, files in named.items() if ident not in defined("R-")}
    assert missing == {}, "identifiants nommés par le code mais absents de docs/rules.md"


def test_every_rule_the_book_defines_is_named_by_the_code_unless_marked_not_applied() -> None:
    named = ids_in(code_files(), RULE_ID)
    applied = {i for i, title in definitions() if i.startswith("R-") and NOT_APPLIED not in title}
    not_applied = {i for i, title in definitions() if i.startswith("R-") and NOT_APPLIED in title}
    assert sorted(applied - set(named)) == [], "règles définies que le code ne nomme pas"
    assert {i: named[i] for i in not_applied if i in named} == {}, (
        "règles nommées par le code mais dites « non appliquée » dans docs/rules.md")


def test_every_interpretation_the_book_defines_is_cited_where_the_code_applies_it() -> None:
    cited = ids_in(code_files(), INTERPRETATION_ID)
    assert sorted(defined("I-") - set(cited)) == []


def test_every_interpretation_the_code_cites_is_defined_in_the_rule_book() -> None:
    cited = ids_in(code_files() + [p for p in text_files("tests") if p.name != Path(__file__).name],
                   INTERPRETATION_ID)
    book = defined("I-")
    assert len(book) >= 10
    assert {i: files for i, files in cited.items() if i not in book} == {}
