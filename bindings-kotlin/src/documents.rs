//! Documents published into a party's folder: the contract's views, the publish request and
//! the `portal.documents()` handle.

use std::sync::Arc;

use crate::config::Audience;
use crate::portal::{ProgressListener, ProgressRelay};
use crate::{map_vec, page_request, AccessEventPage, DocumentPage};

/// The core's enum, with its uniffi derive (Kotlin: `dev.portail.contract.DocumentKind`,
/// aliased in `dev.portail`).
pub use portail::DocumentKind;

/// The core's enum, with its uniffi derive (Kotlin: `dev.portail.contract.PaymentStatus`,
/// aliased in `dev.portail`).
pub use portail::PaymentStatus;

/// A document on a party's folder: the contract's view (Kotlin `Document`), with its
/// notification decision flat (`NotificationDecision`: `decision`, `notificationId`, `reason`,
/// `role`).
pub use portail::ffi::DocumentView as Document;
pub use portail::ffi::{Decision, NotificationDecisionView, SkipCause};

/// A request to publish a document ("mise à disposition"). Start from [`publish_request`] and
/// `copy(kind = ..., externalId = ...)`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Publish {
    pub audience: Audience,
    pub party_code: String,
    /// Folder path, or label when unique.
    pub folder: String,
    /// File name shown on the portal.
    pub name: String,
    /// The bytes (read from a file by `publishRequestFromPath`).
    pub content: Vec<u8>,
    pub kind: DocumentKind,
    pub payment: PaymentStatus,
    /// The host's id, making the publish idempotent.
    #[uniffi(default = None)]
    pub external_id: Option<String>,
    /// Override of the content type guessed from the name.
    #[uniffi(default = None)]
    pub content_type: Option<String>,
}

impl From<Publish> for portail::Publish {
    fn from(p: Publish) -> Self {
        portail::Publish {
            audience: p.audience,
            party_code: p.party_code,
            folder: p.folder,
            name: p.name,
            content: p.content,
            kind: p.kind,
            payment: p.payment,
            external_id: p.external_id,
            content_type: p.content_type,
        }
    }
}

/// A publish request for the file at `path`, read by the library: `name` (shown on the portal)
/// defaults to the file's name; a file that cannot be read is `PortailException.InvalidInput`
/// naming `path`. Kind Other, paid, without external id, like [`publish_request`].
#[uniffi::export(default(name = None))]
pub fn publish_request_from_path(
    audience: Audience,
    party_code: String,
    folder: String,
    path: String,
    name: Option<String>,
) -> crate::Result<Publish> {
    crate::call(|| {
        let (content, name) = portail::ffi::read_document(std::path::Path::new(&path), name)?;
        Ok(publish_request(audience, party_code, folder, name, content))
    })
}

/// A publish request of kind Other, paid, without external id.
#[uniffi::export]
pub fn publish_request(
    audience: Audience,
    party_code: String,
    folder: String,
    name: String,
    content: Vec<u8>,
) -> Publish {
    Publish {
        audience,
        party_code,
        folder,
        name,
        content,
        kind: DocumentKind::Other,
        payment: PaymentStatus::Paid,
        external_id: None,
        content_type: None,
    }
}

/// What a batch publish did, input by input: the contract's view (Kotlin `PublishReport`).
pub use portail::ffi::{PublishOutcomeView, PublishReportView as PublishReport};

/// The documents of a portal (`portal.documents()`).
#[derive(uniffi::Object)]
pub struct Documents {
    pub(crate) portal: crate::Handle,
}

#[uniffi::export]
impl Documents {
    /// Publish a document into a party's folder. The document and, when due, its Pending
    /// notification are written together; `notification` tells whether one was queued or why
    /// not. With an external id, publishing again returns the first document unchanged.
    pub fn publish(&self, request: Publish) -> crate::Result<Document> {
        self.portal
            .call(|p| Ok(p.documents().publish(request.into())?.into()))
    }

    /// Publish many documents (a payroll run) in large transactions. Bad inputs are reported one
    /// by one in `outcomes` and do not stop the others; inputs already published under their
    /// external id are skipped, so an interrupted run can be run again.
    ///
    /// Blocking: call from a background thread. `listener` (optional) gets progress.
    #[uniffi::method(default(listener = None))]
    pub fn publish_many(
        &self,
        requests: Vec<Publish>,
        listener: Option<Arc<dyn ProgressListener>>,
    ) -> crate::Result<PublishReport> {
        self.portal.call(|p| {
            let relay = ProgressRelay::new(listener);
            let report = p
                .documents()
                .publish_many(map_vec(requests), &|p| relay.report(p))?;
            Ok(report.into())
        })
    }

    /// A document by id.
    pub fn get(&self, id: String) -> crate::Result<Document> {
        self.portal.call(|p| Ok(p.documents().get(&id)?.into()))
    }

    /// A document by the host's external id, or null.
    pub fn find_by_external_id(
        &self,
        audience: Audience,
        external_id: String,
    ) -> crate::Result<Option<Document>> {
        self.portal.call(|p| {
            Ok(p.documents()
                .find_by_external_id(audience, &external_id)?
                .map(Document::from))
        })
    }

    /// Every document of a party (back-office view: shared or not), newest first. Paging:
    /// `offset` or the `cursor` of a previous page, and `limit` (null: the audience's page size).
    #[uniffi::method(default(offset = None, limit = None, cursor = None))]
    pub fn list(
        &self,
        audience: Audience,
        party_code: String,
        offset: Option<i64>,
        limit: Option<i32>,
        cursor: Option<String>,
    ) -> crate::Result<DocumentPage> {
        self.portal.call(|p| {
            let page = page_request(offset, limit, cursor)?;
            Ok(crate::page(p.documents().list(
                audience,
                &party_code,
                page,
            )?))
        })
    }

    /// The content of a document (back office; no download is recorded).
    pub fn content(&self, id: String) -> crate::Result<Vec<u8>> {
        self.portal.call(|p| p.documents().content(&id))
    }

    /// Who downloaded a document and when ("historique d'accès"), newest first; paged like
    /// `list`.
    #[uniffi::method(default(offset = None, limit = None, cursor = None))]
    pub fn downloads(
        &self,
        id: String,
        offset: Option<i64>,
        limit: Option<i32>,
        cursor: Option<String>,
    ) -> crate::Result<AccessEventPage> {
        self.portal.call(|p| {
            let page = page_request(offset, limit, cursor)?;
            Ok(crate::page(p.documents().downloads(&id, page)?))
        })
    }

    /// Mark a document paid or unpaid.
    pub fn set_payment(&self, id: String, payment: PaymentStatus) -> crate::Result<Document> {
        self.portal
            .call(|p| Ok(p.documents().set_payment(&id, payment)?.into()))
    }
}
