//! The audit trail of a portal signature and the request that makes one.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::folder::SignaturePlacement;
use crate::error::Result;

/// The audit trail of a portal signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "napi", napi_derive::napi(object, object_from_js = false))]
pub struct SignatureRecord {
    /// The account that signed.
    pub account_id: String,
    /// Its identifier at signing time.
    pub identifier: String,
    /// The name stamped on the document.
    pub signer_name: String,
    /// When it was signed.
    pub signed_at: DateTime<Utc>,
    /// The host's evidence: the signer's IP address.
    pub ip_address: String,
    /// The host's evidence: the signer's browser.
    pub user_agent: String,
    /// Which side the block was stamped on (the folder's "Signature" column).
    pub placement: SignaturePlacement,
    /// SHA-256 of the original file (unchanged, still stored).
    pub original_sha256: String,
    /// SHA-256 of the signed file, a blob of its own.
    pub signed_sha256: String,
    /// Size of the signed file, in bytes.
    pub signed_size: i64,
    /// Whether a signature image was stamped.
    pub with_image: bool,
}

/// Longest signer name, in characters.
pub const SIGNER_NAME_MAX: usize = 100;
/// Longest user agent recorded as evidence, in characters.
pub const USER_AGENT_MAX: usize = 1024;

/// A signature request from the portal, with the host's evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignRequest {
    /// The name to stamp ("Signé électroniquement par NAME").
    pub signer_name: String,
    /// The signer's IP address as the host saw it.
    pub ip_address: String,
    /// The signer's user agent as the host saw it.
    pub user_agent: String,
    /// An optional PNG of a drawn signature, stamped above the text.
    pub image_png: Option<Vec<u8>>,
}

impl SignRequest {
    /// A request to sign as `signer_name` from `ip_address` with `user_agent`.
    pub fn new(
        signer_name: impl Into<String>,
        ip_address: impl Into<String>,
        user_agent: impl Into<String>,
    ) -> Self {
        SignRequest {
            signer_name: signer_name.into(),
            ip_address: ip_address.into(),
            user_agent: user_agent.into(),
            image_png: None,
        }
    }

    /// Stamp this PNG above the text.
    pub fn image_png(mut self, png: Vec<u8>) -> Self {
        self.image_png = Some(png);
        self
    }

    pub(crate) fn validate(&self) -> Result<()> {
        let name = self.signer_name.trim();
        crate::ensure_input!(
            !name.is_empty()
                && name.chars().count() <= SIGNER_NAME_MAX
                && !self.signer_name.chars().any(char::is_control),
            "signer_name",
            "must be 1..={SIGNER_NAME_MAX} characters on one line"
        );
        crate::ensure_input!(
            self.ip_address.parse::<std::net::IpAddr>().is_ok(),
            "ip_address",
            "{:?} is not an IP address",
            self.ip_address
        );
        crate::ensure_input!(
            self.user_agent.chars().count() <= USER_AGENT_MAX
                && !self.user_agent.chars().any(char::is_control),
            "user_agent",
            "must be at most {USER_AGENT_MAX} characters without control characters"
        );
        Ok(())
    }
}
