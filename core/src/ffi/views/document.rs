//! Documents as hosts see them: [`DocumentView`] with its notification decision flat
//! ([`NotificationDecisionView`]), the report of a batch publish and a download.

use chrono::{DateTime, Utc};
use serde::{Serialize, Serializer};

use super::signed;
use crate::documents::PublishReport;
use crate::ffi::ErrorInfo;
use crate::records::audience::Audience;
use crate::records::document::{
    Document, DocumentKind, NotificationDecision, PaymentStatus, SkipReason,
};
use crate::records::party::EmailRole;
use crate::records::signature::SignatureRecord;
use crate::view::Download;

/// Whether publishing queued a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "napi", napi_derive::napi(string_enum = "snake_case"))]
pub enum Decision {
    /// A notification was written in the same commit.
    Queued,
    /// None was; `reason` says why.
    Skipped,
}

/// Why publishing queued no notification, as a plain name (the role of a missing address is
/// beside it in [`NotificationDecisionView::role`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "napi", napi_derive::napi(string_enum = "snake_case"))]
pub enum SkipCause {
    /// The folder is not shared ("Portail" unticked).
    FolderNotShared,
    /// An invoice of a party whose e-invoicing consent is not Accepted.
    EInvoicingNotAccepted,
    /// The folder's "Notification" is unticked.
    FolderDoesNotNotify,
    /// "Désactiver les notifications" is ticked for the audience.
    NotificationsDisabled,
    /// The party has no address for the folder's "Notifier sur" role.
    NoAddress,
}

/// What publishing decided about notifying, flat: `queued` with the notification's id, or
/// `skipped` with the reason (and the role whose address is missing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "napi", napi_derive::napi(object, object_from_js = false))]
pub struct NotificationDecisionView {
    /// Queued or skipped.
    pub decision: Decision,
    /// The notification queued.
    pub notification_id: Option<String>,
    /// Why none was.
    pub reason: Option<SkipCause>,
    /// The role with no address, for [`SkipCause::NoAddress`].
    pub role: Option<EmailRole>,
}

impl From<NotificationDecision> for NotificationDecisionView {
    fn from(decision: NotificationDecision) -> Self {
        let skipped = |reason, role| NotificationDecisionView {
            decision: Decision::Skipped,
            notification_id: None,
            reason: Some(reason),
            role,
        };
        match decision {
            NotificationDecision::Queued { notification_id } => NotificationDecisionView {
                decision: Decision::Queued,
                notification_id: Some(notification_id),
                reason: None,
                role: None,
            },
            NotificationDecision::Skipped { reason } => match reason {
                SkipReason::FolderNotShared => skipped(SkipCause::FolderNotShared, None),
                SkipReason::EInvoicingNotAccepted => {
                    skipped(SkipCause::EInvoicingNotAccepted, None)
                }
                SkipReason::FolderDoesNotNotify => skipped(SkipCause::FolderDoesNotNotify, None),
                SkipReason::NotificationsDisabled => {
                    skipped(SkipCause::NotificationsDisabled, None)
                }
                SkipReason::NoAddress(role) => skipped(SkipCause::NoAddress, Some(role)),
            },
        }
    }
}

/// A document on a party's folder, as hosts see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "napi", napi_derive::napi(object, object_from_js = false))]
pub struct DocumentView {
    /// Random id, sorted by creation.
    pub id: String,
    /// The portal it is published on.
    pub audience: Audience,
    /// The party it belongs to.
    pub party_code: String,
    /// The folder it lies in.
    pub folder_id: String,
    /// File name shown on the portal.
    pub name: String,
    /// What it is.
    pub kind: DocumentKind,
    /// Paid or unpaid ("Gestion des impayés").
    pub payment: PaymentStatus,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    /// Size of the content, in bytes.
    pub size: i64,
    /// Media type of the content.
    pub content_type: String,
    /// The host's own id: publishing is idempotent on it.
    pub external_id: Option<String>,
    /// When it was published ("mise à disposition").
    pub published_at: DateTime<Utc>,
    /// Whether a notification was queued, and if not why not.
    pub notification: NotificationDecisionView,
    /// Downloads from the portal ("nombre de téléchargement").
    pub downloads: i64,
    /// The first download from the portal.
    pub first_download_at: Option<DateTime<Utc>>,
    /// The latest download from the portal.
    pub last_download_at: Option<DateTime<Utc>>,
    /// The portal signature and its audit trail, once signed.
    pub signature: Option<SignatureRecord>,
    /// Optimistic version.
    pub version: i64,
}

impl From<Document> for DocumentView {
    fn from(d: Document) -> Self {
        DocumentView {
            id: d.id,
            audience: d.audience,
            party_code: d.party_code,
            folder_id: d.folder_id,
            name: d.name,
            kind: d.kind,
            payment: d.payment,
            sha256: d.sha256,
            size: signed(d.size),
            content_type: d.content_type,
            external_id: d.external_id,
            published_at: d.published_at,
            notification: d.notification.into(),
            downloads: signed(d.downloads),
            first_download_at: d.first_download_at,
            last_download_at: d.last_download_at,
            signature: d.signature,
            version: signed(d.version),
        }
    }
}

/// One input's outcome in a batch publish: its document, or its error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "napi", napi_derive::napi(object, object_from_js = false))]
pub struct PublishOutcomeView {
    /// The document published (or already published under the same external id).
    pub document: Option<DocumentView>,
    /// Why this input was not published.
    pub error: Option<ErrorInfo>,
}

/// What a batch publish did, input by input (same order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "napi", napi_derive::napi(object, object_from_js = false))]
pub struct PublishReportView {
    /// Newly published documents.
    pub published: i64,
    /// Inputs already published under the same external id (left as they were).
    pub already_published: i64,
    /// Notifications queued.
    pub notifications_queued: i64,
    /// One outcome per input.
    pub outcomes: Vec<PublishOutcomeView>,
}

impl From<PublishReport> for PublishReportView {
    fn from(r: PublishReport) -> Self {
        PublishReportView {
            published: signed(r.published),
            already_published: signed(r.already_published),
            notifications_queued: signed(r.notifications_queued),
            outcomes: r
                .outcomes
                .into_iter()
                .map(|o| match o {
                    Ok(d) => PublishOutcomeView {
                        document: Some(d.into()),
                        error: None,
                    },
                    Err(e) => PublishOutcomeView {
                        document: None,
                        error: Some(ErrorInfo::from(&e)),
                    },
                })
                .collect(),
        }
    }
}

/// A download from the portal: the document (its count updated), the bytes to serve and
/// whether they are the watermarked copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DownloadView {
    /// The document, with its download count updated.
    pub document: DocumentView,
    /// The bytes to serve (serialised as bytes, not as a list of numbers).
    #[serde(serialize_with = "as_bytes")]
    pub content: Vec<u8>,
    /// Whether `content` is the watermarked copy rather than the original.
    pub watermarked: bool,
}

impl From<Download> for DownloadView {
    fn from(d: Download) -> Self {
        DownloadView {
            document: d.document.into(),
            content: d.content,
            watermarked: d.watermarked,
        }
    }
}

fn as_bytes<S: Serializer>(bytes: &[u8], s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_skipped_decision_is_flat_with_its_role() {
        let view = NotificationDecisionView::from(NotificationDecision::Skipped {
            reason: SkipReason::NoAddress(EmailRole::Billing),
        });
        assert_eq!(
            serde_json::to_value(&view).unwrap(),
            serde_json::json!({"decision": "skipped", "notification_id": null,
                               "reason": "no_address", "role": "billing"})
        );
    }
}
