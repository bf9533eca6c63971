"""The exceptions of portail: one base class, one subclass per stable error code.

Every error raised by portail is a :class:`PortailError`; ``err.code`` is the core's stable
snake_case code (``"not_found"``, ``"invalid_input"``, ...) and ``err.field`` names the offending
input for :class:`InvalidInputError`. The variant's other data are attributes too (``what``,
``key``, ``identifier``, ``reason``, ``until``, ``document``).

A host-implemented mailer raises :class:`TransientMailError` (retried with backoff) or
:class:`PermanentMailError` (abandoned); any other exception from ``send`` counts as transient.
"""

from __future__ import annotations

import datetime as _dt
from typing import Dict, Optional, Type

__all__ = [
    "AccessDeniedError",
    "ConflictError",
    "IdentifierTakenError",
    "InternalError",
    "InvalidCredentialsError",
    "InvalidInputError",
    "InvalidStateError",
    "InvalidTokenError",
    "LockedOutError",
    "MailError",
    "NotFoundError",
    "PaymentRequiredError",
    "PdfError",
    "PermanentMailError",
    "PortailError",
    "StorageError",
    "TransientMailError",
]


class PortailError(Exception):
    """Base class of every portail error."""

    code: str = "internal"
    field: Optional[str]

    def __init__(self, message: str = "", *, field: Optional[str] = None, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        for name, value in details.items():
            setattr(self, name, value)


class InvalidInputError(PortailError):
    """Input rejected before anything was written; ``field`` names what is wrong."""

    code = "invalid_input"
    reason: str


class NotFoundError(PortailError):
    """The thing looked up does not exist (in this tenant and audience)."""

    code = "not_found"
    what: str
    key: str


class IdentifierTakenError(PortailError):
    """The identifier is already used by another account of the same tenant and audience."""

    code = "identifier_taken"
    identifier: str


class InvalidStateError(PortailError):
    """Not allowed in the current state (e.g. cancelling a notification already sent)."""

    code = "invalid_state"
    what: str
    reason: str


class ConflictError(PortailError):
    """A concurrent change won; nothing was written. Read again and retry."""

    code = "conflict"
    what: str


class AccessDeniedError(PortailError):
    """The principal may not see or act on this item."""

    code = "access_denied"


class InvalidCredentialsError(PortailError):
    """Login refused; the same error whether or not the identifier exists."""

    code = "invalid_credentials"


class LockedOutError(PortailError):
    """Too many failed logins: the account is locked until ``until``."""

    code = "locked_out"
    until: Optional[_dt.datetime]


class InvalidTokenError(PortailError):
    """A reset or invitation token is unknown, used or expired."""

    code = "invalid_token"


class PaymentRequiredError(PortailError):
    """The document's party has unpaid documents under the "block" policy."""

    code = "payment_required"
    document: str


class PdfError(PortailError):
    """A PDF could not be read or stamped."""

    code = "pdf"
    reason: str


class MailError(PortailError):
    """The mail transport failed."""

    code = "mail"
    reason: str


class TransientMailError(MailError):
    """Raise from a host mailer's ``send`` for a failure worth retrying (4xx, timeout)."""


class PermanentMailError(MailError):
    """Raise from a host mailer's ``send`` for a failure not worth retrying (5xx, bad address)."""


class StorageError(PortailError):
    """The store or blob storage failed (I/O, database, corrupted content)."""

    code = "storage"
    reason: str


class InternalError(PortailError):
    """A bug inside portail (a Rust panic); please report it. Nothing half-written is kept."""

    code = "internal"


#: The exception class of each stable error code (the core's ``ErrorKind::ALL``).
BY_CODE: Dict[str, Type[PortailError]] = {
    cls.code: cls
    for cls in (
        InvalidInputError,
        NotFoundError,
        IdentifierTakenError,
        InvalidStateError,
        ConflictError,
        AccessDeniedError,
        InvalidCredentialsError,
        LockedOutError,
        InvalidTokenError,
        PaymentRequiredError,
        PdfError,
        MailError,
        StorageError,
    )
}
