//! Documents published into a party's folder, and the publish decision: is it visible on the
//! portal, and is a notification queued (and if not, why not).

use crate::records::audience::Audience;
use crate::records::folder::Folder;
use crate::records::ids::ordered_id;
use crate::records::notification::Notification;
use crate::records::party::Party;
use crate::records::settings::Settings;
use crate::records::template::{CompiledTemplate, TemplatePurpose};

use chrono::{DateTime, Utc};

use crate::error::{Error, Result};
use crate::records::account::AccessEvent;
use crate::records::folder::resolve;
use crate::records::progress::Progress;

pub use crate::records::document::*;
pub use crate::records::page::{Page, PageRequest};

/// The content `sha256` (the original or the signed version) of `document`. The document row
/// promises it: a missing or damaged blob is a `storage` error naming the document, never
/// `not_found` (which would say the document does not exist).
pub(crate) fn stored_content(
    blobs: &dyn crate::blobs::Blobs,
    document: &Document,
    sha256: &str,
) -> Result<Vec<u8>> {
    blobs.get(sha256).map_err(|e| match e {
        Error::NotFound { .. } => Error::storage(format!(
            "content of document {:?} ({}) is missing: blob {sha256}",
            document.name, document.id
        )),
        Error::Storage { reason } => Error::storage(format!(
            "content of document {:?} ({}): {reason}",
            document.name, document.id
        )),
        other => other,
    })
}

/// The documents of a portal: `portal.documents()`.
#[derive(Debug, Clone, Copy)]
pub struct Documents<'a> {
    pub(crate) portal: &'a crate::operations::Portal,
}

/// What a batch publish did, document by document (same order as the input).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PublishReport {
    /// Newly published documents.
    pub published: u64,
    /// Documents already published under the same external id (left as they were).
    pub already_published: u64,
    /// Notifications queued.
    pub notifications_queued: u64,
    /// One outcome per input: the document, or the error for that input.
    pub outcomes: Vec<std::result::Result<Document, Error>>,
}

/// Settings, folders and templates read once for a batch of publishes.
struct PublishCache {
    settings: Settings,
    folders: std::collections::HashMap<Audience, Vec<Folder>>,
    templates: std::collections::HashMap<Audience, (CompiledTemplate, u64)>,
    parties: std::collections::HashMap<(Audience, String), Party>,
    date: String,
}

impl PublishCache {
    fn new(portal: &crate::operations::Portal, now: DateTime<Utc>) -> Result<Self> {
        let settings = portal.settings()?;
        let date = portal.format_date(&settings, now)?;
        Ok(PublishCache {
            settings,
            folders: Default::default(),
            templates: Default::default(),
            parties: Default::default(),
            date,
        })
    }

    fn prepare(
        &mut self,
        portal: &crate::operations::Portal,
        cmd: &Publish,
        now: DateTime<Utc>,
        stored: Option<String>,
    ) -> Result<(Document, Option<Notification>)> {
        cmd.validate()?;
        let key = (cmd.audience, cmd.party_code.clone());
        if !self.parties.contains_key(&key) {
            let party = portal
                .store
                .party(&portal.tenant, cmd.audience, &cmd.party_code)?
                .ok_or_else(|| Error::not_found("party", &cmd.party_code))?;
            self.parties.insert(key.clone(), party);
        }
        if let std::collections::hash_map::Entry::Vacant(e) = self.folders.entry(cmd.audience) {
            e.insert(portal.folder_list(cmd.audience)?);
        }
        if !self.templates.contains_key(&cmd.audience) {
            let t = portal.compiled_template(
                &self.settings,
                cmd.audience,
                TemplatePurpose::DocumentAvailable,
            )?;
            self.templates.insert(cmd.audience, t);
        }
        let folder = resolve(&self.folders[&cmd.audience], &cmd.folder)?;
        let (template, template_version) = &self.templates[&cmd.audience];
        let sha256 = match stored {
            Some(key) => key,
            None => portal.blobs.put(&cmd.content)?,
        };
        let ctx = PublishContext {
            settings: &self.settings,
            party: &self.parties[&key],
            folder,
            template,
            template_version: *template_version,
            date: &self.date,
        };
        Ok(decide_publish(
            &ctx,
            cmd,
            sha256,
            ordered_id(),
            ordered_id(),
            now,
        ))
    }
}

/// Documents per commit in [`Documents::publish_many`]. Fewer, larger commits write each hot
/// index page fewer times (measured in docs/bench-store.md); a crash redoes at most one chunk.
const PUBLISH_BATCH: usize = 10_000;

impl Documents<'_> {
    /// Publish a document into a party's folder ("mise à disposition").
    ///
    /// The content goes to the blobs; the document and, when the folder notifies, the party has
    /// the address and the audience's switch is on, its Pending notification are written in one
    /// commit. Otherwise the document records why no notification was queued. With an external
    /// id, publishing again returns the first document unchanged.
    pub fn publish(&self, cmd: Publish) -> Result<Document> {
        let p = self.portal;
        if let Some(existing) = self.existing(&cmd)? {
            return Ok(existing);
        }
        let now = p.clock.now();
        let mut cache = PublishCache::new(p, now)?;
        let (document, notification) = cache.prepare(p, &cmd, now, None)?;
        let mut changes = vec![crate::store::Change::Document(document.clone())];
        changes.extend(notification.map(crate::store::Change::Notification));
        match p.store.commit(&p.tenant, &changes) {
            Ok(()) => Ok(Document {
                version: 1,
                ..document
            }),
            Err(Error::Conflict { .. }) if cmd.external_id.is_some() => {
                // Published concurrently under the same external id: return that one.
                self.existing(&cmd)?
                    .ok_or_else(|| Error::conflict(format!("document {}", cmd.name)))
            }
            Err(e) => Err(e),
        }
    }

    fn existing(&self, cmd: &Publish) -> Result<Option<Document>> {
        let p = self.portal;
        match &cmd.external_id {
            Some(ext) => p
                .store
                .document_by_external_id(&p.tenant, cmd.audience, ext),
            None => Ok(None),
        }
    }

    /// Publish many documents (a payroll run), committing them in large transactions rather
    /// than one per document. Every guarantee of [`Documents::publish`] holds for each one: a
    /// document and its notification share a commit; inputs already published under their
    /// external id are skipped, so an interrupted run can simply be run again. Bad inputs are
    /// reported one by one and do not stop the others.
    ///
    /// Each chunk is committed optimistically without looking its external ids up first (a
    /// fresh run reads nothing per document); when the store refuses the chunk because an
    /// external id exists already (a resumed run, or a concurrent publisher), the chunk's
    /// external ids are looked up and only the new documents are committed.
    pub fn publish_many(
        &self,
        commands: Vec<Publish>,
        progress: &dyn Fn(Progress),
    ) -> Result<PublishReport> {
        let p = self.portal;
        let total = commands.len() as u64;
        let now = p.clock.now();
        let mut cache = PublishCache::new(p, now)?;
        let mut outcomes: Vec<Option<std::result::Result<Document, Error>>> =
            Vec::with_capacity(commands.len());
        let mut report = PublishReport::default();
        let mut done = 0u64;
        let mut seen_external = std::collections::HashSet::new();
        for chunk in commands.chunks(PUBLISH_BATCH) {
            let base = outcomes.len();
            // Prepared documents with their input index, and the commit's changes.
            let mut prepared: Vec<(usize, Document, Option<Notification>)> =
                Vec::with_capacity(chunk.len());
            // The chunk's contents first, durable in one batch (one file-system sync for
            // FsBlobs instead of one per document), before any row points at them.
            let valid: Vec<usize> = (0..chunk.len())
                .filter(|i| chunk[*i].validate().is_ok())
                .collect();
            let contents: Vec<&[u8]> = valid.iter().map(|i| chunk[*i].content.as_slice()).collect();
            let mut stored: std::collections::HashMap<usize, String> = valid
                .into_iter()
                .zip(p.blobs.put_many(&contents)?)
                .collect();
            for (i, cmd) in chunk.iter().enumerate() {
                let slot = base + i;
                outcomes.push(None);
                if let Some(ext) = &cmd.external_id {
                    if !seen_external.insert((cmd.audience, ext.clone())) {
                        outcomes[slot] = Some(Err(Error::invalid(
                            "external_id",
                            format!("{ext:?} appears twice in the batch"),
                        )));
                        continue;
                    }
                }
                match cache.prepare(p, cmd, now, stored.remove(&i)) {
                    Ok((d, n)) => prepared.push((slot, d, n)),
                    // Published earlier (its party may have gone since): the first one stands.
                    Err(e) => match self.existing(cmd)? {
                        Some(existing) => {
                            report.already_published += 1;
                            outcomes[slot] = Some(Ok(existing));
                        }
                        None => outcomes[slot] = Some(Err(e)),
                    },
                }
            }
            match self.commit_prepared(&prepared) {
                Ok(()) => {}
                Err(Error::Conflict { .. }) => {
                    // Some external ids exist already: keep the first documents, commit the rest.
                    let mut fresh = Vec::with_capacity(prepared.len());
                    for (slot, d, n) in prepared {
                        match self.existing(&chunk[slot - base])? {
                            Some(existing) => {
                                report.already_published += 1;
                                outcomes[slot] = Some(Ok(existing));
                            }
                            None => fresh.push((slot, d, n)),
                        }
                    }
                    prepared = match self.commit_prepared(&fresh) {
                        Ok(()) => fresh,
                        // Still racing another publisher: one commit per document.
                        Err(Error::Conflict { .. }) => {
                            let mut won = Vec::new();
                            for (slot, d, n) in fresh {
                                let one = [(slot, d, n)];
                                match self.commit_prepared(&one) {
                                    Ok(()) => won.extend(one),
                                    Err(Error::Conflict { .. }) => {
                                        let existing = self.existing(&chunk[slot - base])?;
                                        outcomes[slot] = Some(match existing {
                                            Some(d) => {
                                                report.already_published += 1;
                                                Ok(d)
                                            }
                                            None => Err(Error::conflict(format!(
                                                "document {}",
                                                chunk[slot - base].name
                                            ))),
                                        });
                                    }
                                    Err(e) => return Err(e),
                                }
                            }
                            won
                        }
                        Err(e) => return Err(e),
                    };
                }
                Err(e) => return Err(e),
            }
            for (slot, d, n) in prepared {
                report.published += 1;
                report.notifications_queued += u64::from(n.is_some());
                outcomes[slot] = Some(Ok(Document { version: 1, ..d }));
            }
            done += chunk.len() as u64;
            progress(Progress {
                phase: crate::records::progress::Phase::Publishing,
                done,
                total,
            });
        }
        report.outcomes = outcomes
            .into_iter()
            .map(|o| o.unwrap_or_else(|| Err(Error::state("document", "not committed"))))
            .collect();
        Ok(report)
    }

    /// Commit prepared documents and their notifications in one transaction.
    fn commit_prepared(&self, prepared: &[(usize, Document, Option<Notification>)]) -> Result<()> {
        if prepared.is_empty() {
            return Ok(());
        }
        let mut changes = Vec::with_capacity(prepared.len() * 2);
        for (_, d, n) in prepared {
            changes.push(crate::store::Change::Document(d.clone()));
            changes.extend(n.clone().map(crate::store::Change::Notification));
        }
        let p = self.portal;
        p.store.commit(&p.tenant, &changes)
    }

    /// A document by id.
    pub fn get(&self, id: &str) -> Result<Document> {
        let p = self.portal;
        p.store
            .document(&p.tenant, id)?
            .ok_or_else(|| Error::not_found("document", id))
    }

    /// A document by the host's external id.
    pub fn find_by_external_id(
        &self,
        audience: Audience,
        external_id: &str,
    ) -> Result<Option<Document>> {
        let p = self.portal;
        p.store
            .document_by_external_id(&p.tenant, audience, external_id)
    }

    /// Every document of a party (back-office view: shared or not), newest first.
    pub fn list(
        &self,
        audience: Audience,
        party_code: &str,
        page: PageRequest,
    ) -> Result<Page<Document>> {
        let p = self.portal;
        let (offset, limit) = page.resolve(p.settings()?.audience(audience).page_size)?;
        p.store.documents(
            &p.tenant,
            &crate::store::DocumentQuery {
                audience,
                party_code: party_code.to_string(),
                folder_ids: None,
                include_invoices: true,
                offset,
                limit,
            },
        )
    }

    /// The content of a document (back office; the portal side records downloads instead).
    /// A missing or damaged content is a `storage` error naming the document.
    pub fn content(&self, id: &str) -> Result<Vec<u8>> {
        let d = self.get(id)?;
        stored_content(self.portal.blobs.as_ref(), &d, &d.sha256)
    }

    /// Mark a document paid or unpaid ("passer un dossier en payé / impayé").
    pub fn set_payment(&self, id: &str, payment: PaymentStatus) -> Result<Document> {
        let p = self.portal;
        crate::operations::retry_on_conflict(
            || format!("document {id}"),
            || {
                let next = Document {
                    payment,
                    ..self.get(id)?
                };
                p.store
                    .commit(&p.tenant, &[crate::store::Change::Document(next.clone())])?;
                Ok(Document {
                    version: next.version + 1,
                    ..next
                })
            },
        )
    }
}

impl Documents<'_> {
    /// The download history of a document ("historique d'accès"), newest first.
    pub fn downloads(&self, id: &str, page: PageRequest) -> Result<Page<AccessEvent>> {
        let p = self.portal;
        let d = self.get(id)?;
        let (offset, limit) = page.resolve(p.settings()?.audience(d.audience).page_size)?;
        p.store.access_events(&p.tenant, id, offset, limit)
    }
}
