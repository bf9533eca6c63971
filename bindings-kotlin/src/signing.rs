//! Signing on the portal (core `signing`): documents in a folder with a "Signature" side await a
//! signature; the principal signs, the library stamps a visible block on the last page, keeps
//! the original and records the audit trail.

use crate::documents::{Document, Documents};
use crate::view::PortalView;

/// The core's record, with its uniffi derive (Kotlin: `dev.portail.contract.SignatureRecord`, aliased
/// in `dev.portail`).
pub use portail::SignatureRecord;

/// A signature request from the portal, with the host's evidence.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SignRequest {
    /// The name to stamp ("Signé électroniquement par NAME").
    pub signer_name: String,
    /// The signer's IP address as the host saw it.
    pub ip_address: String,
    /// The signer's user agent as the host saw it.
    pub user_agent: String,
    /// An optional PNG of a drawn signature, stamped above the text.
    #[uniffi(default = None)]
    pub image_png: Option<Vec<u8>>,
}

impl From<SignRequest> for portail::SignRequest {
    fn from(r: SignRequest) -> Self {
        portail::SignRequest {
            signer_name: r.signer_name,
            ip_address: r.ip_address,
            user_agent: r.user_agent,
            image_png: r.image_png,
        }
    }
}

#[uniffi::export]
impl PortalView {
    /// Whether a document this principal may see awaits his signature.
    pub fn awaits_signature(&self, document_id: String) -> crate::Result<bool> {
        self.portal
            .call(|p| p.view(&self.principal).awaits_signature(&document_id))
    }

    /// Sign a document awaiting a signature: `InvalidState` if already signed or not in a
    /// signing folder, `AccessDenied` if not visible, `Pdf` for a broken PDF (nothing stored).
    ///
    /// Blocking (PDF stamping): call from a background thread.
    pub fn sign(&self, document_id: String, request: SignRequest) -> crate::Result<Document> {
        self.portal.call(|p| {
            Ok(p.view(&self.principal)
                .sign(&document_id, request.into())?
                .into())
        })
    }
}

#[uniffi::export]
impl Documents {
    /// The signed version of a document (`InvalidState` if it was not signed).
    pub fn signed_content(&self, id: String) -> crate::Result<Vec<u8>> {
        self.portal.call(|p| p.documents().signed_content(&id))
    }
}
