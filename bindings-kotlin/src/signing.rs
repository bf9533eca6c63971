//! Signing on the portal (core `signing`): documents in a folder with a "Signature" side await a
//! signature; the principal signs, the library stamps a visible block on the last page, keeps
//! the original and records the audit trail.

use std::time::SystemTime;

use crate::documents::{Document, Documents};
use crate::folders::SignaturePlacement;
use crate::time::to_system;
use crate::view::PortalView;

/// The audit trail of a portal signature.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SignatureRecord {
    /// The account that signed.
    pub account_id: String,
    /// Its identifier at signing time.
    pub identifier: String,
    /// The name stamped on the document.
    pub signer_name: String,
    pub signed_at: SystemTime,
    /// The host's evidence: the signer's IP address.
    pub ip_address: String,
    /// The host's evidence: the signer's browser.
    pub user_agent: String,
    /// Which side the block was stamped on.
    pub placement: SignaturePlacement,
    /// SHA-256 of the original file (unchanged, still stored).
    pub original_sha256: String,
    /// SHA-256 of the signed file.
    pub signed_sha256: String,
    pub signed_size: u64,
    /// Whether a signature image was stamped.
    pub with_image: bool,
}

impl From<portail::SignatureRecord> for SignatureRecord {
    fn from(r: portail::SignatureRecord) -> Self {
        SignatureRecord {
            account_id: r.account_id,
            identifier: r.identifier,
            signer_name: r.signer_name,
            signed_at: to_system(r.signed_at),
            ip_address: r.ip_address,
            user_agent: r.user_agent,
            placement: r.placement,
            original_sha256: r.original_sha256,
            signed_sha256: r.signed_sha256,
            signed_size: r.signed_size,
            with_image: r.with_image,
        }
    }
}

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
        Ok(self
            .portal
            .view(&self.principal)
            .awaits_signature(&document_id)?)
    }

    /// Sign a document awaiting a signature: `InvalidState` if already signed or not in a
    /// signing folder, `AccessDenied` if not visible, `Pdf` for a broken PDF (nothing stored).
    ///
    /// Blocking (PDF stamping): call from a background thread.
    pub fn sign(&self, document_id: String, request: SignRequest) -> crate::Result<Document> {
        Ok(self
            .portal
            .view(&self.principal)
            .sign(&document_id, request.into())?
            .into())
    }
}

#[uniffi::export]
impl Documents {
    /// The signed version of a document (`InvalidState` if it was not signed).
    pub fn signed_content(&self, id: String) -> crate::Result<Vec<u8>> {
        Ok(self.portal.documents().signed_content(&id)?)
    }
}
