"""The arrows only go down: the store and the rule core never import a service."""

from __future__ import annotations

import ast
from importlib import resources

import pytest


def imported(source: str) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", ["store", "deadlines"])
def test_lower_layers_do_not_import_services(package: str) -> None:
    folder = resources.files("dossiers") / package
    for item in folder.iterdir():
        if item.name.endswith(".py"):
            upward = {name for name in imported(item.read_text(encoding="utf-8"))
                      if name.startswith(("dossiers.services", "dossiers.cli", "dossiers.web"))}
            assert not upward, f"{package}/{item.name} importe {sorted(upward)}"
