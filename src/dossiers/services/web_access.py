"""The web view's tokens: one-time sign-in links and calendar subscriptions.

A token is 128 random bits (`secrets.token_urlsafe(16)`), handed out once; the database keeps
only its SHA-256, so a copy of the database opens no door. A calendar subscription's token is
also kept sealed with the server's private key (an HMAC-derived pad and a random nonce), so
that its owner's page can show the address again; the key lives outside the database
(web/secret.py). `now` is a parameter everywhere: tests drive time without sleeping.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from dossiers.store.models import CalendarSubscription, SignInLink, Staff

LINK_LIFETIME = timedelta(minutes=15)
TOKEN_BYTES = 16  # 128 bits


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _pad(key: bytes, nonce: bytes) -> bytes:
    return hmac.new(key, b"calendar-token:" + nonce, hashlib.sha256).digest()


def seal(key: bytes, token: str) -> tuple[str, str]:
    """(sealed, nonce) in hex: the token's bytes XOR a pad only the key can make again."""
    nonce = secrets.token_bytes(16)
    raw = token.encode("ascii")
    return bytes(a ^ b for a, b in zip(raw, _pad(key, nonce), strict=False)).hex(), nonce.hex()


def unseal(key: bytes, sealed: str, nonce: str) -> str:
    raw = bytes.fromhex(sealed)
    return bytes(a ^ b for a, b in zip(raw, _pad(key, bytes.fromhex(nonce)),
                                       strict=False)).decode("ascii")


def person_by_email(session: Session, email: str) -> Staff | None:
    """Exactly, without case: a sign-in page does not guess (no « did you mean »)."""
    wanted = email.strip().lower()
    if not wanted or len(wanted) > 254:
        return None
    for person in session.scalars(select(Staff).where(Staff.email.ilike(wanted))):
        if person.email.lower() == wanted:
            return person
    return None


def create_sign_in_link(session: Session, person: Staff, now: datetime) -> str:
    """A new link token for `person`, valid 15 minutes, once."""
    token = new_token()
    session.add(SignInLink(token_hash=token_hash(token), staff_id=person.id, created_at=now,
                           expires_at=now + LINK_LIFETIME))
    # Old links of anyone, used or expired, are of no use any more.
    session.execute(delete(SignInLink).where(SignInLink.expires_at < now - timedelta(days=1)))
    session.flush()
    return token


def redeem_sign_in_link(session: Session, token: str, now: datetime) -> int | None:
    """The staff id the link signs in, once: None when unknown, used or expired. One UPDATE
    marks it used only if it was not: of two requests racing with the same link, one wins."""
    wanted = token_hash(token)
    used = session.execute(update(SignInLink)
                           .where(SignInLink.token_hash == wanted, SignInLink.used_at.is_(None),
                                  SignInLink.expires_at > now)
                           .values(used_at=now)
                           .execution_options(synchronize_session=False))
    if used.rowcount != 1:
        return None
    return session.scalar(select(SignInLink.staff_id).where(SignInLink.token_hash == wanted))


@dataclass(frozen=True)
class Subscription:
    staff_id: int
    created_at: datetime


def subscribe_calendar(session: Session, person: Staff, key: bytes | None, now: datetime) -> str:
    """A new secret calendar address token for `person`; it replaces their old one."""
    revoke_calendar(session, person)
    token = new_token()
    sealed, nonce = seal(key, token) if key is not None else (None, None)
    session.add(CalendarSubscription(token_hash=token_hash(token), staff_id=person.id,
                                     sealed=sealed, nonce=nonce, created_at=now))
    session.flush()
    return token


def revoke_calendar(session: Session, person: Staff) -> bool:
    """Ends `person`'s subscription; False when there was none."""
    done = session.execute(delete(CalendarSubscription)
                           .where(CalendarSubscription.staff_id == person.id))
    session.flush()
    return bool(done.rowcount)


def calendar_subscriber(session: Session, token: str) -> Subscription | None:
    row = session.execute(select(CalendarSubscription.staff_id, CalendarSubscription.created_at)
                          .where(CalendarSubscription.token_hash == token_hash(token))
                          ).one_or_none()
    return None if row is None else Subscription(row.staff_id, row.created_at)


def calendar_token_of(session: Session, staff_id: int, key: bytes) -> str | None:
    """The person's calendar token, unsealed; None without a subscription or when it was
    sealed with another key (or none)."""
    row = session.execute(select(CalendarSubscription.sealed, CalendarSubscription.nonce,
                                 CalendarSubscription.token_hash)
                          .where(CalendarSubscription.staff_id == staff_id)).one_or_none()
    if row is None or row.sealed is None or row.nonce is None:
        return None
    try:
        token = unseal(key, row.sealed, row.nonce)
    except (ValueError, UnicodeDecodeError):
        return None
    return token if hmac.compare_digest(token_hash(token), row.token_hash) else None
