"""A digest as a multipart/alternative email, rendered from the Jinja2 templates; for
`remind --dry-run`, only what it shows (headers To and Subject, the text part), from the same
rendering."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.headerregistry import Address as HeaderAddress
from email.message import EmailMessage
from email.policy import SMTP, SMTPUTF8, EmailPolicy
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from typing import Any
from zoneinfo import ZoneInfo

from dossiers import messages
from dossiers.errors import InvalidInput
from dossiers.mail.addresses import AddressError, parse_address
from dossiers.mail.lines import reminder_line, user_writes_lines
from dossiers.rendering import render
from dossiers.reminders.selection import Digest
from dossiers.wrapping import fit

PARIS = ZoneInfo("Europe/Paris")
# The plain-text part is wrapped like mail (RFC 5322's 78 characters a line).
MAIL_WIDTH = 78
_MAIL_LINE_ENDS = re.compile(r"\r\n?")
_LINE_BREAKS = re.compile(r"[\r\n\t\v\f\x00-\x1f\x7f\u2028\u2029\x85]+")


def one_line(text: str) -> str:
    """No name or subject may smuggle a line break (or any control) into the headers."""
    return " ".join(_LINE_BREAKS.sub(" ", text).split())


def sender_address(from_setting: str | None) -> str:
    if not from_setting:
        raise InvalidInput("mail.from", "adresse d'expéditeur manquante (DOSSIERS_MAIL_FROM ou "
                           "[mail] from dans la configuration)")
    name, address = parseaddr(one_line(from_setting))
    if "@" not in address:
        raise InvalidInput("mail.from", f"adresse d'expéditeur invalide « {from_setting} »")
    try:
        # The sender goes in every envelope: it must pass any server (ASCII, IDNA domain).
        address = parse_address(address).for_transport(smtputf8=False)
    except AddressError as error:
        raise InvalidInput("mail.from", f"adresse d'expéditeur invalide : {error}") from None
    return formataddr((name, address)) if name else address


def new_message_id(sender: str, day: date) -> str:
    domain = parseaddr(sender)[1].rpartition("@")[2] or "dossiers.invalid"
    return make_msgid(idstring=f"rappels-{day.isoformat()}", domain=domain)


@dataclass(frozen=True)
class DigestText:
    """What a digest says, rendered once: its subject and its plain-text body, exactly as the
    message carries them (the real message's text part, and all that `--dry-run` shows)."""

    subject: str
    text: str


@dataclass(frozen=True)
class Preview:
    """`remind --dry-run`: a digest as its reader would see it, without building the message."""

    to: str  # the To: header as the message shows it
    subject: str
    text: str


def _context(digest: Digest, day: date, templates_dir: str | None) -> dict[str, Any]:
    """`item_line`: each reminder's line written in Python (mail/lines.py), unless the user's
    templates have their own `_digest_item.txt.j2`; then None, and the digest includes it."""
    return {
        "digest": digest,
        "recipient_name": one_line(digest.recipient.name),
        "day": day,
        "STEP_LABELS": messages.STEP_LABELS,
        "item_line": (None if user_writes_lines(templates_dir)
                      else lambda item: reminder_line(item, day)),
    }


def digest_text(digest: Digest, day: date, templates_dir: str | None = None) -> DigestText:
    """The subject and the plain-text body: the same for the sent message and the dry run."""
    context = _context(digest, day, templates_dir)
    subject = one_line(render("digest_subject.txt.j2", templates_dir, **context))
    text = fit(render("digest.txt.j2", templates_dir, **context), MAIL_WIDTH, hang="")
    # A text part's lines end at CR, LF or CRLF: written here as the message reads them back.
    return DigestText(subject, _MAIL_LINE_ENDS.sub("\n", text.rstrip("\n") + "\n"))


def _recipient(digest: Digest) -> tuple[EmailPolicy, str | HeaderAddress]:
    """The message's policy and its To: value. AddressError: this one message cannot be built,
    the caller records why."""
    address = parse_address(one_line(digest.recipient.email))
    name = one_line(digest.recipient.name)
    if address.needs_smtputf8:
        # Only an SMTPUTF8 server will take it; the transport checks before sending.
        return SMTPUTF8, HeaderAddress(display_name=name, username=address.local,
                                       domain=address.domain)
    return SMTP, formataddr((name, address.for_transport(smtputf8=False)))


def preview_message(digest: Digest, day: date, templates_dir: str | None = None) -> Preview:
    """What `build_message` would show of this digest: its To: and Subject: headers as a
    reader sees them, and its text part; no HTML, no MIME. Fails as `build_message` does."""
    written = digest_text(digest, day, templates_dir)
    policy, to = _recipient(digest)
    return Preview(str(policy.header_factory("To", to)),
                   str(policy.header_factory("Subject", written.subject)), written.text)


def build_message(digest: Digest, day: date, sender: str, message_id: str, now: datetime,
                  templates_dir: str | None = None) -> EmailMessage:
    written = digest_text(digest, day, templates_dir)
    html = render("digest.html.j2", templates_dir, **_context(digest, day, templates_dir))
    policy, to = _recipient(digest)
    message = EmailMessage(policy=policy)
    message["From"] = sender
    message["To"] = to
    message["Subject"] = written.subject
    # French recipients read Paris time; the file transport names files after this date.
    message["Date"] = format_datetime(now.replace(tzinfo=UTC).astimezone(PARIS))
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(written.text)
    message.add_alternative(html, subtype="html")
    return message


def sign_in_message(sender: str, to_name: str, to_email: str, link: str, now: datetime,
                    templates_dir: str | None = None) -> str:
    """The web view's one-time sign-in link, as the text of a message for a transport."""
    message = EmailMessage(policy=SMTP)
    message["From"] = sender
    message["To"] = formataddr((one_line(to_name), to_email))
    message["Subject"] = "Votre lien de connexion au suivi des dossiers"
    message["Date"] = format_datetime(now.replace(tzinfo=UTC).astimezone(PARIS))
    message["Message-ID"] = make_msgid(idstring="connexion", domain=parseaddr(sender)[1]
                                       .rpartition("@")[2] or "dossiers.invalid")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(render("web/sign_in_mail.txt.j2", templates_dir, name=to_name,
                               link=link))
    return message.as_string()
