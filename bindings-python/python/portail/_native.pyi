"""The private native module of portail (Rust, pyo3). Use the public names from ``portail``."""

import datetime
import os
import pathlib
from typing import Callable, Iterable, List, Literal, Optional, Protocol, Union, final

from .enums import (
    AccountStatus,
    Audience,
    DocumentKind,
    EmailRole,
    IdentifierFrom,
    InvitationStatus,
    Language,
    MergeField,
    NotificationState,
    PaymentStatus,
    SignaturePlacement,
    TemplatePurpose,
)
from .records import (
    AccessEvent,
    Account,
    AudienceSettings,
    BatchReport,
    DispatchReport,
    Document,
    Download,
    Folder,
    Lockout,
    Notification,
    Page,
    Party,
    Principal,
    Progress,
    Publish,
    PublishReport,
    Settings,
    SyncReport,
    Template,
)

__version__: str
__all__ = [
    "__version__",
    "Portal",
    "Parties",
    "Folders",
    "Templates",
    "Documents",
    "Notifications",
    "RetryPolicy",
    "SecurityPolicy",
    "FixedClock",
    "OutgoingMessage",
    "MemoryMailer",
    "FileMailer",
    "SmtpMailer",
    "Accounts",
    "PortalView",
    "pdf_watermark",
    "pdf_stamp_signature",
    "pdf_page_count",
    "pdf_sample",
    "pdf_to_winansi_lossy",
    "new_settings",
    "new_audience_settings",
    "error_codes",
    "_raise_for_test",
]

# Enums are str subclasses and the binding parses them by their snake_case value, so wherever
# an enum argument is accepted, its plain value is too (tests/python/test_stubs.py checks that
# each Literal lists exactly the enum's values).
_Audience = Union[Audience, Literal["client", "employee"]]
_IdentifierFrom = Union[IdentifierFrom, Literal["code", "email"]]
_Kind = Union[DocumentKind, Literal["invoice", "quote", "contract", "payslip", "other"]]
_Payment = Union[PaymentStatus, Literal["paid", "unpaid"]]
_Purpose = Union[
    TemplatePurpose,
    Literal[
        "document_available",
        "access_credentials",
        "password_reset",
        "invitation",
        "signature_received",
    ],
]
_State = Union[
    NotificationState,
    Literal["pending", "sent", "failed", "cancelled", "abandoned", "quarantined"],
]
_Status = Union[AccountStatus, Literal["draft", "active", "revoked"]]
_Language = Union[Language, Literal["french", "english"]]
_Placement = Union[SignaturePlacement, Literal["left", "right"]]
# Used by records.py (Party.address): the stub is where the aliases live.
_EmailRole = Union[EmailRole, Literal["main", "quotes", "billing", "reminders"]]
_Bytes = Union[bytes, bytearray]

_Path = Union[str, "os.PathLike[str]"]
_Content = Union[bytes, bytearray, memoryview, str, "os.PathLike[str]"]
_ProgressFn = Callable[[Progress], object]

class _SendsMail(Protocol):
    """A host mailer: any object with ``send(message)``."""

    def send(self, message: "OutgoingMessage", /) -> object:
        """Deliver ``message``; raise ``PermanentMailError`` to abandon it, anything else to
        have it retried with backoff."""

_Mailer = Union["MemoryMailer", "FileMailer", "SmtpMailer", _SendsMail]

@final
class SecurityPolicy:
    """Password hashing (argon2id), lockout and token lifetimes.

    The defaults are the core's (OWASP argon2id); ``SecurityPolicy.fast_for_tests()`` hashes
    cheaply for test suites.
    """

    def __new__(
        cls,
        *,
        argon2_memory_kib: Optional[int] = None,
        argon2_iterations: Optional[int] = None,
        argon2_parallelism: Optional[int] = None,
        max_failed_logins: Optional[int] = None,
        lockout: Optional[datetime.timedelta] = None,
        reset_token_ttl: Optional[datetime.timedelta] = None,
        invitation_ttl: Optional[datetime.timedelta] = None,
        min_password_length: Optional[int] = None,
        generated_password_length: Optional[int] = None,
    ) -> "SecurityPolicy":
        """A policy from the core's defaults, each keyword given overriding its default."""
    @staticmethod
    def fast_for_tests() -> "SecurityPolicy":
        """Cheap hashing for test suites (never in production)."""
    @property
    def argon2_memory_kib(self) -> int:
        """Argon2id memory, in KiB (default 19,456 = 19 MiB, OWASP)."""
    @property
    def argon2_iterations(self) -> int:
        """Argon2id iterations (default 2, OWASP)."""
    @property
    def argon2_parallelism(self) -> int:
        """Argon2id lanes (default 1, OWASP)."""
    @property
    def max_failed_logins(self) -> int:
        """Failed logins of an identifier before a lockout (default 5)."""
    @property
    def lockout(self) -> datetime.timedelta:
        """How long a lockout lasts (default 15 minutes): ``LockedOutError`` meanwhile."""
    @property
    def reset_token_ttl(self) -> datetime.timedelta:
        """Lifetime of a password-reset link ("Mot de passe oublié"; default 1 hour)."""
    @property
    def invitation_ttl(self) -> datetime.timedelta:
        """Lifetime of an invitation link (default 7 days)."""
    @property
    def min_password_length(self) -> int:
        """Shortest password a person may choose or an admin may set (default 8)."""
    @property
    def generated_password_length(self) -> int:
        """Length of generated passwords ("Mdp aléatoire"; default 10)."""

@final
class RetryPolicy:
    """Retries of transient mail failures: exponential backoff, then abandoned."""

    def __new__(
        cls,
        *,
        max_attempts: Optional[int] = None,
        first_backoff: Optional[datetime.timedelta] = None,
        max_backoff: Optional[datetime.timedelta] = None,
    ) -> "RetryPolicy":
        """A policy from the core's defaults, each keyword given overriding its default."""
    @property
    def max_attempts(self) -> int:
        """Attempts before a transiently failing notification is abandoned (at least 1)."""
    @property
    def first_backoff(self) -> datetime.timedelta:
        """The wait after the first failure (doubled after each further one)."""
    @property
    def max_backoff(self) -> datetime.timedelta:
        """The longest wait between two attempts."""
    def backoff(self, failures: int) -> datetime.timedelta:
        """The wait after ``failures`` failed attempts."""

@final
class FixedClock:
    """A settable clock for tests: ``Portal.in_memory(..., clock=FixedClock(datetime(...)))``."""

    def __new__(cls, now: datetime.datetime) -> "FixedClock":
        """A clock stopped at ``now`` (a timezone-aware ``datetime``; a naive one is a
        ``TypeError``)."""
    def now(self) -> datetime.datetime:
        """The clock's time (UTC)."""
    def set(self, now: datetime.datetime) -> None:
        """Set the time (a timezone-aware ``datetime``)."""
    def advance(self, by: datetime.timedelta) -> None:
        """Move the time forward by a ``timedelta``."""

@final
class OutgoingMessage:
    """An e-mail handed to a mailer. ``as_bytes()`` gives its RFC 5322 form."""

    def __new__(
        cls,
        *,
        message_id: str,
        notification_id: str,
        from_: str,
        to: str,
        subject: str,
        body: str,
        from_name: Optional[str] = None,
        reply_to: Optional[str] = None,
    ) -> "OutgoingMessage":
        """A message, for testing a host mailer (portail builds the real ones)."""
    @property
    def message_id(self) -> str:
        """The stable Message-ID, ``<id@domain>`` (the same on every attempt of a
        notification)."""
    @property
    def notification_id(self) -> str:
        """The notification it delivers."""
    @property
    def from_(self) -> str:
        """The sender address ("Adresse mail de notification")."""
    @property
    def from_name(self) -> Optional[str]:
        """The sender's display name (the company)."""
    @property
    def reply_to(self) -> Optional[str]:
        """The Reply-To address ("Adresse mail de réponse")."""
    @property
    def to(self) -> str:
        """The recipient."""
    @property
    def subject(self) -> str:
        """The subject: one line, already rendered."""
    @property
    def body(self) -> str:
        """The body: plain text, already rendered."""
    @property
    def date(self) -> datetime.datetime:
        """The ``Date`` header: the portal's clock when handed to the mailer."""
    def as_bytes(self) -> bytes:
        """The message as RFC 5322 bytes (headers encoded, body transfer-encoded), ready for
        ``smtplib.SMTP.sendmail`` or an ``.eml`` file; ``MailError`` if it cannot be formatted."""

@final
class MemoryMailer:
    """A mailer keeping messages in memory, for tests: ``messages()`` lists what was sent."""

    def __new__(cls) -> "MemoryMailer":
        """An empty mailer."""
    def messages(self) -> List[OutgoingMessage]:
        """The messages sent so far, oldest first."""
    def clear(self) -> None:
        """Forget the messages sent so far."""
    def fail_next(self, *, transient: List[str] = ..., permanent: List[str] = ...) -> None:
        """Make the next sends fail: ``transient`` failures first (retried), then ``permanent``
        ones (abandoned), each given as its error text."""
    def __len__(self) -> int:
        """How many messages were sent so far."""

@final
class FileMailer:
    """The embedded default transport: one RFC 5322 ``.eml`` file per message in a folder."""

    def __new__(cls, directory: _Path) -> "FileMailer":
        """A mailer writing into ``directory`` (created if missing)."""
    @property
    def directory(self) -> pathlib.Path:
        """The folder holding the ``.eml`` files."""
    def path_of(self, notification_id: str) -> pathlib.Path:
        """The file of a notification's message."""
    def read(self, notification_id: str) -> str:
        """The ``.eml`` text of a notification's message; ``NotFoundError`` if none was written."""

@final
class SmtpMailer:
    """Real SMTP delivery (the core's lettre transport): plain SMTP to a local relay or sink."""

    @staticmethod
    def unencrypted(
        host: str, port: int, *, deadline: Optional[datetime.timedelta] = None
    ) -> "SmtpMailer":
        """Plain SMTP to ``host:port`` without TLS (a local relay or a test sink); 4xx replies
        and connection failures are transient, 5xx permanent. ``deadline`` (default 30 s, at
        least 10 ms) bounds each message's whole send (connection, every command, DATA); past
        it the send is abandoned and reported transient (retried later)."""

@final
class Parties:
    """The client and employee records of a portal: ``portal.parties()``."""

    def upsert(self, party: Party) -> Party:
        """Create or replace a party ("fiche client / salarié") from the host's record (the host
        is the source of truth); returns it with its new version. A bad field is an
        ``InvalidInputError`` naming it (e.g. ``"emails.billing"``)."""
    def get(self, code: str, *, audience: _Audience = ...) -> Party:
        """A party by code; ``NotFoundError`` if missing."""
    def find(self, code: str, *, audience: _Audience = ...) -> Optional[Party]:
        """A party by code, or ``None``."""
    def list(
        self,
        *,
        audience: _Audience = ...,
        offset: Optional[int] = None,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
    ) -> Page[Party]:
        """The parties of an audience, by code, one page at a time (paging as for every
        listing: ``offset`` or a previous page's ``cursor``, not both, and ``limit``, the
        audience's page size by default; a negative number or a bad cursor is an
        ``InvalidInputError`` naming it)."""

@final
class Folders:
    """The folder trees of a portal ("Configuration de la GED"): ``portal.folders()``."""

    def list(self, *, audience: _Audience = ...) -> List[Folder]:
        """The folders of an audience, by path."""
    def get(self, reference: str, *, audience: _Audience = ...) -> Folder:
        """A folder by path (or unique label); ``NotFoundError`` if missing."""
    def add(self, folder: Folder) -> Folder:
        """Add a folder; its path must be new in the audience."""
    def update(self, folder: Folder) -> Folder:
        """Save a folder read earlier (changed with ``dataclasses.replace``); ``ConflictError``
        if it changed meanwhile."""
    def remove(self, reference: str, *, audience: _Audience = ...) -> None:
        """Remove an empty folder (by path or unique label)."""

@final
class Templates:
    """Notification templates ("Modèle de notification"): ``portal.templates()``."""

    def get(self, purpose: _Purpose, *, audience: _Audience = ...) -> Template:
        """The template in force for ``purpose`` (a ``TemplatePurpose`` or its value, e.g.
        ``"document_available"``): the saved one, or the shipped default (version 0)."""
    def save(self, template: Template) -> Template:
        """Save a template after checking its merge fields (an unknown field is an
        ``InvalidInputError`` naming ``subject`` or ``body``)."""
    def fields(self, purpose: _Purpose) -> List[MergeField]:
        """The merge fields ("champs de fusion") a template of ``purpose`` may use."""

@final
class Documents:
    """The documents of a portal ("GED"): ``portal.documents()``."""

    def publish(
        self,
        party_code: str,
        folder: str,
        content: _Content,
        *,
        name: Optional[str] = None,
        audience: _Audience = ...,
        kind: _Kind = ...,
        payment: _Payment = ...,
        external_id: Optional[str] = None,
        content_type: Optional[str] = None,
    ) -> Document:
        """Publish a document into a party's folder ("mise à disposition"). ``content`` is the
        bytes or the path of a file (``str`` or ``pathlib.Path``); ``name`` defaults to the
        file's name (required with bytes); a file that cannot be read is an
        ``InvalidInputError`` naming ``path``. ``document.notification`` says whether a
        notification was queued, or why not."""
    def publish_many(
        self, requests: Iterable[Publish], *, progress: Optional[_ProgressFn] = None
    ) -> PublishReport:
        """Publish many ``Publish`` records in large commits; ``progress`` receives
        ``Progress`` values. Inputs already published under their external id are skipped;
        a bad input's outcome is its exception and does not stop the others."""
    def get(self, id: str) -> Document:
        """A document by id; ``NotFoundError`` if missing."""
    def find_by_external_id(
        self, external_id: str, *, audience: _Audience = ...
    ) -> Optional[Document]:
        """A document by the host's external id, or ``None``."""
    def list(
        self,
        party_code: str,
        *,
        audience: _Audience = ...,
        offset: Optional[int] = None,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
    ) -> Page[Document]:
        """Every document of a party (back-office view), newest first, one page at a time."""
    def content(self, id: str) -> bytes:
        """The content of a document (back office); the original even once signed."""
    def set_payment(self, id: str, payment: _Payment) -> Document:
        """Mark a document paid or unpaid ("passer un dossier en payé / impayé");
        ``payment`` is a ``PaymentStatus`` or ``"paid"`` / ``"unpaid"``."""
    def downloads(
        self,
        id: str,
        *,
        offset: Optional[int] = None,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
    ) -> Page[AccessEvent]:
        """The download history of a document ("historique d'accès"), newest first."""
    def signed_content(self, id: str) -> bytes:
        """The signed version of a document, if it was signed on the portal
        (``InvalidStateError`` otherwise); ``content`` keeps the original."""

@final
class Notifications:
    """The outbox and its history ("Historique des notifications"): ``portal.notifications()``."""

    def get(self, id: str) -> Notification:
        """A notification by id; ``NotFoundError`` if missing."""
    def history(
        self,
        *,
        audience: Optional[_Audience] = None,
        party_code: Optional[str] = None,
        state: Optional[_State] = None,
        document_id: Optional[str] = None,
        from_: Optional[datetime.datetime] = None,
        to: Optional[datetime.datetime] = None,
        offset: Optional[int] = None,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
    ) -> Page[Notification]:
        """The history, newest first, filtered and paged: every argument narrows (``state`` a
        ``NotificationState`` or its value, e.g. ``"sent"``); ``from_`` is inclusive, ``to``
        exclusive, on the creation time."""
    def cancel(self, id: str) -> Notification:
        """Cancel a pending (or failed, retrying) notification ("Annulé");
        ``InvalidStateError`` otherwise, or while it is being sent."""
    def resend(self, id: str, *, force: bool = False) -> Notification:
        """Resend ("Renvoyer"): queue the document notification again, to the party's current
        address. One already sent (or still open) needs ``force=True`` ("Notification forcée")."""

@final
class Accounts:
    """The accounts of a portal ("Droits d'accès au portail"): ``portal.accounts()``."""

    def generate(
        self,
        party_code: str,
        *,
        audience: _Audience = ...,
        identifier: Optional[str] = None,
        identifier_from: Optional[_IdentifierFrom] = None,
        password: Optional[str] = None,
        notify_by_email: bool = True,
        authorized: bool = True,
    ) -> Account:
        """Create a draft account, its password readable until ``portal.sync()`` freezes it.
        The identifier is ``identifier`` if given, else the party code (``identifier_from``
        ``None`` or ``"code"``) or its main e-mail (``"email"``); the password is random
        unless given.
        ``IdentifierTakenError`` if taken, ``InvalidStateError`` if the party has a live one."""
    def generate_batch(
        self,
        party_codes: List[str],
        *,
        audience: _Audience = ...,
        identifier_from: Optional[_IdentifierFrom] = None,
        notify_by_email: bool = True,
        progress: Optional[_ProgressFn] = None,
    ) -> BatchReport:
        """Create draft accounts for many parties ("génération par lots"), with a per-party
        report (``created``, ``no_email``, ``identifier_taken``, ``already_has_access``,
        ``unknown_party``); ``progress`` receives ``Progress`` values."""
    def get(self, id: str) -> Account:
        """An account by id; ``NotFoundError`` if missing."""
    def find(self, identifier: str, *, audience: _Audience = ...) -> Optional[Account]:
        """The live account holding an identifier (case-insensitive), or ``None``."""
    def lockout(self, identifier: str, *, audience: _Audience = ...) -> Lockout:
        """The failed-login counter of an identifier (known or not): ``Lockout(failures,
        locked_until)``."""
    def live_account_of(self, party_code: str, *, audience: _Audience = ...) -> Optional[Account]:
        """The party's live (non-revoked) account, or ``None``."""
    def list(
        self,
        *,
        audience: Optional[_Audience] = None,
        party_code: Optional[str] = None,
        status: Optional[_Status] = None,
        needs_sync: Optional[bool] = None,
        offset: Optional[int] = None,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
    ) -> Page[Account]:
        """Accounts, filtered (every argument narrows; ``status`` an ``AccountStatus`` or its
        value, e.g. ``"draft"``) and paged."""
    def draft_password(self, id: str) -> str:
        """The readable password of a draft ("Mot de passe" before sync);
        ``InvalidStateError`` once synchronised (the password is frozen)."""
    def regenerate_password(self, id: str) -> Account:
        """A new random password for a draft ("Mdp aléatoire")."""
    def set_password(self, id: str, password: str) -> Account:
        """Set a draft's password (the length policy applies); ``InvalidStateError`` unless
        the account is an uninvited draft."""
    def set_authorized(self, id: str, authorized: bool) -> Account:
        """Suspend (``False``) or resume (``True``) the access ("Accès autorisé"), at once."""
    def set_notify_by_email(self, id: str, notify: bool) -> Account:
        """Whether the next sync e-mails the credentials ("Notifier par email")."""
    def revoke(self, id: str) -> Account:
        """Remove an account ("Supprimer"): it never logs in again and its identifier is free."""
    def regenerate(self, id: str, *, notify_by_email: bool = True) -> Account:
        """Re-issue the access ("Régénérer les accès"): revoke the account and create a new
        draft for the same party and identifier with a fresh random password."""
    def invite(
        self,
        party_code: str,
        *,
        audience: _Audience = ...,
        identifier: Optional[str] = None,
        identifier_from: Optional[_IdentifierFrom] = None,
        send_now: bool = True,
    ) -> Account:
        """Invite a party to set its own password: a single-use, expiring link e-mailed now,
        or later with ``reinvite`` when ``send_now=False``. The identifier defaults to the
        party's main e-mail (``identifier_from="email"``)."""
    def reinvite(self, id: str) -> Account:
        """Send the invitation again with a new link (older links stop working)."""
    def invitation_status(self, id: str) -> Optional[InvitationStatus]:
        """The invitation's status now (``pending``, ``accepted``, ``expired``), or ``None``
        if the account was not invited."""

@final
class PortalView:
    """The portal as one principal sees it: ``portal.view(principal)``.

    Every call checks again that the account may still use the portal (``AccessDeniedError``
    otherwise).
    """

    def folders(self) -> List[Folder]:
        """The shared folders of the principal's audience."""
    def documents(
        self,
        *,
        folder: Optional[str] = None,
        offset: Optional[int] = None,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
    ) -> Page[Document]:
        """The principal's visible documents, newest first; ``folder`` (path or label)
        narrows."""
    def document(self, document_id: str) -> Document:
        """A document the principal may see (``AccessDeniedError`` for anything else)."""
    def open(self, document_id: str) -> Download:
        """Download a document: a ``Download`` (document, content, watermarked), recorded in
        the access history; ``PaymentRequiredError`` if unpaid under the block policy."""
    def awaits_signature(self, document_id: str) -> bool:
        """Whether a document this principal may see awaits his signature (its folder has a
        signature side and it is not signed yet)."""
    def sign(
        self,
        document_id: str,
        *,
        signer_name: str,
        ip_address: str,
        user_agent: str,
        image_png: Optional[_Bytes] = None,
    ) -> Document:
        """Sign a document awaiting a signature, with the host's evidence (IP address, user
        agent) and optionally a PNG of a drawn signature: "Signé électroniquement par NAME le
        DD/MM/YYYY à HH:MM" is stamped where the folder says. Returns the document with its
        ``signature`` record."""

@final
class Portal:
    """The portal of one tenant. Thread-safe; every long call releases the GIL."""

    def __new__(
        cls,
        tenant: str,
        settings: Optional[Settings] = None,
        *,
        blobs_dir: Optional[_Path] = None,
        outbox_dir: Optional[_Path] = None,
        mailer: Optional[_Mailer] = None,
        clock: Optional[FixedClock] = None,
        security: Optional[SecurityPolicy] = None,
        retry_policy: Optional[RetryPolicy] = None,
        claim_lease: Optional[datetime.timedelta] = None,
    ) -> "Portal":
        """A portal with the memory store (``settings`` apply when the tenant is first opened);
        documents in ``blobs_dir`` or memory, mail through ``mailer``, to ``outbox_dir`` as
        ``.eml`` files, or in memory. ``claim_lease`` (100 ms to 1 day, else
        ``InvalidInputError``; default 5 minutes) bounds a dispatcher's claim on a notification."""
    @staticmethod
    def in_memory(
        tenant: str,
        settings: Settings,
        *,
        mailer: Optional[_Mailer] = None,
        clock: Optional[FixedClock] = None,
        security: Optional[SecurityPolicy] = None,
        retry_policy: Optional[RetryPolicy] = None,
        claim_lease: Optional[datetime.timedelta] = None,
    ) -> "Portal":
        """A portal entirely in memory (store, blobs, and mail unless ``mailer`` is given).
        Options as for ``Portal(...)``."""
    @staticmethod
    def open(
        path: _Path,
        *,
        tenant: Optional[str] = None,
        settings: Optional[Settings] = None,
        mailer: Optional[_Mailer] = None,
        clock: Optional[FixedClock] = None,
        security: Optional[SecurityPolicy] = None,
        retry_policy: Optional[RetryPolicy] = None,
        claim_lease: Optional[datetime.timedelta] = None,
    ) -> "Portal":
        """The embedded default in folder ``path`` (created if missing): SQLite store, blobs
        in ``blobs/``, ``.eml`` files in ``outbox/`` unless ``mailer`` is given; reopening the
        folder reopens the data. Tenant ``default`` unless given; options as for
        ``Portal(...)``."""
    @property
    def tenant(self) -> str:
        """The tenant id."""
    def now(self) -> datetime.datetime:
        """The current time of the portal's clock (UTC)."""
    def settings(self) -> Settings:
        """The tenant's settings ("Paramètres internet")."""
    def save_settings(self, settings: Settings) -> Settings:
        """Save settings read with ``settings()`` and changed with ``dataclasses.replace``
        (a concurrent change raises ``ConflictError``). Returns them with their new version."""
    def update_settings(self, edit: Callable[[Settings], Settings]) -> Settings:
        """Change the settings with ``edit`` (given the current ``Settings``, returns the new
        ones), retrying on a concurrent change; returns the saved settings. An exception from
        ``edit`` is raised and nothing is saved."""
    def parties(self) -> Parties:
        """Client and employee records."""
    def folders(self) -> Folders:
        """Folder trees."""
    def templates(self) -> Templates:
        """Notification templates."""
    def documents(self) -> Documents:
        """Documents."""
    def notifications(self) -> Notifications:
        """The notification outbox and its history."""
    def accounts(self) -> Accounts:
        """Portal accounts."""
    def dispatch(self, limit: int = 500) -> DispatchReport:
        """Send up to ``limit`` due notifications through the mailer."""
    def sync(self, *, progress: Optional[_ProgressFn] = None) -> SyncReport:
        """Synchronise ("Synchroniser"): activate draft accounts (freezing their passwords),
        queue credentials e-mails, then send every due notification. ``progress`` receives
        ``Progress`` values."""
    def login(self, identifier: str, password: str, *, audience: _Audience = ...) -> Principal:
        """Log in to the portal of ``audience``: a ``Principal``, or
        ``InvalidCredentialsError`` (the same for every failure) or ``LockedOutError`` after
        too many failures."""
    def principal(self, account_id: str) -> Principal:
        """The principal of an account, for hosts keeping their own sessions
        (``AccessDeniedError`` unless active and authorised)."""
    def change_password(self, principal: Principal, current: str, new_password: str) -> None:
        """Change one's password (the current one is checked)."""
    def request_password_reset(self, identifier: str, *, audience: _Audience = ...) -> None:
        """Forgotten password ("Mot de passe oublié"): e-mail a single-use reset link if an
        active account holds ``identifier``. Succeeds either way (reveals nothing)."""
    def reset_password(self, token: str, new_password: str, *, audience: _Audience = ...) -> None:
        """Set a new password with a reset token (``InvalidTokenError`` if unknown, used or
        expired)."""
    def accept_invitation(
        self, token: str, password: str, *, audience: _Audience = ...
    ) -> Principal:
        """Accept an invitation by choosing a password; returns the logged-in principal
        (``InvalidTokenError`` if unknown, used or expired)."""
    def view(self, principal: Principal) -> PortalView:
        """The portal as ``principal`` sees it."""

def new_settings(
    company_name: str,
    domain: str,
    *,
    sender: Optional[str] = None,
    reply_to: Optional[str] = None,
    language: Optional[_Language] = None,
    time_zone: Optional[str] = None,
) -> Settings:
    """``Settings.new(...)``: the core's defaults for a company and its domain; ``language``
    is a ``Language`` or its value (``"french"``, ``"english"``)."""
def new_audience_settings(portal_url: str) -> AudienceSettings:
    """``AudienceSettings.new(portal_url)``: the core's defaults."""
def error_codes() -> List[str]:
    """Every stable error code, in order: the core's 13, then ``internal``."""
def _raise_for_test(code: str) -> None:
    """Raise the core's example error of ``code`` (tests of the mapping); ``internal`` raises
    a real panic caught at the boundary."""

_Method = Literal["auto", "incremental", "rewrite"]

def pdf_watermark(pdf: _Bytes, text: str, *, method: _Method = "auto") -> bytes:
    """Stamp ``text`` diagonally across every page ("POUR CONSULTATION UNIQUEMENT"); always a
    full rewrite (``method="incremental"`` raises ``PdfError``)."""
def pdf_stamp_signature(
    pdf: _Bytes,
    lines: List[str],
    *,
    placement: _Placement = "right",
    image_png: Optional[_Bytes] = None,
    method: _Method = "auto",
) -> bytes:
    """Draw a signature block (text lines, optionally a PNG above them) on the last page, on
    the ``placement`` side; ``PdfError`` if the file is not a usable PDF."""
def pdf_page_count(pdf: _Bytes) -> int:
    """The number of pages, or a ``PdfError`` saying why the file is not a usable PDF."""
def pdf_sample(pages: List[str]) -> bytes:
    """A small valid PDF with one page per text (tests, demos)."""
def pdf_to_winansi_lossy(text: str) -> str:
    """Replace characters outside WinAnsiEncoding so the text can be stamped."""
