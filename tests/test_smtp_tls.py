"""STARTTLS and SSL with certificate checks, against a real TLS SMTP server."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
from aiosmtpd.controller import Controller

from dossiers.mail.transports import SettingError, SmtpTransport
from dossiers.settings import SmtpSettings
from tests.smtp_server import RecordingHandler, free_port

MESSAGE = ("From: dossiers@agence.example\r\nTo: lea@example.fr\r\nSubject: test\r\n"
           "Message-ID: <1@agence.example>\r\n\r\nBonjour\r\n")


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


def _server_context(authority: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("localhost").configure_cert(context)
    return context


@pytest.fixture(params=["starttls", "ssl"])
def tls_server(request: pytest.FixtureRequest,
               authority: trustme.CA) -> Iterator[tuple[str, int, RecordingHandler]]:
    handler = RecordingHandler()
    port = free_port()
    context = _server_context(authority)
    if request.param == "starttls":
        controller = Controller(handler, hostname="localhost", port=port, tls_context=context,
                                require_starttls=True)
    else:
        controller = Controller(handler, hostname="localhost", port=port, ssl_context=context)
    controller.start()
    yield request.param, port, handler
    controller.stop()


def test_a_trusted_certificate_lets_the_message_through(
    tls_server: tuple[str, int, RecordingHandler], authority: trustme.CA, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    security, port, handler = tls_server
    bundle = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    transport = SmtpTransport(SmtpSettings(host="localhost", port=port, security=security))
    transport.send(MESSAGE, "lea@example.fr")
    transport.close()
    assert [r.recipients for r in handler.outbox] == [["lea@example.fr"]]


def test_an_unknown_certificate_is_refused(
    tls_server: tuple[str, int, RecordingHandler], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    security, port, handler = tls_server
    other = tmp_path / "other.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    monkeypatch.setenv("SSL_CERT_FILE", str(other))
    transport = SmtpTransport(SmtpSettings(host="localhost", port=port, security=security))
    with pytest.raises(SettingError, match="CERTIFICATE_VERIFY_FAILED|certificate verify") as error:
        transport.send(MESSAGE, "lea@example.fr")
    assert error.value.setting == "smtp.security"
    assert handler.outbox == []
