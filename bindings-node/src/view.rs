//! What a logged-in portal user sees: shared folders, visible documents (paged), downloads.

use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::documents::{Bytes, Document};
use crate::error::guard;
use crate::folders::Folder;
use crate::input::Arg;
use crate::task::Job;
use crate::{Page, PageRequest};

/// A downloaded document.
#[napi(object, object_from_js = false)]
pub struct Download {
    /// The document, with its download count updated.
    pub document: Document,
    /// The bytes to serve (a stamped copy under the unpaid watermark policy).
    pub content: Buffer,
    /// Whether `content` is the watermarked copy.
    pub watermarked: bool,
}

/// A download before its bytes become a `Buffer` on the JS thread.
pub struct RawDownload(portail::Download);

impl From<RawDownload> for Download {
    fn from(d: RawDownload) -> Self {
        Download {
            document: d.0.document.into(),
            content: Bytes(d.0.content).into(),
            watermarked: d.0.watermarked,
        }
    }
}

/// The portal as one principal sees it: `portal.view(principal)`. Every call checks again
/// that the account may use the portal (`access_denied` otherwise).
#[napi]
pub struct PortalView {
    pub(crate) portal: Arc<portail::Portal>,
    pub(crate) principal: portail::Principal,
}

#[napi]
impl PortalView {
    /// The shared folders of the principal's audience.
    #[napi]
    pub fn folders(&self, env: &Env) -> Result<Vec<Folder>> {
        guard(env, || {
            Ok(self
                .portal
                .view(&self.principal)
                .folders()?
                .into_iter()
                .map(Into::into)
                .collect())
        })
    }

    /// The principal's visible documents, newest first; `folder` (path or label) narrows.
    #[napi(ts_return_type = "Page<Document>")]
    pub fn documents(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "string | undefined | null")] folder: Option<Arg<String>>,
        #[napi(ts_arg_type = "PageRequest | undefined | null")] page: Option<Arg<PageRequest>>,
    ) -> Result<Page<Document>> {
        guard(env, || {
            let (folder, page) = args!(folder, page)?;
            self.portal
                .view(&self.principal)
                .documents(folder.as_deref(), PageRequest::read(page)?)
                .map(Page::of)
        })
    }

    /// A document the principal may see (`access_denied` otherwise).
    #[napi]
    pub fn document(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "string")] document_id: Arg<String>,
    ) -> Result<Document> {
        guard(env, || {
            let document_id = document_id.get("document_id")?;
            self.portal
                .view(&self.principal)
                .document(&document_id)
                .map(Into::into)
        })
    }

    /// Download a document (recorded: count, first/last time, access history). Off the main
    /// thread: the unpaid policy may stamp the PDF.
    #[napi(ts_return_type = "Promise<Download>")]
    pub fn open(
        &self,
        #[napi(ts_arg_type = "string")] document_id: Arg<String>,
    ) -> AsyncTask<Job<RawDownload, Download>> {
        let portal = self.portal.clone();
        let principal = self.principal.clone();
        Job::spawn_with(document_id.get("document_id"), move |document_id| {
            portal.view(&principal).open(&document_id).map(RawDownload)
        })
    }
}
