"""The enumerations of portail, string-valued with the core's stable snake_case names.

Every enum is a ``str`` subclass, so ``Audience.CLIENT == "client"`` and a plain string is
accepted wherever an enum is expected.
"""

from __future__ import annotations

import enum

__all__ = [
    "AccountStatus",
    "AttemptOutcome",
    "Audience",
    "BatchOutcome",
    "DocumentKind",
    "EInvoicingConsent",
    "EmailRole",
    "IdentifierFrom",
    "InvitationStatus",
    "Language",
    "LinkTarget",
    "MergeField",
    "NotificationState",
    "PaymentStatus",
    "Phase",
    "SignaturePlacement",
    "SkipReason",
    "TemplatePurpose",
    "UnpaidPolicy",
]


class _StrEnum(str, enum.Enum):
    def __str__(self) -> str:
        return str(self.value)


class Audience(_StrEnum):
    """One of the two portals of a tenant ("portail Clients" / "portail Salariés")."""

    CLIENT = "client"
    EMPLOYEE = "employee"


class EmailRole(_StrEnum):
    """A party's addresses by service ("Email fiche / devis / facturation / relance")."""

    MAIN = "main"
    QUOTES = "quotes"
    BILLING = "billing"
    REMINDERS = "reminders"


class EInvoicingConsent(_StrEnum):
    """"Dématérialisation": invoices reach the portal only when ACCEPTED."""

    REQUESTED = "requested"
    ACCEPTED = "accepted"
    REFUSED = "refused"


class SignaturePlacement(_StrEnum):
    """Where the portal signature is stamped ("Signature à gauche / à droite")."""

    LEFT = "left"
    RIGHT = "right"


class LinkTarget(_StrEnum):
    """Where a notification's link points ("Lien vers")."""

    PORTAL_HOME = "portal_home"
    DOWNLOAD = "download"
    QUOTES = "quotes"
    ACCOUNT_STATEMENT = "account_statement"
    PAYSLIPS = "payslips"


class TemplatePurpose(_StrEnum):
    """What a notification template is for."""

    DOCUMENT_AVAILABLE = "document_available"
    ACCESS_CREDENTIALS = "access_credentials"
    PASSWORD_RESET = "password_reset"
    INVITATION = "invitation"
    SIGNATURE_RECEIVED = "signature_received"


class MergeField(_StrEnum):
    """A merge field ("champ de fusion"), e.g. ``#document#``."""

    DOCUMENT = "document"
    LINK = "link"
    COMPANY = "company"
    DOMAIN = "domain"
    NAME = "name"
    IDENTIFIER = "identifier"
    DATE = "date"
    PASSWORD = "password"


class DocumentKind(_StrEnum):
    """What a document is; an INVOICE is on the portal only with e-invoicing consent."""

    INVOICE = "invoice"
    QUOTE = "quote"
    CONTRACT = "contract"
    PAYSLIP = "payslip"
    OTHER = "other"


class PaymentStatus(_StrEnum):
    """Whether a document is paid ("dossier payé / impayé")."""

    PAID = "paid"
    UNPAID = "unpaid"


class NotificationState(_StrEnum):
    """Where a notification is in its life ("En attente / Envoyé / Annulé")."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"
    ABANDONED = "abandoned"
    QUARANTINED = "quarantined"


class SkipReason(_StrEnum):
    """Why publishing queued no notification."""

    FOLDER_NOT_SHARED = "folder_not_shared"
    E_INVOICING_NOT_ACCEPTED = "e_invoicing_not_accepted"
    FOLDER_DOES_NOT_NOTIFY = "folder_does_not_notify"
    NOTIFICATIONS_DISABLED = "notifications_disabled"
    NO_ADDRESS = "no_address"


class AttemptOutcome(_StrEnum):
    """What one delivery attempt gave."""

    SENT = "sent"
    TRANSIENT = "transient"
    PERMANENT = "permanent"


class UnpaidPolicy(_StrEnum):
    """What an unpaid document becomes on the portal ("Gestion des impayés")."""

    NONE = "none"
    WATERMARK = "watermark"
    BLOCK = "block"


class Language(_StrEnum):
    """Language of the shipped default templates."""

    FRENCH = "french"
    ENGLISH = "english"


class AccountStatus(_StrEnum):
    """The life of a portal account: DRAFT until synchronised, then ACTIVE, or REVOKED."""

    DRAFT = "draft"
    ACTIVE = "active"
    REVOKED = "revoked"


class InvitationStatus(_StrEnum):
    """Where an invitation is."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    EXPIRED = "expired"


class Phase(_StrEnum):
    """The phase of a long operation reported by :class:`portail.Progress`."""

    ACTIVATING = "activating"
    GENERATING = "generating"
    PUBLISHING = "publishing"
    DISPATCHING = "dispatching"


class IdentifierFrom(_StrEnum):
    """Where a new account's identifier comes from ("Identifiant"): the party code (seed 000)
    or its main e-mail address (seed 001)."""

    CODE = "code"
    EMAIL = "email"


class BatchOutcome(_StrEnum):
    """What happened to one party of a batch generation."""

    CREATED = "created"
    NO_EMAIL = "no_email"
    IDENTIFIER_TAKEN = "identifier_taken"
    ALREADY_HAS_ACCESS = "already_has_access"
    UNKNOWN_PARTY = "unknown_party"
