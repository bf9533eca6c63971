//! # portail
//!
//! The client and employee document portal that business software (ERP, payroll, accounting,
//! field service) embeds: which folders are shared, who is e-mailed when a document lands and
//! with which link, the whole life of a portal account, and what an unpaid invoice looks like.
//! The host keeps its UI and web server; portail owns every rule and every state change.
//!
//! ## A tour: the worked example of the product guide (client "4")
//!
//! ```
//! use std::sync::Arc;
//! use portail::*;
//!
//! let mailer = Arc::new(MemoryMailer::new());
//! let portal = Portal::builder("ma-societe")
//!     .settings(Settings::new("MA SOCIETE", "masociete.fr").reply_to("contact@masociete.fr"))
//!     .mailer(mailer.clone())
//!     .build()?;
//!
//! // The host pushes its client record ("fiche client") with its billing address.
//! portal.parties().upsert(
//!     Party::client("4", "MOI MEME")
//!         .email(EmailRole::Main, "keylian.ace@gmail.com")
//!         .email(EmailRole::Billing, "keylian.ace@gmail.com")
//!         .consent(EInvoicingConsent::Accepted),
//! )?;
//!
//! // The invoice is closed: it lands in "Factures", which notifies the billing address.
//! let invoice = portal.documents().publish(
//!     Publish::client("4", "Factures", "FA-0002.pdf", b"%PDF-1.4 ...".to_vec())
//!         .kind(DocumentKind::Invoice),
//! )?;
//! assert!(matches!(invoice.notification, NotificationDecision::Queued { .. }));
//!
//! // "Synchroniser": the notification goes out.
//! let report = portal.sync()?;
//! assert_eq!(report.dispatch.sent, 1);
//! assert_eq!(mailer.messages()[0].to, "keylian.ace@gmail.com");
//!
//! // The billing address changes; a forced resend goes to the new one.
//! portal.parties().upsert(
//!     Party::client("4", "MOI MEME")
//!         .email(EmailRole::Billing, "compta@moimeme.fr")
//!         .consent(EInvoicingConsent::Accepted),
//! )?;
//! let history = portal.notifications().history(
//!     &NotificationFilter { party_code: Some("4".into()), ..Default::default() },
//!     PageRequest::first(),
//! )?;
//! portal.notifications().resend(&history.items[0].id, true)?;
//! portal.sync()?;
//! assert_eq!(mailer.messages()[1].to, "compta@moimeme.fr");
//! # Ok::<(), portail::Error>(())
//! ```
//!
//! ## Modules by concept
//!
//! | module | what |
//! |---|---|
//! | [`config`] | tenant settings, audiences, page size, unpaid policy |
//! | [`parties`] | client and employee records and their addresses |
//! | [`folders`] | folder trees and their portal flags |
//! | [`templates`] | notification templates and merge fields |
//! | [`documents`] | publishing and the notification decision |
//! | [`notifications`] | the outbox, its states, history, resend |
//! | [`accounts`] | portal logins and their life |
//! | [`access`] | logging in, password change and reset, invitations: `portal.access()` |
//! | [`view`], [`signing`] | what a logged-in principal sees, opens and signs |
//! | [`store`], [`blobs`], [`mail`], [`clock`] | the edges, each a trait with implementations |
//! | [`error`] | one error type with stable codes |
//!
//! ## Layers
//!
//! The crate is built in layers, each importing only the ones below it:
//!
//! 1. **records**: plain data and their pure rules (validation, decisions), with no store call;
//!    each concept module above re-exports its records.
//! 2. **edges**: the [`Store`], [`Blobs`], [`Mailer`] and [`Clock`] traits and their
//!    implementations.
//! 3. **operations by concept**: the code behind each sub-handle that reads, decides and
//!    commits ([`parties`], [`folders`], [`documents`], [`notifications`], [`accounts`],
//!    [`access`], [`signing`], [`view`], ...).
//! 4. **[`Portal`]** and its sub-handles on top.

#![warn(missing_docs)]

pub mod access;
pub mod accounts;
mod activation;
pub mod blobs;
pub mod clock;
pub mod config;
mod dispatch;
pub mod documents;
pub mod error;
pub mod ffi;

// The contract's uniffi scaffolding (feature `uniffi`), in its own namespace so its Kotlin
// package (`dev.portail.contract`) never collides with the binding crate's.
#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!("portail_contract");
pub mod folders;
pub mod identifiers;
pub mod mail;
pub mod notifications;
mod operations;
pub mod parties;
#[cfg(feature = "pdf")]
pub mod pdf;
mod portal;
mod records;
pub mod security;
pub mod signing;
pub mod store;
pub mod templates;
pub mod view;

pub use access::Access;
pub use accounts::{
    AccessEvent, Account, AccountStatus, Accounts, BatchOptions, BatchOutcome, BatchReport,
    BatchRow, Generate, IdentifierChoice, Invitation, InvitationStatus, Invite, Principal, Token,
    TokenPurpose,
};
pub use blobs::{Blobs, FsBlobs, MemoryBlobs};
pub use clock::{Clock, FixedClock, SystemClock};
pub use config::{Audience, AudienceSettings, Language, Settings, UnpaidPolicy};
pub use documents::{
    Document, DocumentKind, NotificationDecision, Page, PageRequest, PaymentStatus, Publish,
    PublishReport, SkipReason,
};
pub use error::{Error, ErrorKind, Result};
pub use folders::{Folder, LinkTarget, SignaturePlacement};
#[cfg(feature = "smtp")]
pub use mail::SmtpMailer;
pub use mail::{FileMailer, MailError, Mailer, MemoryMailer, OutgoingMessage};
pub use notifications::{
    Attempt, AttemptOutcome, Notification, NotificationFilter, NotificationState, QuarantineReason,
    RetryPolicy,
};
pub use parties::{EInvoicingConsent, EmailRole, Party};
pub use portal::{Portal, PortalBuilder};
pub use records::progress::{DispatchReport, Phase, Progress, SyncReport};
pub use security::SecurityPolicy;
pub use signing::{SignRequest, SignatureRecord};
#[cfg(feature = "sqlite")]
pub use store::SqliteStore;
pub use store::{AccountFilter, AttemptGate, AttemptState};
pub use store::{Change, MemoryStore, Store};
pub use templates::{MergeField, MergeValues, Template, TemplatePurpose};
pub use view::{Download, PortalView};
