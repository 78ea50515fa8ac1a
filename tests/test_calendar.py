"""`dossiers calendar`: the deadlines as an RFC 5545 feed, read back with the icalendar library."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from icalendar import Calendar

from tests.conftest import Dossiers

AS_OF = "2026-12-15"


def open_dossier(tool: Dossiers, reference: str, owner: str, start: str = "2027-01-11",
                 end: str = "2027-02-19") -> None:
    tool.ok("open", "--kind", "cdpi", "--worker", "Karim B.", "--start", start, "--end", end,
            "--training-hours", "210", "--owner", owner, "--reference", reference)


def events_of(feed: bytes | str) -> dict[str, dict[str, object]]:
    calendar = Calendar.from_ical(feed)
    return {str(event["UID"]): {
        "start": event.decoded("DTSTART"), "end": event.decoded("DTEND"),
        "summary": str(event["SUMMARY"]), "description": str(event["DESCRIPTION"]),
    } for event in calendar.walk("VEVENT")}


def test_one_all_day_event_per_step_to_do_on_its_due_date(network: Dossiers) -> None:
    """R-DRF-WINDOW, R-CONTRACT: the DRF due Thu 07/01/2027; after an accord on 02/12/2026,
    the contract due 61 days later (01/02/2027); the DRF done is no longer an event."""
    open_dossier(network, "CDPI-1", "lea@example.fr")
    open_dossier(network, "CDPI-2", "lea@example.fr", start="2027-02-15", end="2027-03-26")
    network.ok("record", "CDPI-2", "drf-submitted", "--on", "2026-11-30")
    network.ok("record", "CDPI-2", "drf-accord", "--on", "2026-12-02")
    events = events_of(network.ok("calendar", "--as-of", AS_OF))
    first = events["CDPI-1/drf@dossiers.invalid"]
    assert first["start"] == date(2027, 1, 7)
    assert first["end"] == date(2027, 1, 8)  # all-day: DTEND is the next day
    assert first["summary"] == "CDPI-1 : DRF"
    assert first["description"].startswith(
        "Déposer la DRF (Demande de réservation de financement (DRF), R-DRF-WINDOW).")
    assert "dossiers show CDPI-1" in first["description"]
    contract = events["CDPI-2/contract@dossiers.invalid"]
    assert contract["start"] == date(2027, 2, 1)
    assert "CDPI-2/drf@dossiers.invalid" not in events
    assert "CDPI-2/akto_response@dossiers.invalid" not in events


def test_the_uid_is_stable_so_a_reimport_updates_the_event(network: Dossiers) -> None:
    """A moved start moves the DRF event; its UID stays, so the calendar updates it."""
    open_dossier(network, "CDPI-1", "lea@example.fr")
    before = events_of(network.ok("calendar", "--as-of", AS_OF))
    network.ok("update", "CDPI-1", "--start", "2027-01-18", "--end", "2027-02-26")
    after = events_of(network.ok("calendar", "--as-of", AS_OF))
    assert before.keys() == after.keys()
    assert before["CDPI-1/drf@dossiers.invalid"]["start"] == date(2027, 1, 7)
    assert after["CDPI-1/drf@dossiers.invalid"]["start"] == date(2027, 1, 14)


def test_an_overdue_step_says_so_in_its_title(network: Dossiers) -> None:
    open_dossier(network, "CDPI-1", "lea@example.fr")
    events = events_of(network.ok("calendar", "--as-of", "2027-01-08"))
    assert events["CDPI-1/drf@dossiers.invalid"]["summary"] == "CDPI-1 : DRF — en retard"


def test_the_feed_is_filtered_by_owner_and_agency(network: Dossiers) -> None:
    open_dossier(network, "LYON-1", "lea@example.fr")
    open_dossier(network, "METZ-1", "julien@example.fr")
    mine = events_of(network.ok("calendar", "--owner", "julien@example.fr", "--as-of", AS_OF))
    assert {uid.split("/")[0] for uid in mine} == {"METZ-1"}
    lyon = events_of(network.ok("calendar", "--agency", "Lyon", "--as-of", AS_OF))
    assert {uid.split("/")[0] for uid in lyon} == {"LYON-1"}


def test_the_file_is_replaced_whole_and_private(network: Dossiers, tmp_path: Path) -> None:
    open_dossier(network, "CDPI-1", "lea@example.fr")
    target = tmp_path / "feeds" / "lea.ics"
    target.parent.mkdir()
    target.write_text("ancien", encoding="utf-8")
    target.chmod(0o640)
    out = network.ok("calendar", "-o", str(target), "--as-of", AS_OF)
    assert out == f"Calendrier écrit dans {target} (2 échéances).\n"
    assert events_of(target.read_bytes()).keys() == {"CDPI-1/drf@dossiers.invalid",
                                                     "CDPI-1/mission_obligation@dossiers.invalid"}
    assert os.stat(target).st_mode & 0o777 == 0o640  # an existing file keeps its mode
    assert [p.name for p in target.parent.iterdir()] == ["lea.ics"]  # no temporary file left


def test_an_unwritable_file_is_one_line_and_exit_2(network: Dossiers, tmp_path: Path) -> None:
    result = network.run("calendar", "-o", str(tmp_path / "absent" / "x.ics"))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Erreur : -o : écriture impossible dans « {tmp_path}")


def test_an_empty_network_gives_a_valid_empty_calendar(network: Dossiers) -> None:
    feed = network.ok("calendar", "--as-of", AS_OF)
    calendar = Calendar.from_ical(feed)
    assert str(calendar["PRODID"]) == "-//dossiers//Echeances AKTO//FR"
    assert list(calendar.walk("VEVENT")) == []
