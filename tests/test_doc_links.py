"""The repository stands alone: every link of README.md and docs/*.md leads to a file of the
repository (and to a heading of it, for a link with an anchor), never outside."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)

pytestmark = pytest.mark.skipif(not (ROOT / "pyproject.toml").is_file(),
                                reason="les sources du dépôt ne sont pas à côté des tests")


def documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def links(path: Path) -> list[str]:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    text = re.sub(r"`[^`\n]*`(?!\])", "", text)  # inline code that is not a link's text
    return LINK.findall(text)


def anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to dashes."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    return {anchor(h) for h in HEADING.findall(text)}


def test_the_link_reader_finds_links_and_anchors() -> None:
    sample = ROOT / "docs" / "rules.md"
    assert "architecture.md" in links(sample)
    assert "#interprétations" in links(sample)
    assert anchor("Jeux de règles") == "jeux-de-règles"
    assert anchor("R-CAL-1 · Jours ouvrés") == "r-cal-1--jours-ouvrés"


@pytest.mark.parametrize("document", documents(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_link_leads_to_a_file_of_the_repository(document: Path) -> None:
    broken = []
    for target in links(document):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
            broken.append(f"{target} : lien hors du dépôt")
            continue
        path_part, _, fragment = target.partition("#")
        resolved = (document.parent / path_part).resolve() if path_part else document
        if not resolved.is_relative_to(ROOT):
            broken.append(f"{target} : hors du dépôt")
        elif not resolved.exists():
            broken.append(f"{target} : fichier absent")
        elif fragment and resolved.suffix == ".md" and fragment not in anchors(resolved):
            broken.append(f"{target} : titre absent")
    assert broken == []


def test_no_file_of_the_repository_mentions_the_folder_beside_it() -> None:
    outside = "../" + "shared"
    folders = ("src", "templates", "migrations", "sample_data", "tests", "docs", "examples",
               "scripts", "benchmarks")
    files = [ROOT / "README.md", ROOT / "Makefile", ROOT / "pyproject.toml"]
    for folder in folders:
        files += [p for p in (ROOT / folder).rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and "data" not in p.parts]
    mentions = [p.relative_to(ROOT).as_posix() for p in files if p.is_file()
                and outside in p.read_text(encoding="utf-8", errors="ignore")]
    assert mentions == []
