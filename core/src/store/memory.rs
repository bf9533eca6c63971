//! [`MemoryStore`]: every record in memory, behind one lock. Commits are atomic through an undo
//! log: a failing change rolls back the ones before it.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Mutex;

use chrono::{DateTime, Utc};

use super::{
    attempt_is_spent, next_attempt, AccountFilter, AttemptGate, AttemptState, Change,
    DocumentQuery, Store,
};
use crate::error::{Error, Result};
use crate::records::account::{AccessEvent, Account, AccountStatus, Token};
use crate::records::audience::Audience;
use crate::records::document::{Document, DocumentKind, PaymentStatus};
use crate::records::folder::Folder;
use crate::records::notification::{Notification, NotificationFilter};
use crate::records::page::Page;
use crate::records::party::Party;
use crate::records::settings::Settings;
use crate::records::template::{Template, TemplatePurpose};

/// Every record in memory. Cheap to create; nothing survives the process.
///
/// ```
/// use std::sync::Arc;
/// use portail::{MemoryStore, Portal, Settings};
/// let portal = Portal::builder("acme")
///     .settings(Settings::new("ACME", "acme.example"))
///     .store(Arc::new(MemoryStore::new()))
///     .build()?;
/// # Ok::<(), portail::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct MemoryStore {
    tenants: Mutex<HashMap<String, Tenant>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn read<T>(&self, tenant: &str, f: impl FnOnce(&Tenant) -> T) -> Result<T> {
        let guard = self
            .tenants
            .lock()
            .map_err(|_| Error::storage("memory store lock poisoned"))?;
        static EMPTY: std::sync::OnceLock<Tenant> = std::sync::OnceLock::new();
        Ok(f(guard
            .get(tenant)
            .unwrap_or_else(|| EMPTY.get_or_init(Tenant::default))))
    }
}

type DocKey = (DateTime<Utc>, String);

#[derive(Debug, Default)]
struct Tenant {
    settings: Option<Settings>,
    parties: BTreeMap<(Audience, String), Party>,
    folders: BTreeMap<String, Folder>,
    templates: BTreeMap<(Audience, TemplatePurpose), Template>,
    documents: HashMap<String, Document>,
    docs_by_party: HashMap<(Audience, String), BTreeSet<DocKey>>,
    external_ids: HashMap<(Audience, String), String>,
    notifications: HashMap<String, Notification>,
    open_notifications: BTreeSet<String>,
    accounts: HashMap<String, Account>,
    identifiers: HashMap<(Audience, String), String>,
    /// Confusable skeletons of chosen identifiers, held like identifiers.
    skeletons: HashMap<(Audience, String), String>,
    /// The live-account slots ([`Account::live_slot`]): one account per slot.
    live_slots: HashMap<(Audience, String), String>,
    attempts: HashMap<String, AttemptState>,
    /// Size of `attempts` after its last sweep of spent counters.
    attempts_swept_at: usize,
    tokens: HashMap<String, Token>,
    access_events: HashMap<String, Vec<AccessEvent>>,
}

enum Undo {
    Settings(Option<Settings>),
    Party((Audience, String), Option<Party>),
    Folder(String, Option<Folder>),
    Template((Audience, TemplatePurpose), Option<Template>),
    Document(String, Option<Document>),
    Notification(String, Option<Notification>),
    Account(String, Option<Account>),
    Token(String, Option<Token>),
    AccessEvent(String),
}

fn check_version(what: impl FnOnce() -> String, stored: Option<u64>, expected: u64) -> Result<()> {
    match (stored, expected) {
        (None, 0) => Ok(()),
        (Some(v), e) if v == e && e > 0 => Ok(()),
        _ => Err(Error::conflict(what())),
    }
}

/// The page at `offset` of the matching rows, cloning only the rows of the page.
fn page<T: Clone>(matching: &[&T], offset: u64, limit: u32) -> Page<T> {
    let start = (offset as usize).min(matching.len());
    let end = start.saturating_add(limit as usize).min(matching.len());
    Page {
        items: matching[start..end]
            .iter()
            .map(|row| (*row).clone())
            .collect(),
        total: matching.len() as u64,
        offset,
        limit,
    }
}

impl Tenant {
    fn put_document(&mut self, d: Document) -> Option<Document> {
        let prev = self.remove_document(&d.id);
        self.docs_by_party
            .entry((d.audience, d.party_code.clone()))
            .or_default()
            .insert((d.published_at, d.id.clone()));
        if let Some(e) = &d.external_id {
            self.external_ids
                .insert((d.audience, e.clone()), d.id.clone());
        }
        self.documents.insert(d.id.clone(), d);
        prev
    }

    fn remove_document(&mut self, id: &str) -> Option<Document> {
        let d = self.documents.remove(id)?;
        if let Some(set) = self
            .docs_by_party
            .get_mut(&(d.audience, d.party_code.clone()))
        {
            set.remove(&(d.published_at, d.id.clone()));
        }
        if let Some(e) = &d.external_id {
            self.external_ids.remove(&(d.audience, e.clone()));
        }
        Some(d)
    }

    fn put_notification(&mut self, n: Notification) -> Option<Notification> {
        if n.state.is_open() {
            self.open_notifications.insert(n.id.clone());
        } else {
            self.open_notifications.remove(&n.id);
        }
        self.notifications.insert(n.id.clone(), n)
    }

    fn remove_notification(&mut self, id: &str) -> Option<Notification> {
        self.open_notifications.remove(id);
        self.notifications.remove(id)
    }

    fn put_account(&mut self, a: Account) -> Option<Account> {
        let prev = self.remove_account(&a.id);
        if a.status != AccountStatus::Revoked {
            self.identifiers
                .insert((a.audience, a.identifier_key.clone()), a.id.clone());
            if let Some(sk) = &a.identifier_skeleton {
                self.skeletons
                    .insert((a.audience, sk.clone()), a.id.clone());
            }
        }
        if let Some(slot) = a.live_slot() {
            self.live_slots.insert((a.audience, slot), a.id.clone());
        }
        self.accounts.insert(a.id.clone(), a);
        prev
    }

    fn remove_account(&mut self, id: &str) -> Option<Account> {
        let a = self.accounts.remove(id)?;
        let key = (a.audience, a.identifier_key.clone());
        if self.identifiers.get(&key) == Some(&a.id) {
            self.identifiers.remove(&key);
        }
        if let Some(sk) = &a.identifier_skeleton {
            let key = (a.audience, sk.clone());
            if self.skeletons.get(&key) == Some(&a.id) {
                self.skeletons.remove(&key);
            }
        }
        if let Some(slot) = a.live_slot() {
            let key = (a.audience, slot);
            if self.live_slots.get(&key) == Some(&a.id) {
                self.live_slots.remove(&key);
            }
        }
        Some(a)
    }

    fn apply(&mut self, change: &Change) -> Result<Undo> {
        Ok(match change {
            Change::Settings(s) => {
                check_version(
                    || "settings".into(),
                    self.settings.as_ref().map(|x| x.version),
                    s.version,
                )?;
                let mut s = s.clone();
                s.version += 1;
                Undo::Settings(self.settings.replace(s))
            }
            Change::Party(p) => {
                let key = (p.audience, p.code.clone());
                check_version(
                    || format!("party {}", p.code),
                    self.parties.get(&key).map(|x| x.version),
                    p.version,
                )?;
                let mut p = p.clone();
                p.version += 1;
                Undo::Party(key.clone(), self.parties.insert(key, p))
            }
            Change::Folder(f) => {
                check_version(
                    || format!("folder {}", f.path),
                    self.folders.get(&f.id).map(|x| x.version),
                    f.version,
                )?;
                if self
                    .folders
                    .values()
                    .any(|o| o.id != f.id && o.audience == f.audience && o.path == f.path)
                {
                    return Err(Error::conflict(format!("folder path {}", f.path)));
                }
                let mut f = f.clone();
                f.version += 1;
                Undo::Folder(f.id.clone(), self.folders.insert(f.id.clone(), f))
            }
            Change::DeleteFolder { id, version } => {
                check_version(
                    || format!("folder {id}"),
                    self.folders.get(id).map(|x| x.version),
                    *version,
                )?;
                Undo::Folder(id.clone(), self.folders.remove(id))
            }
            Change::Template(t) => {
                let key = (t.audience, t.purpose);
                check_version(
                    || format!("template {}", t.purpose.as_str()),
                    self.templates.get(&key).map(|x| x.version),
                    t.version,
                )?;
                let mut t = t.clone();
                t.version += 1;
                Undo::Template(key, self.templates.insert(key, t))
            }
            Change::Document(d) => {
                check_version(
                    || format!("document {}", d.id),
                    self.documents.get(&d.id).map(|x| x.version),
                    d.version,
                )?;
                if let Some(e) = &d.external_id {
                    if let Some(other) = self.external_ids.get(&(d.audience, e.clone())) {
                        if *other != d.id {
                            return Err(Error::conflict(format!("document external id {e}")));
                        }
                    }
                }
                let mut d = d.clone();
                d.version += 1;
                let id = d.id.clone();
                Undo::Document(id, self.put_document(d))
            }
            Change::Notification(n) => {
                check_version(
                    || format!("notification {}", n.id),
                    self.notifications.get(&n.id).map(|x| x.version),
                    n.version,
                )?;
                let mut n = n.clone();
                n.version += 1;
                let id = n.id.clone();
                Undo::Notification(id, self.put_notification(n))
            }
            Change::Account(a) => {
                check_version(
                    || format!("account {}", a.identifier),
                    self.accounts.get(&a.id).map(|x| x.version),
                    a.version,
                )?;
                if a.status != AccountStatus::Revoked {
                    if let Some(other) = self
                        .identifiers
                        .get(&(a.audience, a.identifier_key.clone()))
                    {
                        if *other != a.id {
                            return Err(Error::IdentifierTaken {
                                identifier: a.identifier.clone(),
                            });
                        }
                    }
                    if let Some(sk) = &a.identifier_skeleton {
                        if let Some(other) = self.skeletons.get(&(a.audience, sk.clone())) {
                            if *other != a.id {
                                return Err(Error::IdentifierTaken {
                                    identifier: a.identifier.clone(),
                                });
                            }
                        }
                    }
                }
                if let Some(slot) = a.live_slot() {
                    if let Some(other) = self.live_slots.get(&(a.audience, slot.clone())) {
                        if *other != a.id {
                            return Err(super::live_slot_taken(&slot));
                        }
                    }
                }
                let mut a = a.clone();
                a.version += 1;
                let id = a.id.clone();
                Undo::Account(id, self.put_account(a))
            }
            Change::Token(t) => {
                check_version(
                    || "token".into(),
                    self.tokens.get(&t.hash).map(|x| x.version),
                    t.version,
                )?;
                let mut t = t.clone();
                t.version += 1;
                Undo::Token(t.hash.clone(), self.tokens.insert(t.hash.clone(), t))
            }
            Change::AccessEvent(e) => {
                self.access_events
                    .entry(e.document_id.clone())
                    .or_default()
                    .push(e.clone());
                Undo::AccessEvent(e.document_id.clone())
            }
        })
    }

    fn undo(&mut self, undo: Undo) {
        match undo {
            Undo::Settings(prev) => self.settings = prev,
            Undo::Party(k, prev) => restore(&mut self.parties, k, prev),
            Undo::Folder(k, prev) => restore(&mut self.folders, k, prev),
            Undo::Template(k, prev) => restore(&mut self.templates, k, prev),
            Undo::Document(id, prev) => {
                self.remove_document(&id);
                if let Some(p) = prev {
                    self.put_document(p);
                }
            }
            Undo::Notification(id, prev) => {
                self.remove_notification(&id);
                if let Some(p) = prev {
                    self.put_notification(p);
                }
            }
            Undo::Account(id, prev) => {
                self.remove_account(&id);
                if let Some(p) = prev {
                    self.put_account(p);
                }
            }
            Undo::Token(k, prev) => match prev {
                Some(p) => {
                    self.tokens.insert(k, p);
                }
                None => {
                    self.tokens.remove(&k);
                }
            },
            Undo::AccessEvent(doc) => {
                if let Some(v) = self.access_events.get_mut(&doc) {
                    v.pop();
                }
            }
        }
    }
}

fn restore<K: Ord, V>(map: &mut BTreeMap<K, V>, key: K, prev: Option<V>) {
    match prev {
        Some(p) => {
            map.insert(key, p);
        }
        None => {
            map.remove(&key);
        }
    }
}

impl Store for MemoryStore {
    fn settings(&self, tenant: &str) -> Result<Option<Settings>> {
        self.read(tenant, |t| t.settings.clone())
    }

    fn party(&self, tenant: &str, audience: Audience, code: &str) -> Result<Option<Party>> {
        self.read(tenant, |t| {
            t.parties.get(&(audience, code.to_string())).cloned()
        })
    }

    fn parties(
        &self,
        tenant: &str,
        audience: Audience,
        offset: u64,
        limit: u32,
    ) -> Result<Page<Party>> {
        self.read(tenant, |t| {
            let all: Vec<&Party> = t
                .parties
                .values()
                .filter(|p| p.audience == audience)
                .collect();
            page(&all, offset, limit)
        })
    }

    fn folders(&self, tenant: &str, audience: Audience) -> Result<Vec<Folder>> {
        self.read(tenant, |t| {
            let mut v: Vec<Folder> = t
                .folders
                .values()
                .filter(|f| f.audience == audience)
                .cloned()
                .collect();
            v.sort_by(|a, b| a.path.cmp(&b.path));
            v
        })
    }

    fn templates(&self, tenant: &str, audience: Audience) -> Result<Vec<Template>> {
        self.read(tenant, |t| {
            t.templates
                .values()
                .filter(|x| x.audience == audience)
                .cloned()
                .collect()
        })
    }

    fn document(&self, tenant: &str, id: &str) -> Result<Option<Document>> {
        self.read(tenant, |t| t.documents.get(id).cloned())
    }

    fn document_by_external_id(
        &self,
        tenant: &str,
        audience: Audience,
        external_id: &str,
    ) -> Result<Option<Document>> {
        self.read(tenant, |t| {
            t.external_ids
                .get(&(audience, external_id.to_string()))
                .and_then(|id| t.documents.get(id))
                .cloned()
        })
    }

    fn documents(&self, tenant: &str, q: &DocumentQuery) -> Result<Page<Document>> {
        self.read(tenant, |t| {
            let Some(keys) = t.docs_by_party.get(&(q.audience, q.party_code.clone())) else {
                return Page {
                    items: vec![],
                    total: 0,
                    offset: q.offset,
                    limit: q.limit,
                };
            };
            let matching: Vec<&Document> = keys
                .iter()
                .rev()
                .filter_map(|(_, id)| t.documents.get(id))
                .filter(|d| {
                    q.folder_ids
                        .as_ref()
                        .is_none_or(|f| f.contains(&d.folder_id))
                })
                .filter(|d| q.include_invoices || d.kind != DocumentKind::Invoice)
                .collect();
            page(&matching, q.offset, q.limit)
        })
    }

    fn count_documents_in_folder(&self, tenant: &str, folder_id: &str) -> Result<u64> {
        self.read(tenant, |t| {
            t.documents
                .values()
                .filter(|d| d.folder_id == folder_id)
                .count() as u64
        })
    }

    fn party_has_unpaid(&self, tenant: &str, audience: Audience, party_code: &str) -> Result<bool> {
        self.read(tenant, |t| {
            t.docs_by_party
                .get(&(audience, party_code.to_string()))
                .is_some_and(|keys| {
                    keys.iter()
                        .filter_map(|(_, id)| t.documents.get(id))
                        .any(|d| d.payment == PaymentStatus::Unpaid)
                })
        })
    }

    fn notification(&self, tenant: &str, id: &str) -> Result<Option<Notification>> {
        self.read(tenant, |t| t.notifications.get(id).cloned())
    }

    fn notifications(
        &self,
        tenant: &str,
        filter: &NotificationFilter,
        offset: u64,
        limit: u32,
    ) -> Result<Page<Notification>> {
        self.read(tenant, |t| {
            let mut all: Vec<&Notification> = t
                .notifications
                .values()
                .filter(|n| filter.matches(n))
                .collect();
            all.sort_by(|a, b| (b.created_at, &b.id).cmp(&(a.created_at, &a.id)));
            page(&all, offset, limit)
        })
    }

    fn due_notifications(
        &self,
        tenant: &str,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Notification>> {
        self.read(tenant, |t| {
            let mut due: Vec<&Notification> = t
                .open_notifications
                .iter()
                .filter_map(|id| t.notifications.get(id))
                .filter(|n| n.is_due(now))
                .collect();
            due.sort_by(|a, b| (a.next_attempt_at, &a.id).cmp(&(b.next_attempt_at, &b.id)));
            due.into_iter().take(limit as usize).cloned().collect()
        })
    }

    fn account(&self, tenant: &str, id: &str) -> Result<Option<Account>> {
        self.read(tenant, |t| t.accounts.get(id).cloned())
    }

    fn account_by_identifier(
        &self,
        tenant: &str,
        audience: Audience,
        identifier_key: &str,
    ) -> Result<Option<Account>> {
        self.read(tenant, |t| {
            t.identifiers
                .get(&(audience, identifier_key.to_string()))
                .and_then(|id| t.accounts.get(id))
                .cloned()
        })
    }

    fn accounts(
        &self,
        tenant: &str,
        filter: &AccountFilter,
        offset: u64,
        limit: u32,
    ) -> Result<Page<Account>> {
        self.read(tenant, |t| {
            let mut all: Vec<&Account> =
                t.accounts.values().filter(|a| filter.matches(a)).collect();
            all.sort_by(|a, b| {
                (a.audience, &a.party_code, a.created_at, &a.id).cmp(&(
                    b.audience,
                    &b.party_code,
                    b.created_at,
                    &b.id,
                ))
            });
            page(&all, offset, limit)
        })
    }

    fn token(&self, tenant: &str, hash: &str) -> Result<Option<Token>> {
        self.read(tenant, |t| t.tokens.get(hash).cloned())
    }

    fn access_events(
        &self,
        tenant: &str,
        document_id: &str,
        offset: u64,
        limit: u32,
    ) -> Result<Page<AccessEvent>> {
        self.read(tenant, |t| {
            let mut all: Vec<&AccessEvent> = t
                .access_events
                .get(document_id)
                .map(|events| events.iter().collect())
                .unwrap_or_default();
            all.sort_by(|a, b| (b.at, &b.id).cmp(&(a.at, &a.id)));
            page(&all, offset, limit)
        })
    }

    fn begin_attempt(
        &self,
        tenant: &str,
        key: &str,
        limit: u32,
        lockout: chrono::Duration,
        now: DateTime<Utc>,
    ) -> Result<AttemptGate> {
        let mut guard = self
            .tenants
            .lock()
            .map_err(|_| Error::storage("memory store lock poisoned"))?;
        let t = guard.entry(tenant.to_string()).or_default();
        let current = t.attempts.get(key).copied().unwrap_or_default();
        let (gate, next) = next_attempt(current, limit, lockout, now);
        if let Some(next) = next {
            t.attempts.insert(key.to_string(), next);
            // Drop spent counters once the map has doubled since the last sweep: amortised
            // constant work per attempt, and a bounded map under invented identifiers.
            if t.attempts.len() >= t.attempts_swept_at.saturating_mul(2).max(64) {
                t.attempts
                    .retain(|k, s| k == key || !attempt_is_spent(s, lockout, now));
                t.attempts_swept_at = t.attempts.len();
            }
        }
        Ok(gate)
    }

    fn clear_attempts(&self, tenant: &str, key: &str) -> Result<()> {
        let mut guard = self
            .tenants
            .lock()
            .map_err(|_| Error::storage("memory store lock poisoned"))?;
        if let Some(t) = guard.get_mut(tenant) {
            t.attempts.remove(key);
        }
        Ok(())
    }

    fn attempts(&self, tenant: &str, key: &str) -> Result<AttemptState> {
        self.read(tenant, |t| t.attempts.get(key).copied().unwrap_or_default())
    }

    fn claim_due(
        &self,
        tenant: &str,
        due_at: DateTime<Utc>,
        lease: chrono::Duration,
        limit: u32,
    ) -> Result<Vec<Notification>> {
        let store_now = self.store_time()?;
        let until = store_now + lease;
        let mut guard = self
            .tenants
            .lock()
            .map_err(|_| Error::storage("memory store lock poisoned"))?;
        let Some(t) = guard.get_mut(tenant) else {
            return Ok(Vec::new());
        };
        let mut due: Vec<(DateTime<Utc>, String)> = t
            .open_notifications
            .iter()
            .filter_map(|id| t.notifications.get(id))
            .filter(|n| {
                n.next_attempt_at <= due_at && n.claimed_until.is_none_or(|c| c <= store_now)
            })
            .map(|n| (n.next_attempt_at, n.id.clone()))
            .collect();
        due.sort();
        due.truncate(limit as usize);
        let mut won = Vec::with_capacity(due.len());
        for (_, id) in due {
            if let Some(n) = t.notifications.get_mut(&id) {
                n.claimed_until = Some(until);
                n.version += 1;
                won.push(n.clone());
            }
        }
        Ok(won)
    }

    fn commit(&self, tenant: &str, changes: &[Change]) -> Result<()> {
        let mut guard = self
            .tenants
            .lock()
            .map_err(|_| Error::storage("memory store lock poisoned"))?;
        let t = guard.entry(tenant.to_string()).or_default();
        let mut undo = Vec::with_capacity(changes.len());
        for change in changes {
            match t.apply(change) {
                Ok(u) => undo.push(u),
                Err(e) => {
                    for u in undo.into_iter().rev() {
                        t.undo(u);
                    }
                    return Err(e);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod conformance_tests {
    use super::MemoryStore;

    crate::store_conformance_tests!(MemoryStore::new());
}
