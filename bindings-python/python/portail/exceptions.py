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
    """Base class of every portail error.

    Every error carries the same attributes, in every language portail speaks: ``code`` (the
    stable snake_case code), ``message``, and the payload fields ``field``, ``what``, ``key``,
    ``reason``, ``identifier``, ``until`` and ``document`` (``None`` where the code has no such
    field). A code this package does not know (a newer core) is raised as this base class with
    its ``code`` set.
    """

    code: str = "internal"
    message: str
    #: ``invalid_input``: the offending field (``emails.billing``, ``page_size``, ...).
    field: Optional[str]
    #: ``not_found``, ``invalid_state``, ``conflict``: what was looked up or refused.
    what: Optional[str]
    #: ``not_found``: the key that was not found.
    key: Optional[str]
    #: ``invalid_input``, ``invalid_state``, ``pdf``, ``mail``, ``storage``: why.
    reason: Optional[str]
    #: ``identifier_taken``: the identifier.
    identifier: Optional[str]
    #: ``locked_out``: the end of the lockout (UTC).
    until: Optional[_dt.datetime]
    #: ``payment_required``: the document's name.
    document: Optional[str]

    def __init__(
        self,
        message: str = "",
        *,
        code: Optional[str] = None,
        field: Optional[str] = None,
        what: Optional[str] = None,
        key: Optional[str] = None,
        reason: Optional[str] = None,
        identifier: Optional[str] = None,
        until: Optional[_dt.datetime] = None,
        document: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message
        self.field = field
        self.what = what
        self.key = key
        self.reason = reason
        self.identifier = identifier
        self.until = until
        self.document = document


class InvalidInputError(PortailError):
    """Input rejected before anything was written; ``field`` names what is wrong."""

    code = "invalid_input"


class NotFoundError(PortailError):
    """The thing looked up does not exist (in this tenant and audience)."""

    code = "not_found"


class IdentifierTakenError(PortailError):
    """The identifier is already used by another account of the same tenant and audience."""

    code = "identifier_taken"


class InvalidStateError(PortailError):
    """Not allowed in the current state (e.g. cancelling a notification already sent)."""

    code = "invalid_state"


class ConflictError(PortailError):
    """A concurrent change won; nothing was written. Read again and retry."""

    code = "conflict"


class AccessDeniedError(PortailError):
    """The principal may not see or act on this item."""

    code = "access_denied"


class InvalidCredentialsError(PortailError):
    """Login refused; the same error whether or not the identifier exists."""

    code = "invalid_credentials"


class LockedOutError(PortailError):
    """Too many failed logins: the account is locked until ``until``."""

    code = "locked_out"


class InvalidTokenError(PortailError):
    """A reset or invitation token is unknown, used or expired."""

    code = "invalid_token"


class PaymentRequiredError(PortailError):
    """The document's party has unpaid documents under the "block" policy."""

    code = "payment_required"


class PdfError(PortailError):
    """A PDF could not be read or stamped."""

    code = "pdf"


class MailError(PortailError):
    """The mail transport failed."""

    code = "mail"


class TransientMailError(MailError):
    """Raise from a host mailer's ``send`` for a failure worth retrying (4xx, timeout)."""


class PermanentMailError(MailError):
    """Raise from a host mailer's ``send`` for a failure not worth retrying (5xx, bad address)."""


class StorageError(PortailError):
    """The store or blob storage failed (I/O, database, corrupted content)."""

    code = "storage"


class InternalError(PortailError):
    """A bug inside portail (a Rust panic); please report it. Nothing half-written is kept."""

    code = "internal"


#: The exception class of each stable error code (the core's 13, then ``internal``).
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
        InternalError,
    )
}
