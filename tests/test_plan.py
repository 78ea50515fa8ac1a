"""`dossiers plan`: the dates before a dossier exists, and its JSON contract."""

from __future__ import annotations

import json

from click.testing import CliRunner

from dossiers.cli import cli

BASE = ["plan", "--kind", "cdpi", "--start", "2027-01-11", "--end", "2027-02-19",
        "--training-hours", "210"]


def plan(*args: str) -> dict:  # type: ignore[type-arg]
    result = CliRunner().invoke(cli, [*BASE, *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_plan_json_follows_the_contract() -> None:
    """R-DRF-WINDOW, R-CDPI-MISSION: the issue's example, key for key."""
    data = plan()
    assert data["kind"] == "CDPI" and data["zone"] == "metropole"
    assert data["rules"] == "akto-current"
    assert data["steps"] == [
        {"code": "drf", "label": "Demande de réservation de financement (DRF)",
         "opens": "2026-11-11", "due": "2027-01-07", "rule": "R-DRF-WINDOW"},
        {"code": "mission_obligation", "label": "Obligation de mission",
         "opens": "2027-02-20", "due": "2027-05-19", "rule": "R-CDPI-MISSION"},
    ]
    assert data["mission_hours_required"] == 70.0
    assert data["drf_redo_required"] is None


def test_plan_lists_the_answer_and_contract_steps_once_their_dates_are_given() -> None:
    """R-DRF-ANSWER needs --drf-submitted, R-CONTRACT needs --drf-accord."""
    data = plan("--drf-submitted", "2026-12-24", "--drf-accord", "2026-12-28")
    steps = {s["code"]: s for s in data["steps"]}
    assert list(steps) == ["drf", "akto_response", "contract", "mission_obligation"]
    assert (steps["akto_response"]["opens"], steps["akto_response"]["due"]) == (
        "2026-12-24", "2026-12-29")
    assert steps["contract"]["due"] == "2027-02-27"
    assert data["drf_redo_required"] is False


def test_plan_says_when_the_drf_must_be_redone() -> None:
    """R-DRF-SHIFT: start 2027-02-02 is more than 2 months after an accord of 2026-12-01."""
    result = CliRunner().invoke(cli, ["plan", "--kind", "cipi", "--start", "2027-02-02", "--end",
                                      "2027-03-12", "--training-hours", "140", "--drf-accord",
                                      "2026-12-01", "--json"])
    assert json.loads(result.stdout)["drf_redo_required"] is True


def test_plan_uses_the_zone_and_the_rule_set() -> None:
    """R-CAL-2 and the akto-2021 rule set (4 weeks)."""
    data = plan("--zone", "alsace-moselle", "--rules", "akto-2021")
    assert data["zone"] == "alsace-moselle" and data["rules"] == "akto-2021"
    assert data["steps"][0]["opens"] == "2026-12-14"
    apr = CliRunner().invoke(cli, ["plan", "--kind", "cdpi", "--start", "2026-04-07", "--end",
                                   "2026-05-15", "--training-hours", "140", "--zone",
                                   "alsace-moselle", "--json"])
    assert json.loads(apr.stdout)["steps"][0]["due"] == "2026-04-01"
    assert json.loads(apr.stdout)["mission_hours_required"] == 46.67


def test_plan_reads_no_database(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(cli, ["--db", f"sqlite:///{tmp_path}/none/x.db", *BASE])
    assert result.exit_code == 0
    assert not (tmp_path / "none").exists()
    assert "Heures de mission requises : 70\u00a0h" in result.stdout


def test_plan_validates_like_open() -> None:
    """R-CIPI-HOURS in plan."""
    result = CliRunner().invoke(cli, ["plan", "--kind", "cipi", "--start", "2027-01-11", "--end",
                                      "2027-02-19", "--training-hours", "250"])
    assert result.exit_code == 2
    assert result.stderr == ("Erreur : heures de formation : 250\u00a0h hors des bornes "
                             "70\u00a0h – 245\u00a0h (R-CIPI-HOURS)\n")
