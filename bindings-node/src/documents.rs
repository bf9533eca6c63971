//! Documents: publishing (one, or a batch with progress), lookups, contents, payment status,
//! download history.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::config::Audience;
use crate::error::{guard, ErrorInfo};
use crate::input::Arg;
use crate::parties::EmailRole;
use crate::portal::{progress_fn, ProgressCallback};
use crate::task::Job;
use crate::{Page, PageRequest};

/// What a document is.
#[napi(string_enum = "snake_case")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    /// On the portal only when e-invoicing consent is accepted.
    Invoice,
    Quote,
    Contract,
    Payslip,
    Other,
}

enum_conversions!(
    DocumentKind = portail::DocumentKind {
        Invoice,
        Quote,
        Contract,
        Payslip,
        Other
    }
);

/// Whether the document is paid ("dossier payé / impayé").
#[napi(string_enum = "snake_case")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentStatus {
    Paid,
    Unpaid,
}

enum_conversions!(PaymentStatus = portail::PaymentStatus { Paid, Unpaid });

/// Why no notification was queued.
#[napi(string_enum = "snake_case")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    FolderNotShared,
    EInvoicingNotAccepted,
    FolderDoesNotNotify,
    NotificationsDisabled,
    /// The party has no address for the folder's role (see `role`).
    NoAddress,
}

/// Whether publishing queued a notification.
#[napi(string_enum = "snake_case")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Queued,
    Skipped,
}

/// What publishing decided about notifying.
#[napi(object)]
pub struct NotificationDecision {
    pub decision: Decision,
    /// When queued: the notification.
    pub notification_id: Option<String>,
    /// When skipped: why.
    pub reason: Option<SkipReason>,
    /// When skipped for `no_address`: the missing role.
    pub role: Option<EmailRole>,
}

/// A document on a party's folder.
#[napi(object)]
pub struct Document {
    pub id: String,
    pub audience: Audience,
    pub party_code: String,
    pub folder_id: String,
    /// File name shown on the portal (`#document#`).
    pub name: String,
    pub kind: DocumentKind,
    pub payment: PaymentStatus,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    pub size: i64,
    pub content_type: String,
    /// The host's own id: publishing is idempotent on it.
    pub external_id: Option<String>,
    pub published_at: DateTime<Utc>,
    pub notification: NotificationDecision,
    /// Download count and first/last time.
    pub downloads: i64,
    pub first_download_at: Option<DateTime<Utc>>,
    pub last_download_at: Option<DateTime<Utc>>,
    /// The portal signature and its audit trail, once signed.
    pub signature: Option<crate::signing::SignatureRecord>,
    pub version: i64,
}

impl From<portail::Document> for Document {
    fn from(d: portail::Document) -> Self {
        let notification = match d.notification {
            portail::NotificationDecision::Queued { notification_id } => NotificationDecision {
                decision: Decision::Queued,
                notification_id: Some(notification_id),
                reason: None,
                role: None,
            },
            portail::NotificationDecision::Skipped { reason } => {
                let (reason, role) = match reason {
                    portail::SkipReason::FolderNotShared => (SkipReason::FolderNotShared, None),
                    portail::SkipReason::EInvoicingNotAccepted => {
                        (SkipReason::EInvoicingNotAccepted, None)
                    }
                    portail::SkipReason::FolderDoesNotNotify => {
                        (SkipReason::FolderDoesNotNotify, None)
                    }
                    portail::SkipReason::NotificationsDisabled => {
                        (SkipReason::NotificationsDisabled, None)
                    }
                    portail::SkipReason::NoAddress(r) => (SkipReason::NoAddress, Some(r.into())),
                };
                NotificationDecision {
                    decision: Decision::Skipped,
                    notification_id: None,
                    reason: Some(reason),
                    role,
                }
            }
        };
        Document {
            audience: d.audience.into(),
            kind: d.kind.into(),
            payment: d.payment.into(),
            size: d.size as i64,
            downloads: d.downloads as i64,
            version: d.version as i64,
            notification,
            id: d.id,
            party_code: d.party_code,
            folder_id: d.folder_id,
            name: d.name,
            sha256: d.sha256,
            content_type: d.content_type,
            external_id: d.external_id,
            published_at: d.published_at,
            first_download_at: d.first_download_at,
            last_download_at: d.last_download_at,
            signature: d.signature.map(Into::into),
        }
    }
}

/// A request to publish a document: `content` (a `Buffer` or `Uint8Array`) or `path` (a file
/// read off the main thread).
#[napi(object)]
pub struct PublishOptions {
    pub audience: Audience,
    pub party_code: String,
    /// Folder path, or label when unique (e.g. `Factures`).
    pub folder: String,
    /// File name shown on the portal (default: the file name of `path`).
    pub name: Option<String>,
    pub content: Option<Uint8Array>,
    pub path: Option<String>,
    /// Default `other`.
    pub kind: Option<DocumentKind>,
    /// Default `paid`.
    pub payment: Option<PaymentStatus>,
    /// The host's id, making the publish idempotent.
    pub external_id: Option<String>,
    /// Override of the content type guessed from the name.
    pub content_type: Option<String>,
}

object_input!(PublishOptions {
    audience,
    partyCode,
    folder,
    name,
    content,
    path,
    kind,
    payment,
    externalId,
    contentType,
});

/// A publish request whose bytes are copied, or whose file is read later, off the main thread
/// (by the contract's `portail::ffi::read_document`).
pub(crate) struct PendingPublish {
    options: PublishOptions,
    content: Option<Vec<u8>>,
}

impl PendingPublish {
    pub(crate) fn new(mut options: PublishOptions) -> portail::Result<Self> {
        let content = options.content.take().map(|c| c.to_vec());
        Ok(PendingPublish { options, content })
    }

    /// The request with its bytes (reads the file; call off the main thread).
    pub(crate) fn load(self) -> portail::Result<portail::Publish> {
        let o = self.options;
        let (content, name) = match (self.content, o.path) {
            (Some(_), Some(_)) => {
                return Err(crate::error::invalid(
                    "content",
                    "give content or path, not both",
                ))
            }
            (Some(bytes), None) => (bytes, o.name.unwrap_or_default()),
            (None, Some(path)) => portail::ffi::read_document(path.as_ref(), o.name)?,
            (None, None) => return Err(crate::error::invalid("content", "give content or path")),
        };
        let mut publish =
            portail::Publish::new(o.audience.into(), o.party_code, o.folder, name, content)
                .kind(o.kind.unwrap_or(DocumentKind::Other).into())
                .payment(o.payment.unwrap_or(PaymentStatus::Paid).into());
        publish.external_id = o.external_id;
        publish.content_type = o.content_type;
        Ok(publish)
    }
}

/// One input's outcome in a batch: its document, or its error.
#[napi(object)]
pub struct PublishOutcome {
    pub document: Option<Document>,
    pub error: Option<ErrorInfo>,
}

/// What `publishMany` did, input by input (same order).
#[napi(object)]
pub struct PublishReport {
    pub published: i64,
    pub already_published: i64,
    pub notifications_queued: i64,
    pub outcomes: Vec<PublishOutcome>,
}

impl From<portail::PublishReport> for PublishReport {
    fn from(r: portail::PublishReport) -> Self {
        PublishReport {
            published: r.published as i64,
            already_published: r.already_published as i64,
            notifications_queued: r.notifications_queued as i64,
            outcomes: r
                .outcomes
                .into_iter()
                .map(|o| match o {
                    Ok(d) => PublishOutcome {
                        document: Some(d.into()),
                        error: None,
                    },
                    Err(e) => PublishOutcome {
                        document: None,
                        error: Some((&e).into()),
                    },
                })
                .collect(),
        }
    }
}

/// One download of a document from the portal ("historique d'accès").
#[napi(object)]
pub struct AccessEvent {
    pub id: String,
    pub audience: Audience,
    pub party_code: String,
    pub document_id: String,
    pub account_id: String,
    pub at: DateTime<Utc>,
}

impl From<portail::AccessEvent> for AccessEvent {
    fn from(e: portail::AccessEvent) -> Self {
        AccessEvent {
            id: e.id,
            audience: e.audience.into(),
            party_code: e.party_code,
            document_id: e.document_id,
            account_id: e.account_id,
            at: e.at,
        }
    }
}

/// Bytes that become a `Buffer` on the JS thread.
pub struct Bytes(pub Vec<u8>);

impl From<Bytes> for Buffer {
    fn from(b: Bytes) -> Self {
        Buffer::from(b.0)
    }
}

/// Documents ("GED"): `portal.documents()`.
#[napi]
pub struct Documents {
    pub(crate) portal: Arc<portail::Portal>,
}

#[napi]
impl Documents {
    /// Publish a document into a party's folder ("mise à disposition"); its notification, if
    /// any, is queued in the same commit. Runs off the main thread.
    #[napi(ts_return_type = "Promise<Document>")]
    pub fn publish(
        &self,
        #[napi(ts_arg_type = "PublishOptions")] options: Arg<PublishOptions>,
    ) -> AsyncTask<Job<Document>> {
        let pending = options.get("options").and_then(PendingPublish::new);
        let portal = self.portal.clone();
        Job::spawn_with(pending, move |pending| {
            let publish = pending.load()?;
            portal.documents().publish(publish).map(Into::into)
        })
    }

    /// Publish many documents (a payroll run) in large commits, off the main thread; bad
    /// inputs are reported one by one. `onProgress` receives `{ phase: 'publishing', done, total }`.
    #[napi(ts_return_type = "Promise<PublishReport>")]
    pub fn publish_many(
        &self,
        #[napi(ts_arg_type = "Array<PublishOptions>")] items: Arg<Vec<PublishOptions>>,
        #[napi(ts_arg_type = "((progress: Progress) => void) | undefined | null")]
        on_progress: Option<Arg<ProgressCallback>>,
    ) -> AsyncTask<Job<PublishReport>> {
        let args = (|| {
            let pending = items
                .get("items")?
                .into_iter()
                .map(PendingPublish::new)
                .collect::<portail::Result<Vec<_>>>()?;
            Ok((pending, progress_fn(on_progress)?))
        })();
        let portal = self.portal.clone();
        Job::spawn_with(args, move |(pending, progress)| {
            let commands = pending
                .into_iter()
                .map(PendingPublish::load)
                .collect::<portail::Result<Vec<_>>>()?;
            let report = portal
                .documents()
                .publish_many(commands, &|p| progress.report(p));
            progress.flush();
            report.map(Into::into)
        })
    }

    /// A document by id.
    #[napi]
    pub fn get(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "string")] id: Arg<String>,
    ) -> Result<Document> {
        guard(env, || {
            let id = id.get("id")?;
            self.portal.documents().get(&id).map(Into::into)
        })
    }

    /// A document by the host's external id, or `null`.
    #[napi]
    pub fn find_by_external_id(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "Audience")] audience: Arg<Audience>,
        #[napi(ts_arg_type = "string")] external_id: Arg<String>,
    ) -> Result<Option<Document>> {
        guard(env, || {
            let (audience, external_id) = args!(audience, external_id)?;
            Ok(self
                .portal
                .documents()
                .find_by_external_id(audience.into(), &external_id)?
                .map(Into::into))
        })
    }

    /// Every document of a party (back office: shared or not), newest first.
    #[napi(ts_return_type = "Page<Document>")]
    pub fn list(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "Audience")] audience: Arg<Audience>,
        #[napi(ts_arg_type = "string")] party_code: Arg<String>,
        #[napi(ts_arg_type = "PageRequest | undefined | null")] page: Option<Arg<PageRequest>>,
    ) -> Result<Page<Document>> {
        guard(env, || {
            let (audience, party_code, page) = args!(audience, party_code, page)?;
            self.portal
                .documents()
                .list(audience.into(), &party_code, PageRequest::read(page)?)
                .map(Page::of)
        })
    }

    /// The content of a document (back office), read off the main thread.
    #[napi(ts_return_type = "Promise<Buffer>")]
    pub fn content(
        &self,
        #[napi(ts_arg_type = "string")] id: Arg<String>,
    ) -> AsyncTask<Job<Bytes, Buffer>> {
        let portal = self.portal.clone();
        Job::spawn_with(id.get("id"), move |id| {
            portal.documents().content(&id).map(Bytes)
        })
    }

    /// Mark a document paid or unpaid.
    #[napi]
    pub fn set_payment(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "string")] id: Arg<String>,
        #[napi(ts_arg_type = "PaymentStatus")] payment: Arg<PaymentStatus>,
    ) -> Result<Document> {
        guard(env, || {
            let (id, payment) = args!(id, payment)?;
            self.portal
                .documents()
                .set_payment(&id, payment.into())
                .map(Into::into)
        })
    }

    /// The download history of a document ("historique d'accès"), newest first.
    #[napi(ts_return_type = "Page<AccessEvent>")]
    pub fn downloads(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "string")] id: Arg<String>,
        #[napi(ts_arg_type = "PageRequest | undefined | null")] page: Option<Arg<PageRequest>>,
    ) -> Result<Page<AccessEvent>> {
        guard(env, || {
            let (id, page) = args!(id, page)?;
            self.portal
                .documents()
                .downloads(&id, PageRequest::read(page)?)
                .map(Page::of)
        })
    }
}
