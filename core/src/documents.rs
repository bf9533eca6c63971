//! Documents published into a party's folder, and the publish decision: is it visible on the
//! portal, and is a notification queued (and if not, why not).

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::config::{Audience, Settings};
use crate::error::{Error, Result};
use crate::folders::Folder;
use crate::notifications::Notification;
use crate::parties::{EInvoicingConsent, EmailRole, Party};
use crate::templates::{CompiledTemplate, MergeValues, TemplatePurpose};

/// What a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// An invoice: on the portal only when e-invoicing consent is Accepted.
    Invoice,
    Quote,
    Contract,
    Payslip,
    #[default]
    Other,
}

impl DocumentKind {
    /// Stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Invoice => "invoice",
            DocumentKind::Quote => "quote",
            DocumentKind::Contract => "contract",
            DocumentKind::Payslip => "payslip",
            DocumentKind::Other => "other",
        }
    }
}

/// Whether the document is paid ("dossier payé / impayé", seed 003).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// Nothing owed.
    #[default]
    Paid,
    /// Owed: the tenant's unpaid policy applies to the party.
    Unpaid,
}

/// Why no notification was queued for a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "reason", content = "role")]
pub enum SkipReason {
    /// The folder is not shared ("Portail" unticked): the document is not on the portal.
    FolderNotShared,
    /// An invoice of a party whose e-invoicing consent is not Accepted.
    EInvoicingNotAccepted,
    /// The folder's "Notification" is unticked.
    FolderDoesNotNotify,
    /// "Désactiver les notifications" is ticked for the audience.
    NotificationsDisabled,
    /// The party has no address for the folder's "Notifier sur" role.
    NoAddress(EmailRole),
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::FolderNotShared => f.write_str("folder not shared on the portal"),
            SkipReason::EInvoicingNotAccepted => f.write_str("e-invoicing consent not accepted"),
            SkipReason::FolderDoesNotNotify => f.write_str("folder does not notify"),
            SkipReason::NotificationsDisabled => {
                f.write_str("notifications disabled for the audience")
            }
            SkipReason::NoAddress(role) => write!(f, "no {} address", role.as_str()),
        }
    }
}

/// What publishing decided about notifying.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "decision")]
pub enum NotificationDecision {
    /// A notification was written in the same commit.
    Queued { notification_id: String },
    /// None was; here is why.
    Skipped { reason: SkipReason },
}

/// A document on a party's folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub id: String,
    pub audience: Audience,
    pub party_code: String,
    pub folder_id: String,
    /// File name shown on the portal (`#document#`).
    pub name: String,
    pub kind: DocumentKind,
    pub payment: PaymentStatus,
    /// SHA-256 of the content, hex; the blob key.
    pub sha256: String,
    pub size: u64,
    pub content_type: String,
    /// The host's own id (e.g. the payroll's payslip number): publishing is idempotent on it.
    pub external_id: Option<String>,
    pub published_at: DateTime<Utc>,
    pub notification: NotificationDecision,
    /// Download count and first/last time (seed 003 "nombre de téléchargement").
    #[serde(default)]
    pub downloads: u64,
    #[serde(default)]
    pub first_download_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub last_download_at: Option<DateTime<Utc>>,
    /// The portal signature and its audit trail, once signed (the signed file is a blob of its own).
    #[serde(default)]
    pub signature: Option<crate::signing::SignatureRecord>,
    /// Optimistic version (0 = never stored).
    #[serde(default)]
    pub version: u64,
}

/// A request to publish a document.
///
/// ```
/// use portail::{Publish, DocumentKind, PaymentStatus};
/// let p = Publish::client("4", "Factures", "FA-0002.pdf", b"%PDF-1.4 ...".to_vec())
///     .kind(DocumentKind::Invoice)
///     .payment(PaymentStatus::Unpaid)
///     .external_id("FA-0002");
/// assert_eq!(p.folder, "Factures");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publish {
    pub audience: Audience,
    pub party_code: String,
    /// Folder path, or label when unique.
    pub folder: String,
    pub name: String,
    pub content: Vec<u8>,
    pub kind: DocumentKind,
    pub payment: PaymentStatus,
    pub external_id: Option<String>,
    /// Override of the content type guessed from the name.
    pub content_type: Option<String>,
}

impl Publish {
    /// Publish `content` as `name` into `folder` of party `party_code` of `audience`.
    pub fn new(
        audience: Audience,
        party_code: impl Into<String>,
        folder: impl Into<String>,
        name: impl Into<String>,
        content: Vec<u8>,
    ) -> Self {
        Publish {
            audience,
            party_code: party_code.into(),
            folder: folder.into(),
            name: name.into(),
            content,
            kind: DocumentKind::Other,
            payment: PaymentStatus::Paid,
            external_id: None,
            content_type: None,
        }
    }

    /// Publish to a client.
    pub fn client(
        party_code: impl Into<String>,
        folder: impl Into<String>,
        name: impl Into<String>,
        content: Vec<u8>,
    ) -> Self {
        Publish::new(Audience::Client, party_code, folder, name, content)
    }

    /// Publish to an employee.
    pub fn employee(
        party_code: impl Into<String>,
        folder: impl Into<String>,
        name: impl Into<String>,
        content: Vec<u8>,
    ) -> Self {
        Publish::new(Audience::Employee, party_code, folder, name, content)
    }

    /// Set the kind.
    pub fn kind(mut self, kind: DocumentKind) -> Self {
        self.kind = kind;
        self
    }

    /// Set the payment status.
    pub fn payment(mut self, payment: PaymentStatus) -> Self {
        self.payment = payment;
        self
    }

    /// Set the host's id, making the publish idempotent.
    pub fn external_id(mut self, id: impl Into<String>) -> Self {
        self.external_id = Some(id.into());
        self
    }

    /// Set the content type.
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// Check the request's own fields.
    pub fn validate(&self) -> Result<()> {
        crate::parties::validate_code(&self.party_code)?;
        validate_file_name(&self.name)?;
        crate::ensure_input!(!self.content.is_empty(), "content", "is empty");
        if let Some(id) = &self.external_id {
            crate::ensure_input!(
                !id.is_empty()
                    && id.chars().count() <= EXTERNAL_ID_MAX
                    && !id.chars().any(char::is_control),
                "external_id",
                "must be 1..={EXTERNAL_ID_MAX} characters without control characters"
            );
        }
        if let Some(ct) = &self.content_type {
            crate::ensure_input!(
                ct.chars().count() <= CONTENT_TYPE_MAX,
                "content_type",
                "longer than {CONTENT_TYPE_MAX} characters"
            );
            crate::ensure_input!(
                ct.contains('/') && !ct.chars().any(|c| c.is_whitespace() || c.is_control()),
                "content_type",
                "{ct:?} is not a media type"
            );
        }
        check_content(&self.effective_content_type(), &self.content)
    }

    /// The declared type: the override, or the one guessed from the name.
    pub fn effective_content_type(&self) -> String {
        self.content_type
            .clone()
            .unwrap_or_else(|| content_type_for(&self.name).to_string())
    }
}

/// Longest document file name, in characters.
pub const NAME_MAX: usize = 255;
/// Longest external id (the host's own id), in characters.
pub const EXTERNAL_ID_MAX: usize = 200;
/// Longest declared content type, in characters (RFC 6838: 127 + `/` + 127).
pub const CONTENT_TYPE_MAX: usize = 255;

/// A file name: 1..=[`NAME_MAX`] characters, no path separator, no control character.
pub(crate) fn validate_file_name(name: &str) -> Result<()> {
    crate::ensure_input!(
        !name.trim().is_empty() && name.chars().count() <= NAME_MAX,
        "name",
        "must be 1..={NAME_MAX} characters"
    );
    crate::ensure_input!(
        !name
            .chars()
            .any(|c| c.is_control() || c == '/' || c == '\\')
            && name != "."
            && name != "..",
        "name",
        "{name:?} must not contain slashes or control characters"
    );
    Ok(())
}

/// The media type guessed from a file name's extension.
pub fn content_type_for(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "txt" => "text/plain",
        "csv" => "text/csv",
        "xml" => "application/xml",
        "html" | "htm" => "text/html",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "odt" => "application/vnd.oasis.opendocument.text",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// Check that `content` is what `content_type` declares, for the types whose files start with a
/// known signature ("magic number"): PDF (`%PDF-` within the first 1024 bytes, as readers
/// accept), PNG, JPEG, ZIP and the Office Open XML / OpenDocument files built on it, and the
/// legacy Word and Excel files (OLE2). Other types (text, CSV, XML, HTML, anything unknown) are
/// not checked. Parameters (`; charset=…`) and case are ignored. A mismatch is `invalid_input`
/// on `content`: bytes that are not a PDF must not reach the portal, and a notification, as one.
///
/// ```
/// use portail::documents::check_content;
/// assert!(check_content("application/pdf", b"%PDF-1.7\n...").is_ok());
/// assert_eq!(check_content("application/pdf", b"<html>").unwrap_err().field(), Some("content"));
/// assert!(check_content("text/plain", b"anything").is_ok());
/// ```
pub fn check_content(content_type: &str, content: &[u8]) -> Result<()> {
    const ZIP: &[&[u8]] = &[b"PK\x03\x04", b"PK\x05\x06"];
    const OLE2: &[&[u8]] = &[b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"];
    let media = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let (what, ok) = match media.as_str() {
        "application/pdf" => {
            let head = &content[..content.len().min(1024)];
            ("a PDF", head.windows(5).any(|w| w == b"%PDF-"))
        }
        "image/png" => ("a PNG image", content.starts_with(b"\x89PNG\r\n\x1a\n")),
        "image/jpeg" => ("a JPEG image", content.starts_with(b"\xFF\xD8\xFF")),
        "application/zip"
        | "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        | "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        | "application/vnd.oasis.opendocument.text" => (
            "a ZIP-based file",
            ZIP.iter().any(|m| content.starts_with(m)),
        ),
        "application/msword" | "application/vnd.ms-excel" => (
            "an OLE2 (legacy Office) file",
            OLE2.iter().any(|m| content.starts_with(m)),
        ),
        _ => return Ok(()),
    };
    crate::ensure_input!(
        ok,
        "content",
        "declared {media} but the bytes are not {what} (wrong signature)"
    );
    Ok(())
}

/// Whether a document of `kind` in `folder` is visible on `party`'s portal.
pub fn is_visible(folder: &Folder, party: &Party, kind: DocumentKind) -> bool {
    folder.shared
        && (kind != DocumentKind::Invoice || party.einvoicing == EInvoicingConsent::Accepted)
}

/// Everything the publish decision needs, already read from the store.
pub(crate) struct PublishContext<'a> {
    pub settings: &'a Settings,
    pub party: &'a Party,
    pub folder: &'a Folder,
    pub template: &'a CompiledTemplate,
    pub template_version: u64,
    pub date: &'a str,
}

/// Decide the document and its notification (the pure part of publishing).
pub(crate) fn decide_publish(
    ctx: &PublishContext<'_>,
    cmd: &Publish,
    sha256: String,
    document_id: String,
    notification_id: String,
    now: DateTime<Utc>,
) -> (Document, Option<Notification>) {
    let reason = if !ctx.folder.shared {
        Some(SkipReason::FolderNotShared)
    } else if cmd.kind == DocumentKind::Invoice
        && ctx.party.einvoicing != EInvoicingConsent::Accepted
    {
        Some(SkipReason::EInvoicingNotAccepted)
    } else if !ctx.folder.notify {
        Some(SkipReason::FolderDoesNotNotify)
    } else if !ctx.settings.audience(cmd.audience).notifications_enabled {
        Some(SkipReason::NotificationsDisabled)
    } else if ctx.party.address(ctx.folder.notify_on).is_none() {
        Some(SkipReason::NoAddress(ctx.folder.notify_on))
    } else {
        None
    };
    let (notification, decision) = match reason {
        Some(reason) => (None, NotificationDecision::Skipped { reason }),
        None => {
            let n = document_notification(
                ctx,
                &document_id,
                &cmd.name,
                notification_id,
                now,
                false,
                None,
            );
            let decision = NotificationDecision::Queued {
                notification_id: n.id.clone(),
            };
            (Some(n), decision)
        }
    };
    let document = Document {
        id: document_id,
        audience: cmd.audience,
        party_code: cmd.party_code.clone(),
        folder_id: ctx.folder.id.clone(),
        name: cmd.name.clone(),
        kind: cmd.kind,
        payment: cmd.payment,
        sha256,
        size: cmd.content.len() as u64,
        content_type: cmd.effective_content_type(),
        external_id: cmd.external_id.clone(),
        published_at: now,
        notification: decision,
        downloads: 0,
        first_download_at: None,
        last_download_at: None,
        signature: None,
        version: 0,
    };
    (document, notification)
}

/// Render a document notification to the party's current address of the folder's role.
pub(crate) fn document_notification(
    ctx: &PublishContext<'_>,
    document_id: &str,
    document_name: &str,
    notification_id: String,
    now: DateTime<Utc>,
    forced: bool,
    resend_of: Option<String>,
) -> Notification {
    let audience = ctx.party.audience;
    let link = ctx
        .folder
        .link
        .link(ctx.settings.audience(audience).base_url(), document_id);
    let values = MergeValues {
        document: Some(document_name),
        link: Some(&link),
        company: Some(&ctx.settings.company_name),
        domain: Some(&ctx.settings.domain),
        name: Some(&ctx.party.name),
        identifier: None,
        date: Some(ctx.date),
        password: None,
    };
    Notification {
        document_id: Some(document_id.to_string()),
        role: Some(ctx.folder.notify_on),
        link: Some(link.clone()),
        forced,
        resend_of,
        ..Notification::pending(
            notification_id,
            TemplatePurpose::DocumentAvailable,
            audience,
            ctx.party.code.clone(),
            ctx.party
                .address(ctx.folder.notify_on)
                .unwrap_or_default()
                .to_string(),
            (ctx.template, ctx.template_version),
            &values,
            now,
        )
    }
}

/// The content `sha256` (the original or the signed version) of `document`. The document row
/// promises it: a missing or damaged blob is a `storage` error naming the document, never
/// `not_found` (which would say the document does not exist).
pub(crate) fn stored_content(
    blobs: &dyn crate::blobs::Blobs,
    document: &Document,
    sha256: &str,
) -> Result<Vec<u8>> {
    blobs.get(sha256).map_err(|e| match e {
        Error::NotFound { .. } => Error::storage(format!(
            "content of document {:?} ({}) is missing: blob {sha256}",
            document.name, document.id
        )),
        Error::Storage { reason } => Error::storage(format!(
            "content of document {:?} ({}): {reason}",
            document.name, document.id
        )),
        other => other,
    })
}

/// A page of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Total matching rows.
    pub total: u64,
    pub offset: u64,
    pub limit: u32,
}

impl<T> Page<T> {
    /// Whether more rows follow this page.
    pub fn has_more(&self) -> bool {
        self.offset + (self.items.len() as u64) < self.total
    }

    /// The request for the next page.
    pub fn next(&self) -> PageRequest {
        PageRequest {
            offset: self.offset + self.items.len() as u64,
            limit: Some(self.limit),
        }
    }
}

/// Which page to read. `limit: None` uses the audience's page size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PageRequest {
    pub offset: u64,
    pub limit: Option<u32>,
}

impl PageRequest {
    /// The first page at the configured size.
    pub fn first() -> Self {
        PageRequest::default()
    }

    /// The page at `offset` of `limit` rows.
    pub fn new(offset: u64, limit: u32) -> Self {
        PageRequest {
            offset,
            limit: Some(limit),
        }
    }

    pub(crate) fn resolve(self, default_size: u32) -> Result<(u64, u32)> {
        let limit = self.limit.unwrap_or(default_size);
        if !(1..=crate::config::PAGE_SIZE_MAX * 10).contains(&limit) {
            return Err(Error::invalid(
                "limit",
                format!("{limit} is outside 1..=3500"),
            ));
        }
        Ok((self.offset, limit))
    }
}

/// The documents of a portal: `portal.documents()`.
#[derive(Debug, Clone, Copy)]
pub struct Documents<'a> {
    pub(crate) portal: &'a crate::Portal,
}

impl crate::Portal {
    /// Documents ("GED"): publish, look up, mark paid.
    pub fn documents(&self) -> Documents<'_> {
        Documents { portal: self }
    }
}

/// What a batch publish did, document by document (same order as the input).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PublishReport {
    /// Newly published documents.
    pub published: u64,
    /// Documents already published under the same external id (left as they were).
    pub already_published: u64,
    /// Notifications queued.
    pub notifications_queued: u64,
    /// One outcome per input: the document, or the error for that input.
    pub outcomes: Vec<std::result::Result<Document, Error>>,
}

/// Settings, folders and templates read once for a batch of publishes.
struct PublishCache {
    settings: Settings,
    folders: std::collections::HashMap<Audience, Vec<Folder>>,
    templates: std::collections::HashMap<Audience, (CompiledTemplate, u64)>,
    parties: std::collections::HashMap<(Audience, String), Party>,
    date: String,
}

impl PublishCache {
    fn new(portal: &crate::Portal, now: DateTime<Utc>) -> Result<Self> {
        let settings = portal.settings()?;
        let date = portal.format_date(&settings, now)?;
        Ok(PublishCache {
            settings,
            folders: Default::default(),
            templates: Default::default(),
            parties: Default::default(),
            date,
        })
    }

    fn prepare(
        &mut self,
        portal: &crate::Portal,
        cmd: &Publish,
        now: DateTime<Utc>,
        stored: Option<String>,
    ) -> Result<(Document, Option<Notification>)> {
        cmd.validate()?;
        let key = (cmd.audience, cmd.party_code.clone());
        if !self.parties.contains_key(&key) {
            let party = portal
                .store
                .party(&portal.tenant, cmd.audience, &cmd.party_code)?
                .ok_or_else(|| Error::not_found("party", &cmd.party_code))?;
            self.parties.insert(key.clone(), party);
        }
        if let std::collections::hash_map::Entry::Vacant(e) = self.folders.entry(cmd.audience) {
            e.insert(portal.folder_list(cmd.audience)?);
        }
        if !self.templates.contains_key(&cmd.audience) {
            let t = portal.compiled_template(
                &self.settings,
                cmd.audience,
                TemplatePurpose::DocumentAvailable,
            )?;
            self.templates.insert(cmd.audience, t);
        }
        let folder = crate::folders::resolve(&self.folders[&cmd.audience], &cmd.folder)?;
        let (template, template_version) = &self.templates[&cmd.audience];
        let sha256 = match stored {
            Some(key) => key,
            None => portal.blobs.put(&cmd.content)?,
        };
        let ctx = PublishContext {
            settings: &self.settings,
            party: &self.parties[&key],
            folder,
            template,
            template_version: *template_version,
            date: &self.date,
        };
        Ok(decide_publish(
            &ctx,
            cmd,
            sha256,
            ordered_id(),
            ordered_id(),
            now,
        ))
    }
}

/// A new id like [`crate::portal::new_id`] (32 lowercase hex digits) that sorts by creation:
/// 48 bits of milliseconds, a 16-bit per-process counter, 64 random bits. Documents published
/// at the same instant then list newest first, and a bulk publish appends to the id indexes
/// instead of touching every page of them.
fn ordered_id() -> String {
    use rand::RngCore;
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default();
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!(
        "{:012x}{:04x}{:016x}",
        millis & 0xffff_ffff_ffff,
        n & 0xffff,
        rand::thread_rng().next_u64()
    )
}

/// Documents per commit in [`Documents::publish_many`]. Fewer, larger commits write each hot
/// index page fewer times (measured in docs/bench-store.md); a crash redoes at most one chunk.
const PUBLISH_BATCH: usize = 10_000;

impl Documents<'_> {
    /// Publish a document into a party's folder ("mise à disposition").
    ///
    /// The content goes to the blobs; the document and, when the folder notifies, the party has
    /// the address and the audience's switch is on, its Pending notification are written in one
    /// commit. Otherwise the document records why no notification was queued. With an external
    /// id, publishing again returns the first document unchanged.
    pub fn publish(&self, cmd: Publish) -> Result<Document> {
        let p = self.portal;
        if let Some(existing) = self.existing(&cmd)? {
            return Ok(existing);
        }
        let now = p.clock.now();
        let mut cache = PublishCache::new(p, now)?;
        let (document, notification) = cache.prepare(p, &cmd, now, None)?;
        let mut changes = vec![crate::store::Change::Document(document.clone())];
        changes.extend(notification.map(crate::store::Change::Notification));
        match p.store.commit(&p.tenant, &changes) {
            Ok(()) => Ok(Document {
                version: 1,
                ..document
            }),
            Err(Error::Conflict { .. }) if cmd.external_id.is_some() => {
                // Published concurrently under the same external id: return that one.
                self.existing(&cmd)?
                    .ok_or_else(|| Error::conflict(format!("document {}", cmd.name)))
            }
            Err(e) => Err(e),
        }
    }

    fn existing(&self, cmd: &Publish) -> Result<Option<Document>> {
        let p = self.portal;
        match &cmd.external_id {
            Some(ext) => p
                .store
                .document_by_external_id(&p.tenant, cmd.audience, ext),
            None => Ok(None),
        }
    }

    /// Publish many documents (a payroll run), committing them in large transactions rather
    /// than one per document. Every guarantee of [`Documents::publish`] holds for each one: a
    /// document and its notification share a commit; inputs already published under their
    /// external id are skipped, so an interrupted run can simply be run again. Bad inputs are
    /// reported one by one and do not stop the others.
    ///
    /// Each chunk is committed optimistically without looking its external ids up first (a
    /// fresh run reads nothing per document); when the store refuses the chunk because an
    /// external id exists already (a resumed run, or a concurrent publisher), the chunk's
    /// external ids are looked up and only the new documents are committed.
    pub fn publish_many(
        &self,
        commands: Vec<Publish>,
        progress: &dyn Fn(crate::Progress),
    ) -> Result<PublishReport> {
        let p = self.portal;
        let total = commands.len() as u64;
        let now = p.clock.now();
        let mut cache = PublishCache::new(p, now)?;
        let mut outcomes: Vec<Option<std::result::Result<Document, Error>>> =
            Vec::with_capacity(commands.len());
        let mut report = PublishReport::default();
        let mut done = 0u64;
        let mut seen_external = std::collections::HashSet::new();
        for chunk in commands.chunks(PUBLISH_BATCH) {
            let base = outcomes.len();
            // Prepared documents with their input index, and the commit's changes.
            let mut prepared: Vec<(usize, Document, Option<Notification>)> =
                Vec::with_capacity(chunk.len());
            // The chunk's contents first, durable in one batch (one file-system sync for
            // FsBlobs instead of one per document), before any row points at them.
            let valid: Vec<usize> = (0..chunk.len())
                .filter(|i| chunk[*i].validate().is_ok())
                .collect();
            let contents: Vec<&[u8]> = valid.iter().map(|i| chunk[*i].content.as_slice()).collect();
            let mut stored: std::collections::HashMap<usize, String> = valid
                .into_iter()
                .zip(p.blobs.put_many(&contents)?)
                .collect();
            for (i, cmd) in chunk.iter().enumerate() {
                let slot = base + i;
                outcomes.push(None);
                if let Some(ext) = &cmd.external_id {
                    if !seen_external.insert((cmd.audience, ext.clone())) {
                        outcomes[slot] = Some(Err(Error::invalid(
                            "external_id",
                            format!("{ext:?} appears twice in the batch"),
                        )));
                        continue;
                    }
                }
                match cache.prepare(p, cmd, now, stored.remove(&i)) {
                    Ok((d, n)) => prepared.push((slot, d, n)),
                    // Published earlier (its party may have gone since): the first one stands.
                    Err(e) => match self.existing(cmd)? {
                        Some(existing) => {
                            report.already_published += 1;
                            outcomes[slot] = Some(Ok(existing));
                        }
                        None => outcomes[slot] = Some(Err(e)),
                    },
                }
            }
            match self.commit_prepared(&prepared) {
                Ok(()) => {}
                Err(Error::Conflict { .. }) => {
                    // Some external ids exist already: keep the first documents, commit the rest.
                    let mut fresh = Vec::with_capacity(prepared.len());
                    for (slot, d, n) in prepared {
                        match self.existing(&chunk[slot - base])? {
                            Some(existing) => {
                                report.already_published += 1;
                                outcomes[slot] = Some(Ok(existing));
                            }
                            None => fresh.push((slot, d, n)),
                        }
                    }
                    prepared = match self.commit_prepared(&fresh) {
                        Ok(()) => fresh,
                        // Still racing another publisher: one commit per document.
                        Err(Error::Conflict { .. }) => {
                            let mut won = Vec::new();
                            for (slot, d, n) in fresh {
                                let one = [(slot, d, n)];
                                match self.commit_prepared(&one) {
                                    Ok(()) => won.extend(one),
                                    Err(Error::Conflict { .. }) => {
                                        let existing = self.existing(&chunk[slot - base])?;
                                        outcomes[slot] = Some(match existing {
                                            Some(d) => {
                                                report.already_published += 1;
                                                Ok(d)
                                            }
                                            None => Err(Error::conflict(format!(
                                                "document {}",
                                                chunk[slot - base].name
                                            ))),
                                        });
                                    }
                                    Err(e) => return Err(e),
                                }
                            }
                            won
                        }
                        Err(e) => return Err(e),
                    };
                }
                Err(e) => return Err(e),
            }
            for (slot, d, n) in prepared {
                report.published += 1;
                report.notifications_queued += u64::from(n.is_some());
                outcomes[slot] = Some(Ok(Document { version: 1, ..d }));
            }
            done += chunk.len() as u64;
            progress(crate::Progress {
                phase: crate::Phase::Publishing,
                done,
                total,
            });
        }
        report.outcomes = outcomes
            .into_iter()
            .map(|o| o.unwrap_or_else(|| Err(Error::state("document", "not committed"))))
            .collect();
        Ok(report)
    }

    /// Commit prepared documents and their notifications in one transaction.
    fn commit_prepared(&self, prepared: &[(usize, Document, Option<Notification>)]) -> Result<()> {
        if prepared.is_empty() {
            return Ok(());
        }
        let mut changes = Vec::with_capacity(prepared.len() * 2);
        for (_, d, n) in prepared {
            changes.push(crate::store::Change::Document(d.clone()));
            changes.extend(n.clone().map(crate::store::Change::Notification));
        }
        let p = self.portal;
        p.store.commit(&p.tenant, &changes)
    }

    /// A document by id.
    pub fn get(&self, id: &str) -> Result<Document> {
        let p = self.portal;
        p.store
            .document(&p.tenant, id)?
            .ok_or_else(|| Error::not_found("document", id))
    }

    /// A document by the host's external id.
    pub fn find_by_external_id(
        &self,
        audience: Audience,
        external_id: &str,
    ) -> Result<Option<Document>> {
        let p = self.portal;
        p.store
            .document_by_external_id(&p.tenant, audience, external_id)
    }

    /// Every document of a party (back-office view: shared or not), newest first.
    pub fn list(
        &self,
        audience: Audience,
        party_code: &str,
        page: PageRequest,
    ) -> Result<Page<Document>> {
        let p = self.portal;
        let (offset, limit) = page.resolve(p.settings()?.audience(audience).page_size)?;
        p.store.documents(
            &p.tenant,
            &crate::store::DocumentQuery {
                audience,
                party_code: party_code.to_string(),
                folder_ids: None,
                include_invoices: true,
                offset,
                limit,
            },
        )
    }

    /// The content of a document (back office; the portal side records downloads instead).
    /// A missing or damaged content is a `storage` error naming the document.
    pub fn content(&self, id: &str) -> Result<Vec<u8>> {
        let d = self.get(id)?;
        stored_content(self.portal.blobs.as_ref(), &d, &d.sha256)
    }

    /// Mark a document paid or unpaid ("passer un dossier en payé / impayé").
    pub fn set_payment(&self, id: &str, payment: PaymentStatus) -> Result<Document> {
        let p = self.portal;
        crate::portal::retry_on_conflict(
            || format!("document {id}"),
            || {
                let next = Document {
                    payment,
                    ..self.get(id)?
                };
                p.store
                    .commit(&p.tenant, &[crate::store::Change::Document(next.clone())])?;
                Ok(Document {
                    version: next.version + 1,
                    ..next
                })
            },
        )
    }
}

impl Documents<'_> {
    /// The download history of a document ("historique d'accès"), newest first.
    pub fn downloads(&self, id: &str, page: PageRequest) -> Result<Page<crate::AccessEvent>> {
        let p = self.portal;
        let d = self.get(id)?;
        let (offset, limit) = page.resolve(p.settings()?.audience(d.audience).page_size)?;
        p.store.access_events(&p.tenant, id, offset, limit)
    }
}
