//! Where portail keeps its records: the object-safe [`Store`] trait and its implementations.
//!
//! | implementation | feature | use |
//! |---|---|---|
//! | [`MemoryStore`] | always | tests, demos, a host that keeps nothing |
//! | `SqliteStore` | `sqlite` (default) | the embedded default: one file, WAL, versioned schema (docs/sqlite.md) |
//!
//! Every operation of a [`crate::Portal`] reads what it needs through the query methods, decides,
//! then hands **all** its changes to one [`Store::commit`] call, which applies them atomically or
//! not at all. Each record carries the version it was read at (0 for a new record); a commit
//! whose versions are stale fails with [`crate::Error::Conflict`] and writes nothing.
//!
//! Every row belongs to a tenant: each method takes the tenant id, and no method returns another
//! tenant's rows. A new implementation runs the conformance suite, one named test per check:
//! `portail::store_conformance_tests!(MyStore::new());` in a test module (feature `testing`;
//! `store::conformance::run_all` runs every check in one call).

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::records::account::{AccessEvent, Account, AccountStatus, Token};
use crate::records::audience::Audience;
use crate::records::document::Document;
use crate::records::folder::Folder;
use crate::records::notification::{Notification, NotificationFilter};
use crate::records::page::Page;
use crate::records::party::Party;
use crate::records::settings::Settings;
use crate::records::template::Template;

mod memory;
pub use memory::MemoryStore;
#[cfg(any(test, feature = "testing"))]
pub mod conformance;
#[cfg(feature = "sqlite")]
mod sqlite;
#[cfg(feature = "sqlite")]
pub use sqlite::{SqliteStore, SCHEMA_VERSION as SQLITE_SCHEMA_VERSION};

/// One change of a commit. A put carries the record as read (its `version` is the version the
/// store must still hold; 0 means the record must not exist yet); the store saves it with
/// `version + 1`.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Save the tenant's settings.
    Settings(Settings),
    /// Save a party.
    Party(Party),
    /// Save a folder.
    Folder(Folder),
    /// Remove a folder still at `version`.
    DeleteFolder {
        /// The folder's id.
        id: String,
        /// The version the store must still hold.
        version: u64,
    },
    /// Save a template.
    Template(Template),
    /// Save a document.
    Document(Document),
    /// Save a notification.
    Notification(Notification),
    /// Save an account.
    Account(Account),
    /// Save a token.
    Token(Token),
    /// Append-only; never conflicts.
    AccessEvent(AccessEvent),
}

impl Change {
    /// A short name of what the change touches, for conflict errors.
    pub fn describe(&self) -> String {
        match self {
            Change::Settings(_) => "settings".into(),
            Change::Party(p) => format!("party {}", p.code),
            Change::Folder(f) => format!("folder {}", f.path),
            Change::DeleteFolder { id, .. } => format!("folder {id}"),
            Change::Template(t) => format!("template {}", t.purpose.as_str()),
            Change::Document(d) => format!("document {}", d.id),
            Change::Notification(n) => format!("notification {}", n.id),
            Change::Account(a) => format!("account {}", a.identifier),
            Change::Token(_) => "token".into(),
            Change::AccessEvent(e) => format!("access event {}", e.id),
        }
    }
}

/// The failed-attempt counter of one login key ("verrouillage"): how many attempts were made
/// since the last success or lockout, and until when the key is locked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AttemptState {
    /// Attempts reserved since the last success or lockout (each counts as a failure until
    /// the caller clears it on success).
    pub failures: u32,
    /// Locked until this instant; attempts before it are refused without verification.
    pub locked_until: Option<DateTime<Utc>>,
    /// When the current counting window opened (its first counted attempt). Failures older
    /// than one lockout length no longer count, so a counter that never reached the limit
    /// expires, and the store may drop it ([`attempt_is_spent`]).
    pub since: Option<DateTime<Utc>>,
}

/// What [`Store::begin_attempt`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptGate {
    /// One attempt was reserved (and counted): the caller may verify the secret once.
    Allowed {
        /// Attempts counted in the current window, this one included.
        failures: u32,
    },
    /// Too many attempts: refused until `until`, nothing verified.
    Locked {
        /// End of the lockout.
        until: DateTime<Utc>,
    },
}

/// The pure rule of [`Store::begin_attempt`]: from the stored state, the limit, the lockout
/// length and `now`, the gate and the state to store (`None` = unchanged). Each allowed attempt
/// is counted before any verification; the `limit`-th one starts the lockout, so at most
/// `limit` attempts are ever verified per lockout window. A window opens at its first counted
/// attempt and lasts one lockout length; an expired window or lockout starts a fresh one.
///
/// ```
/// use chrono::{Duration, Utc};
/// use portail::store::{next_attempt, AttemptGate, AttemptState};
/// let now = Utc::now();
/// let mut s = AttemptState::default();
/// for i in 1..=3 {
///     let (gate, next) = next_attempt(s, 3, Duration::minutes(15), now);
///     assert_eq!(gate, AttemptGate::Allowed { failures: i });
///     s = next.unwrap();
/// }
/// let (gate, _) = next_attempt(s, 3, Duration::minutes(15), now);
/// assert!(matches!(gate, AttemptGate::Locked { .. }));
/// ```
pub fn next_attempt(
    current: AttemptState,
    limit: u32,
    lockout: chrono::Duration,
    now: DateTime<Utc>,
) -> (AttemptGate, Option<AttemptState>) {
    if let Some(until) = current.locked_until.filter(|u| *u > now) {
        return (AttemptGate::Locked { until }, None);
    }
    let (failures, since) = if attempt_is_spent(&current, lockout, now) {
        (1, now)
    } else {
        (
            current.failures.saturating_add(1),
            current.since.unwrap_or(now),
        )
    };
    let locked_until = (failures >= limit.max(1)).then(|| {
        now.checked_add_signed(lockout)
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    });
    (
        AttemptGate::Allowed { failures },
        Some(AttemptState {
            failures,
            locked_until,
            since: Some(since),
        }),
    )
}

/// Whether a stored attempt counter no longer matters at `now`: no lockout running and no
/// window open (a lockout that ended, or a window older than one lockout length, or a counter
/// from before windows were recorded). [`next_attempt`] treats such a counter as absent, so
/// stores drop these rows as they go (the table of attempts on invented identifiers stays
/// bounded by one lockout length of traffic).
pub fn attempt_is_spent(
    state: &AttemptState,
    lockout: chrono::Duration,
    now: DateTime<Utc>,
) -> bool {
    if let Some(until) = state.locked_until {
        return until <= now;
    }
    match state.since {
        None => true,
        Some(since) => since
            .checked_add_signed(lockout)
            .is_none_or(|end| end <= now),
    }
}

/// The error of a commit that would give a live-account slot (today: a party) a second live
/// account.
pub(crate) fn live_slot_taken(slot: &str) -> crate::error::Error {
    crate::error::Error::conflict(format!("party {slot} already has a live account"))
}

/// Which documents to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentQuery {
    /// The portal.
    pub audience: Audience,
    /// The party whose documents are listed.
    pub party_code: String,
    /// Only documents in these folders (the shared ones); `None` = every folder.
    pub folder_ids: Option<Vec<String>>,
    /// Whether invoices are included (the party's e-invoicing consent is Accepted).
    pub include_invoices: bool,
    /// Rows to skip.
    pub offset: u64,
    /// Rows to return at most.
    pub limit: u32,
}

/// Which accounts to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountFilter {
    /// Only this portal.
    pub audience: Option<Audience>,
    /// Only this party.
    pub party_code: Option<String>,
    /// Only this status.
    pub status: Option<AccountStatus>,
    /// Only accounts changed since the last sync (`Some(true)`), or only synchronised ones.
    pub needs_sync: Option<bool>,
}

impl AccountFilter {
    /// Whether `a` passes.
    pub fn matches(&self, a: &Account) -> bool {
        self.audience.is_none_or(|x| x == a.audience)
            && self.party_code.as_deref().is_none_or(|x| x == a.party_code)
            && self.status.is_none_or(|x| x == a.status)
            && self.needs_sync.is_none_or(|x| x == a.needs_sync)
    }
}

/// The records of every tenant. Object-safe: held as `Arc<dyn Store>`.
///
/// Listings are ordered as documented on each method so every store pages alike.
pub trait Store: Send + Sync {
    /// The tenant's settings, if saved.
    fn settings(&self, tenant: &str) -> Result<Option<Settings>>;

    /// A party by audience and code.
    fn party(&self, tenant: &str, audience: Audience, code: &str) -> Result<Option<Party>>;

    /// Parties of an audience, by code.
    fn parties(
        &self,
        tenant: &str,
        audience: Audience,
        offset: u64,
        limit: u32,
    ) -> Result<Page<Party>>;

    /// The folders of an audience, by path.
    fn folders(&self, tenant: &str, audience: Audience) -> Result<Vec<Folder>>;

    /// The saved templates of an audience (unsaved purposes use the shipped defaults).
    fn templates(&self, tenant: &str, audience: Audience) -> Result<Vec<Template>>;

    /// A document by id.
    fn document(&self, tenant: &str, id: &str) -> Result<Option<Document>>;

    /// A document by the host's external id.
    fn document_by_external_id(
        &self,
        tenant: &str,
        audience: Audience,
        external_id: &str,
    ) -> Result<Option<Document>>;

    /// A party's documents, newest first (published_at desc, then id desc).
    fn documents(&self, tenant: &str, query: &DocumentQuery) -> Result<Page<Document>>;

    /// How many documents a folder holds.
    fn count_documents_in_folder(&self, tenant: &str, folder_id: &str) -> Result<u64>;

    /// Whether the party has at least one unpaid document.
    fn party_has_unpaid(&self, tenant: &str, audience: Audience, party_code: &str) -> Result<bool>;

    /// A notification by id.
    fn notification(&self, tenant: &str, id: &str) -> Result<Option<Notification>>;

    /// The notification history, newest first (created_at desc, then id desc).
    fn notifications(
        &self,
        tenant: &str,
        filter: &NotificationFilter,
        offset: u64,
        limit: u32,
    ) -> Result<Page<Notification>>;

    /// Notifications due at `now` (open, `next_attempt_at <= now`, not claimed past `now`),
    /// oldest first (next_attempt_at, then id), at most `limit`.
    fn due_notifications(
        &self,
        tenant: &str,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Notification>>;

    /// An account by id.
    fn account(&self, tenant: &str, id: &str) -> Result<Option<Account>>;

    /// The non-revoked account holding an identifier (compared lowercased).
    fn account_by_identifier(
        &self,
        tenant: &str,
        audience: Audience,
        identifier_key: &str,
    ) -> Result<Option<Account>>;

    /// Accounts, by audience, party code, then created_at and id.
    fn accounts(
        &self,
        tenant: &str,
        filter: &AccountFilter,
        offset: u64,
        limit: u32,
    ) -> Result<Page<Account>>;

    /// A token by the hash of its value.
    fn token(&self, tenant: &str, hash: &str) -> Result<Option<Token>>;

    /// The downloads of a document, newest first (at desc, then id desc).
    fn access_events(
        &self,
        tenant: &str,
        document_id: &str,
        offset: u64,
        limit: u32,
    ) -> Result<Page<AccessEvent>>;

    /// Reserve one attempt on `key` (e.g. a login's tenant-wide key) atomically: if the key is
    /// locked, answer [`AttemptGate::Locked`] and change nothing; otherwise count the attempt
    /// (starting a lockout of `lockout` at the `limit`-th) and answer
    /// [`AttemptGate::Allowed`]. The count is written before the caller verifies anything, so
    /// concurrent callers can never verify more than `limit` guesses per window. Implement with
    /// [`next_attempt`] under the store's write lock.
    fn begin_attempt(
        &self,
        tenant: &str,
        key: &str,
        limit: u32,
        lockout: chrono::Duration,
        now: DateTime<Utc>,
    ) -> Result<AttemptGate>;

    /// Forget the attempts of `key` (a success, or a password reset).
    fn clear_attempts(&self, tenant: &str, key: &str) -> Result<()>;

    /// The attempt counter of `key` as stored (default state when none).
    fn attempts(&self, tenant: &str, key: &str) -> Result<AttemptState>;

    /// Apply every change atomically, or none.
    ///
    /// Fails with `conflict` when a record's version is stale or when a uniqueness rule breaks
    /// (party code, folder path, document external id), and with `identifier_taken` when two
    /// non-revoked accounts of an audience would share an identifier.
    fn commit(&self, tenant: &str, changes: &[Change]) -> Result<()>;

    /// Record the outcome of a send: `n` as updated from the version it was claimed at
    /// (`n.version`), in one commit of its own. Only the fields a send changes may differ from
    /// the stored record (state, attempts, next attempt, claim, body); the rest (audience,
    /// party, document, creation date) must be as stored. Fails with `conflict` when the
    /// stored version is not `n.version`.
    ///
    /// The dispatcher calls this once per message, right after its send; the default is
    /// [`Store::commit`] of that one change, which a store may replace by a cheaper write.
    fn finish_notification(&self, tenant: &str, n: &Notification) -> Result<()> {
        self.commit(tenant, &[Change::Notification(n.clone())])
    }

    /// The store's own clock, the one every claim lease is measured against, so that
    /// dispatchers whose clocks disagree (several app servers, a [`crate::clock::FixedClock`]) still
    /// agree on when a claim ends. The default (and SQLite's, a file on one machine) is that
    /// machine's system clock; a server store returns the server's time.
    fn store_time(&self) -> Result<DateTime<Utc>> {
        Ok(Utc::now())
    }

    /// Claim up to `limit` notifications due at `due_at` (open, `next_attempt_at <= due_at`)
    /// that no dispatcher holds at [`Store::store_time`]: each gets
    /// `claimed_until = store_time + lease` and a new version, and is returned at that version,
    /// oldest first. A row the store cannot decode is set aside as
    /// [`crate::NotificationState::Quarantined`] instead (stores that can have such rows).
    ///
    /// The default claims optimistically, one commit per row; a row another dispatcher took
    /// meanwhile is left out.
    fn claim_due(
        &self,
        tenant: &str,
        due_at: DateTime<Utc>,
        lease: chrono::Duration,
        limit: u32,
    ) -> Result<Vec<Notification>> {
        let store_now = self.store_time()?;
        let until = store_now + lease;
        let mut won = Vec::new();
        for mut n in self.due_notifications(tenant, due_at, limit)? {
            if !n.state.is_open() || n.claimed_until.is_some_and(|c| c > store_now) {
                continue;
            }
            n.claimed_until = Some(until);
            match self.commit(tenant, &[Change::Notification(n.clone())]) {
                Ok(()) => {
                    n.version += 1;
                    won.push(n);
                }
                Err(crate::error::Error::Conflict { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(won)
    }

    /// Extend the claims a dispatcher still holds (`(id, version)` as it holds them) to
    /// `store_time + lease`: the heartbeat of a send in progress. Returns the claims still
    /// held, with their version after the renewal; a claim lost meanwhile (taken over, ended)
    /// is left out.
    fn renew_claims(
        &self,
        tenant: &str,
        claims: &[(String, u64)],
        lease: chrono::Duration,
    ) -> Result<Vec<(String, u64)>> {
        let until = self.store_time()? + lease;
        let mut held = Vec::with_capacity(claims.len());
        for (id, version) in claims {
            let Some(mut n) = self.notification(tenant, id)? else {
                continue;
            };
            if n.version != *version || !n.state.is_open() {
                continue;
            }
            n.claimed_until = Some(until);
            match self.commit(tenant, &[Change::Notification(n)]) {
                Ok(()) => held.push((id.clone(), version + 1)),
                Err(crate::error::Error::Conflict { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(held)
    }

    /// Make sure secrets erased by the changes committed so far (a wiped draft password, a
    /// redacted mail body, a used token) leave no copy in the store's files: a store that
    /// keeps older page images (a write-ahead log, free pages) overwrites or truncates them
    /// here. Called after the operations that erase secrets; the default does nothing (a
    /// memory store keeps no old copies).
    ///
    /// A failure is a `storage` error; the changes themselves stay committed.
    fn forget_erased(&self) -> Result<()> {
        Ok(())
    }
}

macro_rules! forward_store {
    ($($t:ty),*) => {$(
        impl<S: Store + ?Sized> Store for $t {
            fn settings(&self, t: &str) -> Result<Option<Settings>> { (**self).settings(t) }
            fn party(&self, t: &str, a: Audience, c: &str) -> Result<Option<Party>> { (**self).party(t, a, c) }
            fn parties(&self, t: &str, a: Audience, o: u64, l: u32) -> Result<Page<Party>> { (**self).parties(t, a, o, l) }
            fn folders(&self, t: &str, a: Audience) -> Result<Vec<Folder>> { (**self).folders(t, a) }
            fn templates(&self, t: &str, a: Audience) -> Result<Vec<Template>> { (**self).templates(t, a) }
            fn document(&self, t: &str, id: &str) -> Result<Option<Document>> { (**self).document(t, id) }
            fn document_by_external_id(&self, t: &str, a: Audience, e: &str) -> Result<Option<Document>> { (**self).document_by_external_id(t, a, e) }
            fn documents(&self, t: &str, q: &DocumentQuery) -> Result<Page<Document>> { (**self).documents(t, q) }
            fn count_documents_in_folder(&self, t: &str, f: &str) -> Result<u64> { (**self).count_documents_in_folder(t, f) }
            fn party_has_unpaid(&self, t: &str, a: Audience, c: &str) -> Result<bool> { (**self).party_has_unpaid(t, a, c) }
            fn notification(&self, t: &str, id: &str) -> Result<Option<Notification>> { (**self).notification(t, id) }
            fn notifications(&self, t: &str, f: &NotificationFilter, o: u64, l: u32) -> Result<Page<Notification>> { (**self).notifications(t, f, o, l) }
            fn due_notifications(&self, t: &str, n: DateTime<Utc>, l: u32) -> Result<Vec<Notification>> { (**self).due_notifications(t, n, l) }
            fn account(&self, t: &str, id: &str) -> Result<Option<Account>> { (**self).account(t, id) }
            fn account_by_identifier(&self, t: &str, a: Audience, k: &str) -> Result<Option<Account>> { (**self).account_by_identifier(t, a, k) }
            fn accounts(&self, t: &str, f: &AccountFilter, o: u64, l: u32) -> Result<Page<Account>> { (**self).accounts(t, f, o, l) }
            fn token(&self, t: &str, h: &str) -> Result<Option<Token>> { (**self).token(t, h) }
            fn access_events(&self, t: &str, d: &str, o: u64, l: u32) -> Result<Page<AccessEvent>> { (**self).access_events(t, d, o, l) }
            fn begin_attempt(&self, t: &str, k: &str, l: u32, d: chrono::Duration, n: DateTime<Utc>) -> Result<AttemptGate> { (**self).begin_attempt(t, k, l, d, n) }
            fn clear_attempts(&self, t: &str, k: &str) -> Result<()> { (**self).clear_attempts(t, k) }
            fn attempts(&self, t: &str, k: &str) -> Result<AttemptState> { (**self).attempts(t, k) }
            fn commit(&self, t: &str, c: &[Change]) -> Result<()> { (**self).commit(t, c) }
            fn finish_notification(&self, t: &str, n: &Notification) -> Result<()> { (**self).finish_notification(t, n) }
            fn store_time(&self) -> Result<DateTime<Utc>> { (**self).store_time() }
            fn claim_due(&self, t: &str, d: DateTime<Utc>, l: chrono::Duration, n: u32) -> Result<Vec<Notification>> { (**self).claim_due(t, d, l, n) }
            fn renew_claims(&self, t: &str, c: &[(String, u64)], l: chrono::Duration) -> Result<Vec<(String, u64)>> { (**self).renew_claims(t, c, l) }
            fn forget_erased(&self) -> Result<()> { (**self).forget_erased() }
        }
    )*};
}
forward_store!(std::sync::Arc<S>, Box<S>, &S);
