"""`dossiers sample`: the demo network shows steps to come, due soon and late, any day."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from tests.conftest import Dossiers


@pytest.mark.parametrize("as_of", ["2026-11-22", "2026-11-23", "2027-01-01", "2027-05-14",
                                   "2026-12-26", "2027-08-20"])
def test_the_sample_network_shows_every_stage_whatever_the_day(
    dossiers: Dossiers, as_of: str
) -> None:
    out = dossiers.ok("sample", "--as-of", as_of)
    assert "4 agences, 9 personnes, 50 dossiers" in out
    listed = json.loads(dossiers.ok("list", "--json", "--as-of", as_of, "--all"))
    assert len(listed) == 50
    assert {d["kind"] for d in listed} == {"CIPI", "CDPI", "CAR"}
    assert {d["zone"] for d in listed} >= {"metropole", "alsace-moselle", "guadeloupe"}
    statuses = Counter(s["status"] for d in listed for s in d["steps"])
    for status in ("not_yet_open", "open", "due_soon", "overdue", "done", "done_late",
                   "done_too_early", "waiting_akto", "akto_late"):
        assert statuses[status] > 0, status
    assert {d["state"] for d in listed} == {"open", "closed"}
    alerts = {a["rule"] for d in listed for a in d["alerts"]}
    assert {"R-DRF-SHIFT", "R-DRF-ANSWER"} <= alerts


def test_the_sample_is_loaded_once(dossiers: Dossiers) -> None:
    dossiers.ok("sample")
    before = dossiers.dump()
    result = dossiers.run("sample")
    assert result.exit_code == 2
    assert result.stderr == ("Erreur : sample : la base contient déjà des données (4 agences, "
                             "9 personnes, 50 dossiers) : les données de démonstration ne se "
                             "chargent que dans une base vide (par exemple --db "
                             "sqlite:///demo.db)\n")
    assert dossiers.dump() == before


def test_sample_refuses_a_database_that_holds_real_data(network: Dossiers) -> None:
    before = network.dump()
    result = network.run("sample")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == ("Erreur : sample : la base contient déjà des données (2 agences, 3 "
                             "personnes) : les données de démonstration ne se chargent que dans "
                             "une base vide (par exemple --db sqlite:///demo.db)\n")
    assert network.dump() == before
