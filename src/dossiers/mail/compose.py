"""A digest as a multipart/alternative email, rendered from the Jinja2 templates."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from email.headerregistry import Address as HeaderAddress
from email.message import EmailMessage
from email.policy import SMTP, SMTPUTF8
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from zoneinfo import ZoneInfo

from dossiers import messages
from dossiers.errors import InvalidInput
from dossiers.mail.addresses import AddressError, parse_address
from dossiers.rendering import render
from dossiers.reminders.selection import Digest
from dossiers.wrapping import fit

PARIS = ZoneInfo("Europe/Paris")
# The plain-text part is wrapped like mail (RFC 5322's 78 characters a line).
MAIL_WIDTH = 78
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


def build_message(digest: Digest, day: date, sender: str, message_id: str, now: datetime,
                  templates_dir: str | None = None) -> EmailMessage:
    context = {
        "digest": digest,
        "recipient_name": one_line(digest.recipient.name),
        "day": day,
        "STEP_LABELS": messages.STEP_LABELS,
    }
    subject = one_line(render("digest_subject.txt.j2", templates_dir, **context))
    text = fit(render("digest.txt.j2", templates_dir, **context), MAIL_WIDTH, hang="")
    html = render("digest.html.j2", templates_dir, **context)
    # AddressError here: this one message cannot be built, the caller records why.
    address = parse_address(one_line(digest.recipient.email))
    name = one_line(digest.recipient.name)
    if address.needs_smtputf8:
        # Only an SMTPUTF8 server will take it; the transport checks before sending.
        message = EmailMessage(policy=SMTPUTF8)
        message["From"] = sender
        message["To"] = HeaderAddress(display_name=name, username=address.local,
                                      domain=address.domain)
    else:
        message = EmailMessage(policy=SMTP)
        message["From"] = sender
        message["To"] = formataddr((name, address.for_transport(smtputf8=False)))
    message["Subject"] = subject
    # French recipients read Paris time; the file transport names files after this date.
    message["Date"] = format_datetime(now.replace(tzinfo=UTC).astimezone(PARIS))
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text.rstrip("\n") + "\n")
    message.add_alternative(html, subtype="html")
    return message
