//! What a logged-in portal user sees: the shared folders of his audience, his visible
//! documents (paged), and downloads (recorded: count, first/last time, access history).
//!
//! Every call checks again that the principal's account is active and authorised, and every
//! query is bound to the principal's tenant, audience and party: a client never reads an
//! employee's data, nor another party's, nor another tenant's.

use crate::error::{Error, Result};
use crate::operations::Portal;
use crate::records::account::Account;
use crate::records::account::{AccessEvent, AccountStatus, Principal};
use crate::records::document::{is_visible, Document};
use crate::records::folder::resolve;
use crate::records::folder::Folder;
use crate::records::ids::new_id;
use crate::records::page::{Page, PageRequest};
use crate::records::party::Party;
use crate::records::settings::UnpaidPolicy;
use crate::store::{Change, DocumentQuery};

/// The portal as one principal sees it: `portal.view(&principal)`.
#[derive(Debug, Clone, Copy)]
pub struct PortalView<'a> {
    pub(crate) portal: &'a Portal,
    pub(crate) principal: &'a Principal,
}

/// A downloaded document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    /// The document, with its download count updated.
    pub document: Document,
    /// The bytes to serve (a stamped copy under the unpaid watermark policy).
    pub content: Vec<u8>,
    /// Whether `content` is the watermarked copy rather than the original.
    pub watermarked: bool,
}

impl<'a> PortalView<'a> {
    /// The principal's party, after checking the account may still use the portal.
    pub(crate) fn party(&self) -> Result<Party> {
        Ok(self.account_and_party()?.1)
    }

    /// The principal's stored account and party, after the same checks as [`Self::party`]:
    /// what the principal claims is checked, what is recorded comes from here.
    pub(crate) fn account_and_party(&self) -> Result<(Account, Party)> {
        let p = self.portal;
        let account = p
            .store
            .account(&p.tenant, &self.principal.account_id)?
            .ok_or(Error::AccessDenied)?;
        if account.status != AccountStatus::Active
            || !account.authorized
            || account.audience != self.principal.audience
            || account.party_code != self.principal.party_code
        {
            return Err(Error::AccessDenied);
        }
        let party = p
            .store
            .party(&p.tenant, account.audience, &account.party_code)?
            .ok_or(Error::AccessDenied)?;
        Ok((account, party))
    }

    /// The shared folders of the principal's audience ("Portail" ticked), by path.
    pub fn folders(&self) -> Result<Vec<Folder>> {
        self.party()?;
        Ok(self
            .portal
            .folder_list(self.principal.audience)?
            .into_iter()
            .filter(|f| f.shared)
            .collect())
    }

    /// The principal's visible documents, newest first: in shared folders, and invoices only
    /// when his e-invoicing consent is Accepted. `folder` (path or label) narrows to one folder.
    pub fn documents(&self, folder: Option<&str>, page: PageRequest) -> Result<Page<Document>> {
        let p = self.portal;
        let party = self.party()?;
        let shared: Vec<Folder> = p
            .folder_list(party.audience)?
            .into_iter()
            .filter(|f| f.shared)
            .collect();
        let folder_ids = match folder {
            Some(reference) => vec![resolve(&shared, reference)?.id.clone()],
            None => shared.iter().map(|f| f.id.clone()).collect(),
        };
        let (offset, limit) = page.resolve(p.settings()?.audience(party.audience).page_size)?;
        p.store.documents(
            &p.tenant,
            &DocumentQuery {
                audience: party.audience,
                party_code: party.code.clone(),
                folder_ids: Some(folder_ids),
                include_invoices: party.einvoicing
                    == crate::records::party::EInvoicingConsent::Accepted,
                offset,
                limit,
            },
        )
    }

    /// A document the principal may see; `access_denied` for anything else.
    pub fn document(&self, document_id: &str) -> Result<Document> {
        let party = self.party()?;
        self.visible_document(&party, document_id).map(|(d, _)| d)
    }

    pub(crate) fn visible_document(
        &self,
        party: &Party,
        document_id: &str,
    ) -> Result<(Document, Folder)> {
        let p = self.portal;
        let d = p
            .store
            .document(&p.tenant, document_id)?
            .ok_or(Error::AccessDenied)?;
        if d.audience != party.audience || d.party_code != party.code {
            return Err(Error::AccessDenied);
        }
        let folder = p
            .folder_list(d.audience)?
            .into_iter()
            .find(|f| f.id == d.folder_id)
            .ok_or(Error::AccessDenied)?;
        if !is_visible(&folder, party, d.kind) {
            return Err(Error::AccessDenied);
        }
        Ok((d, folder))
    }

    /// Download a document: its bytes (the signed version once signed), and a recorded download (count, first and last time,
    /// one access-history row). Under the unpaid policy a party with unpaid documents gets a
    /// watermarked copy or `payment_required`.
    pub fn open(&self, document_id: &str) -> Result<Download> {
        let p = self.portal;
        let party = self.party()?;
        let (document, _) = self.visible_document(&party, document_id)?;
        // A signed document is served in its signed version.
        let current = document
            .signature
            .as_ref()
            .map_or(&document.sha256, |s| &s.signed_sha256);
        let original = crate::documents::stored_content(p.blobs.as_ref(), &document, current)?;
        let (content, watermarked) = p.apply_unpaid_policy(&party, &document, original)?;
        // The content was read: recording the download must not fail on a concurrent download
        // of the same document, so lost races are retried, after a random pause that grows.
        let document = retry_with_jitter(
            || format!("document {document_id}"),
            || {
                let mut d = p
                    .store
                    .document(&p.tenant, document_id)?
                    .ok_or(Error::AccessDenied)?;
                let now = p.clock.now();
                d.downloads += 1;
                d.first_download_at.get_or_insert(now);
                d.last_download_at = Some(now);
                let event = AccessEvent {
                    id: new_id(),
                    audience: party.audience,
                    party_code: party.code.clone(),
                    document_id: d.id.clone(),
                    account_id: self.principal.account_id.clone(),
                    at: now,
                };
                p.store.commit(
                    &p.tenant,
                    &[Change::Document(d.clone()), Change::AccessEvent(event)],
                )?;
                d.version += 1;
                Ok(d)
            },
        )?;
        Ok(Download {
            document,
            content,
            watermarked,
        })
    }
}

/// Lost optimistic races before [`retry_with_jitter`] gives up: with the pause doubling up to
/// [`JITTER_MAX_MS`], dozens of concurrent downloads of one document all get through.
const JITTER_RETRIES: u32 = 64;
/// Longest pause between two attempts, in milliseconds.
const JITTER_MAX_MS: u64 = 32;

/// Run `step` until it does not lose an optimistic race (`conflict`), sleeping a random pause
/// between attempts (up to 1, 2, 4, ... [`JITTER_MAX_MS`] ms) so that concurrent writers of one
/// row spread out instead of colliding again; `conflict` on `what` after [`JITTER_RETRIES`].
fn retry_with_jitter<T>(
    what: impl FnOnce() -> String,
    mut step: impl FnMut() -> Result<T>,
) -> Result<T> {
    use rand::Rng;
    for attempt in 0..JITTER_RETRIES {
        match step() {
            Err(Error::Conflict { .. }) => {
                let ceiling = (1u64 << attempt.min(6)).min(JITTER_MAX_MS);
                let micros = rand::thread_rng().gen_range(0..=ceiling * 1000);
                std::thread::sleep(std::time::Duration::from_micros(micros));
            }
            other => return other,
        }
    }
    Err(Error::conflict(what()))
}

impl Portal {
    /// The bytes a party gets for a document under its audience's unpaid policy ("Gestion des
    /// impayés", seed 003): a party with at least one unpaid document, unless exempt, gets its
    /// PDFs stamped on every page (a document that is not a PDF cannot be stamped and is
    /// refused) or, under the block policy, nothing (`payment_required`).
    pub(crate) fn apply_unpaid_policy(
        &self,
        party: &Party,
        document: &Document,
        original: Vec<u8>,
    ) -> Result<(Vec<u8>, bool)> {
        let settings = self.settings()?;
        let audience = settings.audience(party.audience);
        if audience.unpaid_policy == UnpaidPolicy::None
            || party.unpaid_exempt
            || !self
                .store
                .party_has_unpaid(&self.tenant, party.audience, &party.code)?
        {
            return Ok((original, false));
        }
        let refused = || Error::PaymentRequired {
            document: document.name.clone(),
        };
        match audience.unpaid_policy {
            UnpaidPolicy::None => Ok((original, false)),
            UnpaidPolicy::Block => Err(refused()),
            UnpaidPolicy::Watermark => {
                if !is_pdf(document, &original) {
                    return Err(refused());
                }
                stamp_watermark(&original, &audience.watermark_text).map(|stamped| (stamped, true))
            }
        }
    }
}

fn is_pdf(document: &Document, bytes: &[u8]) -> bool {
    document.content_type == "application/pdf" || bytes.starts_with(b"%PDF-")
}

#[cfg(feature = "pdf")]
fn stamp_watermark(pdf: &[u8], text: &str) -> Result<Vec<u8>> {
    Ok(crate::pdf::watermark(pdf, text)?)
}

#[cfg(not(feature = "pdf"))]
fn stamp_watermark(_pdf: &[u8], _text: &str) -> Result<Vec<u8>> {
    Err(Error::Pdf {
        reason: "built without the pdf feature: cannot stamp".into(),
    })
}
