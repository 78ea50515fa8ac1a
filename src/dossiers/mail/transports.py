"""Where digests go: an SMTP server, a folder of .eml files, or the terminal.

Every transport raises the same errors, so the outbox gives each message its own fate:
TemporaryFailure (4xx, or the line lost before the message's data went out: retry later),
Uncertain (the line lost, or no answer, after the data: the server may have it; resent later
with the same Message-ID), PermanentFailure (5xx for this recipient, or an address this server
cannot carry: this one fails, the run goes on), ServerClosing (421: the server closes the
connection; the message goes back to the queue as it was and the run reconnects),
ServerUnavailable (no server: stop, keep the rest) and its kind SettingError (the server refuses
us, not the message: the sender at MAIL FROM, the login, TLS, our greeting; stop, keep the rest,
and name the setting to fix). After TemporaryFailure, Uncertain and ServerClosing the SMTP
transport has dropped its connection when it was lost; the next send connects again.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import smtplib
import ssl
import sys
from email import message_from_string
from email.policy import SMTP as SMTP_POLICY
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path
from typing import Protocol, TextIO

from dossiers.mail.addresses import AddressError, parse_address
from dossiers.private_files import private_folder, write_private
from dossiers.settings import SmtpSettings


class DeliveryError(Exception):
    pass


class TemporaryFailure(DeliveryError):
    pass


class PermanentFailure(DeliveryError):
    pass


class Uncertain(DeliveryError):
    """The message's data went out, and no answer came back: the server may have it."""


class ServerClosing(DeliveryError):
    """421: the server closes this connection; the message is not at fault."""


class ServerUnavailable(DeliveryError):
    pass


class SettingError(ServerUnavailable):
    """Every message would meet the same refusal until `setting` is fixed."""

    def __init__(self, setting: str, reason: str) -> None:
        super().__init__(f"{setting} : {reason}")
        self.setting = setting


class Transport(Protocol):
    name: str

    def open(self) -> None:
        """Be ready to send (connect): raises ServerUnavailable before any message is taken."""

    @property
    def connected(self) -> bool: ...

    def send(self, content: str, recipient: str) -> None: ...

    def close(self) -> None: ...


class SmtpTransport:
    """smtplib, with STARTTLS or SSL and the system's certificate checks."""

    name = "smtp"

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        if self._connection is not None:
            return self._connection
        s = self.settings
        context = ssl.create_default_context()
        try:
            if s.security == "ssl":
                connection: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.host, s.effective_port, timeout=s.timeout, context=context)
            else:
                connection = smtplib.SMTP(s.host, s.effective_port, timeout=s.timeout)
        except smtplib.SMTPConnectError as error:
            raise _server_refusal(error.smtp_code, error.smtp_error, "smtp.host",
                                  f"le serveur SMTP {s.host}:{s.effective_port} refuse la "
                                  "connexion") from None
        except ssl.SSLError as error:
            raise SettingError("smtp.security", f"échec TLS avec {s.host}:{s.effective_port} "
                               f"({_describe(error)})") from None
        except (OSError, smtplib.SMTPException) as error:
            raise ServerUnavailable(
                f"serveur SMTP {s.host}:{s.effective_port} injoignable ({_describe(error)})"
            ) from None
        try:
            connection.ehlo_or_helo_if_needed()
            if s.security == "starttls":
                connection.starttls(context=context)
                connection.ehlo()
            if s.user:
                _login(connection, s.user, s.password or "")
        except smtplib.SMTPHeloError as error:
            connection.close()
            raise _server_refusal(error.smtp_code, error.smtp_error, "smtp.host",
                                  f"le serveur SMTP {s.host} refuse notre présentation "
                                  "(EHLO/HELO)") from None
        except smtplib.SMTPAuthenticationError as error:
            connection.close()
            raise SettingError("smtp.user", f"authentification SMTP refusée pour « {s.user} » "
                               f"({error.smtp_code}) : vérifiez smtp.user et "
                               "DOSSIERS_SMTP_PASSWORD") from None
        except smtplib.SMTPNotSupportedError:
            connection.close()
            if s.security == "starttls" and not connection.has_extn("starttls"):
                raise SettingError("smtp.security", f"le serveur SMTP {s.host} ne propose pas "
                                   "STARTTLS (none ou ssl ?)") from None
            raise SettingError("smtp.user", f"le serveur SMTP {s.host} ne propose pas "
                               "l'authentification (AUTH)") from None
        except ssl.SSLError as error:
            connection.close()
            raise SettingError("smtp.security", f"échec TLS avec {s.host}:{s.effective_port} "
                               f"({_describe(error)})") from None
        except (OSError, smtplib.SMTPException) as error:
            connection.close()
            raise ServerUnavailable(
                f"serveur SMTP {s.host}:{s.effective_port} injoignable ({_describe(error)})"
            ) from None
        self._connection = connection
        return connection

    def open(self) -> None:
        self._connect()

    @property
    def connected(self) -> bool:
        return self._connection is not None

    def _drop(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _reply(self, code: int, text: bytes | str, *, data_sent: bool = False) -> DeliveryError:
        """A refusal of this message; the connection is reset for the next one (or dropped)."""
        if code == 421:
            self._drop()
            return ServerClosing(f"le serveur SMTP ferme la connexion (421 {_text(text)})")
        if data_sent or self._connection is None:
            return _by_code(code, text)
        try:
            self._connection.rset()
        except (OSError, smtplib.SMTPException):
            self._drop()
        return _by_code(code, text)

    def send(self, content: str, recipient: str) -> None:
        """One SMTP transaction, step by step, so that a lost line is placed: before the data
        (the message did not go: TemporaryFailure) or after it (Uncertain)."""
        connection = self._connect()
        message = message_from_string(content, policy=SMTP_POLICY)
        sender = parseaddr(str(message["From"]))[1]
        smtputf8 = connection.has_extn("smtputf8")
        try:
            address = parse_address(recipient)
            envelope_to = address.for_transport(smtputf8 and address.needs_smtputf8)
        except AddressError as error:
            raise PermanentFailure(f"adresse refusée avant envoi : {error}") from None
        options = ["SMTPUTF8"] if address.needs_smtputf8 else []
        data = _data_lines(content.encode("utf-8"))
        try:
            code, text = connection.mail(sender, options)
            if code == 421 or not 200 <= code < 300:
                if 500 <= code < 600:
                    self._reply(code, text)
                    raise SettingError("mail.from", f"le serveur SMTP refuse l'expéditeur "
                                       f"« {sender} » ({code} {_text(text)})")
                raise self._reply(code, text)
            code, text = connection.rcpt(envelope_to)
            if code not in (250, 251):
                raise self._reply(code, text)
            code, text = connection.docmd("data")
            if code != 354:
                raise self._reply(code, text)
        except (OSError, smtplib.SMTPServerDisconnected) as error:
            self._drop()
            raise TemporaryFailure(f"connexion SMTP perdue avant l'envoi ({_describe(error)})") from None
        try:
            connection.send(data)
            code, text = connection.getreply()
        except (OSError, smtplib.SMTPServerDisconnected) as error:
            self._drop()
            raise Uncertain(f"connexion SMTP perdue après l'envoi du message, sans réponse du "
                            f"serveur ({_describe(error)})") from None
        if code != 250:
            raise self._reply(code, text, data_sent=True)

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self._connection = None


_LEADING_DOT = re.compile(rb"(?m)^\.")


def _data_lines(content: bytes) -> bytes:
    """The message as DATA carries it: CRLF line ends, leading dots doubled, the final dot."""
    content = re.sub(rb"\r\n|\r|\n", b"\r\n", content)
    content = _LEADING_DOT.sub(b"..", content)
    if not content.endswith(b"\r\n"):
        content += b"\r\n"
    return content + b".\r\n"


def _login(connection: smtplib.SMTP, user: str, password: str) -> None:
    """smtplib's login encodes the user and password as ASCII (UnicodeEncodeError otherwise):
    a non-ASCII one goes as UTF-8 by AUTH PLAIN (RFC 4616), which every server we met offers."""
    if user.isascii() and password.isascii():
        connection.login(user, password)
        return
    connection.ehlo_or_helo_if_needed()
    if not connection.has_extn("auth"):
        raise smtplib.SMTPNotSupportedError("AUTH")
    if "PLAIN" not in connection.esmtp_features["auth"].upper().split():
        raise SettingError("smtp.user", "le serveur SMTP ne propose pas AUTH PLAIN, seul moyen "
                           "d'envoyer un identifiant ou un mot de passe non ASCII")
    token = base64.b64encode(b"\0" + user.encode("utf-8") + b"\0" + password.encode("utf-8"))
    code, text = connection.docmd("AUTH", "PLAIN " + token.decode("ascii"))
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, text)


def _text(text: bytes | str) -> str:
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)


def _server_refusal(code: int, text: bytes | str, setting: str, what: str) -> ServerUnavailable:
    """A 5xx before any message: a setting to fix; a 4xx (or none): the server, later."""
    if 500 <= code < 600:
        return SettingError(setting, f"{what} ({code} {_text(text)})")
    return ServerUnavailable(f"{what} ({code} {_text(text)})")


def _by_code(code: int, text: bytes | str) -> DeliveryError:
    reason = _text(text)
    if 400 <= code < 500:
        return TemporaryFailure(f"refus temporaire {code} : {reason}")
    return PermanentFailure(f"refus définitif {code} : {reason}")


def _describe(error: BaseException) -> str:
    return str(error) or type(error).__name__


class FileTransport:
    """One .eml file per message in a folder (the demo's transport)."""

    name = "file"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def open(self) -> None:
        return None

    connected = True

    def send(self, content: str, recipient: str) -> None:
        """`<date>_<recipient>_<hash of the Message-ID>.eml`: the same message, the same file."""
        message = message_from_string(content, policy=SMTP_POLICY)
        digest = hashlib.sha1(str(message["Message-ID"]).strip().encode()).hexdigest()[:10]
        day = parsedate_to_datetime(str(message["Date"])).date().isoformat()
        safe = "".join(c if c.isalnum() or c in "-_.@" else "_" for c in recipient)
        stem = f"{day}_{safe}_{digest}"
        try:
            private_folder(self.folder)
            temporary = self.folder / f".{stem}.tmp"
            write_private(temporary, content.encode("utf-8"))
            os.replace(temporary, self.folder / f"{stem}.eml")
        except OSError as error:
            raise ServerUnavailable(f"écriture impossible dans {self.folder} "
                                    f"({error.strerror})") from None

    def close(self) -> None:
        return None


class ConsoleTransport:
    """Prints each message on the terminal."""

    name = "console"

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def open(self) -> None:
        return None

    connected = True

    def send(self, content: str, recipient: str) -> None:
        self.stream.write(content.replace("\r\n", "\n") + "\n")

    def close(self) -> None:
        return None
