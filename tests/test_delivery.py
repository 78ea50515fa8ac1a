"""One message, one fate: a bad address, a refused sender, a run that died or still runs,
against a real aiosmtpd server that refuses, then accepts."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, update

from dossiers.mail.addresses import AddressError, entry_address, parse_address
from dossiers.store.database import transaction
from dossiers.store.models import OutboxMessage
from tests.conftest import Dossiers
from tests.smtp_server import SmtpServer

CDPI = ["open", "--kind", "cdpi", "--worker", "Karim B.", "--start", "2027-01-11",
        "--end", "2027-02-19", "--training-hours", "210", "--owner", "lea@example.fr",
        "--reference", "CDPI-1"]


def open_for(tool: Dossiers, owner: str, worker: str) -> None:
    tool.ok("open", "--kind", "cdpi", "--worker", worker, "--start", "2027-01-11",
            "--end", "2027-02-19", "--training-hours", "210", "--owner", owner)


def outbox(tool: Dossiers) -> dict[str, dict[str, object]]:
    return {m["recipient"]: m for m in json.loads(tool.ok("outbox", "--json"))}


@pytest.fixture
def server_with(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[SmtpServer]]:
    """Start servers with options (SMTPUTF8, AUTH); the last one started is the configured one."""
    started: list[SmtpServer] = []
    yield started
    for server in started:
        server.stop()


def start(started: list[SmtpServer], monkeypatch: pytest.MonkeyPatch,
          **options: bool) -> SmtpServer:
    server = SmtpServer(**options)
    server.start()
    started.append(server)
    for name, value in server.env().items():
        monkeypatch.setenv(name, value)
    return server


# Addresses at entry ---------------------------------------------------------------------


def test_staff_add_refuses_an_accented_local_part_when_the_server_is_not_said_to_take_it(
    network: Dossiers,
) -> None:
    before = network.dump()
    result = network.run("staff", "add", "Jérôme", "--email", "jérôme@société.example",
                         "--agency", "Lyon")
    assert result.exit_code == 2
    assert result.stderr == (
        "Erreur : email : « jérôme@société.example » : la partie avant @ contient des "
        "caractères non ASCII, que le serveur SMTP ne transmet que s'il propose SMTPUTF8 (à "
        "déclarer par [smtp] smtputf8 = true)\n")
    assert network.dump() == before


def test_staff_add_refuses_what_is_not_an_address(network: Dossiers) -> None:
    before = network.dump()
    result = network.run("staff", "add", "X", "--email", "x@@example.fr", "--agency", "Lyon")
    assert (result.exit_code, result.stderr) == (
        2, "Erreur : email : « x@@example.fr » n'est pas une adresse (un seul @ attendu)\n")
    result = network.run("staff", "add", "X", "--email", "x..y@example.fr", "--agency", "Lyon")
    assert (result.exit_code, result.stderr) == (
        2, "Erreur : email : « x..y@example.fr » : point mal placé avant @\n")
    assert network.dump() == before


def test_an_accented_domain_is_accepted_and_sent_in_its_ascii_form(
    network: Dossiers, smtp: SmtpServer
) -> None:
    out = network.ok("staff", "add", "Jérôme", "--email", "Jerome@Société.example",
                     "--agency", "Lyon")
    assert out == "Jérôme <jerome@société.example> ajouté(e) à « Lyon » (chargé(e) de recrutement).\n"
    open_for(network, "jerome@xn--socit-esab.example", "Paul R.")
    assert network.ok("remind", "--transport", "smtp", "--as-of", "2027-01-08") == (
        "Rappels du 08/01/2027 : 1 envoyé(s), 0 en attente, 0 en échec.\n")
    [received] = smtp.outbox
    assert received.recipients == ["jerome@xn--socit-esab.example"]
    assert received.message["To"] == "Jérôme <jerome@xn--socit-esab.example>"


# A bad address fails alone ---------------------------------------------------------------


def test_an_accented_address_fails_alone_and_the_others_get_their_reminders(
    network: Dossiers, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 12: one jérôme@société.example raised UnicodeEncodeError and no one got a
    reminder. The setting said SMTPUTF8, the server does not offer it."""
    monkeypatch.setenv("DOSSIERS_SMTP_SMTPUTF8", "true")
    network.ok("staff", "add", "Jérôme", "--email", "jérôme@société.example", "--agency", "Lyon")
    network.ok(*CDPI)
    open_for(network, "jérôme@société.example", "Paul R.")
    result = network.run("remind", "--transport", "smtp", "--as-of", "2027-01-13")
    assert result.exit_code == 1
    assert result.stdout == "Rappels du 13/01/2027 : 2 envoyé(s), 0 en attente, 1 en échec.\n"
    assert result.stderr == ""
    assert sorted(smtp.by_recipient()) == ["lea@example.fr", "sophie@example.fr"]
    failed = outbox(network)["jérôme@société.example"]
    assert failed["status"] == "failed"
    assert failed["error"] == (
        "adresse refusée avant envoi : « jérôme@société.example » : la partie avant @ contient "
        "des caractères non ASCII, que seul un serveur SMTPUTF8 transmet")
    # The next day, the others are not held back either.
    assert network.run("remind", "--transport", "smtp", "--as-of", "2027-01-14").stdout == (
        "Rappels du 14/01/2027 : 2 envoyé(s), 0 en attente, 1 en échec.\n")


def test_an_accented_address_goes_to_a_server_that_offers_smtputf8(
    network: Dossiers, server_with: list[SmtpServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    server = start(server_with, monkeypatch, smtputf8=True)
    monkeypatch.setenv("DOSSIERS_SMTP_SMTPUTF8", "true")
    network.ok("staff", "add", "Jérôme", "--email", "jérôme@société.example", "--agency", "Lyon")
    open_for(network, "jérôme@société.example", "Paul R.")
    assert network.ok("remind", "--transport", "smtp", "--as-of", "2027-01-08") == (
        "Rappels du 08/01/2027 : 1 envoyé(s), 0 en attente, 0 en échec.\n")
    [received] = server.outbox
    assert received.recipients == ["jérôme@société.example"]
    assert received.message["To"] == "Jérôme <jérôme@société.example>"


def test_a_stored_address_that_cannot_be_built_fails_alone_and_retry_lets_it_be_recomposed(
    network: Dossiers, smtp: SmtpServer, db_engine: Engine
) -> None:
    """An address written before the entry checks (here: a space in it) cannot make a To:
    header; that digest fails with its reason, the others go."""
    network.ok(*CDPI)
    network.ok("staff", "add", "Paul", "--email", "paul@example.fr", "--agency", "Lyon")
    open_for(network, "paul@example.fr", "Paul R.")
    from dossiers.store.models import Staff

    with transaction(db_engine) as session:
        session.execute(update(Staff).where(Staff.email == "paul@example.fr")
                        .values(email="paul @example.fr"))
    before = network.dump()
    out = network.ok("remind", "--dry-run", "--as-of", "2027-01-13")
    assert ("À : paul @example.fr\nmessage impossible à construire : « paul @example.fr » : "
            "caractère interdit ' ' avant @\n") in out
    assert out.endswith("Simulation du 13/01/2027 : 2 messages à envoyer, 1 impossible(s) à "
                        "construire, rien n'est enregistré.\n")
    assert network.dump() == before
    result = network.run("remind", "--transport", "smtp", "--as-of", "2027-01-13")
    assert (result.exit_code, result.stdout) == (
        1, "Rappels du 13/01/2027 : 2 envoyé(s), 0 en attente, 1 en échec.\n")
    failed = outbox(network)["paul @example.fr"]
    assert (failed["status"], failed["error"]) == (
        "failed", "message impossible à construire : « paul @example.fr » : caractère "
        "interdit ' ' avant @")
    with transaction(db_engine) as session:
        session.execute(update(Staff).where(Staff.email == "paul @example.fr")
                        .values(email="paul@example.fr"))
    assert network.ok("outbox", "retry", "--day", "2027-01-13") == (
        "1 message impossible(s) à construire retiré(s) : remind --as-of JOUR les "
        "recompose.\n")
    assert network.ok("remind", "--transport", "smtp", "--as-of", "2027-01-13") == (
        "Rappels du 13/01/2027 : 1 envoyé(s), 0 en attente, 0 en échec.\n")
    assert sorted(smtp.by_recipient()) == ["lea@example.fr", "paul@example.fr",
                                           "sophie@example.fr"]


# A setting error is not a lost day -----------------------------------------------------------


def test_a_refused_sender_keeps_the_day_and_the_run_after_the_fix_sends_each_once(
    network: Dossiers, smtp: SmtpServer
) -> None:
    """Issue 12: a 550 at MAIL FROM marked the day failed; the rerun after the fix sent nothing."""
    network.ok(*CDPI)
    smtp.handler.refuse_sender = "550 5.7.1 Sender not allowed"
    result = network.run("remind", "--transport", "smtp", "--as-of", "2027-01-13")
    assert result.exit_code == 1
    assert result.stdout == "Rappels du 13/01/2027 : 0 envoyé(s), 2 en attente, 0 en échec.\n"
    assert result.stderr == (
        "Erreur : mail.from : le serveur SMTP refuse l'expéditeur « dossiers@agence-exemple.fr » "
        "(550 5.7.1 Sender not allowed) : 2 messages gardé(s) pour le prochain passage\n")
    assert {m["status"] for m in outbox(network).values()} == {"pending"}
    assert smtp.outbox == []
    smtp.handler.refuse_sender = None  # the administrator fixes the sender
    assert network.ok("remind", "--transport", "smtp", "--as-of", "2027-01-13") == (
        "Rappels du 13/01/2027 : 2 envoyé(s), 0 en attente, 0 en échec.\n")
    assert sorted(smtp.by_recipient()) == ["lea@example.fr", "sophie@example.fr"]
    assert network.ok("remind", "--transport", "smtp", "--as-of", "2027-01-13") == (
        "Rappels du 13/01/2027 : 0 envoyé(s), 0 en attente, 0 en échec.\n")
    assert len(smtp.outbox) == 2


def test_a_refused_login_keeps_the_day_and_names_the_setting(
    network: Dossiers, server_with: list[SmtpServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    server = start(server_with, monkeypatch, auth=True)
    server.handler.password = "le-bon"
    monkeypatch.setenv("DOSSIERS_SMTP_USER", "dossiers")
    monkeypatch.setenv("DOSSIERS_SMTP_PASSWORD", "le-mauvais")
    network.ok(*CDPI)
    result = network.run("remind", "--transport", "smtp", "--as-of", "2027-01-13")
    assert (result.exit_code, result.stdout) == (
        1, "Rappels du 13/01/2027 : 0 envoyé(s), 2 en attente, 0 en échec.\n")
    assert result.stderr == (
        "Erreur : smtp.user : authentification SMTP refusée pour « dossiers » (535) : vérifiez "
        "smtp.user et DOSSIERS_SMTP_PASSWORD : 2 messages gardé(s) pour le prochain passage\n")
    monkeypatch.setenv("DOSSIERS_SMTP_PASSWORD", "le-bon")
    assert network.ok("remind", "--transport", "smtp", "--as-of", "2027-01-13") == (
        "Rappels du 13/01/2027 : 2 envoyé(s), 0 en attente, 0 en échec.\n")
    assert sorted(server.by_recipient()) == ["lea@example.fr", "sophie@example.fr"]


def test_a_non_ascii_password_logs_in_and_a_wrong_one_claims_nothing(
    network: Dossiers, server_with: list[SmtpServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 20: smtplib encodes the password as ASCII; the UnicodeEncodeError left a message
    `sending`. Now it goes as UTF-8 (AUTH PLAIN), and a refusal comes before any claim."""
    server = start(server_with, monkeypatch, auth=True)
    server.handler.password = "mötdepässe-€"
    monkeypatch.setenv("DOSSIERS_SMTP_USER", "dossiers")
    monkeypatch.setenv("DOSSIERS_SMTP_PASSWORD", "mauvais-€")
    network.ok(*CDPI)
    result = network.run("remind", "--transport", "smtp", "--as-of", "2027-01-13")
    assert (result.exit_code, result.stdout) == (
        1, "Rappels du 13/01/2027 : 0 envoyé(s), 2 en attente, 0 en échec.\n")
    assert result.stderr.startswith("Erreur : smtp.user : authentification SMTP refusée")
    assert {(m["status"], m["attempts"]) for m in outbox(network).values()} == {("pending", 0)}
    monkeypatch.setenv("DOSSIERS_SMTP_PASSWORD", "mötdepässe-€")
    assert network.ok("remind", "--transport", "smtp", "--as-of", "2027-01-13") == (
        "Rappels du 13/01/2027 : 2 envoyé(s), 0 en attente, 0 en échec.\n")
    assert sorted(server.by_recipient()) == ["lea@example.fr", "sophie@example.fr"]


def test_no_message_shows_the_smtp_password_even_when_the_server_echoes_it(
    network: Dossiers, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 20: secrets masked in every message, the SMTP password as the database's."""
    network.ok(*CDPI)
    monkeypatch.setenv("DOSSIERS_SMTP_PASSWORD", "S3CRET-smtp")
    smtp.handler.refuse_greeting = "554 5.7.1 S3CRET-smtp rejected"
    result = network.run("remind", "--transport", "smtp", "--as-of", "2027-01-13")
    assert result.exit_code == 1
    assert "554 5.7.1 *** rejected" in result.stderr
    assert "S3CRET" not in result.output


def test_a_server_that_refuses_our_greeting_keeps_the_day(
    network: Dossiers, smtp: SmtpServer
) -> None:
    network.ok(*CDPI)
    smtp.handler.refuse_greeting = "554 5.7.1 Client host rejected"
    result = network.run("remind", "--transport", "smtp", "--as-of", "2027-01-13")
    assert (result.exit_code, result.stdout) == (
        1, "Rappels du 13/01/2027 : 0 envoyé(s), 2 en attente, 0 en échec.\n")
    assert result.stderr == (
        "Erreur : smtp.host : le serveur SMTP 127.0.0.1 refuse notre présentation (EHLO/HELO) "
        "(554 5.7.1 Client host rejected) : 2 messages gardé(s) pour le prochain passage\n")
    smtp.handler.refuse_greeting = None
    assert network.ok("remind", "--transport", "smtp", "--as-of", "2027-01-13") == (
        "Rappels du 13/01/2027 : 2 envoyé(s), 0 en attente, 0 en échec.\n")


def test_a_server_without_starttls_keeps_the_day_and_names_the_security_setting(
    network: Dossiers, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    network.ok(*CDPI)
    monkeypatch.setenv("DOSSIERS_SMTP_SECURITY", "starttls")
    result = network.run("remind", "--transport", "smtp", "--as-of", "2027-01-13")
    assert (result.exit_code, result.stdout, result.stderr) == (
        1, "Rappels du 13/01/2027 : 0 envoyé(s), 2 en attente, 0 en échec.\n",
        "Erreur : smtp.security : le serveur SMTP 127.0.0.1 ne propose pas STARTTLS (none ou "
        "ssl ?) : 2 messages gardé(s) pour le prochain passage\n")
    monkeypatch.setenv("DOSSIERS_SMTP_SECURITY", "none")
    assert network.ok("remind", "--transport", "smtp", "--as-of", "2027-01-13") == (
        "Rappels du 13/01/2027 : 2 envoyé(s), 0 en attente, 0 en échec.\n")


def test_a_recipient_refused_for_good_fails_alone_and_outbox_retry_puts_it_back(
    network: Dossiers, smtp: SmtpServer
) -> None:
    network.ok(*CDPI)
    smtp.handler.refuse = {"sophie@example.fr": "550 5.1.1 No such user"}
    result = network.run("remind", "--transport", "smtp", "--as-of", "2027-01-13")
    assert (result.exit_code, result.stdout) == (
        1, "Rappels du 13/01/2027 : 1 envoyé(s), 0 en attente, 1 en échec.\n")
    assert outbox(network)["sophie@example.fr"]["error"] == (
        "refus définitif 550 : 5.1.1 No such user")
    smtp.handler.refuse = {}
    assert network.ok("outbox", "retry", "--day", "2027-01-12") == "Aucun message en échec.\n"
    assert network.ok("outbox", "retry", "--day", "2027-01-13") == (
        "1 message remis en file : le prochain remind les envoie.\n")
    # The 14th's digest carries all the 13th's said: Sophie gets that one only (issue 18).
    assert network.ok("remind", "--transport", "smtp", "--as-of", "2027-01-14") == (
        "Rappels du 14/01/2027 : 2 envoyé(s), 0 en attente, 0 en échec, 1 remplacé(s) par le "
        "récapitulatif du jour.\n")
    sophie = [r for r in smtp.outbox if r.recipients == ["sophie@example.fr"]]
    assert len(sophie) == 1
    states = {(m["day"], m["status"]) for m in json.loads(network.ok("outbox", "--json"))
              if m["recipient"] == "sophie@example.fr"}
    assert states == {("2027-01-13", "superseded"), ("2027-01-14", "sent")}


# Runs that meet each other ----------------------------------------------------------------


def _hold(engine: Engine, claim: str, at: datetime) -> None:
    """Leave Léa's digest as a run that claimed it would (status sending, its claim)."""
    with transaction(engine) as session:
        session.execute(update(OutboxMessage)
                        .where(OutboxMessage.recipient == "lea@example.fr")
                        .values(status="sending", claim=claim, claimed_at=at))


def _compose(tool: Dossiers) -> None:
    """Compose the 13th without a server: both digests wait, pending."""
    result = tool.run("remind", "--transport", "file", "--outbox-dir", "/dev/null/x",
                      "--as-of", "2027-01-13")
    assert result.exit_code == 1 and "2 en attente" in result.stdout


def test_a_rerun_that_meets_a_live_run_exits_1_and_says_so(
    network: Dossiers, smtp: SmtpServer, db_engine: Engine
) -> None:
    """Issue 12: a rerun inside the lease exited 0 while a message stayed `sending`."""
    network.ok(*CDPI)
    _compose(network)
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        host = socket.gethostname()[:36]
        _hold(db_engine, f"abcd1234:0:{live.pid}:{host}", datetime.now())
        result = network.run("remind", "--transport", "smtp", "--as-of", "2027-01-13")
        assert result.exit_code == 1
        assert result.stdout == ("Rappels du 13/01/2027 : 1 envoyé(s), 0 en attente, 0 en échec, "
                                 "1 en cours d'envoi ailleurs.\n")
        assert result.stderr == (
            f"Erreur : 1 message en cours d'envoi par un autre passage ({host}, processus "
            f"{live.pid}) : relancez la commande quand il aura fini\n")
        assert sorted(smtp.by_recipient()) == ["sophie@example.fr"]
    finally:
        live.kill()
        live.wait()
    # Its holder is gone: the next run takes the message over at once, and says so.
    assert network.ok("remind", "--transport", "smtp", "--as-of", "2027-01-13") == (
        "Rappels du 13/01/2027 : 1 envoyé(s), 0 en attente, 0 en échec, 1 repris d'un passage "
        "arrêté.\n")
    assert sorted(smtp.by_recipient()) == ["lea@example.fr", "sophie@example.fr"]


def test_a_run_on_another_host_is_trusted_until_its_lease_ends(
    network: Dossiers, smtp: SmtpServer, db_engine: Engine
) -> None:
    network.ok(*CDPI)
    _compose(network)
    _hold(db_engine, "abcd1234:0:4242:ailleurs.example", datetime.now())
    result = network.run("remind", "--transport", "smtp", "--as-of", "2027-01-13")
    assert result.exit_code == 1
    assert result.stderr == (
        "Erreur : 1 message en cours d'envoi par un autre passage (ailleurs.example, processus "
        "4242) : relancez la commande quand il aura fini\n")
    _hold(db_engine, "abcd1234:0:4242:ailleurs.example", datetime.now() - timedelta(minutes=11))
    assert network.ok("remind", "--transport", "smtp", "--as-of", "2027-01-13") == (
        "Rappels du 13/01/2027 : 1 envoyé(s), 0 en attente, 0 en échec, 1 repris d'un passage "
        "arrêté.\n")
    assert sorted(smtp.by_recipient()) == ["lea@example.fr", "sophie@example.fr"]


def test_on_postgresql_a_run_whose_session_is_gone_is_dead_on_any_host(
    network: Dossiers, smtp: SmtpServer, db_engine: Engine
) -> None:
    """The run held an advisory lock (key 777) that no session holds any more."""
    if db_engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: advisory locks")
    network.ok(*CDPI)
    _compose(network)
    _hold(db_engine, "abcd1234:777:4242:ailleurs.example", datetime.now())
    assert network.ok("remind", "--transport", "smtp", "--as-of", "2027-01-13") == (
        "Rappels du 13/01/2027 : 2 envoyé(s), 0 en attente, 0 en échec, 1 repris d'un passage "
        "arrêté.\n")


# Holiday self-check ------------------------------------------------------------------------


def test_remind_warns_when_the_installed_holidays_does_not_cover_a_year_it_needs(
    network: Dossiers, smtp: SmtpServer
) -> None:
    """R-CAL-2: holidays 0.109 knows France up to 2100; a training that ends on the last day
    a date may take (31/12/2100) has steps after it, in 2101."""
    network.ok("open", "--kind", "cdpi", "--worker", "Zoé F.", "--start", "2100-12-27",
               "--end", "2100-12-31", "--training-hours", "210", "--owner", "lea@example.fr")
    result = network.run("remind", "--transport", "smtp", "--as-of", "2100-12-20")
    assert result.exit_code == 1
    assert result.stdout == (
        "Rappels du 20/12/2100 : 0 envoyé(s), 0 en attente, 0 en échec, jours fériés inconnus "
        "du paquet holidays pour metropole 2101.\n")
    assert result.stderr == (
        "Erreur : holidays : jours fériés inconnus du paquet holidays pour metropole 2101 : "
        "mettez à jour le paquet holidays (R-CAL-2)\n")


# The address function ---------------------------------------------------------------------

ATEXT = "abcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+-/=?^_`{|}~"
LABEL = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=20)
UNICODE_LABEL = st.text("abcdéèêàçôûïœ", min_size=1, max_size=12)


@given(st.text(max_size=40))
def test_any_text_is_either_refused_with_a_reason_or_an_address_a_transport_carries(
    text: str,
) -> None:
    try:
        address = parse_address(text)
    except AddressError as error:
        assert str(error)
        return
    assert parse_address(address.text) == address
    assert address.ascii_domain.isascii()
    if address.needs_smtputf8:
        with pytest.raises(AddressError):
            address.for_transport(smtputf8=False)
        with pytest.raises(AddressError):
            entry_address(text, smtputf8=False)
    else:
        assert address.for_transport(smtputf8=False).isascii()
        assert entry_address(text, smtputf8=False) == address


@given(st.lists(st.text(ATEXT, min_size=1, max_size=10), min_size=1, max_size=3),
       st.lists(st.one_of(LABEL, UNICODE_LABEL), min_size=1, max_size=3), LABEL)
def test_every_dot_atom_at_a_host_name_is_accepted(
    words: list[str], labels: list[str], top: str
) -> None:
    text = ".".join(words) + "@" + ".".join([*labels, top])
    address = parse_address(text)
    assert address.text == text
    assert not address.needs_smtputf8
    assert address.for_transport(smtputf8=False).isascii()


def test_the_smtputf8_setting_reads_true_or_false_and_nothing_else(tmp_path: Path) -> None:
    from dossiers.errors import InvalidInput
    from dossiers.settings import load_settings

    config = tmp_path / "dossiers.toml"
    config.write_text("[smtp]\nsmtputf8 = true\n", encoding="utf-8")
    assert load_settings(config, {}).smtp.smtputf8 is True
    assert load_settings(config, {"DOSSIERS_SMTP_SMTPUTF8": "non"}).smtp.smtputf8 is False
    assert load_settings(None, {}).smtp.smtputf8 is False
    with pytest.raises(InvalidInput) as error:
        load_settings(None, {"DOSSIERS_SMTP_SMTPUTF8": "peut-être"})
    assert str(error.value) == ("DOSSIERS_SMTP_SMTPUTF8 : true ou false attendu, pas "
                                "« peut-être »")


# The dry run shows what the real run sends -------------------------------------------------


def _dry_run_digests(out: str) -> dict[str, tuple[str, str]]:
    """`remind --dry-run`'s output as {To: (Subject, text part)}."""
    digests: dict[str, tuple[str, str]] = {}
    body, summary = out.rsplit("\n\n", 1)
    assert summary.startswith("Simulation du ")
    for block in re.split(r"(?m)^À : ", body + "\n\n")[1:]:
        to, subject, text = re.fullmatch(r"([^\n]*)\nObjet : ([^\n]*)\n\n(.*\n)\n", block,
                                         re.DOTALL).groups()
        digests[to] = (subject, text)
    return digests


def test_the_dry_run_shows_the_headers_and_text_part_that_the_real_run_sends(
    network: Dossiers, server_with: list[SmtpServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One rendering for both: each recipient's To:, Subject: and plain-text part as the SMTP
    server receives them are what `--dry-run` printed the same day (a name that must be
    quoted, an SMTPUTF8 address, long wrapped lines, an escalation to a manager)."""
    server = start(server_with, monkeypatch, smtputf8=True)
    monkeypatch.setenv("DOSSIERS_SMTP_SMTPUTF8", "true")
    network.ok("staff", "add", "Jérôme « Jé » Dupont, RH", "--email", "jérôme@société.example",
               "--agency", "Lyon")
    network.ok(*CDPI)
    open_for(network, "jérôme@société.example",
             "Marie-Aurélie de La Tour-Beaumont-Villeneuve (dite « Mimi »)")
    open_for(network, "julien@example.fr", "Zoé K.")
    day = "2027-01-13"
    shown = _dry_run_digests(network.ok("remind", "--dry-run", "--as-of", day))
    assert network.ok("remind", "--transport", "smtp", "--as-of", day).startswith(
        f"Rappels du 13/01/2027 : {len(shown)} envoyé(s), 0 en attente, 0 en échec")
    sent = {}
    for received in server.outbox:
        text = received.message.get_body(("plain",))
        assert text is not None
        sent[str(received.message["To"])] = (
            str(received.message["Subject"]), text.get_content().replace("\r\n", "\n"))
    assert sent == shown
    assert len(sent) == 4 and '"Jérôme « Jé » Dupont, RH" <jérôme@société.example>' in sent
    assert any(re.search(r"\n    \S", text) for _, text in sent.values())  # a wrapped item
