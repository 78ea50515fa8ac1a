"""Where digests go: an SMTP server, a folder of .eml files, or the terminal.

Every transport raises the same errors, so the outbox knows what to do:
TemporaryFailure (4xx: retry later), PermanentFailure (5xx for this recipient, or an
address this server cannot carry: mark this one failed, go on), ServerUnavailable (no
server: stop, keep the rest for the next run) and its kind SettingError (the server refuses
us, not the message: the sender at MAIL FROM, the login, TLS, our greeting; stop, keep the
rest, and name the setting to fix).
"""

from __future__ import annotations

import hashlib
import os
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


class ServerUnavailable(DeliveryError):
    pass


class SettingError(ServerUnavailable):
    """Every message would meet the same refusal until `setting` is fixed."""

    def __init__(self, setting: str, reason: str) -> None:
        super().__init__(f"{setting} : {reason}")
        self.setting = setting


class Transport(Protocol):
    name: str

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
                connection.login(s.user, s.password or "")
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

    def send(self, content: str, recipient: str) -> None:
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
        try:
            connection.sendmail(sender, [envelope_to], content.encode("utf-8"),
                                mail_options=options)
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()))
            raise _by_code(code, text) from None
        except smtplib.SMTPSenderRefused as error:
            if 500 <= error.smtp_code < 600:
                raise SettingError("mail.from", f"le serveur SMTP refuse l'expéditeur « {sender} » "
                                   f"({error.smtp_code} {_text(error.smtp_error)})") from None
            raise _by_code(error.smtp_code, error.smtp_error) from None
        except smtplib.SMTPDataError as error:
            raise _by_code(error.smtp_code, error.smtp_error) from None
        except smtplib.SMTPHeloError as error:
            raise _server_refusal(error.smtp_code, error.smtp_error, "smtp.host",
                                  "le serveur SMTP refuse notre présentation (EHLO/HELO)") from None
        except (OSError, smtplib.SMTPServerDisconnected) as error:
            self._connection = None
            raise ServerUnavailable(f"connexion SMTP perdue ({_describe(error)})") from None

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self._connection = None


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

    def send(self, content: str, recipient: str) -> None:
        self.stream.write(content.replace("\r\n", "\n") + "\n")

    def close(self) -> None:
        return None
