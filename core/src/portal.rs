//! The top of the house: building a [`Portal`], its tenant-wide calls (settings, sync) and the
//! sub-handles of each concept (`portal.parties()`, `portal.documents()`, `portal.access()`,
//! ...). The operations behind them live in the concept modules.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use crate::access::Access;
use crate::accounts::Accounts;
use crate::blobs::{Blobs, MemoryBlobs};
use crate::clock::{Clock, SystemClock};
use crate::documents::Documents;
use crate::error::{Error, Result};
use crate::folders::Folders;
use crate::mail::{Mailer, MemoryMailer};
use crate::notifications::Notifications;
use crate::operations::retry_on_conflict;
use crate::parties::Parties;
use crate::records::account::Principal;
use crate::records::audience::Audience;
use crate::records::folder::default_tree;
use crate::records::ids::new_id;
use crate::records::notification::RetryPolicy;
use crate::records::progress::{Progress, SyncReport};
use crate::records::settings::Settings;
use crate::security::SecurityPolicy;
use crate::store::{Change, MemoryStore, Store};
use crate::templates::Templates;
use crate::view::PortalView;

pub use crate::operations::Portal;

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

/// How long a dispatcher holds notifications it is sending.
const CLAIM_LEASE_MINUTES: u64 = 5;

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

    /// Client and employee records pushed by the host.
    pub fn parties(&self) -> Parties<'_> {
        Parties { portal: self }
    }

    /// Folder trees ("Configuration de la GED").
    pub fn folders(&self) -> Folders<'_> {
        Folders { portal: self }
    }

    /// Notification templates ("Modèle de notification").
    pub fn templates(&self) -> Templates<'_> {
        Templates { portal: self }
    }

    /// Documents ("GED"): publish, look up, mark paid.
    pub fn documents(&self) -> Documents<'_> {
        Documents { portal: self }
    }

    /// The outbox and its history ("Historique des notifications").
    pub fn notifications(&self) -> Notifications<'_> {
        Notifications { portal: self }
    }

    /// Portal accounts ("Droits d'accès au portail").
    pub fn accounts(&self) -> Accounts<'_> {
        Accounts { portal: self }
    }

    /// Logging in and one's own credentials: login, password change and reset, invitations.
    pub fn access(&self) -> Access<'_> {
        Access { portal: self }
    }

    /// The portal as `principal` sees it.
    pub fn view<'a>(&'a self, principal: &'a Principal) -> PortalView<'a> {
        PortalView {
            portal: self,
            principal,
        }
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
        self.try_update_settings(|s| {
            edit(s);
            Ok(())
        })
    }

    /// [`Portal::update_settings`] with an `edit` that may fail: its error is returned and
    /// nothing is saved. The version is the one read, whatever `edit` sets, so a concurrent
    /// change is still detected (and `edit` run again on the new settings).
    ///
    /// ```
    /// # let portal = portail::Portal::in_memory("t", portail::Settings::new("X", "x.fr"))?;
    /// let e = portal.try_update_settings(|_| Err(portail::Error::invalid("edit", "refused")));
    /// assert_eq!(e.unwrap_err().field(), Some("edit"));
    /// assert_eq!(portal.settings()?.version, 1, "nothing saved");
    /// # Ok::<(), portail::Error>(())
    /// ```
    pub fn try_update_settings(
        &self,
        mut edit: impl FnMut(&mut Settings) -> Result<()>,
    ) -> Result<Settings> {
        retry_on_conflict(
            || "settings".into(),
            || {
                let mut s = self.settings()?;
                let version = s.version;
                edit(&mut s)?;
                s.version = version;
                self.save_settings(s)
            },
        )
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

/// The calls of [`Access`] as they were first published, on the portal itself.
impl Portal {
    /// Log in to the portal of `audience`: see [`Access::login`].
    #[deprecated(since = "0.2.0", note = "use portal.access().login")]
    pub fn login(&self, audience: Audience, identifier: &str, password: &str) -> Result<Principal> {
        self.access().login(audience, identifier, password)
    }

    /// The principal of an account: see [`Access::principal`].
    #[deprecated(since = "0.2.0", note = "use portal.access().principal")]
    pub fn principal(&self, account_id: &str) -> Result<Principal> {
        self.access().principal(account_id)
    }

    /// Change one's password: see [`Access::change_password`].
    #[deprecated(since = "0.2.0", note = "use portal.access().change_password")]
    pub fn change_password(
        &self,
        principal: &Principal,
        current: &str,
        new_password: &str,
    ) -> Result<()> {
        self.access()
            .change_password(principal, current, new_password)
    }

    /// "Mot de passe oublié": see [`Access::request_password_reset`].
    #[deprecated(since = "0.2.0", note = "use portal.access().request_password_reset")]
    pub fn request_password_reset(&self, audience: Audience, identifier: &str) -> Result<()> {
        self.access().request_password_reset(audience, identifier)
    }

    /// Set a new password with a reset link's token: see [`Access::reset_password`].
    #[deprecated(since = "0.2.0", note = "use portal.access().reset_password")]
    pub fn reset_password(
        &self,
        audience: Audience,
        token: &str,
        new_password: &str,
    ) -> Result<()> {
        self.access().reset_password(audience, token, new_password)
    }

    /// Accept an invitation: see [`Access::accept_invitation`].
    #[deprecated(since = "0.2.0", note = "use portal.access().accept_invitation")]
    pub fn accept_invitation(
        &self,
        audience: Audience,
        token: &str,
        password: &str,
    ) -> Result<Principal> {
        self.access().accept_invitation(audience, token, password)
    }
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
