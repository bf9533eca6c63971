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
    def send(self, message: "OutgoingMessage", /) -> object: ...

_Mailer = Union["MemoryMailer", "FileMailer", "SmtpMailer", _SendsMail]

@final
class SecurityPolicy:
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
    ) -> "SecurityPolicy": ...
    @staticmethod
    def fast_for_tests() -> "SecurityPolicy": ...
    @property
    def argon2_memory_kib(self) -> int: ...
    @property
    def argon2_iterations(self) -> int: ...
    @property
    def argon2_parallelism(self) -> int: ...
    @property
    def max_failed_logins(self) -> int: ...
    @property
    def lockout(self) -> datetime.timedelta: ...
    @property
    def reset_token_ttl(self) -> datetime.timedelta: ...
    @property
    def invitation_ttl(self) -> datetime.timedelta: ...
    @property
    def min_password_length(self) -> int: ...
    @property
    def generated_password_length(self) -> int: ...

@final
class RetryPolicy:
    def __new__(
        cls,
        *,
        max_attempts: Optional[int] = None,
        first_backoff: Optional[datetime.timedelta] = None,
        max_backoff: Optional[datetime.timedelta] = None,
    ) -> "RetryPolicy": ...
    @property
    def max_attempts(self) -> int: ...
    @property
    def first_backoff(self) -> datetime.timedelta: ...
    @property
    def max_backoff(self) -> datetime.timedelta: ...
    def backoff(self, failures: int) -> datetime.timedelta: ...

@final
class FixedClock:
    def __new__(cls, now: datetime.datetime) -> "FixedClock": ...
    def now(self) -> datetime.datetime: ...
    def set(self, now: datetime.datetime) -> None: ...
    def advance(self, by: datetime.timedelta) -> None: ...

@final
class OutgoingMessage:
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
    ) -> "OutgoingMessage": ...
    @property
    def message_id(self) -> str: ...
    @property
    def notification_id(self) -> str: ...
    @property
    def from_(self) -> str: ...
    @property
    def from_name(self) -> Optional[str]: ...
    @property
    def reply_to(self) -> Optional[str]: ...
    @property
    def to(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def body(self) -> str: ...
    @property
    def date(self) -> datetime.datetime: ...
    def as_bytes(self) -> bytes: ...

@final
class MemoryMailer:
    def __new__(cls) -> "MemoryMailer": ...
    def messages(self) -> List[OutgoingMessage]: ...
    def clear(self) -> None: ...
    def fail_next(self, *, transient: List[str] = ..., permanent: List[str] = ...) -> None: ...
    def __len__(self) -> int: ...

@final
class FileMailer:
    def __new__(cls, directory: _Path) -> "FileMailer": ...
    @property
    def directory(self) -> pathlib.Path: ...
    def path_of(self, notification_id: str) -> pathlib.Path: ...
    def read(self, notification_id: str) -> str: ...

@final
class SmtpMailer:
    @staticmethod
    def unencrypted(
        host: str, port: int, *, deadline: Optional[datetime.timedelta] = None
    ) -> "SmtpMailer":
        """Plain SMTP to ``host:port`` without TLS (a local relay or a test sink).

        ``deadline`` bounds each message's whole send (connection, every command, DATA);
        default 30 seconds, at least 10 ms. Past it the send is abandoned and reported
        transient (retried later; the stable Message-ID lets the receiver drop a duplicate).
        """

@final
class Parties:
    def upsert(self, party: Party) -> Party: ...
    def get(self, code: str, *, audience: _Audience = ...) -> Party: ...
    def find(self, code: str, *, audience: _Audience = ...) -> Optional[Party]: ...
    def list(
        self, *, audience: _Audience = ..., offset: int = 0, limit: Optional[int] = None
    ) -> Page[Party]: ...

@final
class Folders:
    def list(self, *, audience: _Audience = ...) -> List[Folder]: ...
    def get(self, reference: str, *, audience: _Audience = ...) -> Folder: ...
    def add(self, folder: Folder) -> Folder: ...
    def update(self, folder: Folder) -> Folder: ...
    def remove(self, reference: str, *, audience: _Audience = ...) -> None: ...

@final
class Templates:
    def get(self, purpose: _Purpose, *, audience: _Audience = ...) -> Template: ...
    def save(self, template: Template) -> Template: ...
    def fields(self, purpose: _Purpose) -> List[MergeField]: ...

@final
class Documents:
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
    ) -> Document: ...
    def publish_many(
        self, requests: Iterable[Publish], *, progress: Optional[_ProgressFn] = None
    ) -> PublishReport: ...
    def get(self, id: str) -> Document: ...
    def find_by_external_id(
        self, external_id: str, *, audience: _Audience = ...
    ) -> Optional[Document]: ...
    def list(
        self,
        party_code: str,
        *,
        audience: _Audience = ...,
        offset: int = 0,
        limit: Optional[int] = None,
    ) -> Page[Document]: ...
    def content(self, id: str) -> bytes: ...
    def set_payment(self, id: str, payment: _Payment) -> Document: ...
    def downloads(
        self, id: str, *, offset: int = 0, limit: Optional[int] = None
    ) -> Page[AccessEvent]: ...
    def signed_content(self, id: str) -> bytes: ...

@final
class Notifications:
    def get(self, id: str) -> Notification: ...
    def history(
        self,
        *,
        audience: Optional[_Audience] = None,
        party_code: Optional[str] = None,
        state: Optional[_State] = None,
        document_id: Optional[str] = None,
        from_: Optional[datetime.datetime] = None,
        to: Optional[datetime.datetime] = None,
        offset: int = 0,
        limit: Optional[int] = None,
    ) -> Page[Notification]: ...
    def cancel(self, id: str) -> Notification: ...
    def resend(self, id: str, *, force: bool = False) -> Notification: ...

@final
class Accounts:
    def generate(
        self,
        party_code: str,
        *,
        audience: _Audience = ...,
        identifier: Optional[str] = None,
        identifier_from: _IdentifierFrom = ...,
        password: Optional[str] = None,
        notify_by_email: bool = True,
        authorized: bool = True,
    ) -> Account: ...
    def generate_batch(
        self,
        party_codes: List[str],
        *,
        audience: _Audience = ...,
        identifier_from: _IdentifierFrom = ...,
        notify_by_email: bool = True,
        progress: Optional[_ProgressFn] = None,
    ) -> BatchReport: ...
    def get(self, id: str) -> Account: ...
    def find(self, identifier: str, *, audience: _Audience = ...) -> Optional[Account]: ...
    def lockout(self, identifier: str, *, audience: _Audience = ...) -> Lockout: ...
    def live_account_of(self, party_code: str, *, audience: _Audience = ...) -> Optional[Account]: ...
    def list(
        self,
        *,
        audience: Optional[_Audience] = None,
        party_code: Optional[str] = None,
        status: Optional[_Status] = None,
        needs_sync: Optional[bool] = None,
        offset: int = 0,
        limit: Optional[int] = None,
    ) -> Page[Account]: ...
    def draft_password(self, id: str) -> str: ...
    def regenerate_password(self, id: str) -> Account: ...
    def set_password(self, id: str, password: str) -> Account: ...
    def set_authorized(self, id: str, authorized: bool) -> Account: ...
    def set_notify_by_email(self, id: str, notify: bool) -> Account: ...
    def revoke(self, id: str) -> Account: ...
    def regenerate(self, id: str, *, notify_by_email: bool = True) -> Account: ...
    def invite(
        self,
        party_code: str,
        *,
        audience: _Audience = ...,
        identifier: Optional[str] = None,
        identifier_from: _IdentifierFrom = ...,
        send_now: bool = True,
    ) -> Account: ...
    def reinvite(self, id: str) -> Account: ...
    def invitation_status(self, id: str) -> Optional[InvitationStatus]: ...

@final
class PortalView:
    def folders(self) -> List[Folder]: ...
    def documents(
        self, *, folder: Optional[str] = None, offset: int = 0, limit: Optional[int] = None
    ) -> Page[Document]: ...
    def document(self, document_id: str) -> Document: ...
    def open(self, document_id: str) -> Download: ...
    def awaits_signature(self, document_id: str) -> bool: ...
    def sign(
        self,
        document_id: str,
        *,
        signer_name: str,
        ip_address: str,
        user_agent: str,
        image_png: Optional[_Bytes] = None,
    ) -> Document: ...

@final
class Portal:
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
        """A portal with the memory store.

        ``claim_lease`` is how long a dispatcher's claim on a notification lasts, on the
        store's clock (renewed while a send is in progress); 100 ms to 1 day, else
        :class:`InvalidInputError` with ``field == "claim_lease"``; default 5 minutes.
        """
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
        """A portal entirely in memory; ``claim_lease`` as for ``Portal(...)``."""
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
        """The embedded default in folder ``path``; ``claim_lease`` as for ``Portal(...)``."""
    @property
    def tenant(self) -> str: ...
    def now(self) -> datetime.datetime: ...
    def settings(self) -> Settings: ...
    def save_settings(self, settings: Settings) -> Settings: ...
    def parties(self) -> Parties: ...
    def folders(self) -> Folders: ...
    def templates(self) -> Templates: ...
    def documents(self) -> Documents: ...
    def notifications(self) -> Notifications: ...
    def accounts(self) -> Accounts: ...
    def dispatch(self, limit: int = 500) -> DispatchReport: ...
    def sync(self, *, progress: Optional[_ProgressFn] = None) -> SyncReport: ...
    def login(self, identifier: str, password: str, *, audience: _Audience = ...) -> Principal: ...
    def principal(self, account_id: str) -> Principal: ...
    def change_password(self, principal: Principal, current: str, new_password: str) -> None: ...
    def request_password_reset(self, identifier: str, *, audience: _Audience = ...) -> None: ...
    def reset_password(self, token: str, new_password: str, *, audience: _Audience = ...) -> None: ...
    def accept_invitation(
        self, token: str, password: str, *, audience: _Audience = ...
    ) -> Principal: ...
    def view(self, principal: Principal) -> PortalView: ...

def new_settings(
    company_name: str,
    domain: str,
    *,
    sender: Optional[str] = None,
    reply_to: Optional[str] = None,
    language: Optional[_Language] = None,
    time_zone: Optional[str] = None,
) -> Settings: ...
def new_audience_settings(portal_url: str) -> AudienceSettings: ...
def error_codes() -> List[str]: ...
def _raise_for_test(code: str) -> None: ...

_Method = Literal["auto", "incremental", "rewrite"]

def pdf_watermark(pdf: _Bytes, text: str, *, method: _Method = "auto") -> bytes: ...
def pdf_stamp_signature(
    pdf: _Bytes,
    lines: List[str],
    *,
    placement: _Placement = "right",
    image_png: Optional[_Bytes] = None,
    method: _Method = "auto",
) -> bytes: ...
def pdf_page_count(pdf: _Bytes) -> int: ...
def pdf_sample(pages: List[str]) -> bytes: ...
def pdf_to_winansi_lossy(text: str) -> str: ...
