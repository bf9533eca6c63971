//! What a logged-in portal user sees (core `view`): `portal.view(principal)`.

use std::sync::Arc;

use crate::accounts::Principal;
use crate::documents::Document;
use crate::folders::Folder;
use crate::portal::Portal;
use crate::{page_request, DocumentPage};

/// A downloaded document: the contract's view (Kotlin `Download`).
pub use portail::ffi::DownloadView as Download;

/// The portal as one principal sees it. Every call checks again that the account is active
/// and authorised (`PortailException.AccessDenied` otherwise).
#[derive(uniffi::Object)]
pub struct PortalView {
    pub(crate) portal: crate::Handle,
    pub(crate) principal: portail::Principal,
}

#[uniffi::export]
impl Portal {
    /// The portal as `principal` sees it.
    pub fn view(&self, principal: Principal) -> Arc<PortalView> {
        Arc::new(PortalView {
            portal: crate::Handle::new(&self.inner),
            principal,
        })
    }
}

#[uniffi::export]
impl PortalView {
    /// The shared folders of the principal's audience.
    pub fn folders(&self) -> crate::Result<Vec<Folder>> {
        self.portal.call(|p| p.view(&self.principal).folders())
    }

    /// The principal's visible documents, newest first; `folder` (path or label) narrows to
    /// one folder. Paging: `offset` or the `cursor` of a previous page, and `limit` (null: the
    /// audience's page size).
    #[uniffi::method(default(folder = None, offset = None, limit = None, cursor = None))]
    pub fn documents(
        &self,
        folder: Option<String>,
        offset: Option<i64>,
        limit: Option<i32>,
        cursor: Option<String>,
    ) -> crate::Result<DocumentPage> {
        self.portal.call(|p| {
            let page = page_request(offset, limit, cursor)?;
            let view = p.view(&self.principal);
            Ok(crate::page(view.documents(folder.as_deref(), page)?))
        })
    }

    /// A document the principal may see (`AccessDenied` for anything else).
    pub fn document(&self, document_id: String) -> crate::Result<Document> {
        self.portal
            .call(|p| Ok(p.view(&self.principal).document(&document_id)?.into()))
    }

    /// Download a document: its bytes and a recorded download (count, first/last time, one
    /// access-history row).
    pub fn open(&self, document_id: String) -> crate::Result<Download> {
        self.portal
            .call(|p| Ok(p.view(&self.principal).open(&document_id)?.into()))
    }
}
