"""Email addresses: what an SMTP transport can carry, decided once, in one pure function.

An address is `local@domain`, the local part a dot-atom (no quoted strings, no comments),
the domain a host name of at least two labels. A non-ASCII domain is carried by any server:
its labels are sent in their IDNA ASCII form (`xn--…`, RFC 5890). A non-ASCII local part is
not: only a server that offers SMTPUTF8 (RFC 6531) takes it, so entry refuses it unless the
configuration says the server does (`[smtp] smtputf8 = true`), and sending gives it to such a
server only.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# RFC 5322 atext, plus any non-ASCII character (RFC 6531 UTF8-non-ascii).
_ATEXT = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                   "!#$%&'*+-/=?^_`{|}~")
_LDH = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


class AddressError(ValueError):
    """Why the text is not an address a transport can carry (French, for the user)."""


@dataclass(frozen=True)
class Address:
    local: str
    domain: str  # Unicode form, lower case
    ascii_domain: str  # IDNA ASCII form

    @property
    def text(self) -> str:
        return f"{self.local}@{self.domain}"

    @property
    def needs_smtputf8(self) -> bool:
        return not self.local.isascii()

    def for_transport(self, smtputf8: bool) -> str:
        """The envelope form: Unicode for an SMTPUTF8 server, ASCII otherwise."""
        if smtputf8:
            return self.text
        if self.needs_smtputf8:
            raise AddressError(f"« {self.text} » : la partie avant @ contient des caractères "
                               "non ASCII, que seul un serveur SMTPUTF8 transmet")
        return f"{self.local}@{self.ascii_domain}"


def _local_part(local: str) -> str:
    if not local:
        raise AddressError("rien avant @")
    if len(local.encode("utf-8")) > 64:
        raise AddressError("partie avant @ trop longue (64 octets au plus)")
    if local.startswith(".") or local.endswith(".") or ".." in local:
        raise AddressError("point mal placé avant @")
    for char in local:
        if char == "." or char in _ATEXT:
            continue
        if not char.isascii() and unicodedata.category(char)[0] not in "CZ":
            continue
        raise AddressError(f"caractère interdit {char!r} avant @")
    return local


def _domain(domain: str) -> tuple[str, str]:
    if not domain:
        raise AddressError("rien après @")
    labels = domain.split(".")
    if len(labels) < 2:
        raise AddressError(f"domaine « {domain} » incomplet (nom.extension attendu)")
    unicode_labels: list[str] = []
    ascii_labels: list[str] = []
    for label in labels:
        if not label:
            raise AddressError(f"domaine « {domain} » : point mal placé")
        try:
            ascii_label = label.encode("idna").decode("ascii").lower()
            unicode_label = ascii_label.encode("ascii").decode("idna")
        except UnicodeError:
            raise AddressError(f"domaine « {domain} » invalide") from None
        if (not 1 <= len(ascii_label) <= 63 or set(ascii_label) - _LDH
                or ascii_label.startswith("-") or ascii_label.endswith("-")):
            raise AddressError(f"domaine « {domain} » invalide")
        ascii_labels.append(ascii_label)
        unicode_labels.append(unicode_label)
    ascii_domain = ".".join(ascii_labels)
    if len(ascii_domain) > 253:
        raise AddressError("domaine trop long")
    return ".".join(unicode_labels), ascii_domain


def parse_address(text: str) -> Address:
    """`text` as an address (lower case, NFC), or AddressError saying what is wrong."""
    cleaned = unicodedata.normalize("NFC", text.strip()).lower()
    if cleaned.count("@") != 1:
        raise AddressError(f"« {cleaned} » n'est pas une adresse (un seul @ attendu)")
    local, _, domain = cleaned.partition("@")
    try:
        _local_part(local)
        unicode_domain, ascii_domain = _domain(domain)
    except AddressError as error:
        raise AddressError(f"« {cleaned} » : {error}") from None
    return Address(local, unicode_domain, ascii_domain)


def entry_address(text: str, smtputf8: bool) -> Address:
    """At entry (staff, import): an address the configured transport will carry."""
    address = parse_address(text)
    if address.needs_smtputf8 and not smtputf8:
        raise AddressError(
            f"« {address.text} » : la partie avant @ contient des caractères non ASCII, que le "
            "serveur SMTP ne transmet que s'il propose SMTPUTF8 (à déclarer par "
            "[smtp] smtputf8 = true)")
    return address
