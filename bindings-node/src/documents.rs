//! Documents: publishing (one, or a batch with progress), lookups, contents, payment status,
//! download history.

use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::config::Audience;
use crate::error::guard;
use crate::input::Arg;
use crate::portal::{progress_fn, ProgressCallback};
use crate::task::Job;
use crate::{Page, PageRequest};
use portail::ffi::{DocumentView, PublishReportView};
use portail::AccessEvent;

pub use portail::DocumentKind;

pub use portail::PaymentStatus;

/// A document on a party's folder: the contract's view (`Document` in the `.d.ts`).
pub type Document = DocumentView;

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

/// A publish request with its bytes copied out of the JS buffer; a file path is read later,
/// off the main thread, by the contract's `portail::ffi::PublishInput`.
pub(crate) struct PendingPublish(portail::ffi::PublishInput);

impl PendingPublish {
    pub(crate) fn new(o: PublishOptions) -> portail::Result<Self> {
        Ok(PendingPublish(portail::ffi::PublishInput {
            audience: o.audience,
            party_code: o.party_code,
            folder: o.folder,
            name: o.name,
            content: o.content.map(|c| c.to_vec()),
            path: o.path.map(Into::into),
            kind: o.kind,
            payment: o.payment,
            external_id: o.external_id,
            content_type: o.content_type,
        }))
    }

    /// The request with its bytes (reads the file; call off the main thread).
    pub(crate) fn load(self) -> portail::Result<portail::Publish> {
        self.0.into_publish()
    }
}

/// What `publishMany` did, input by input: the contract's view.
pub type PublishReport = PublishReportView;

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
                .find_by_external_id(audience, &external_id)?
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
                .list(audience, &party_code, PageRequest::read(page)?)
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
                .set_payment(&id, payment)
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
