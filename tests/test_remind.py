"""`dossiers remind` against a real SMTP server: digests, lead times, escalation, snooze,
sent exactly once, resumption."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import Engine

from dossiers.mail.transports import SmtpTransport
from dossiers.services.reminders import compose_day, send_pending
from dossiers.settings import load_settings
from dossiers.store.database import transaction
from dossiers.store.models import OutboxMessage
from tests.conftest import Dossiers
from tests.smtp_server import SmtpServer

CDPI = ["open", "--kind", "cdpi", "--worker", "Karim B.", "--start", "2027-01-11",
        "--end", "2027-02-19", "--training-hours", "210", "--owner", "lea@example.fr",
        "--reference", "CDPI-1"]
CIPI = ["open", "--kind", "cipi", "--worker", "Aïcha D.", "--start", "2027-01-11",
        "--end", "2027-02-26", "--training-hours", "140", "--owner", "lea@example.fr",
        "--reference", "CIPI-1"]


def raw_text_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content()).replace("\r\n", "\n")


def text_of(message: EmailMessage) -> str:
    """The plain-text part with its wrapped lines joined again (a continuation line is
    indented and starts with no bullet), to look for whole sentences."""
    return unwrapped(raw_text_of(message))


def unwrapped(text: str) -> str:
    """The plain-text part with its wrapped lines joined again, to look for a sentence."""
    return re.sub(r"\n +(?=[^ •⚠])", " ", text)


def remind(tool: Dossiers, day: str, *extra: str) -> str:
    return tool.ok("remind", "--transport", "smtp", "--as-of", day, *extra)


def test_one_digest_per_person_with_its_headers_and_both_parts(
    network: Dossiers, smtp: SmtpServer
) -> None:
    """R-DRF-WINDOW: two DRFs due within a week make one digest for their owner."""
    network.ok(*CDPI)
    network.ok(*CIPI)
    out = remind(network, "2026-12-31")
    assert out == "Rappels du 31/12/2026 : 1 envoyé(s), 0 en attente, 0 en échec.\n"
    [received] = smtp.outbox
    assert received.recipients == ["lea@example.fr"]
    assert received.sender == "dossiers@agence-exemple.fr"
    message = received.message
    assert message["From"] == "Suivi des dossiers <dossiers@agence-exemple.fr>"
    assert message["To"] == "Léa Martin <lea@example.fr>"
    assert message["Subject"] == "Dossiers AKTO : 2 points à traiter (31/12/2026)"
    assert message["Date"] and message["Message-ID"].endswith("@agence-exemple.fr>")
    assert message.get_content_type() == "multipart/alternative"
    text = text_of(message)
    assert "Voici ce qui demande votre attention au jeudi 31 décembre 2026" in text
    assert ("CDPI-1 — Karim B. (CDPI)\n  • Demande de réservation de financement (DRF) : "
            "échéance dans 7 jours, le jeudi 7 janvier 2027 (R-DRF-WINDOW)") in text
    assert "CIPI-1 — Aïcha D. (CIPI)" in text
    html = message.get_body(("html",))
    assert html is not None and "<h3" in str(html.get_content())


@pytest.mark.parametrize(("day", "expected"), [
    ("2026-12-31", "échéance dans 7 jours, le jeudi 7 janvier 2027"),
    ("2027-01-01", None),
    ("2027-01-04", None),
    ("2027-01-05", "échéance dans 2 jours, le jeudi 7 janvier 2027"),
    ("2027-01-07", "échéance aujourd'hui, jeudi 7 janvier 2027"),
    ("2027-01-08", "EN RETARD de 1 jour — Demande de réservation de financement (DRF)"),
])
def test_lead_times_are_j7_j2_and_the_day_itself(
    network: Dossiers, smtp: SmtpServer, day: str, expected: str | None
) -> None:
    """R-DRF-WINDOW due 2027-01-07; default lead times J-7, J-2, J."""
    network.ok(*CDPI)
    network.ok("remind", "--transport", "smtp", "--as-of",
               (datetime.fromisoformat(day) - timedelta(days=1)).date().isoformat())
    smtp.outbox.clear()
    remind(network, day)
    if expected is None:
        assert smtp.outbox == []
    else:
        [received] = smtp.outbox
        assert expected in text_of(received.message)


def test_lead_times_are_configurable_per_step(
    network: Dossiers, smtp: SmtpServer, tmp_path: Path
) -> None:
    config = tmp_path / "dossiers.toml"
    config.write_text('[reminders]\nlead_days = [7, 2, 0]\n\n'
                      '[reminders.lead_days_by_step]\ndrf = [10]\n', encoding="utf-8")
    network.ok(*CDPI)
    network.ok("--config", str(config), "remind", "--transport", "smtp", "--as-of", "2026-12-27")
    network.ok("--config", str(config), "remind", "--transport", "smtp", "--as-of", "2026-12-28")
    network.ok("--config", str(config), "remind", "--transport", "smtp", "--as-of", "2026-12-31")
    [received] = smtp.outbox
    assert "échéance dans 10 jours, le jeudi 7 janvier 2027" in text_of(received.message)


def test_a_window_that_opens_today_is_announced(network: Dossiers, smtp: SmtpServer) -> None:
    """R-DRF-WINDOW opens 2026-11-10 for a start on 2027-01-10 (a Sunday)."""
    network.ok(*CDPI[:6], "2027-01-10", *CDPI[7:])
    remind(network, "2026-11-10")
    [received] = smtp.outbox
    assert ("Demande de réservation de financement (DRF) : possible à partir d'aujourd'hui, au "
            "plus tard le jeudi 7 janvier 2027 (R-DRF-WINDOW)") in text_of(received.message)


def test_no_digest_on_a_public_holiday_the_next_jour_ouvre_brings_it(
    network: Dossiers, smtp: SmtpServer
) -> None:
    """R-CAL-1: the window opens on 11 November (Armistice): announced on the 12th."""
    network.ok(*CDPI)
    assert remind(network, "2026-11-10") == \
        "Rappels du 10/11/2026 : 0 envoyé(s), 0 en attente, 0 en échec.\n"
    remind(network, "2026-11-11")
    assert smtp.outbox == []
    remind(network, "2026-11-12")
    [received] = smtp.outbox
    assert ("Demande de réservation de financement (DRF) : possible depuis le mercredi 11 "
            "novembre 2026, au plus tard le jeudi 7 janvier 2027 (R-DRF-WINDOW)"
            ) in text_of(received.message)


def test_no_digest_at_the_weekend_monday_brings_what_fell_due(
    network: Dossiers, smtp: SmtpServer
) -> None:
    """R-CAL-1, R-DRF-WINDOW: due Thu 07/01/2027; J-7 falls on Thursday 31/12, but a CIPI
    due Mon 11/01 has its J-2 on Saturday 09/01: Monday's digest brings it."""
    network.ok(*CIPI[:6], "2027-01-13", *CIPI[7:])  # DRF due Mon 11/01/2027
    for day in ("2027-01-08", "2027-01-09", "2027-01-10"):
        remind(network, day)
    assert [m.message["Subject"] for m in smtp.outbox] == []
    remind(network, "2027-01-11")
    [received] = smtp.outbox
    assert "échéance aujourd'hui, lundi 11 janvier 2027 (R-DRF-WINDOW)" in text_of(received.message)


def test_an_alsace_moselle_agency_gets_nothing_on_good_friday_a_lyon_one_does(
    network: Dossiers, smtp: SmtpServer
) -> None:
    """R-CAL-2: Vendredi saint 26/03/2027 is a holiday in Metz only; both DRF windows open
    that day (R-DRF-WINDOW, start 26/05/2027)."""
    for owner, reference in (("lea@example.fr", "LYON-1"), ("julien@example.fr", "METZ-1")):
        network.ok("open", "--kind", "cdpi", "--worker", "Karim B.", "--start", "2027-05-26",
                   "--end", "2027-07-02", "--training-hours", "210", "--owner", owner,
                   "--reference", reference)
    remind(network, "2027-03-26")
    assert [m.recipients for m in smtp.outbox] == [["lea@example.fr"]]
    remind(network, "2027-03-29")  # Easter Monday, everywhere
    remind(network, "2027-03-30")
    assert [m.recipients for m in smtp.outbox] == [["lea@example.fr"], ["julien@example.fr"]]


def test_a_late_akto_answer_suggests_a_follow_up(network: Dossiers, smtp: SmtpServer) -> None:
    """R-DRF-ANSWER: submitted Thu 2026-12-24, expected Tue 2026-12-29."""
    network.ok(*CDPI)
    network.ok("record", "CDPI-1", "drf-submitted", "--on", "2026-12-24")
    remind(network, "2026-12-30")
    assert "AKTO n'a pas répondu (réponse attendue le mardi 29 décembre 2026), relancez AKTO" \
        in text_of(smtp.outbox[0].message)


def test_an_overdue_step_goes_to_the_managers_after_three_jours_ouvres(
    network: Dossiers, smtp: SmtpServer
) -> None:
    """R-DRF-WINDOW due Thu 2027-01-07: 3 jours ouvrés late on Tue 12, 4 on Wed 13."""
    network.ok(*CDPI)
    remind(network, "2027-01-12")
    assert set(smtp.by_recipient()) == {"lea@example.fr"}
    smtp.outbox.clear()
    remind(network, "2027-01-13")
    received = smtp.by_recipient()
    assert set(received) == {"lea@example.fr", "sophie@example.fr"}
    manager = text_of(received["sophie@example.fr"])
    assert manager.startswith("Bonjour Sophie Garnier,")
    assert "CDPI-1 — Karim B. (CDPI), suivi par Léa Martin" in manager
    assert "EN RETARD de 6 jours" in manager
    assert received["sophie@example.fr"]["Subject"] == (
        "Dossiers AKTO : 1 point à traiter, dont 1 en retard (13/01/2027)")


def test_overdue_reminders_repeat_daily_unless_a_gap_is_set(
    network: Dossiers, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every jour ouvré (Friday, then Monday), or every N days at least."""
    network.ok(*CDPI)
    def to_lea() -> int:
        return sum(m.recipients == ["lea@example.fr"] for m in smtp.outbox)

    remind(network, "2027-01-08")
    remind(network, "2027-01-11")
    assert to_lea() == 2
    monkeypatch.setenv("DOSSIERS_REMINDERS_MIN_GAP_DAYS", "3")
    remind(network, "2027-01-12")
    remind(network, "2027-01-13")
    assert to_lea() == 2
    remind(network, "2027-01-14")
    assert to_lea() == 3


def test_snooze_stops_the_reminders_not_the_overdue_status(
    network: Dossiers, smtp: SmtpServer
) -> None:
    network.ok(*CDPI)
    out = network.ok("snooze", "CDPI-1", "drf", "--until", "2027-01-10", "--as-of", "2027-01-08")
    assert out == ("CDPI-1 : pas de rappel pour « Demande de réservation de financement (DRF) »\n"
                   "  jusqu'au 10/01/2027 inclus.\n")  # wrapped at 80 columns
    remind(network, "2027-01-08")
    remind(network, "2027-01-10")
    assert smtp.outbox == []
    assert json.loads(network.ok("list", "--overdue", "--json", "--as-of", "2027-01-09"))
    remind(network, "2027-01-11")
    assert len(smtp.outbox) == 1


def test_a_snooze_ending_on_a_working_day_silences_that_day_too(
    network: Dossiers, smtp: SmtpServer
) -> None:
    """Issue 18: both snooze tests ended on a Sunday, when nothing goes out anyway."""
    network.ok(*CDPI)
    network.ok("snooze", "CDPI-1", "drf", "--until", "2027-01-12", "--as-of", "2027-01-08")
    remind(network, "2027-01-11")
    remind(network, "2027-01-12")  # a Tuesday: its last day without reminder
    assert smtp.outbox == []
    remind(network, "2027-01-13")
    assert sorted(smtp.by_recipient()) == ["lea@example.fr", "sophie@example.fr"]


def test_a_failed_digest_is_no_reminder_for_the_minimum_gap(
    network: Dossiers, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 18: counted as given, a failed digest would silence the step for three days."""
    monkeypatch.setenv("DOSSIERS_REMINDERS_MIN_GAP_DAYS", "3")
    network.ok(*CDPI)
    smtp.handler.refuse = {"lea@example.fr": "550 5.2.1 Mailbox disabled"}
    network.run("remind", "--transport", "smtp", "--as-of", "2027-01-12")
    assert "lea@example.fr" not in smtp.by_recipient()
    smtp.handler.refuse = {}
    remind(network, "2027-01-13")
    assert "lea@example.fr" in smtp.by_recipient()
    remind(network, "2027-01-14")  # a sent one does count: the gap holds
    assert sum(m.recipients == ["lea@example.fr"] for m in smtp.outbox) == 1


def test_a_second_run_the_same_day_sends_nothing(network: Dossiers, smtp: SmtpServer) -> None:
    network.ok(*CDPI)
    remind(network, "2027-01-08")
    assert remind(network, "2027-01-08") == (
        "Rappels du 08/01/2027 : 0 envoyé(s), 0 en attente, 0 en échec.\n")
    assert len(smtp.outbox) == 1


def test_two_concurrent_runs_send_each_digest_once(network: Dossiers, smtp: SmtpServer) -> None:
    network.ok(*CDPI)
    network.ok("open", "--kind", "cdpi", "--worker", "Paul R.", "--start", "2027-01-11",
               "--end", "2027-02-19", "--training-hours", "210", "--owner", "julien@example.fr")
    command = [sys.executable, "-m", "dossiers", "--db", network.url, "remind",
               "--transport", "smtp", "--as-of", "2027-01-13"]
    runs = [subprocess.Popen(command, env=os.environ.copy(), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [run.communicate(timeout=120) + (run.returncode,) for run in runs]
    # A run that meets a message the other is sending says so and exits 1.
    for _, err, code in results:
        assert (code, err) == (0, "") or (code == 1 and err.startswith(
            "Erreur : 1 message en cours d'envoi par un autre passage (")), results
    assert sorted(smtp.by_recipient()) == ["julien@example.fr", "lea@example.fr",
                                           "sophie@example.fr"]


def test_a_run_with_the_server_down_keeps_everything_for_the_next_run(
    network: Dossiers, smtp: SmtpServer
) -> None:
    network.ok(*CDPI)
    smtp.stop()
    result = network.run("remind", "--transport", "smtp", "--as-of", "2027-01-13")
    assert result.exit_code == 1
    assert result.stdout == "Rappels du 13/01/2027 : 0 envoyé(s), 2 en attente, 0 en échec.\n"
    assert result.stderr.startswith(f"Erreur : serveur SMTP 127.0.0.1:{smtp.port} injoignable")
    assert result.stderr.endswith(": 2 messages gardé(s) pour le prochain passage\n")
    pending = json.loads(network.ok("outbox", "--json", "--status", "pending"))
    assert len(pending) == 2 and "injoignable" in pending[0]["error"]
    smtp.start()
    # One digest per person: the 14th's carries what the 13th's said (issue 18).
    assert remind(network, "2027-01-14") == (
        "Rappels du 14/01/2027 : 2 envoyé(s), 0 en attente, 0 en échec, 2 remplacé(s) par le "
        "récapitulatif du jour.\n")
    days = sorted(text_of(r.message).split(" au ")[1].split(" :")[0] for r in smtp.outbox)
    assert days == ["jeudi 14 janvier 2027"] * 2


def test_a_temporary_refusal_is_retried_later_and_a_permanent_one_fails_alone(
    network: Dossiers, smtp: SmtpServer, db_engine: Engine
) -> None:
    network.ok(*CDPI)
    network.ok("open", "--kind", "cdpi", "--worker", "Paul R.", "--start", "2027-01-11",
               "--end", "2027-02-19", "--training-hours", "210", "--owner", "julien@example.fr")
    smtp.handler.refuse = {"lea@example.fr": "451 4.3.0 Mailbox busy, try later",
                           "sophie@example.fr": "550 5.1.1 No such user"}
    result = network.run("remind", "--transport", "smtp", "--as-of", "2027-01-13",
                         "--now", "2027-01-13 08:00")
    assert result.exit_code == 1
    # 08:00 in Paris is 07:00 UTC; the first retry comes 5 minutes later.
    assert result.stdout == ("Rappels du 13/01/2027 : 1 envoyé(s), 1 en attente, 1 en échec, "
                             "prochain essai le 13/01/2027 08:05.\n")
    assert set(smtp.by_recipient()) == {"julien@example.fr"}
    outbox = {m["recipient"]: m for m in json.loads(network.ok("outbox", "--json"))}
    assert outbox["lea@example.fr"]["status"] == "pending"
    assert outbox["lea@example.fr"]["error"].startswith("refus temporaire 451")
    assert outbox["lea@example.fr"]["next_attempt_at"] == "2027-01-13T07:05:00"
    assert outbox["sophie@example.fr"]["status"] == "failed"
    assert outbox["sophie@example.fr"]["error"].startswith("refus définitif 550")
    smtp.handler.refuse = {}
    engine = db_engine
    settings = load_settings(None, os.environ)
    early = datetime(2027, 1, 13, 7, 4)
    report = send_pending(engine, SmtpTransport(settings.smtp), settings, lambda: early)
    assert (report.sent, report.pending, report.failed) == (0, 1, 0)
    later = datetime(2027, 1, 13, 7, 5)
    report = send_pending(engine, SmtpTransport(settings.smtp), settings, lambda: later)
    assert (report.sent, report.pending, report.failed) == (1, 0, 0)
    assert "lea@example.fr" in smtp.by_recipient()


def test_an_interrupted_run_leaves_the_message_in_flight_uncertain_and_resends_it_with_its_id(
    network: Dossiers, smtp: SmtpServer, db_engine: Engine
) -> None:
    """The digest was handed to the server, and the run was stopped before recording it."""
    network.ok(*CDPI)
    engine = db_engine
    settings = load_settings(None, os.environ)

    class StoppedAfterSending(SmtpTransport):
        def send(self, content: str, recipient: str) -> None:
            super().send(content, recipient)
            raise KeyboardInterrupt  # Ctrl-C here

    now = datetime(2027, 1, 13, 7, 0)
    with transaction(engine) as session:
        compose_day(session, now.date(), settings, now)
    report = send_pending(engine, StoppedAfterSending(settings.smtp), settings, lambda: now)
    assert report.interrupted == "interrompu (SIGINT)"
    assert (report.sent, report.pending, report.uncertain) == (0, 1, 1)
    assert len(smtp.outbox) == 1
    with transaction(engine) as session:
        assert {m.status for m in session.query(OutboxMessage)} == {"uncertain", "pending"}
    report = send_pending(engine, SmtpTransport(settings.smtp), settings, lambda: now)
    assert (report.sent, report.pending, report.uncertain, report.in_flight) == (2, 0, 0, 0)
    first = smtp.outbox[0]
    again = [r.message["Message-ID"] for r in smtp.outbox if r.recipients == first.recipients]
    assert len(again) == 2 and again[0] == again[1]


def test_a_run_missed_for_some_days_catches_up(network: Dossiers, smtp: SmtpServer) -> None:
    """R-DRF-WINDOW: the J-7 and J-2 thresholds of 31/12 and 05/01 both fall in the gap."""
    network.ok(*CDPI)
    remind(network, "2026-12-20")
    remind(network, "2027-01-06")
    [received] = smtp.outbox
    assert "échéance dans 1 jour, le jeudi 7 janvier 2027" in text_of(received.message)


def test_names_cannot_smuggle_headers(network: Dossiers, smtp: SmtpServer) -> None:
    """The command line refuses these names now; a database written before may hold them."""
    from sqlalchemy import create_engine, text

    from tests.conftest import _driver

    network.ok("staff", "add", "Eve", "--email", "eve@example.fr", "--agency", "Lyon")
    network.ok("open", "--kind", "cdpi", "--worker", "X", "--start",
               "2027-01-11", "--end", "2027-02-19", "--training-hours", "210",
               "--owner", "eve@example.fr")
    engine = create_engine(_driver(network.url))
    with engine.begin() as connection:
        connection.execute(text("UPDATE staff SET name = :n WHERE email = 'eve@example.fr'"),
                           {"n": "Eve\r\nBcc: spy@evil.example"})
        connection.execute(text("UPDATE dossiers SET worker = :w"), {"w": "X\nSubject: injected"})
    engine.dispose()
    remind(network, "2027-01-08")
    [received] = smtp.outbox
    assert received.recipients == ["eve@example.fr"]
    assert received.message["Bcc"] is None
    assert received.message["To"] == "\"Eve Bcc: spy@evil.example\" <eve@example.fr>"
    assert received.message.get_all("Subject") == [
        "Dossiers AKTO : 1 point à traiter, dont 1 en retard (08/01/2027)"]


def test_html_is_escaped(network: Dossiers, smtp: SmtpServer) -> None:
    network.ok("open", "--kind", "cdpi", "--worker", "<b>Karim</b> & co", "--start",
               "2027-01-11", "--end", "2027-02-19", "--training-hours", "210",
               "--owner", "lea@example.fr")
    remind(network, "2027-01-08")
    html = smtp.outbox[0].message.get_body(("html",))
    assert html is not None
    assert "&lt;b&gt;Karim&lt;/b&gt; &amp; co" in str(html.get_content())


def test_dry_run_prints_and_records_nothing(network: Dossiers, smtp: SmtpServer) -> None:
    network.ok(*CDPI)
    before = network.dump()
    out = network.ok("remind", "--dry-run", "--as-of", "2027-01-13")
    assert out.startswith("À : Léa Martin <lea@example.fr>\nObjet : Dossiers AKTO : 1 point")
    assert out.endswith("Simulation du 13/01/2027 : 2 messages à envoyer, rien n'est "
                        "enregistré.\n")
    assert network.dump() == before and smtp.outbox == []


def test_the_file_transport_writes_one_eml_per_digest(network: Dossiers, tmp_path: Path,
                                                     smtp: SmtpServer) -> None:
    network.ok(*CDPI)
    out = network.ok("remind", "--transport", "file", "--outbox-dir", str(tmp_path / "mails"),
                     "--as-of", "2027-01-13")
    assert f"Messages écrits dans {tmp_path / 'mails'}" in out
    files = sorted(p.name for p in (tmp_path / "mails").iterdir())
    assert len(files) == 2 and all(f.endswith(".eml") for f in files)
    assert any("_lea@example.fr_" in f for f in files)


def test_a_custom_template_folder_overrides_and_a_missing_variable_is_an_error(
    network: Dossiers, smtp: SmtpServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    network.ok(*CDPI)
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "digest_subject.txt.j2").write_text("Agence : {{ digest.count }} rappel(s)")
    monkeypatch.setenv("DOSSIERS_MAIL_TEMPLATES", str(folder))
    remind(network, "2027-01-08")
    assert smtp.outbox[0].message["Subject"] == "Agence : 1 rappel(s)"
    (folder / "digest_subject.txt.j2").write_text("{{ nobody_knows_me }}")
    from dossiers.rendering import environment

    environment.cache_clear()
    result = network.run("remind", "--transport", "smtp", "--as-of", "2027-01-11")
    assert result.exit_code != 0
    assert "gabarit digest_subject.txt.j2 : valeur inconnue « nobody_knows_me »" in result.output
    assert "Traceback" not in result.output
    (folder / "digest_subject.txt.j2").write_text("{% if %}")
    environment.cache_clear()
    result = network.run("remind", "--transport", "smtp", "--as-of", "2027-01-11")
    assert result.exit_code != 0
    assert "gabarit digest_subject.txt.j2 : ligne 1 : gabarit illisible" in result.output
    environment.cache_clear()


def test_the_sample_network_is_delivered_over_smtp(dossiers: Dossiers, smtp: SmtpServer,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue: with DOSSIERS_DB and DOSSIERS_SMTP_* set, init, sample and remind deliver."""
    monkeypatch.setenv("DOSSIERS_DB", dossiers.url)
    from click.testing import CliRunner

    from dossiers.cli import cli

    runner = CliRunner()
    assert runner.invoke(cli, ["sample", "--as-of", "2026-11-23"]).exit_code == 0
    result = runner.invoke(cli, ["remind", "--transport", "smtp", "--as-of", "2026-11-23"])
    assert result.exit_code == 0, result.output
    received = smtp.by_recipient()
    assert len(received) >= 5
    assert all(r.endswith("@interim-exemple.fr") for r in received)


def test_a_mission_obligation_at_risk_is_reminded_with_its_alert(
    network: Dossiers, smtp: SmtpServer
) -> None:
    """R-CDPI-MISSION: 70 h left on 2027-05-07, 13 days before the window ends."""
    network.ok(*CDPI)
    network.ok("record", "CDPI-1", "drf-submitted", "--on", "2026-12-01")
    remind(network, "2027-05-07")
    text = text_of(smtp.outbox[0].message)
    assert ("Obligation de mission : menacée, 70\u00a0h restantes avant le mercredi 19 mai 2027 "
            "(R-CDPI-MISSION)") in text
    assert ("⚠ Obligation de mission menacée : 70\u00a0h restantes en 13 jours, plus que ce que "
            "permet un rythme de 35\u00a0h par semaine (R-CDPI-MISSION)") in text


def test_the_date_header_is_paris_time(network: Dossiers, smtp: SmtpServer) -> None:
    network.ok(*CDPI)
    remind(network, "2027-01-08")
    assert smtp.outbox[0].message["Date"].datetime.utcoffset() in (
        timedelta(hours=1), timedelta(hours=2))
