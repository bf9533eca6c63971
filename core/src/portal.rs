//! [`Portal`]: the handle of one tenant, and its builder.

use std::collections::HashMap;
use std::sync::{mpsc, Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};

use crate::blobs::{Blobs, MemoryBlobs};
use crate::clock::{Clock, SystemClock};
use crate::config::{Audience, Settings};
use crate::error::{Error, Result};
use crate::folders::{default_tree, Folder};
use crate::mail::{MailError, Mailer, MemoryMailer, OutgoingMessage};
use crate::notifications::{AttemptOutcome, Notification, RetryPolicy};
use crate::security::SecurityPolicy;
use crate::store::{Change, MemoryStore, Store};
use crate::templates::{CompiledTemplate, Template, TemplatePurpose};

/// The portal of one tenant. Every method takes `&self`; the handle is `Send + Sync` and cheap
/// to share behind an `Arc`.
///
/// ```
/// use portail::{Portal, Settings, Party, EmailRole, EInvoicingConsent, Publish, DocumentKind};
/// let portal = Portal::in_memory("acme", Settings::new("ACME", "acme.example"))?;
/// portal.parties().upsert(Party::client("4", "MOI MEME")
///     .email(EmailRole::Billing, "compta@client.example")
///     .consent(EInvoicingConsent::Accepted))?;
/// let doc = portal.documents().publish(
///     Publish::client("4", "Factures", "FA-0002.pdf", b"%PDF-1.4".to_vec()).kind(DocumentKind::Invoice))?;
/// let report = portal.sync()?;
/// assert_eq!(report.dispatch.sent, 1);
/// # Ok::<(), portail::Error>(())
/// ```
pub struct Portal {
    pub(crate) tenant: String,
    pub(crate) store: Arc<dyn Store>,
    pub(crate) blobs: Arc<dyn Blobs>,
    pub(crate) mailer: Arc<dyn Mailer>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) retry: RetryPolicy,
    pub(crate) security: SecurityPolicy,
    pub(crate) claim_lease: Duration,
    pub(crate) dummy_hash: std::sync::OnceLock<String>,
}

impl std::fmt::Debug for Portal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Portal")
            .field("tenant", &self.tenant)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Portal`]: the adapters default to memory and the system clock.
pub struct PortalBuilder {
    tenant: String,
    settings: Option<Settings>,
    store: Option<Arc<dyn Store>>,
    blobs: Option<Arc<dyn Blobs>>,
    mailer: Option<Arc<dyn Mailer>>,
    clock: Option<Arc<dyn Clock>>,
    retry: RetryPolicy,
    security: SecurityPolicy,
    claim_lease: std::time::Duration,
}

impl PortalBuilder {
    /// Settings used the first time this tenant is opened; once saved, the stored settings win
    /// (change them with [`Portal::save_settings`]). Without them, the first open saves
    /// `Settings::new("Portail", "portail.localhost")`.
    pub fn settings(mut self, settings: Settings) -> Self {
        self.settings = Some(settings);
        self
    }

    /// The store (default: a new [`MemoryStore`]).
    pub fn store(mut self, store: Arc<dyn Store>) -> Self {
        self.store = Some(store);
        self
    }

    /// The blob storage (default: [`MemoryBlobs`]).
    pub fn blobs(mut self, blobs: Arc<dyn Blobs>) -> Self {
        self.blobs = Some(blobs);
        self
    }

    /// The mail transport (default: a [`MemoryMailer`]).
    pub fn mailer(mut self, mailer: Arc<dyn Mailer>) -> Self {
        self.mailer = Some(mailer);
        self
    }

    /// The clock (default: [`SystemClock`]).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Keep everything in the folder `dir` (created if missing), the embedded default:
    /// the SQLite store `dir/portail.sqlite3`, the blobs under `dir/blobs`, and the outgoing
    /// e-mails as `.eml` files in `dir/outbox`. Opening the folder again reopens the same
    /// data. Later `.store`, `.blobs` or `.mailer` calls replace the matching part.
    #[cfg(feature = "sqlite")]
    pub fn data_dir(self, dir: impl AsRef<std::path::Path>) -> Result<Self> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::storage(format!("create {}: {e}", dir.display())))?;
        let store = crate::store::SqliteStore::open(dir.join("portail.sqlite3"))?;
        let blobs = crate::blobs::FsBlobs::open(dir.join("blobs"))?;
        let mailer = crate::mail::FileMailer::open(dir.join("outbox"))?;
        Ok(self
            .store(Arc::new(store))
            .blobs(Arc::new(blobs))
            .mailer(Arc::new(mailer)))
    }

    /// Retries of transient mail failures.
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// How long a dispatcher's claim on the notifications it is sending lasts, on the store's
    /// clock (default 5 minutes, 100 ms ..= 1 day). While a send runs, the claims of its batch
    /// are renewed every third of this, so a slow relay never lets another dispatcher take
    /// them; a dispatcher that dies leaves them to others once this has passed.
    pub fn claim_lease(mut self, lease: std::time::Duration) -> Self {
        self.claim_lease = lease;
        self
    }

    /// Password hashing, lockout and token lifetimes.
    pub fn security(mut self, security: SecurityPolicy) -> Self {
        self.security = security;
        self
    }

    /// Open the tenant: on first open, save the settings and the default folder trees of both
    /// audiences in one commit.
    pub fn build(self) -> Result<Portal> {
        crate::ensure_input!(
            !self.tenant.is_empty()
                && self.tenant.len() <= 128
                && !self.tenant.chars().any(char::is_control),
            "tenant",
            "must be 1..=128 characters without control characters"
        );
        crate::ensure_input!(
            self.retry.max_attempts >= 1,
            "max_attempts",
            "must be at least 1"
        );
        self.security.validate()?;
        crate::ensure_input!(
            self.claim_lease >= std::time::Duration::from_millis(100)
                && self.claim_lease <= std::time::Duration::from_secs(86_400),
            "claim_lease",
            "must be between 100 ms and 1 day"
        );
        let claim_lease = Duration::from_std(self.claim_lease)
            .map_err(|_| Error::invalid("claim_lease", "out of range"))?;
        let portal = Portal {
            tenant: self.tenant,
            store: self.store.unwrap_or_else(|| Arc::new(MemoryStore::new())),
            blobs: self.blobs.unwrap_or_else(|| Arc::new(MemoryBlobs::new())),
            mailer: self.mailer.unwrap_or_else(|| Arc::new(MemoryMailer::new())),
            clock: self.clock.unwrap_or_else(|| Arc::new(SystemClock)),
            retry: self.retry,
            security: self.security,
            claim_lease,
            dummy_hash: std::sync::OnceLock::new(),
        };
        if portal.store.settings(&portal.tenant)?.is_none() {
            let settings = self
                .settings
                .unwrap_or_else(|| Settings::new("Portail", "portail.localhost"));
            settings.validate()?;
            let mut changes = vec![Change::Settings(Settings {
                version: 0,
                ..settings
            })];
            for audience in Audience::ALL {
                for mut folder in default_tree(audience) {
                    folder.id = new_id();
                    changes.push(Change::Folder(folder));
                }
            }
            match portal.store.commit(&portal.tenant, &changes) {
                Ok(()) => {}
                // Another process initialised it first: use theirs.
                Err(Error::Conflict { .. }) if portal.store.settings(&portal.tenant)?.is_some() => {
                }
                Err(e) => return Err(e),
            }
        }
        Ok(portal)
    }
}

/// How many times a read-modify-commit step is tried before giving up on a busy record.
const CONFLICT_RETRIES: usize = 5;

/// Run a read-modify-commit `step` again each time a concurrent change wins its commit
/// (optimistic concurrency); after [`CONFLICT_RETRIES`] lost races, `conflict` on `what`.
pub(crate) fn retry_on_conflict<T>(
    what: impl FnOnce() -> String,
    mut step: impl FnMut() -> Result<T>,
) -> Result<T> {
    for _ in 0..CONFLICT_RETRIES {
        match step() {
            Err(Error::Conflict { .. }) => continue,
            other => return other,
        }
    }
    Err(Error::conflict(what()))
}

impl Portal {
    /// Commit `changes` that erase a secret (a wiped or superseded password, a used token),
    /// then have the store drop its older copies of them ([`Store::forget_erased`]).
    pub(crate) fn commit_erasing(&self, changes: &[Change]) -> Result<()> {
        self.store.commit(&self.tenant, changes)?;
        self.forget_erased()
    }

    /// After a commit that erased a secret: have the store drop its older copies of it. A
    /// failure says the change itself was committed.
    pub(crate) fn forget_erased(&self) -> Result<()> {
        self.store.forget_erased()
    }
}

/// A new random id (UUID v4, simple form).
pub(crate) fn new_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// What one dispatch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DispatchReport {
    /// Notifications taken for sending.
    pub attempted: u64,
    /// Accepted by the mailer ("Envoyé").
    pub sent: u64,
    /// Failed transiently; retried after a backoff.
    pub failed: u64,
    /// Given up (permanent error or last attempt).
    pub abandoned: u64,
    /// Taken or changed by another dispatcher or the back office meanwhile; left to them.
    pub skipped: u64,
}

impl DispatchReport {
    fn add(&mut self, other: DispatchReport) {
        self.attempted += other.attempted;
        self.sent += other.sent;
        self.failed += other.failed;
        self.abandoned += other.abandoned;
        self.skipped += other.skipped;
    }
}

/// Progress of a long operation, for a host's progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// What is being done.
    pub phase: Phase,
    /// Items done so far in this phase.
    pub done: u64,
    /// Items in this phase (known up front).
    pub total: u64,
}

/// The phases reported by [`Progress`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Activating draft accounts (argon2 hashing).
    Activating,
    /// Creating accounts in a batch.
    Generating,
    /// Publishing documents in a batch.
    Publishing,
    /// Sending notifications.
    Dispatching,
}

impl Phase {
    /// Stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Activating => "activating",
            Phase::Generating => "generating",
            Phase::Publishing => "publishing",
            Phase::Dispatching => "dispatching",
        }
    }
}

/// What [`Portal::sync`] did ("Synchroniser").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Draft accounts made active (password frozen).
    pub activated: u64,
    /// Accounts whose credentials e-mail was queued.
    pub credentials_queued: u64,
    /// The notifications sent.
    pub dispatch: DispatchReport,
}

/// How long a dispatcher holds notifications it is sending.
const CLAIM_LEASE_MINUTES: u64 = 5;
/// Notifications taken per dispatch round of a sync.
const SYNC_DISPATCH_BATCH: u32 = 500;

impl Portal {
    /// A builder for tenant `tenant`.
    pub fn builder(tenant: impl Into<String>) -> PortalBuilder {
        PortalBuilder {
            tenant: tenant.into(),
            settings: None,
            store: None,
            blobs: None,
            mailer: None,
            clock: None,
            retry: RetryPolicy::default(),
            security: SecurityPolicy::default(),
            claim_lease: std::time::Duration::from_secs(CLAIM_LEASE_MINUTES * 60),
        }
    }

    /// A portal entirely in memory (memory store, blobs and mailer), for tests and trials.
    pub fn in_memory(tenant: impl Into<String>, settings: Settings) -> Result<Portal> {
        Portal::builder(tenant).settings(settings).build()
    }

    /// The embedded default in the folder `dir`: tenant `default`, SQLite store
    /// `dir/portail.sqlite3`, blobs in `dir/blobs`, `.eml` files in `dir/outbox`, default
    /// settings on first open (company "Portail", domain `portail.localhost`: change them with
    /// [`Portal::update_settings`]). Opening the
    /// same folder again reopens it; nothing is reset.
    ///
    /// ```
    /// let dir = tempfile::tempdir().unwrap();
    /// let portal = portail::Portal::open(dir.path())?;
    /// assert_eq!(portal.tenant(), "default");
    /// assert!(dir.path().join("portail.sqlite3").exists());
    /// # Ok::<(), portail::Error>(())
    /// ```
    #[cfg(feature = "sqlite")]
    pub fn open(dir: impl AsRef<std::path::Path>) -> Result<Portal> {
        Portal::builder("default")
            .settings(Settings::new("Portail", "portail.localhost"))
            .data_dir(dir)?
            .build()
    }

    /// The tenant id.
    pub fn tenant(&self) -> &str {
        &self.tenant
    }

    /// The current time of the portal's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The store, blobs and mailer (for hosts that inspect them).
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The blob storage.
    pub fn blobs(&self) -> &Arc<dyn Blobs> {
        &self.blobs
    }

    /// The mail transport.
    pub fn mailer(&self) -> &Arc<dyn Mailer> {
        &self.mailer
    }

    /// The tenant's settings.
    pub fn settings(&self) -> Result<Settings> {
        self.store
            .settings(&self.tenant)?
            .ok_or_else(|| Error::not_found("settings", &self.tenant))
    }

    /// Save settings read earlier with [`Portal::settings`] (optimistic: a concurrent change
    /// gives `conflict`). Returns them with their new version.
    pub fn save_settings(&self, settings: Settings) -> Result<Settings> {
        settings.validate()?;
        self.store
            .commit(&self.tenant, &[Change::Settings(settings.clone())])?;
        Ok(Settings {
            version: settings.version + 1,
            ..settings
        })
    }

    /// Change the settings with `edit`, retrying on a concurrent change.
    ///
    /// ```
    /// # let portal = portail::Portal::in_memory("t", portail::Settings::new("X", "x.fr"))?;
    /// use portail::Audience;
    /// let s = portal.update_settings(|s| s.audience_mut(Audience::Employee).notifications_enabled = false)?;
    /// assert!(!s.employee.notifications_enabled);
    /// # Ok::<(), portail::Error>(())
    /// ```
    pub fn update_settings(&self, mut edit: impl FnMut(&mut Settings)) -> Result<Settings> {
        retry_on_conflict(
            || "settings".into(),
            || {
                let mut s = self.settings()?;
                edit(&mut s);
                self.save_settings(s)
            },
        )
    }

    pub(crate) fn folder_list(&self, audience: Audience) -> Result<Vec<Folder>> {
        self.store.folders(&self.tenant, audience)
    }

    /// The template of an audience and purpose, compiled, with its version (0 = default).
    pub(crate) fn compiled_template(
        &self,
        settings: &Settings,
        audience: Audience,
        purpose: TemplatePurpose,
    ) -> Result<(CompiledTemplate, u64)> {
        let stored = self
            .store
            .templates(&self.tenant, audience)?
            .into_iter()
            .find(|t| t.purpose == purpose);
        let t =
            stored.unwrap_or_else(|| Template::default_for(audience, purpose, settings.language));
        Ok((t.compile()?, t.version))
    }

    /// A date as DD/MM/YYYY in the tenant's time zone.
    pub(crate) fn format_date(&self, settings: &Settings, at: DateTime<Utc>) -> Result<String> {
        Ok(at
            .with_timezone(&settings.tz()?)
            .format("%d/%m/%Y")
            .to_string())
    }

    /// Send up to `limit` due notifications through the mailer ("Synchroniser" sends them too).
    ///
    /// The batch is claimed in one store call, with a lease measured on the store's clock
    /// ([`Store::store_time`]), so several dispatchers on one store never send one notification
    /// twice whatever their own clocks say. While the batch is being sent a heartbeat renews
    /// the claims still in flight, and each result is committed right after its send: a
    /// dispatcher killed mid-batch leaves at most the message in flight unrecorded (the
    /// relay may have taken it; the stable Message-ID lets a receiver drop the duplicate).
    /// Each attempt is recorded and transient failures are retried with backoff.
    ///
    /// Mails holding a secret (credentials, reset and invitation links) are redacted when
    /// they end (sent, cancelled or abandoned); the store then drops its older copies of them
    /// ([`Store::forget_erased`]).
    pub fn dispatch(&self, limit: u32) -> Result<DispatchReport> {
        let (report, redacted) = self.dispatch_round(limit)?;
        if redacted {
            self.forget_erased()?;
        }
        Ok(report)
    }

    /// One dispatch round; also says whether a secret was redacted (the caller then runs
    /// [`Portal::forget_erased`]).
    fn dispatch_round(&self, limit: u32) -> Result<(DispatchReport, bool)> {
        let settings = self.settings()?;
        let now = self.clock.now();
        let claimed_at = Instant::now();
        let claimed = self
            .store
            .claim_due(&self.tenant, now, self.claim_lease, limit)?;
        let mut report = DispatchReport::default();
        if claimed.is_empty() {
            return Ok((report, false));
        }
        // id -> (version held, when the claim ends at the latest on this machine's monotonic
        // clock). The store set each claim to end at `store_time + lease`, read after
        // `claimed_at`: `claimed_at + lease` is a lower bound of that end whatever the clocks
        // say, and checking it costs no store call per message.
        let deadline = claimed_at + lease_std(self.claim_lease);
        let inflight: Mutex<HashMap<String, (u64, Instant)>> = Mutex::new(
            claimed
                .iter()
                .map(|n| (n.id.clone(), (n.version, deadline)))
                .collect(),
        );
        let (stop, stopped) = mpsc::channel::<()>();
        let beat = (self.claim_lease / 3)
            .to_std()
            .unwrap_or(std::time::Duration::from_secs(1));
        let redacted = std::thread::scope(|scope| {
            let inflight = &inflight;
            scope.spawn(move || {
                while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(beat) {
                    self.renew_in_flight(inflight);
                }
            });
            let result = self.send_claimed(&settings, claimed, inflight, &mut report);
            drop(stop);
            result
        })?;
        Ok((report, redacted))
    }

    /// The heartbeat: extend the claims still in flight; forget the ones lost meanwhile.
    fn renew_in_flight(&self, inflight: &Mutex<HashMap<String, (u64, Instant)>>) {
        let mut held = inflight.lock().unwrap_or_else(|p| p.into_inner());
        if held.is_empty() {
            return;
        }
        let claims: Vec<(String, u64)> = held.iter().map(|(id, (v, _))| (id.clone(), *v)).collect();
        // Taken before the store renews: a lower bound of the renewed end (see dispatch_round).
        let start = Instant::now();
        // On a store error the claims keep their current end; the send loop checks it.
        if let Ok(renewed) = self
            .store
            .renew_claims(&self.tenant, &claims, self.claim_lease)
        {
            let until = start + lease_std(self.claim_lease);
            let renewed: HashMap<String, u64> = renewed.into_iter().collect();
            held.retain(|id, _| renewed.contains_key(id));
            for (id, entry) in held.iter_mut() {
                if let Some(v) = renewed.get(id) {
                    *entry = (*v, until);
                }
            }
        }
    }

    /// Send each claimed notification still held, committing its result right after; says
    /// whether a mail holding a secret was redacted.
    fn send_claimed(
        &self,
        settings: &Settings,
        claimed: Vec<Notification>,
        inflight: &Mutex<HashMap<String, (u64, Instant)>>,
        report: &mut DispatchReport,
    ) -> Result<bool> {
        let lock = || inflight.lock().unwrap_or_else(|p| p.into_inner());
        let mut redacted = false;
        for mut n in claimed {
            let held = lock().get(&n.id).copied();
            let still_ours = match held {
                Some((_, until)) => until > Instant::now(),
                None => false,
            };
            if !still_ours {
                lock().remove(&n.id);
                report.skipped += 1;
                continue;
            }
            report.attempted += 1;
            let outcome = match self.mailer.send(&self.message_for(settings, &n)) {
                Ok(()) => AttemptOutcome::Sent,
                Err(MailError::Transient(e)) => AttemptOutcome::Transient(e),
                Err(MailError::Permanent(e)) => AttemptOutcome::Permanent(e),
            };
            let at = self.clock.now();
            let body = n.holds_secret.then(|| n.body.clone());
            n.record_attempt(at, outcome, &self.retry)?;
            // Under the lock, so the heartbeat cannot renew (and re-version) it meanwhile.
            let mut held = lock();
            let Some((version, _)) = held.remove(&n.id) else {
                report.skipped += 1;
                continue;
            };
            n.version = version;
            match self.store.finish_notification(&self.tenant, &n) {
                Ok(()) => {
                    redacted |= body.as_ref().is_some_and(|b| *b != n.body);
                    match n.state {
                        crate::NotificationState::Sent => report.sent += 1,
                        crate::NotificationState::Failed => report.failed += 1,
                        _ => report.abandoned += 1,
                    }
                }
                Err(Error::Conflict { .. }) => report.skipped += 1,
                Err(e) => return Err(e),
            }
        }
        Ok(redacted)
    }

    pub(crate) fn message_for(&self, settings: &Settings, n: &Notification) -> OutgoingMessage {
        OutgoingMessage {
            date: self.clock.now(),
            message_id: n.message_id(&settings.domain),
            notification_id: n.id.clone(),
            from: settings.sender.clone(),
            from_name: Some(settings.company_name.clone()),
            reply_to: settings.reply_to.clone(),
            to: n.recipient.clone(),
            subject: n.subject.clone(),
            body: n.body.clone(),
        }
    }

    /// Dispatch until nothing is due, reporting progress; the store drops the older copies of
    /// redacted mails once, at the end.
    pub(crate) fn dispatch_all(&self, progress: &dyn Fn(Progress)) -> Result<DispatchReport> {
        let mut total = DispatchReport::default();
        let mut redacted = false;
        loop {
            let (round, secret) = match self.dispatch_round(SYNC_DISPATCH_BATCH) {
                Ok(r) => r,
                Err(e) => {
                    if redacted {
                        // Best effort: the round's error is the one to report.
                        let _ = self.forget_erased();
                    }
                    return Err(e);
                }
            };
            redacted |= secret;
            total.add(round);
            progress(Progress {
                phase: Phase::Dispatching,
                done: total.attempted,
                total: total.attempted,
            });
            if round.attempted == 0 {
                if redacted {
                    self.forget_erased()?;
                }
                return Ok(total);
            }
        }
    }

    /// "Synchroniser": activate draft accounts (freezing their passwords), queue credentials
    /// e-mails where "notify by e-mail" is set, then send every due notification.
    pub fn sync(&self) -> Result<SyncReport> {
        self.sync_with_progress(&|_| {})
    }

    /// [`Portal::sync`] with a progress callback.
    pub fn sync_with_progress(&self, progress: &dyn Fn(Progress)) -> Result<SyncReport> {
        let (activated, credentials_queued) = self.activate_drafts(progress)?;
        let dispatch = self.dispatch_all(progress)?;
        Ok(SyncReport {
            activated,
            credentials_queued,
            dispatch,
        })
    }
}

/// A claim lease as a monotonic duration (zero if negative).
fn lease_std(lease: Duration) -> std::time::Duration {
    lease.to_std().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn portal_is_send_sync() {
        assert_send_sync::<Portal>();
    }

    #[test]
    fn first_open_creates_default_trees_once() {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let p = Portal::builder("t")
            .settings(Settings::new("A", "a.fr"))
            .store(store.clone())
            .build()
            .unwrap();
        assert_eq!(p.folder_list(Audience::Client).unwrap().len(), 5);
        assert_eq!(p.folder_list(Audience::Employee).unwrap().len(), 5);
        let again = Portal::builder("t")
            .settings(Settings::new("B", "b.fr"))
            .store(store)
            .build()
            .unwrap();
        assert_eq!(again.folder_list(Audience::Client).unwrap().len(), 5);
        assert_eq!(
            again.settings().unwrap().company_name,
            "A",
            "stored settings win"
        );
    }

    #[test]
    fn opens_without_settings() {
        let p = Portal::builder("t").build().unwrap();
        assert_eq!(p.settings().unwrap().sender, "noreply@portail.localhost");
    }

    #[test]
    fn bad_first_settings_rejected() {
        let e = Portal::in_memory("t", Settings::new("A", "a.fr").sender("x")).unwrap_err();
        assert_eq!(e.field(), Some("sender"));
        assert_eq!(
            Portal::in_memory("", Settings::new("A", "a.fr"))
                .unwrap_err()
                .field(),
            Some("tenant")
        );
    }
}
