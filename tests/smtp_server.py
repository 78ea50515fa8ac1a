"""A real SMTP server for the tests (aiosmtpd on loopback), keeping what it receives, with
the ordinary faults of real servers on demand (issue 18):

- `drop_after_data`: for these recipients the server keeps the message, then drops the line
  without answering (the client cannot know the message arrived);
- `close_after`: after N messages on one connection, the next MAIL gets « 421 Too many
  messages » and the line is closed;
- `greylist`: the first RCPT of each recipient gets 451, the next ones are accepted;
- `hang`: for these recipients the server never answers the data (a short client timeout);
- down then up: `stop()` then `start()` on the same port.
"""

from __future__ import annotations

import asyncio
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
    drop_after_data: set[str] = field(default_factory=set)
    close_after: int | None = None
    greylist: bool = False
    hang: set[str] = field(default_factory=set)
    hanging: bool = False  # a message is being held without answer
    greeted: int = 0  # EHLO/HELO received: one per connection
    seen: set[str] = field(default_factory=set)  # greylisting: recipients met once

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # type: ignore[no-untyped-def]
        if self.refuse_greeting is not None:
            return [self.refuse_greeting]
        self.greeted += 1
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
        if self.close_after is not None and getattr(session, "delivered", 0) >= self.close_after:
            _close_soon(server)
            return "421 4.7.0 Too many messages, closing connection"
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
        if self.greylist and address not in self.seen:
            self.seen.add(address)
            return "451 4.7.1 Greylisted, please try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        if self.hang & set(envelope.rcpt_tos):
            self.hanging = True
            await asyncio.sleep(3600)  # cancelled when the server stops
        message = message_from_bytes(envelope.content, policy=default)
        self.outbox.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        session.delivered = getattr(session, "delivered", 0) + 1
        if self.drop_after_data & set(envelope.rcpt_tos):
            server.transport.abort()  # kept, and no answer ever comes
        return "250 Message accepted for delivery"


def _close_soon(server) -> None:  # type: ignore[no-untyped-def]
    """Close the line once the reply now being written has gone."""
    asyncio.get_running_loop().call_soon(server.transport.close)


class SmtpServer:
    def __init__(self, smtputf8: bool = False, auth: bool = False,
                 port: int | None = None) -> None:
        self.handler = RecordingHandler()
        self.port = port or free_port()
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
