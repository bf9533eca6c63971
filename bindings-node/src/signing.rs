//! Signing on the portal: the principal signs a document of a signing folder with the host's
//! evidence; the signed PDF is kept beside the untouched original, with its audit trail.

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::documents::{Bytes, Document, Documents};
use crate::error::guard;
use crate::input::Arg;
use crate::task::Job;
use crate::view::PortalView;

/// A signature from the portal, with the host's evidence.
#[napi(object)]
pub struct SignOptions {
    /// The name to stamp ("Signé électroniquement par NAME").
    pub signer_name: String,
    /// The signer's IP address as the host saw it.
    pub ip_address: String,
    /// The signer's user agent as the host saw it.
    pub user_agent: String,
    /// An optional PNG of a drawn signature, stamped above the text.
    pub image_png: Option<Uint8Array>,
}

object_input!(SignOptions {
    signerName,
    ipAddress,
    userAgent,
    imagePng
});

#[napi]
impl PortalView {
    /// Whether a document the principal may see awaits his signature.
    #[napi]
    pub fn awaits_signature(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "string")] document_id: Arg<String>,
    ) -> Result<bool> {
        guard(env, || {
            let document_id = document_id.get("document_id")?;
            self.portal
                .view(&self.principal)
                .awaits_signature(&document_id)
        })
    }

    /// Sign a document awaiting a signature (PDF stamping off the main thread). Signing twice
    /// or outside a signing folder is `invalid_state`; a broken PDF is `pdf`.
    #[napi(ts_return_type = "Promise<Document>")]
    pub fn sign(
        &self,
        #[napi(ts_arg_type = "string")] document_id: Arg<String>,
        #[napi(ts_arg_type = "SignOptions")] options: Arg<SignOptions>,
    ) -> AsyncTask<Job<Document>> {
        let args = args!(document_id, options).map(|(document_id, options)| {
            let mut request = portail::SignRequest::new(
                options.signer_name,
                options.ip_address,
                options.user_agent,
            );
            if let Some(png) = options.image_png {
                request = request.image_png(png.to_vec());
            }
            (document_id, request)
        });
        let portal = self.portal.clone();
        let principal = self.principal.clone();
        Job::spawn_with(args, move |(document_id, request)| {
            portal
                .view(&principal)
                .sign(&document_id, request)
                .map(Into::into)
        })
    }
}

#[napi]
impl Documents {
    /// The signed version of a document (`invalid_state` if not signed), read off the main
    /// thread.
    #[napi(ts_return_type = "Promise<Buffer>")]
    pub fn signed_content(
        &self,
        #[napi(ts_arg_type = "string")] id: Arg<String>,
    ) -> AsyncTask<Job<Bytes, Buffer>> {
        let portal = self.portal.clone();
        Job::spawn_with(id.get("id"), move |id| {
            portal.documents().signed_content(&id).map(Bytes)
        })
    }
}
