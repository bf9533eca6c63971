//! Documents published into a party's folder, and the publish decision: is it visible on the
//! portal, and is a notification queued (and if not, why not).

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::audience::Audience;
use super::folder::Folder;
use super::notification::Notification;
use super::party::{validate_code, EInvoicingConsent, EmailRole, Party};
use super::settings::Settings;
use super::signature::SignatureRecord;
use super::template::{CompiledTemplate, MergeValues, TemplatePurpose};
use crate::error::Result;

/// What a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "napi", napi_derive::napi(string_enum = "snake_case"))]
pub enum DocumentKind {
    /// An invoice: on the portal only when e-invoicing consent is Accepted.
    Invoice,
    /// A quote ("devis").
    Quote,
    /// A contract.
    Contract,
    /// A payslip ("bulletin de salaire").
    Payslip,
    /// Anything else (the default).
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
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "napi", napi_derive::napi(string_enum = "snake_case"))]
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
    Queued {
        /// The notification queued.
        notification_id: String,
    },
    /// None was; here is why.
    Skipped {
        /// Why no notification was queued.
        reason: SkipReason,
    },
}

/// A document on a party's folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// Random id, sorted by creation.
    pub id: String,
    /// The portal it is published on.
    pub audience: Audience,
    /// The party it belongs to.
    pub party_code: String,
    /// The folder it lies in.
    pub folder_id: String,
    /// File name shown on the portal (`#document#`).
    pub name: String,
    /// What it is (an invoice is shown only with e-invoicing consent).
    pub kind: DocumentKind,
    /// Paid or unpaid ("Gestion des impayés").
    pub payment: PaymentStatus,
    /// SHA-256 of the content, hex; the blob key.
    pub sha256: String,
    /// Size of the content, in bytes.
    pub size: u64,
    /// Media type of the content.
    pub content_type: String,
    /// The host's own id (e.g. the payroll's payslip number): publishing is idempotent on it.
    pub external_id: Option<String>,
    /// When it was published ("mise à disposition").
    pub published_at: DateTime<Utc>,
    /// Whether a notification was queued, and if not why not.
    pub notification: NotificationDecision,
    /// Download count and first/last time (seed 003 "nombre de téléchargement").
    #[serde(default)]
    pub downloads: u64,
    /// The first download from the portal.
    #[serde(default)]
    pub first_download_at: Option<DateTime<Utc>>,
    /// The latest download from the portal.
    #[serde(default)]
    pub last_download_at: Option<DateTime<Utc>>,
    /// The portal signature and its audit trail, once signed (the signed file is a blob of its own).
    #[serde(default)]
    pub signature: Option<SignatureRecord>,
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
    /// The portal to publish on.
    pub audience: Audience,
    /// The party it is for ("Code client / salarié").
    pub party_code: String,
    /// Folder path, or label when unique.
    pub folder: String,
    /// File name shown on the portal (`#document#`).
    pub name: String,
    /// The bytes.
    pub content: Vec<u8>,
    /// What it is (default: other).
    pub kind: DocumentKind,
    /// Paid or unpaid (default: not applicable).
    pub payment: PaymentStatus,
    /// The host's own id: publishing twice with it returns the first document.
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
        validate_code(&self.party_code)?;
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
