"""The records of portail: frozen dataclasses, compared by value, printed by ``repr``.

They are the typed surface of the values the Rust core returns: the binding builds each one
generically from the core's serde form, converting each field by its type hint here
(``datetime``, the enums of :mod:`portail.enums`, nested records, lists, tuples and dicts of
those). A field the core adds reaches Python once it is declared here (and in the stubs).

Records returned by portail are snapshots; change one with :func:`dataclasses.replace` and pass
it back (its ``version`` makes the save optimistic: a concurrent change raises
:class:`portail.ConflictError`). They hold data only: every rule lives in the Rust core.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import os
from typing import (
    TYPE_CHECKING,
    Dict,
    Generic,
    Iterator,
    List,
    Literal,
    Optional,
    Tuple,
    TypeVar,
    Union,
)

from .enums import (
    AccountStatus,
    AttemptOutcome,
    Audience,
    BatchOutcome,
    DocumentKind,
    EInvoicingConsent,
    EmailRole,
    Language,
    LinkTarget,
    NotificationState,
    PaymentStatus,
    Phase,
    SignaturePlacement,
    SkipReason,
    TemplatePurpose,
    UnpaidPolicy,
)

if TYPE_CHECKING:
    # An enum member or its plain value (the aliases live in the native module's stub).
    from ._native import _Audience, _EmailRole, _Language
    from .exceptions import PortailError

__all__ = [
    "AccessEvent",
    "Account",
    "Attempt",
    "AudienceSettings",
    "BatchReport",
    "BatchRow",
    "DispatchReport",
    "Document",
    "Download",
    "Folder",
    "Invitation",
    "Lockout",
    "Notification",
    "NotificationDecision",
    "Page",
    "Party",
    "Principal",
    "Progress",
    "Publish",
    "PublishReport",
    "Settings",
    "SignatureRecord",
    "SyncReport",
    "Template",
]

T = TypeVar("T")

#: Document content: the bytes, or the path of a file to read.
Content = Union[bytes, bytearray, memoryview, str, "os.PathLike[str]"]


@dataclasses.dataclass(frozen=True)
class AudienceSettings:
    """Settings of one audience's portal. Build one with :meth:`AudienceSettings.new`."""

    portal_url: str
    notifications_enabled: bool
    page_size: int
    unpaid_policy: UnpaidPolicy
    #: The stamp on unpaid PDFs under the watermark policy.
    watermark_text: str

    @staticmethod
    def new(portal_url: str) -> AudienceSettings:
        """The core's defaults for a portal at ``portal_url``."""
        from . import _native

        return _native.new_audience_settings(portal_url)


@dataclasses.dataclass(frozen=True)
class Settings:
    """Settings of one tenant ("Paramètres internet"). Build one with :meth:`Settings.new`."""

    company_name: str
    domain: str
    sender: str
    reply_to: Optional[str]
    language: Language
    time_zone: str
    client: AudienceSettings
    employee: AudienceSettings
    version: int = 0

    @staticmethod
    def new(
        company_name: str,
        domain: str,
        *,
        sender: Optional[str] = None,
        reply_to: Optional[str] = None,
        language: Optional[_Language] = None,
        time_zone: Optional[str] = None,
    ) -> Settings:
        """The core's defaults for a company and its domain (sender ``noreply@DOMAIN``,
        portals at ``https://DOMAIN/clients`` and ``https://DOMAIN/employees``)."""
        from . import _native

        return _native.new_settings(
            company_name,
            domain,
            sender=sender,
            reply_to=reply_to,
            language=language,
            time_zone=time_zone,
        )

    def audience(self, audience: _Audience) -> AudienceSettings:
        """One audience's settings."""
        return self.client if Audience(audience) is Audience.CLIENT else self.employee


@dataclasses.dataclass(frozen=True)
class Party:
    """A client or employee record of the host ("fiche client / salarié"), keyed by its code."""

    audience: Audience
    code: str
    name: str
    company: Optional[str] = None
    emails: Dict[EmailRole, str] = dataclasses.field(default_factory=dict)
    einvoicing: EInvoicingConsent = EInvoicingConsent.REQUESTED
    unpaid_exempt: bool = False
    version: int = 0

    @classmethod
    def client(
        cls,
        code: str,
        name: str,
        *,
        emails: Optional[Dict[EmailRole, str]] = None,
        company: Optional[str] = None,
        einvoicing: EInvoicingConsent = EInvoicingConsent.REQUESTED,
        unpaid_exempt: bool = False,
    ) -> Party:
        """A client record."""
        return cls(Audience.CLIENT, code, name, company, dict(emails or {}), einvoicing, unpaid_exempt)

    @classmethod
    def employee(
        cls,
        code: str,
        name: str,
        *,
        emails: Optional[Dict[EmailRole, str]] = None,
        company: Optional[str] = None,
    ) -> Party:
        """An employee record."""
        return cls(Audience.EMPLOYEE, code, name, company, dict(emails or {}))

    def address(self, role: _EmailRole) -> Optional[str]:
        """The address of ``role``, if any."""
        return self.emails.get(EmailRole(role))


@dataclasses.dataclass(frozen=True)
class Folder:
    """A document folder ("répertoire de la GED") and its portal flags."""

    audience: Audience
    path: str
    label: str
    shared: bool = True
    signature: Optional[SignaturePlacement] = None
    notify: bool = False
    notify_on: EmailRole = EmailRole.MAIN
    link: LinkTarget = LinkTarget.PORTAL_HOME
    id: str = ""
    version: int = 0


@dataclasses.dataclass(frozen=True)
class Template:
    """A notification template ("modèle de notification") with merge fields."""

    audience: Audience
    purpose: TemplatePurpose
    subject: str
    body: str
    version: int = 0


@dataclasses.dataclass(frozen=True)
class NotificationDecision:
    """What publishing decided: ``"queued"`` with its notification, or ``"skipped"`` and why
    (the core's serde form, flattened)."""

    decision: Literal["queued", "skipped"]
    #: The notification queued, when ``decision`` is ``"queued"``.
    notification_id: Optional[str] = None
    #: Why none was, when ``decision`` is ``"skipped"``.
    reason: Optional[SkipReason] = None
    #: The missing address's role when ``reason`` is ``NO_ADDRESS``.
    role: Optional[EmailRole] = None

    @property
    def queued(self) -> bool:
        """Whether a notification was queued."""
        return self.decision == "queued"


@dataclasses.dataclass(frozen=True)
class SignatureRecord:
    """The audit trail of a portal signature: who, when, the host's evidence, both SHA-256."""

    account_id: str
    identifier: str
    signer_name: str
    signed_at: _dt.datetime
    ip_address: str
    user_agent: str
    placement: SignaturePlacement
    original_sha256: str
    signed_sha256: str
    signed_size: int
    with_image: bool


@dataclasses.dataclass(frozen=True)
class Document:
    """A document on a party's folder."""

    id: str
    audience: Audience
    party_code: str
    folder_id: str
    name: str
    kind: DocumentKind
    payment: PaymentStatus
    sha256: str
    size: int
    content_type: str
    external_id: Optional[str]
    published_at: _dt.datetime
    notification: NotificationDecision
    downloads: int
    first_download_at: Optional[_dt.datetime]
    last_download_at: Optional[_dt.datetime]
    #: The portal signature and its audit trail, once signed.
    signature: Optional[SignatureRecord]
    version: int


@dataclasses.dataclass(frozen=True)
class Publish:
    """A request to publish a document, for :meth:`portail.Documents.publish_many`.

    ``content`` is the bytes, or the path of a file (``str`` or :class:`pathlib.Path`); ``name``
    defaults to the file's name.
    """

    party_code: str
    folder: str
    content: Content
    name: Optional[str] = None
    audience: Audience = Audience.CLIENT
    kind: DocumentKind = DocumentKind.OTHER
    payment: PaymentStatus = PaymentStatus.PAID
    external_id: Optional[str] = None
    content_type: Optional[str] = None


@dataclasses.dataclass(frozen=True)
class PublishReport:
    """What a batch publish did; ``outcomes`` has one entry per input, in order: the document,
    or the :class:`portail.PortailError` of that input."""

    published: int
    already_published: int
    notifications_queued: int
    outcomes: List[Union[Document, PortailError]]


@dataclasses.dataclass(frozen=True)
class Attempt:
    """One delivery attempt of a notification."""

    at: _dt.datetime
    outcome: AttemptOutcome
    error: Optional[str] = None


@dataclasses.dataclass(frozen=True)
class Notification:
    """A queued e-mail and its history ("Historique des notifications")."""

    id: str
    audience: Audience
    party_code: str
    purpose: TemplatePurpose
    document_id: Optional[str]
    account_id: Optional[str]
    role: Optional[EmailRole]
    recipient: str
    subject: str
    body: str
    link: Optional[str]
    state: NotificationState
    forced: bool
    resend_of: Optional[str]
    template_version: int
    created_at: _dt.datetime
    next_attempt_at: _dt.datetime
    claimed_until: Optional[_dt.datetime]
    attempts: Tuple[Attempt, ...]
    sent_at: Optional[_dt.datetime]
    #: Why the store set it aside ("undecodable"), when quarantined.
    quarantine: Optional[str]
    version: int

    @property
    def last_error(self) -> Optional[str]:
        """The error of the last attempt, if it failed."""
        return self.attempts[-1].error if self.attempts else None


@dataclasses.dataclass(frozen=True)
class Page(Generic[T]):
    """A page of a listing: iterate it, ``len()`` it, or read ``items`` and ``total``.

    Read the next page with ``offset=page.next`` or ``cursor=page.cursor`` (both ``None`` on
    the last page); a cursor keeps the page size it was issued with unless ``limit`` is given.
    """

    items: List[T]
    #: Total matching rows.
    total: int
    #: Rows skipped before this page.
    offset: int
    #: The page size asked for.
    limit: int
    #: Whether more rows follow this page.
    has_more: bool
    #: The offset of the next page, ``None`` on the last one.
    next: Optional[int]
    #: The opaque token of the next page (pass it back as ``cursor=``), ``None`` on the last one.
    cursor: Optional[str]

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> T:
        return self.items[index]

    @property
    def next_offset(self) -> int:
        """The ``offset`` of the next page (kept for older callers; prefer ``next``)."""
        return self.offset + len(self.items)


@dataclasses.dataclass(frozen=True)
class Progress:
    """Progress of a long operation, for a progress bar."""

    phase: Phase
    done: int
    total: int


@dataclasses.dataclass(frozen=True)
class DispatchReport:
    """What one dispatch did."""

    attempted: int = 0
    sent: int = 0
    failed: int = 0
    abandoned: int = 0
    skipped: int = 0


@dataclasses.dataclass(frozen=True)
class SyncReport:
    """What "Synchroniser" did."""

    activated: int
    credentials_queued: int
    dispatch: DispatchReport


@dataclasses.dataclass(frozen=True)
class Invitation:
    """An invitation to set one's own password."""

    created_at: _dt.datetime
    expires_at: _dt.datetime
    #: When the e-mail was queued; ``None`` = "send later".
    sent_at: Optional[_dt.datetime]
    accepted_at: Optional[_dt.datetime]


@dataclasses.dataclass(frozen=True)
class Lockout:
    """The failed-login counter of an identifier ("verrouillage"), known or not."""

    #: Attempts counted since the last success or lockout.
    failures: int
    #: End of the lockout in force, if any.
    locked_until: Optional[_dt.datetime]


@dataclasses.dataclass(frozen=True)
class Account:
    """A portal login of one party ("Droits d'accès"), as the core's account view
    (``portail::ffi::AccountView``) gives it: never a password hash, and never the draft's
    password (``accounts().draft_password(id)`` reads it while the account is a draft)."""

    id: str
    audience: Audience
    party_code: str
    identifier: str
    status: AccountStatus
    #: "Accès autorisé".
    authorized: bool
    #: "Notifier par email".
    notify_by_email: bool
    #: Whether a draft's readable password is still held: read it with
    #: ``accounts().draft_password(id)`` (the record never carries it).
    has_draft_password: bool
    invitation: Optional[Invitation]
    #: "Email envoyé à".
    credentials_sent_to: Optional[str]
    #: "Email envoyé le".
    credentials_sent_at: Optional[_dt.datetime]
    #: Bumped by every password change, re-issue, reset and suspension; older links die.
    credential_epoch: int
    created_at: _dt.datetime
    activated_at: Optional[_dt.datetime]
    last_login_at: Optional[_dt.datetime]
    #: Changed since the last sync (red in the back office).
    needs_sync: bool
    version: int


@dataclasses.dataclass(frozen=True)
class BatchRow:
    """One party of a batch generation."""

    party_code: str
    outcome: BatchOutcome
    account_id: Optional[str] = None
    identifier: Optional[str] = None


@dataclasses.dataclass(frozen=True)
class BatchReport:
    """What a batch generation did, party by party in input order."""

    rows: List[BatchRow]

    @property
    def created(self) -> int:
        """How many accounts were created."""
        return sum(1 for r in self.rows if r.outcome is BatchOutcome.CREATED)

    def __iter__(self) -> Iterator[BatchRow]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


@dataclasses.dataclass(frozen=True)
class Principal:
    """A logged-in portal user (from ``Portal.login``, ``Portal.accept_invitation`` or
    ``Portal.principal``)."""

    account_id: str
    audience: Audience
    party_code: str
    identifier: str


@dataclasses.dataclass(frozen=True)
class Download:
    """A downloaded document: the bytes to serve and the updated document."""

    document: Document
    content: bytes = dataclasses.field(repr=False)
    #: Whether ``content`` is the watermarked copy ("POUR CONSULTATION UNIQUEMENT").
    watermarked: bool


@dataclasses.dataclass(frozen=True)
class AccessEvent:
    """One download of a document from the portal ("historique d'accès")."""

    id: str
    audience: Audience
    party_code: str
    document_id: str
    account_id: str
    at: _dt.datetime
