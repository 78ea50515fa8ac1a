"""The `dossiers` command through click's runner, on real SQLite files."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from dossiers.cli import cli
from dossiers.store.database import head_revision
from dossiers.messages import EVENT_LABELS
from dossiers.deadlines.facts import EventKind
from tests.conftest import Dossiers

CDPI = ["open", "--kind", "cdpi", "--worker", "Karim B.", "--start", "2027-01-11",
        "--end", "2027-02-19", "--training-hours", "210", "--owner", "lea@example.fr",
        "--reference", "CDPI-1"]


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += all_commands(command, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


@pytest.mark.parametrize("path", all_commands(cli), ids=lambda p: " ".join(p) or "dossiers")
def test_every_command_explains_itself_in_french(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0
    assert result.output.startswith("Utilisation : dossiers")
    assert "Affiche cette aide et quitte." in result.output
    assert "Show this message" not in result.output
    assert "[required]" not in result.output and "[default" not in result.output
    command = cli
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    if not isinstance(command, click.Group):
        assert "Exemple" in result.output


def test_the_event_names_of_the_help_are_the_engine_s() -> None:
    assert set(EVENT_LABELS) == {kind.value for kind in EventKind}


def test_init_creates_then_finds_the_schema_up_to_date(tmp_path: Path) -> None:
    head = head_revision()
    tool = Dossiers.sqlite(tmp_path / "new" / "dossiers.db")
    path = tmp_path / "new" / "dossiers.db"
    assert tool.ok("init") == f"Base créée (schéma {head}) : {path}.\n"
    assert tool.ok("init") == f"Base déjà à jour (schéma {head}) : {path}.\n"


def test_without_db_option_the_database_is_a_per_user_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["init"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "xdg" / "dossiers" / "dossiers.db").exists()


def test_the_environment_variable_names_the_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'env.db'}"
    assert CliRunner().invoke(cli, ["init"], env={"DOSSIERS_DB": url}).exit_code == 0
    assert (tmp_path / "env.db").exists()


def test_a_command_on_an_uninitialised_database_says_to_run_init(tmp_path: Path) -> None:
    (tmp_path / "empty.db").touch()  # a file, but no schema (a missing file: test_french_edges)
    result = Dossiers.sqlite(tmp_path / "empty.db").run("list")
    assert result.exit_code == 2
    assert result.stderr == ("Erreur : base de données non initialisée ou d'une version "
                             "antérieure : lancez « dossiers init »\n")


def test_open_shows_the_timeline_of_the_new_dossier(network: Dossiers,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """R-DRF-WINDOW, R-CDPI-MISSION through `open`."""
    monkeypatch.setenv("COLUMNS", "120")
    out = network.ok(*CDPI, "--as-of", "2026-11-22")
    assert out.startswith("Dossier CDPI-1 ouvert.\n")
    assert "Situation au dimanche 22 novembre 2026" in out
    assert "Demande de réservation de financement (DRF)  11/11/2026  07/01/2027  ouvert (J-46)" in out
    assert "R-DRF-WINDOW" in out and "R-CDPI-MISSION" in out


def test_an_unnamed_dossier_gets_a_reference_of_its_kind_and_year(network: Dossiers) -> None:
    network.ok(*CDPI[:-2])
    network.ok(*CDPI[:-2], "--duplicate")
    listed = json.loads(network.ok("list", "--json"))
    assert [d["reference"] for d in listed] == ["CDPI-2027-0001", "CDPI-2027-0002"]


def test_show_json_gives_steps_with_status(network: Dossiers) -> None:
    network.ok(*CDPI)
    network.ok("record", "CDPI-1", "drf-submitted", "--on", "2026-12-01")
    data = json.loads(network.ok("show", "CDPI-1", "--json", "--as-of", "2026-12-04"))
    assert data["reference"] == "CDPI-1" and data["kind"] == "CDPI"
    assert data["agency"] == "Lyon" and data["owner"] == "lea@example.fr"
    codes = {s["code"]: s for s in data["steps"]}
    assert codes["drf"]["status"] == "done" and codes["drf"]["done_on"] == "2026-12-01"
    assert codes["akto_response"]["due"] == "2026-12-03"
    assert codes["akto_response"]["status"] == "akto_late"
    assert data["alerts"][0]["rule"] == "R-DRF-ANSWER"
    mission = codes["mission_obligation"]
    assert (mission["hours_done"], mission["hours_required"], mission["window_end"]) == (
        0.0, 70.0, "2027-05-19")


def test_record_refuses_a_drf_on_the_start_day_and_writes_nothing(network: Dossiers) -> None:
    """R-DRF-WINDOW: a DRF dated on or after the training start is refused."""
    network.ok(*CDPI)
    before = network.dump()
    result = network.run("record", "CDPI-1", "drf-submitted", "--on", "2027-01-11")
    assert result.exit_code == 2
    assert result.stderr == ("Erreur : --on : une DRF ne peut pas être déposée le 11/01/2027, "
                             "la formation démarre le 11/01/2027 (R-DRF-WINDOW)\n")
    assert network.dump() == before


def test_update_shows_the_dates_that_move_and_the_drf_shift_alert(
        network: Dossiers, monkeypatch: pytest.MonkeyPatch) -> None:
    """R-DRF-SHIFT: a start moved more than 2 months after the accord needs a new DRF."""
    monkeypatch.setenv("COLUMNS", "200")
    network.ok(*CDPI)
    network.ok("record", "CDPI-1", "drf-submitted", "--on", "2026-11-30")
    network.ok("record", "CDPI-1", "drf-accord", "--on", "2026-12-01")
    kept = network.ok("update", "CDPI-1", "--start", "2027-02-01", "--end", "2027-03-12",
                      "--as-of", "2026-12-02")
    assert "début de formation : 11/01/2027 → 01/02/2027" in kept
    assert ("Demande de réservation de financement (DRF) : échéance 07/01/2027 → 28/01/2027, "
            "ouverture 11/11/2026 → 01/12/2026") in kept
    assert "R-DRF-SHIFT" not in kept
    moved = network.ok("update", "CDPI-1", "--start", "2027-02-02", "--as-of", "2026-12-02")
    assert ("⚠ DRF à refaire : le démarrage du 02/02/2027 est à plus de 2 mois de l'accord du "
            "01/12/2026 (R-DRF-SHIFT)") in moved
    history = json.loads(network.ok("show", "CDPI-1", "--json", "--history"))["history"]
    assert [(h["what"], h["before"], h["after"]) for h in history[-3:]] == [
        ("training_start", "2027-01-11", "2027-02-01"),
        ("training_end", "2027-02-19", "2027-03-12"),
        ("training_start", "2027-02-01", "2027-02-02"),
    ]


def test_update_checks_the_bounds_again(network: Dossiers) -> None:
    """R-CDPI-HOURS on update; nothing is written."""
    network.ok(*CDPI)
    before = network.dump()
    result = network.run("update", "CDPI-1", "--training-hours", "600")
    assert result.exit_code == 2
    assert result.stderr == ("Erreur : heures de formation : 600\u00a0h hors des bornes "
                             "140\u00a0h – 525\u00a0h (R-CDPI-HOURS)\n")
    assert network.dump() == before


def test_closing_a_dossier_takes_it_out_of_the_list(network: Dossiers) -> None:
    network.ok(*CDPI)
    network.ok("record", "CDPI-1", "close", "--on", "2026-12-01")
    assert network.ok("list", "--as-of", "2026-12-01") == "Aucun dossier.\n"
    assert network.ok("list", "--json", "--as-of", "2026-12-01") == "[]\n"
    assert json.loads(network.ok("list", "--all", "--json", "--as-of", "2026-12-01"))[0][
        "state"] == "closed"
    # I-AS-OF-KNOWS-PAST: the day before its closure, the dossier was still open.
    assert "CDPI-1" in network.ok("list", "--as-of", "2026-11-30")
    assert json.loads(network.ok("list", "--all", "--json", "--as-of", "2026-11-30"))[0][
        "state"] == "open"
    # `show` of that day says the same, as text and as JSON; of the day of the closure, clos.
    assert network.ok("show", "CDPI-1", "--as-of", "2026-11-30").startswith(
        "Dossier CDPI-1 (CDPI, en cours)")
    assert json.loads(network.ok("show", "CDPI-1", "--json", "--as-of", "2026-11-30"))[
        "state"] == "open"
    assert network.ok("show", "CDPI-1", "--as-of", "2026-12-01").startswith(
        "Dossier CDPI-1 (CDPI, clos)")
    result = network.run("record", "CDPI-1", "drf-submitted", "--on", "2026-12-01")
    assert result.exit_code == 2 and "clos" in result.stderr


def test_list_filters(network: Dossiers) -> None:
    """`--overdue`, `--due-within`, `--kind`, `--agency`, `--owner` (R-DRF-WINDOW dates)."""
    network.ok(*CDPI)
    network.ok("open", "--kind", "cipi", "--worker", "Aïcha D.", "--start", "2026-12-01",
               "--end", "2027-01-29", "--training-hours", "140", "--owner", "julien@example.fr",
               "--reference", "CIPI-1")
    network.ok("open", "--kind", "car", "--worker", "Paul R.", "--start", "2026-12-20",
               "--end", "2027-05-28", "--training-hours", "400", "--owner", "lea@example.fr",
               "--reference", "CAR-1")

    def refs(*args: str) -> list[str]:
        return sorted(d["reference"] for d in json.loads(network.ok("list", "--json", "--as-of",
                                                                     "2026-12-01", *args)))

    assert refs() == ["CAR-1", "CDPI-1", "CIPI-1"]
    assert refs("--overdue") == ["CIPI-1"]  # its DRF was due 27/11/2026
    assert refs("--due-within", "19") == ["CAR-1"]
    assert refs("--due-within", "40") == ["CAR-1", "CDPI-1"]
    assert refs("--kind", "cipi") == ["CIPI-1"]
    assert refs("--agency", "Metz") == ["CIPI-1"]
    assert refs("--owner", "lea@example.fr") == ["CAR-1", "CDPI-1"]


def test_list_json_follows_the_contract(network: Dossiers) -> None:
    network.ok(*CDPI)
    [dossier] = json.loads(network.ok("list", "--json", "--as-of", "2026-11-22"))
    assert {"reference", "kind", "agency", "owner", "steps"} <= set(dossier)
    assert dossier["steps"][0] | {} == {
        "code": "drf", "label": "Demande de réservation de financement (DRF)",
        "opens": "2026-11-11", "due": "2027-01-07", "rule": "R-DRF-WINDOW",
        "status": "open", "done_on": None, "days_left": 46,
    }


def test_missions_count_towards_the_obligation(network: Dossiers) -> None:
    """R-CDPI-MISSION: 98 h worked + 7 h fériés = 105 h."""
    network.ok(*CDPI)
    out = network.ok("mission", "CDPI-1", "--start", "2027-03-01", "--end", "2027-03-19",
                     "--hours", "98", "--holiday-hours", "7", "--as-of", "2027-03-20")
    assert "Missions : 105\u00a0h faites sur 70\u00a0h requises" in out


def test_the_time_zone_of_an_overseas_agency_decides_its_holidays(network: Dossiers) -> None:
    """R-CAL-2: the dossier's zone is its agency's."""
    network.ok("agency", "add", "Pointe-à-Pitre", "--zone", "guadeloupe")
    network.ok("staff", "add", "Maëva J.", "--email", "maeva@example.fr",
               "--agency", "Pointe-à-Pitre")
    network.ok("open", "--kind", "cdpi", "--worker", "X", "--start", "2026-05-29",
               "--end", "2026-07-10", "--training-hours", "210", "--owner", "maeva@example.fr")
    [dossier] = json.loads(network.ok("list", "--json", "--agency", "Pointe-à-Pitre"))
    assert dossier["zone"] == "guadeloupe"
    assert dossier["steps"][0]["due"] == "2026-05-26"  # 27 May, abolition of slavery (971)


def test_update_can_set_and_remove_the_programme(network: Dossiers) -> None:
    """R-CDPI-BILAN: Langue et Compétences adds the positioning assessment; removing it too."""
    network.ok(*CDPI)
    network.ok("update", "CDPI-1", "--programme", "langue-competences")
    steps = [s["code"] for s in json.loads(network.ok("show", "CDPI-1", "--json"))["steps"]]
    assert "positioning_assessment" in steps
    network.ok("update", "CDPI-1", "--programme", "aucun")
    data = json.loads(network.ok("show", "CDPI-1", "--json"))
    assert data["programme"] is None
    assert "positioning_assessment" not in [s["code"] for s in data["steps"]]


def test_an_event_dated_after_today_is_recorded_with_a_warning(network: Dossiers) -> None:
    """R-CAL-4: a date in the future is most often a typo; say so, keep what was typed."""
    network.ok(*CDPI)
    result = network.run("record", "CDPI-1", "drf-submitted", "--on", "2026-12-01",
                         "--as-of", "2026-11-22")
    assert result.exit_code == 0
    assert result.stderr == ("Attention : le 01/12/2026 est après le jour dit (22/11/2026). Pour "
                             "l'annuler :\n  dossiers cancel CDPI-1 drf-submitted "
                             "--on 01/12/2026\n")
    quiet = network.run("record", "CDPI-1", "drf-accord", "--on", "2026-12-02",
                        "--as-of", "2026-12-02")
    assert quiet.stderr == ""


def test_cancel_takes_back_a_mistaken_event_and_the_history_keeps_it(network: Dossiers) -> None:
    """R-DRF-WINDOW: the latest DRF counts, so a wrong date must be cancelled, not outvoted."""
    network.ok(*CDPI)
    network.ok("record", "CDPI-1", "drf-submitted", "--on", "2026-12-10")
    assert network.ok("cancel", "CDPI-1", "drf-submitted", "--on", "2026-12-10") == (
        "CDPI-1 : « DRF déposée » du 10/12/2026 annulé.\n")
    network.ok("record", "CDPI-1", "drf-submitted", "--on", "2026-12-01")
    data = json.loads(network.ok("show", "CDPI-1", "--json", "--history", "--as-of", "2026-12-02"))
    assert data["steps"][0]["done_on"] == "2026-12-01"
    assert ("événement annulé drf-submitted", "2026-12-10", None) in [
        (h["what"], h["before"], h["after"]) for h in data["history"]]
    before = network.dump()
    missing = network.run("cancel", "CDPI-1", "drf-accord", "--on", "2026-12-02")
    assert missing.exit_code == 2
    assert missing.stderr == ("Erreur : --on : aucun événement « drf-accord » le 02/12/2026 dans "
                              "« CDPI-1 »\n")
    assert network.dump() == before


def test_cancelling_a_closure_reopens_the_dossier(network: Dossiers) -> None:
    network.ok(*CDPI)
    network.ok("record", "CDPI-1", "close", "--on", "2026-12-01")
    network.ok("cancel", "CDPI-1", "close", "--on", "2026-12-01")
    assert [d["state"] for d in json.loads(network.ok("list", "--json"))] == ["open"]


def test_a_write_the_database_refuses_after_every_check_ends_in_one_french_line(
        network: Dossiers, capsys: pytest.CaptureFixture[str]) -> None:
    """Two commands racing on PostgreSQL can both pass the checks; the database's unique
    constraint then refuses the second write: one line, exit 1, nothing written (here the
    refused row is written by hand, as the racing command would)."""
    from dossiers.cli.options import App
    from dossiers.store.models import Agency

    before = network.dump()
    app = App(db_url=network.url)
    with pytest.raises(SystemExit) as stopped:
        with app.transaction() as session:
            session.add(Agency(name="Lyon", zone="metropole", headcount=3, prism_member=False))
    app.engine().dispose()
    assert stopped.value.code == 1
    assert capsys.readouterr().err == (
        "Erreur : une autre commande a enregistré la même donnée au même moment ; rien n'a été "
        "modifié : relancez la commande\n")
    assert network.dump() == before
