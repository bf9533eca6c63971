//! [`Portal`]: the handle of one tenant, its builder, dispatch and sync ("Synchroniser"), and
//! progress reporting for long operations.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use crate::clock::FixedClock;
use crate::config::Settings;
use crate::documents::Documents;
use crate::folders::Folders;
use crate::mail::{ForeignMailer, Mailer, MemoryMailer};
use crate::notifications::Notifications;
use crate::parties::Parties;
use crate::security::Hashing;
use crate::templates::Templates;
use crate::time::to_system;
use crate::PortailError;

/// The core's enum, with its uniffi derive (Kotlin: `dev.portail.contract.Phase`,
/// aliased in `dev.portail`).
pub use portail::Phase;

/// The core's record, with its uniffi derive (Kotlin: `dev.portail.contract.Progress`, aliased
/// in `dev.portail`).
pub use portail::Progress;

/// Receives progress of a long operation, on the thread running it. An exception thrown here
/// is ignored (progress is informational).
#[uniffi::export(foreign)]
pub trait ProgressListener: Send + Sync {
    /// One step of progress.
    fn on_progress(&self, progress: Progress) -> Result<(), PortailError>;
}

/// Edits settings for `Portal.updateSettings` (a lambda works through `updateSettings { }`).
#[uniffi::export(foreign)]
pub trait SettingsEditor: Send + Sync {
    /// The new settings, from the current ones.
    fn edit(&self, settings: Settings) -> Result<Settings, PortailError>;
}

impl From<uniffi::UnexpectedUniFFICallbackError> for PortailError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        // The host's own exception, not a portail bug: a code of its own (`Unexpected`).
        let mut info = portail::ffi::ErrorInfo::internal("");
        info.code = "callback".into();
        info.message = format!("callback threw: {}", e.reason);
        PortailError::from(info)
    }
}

/// Forwards core progress to an optional Kotlin listener.
pub(crate) struct ProgressRelay(Option<Arc<dyn ProgressListener>>);

impl ProgressRelay {
    pub(crate) fn new(listener: Option<Arc<dyn ProgressListener>>) -> Self {
        ProgressRelay(listener)
    }

    pub(crate) fn report(&self, progress: portail::Progress) {
        if let Some(l) = &self.0 {
            // Progress is informational: a listener's exception must not stop the work.
            let _ = l.on_progress(progress);
        }
    }
}

/// The core's record, with its uniffi derive (Kotlin: `dev.portail.contract.DispatchReport`, aliased
/// in `dev.portail`).
pub use portail::DispatchReport;

/// The core's record, with its uniffi derive (Kotlin: `dev.portail.contract.SyncReport`, aliased
/// in `dev.portail`).
pub use portail::SyncReport;

/// The portal of one tenant. Thread-safe; use it with one `.use { }` (it is `AutoCloseable`),
/// `Portal.open(dir).use { p -> p.documents().publish(...) }`, or keep one per tenant for the
/// life of the application. Its sub-handles (`parties()`, `documents()`, `view(principal)`, ...)
/// need no `use` of their own: they hold the portal weakly and uniffi's Cleaner frees them.
/// After `close()`, a sub-handle obtained before throws `PortailException.InvalidState`
/// (`what == "portal"`).
#[derive(uniffi::Object)]
pub struct Portal {
    pub(crate) inner: Arc<portail::Portal>,
}

impl Portal {
    fn wrap(inner: portail::Portal) -> Arc<Self> {
        Arc::new(Portal {
            inner: Arc::new(inner),
        })
    }
}

#[uniffi::export]
impl Portal {
    /// A portal entirely in memory (store, blobs, mailer), for tests and trials.
    #[uniffi::constructor]
    pub fn in_memory(tenant: String, settings: Settings) -> crate::Result<Arc<Self>> {
        crate::call(|| Ok(Portal::wrap(portail::Portal::in_memory(tenant, settings)?)))
    }

    /// The embedded default in the folder `dir` (created if missing): tenant `default`, a
    /// SQLite store `dir/portail.sqlite3`, blobs in `dir/blobs`, `.eml` files in `dir/outbox`.
    /// Opening the same folder again reopens it.
    #[uniffi::constructor]
    pub fn open(dir: String) -> crate::Result<Arc<Self>> {
        crate::call(|| Ok(Portal::wrap(portail::Portal::open(dir)?)))
    }

    /// The tenant id.
    pub fn tenant(&self) -> crate::Result<String> {
        crate::call(|| Ok(self.inner.tenant().to_string()))
    }

    /// The current time of the portal's clock.
    pub fn now(&self) -> crate::Result<SystemTime> {
        crate::call(|| Ok(to_system(self.inner.now())))
    }

    /// The tenant's settings.
    pub fn settings(&self) -> crate::Result<Settings> {
        crate::call(|| self.inner.settings())
    }

    /// Save settings read earlier (a concurrent change gives `PortailException.Conflict`).
    /// Returns them with their new version.
    pub fn save_settings(&self, settings: Settings) -> crate::Result<Settings> {
        crate::call(|| self.inner.save_settings(settings))
    }

    /// Change the settings with `editor` (given the current settings, returns the new ones),
    /// retrying on a concurrent change; returns the saved settings. Kotlin:
    /// `portal.updateSettings { it.copy(replyTo = "x@y.fr") }`. If the editor throws, nothing is
    /// saved: a `PortailException` is rethrown, any other exception becomes
    /// `PortailException.Unexpected` with code `callback`.
    pub fn update_settings(&self, editor: Arc<dyn SettingsEditor>) -> crate::Result<Settings> {
        let mut raised: Option<PortailError> = None;
        let saved = crate::call(|| {
            self.inner
                .try_update_settings(|s| match editor.edit(s.clone()) {
                    Ok(next) => {
                        *s = next;
                        Ok(())
                    }
                    Err(e) => {
                        raised = Some(e);
                        Err(portail::Error::invalid("edit", "raised an exception"))
                    }
                })
        });
        match raised {
            Some(e) => Err(e),
            None => saved,
        }
    }

    /// Client and employee records.
    pub fn parties(&self) -> Arc<Parties> {
        Arc::new(Parties {
            portal: crate::Handle::new(&self.inner),
        })
    }

    /// Folder trees and their portal flags.
    pub fn folders(&self) -> Arc<Folders> {
        Arc::new(Folders {
            portal: crate::Handle::new(&self.inner),
        })
    }

    /// Notification templates.
    pub fn templates(&self) -> Arc<Templates> {
        Arc::new(Templates {
            portal: crate::Handle::new(&self.inner),
        })
    }

    /// Documents: publish, look up, mark paid.
    pub fn documents(&self) -> Arc<Documents> {
        Arc::new(Documents {
            portal: crate::Handle::new(&self.inner),
        })
    }

    /// The notification outbox and its history.
    pub fn notifications(&self) -> Arc<Notifications> {
        Arc::new(Notifications {
            portal: crate::Handle::new(&self.inner),
        })
    }

    /// Portal accounts ("Droits d'accès").
    pub fn accounts(&self) -> Arc<crate::accounts::Accounts> {
        Arc::new(crate::accounts::Accounts {
            portal: crate::Handle::new(&self.inner),
        })
    }

    /// Send up to `limit` due notifications through the mailer.
    ///
    /// Blocking (calls the mailer): call from a background thread.
    #[uniffi::method(default(limit = 500))]
    pub fn dispatch(&self, limit: i32) -> crate::Result<DispatchReport> {
        crate::call(|| {
            self.inner
                .dispatch(portail::ffi::small_count("limit", limit.into())?)
        })
    }

    /// "Synchroniser": activate draft accounts (freezing their passwords), queue credentials
    /// e-mails, then send every due notification.
    ///
    /// Blocking (argon2 hashing, the mailer): call from a background thread. `listener`
    /// (optional) gets progress.
    #[uniffi::method(default(listener = None))]
    pub fn sync(
        &self,
        listener: Option<Arc<dyn crate::portal::ProgressListener>>,
    ) -> crate::Result<SyncReport> {
        crate::call(|| {
            let relay = ProgressRelay::new(listener);
            self.inner.sync_with_progress(&|p| relay.report(p))
        })
    }
}

/// What a [`PortalBuilder`] has been given so far: the contract's options and the live parts.
struct BuilderState {
    options: portail::ffi::PortalOptions,
    parts: portail::ffi::HostParts,
}

impl BuilderState {
    /// One mail destination at a time: the builder's last call wins.
    fn clear_mail(&mut self) {
        self.options.outbox_dir = None;
        self.options.smtp = None;
        self.parts.mailer = None;
    }
}

/// Builds a [`Portal`]: `PortalBuilder("ma-societe").settings(s).memoryMailer(m).build()`.
/// Adapters default to memory (store, blobs, mailer) and the system clock.
#[derive(uniffi::Object)]
pub struct PortalBuilder {
    state: Mutex<BuilderState>,
}

impl PortalBuilder {
    fn edit(self: Arc<Self>, f: impl FnOnce(&mut BuilderState)) -> Arc<Self> {
        {
            let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut state);
        }
        self
    }
}

#[uniffi::export]
impl PortalBuilder {
    /// A builder for tenant `tenant`.
    #[uniffi::constructor]
    pub fn new(tenant: String) -> Arc<Self> {
        Arc::new(PortalBuilder {
            state: Mutex::new(BuilderState {
                options: portail::ffi::PortalOptions {
                    tenant: Some(tenant),
                    ..Default::default()
                },
                parts: portail::ffi::HostParts::default(),
            }),
        })
    }

    /// Settings used the first time this tenant is opened (then the stored ones win).
    pub fn settings(self: Arc<Self>, settings: Settings) -> Arc<Self> {
        self.edit(|s| s.options.settings = Some(settings))
    }

    /// The embedded default in the folder `dir` (created if missing): a SQLite store
    /// `dir/portail.sqlite3`, blobs in `dir/blobs`, `.eml` files in `dir/outbox`. Later
    /// `blobsDir`, `outboxDir`, `mailer` or `memoryMailer` calls replace the matching part.
    pub fn data_dir(self: Arc<Self>, dir: String) -> Arc<Self> {
        self.edit(|s| s.options.data_dir = Some(dir))
    }

    /// Keep document contents as files under `dir` (created if missing) instead of memory.
    pub fn blobs_dir(self: Arc<Self>, dir: String) -> Arc<Self> {
        self.edit(|s| s.options.blobs_dir = Some(dir))
    }

    /// Write each notification as an `.eml` file under `dir` (created if missing).
    pub fn outbox_dir(self: Arc<Self>, dir: String) -> Arc<Self> {
        self.edit(|s| {
            s.clear_mail();
            s.options.outbox_dir = Some(dir);
        })
    }

    /// Send through a Kotlin-implemented mailer.
    pub fn mailer(self: Arc<Self>, mailer: Arc<dyn Mailer>) -> Arc<Self> {
        self.edit(|s| {
            s.clear_mail();
            s.parts.mailer = Some(Arc::new(ForeignMailer(mailer)));
        })
    }

    /// Send through an SMTP relay at `host:port` in plain SMTP, without TLS (a relay on the
    /// same machine or network, or a test sink). SMTP 4xx and connection errors are transient
    /// (retried), 5xx permanent. `deadline` (optional; the core's default is 30 s, at least
    /// 10 ms) bounds the whole send of one message (connection, every command, DATA); past it
    /// the send counts as a transient failure.
    #[uniffi::method(default(deadline = None))]
    pub fn smtp_unencrypted(
        self: Arc<Self>,
        host: String,
        port: i32,
        deadline: Option<Duration>,
    ) -> Arc<Self> {
        self.edit(|s| {
            s.clear_mail();
            s.options.smtp = Some(portail::ffi::SmtpOptions {
                host,
                port: Some(port.into()),
                deadline_ms: deadline.map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
            });
        })
    }

    /// Send into a [`MemoryMailer`] (tests).
    pub fn memory_mailer(self: Arc<Self>, mailer: Arc<MemoryMailer>) -> Arc<Self> {
        self.edit(|s| {
            s.clear_mail();
            s.parts.mailer = Some(mailer.inner.clone());
        })
    }

    /// Use a [`FixedClock`] (tests and replays) instead of the system clock.
    pub fn clock(self: Arc<Self>, clock: Arc<FixedClock>) -> Arc<Self> {
        self.edit(|s| s.parts.clock = Some(clock.inner.clone()))
    }

    /// Password hashing, lockout, link lifetimes and password lengths: any field of
    /// `SecurityOptions` overrides the production policy (or the cheap one of
    /// `fastForTests = true`); the core checks them when `build()` runs
    /// (`PortailException.InvalidInput` naming the field). Replaces an earlier `hashing`.
    pub fn security(self: Arc<Self>, options: portail::ffi::SecurityOptions) -> Arc<Self> {
        self.edit(|s| s.options.security = Some(options))
    }

    /// Password-hashing cost (default: OWASP). `Hashing.FAST_FOR_TESTS` for test suites only.
    pub fn hashing(self: Arc<Self>, hashing: Hashing) -> Arc<Self> {
        self.edit(|s| {
            s.options.security = Some(portail::ffi::SecurityOptions {
                fast_for_tests: hashing == Hashing::FastForTests,
                ..s.options.security.take().unwrap_or_default()
            })
        })
    }

    /// Retries of transient mail failures: `max_attempts` in all, waiting `first_backoff`
    /// after the first failure, doubling up to `max_backoff`.
    pub fn retry(
        self: Arc<Self>,
        max_attempts: i32,
        first_backoff: Duration,
        max_backoff: Duration,
    ) -> Arc<Self> {
        let ms = |d: Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
        self.edit(|s| {
            s.options.retry = Some(portail::ffi::RetryOptions {
                max_attempts: Some(max_attempts.into()),
                first_backoff_ms: Some(ms(first_backoff)),
                max_backoff_ms: Some(ms(max_backoff)),
            })
        })
    }

    /// How long a dispatcher's claim on the notifications it is sending lasts, on the store's
    /// clock (the core's default: 5 minutes). While a send runs, the claims are renewed every
    /// third of this; a dispatcher that dies leaves its notifications to others once it has
    /// passed. Outside 100 ms ..= 1 day, `build()` throws `PortailException.InvalidInput`
    /// with field `claim_lease`.
    pub fn claim_lease(self: Arc<Self>, lease: Duration) -> Arc<Self> {
        self.edit(|s| {
            s.options.claim_lease_ms = Some(i64::try_from(lease.as_millis()).unwrap_or(i64::MAX))
        })
    }

    /// Open the tenant (on first open, its settings and default folder trees are saved).
    pub fn build(&self) -> crate::Result<Arc<Portal>> {
        crate::call(|| {
            let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
            let opened = portail::ffi::open(state.options.clone(), state.parts.clone())?;
            Ok(Portal::wrap(opened.portal))
        })
    }
}
