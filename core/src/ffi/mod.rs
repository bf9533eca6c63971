//! The binding contract: what the Python, Node and Kotlin bindings hand to hosts, defined once.
//!
//! The bindings convert these types to their language and nothing else: no defaults, no
//! validation, no decision on a domain value. A rule a binding would need belongs here.
//!
//! So far:
//! - [`ErrorInfo`], the one error payload every language sees (the 13 stable codes of
//!   [`crate::ErrorKind`] plus [`INTERNAL`] for a panic caught at the boundary), and [`guard`],
//!   which runs a core call and turns its error, or its panic, into an [`ErrorInfo`];
//! - [`PortalOptions`] and [`open`], the one way to assemble a portal (store, blobs, mailer,
//!   clock, security and retry policy), with [`SecurityOptions`] and [`RetryOptions`] as signed,
//!   partial overrides every language can pass;
//! - the views hosts receive, flat and with signed integers: [`PageView`] with its cursor,
//!   [`AccountView`] without the password hash, [`DocumentView`] with its
//!   [`NotificationDecisionView`], the batch reports ([`PublishReportView`],
//!   [`BatchReportView`]), [`LockoutView`] and [`DownloadView`]; and [`page_request`], which
//!   reads a host's paging arguments;
//! - the rules of requests: [`identifier_choice`] (a given identifier wins),
//!   [`identifier_override`], [`read_document`] (a document from a file path),
//!   [`PublishInput`] (bytes or a path, and a publish's defaults), [`GenerateInput`] and
//!   [`InviteInput`] (an account's defaults) and [`FolderInput`] (a folder's defaults).

mod error;
mod options;
mod requests;
pub mod time;
mod views;

pub use error::{example_error, guard, panic_message, ErrorInfo, CODES, INTERNAL};
pub use options::{
    open, HostParts, Mailbox, OpenedPortal, PortalOptions, RetryOptions, SecurityOptions,
    SmtpOptions, DEFAULT_TENANT, HOST_MAILER_TIMEOUT_MS,
};
pub use requests::{
    identifier_choice, identifier_override, non_negative, read_document, small_count, FolderInput,
    GenerateInput, IdentifierSource, InviteInput, PublishInput,
};
pub use views::{
    page_request, signed, AccountView, BatchOutcomeKind, BatchReportView, BatchRowView, Decision,
    DocumentView, DownloadView, InvitationView, LockoutView, NotificationDecisionView, PageView,
    PublishOutcomeView, PublishReportView, SkipCause,
};
