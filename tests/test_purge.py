"""`dossiers purge --closed-before DATE [--dry-run]`: keep only what is needed (CNIL). Closed or
abandoned dossiers whose closing date is before DATE are deleted with their events, missions,
documents, incidents, history, snoozes and the reminder digests that named them, in one
transaction; counts are reported; nothing else is touched."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import create_engine, select

from dossiers.store.models import Dossier
from dossiers.store.steps import DERIVED_TABLES
from tests.conftest import Dossiers, _driver

COUNTS = ("2 dossiers, 3 événements, 1 mission, 1 pièce, 1 incident, 11 lignes d'historique, "
          "1 suspension de rappel, 1 récapitulatif de l'outbox, 2 lignes de récapitulatif")
"""Events: OLD-CLOSED's DRF and close, OLD-ABANDONED's abandon. History: OLD-CLOSED's opening,
DRF, mission, document, state and close (6); OLD-ABANDONED's opening, snooze, incident, state
and abandon (5). Outbox: Julien's digest of 05/01/2023, naming both dossiers' DRF."""


def cdpi(tool: Dossiers, reference: str, owner: str, start: str, end: str) -> None:
    tool.ok("open", "--kind", "cdpi", "--worker", f"Personne {reference}", "--start", start,
            "--end", end, "--training-hours", "210", "--owner", owner, "--reference", reference,
            "--in-user-company")


@pytest.fixture
def history(network: Dossiers, monkeypatch: pytest.MonkeyPatch) -> Dossiers:
    """Metz: OLD-CLOSED (closed 01/06/2023) and OLD-ABANDONED (abandoned 01/03/2024), with a
    mission, a document, an incident, a snooze and one digest naming both. Lyon: RECENT (closed
    01/01/2025) and OPEN, with their own digest."""
    monkeypatch.setenv("DOSSIERS_MAIL_FROM", "Dossiers <dossiers@example.fr>")
    cdpi(network, "OLD-CLOSED", "julien@example.fr", "2023-01-16", "2023-02-24")
    cdpi(network, "OLD-ABANDONED", "julien@example.fr", "2023-01-16", "2023-02-24")
    cdpi(network, "RECENT", "lea@example.fr", "2023-01-16", "2023-02-24")
    cdpi(network, "OPEN", "lea@example.fr", "2023-01-16", "2023-02-24")
    network.ok("snooze", "OLD-ABANDONED", "drf", "--until", "2023-01-04",
               "--as-of", "2023-01-02")
    network.ok("remind", "--transport", "console", "--as-of", "2023-01-05")
    for reference in ("OLD-CLOSED", "RECENT"):
        network.ok("record", reference, "drf-submitted", "--on", "2023-01-10")
    network.ok("mission", "OLD-CLOSED", "--start", "2023-03-01", "--end", "2023-03-20",
               "--hours", "98")
    network.ok("doc", "OLD-CLOSED", "engagement-parties", "--on", "2023-01-05")
    network.ok("incident", "OLD-ABANDONED", "maladie", "--on", "2023-03-02")
    network.ok("record", "OLD-CLOSED", "close", "--on", "2023-06-01")
    network.ok("record", "OLD-ABANDONED", "abandon", "--on", "2024-03-01")
    network.ok("record", "RECENT", "close", "--on", "2025-01-01")
    return network


def ids(tool: Dossiers) -> dict[str, int]:
    engine = create_engine(_driver(tool.url))
    try:
        with engine.connect() as connection:
            return dict(connection.execute(select(Dossier.reference, Dossier.id)).all())
    finally:
        engine.dispose()


def kept_rows(tool: Dossiers, gone: set[int]) -> dict[str, list[tuple[object, ...]]]:
    """Every row that does not belong to a purged dossier (nor to the digest naming them)."""
    tables = dict(tool.dump())
    messages = {row[1] for row in tables["outbox_items"] if row[2] in gone}
    kept = {}
    for name, rows in tables.items():
        if name == "dossiers":
            kept[name] = [r for r in rows if r[0] not in gone]
        elif name == "outbox":
            kept[name] = [r for r in rows if r[0] not in messages]
        elif name == "outbox_items":
            kept[name] = [r for r in rows if r[1] not in messages]
        elif name in ("events", "missions", "incidents", "documents", "changes", "snoozes"):
            kept[name] = [r for r in rows if r[1] not in gone]
        elif name in DERIVED_TABLES:  # stored timelines go with their dossier
            kept[name] = [r for r in rows if r[0] not in gone]
        else:
            kept[name] = rows
    return kept


def test_purge_deletes_the_dossiers_closed_before_the_date_with_all_their_rows(
        history: Dossiers) -> None:
    gone = {ids(history)["OLD-CLOSED"], ids(history)["OLD-ABANDONED"]}
    expected = kept_rows(history, gone)
    out = history.ok("purge", "--closed-before", "2024-06-01")
    assert out == f"Supprimé, dossiers clos avant le 01/06/2024 : {COUNTS}.\n"
    assert dict(history.dump()) == expected
    assert set(ids(history)) == {"RECENT", "OPEN"}


def test_the_counts_are_the_rows_that_went(history: Dossiers) -> None:
    from dossiers.services.purge import purge_closed
    from dossiers.store.database import open_engine, transaction

    before = {name: len(rows) for name, rows in history.dump()}
    engine = open_engine(history.url)
    try:
        with transaction(engine) as session:
            counts = dict(purge_closed(session, date(2024, 6, 1)).tables)
    finally:
        engine.dispose()
    after = {name: len(rows) for name, rows in history.dump()}
    # The stored timelines, derived data, go with their dossiers without being counted.
    assert {name: before[name] - after[name] for name in before
            if before[name] != after[name] and name not in DERIVED_TABLES} \
        == {name: count for name, count in counts.items() if count}


def test_a_dry_run_counts_the_same_rows_and_deletes_nothing(history: Dossiers) -> None:
    before = history.dump()
    out = history.ok("purge", "--closed-before", "2024-06-01", "--dry-run")
    assert out == (f"Simulation, dossiers clos avant le 01/06/2024 : {COUNTS} seraient "
                   "supprimés ; rien n'est modifié.\n")
    assert history.dump() == before


def test_the_closing_date_itself_is_kept(history: Dossiers) -> None:
    """« before » is strict: a dossier closed on DATE stays."""
    out = history.ok("purge", "--closed-before", "2024-03-01")
    assert out.startswith("Supprimé, dossiers clos avant le 01/03/2024 : 1 dossier, ")
    assert set(ids(history)) == {"OLD-ABANDONED", "RECENT", "OPEN"}


def test_nothing_to_purge_says_so(history: Dossiers) -> None:
    before = history.dump()
    assert history.ok("purge", "--closed-before", "2023-01-01") == (
        "Aucun dossier clos avant le 01/01/2023.\n")
    assert history.dump() == before


def test_an_open_dossier_is_never_purged_whatever_the_date(history: Dossiers) -> None:
    history.ok("purge", "--closed-before", "2100-12-31")
    assert set(ids(history)) == {"OPEN"}
    assert "OPEN" in history.ok("show", "OPEN")


# Purge and the outbox (issue 18) -------------------------------------------------------------


def two_for_lea(tool: Dossiers) -> None:
    """Léa follows GONE and KEPT, both late on 13/01/2027: one digest names both."""
    for reference in ("GONE", "KEPT"):
        tool.ok("open", "--kind", "cdpi", "--worker", f"Personne {reference}", "--start",
                "2027-01-11", "--end", "2027-02-19", "--training-hours", "210",
                "--owner", "lea@example.fr", "--reference", reference)


def digests_to(smtp, recipient: str) -> list[str]:  # type: ignore[no-untyped-def]
    found = []
    for received in smtp.outbox:
        if received.recipients == [recipient]:
            part = received.message.get_body(("plain",))
            found.append(part.get_content())
    return found


def test_a_purge_then_a_second_remind_the_same_day_sends_nobody_anything_twice(
        network: Dossiers, smtp) -> None:  # type: ignore[no-untyped-def]
    two_for_lea(network)
    network.ok("remind", "--transport", "smtp", "--as-of", "2027-01-13")
    network.ok("record", "GONE", "abandon", "--on", "2027-01-13", "--as-of", "2027-01-13")
    out = network.ok("purge", "--closed-before", "2027-01-14")
    assert out.startswith("Supprimé, dossiers clos avant le 14/01/2027 : 1 dossier,")
    assert network.ok("remind", "--transport", "smtp", "--as-of", "2027-01-13") == (
        "Rappels du 13/01/2027 : 0 envoyé(s), 0 en attente, 0 en échec.\n")
    assert len(digests_to(smtp, "lea@example.fr")) == 1
    assert len(digests_to(smtp, "sophie@example.fr")) == 1
    import json
    lea = [m for m in json.loads(network.ok("outbox", "--json"))
           if m["recipient"] == "lea@example.fr"]
    assert [m["status"] for m in lea] == ["sent"]


def test_a_pending_digest_loses_the_purged_dossier_s_lines_and_still_goes(
        network: Dossiers, smtp) -> None:  # type: ignore[no-untyped-def]
    two_for_lea(network)
    smtp.stop()
    network.run("remind", "--transport", "smtp", "--as-of", "2027-01-13")
    network.ok("record", "GONE", "abandon", "--on", "2027-01-13", "--as-of", "2027-01-13")
    network.ok("purge", "--closed-before", "2027-01-14")
    smtp.start()
    assert network.ok("remind", "--transport", "smtp", "--as-of", "2027-01-13") == (
        "Rappels du 13/01/2027 : 2 envoyé(s), 0 en attente, 0 en échec.\n")
    [lea] = digests_to(smtp, "lea@example.fr")
    assert "Personne KEPT" in lea and "Personne GONE" not in lea
    [sophie] = digests_to(smtp, "sophie@example.fr")
    assert "Personne KEPT" in sophie and "Personne GONE" not in sophie
