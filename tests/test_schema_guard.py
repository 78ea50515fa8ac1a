"""A database written by a newer version of dossiers: every command, init included, names the
schema it found and the newest it knows, exits 2 and writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from dossiers.store.database import head_revision
from tests.conftest import Dossiers, _driver

FUTURE = "20991231_9999"

COMMANDS = [
    ["init"],
    ["list"],
    ["agency", "add", "Brest"],
    ["agency", "list"],
    ["staff", "list"],
    ["show", "CDPI-1"],
    ["record", "CDPI-1", "close", "--on", "2027-01-01"],
    ["sample"],
    ["remind", "--transport", "console"],
    ["report", "overdue"],
    ["outbox"],
    ["purge", "--closed-before", "2020-01-01"],
]


@pytest.fixture
def newer(network: Dossiers) -> Dossiers:
    engine = create_engine(_driver(network.url))
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": FUTURE})
    engine.dispose()
    return network


@pytest.mark.parametrize("args", COMMANDS, ids=lambda args: " ".join(args[:2]))
def test_a_schema_from_a_newer_version_stops_every_command_and_changes_nothing(
        newer: Dossiers, args: list[str]) -> None:
    before = newer.dump()
    result = newer.run(*args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"Erreur : base de données : schéma {FUTURE} écrit par une version plus récente de "
        f"dossiers ; cette version connaît jusqu'au schéma {head_revision()} : mettez dossiers "
        "à jour (rien n'a été modifié)\n")
    assert newer.dump() == before
