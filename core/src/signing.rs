//! Signing on the portal: documents in a folder whose "Signature" column says left or right
//! await a signature; a principal who may see one signs it, the library stamps a visible block
//! "Signé électroniquement par NAME le DD/MM/YYYY à HH:MM" (tenant time zone) at the bottom-left
//! or bottom-right of the last page, stores the signed PDF as a new version next to the
//! original, and records the audit trail: who, when, the host's evidence (IP address, user
//! agent), and the SHA-256 of the original and of the signed file.

use chrono::{DateTime, Utc};

use crate::error::{Error, Result};
use crate::records::document::Document;
use crate::records::folder::SignaturePlacement;
use crate::records::ids::new_id;
use crate::records::notification::Notification;
use crate::records::settings::Settings;
use crate::records::template::{MergeValues, TemplatePurpose};
use crate::store::Change;
use crate::view::PortalView;

pub use crate::records::signature::*;

impl PortalView<'_> {
    /// Whether a document this principal may see awaits his signature.
    pub fn awaits_signature(&self, document_id: &str) -> Result<bool> {
        let party = self.party()?;
        let (d, folder) = self.visible_document(&party, document_id)?;
        Ok(folder.signature.is_some() && d.signature.is_none())
    }

    /// Sign a document awaiting a signature. Signing twice, signing a document whose folder
    /// has no signature side, or a document the principal may not see are typed errors
    /// (`invalid_state`, `invalid_state`, `access_denied`); a broken PDF is a `pdf` error and
    /// nothing is stored.
    pub fn sign(&self, document_id: &str, request: SignRequest) -> Result<Document> {
        request.validate()?;
        let p = self.portal;
        // The audit trail names the stored account, not what the caller's principal carries.
        let (account, party) = self.account_and_party()?;
        let (document, folder) = self.visible_document(&party, document_id)?;
        let placement = folder.signature.ok_or_else(|| {
            Error::state(
                format!("document {}", document.name),
                "is not awaiting a signature (its folder has no signature side)",
            )
        })?;
        if document.signature.is_some() {
            return Err(Error::state(
                format!("document {}", document.name),
                "is already signed",
            ));
        }
        let settings = p.settings()?;
        let now = p.clock.now();
        let local = now.with_timezone(&settings.tz()?);
        let lines = vec![
            format!("Signé électroniquement par {}", request.signer_name.trim()),
            format!(
                "le {} à {}",
                local.format("%d/%m/%Y"),
                local.format("%H:%M")
            ),
        ];
        let original =
            crate::documents::stored_content(p.blobs.as_ref(), &document, &document.sha256)?;
        let signed = stamp(&original, lines, placement, request.image_png.clone())?;
        let signed_sha256 = p.blobs.put(&signed)?;
        let record = SignatureRecord {
            account_id: account.id.clone(),
            identifier: account.identifier.clone(),
            signer_name: request.signer_name.trim().to_string(),
            signed_at: now,
            ip_address: request.ip_address,
            user_agent: request.user_agent,
            placement,
            original_sha256: document.sha256.clone(),
            signed_sha256,
            signed_size: i64::try_from(signed.len()).unwrap_or(i64::MAX),
            with_image: request.image_png.is_some(),
        };
        let signed_document = Document {
            signature: Some(record),
            ..document
        };
        let mut changes = vec![Change::Document(signed_document.clone())];
        // The back office hears of it at the tenant's standard address ("Adresse mail de réponse").
        if let Some(address) = settings.reply_to.clone() {
            changes.push(Change::Notification(self.signature_notice(
                &settings,
                &signed_document,
                &address,
                now,
            )?));
        }
        match p.store.commit(&p.tenant, &changes) {
            Ok(()) => Ok(Document {
                version: signed_document.version + 1,
                ..signed_document
            }),
            Err(Error::Conflict { .. }) => Err(Error::state(
                format!("document {}", signed_document.name),
                "was changed meanwhile (signed twice?)",
            )),
            Err(e) => Err(e),
        }
    }

    fn signature_notice(
        &self,
        settings: &Settings,
        d: &Document,
        address: &str,
        now: DateTime<Utc>,
    ) -> Result<Notification> {
        let p = self.portal;
        let (template, template_version) =
            p.compiled_template(settings, d.audience, TemplatePurpose::SignatureReceived)?;
        let date = now
            .with_timezone(&settings.tz()?)
            .format("%d/%m/%Y %H:%M")
            .to_string();
        let name = d
            .signature
            .as_ref()
            .map(|s| s.signer_name.clone())
            .unwrap_or_default();
        let link = crate::records::folder::LinkTarget::Download
            .link(settings.audience(d.audience).base_url(), &d.id);
        let values = MergeValues {
            document: Some(&d.name),
            link: Some(&link),
            company: Some(&settings.company_name),
            domain: Some(&settings.domain),
            name: Some(&name),
            identifier: d.signature.as_ref().map(|s| s.identifier.as_str()),
            date: Some(&date),
            password: None,
        };
        Ok(Notification {
            document_id: Some(d.id.clone()),
            account_id: Some(self.principal.account_id.clone()),
            link: Some(link.clone()),
            ..Notification::pending(
                new_id(),
                TemplatePurpose::SignatureReceived,
                d.audience,
                d.party_code.clone(),
                address.to_string(),
                (&template, template_version),
                &values,
                now,
            )
        })
    }
}

#[cfg(feature = "pdf")]
fn stamp(
    pdf: &[u8],
    lines: Vec<String>,
    placement: SignaturePlacement,
    image_png: Option<Vec<u8>>,
) -> Result<Vec<u8>> {
    Ok(crate::pdf::stamp_signature(
        pdf,
        &crate::pdf::SignatureStamp {
            lines,
            placement,
            image_png,
        },
    )?)
}

#[cfg(not(feature = "pdf"))]
fn stamp(
    _pdf: &[u8],
    _lines: Vec<String>,
    _placement: SignaturePlacement,
    _image_png: Option<Vec<u8>>,
) -> Result<Vec<u8>> {
    Err(Error::Pdf {
        reason: "built without the pdf feature: cannot stamp a signature".into(),
    })
}

impl crate::documents::Documents<'_> {
    /// The signed version of a document, if it was signed on the portal.
    pub fn signed_content(&self, id: &str) -> Result<Vec<u8>> {
        let d = self.get(id)?;
        let record = d
            .signature
            .as_ref()
            .ok_or_else(|| Error::state(format!("document {}", d.name), "is not signed"))?;
        crate::documents::stored_content(self.portal.blobs.as_ref(), &d, &record.signed_sha256)
    }
}
