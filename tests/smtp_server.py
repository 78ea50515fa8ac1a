"""A real SMTP server for the tests (aiosmtpd on loopback), keeping what it receives."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class RecordingHandler:
    """Accepts everything, except recipients told to refuse (code and text), and the
    sender when `refuse_sender` holds a reply."""

    outbox: list[Received] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)
    refuse_sender: str | None = None
    password: str | None = None  # with smtp_auth: the one password the server accepts
    refuse_greeting: str | None = None  # the reply to EHLO and HELO

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # type: ignore[no-untyped-def]
        if self.refuse_greeting is not None:
            return [self.refuse_greeting]
        session.host_name = hostname
        return responses

    async def handle_HELO(self, server, session, envelope, hostname):  # type: ignore[no-untyped-def]
        if self.refuse_greeting is not None:
            return self.refuse_greeting
        session.host_name = hostname
        return f"250 {server.hostname}"

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # type: ignore[no-untyped-def]
        if self.refuse_sender is not None:
            return self.refuse_sender
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        good = getattr(auth_data, "password", None) == (self.password or "").encode()
        # handled=False: the server answers (235 or 535) itself.
        return AuthResult(success=good, handled=False)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        message = message_from_bytes(envelope.content, policy=default)
        self.outbox.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, smtputf8: bool = False, auth: bool = False) -> None:
        self.handler = RecordingHandler()
        self.port = free_port()
        self.controller: Controller | None = None
        self.smtputf8 = smtputf8
        self.auth = auth

    @property
    def outbox(self) -> list[Received]:
        return self.handler.outbox

    def start(self) -> None:
        options: dict[str, object] = {"enable_SMTPUTF8": self.smtputf8}
        if self.auth:
            options.update(auth_require_tls=False,
                           authenticator=self.handler.authenticate)
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port,
                                     **options)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def env(self) -> dict[str, str]:
        return {
            "DOSSIERS_SMTP_HOST": "127.0.0.1",
            "DOSSIERS_SMTP_PORT": str(self.port),
            "DOSSIERS_SMTP_SECURITY": "none",
            "DOSSIERS_MAIL_FROM": "Suivi des dossiers <dossiers@agence-exemple.fr>",
        }

    def by_recipient(self) -> dict[str, EmailMessage]:
        found: dict[str, EmailMessage] = {}
        for received in self.outbox:
            for recipient in received.recipients:
                assert recipient not in found, f"{recipient} received two messages"
                found[recipient] = received.message
        return found
