"""Issue 18: the daily job against the ordinary faults of real mail servers, with a real
aiosmtpd server (tests/smtp_server.py) in fault modes. Time is given (`--now`, Paris time),
never waited for."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select, text

from dossiers.mail.transports import SmtpTransport
from dossiers.services.delivery import send_pending
from dossiers.settings import load_settings
from dossiers.store.database import transaction
from dossiers.store.models import OutboxItem, OutboxMessage
from tests.conftest import Dossiers
from tests.smtp_server import SmtpServer

PEOPLE = [f"p{n}@example.fr" for n in range(1, 6)]
# On 13/01/2027 each of them has an overdue step, and Sophie (manager) its escalation.
EVERYONE = sorted([*PEOPLE, "sophie@example.fr"])


@pytest.fixture
def crowd(network: Dossiers) -> Dossiers:
    for number, email in enumerate(PEOPLE, start=1):
        network.ok("staff", "add", f"Personne {number}", "--email", email, "--agency", "Lyon")
        network.ok("open", "--kind", "cdpi", "--worker", f"Salarié {number}", "--start",
                   "2027-01-11", "--end", "2027-02-19", "--training-hours", "210",
                   "--owner", email)
    return network


def remind(tool: Dossiers, day: str, now: str) -> tuple[int, str, str]:
    result = tool.run("remind", "--transport", "smtp", "--as-of", day, "--now", now)
    return result.exit_code, result.stdout, result.stderr


def deliver(tool: Dossiers, now: str) -> tuple[int, str, str]:
    result = tool.run("outbox", "deliver", "--transport", "smtp", "--now", now)
    return result.exit_code, result.stdout, result.stderr


def outbox_rows(tool: Dossiers) -> list[dict[str, object]]:
    return json.loads(tool.ok("outbox", "--json"))


def received(smtp: SmtpServer) -> Counter[str]:
    return Counter(r for got in smtp.outbox for r in got.recipients)


def test_a_line_dropped_after_one_message_s_data_costs_that_message_alone(
    crowd: Dossiers, smtp: SmtpServer
) -> None:
    """Issue 18: the same message failed first on every run and nobody else got anything."""
    smtp.handler.drop_after_data = {"p1@example.fr"}
    code, out, err = remind(crowd, "2027-01-13", "2027-01-13 08:00")
    assert (code, err) == (1, "")
    assert out == ("Rappels du 13/01/2027 : 5 envoyé(s), 0 en attente, 0 en échec, "
                   "1 incertain(s), renvoyé(s) avec le même Message-ID, "
                   "prochain essai le 13/01/2027 08:05.\n")
    assert sorted(received(smtp)) == EVERYONE  # p1's arrived too: the server kept it
    assert smtp.handler.greeted == 2  # reconnected once, in the same run
    [p1] = [m for m in outbox_rows(crowd) if m["recipient"] == "p1@example.fr"]
    assert p1["status"] == "uncertain" and p1["attempts"] == 1
    assert str(p1["error"]).startswith("connexion SMTP perdue après l'envoi du message")
    table = " ".join(crowd.ok("outbox", "--status", "uncertain").split())
    assert "incertain" in table and "prochain essai le 13/01/2027 08:05" in table
    smtp.handler.drop_after_data = set()
    assert deliver(crowd, "2027-01-13 08:04") == (
        1, "Envoi : 0 envoyé(s), 0 en attente, 0 en échec, 1 incertain(s), renvoyé(s) avec le "
           "même Message-ID, prochain essai le 13/01/2027 08:05.\n", "")
    assert deliver(crowd, "2027-01-13 08:05") == (
        0, "Envoi : 1 envoyé(s), 0 en attente, 0 en échec.\n", "")
    ids = [got.message["Message-ID"] for got in smtp.outbox if got.recipients == ["p1@example.fr"]]
    assert len(ids) == 2 and ids[0] == ids[1]
    [p1] = [m for m in outbox_rows(crowd) if m["recipient"] == "p1@example.fr"]
    assert p1["status"] == "sent" and "même Message-ID" in str(p1["error"])


def test_a_server_that_closes_after_two_messages_gets_everyone_s_in_one_run(
    crowd: Dossiers, smtp: SmtpServer
) -> None:
    """421 Too many messages: reconnect and go on (it stopped the run: "run connect() first")."""
    smtp.handler.close_after = 2
    assert remind(crowd, "2027-01-13", "2027-01-13 08:00") == (
        0, "Rappels du 13/01/2027 : 6 envoyé(s), 0 en attente, 0 en échec.\n", "")
    assert received(smtp) == Counter(EVERYONE)
    assert smtp.handler.greeted == 3


def test_reconnections_are_bounded_per_run(
    crowd: Dossiers, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    smtp.handler.close_after = 1
    monkeypatch.setenv("DOSSIERS_REMINDERS_MAX_RECONNECTS", "2")
    code, out, err = remind(crowd, "2027-01-13", "2027-01-13 08:00")
    assert code == 1
    assert out == "Rappels du 13/01/2027 : 3 envoyé(s), 3 en attente, 0 en échec.\n"
    assert err == ("Erreur : le serveur SMTP a coupé la connexion 3 fois "
                   "(reminders.max_reconnects = 2) : 3 messages gardé(s) pour le prochain "
                   "passage\n")
    monkeypatch.setenv("DOSSIERS_REMINDERS_MAX_RECONNECTS", "100")
    assert deliver(crowd, "2027-01-13 08:01")[:2] == (
        0, "Envoi : 3 envoyé(s), 0 en attente, 0 en échec.\n")
    assert received(smtp) == Counter(EVERYONE)


def test_greylisted_messages_wait_for_their_next_attempt_and_outbox_deliver_sends_them(
    crowd: Dossiers, smtp: SmtpServer
) -> None:
    smtp.handler.greylist = True
    assert remind(crowd, "2027-01-13", "2027-01-13 08:00") == (
        1, "Rappels du 13/01/2027 : 0 envoyé(s), 6 en attente, 0 en échec, prochain essai le "
           "13/01/2027 08:05.\n", "")
    assert all(m["status"] == "pending" and m["attempts"] == 1 for m in outbox_rows(crowd))
    # Not due yet: nothing goes.
    assert deliver(crowd, "2027-01-13 08:04")[:2] == (
        1, "Envoi : 0 envoyé(s), 6 en attente, 0 en échec, prochain essai le 13/01/2027 08:05.\n")
    assert deliver(crowd, "2027-01-13 08:05") == (
        0, "Envoi : 6 envoyé(s), 0 en attente, 0 en échec.\n", "")
    assert received(smtp) == Counter(EVERYONE)


def test_a_temporary_refusal_backs_off_then_fails_with_the_server_s_reason(
    crowd: Dossiers, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A permanent 4xx was retried forever: now 5, 15, 45 min… and failed after the bound."""
    monkeypatch.setenv("DOSSIERS_REMINDERS_MAX_ATTEMPTS", "3")
    smtp.handler.refuse = {"p2@example.fr": "452 4.2.2 Mailbox full"}
    remind(crowd, "2027-01-13", "2027-01-13 08:00")
    waits = []
    for now in ("2027-01-13 08:05", "2027-01-13 08:20"):
        code, out, _ = deliver(crowd, now)
        waits.append(out)
    assert waits == [
        "Envoi : 0 envoyé(s), 1 en attente, 0 en échec, prochain essai le 13/01/2027 08:20.\n",
        "Envoi : 0 envoyé(s), 0 en attente, 1 en échec.\n"]
    [p2] = [m for m in outbox_rows(crowd) if m["recipient"] == "p2@example.fr"]
    assert p2["status"] == "failed"
    assert p2["error"] == "refus temporaire 452 : 4.2.2 Mailbox full (abandon après 3 essai(s))"
    smtp.handler.refuse = {}
    crowd.ok("outbox", "retry")
    assert deliver(crowd, "2027-01-13 09:00")[1] == "Envoi : 1 envoyé(s), 0 en attente, 0 en échec.\n"


def test_a_temporary_refusal_fails_after_a_day_whatever_the_attempts(
    crowd: Dossiers, smtp: SmtpServer
) -> None:
    smtp.handler.refuse = {"p2@example.fr": "451 4.3.0 Try later"}
    remind(crowd, "2027-01-13", "2027-01-13 08:00")
    assert deliver(crowd, "2027-01-14 07:59")[1] == (
        "Envoi : 0 envoyé(s), 1 en attente, 0 en échec, prochain essai le 14/01/2027 08:14.\n")
    # The next attempt is more than 24 h after the first: the message fails there.
    assert deliver(crowd, "2027-01-14 08:14")[1] == (
        "Envoi : 0 envoyé(s), 0 en attente, 1 en échec.\n")


def test_a_server_that_hangs_on_one_message_times_out_for_it_alone(
    crowd: Dossiers, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOSSIERS_SMTP_TIMEOUT", "3")
    smtp.handler.hang = {"p3@example.fr"}
    code, out, err = remind(crowd, "2027-01-13", "2027-01-13 08:00")
    assert (code, err) == (1, "")
    assert out == ("Rappels du 13/01/2027 : 5 envoyé(s), 0 en attente, 0 en échec, "
                   "1 incertain(s), renvoyé(s) avec le même Message-ID, "
                   "prochain essai le 13/01/2027 08:05.\n")
    assert sorted(received(smtp)) == sorted(set(EVERYONE) - {"p3@example.fr"})


def test_after_three_days_of_outage_each_person_gets_one_digest_carrying_the_older_ones(
    crowd: Dossiers, smtp: SmtpServer, db_engine: Engine
) -> None:
    smtp.stop()
    for day in ("2027-01-13", "2027-01-14", "2027-01-15"):
        code, out, err = remind(crowd, day, f"{day} 08:00")
        assert code == 1 and "injoignable" in err
    smtp.start()
    code, out, err = remind(crowd, "2027-01-18", "2027-01-18 08:00")
    assert (code, err) == (0, "")
    assert out == ("Rappels du 18/01/2027 : 6 envoyé(s), 0 en attente, 0 en échec, "
                   "6 remplacé(s) par le récapitulatif du jour.\n")
    assert received(smtp) == Counter(EVERYONE)
    states = Counter((m["day"], m["status"]) for m in outbox_rows(crowd))
    assert states == Counter({("2027-01-13", "superseded"): 6, ("2027-01-14", "superseded"): 6,
                              ("2027-01-15", "superseded"): 6, ("2027-01-18", "sent"): 6})
    with transaction(db_engine, write=False) as session:
        items: dict[tuple[str, str], set[tuple[int, str]]] = {}
        for recipient, day, dossier, step in session.execute(
                select(OutboxMessage.recipient, OutboxMessage.day, OutboxItem.dossier_id,
                       OutboxItem.step).join(OutboxItem.message)):
            items.setdefault((recipient, day.isoformat()), set()).add((dossier, step))
    for (recipient, day), older in items.items():
        assert older <= items[(recipient, "2027-01-18")], (recipient, day)


def test_an_older_digest_with_an_open_item_the_new_one_lacks_is_not_superseded(
    crowd: Dossiers, smtp: SmtpServer, db_engine: Engine
) -> None:
    """Two messages rather than a lost reminder: a snooze made later hides the item today, but
    an older digest that still names an open, unsnoozed item that today's lacks is kept."""
    smtp.stop()
    remind(crowd, "2027-01-13", "2027-01-13 08:00")
    # An item of the 13th's digest for p1 that the 14th's will not carry: stored as if the
    # 13th had named a step not finished that the 14th does not remind (not open yet).
    with transaction(db_engine) as session:
        message = session.scalars(select(OutboxMessage)
                                  .where(OutboxMessage.recipient == "p1@example.fr")).one()
        dossier = message.items[0].dossier_id
        session.add(OutboxItem(message_id=message.id, dossier_id=dossier, step="mission_obligation",
                               reason="due"))
    smtp.start()
    remind(crowd, "2027-01-14", "2027-01-14 08:00")
    p1 = {m["day"]: m["status"] for m in outbox_rows(crowd) if m["recipient"] == "p1@example.fr"}
    assert p1 == {"2027-01-13": "sent", "2027-01-14": "sent"}


# Leases -------------------------------------------------------------------------------------


def test_a_lease_not_well_above_the_smtp_timeout_is_refused_before_anything_is_written(
    crowd: Dossiers, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOSSIERS_SMTP_TIMEOUT", "120")
    before = crowd.dump()
    result = crowd.run("remind", "--transport", "smtp", "--as-of", "2027-01-13")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "Erreur : reminders.send_lease_minutes : 10 min ne dépasse pas assez smtp.timeout "
        "(120 s) : il faut au moins 10 fois smtp.timeout, soit 20 min (ou baissez "
        "smtp.timeout)\n")
    assert crowd.dump() == before
    assert crowd.run("outbox", "deliver").exit_code == 2


def test_outbox_shows_who_holds_a_claim_until_when(
    crowd: Dossiers, smtp: SmtpServer, db_engine: Engine
) -> None:
    from datetime import datetime

    smtp.stop()
    remind(crowd, "2027-01-13", "2027-01-13 08:00")
    with transaction(db_engine) as session:
        session.execute(text(
            "UPDATE outbox SET status = 'sending', claim = 'abcd1234:0:4242:ailleurs.example', "
            "claimed_at = :since, lease_until = :until WHERE recipient = 'p1@example.fr'"),
            {"since": datetime(2027, 1, 13, 7, 0), "until": datetime(2027, 1, 13, 7, 10)})
    [row] = [m for m in outbox_rows(crowd) if m["recipient"] == "p1@example.fr"]
    assert row["claim"] == {"host": "ailleurs.example", "pid": 4242,
                            "since": "2027-01-13T07:00:00", "until": "2027-01-13T07:10:00"}
    table = " ".join(crowd.ok("outbox", "--status", "sending").split())
    assert "envoi par ailleurs.example, processus 4242," in table
    assert "depuis le 13/01/2027 08:00 jusqu'au 13/01/2027 08:10" in table


# Interrupted runs -----------------------------------------------------------------------------


@pytest.fixture
def slow_server(smtp: SmtpServer) -> Iterator[SmtpServer]:
    smtp.handler.hang = {"p3@example.fr"}
    yield smtp


@pytest.mark.parametrize(("signum", "code", "name"), [
    (signal.SIGINT, 130, "SIGINT"), (signal.SIGTERM, 143, "SIGTERM")])
def test_an_interrupted_run_prints_its_summary_and_exits_non_zero(
    crowd: Dossiers, slow_server: SmtpServer, signum: int, code: int, name: str
) -> None:
    command = [sys.executable, "-m", "dossiers", "--db", crowd.url, "remind", "--transport",
               "smtp", "--as-of", "2027-01-13", "--now", "2027-01-13 08:00"]
    run = subprocess.Popen(command, env=os.environ.copy(), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    try:
        # p3's message is in the server's hands and never answered: the run is sending it.
        deadline = time.monotonic() + 120
        while not slow_server.handler.hanging and time.monotonic() < deadline:
            time.sleep(0.05)
        assert slow_server.handler.hanging, "the run never reached the hanging message"
        run.send_signal(signum)
        out, err = run.communicate(timeout=120)
    finally:
        run.kill()
    assert run.returncode == code, (out, err)
    # p1, p2 went; p3 was in flight (uncertain); the rest wait.
    assert out == ("Rappels du 13/01/2027 : 2 envoyé(s), 3 en attente, 0 en échec, "
                   "1 incertain(s), renvoyé(s) avec le même Message-ID.\n")
    assert err == (f"Erreur : passage interrompu ({name}) : ce qui n'est pas parti attend le "
                   "prochain passage\n")


def test_a_database_error_during_delivery_still_reports(
    crowd: Dossiers, smtp: SmtpServer, db_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The outbox disappears under the run (renamed by another connection) right after the
    server took the first message: the summary still comes, then the reason, exit 1."""
    if db_engine.dialect.name != "sqlite":
        pytest.skip("the table is renamed under the run: SQLite is enough to show it")
    send = SmtpTransport.send

    def then_break_the_database(self: SmtpTransport, content: str, recipient: str) -> None:
        send(self, content, recipient)
        with db_engine.begin() as connection:
            connection.execute(text("ALTER TABLE outbox RENAME TO outbox_gone"))

    monkeypatch.setattr(SmtpTransport, "send", then_break_the_database)
    code, out, err = remind(crowd, "2027-01-13", "2027-01-13 08:00")
    assert code == 1
    assert out == ("Rappels du 13/01/2027 : 0 envoyé(s), 0 en attente, 0 en échec, "
                   "1 incertain(s), renvoyé(s) avec le même Message-ID.\n")
    assert err == ("Erreur : passage arrêté par une erreur de la base de données "
                   "(OperationalError) : ce qui n'est pas parti attend le prochain passage\n")
    assert len(smtp.outbox) == 1


def test_a_live_run_renews_the_lease_of_the_message_it_is_sending(
    crowd: Dossiers, smtp: SmtpServer, db_engine: Engine
) -> None:
    """The lease could expire under a live sender and a second run took the message over."""
    import threading
    from datetime import datetime

    smtp.handler.greylist = True
    remind(crowd, "2027-01-13", "2027-01-13 08:00")  # all wait, nothing sent yet
    smtp.handler.greylist = False
    smtp.handler.hang = {"p1@example.fr"}
    settings = load_settings(None, os.environ)
    now = [datetime(2027, 1, 13, 8, 0)]
    run = threading.Thread(target=send_pending, args=(
        db_engine, SmtpTransport(settings.smtp), settings, lambda: now[0]),
        kwargs={"renew_every": 0.05})

    def lease_of_p1() -> datetime | None:
        with transaction(db_engine, write=False) as session:
            return session.scalar(select(OutboxMessage.lease_until)
                                  .where(OutboxMessage.recipient == "p1@example.fr"))

    run.start()
    try:
        deadline = time.monotonic() + 120
        while not smtp.handler.hanging and time.monotonic() < deadline:
            time.sleep(0.05)
        assert lease_of_p1() == datetime(2027, 1, 13, 8, 10)
        now[0] = datetime(2027, 1, 13, 8, 30)  # the server has held it for half an hour
        while lease_of_p1() != datetime(2027, 1, 13, 8, 40) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert lease_of_p1() == datetime(2027, 1, 13, 8, 40)
        # A second run meets a live claim: it leaves it alone.
        other = send_pending(db_engine, SmtpTransport(settings.smtp), settings,
                             lambda: datetime(2027, 1, 13, 8, 35))
        assert other.in_flight == 1 and other.taken_back == 0
    finally:
        smtp.stop()  # the hanging exchange ends, and with it the run
        run.join(timeout=120)
    assert not run.is_alive()
