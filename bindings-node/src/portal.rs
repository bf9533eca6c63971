//! `Portal`: the handle of one tenant, how it is opened, its settings, and the slow operations
//! (`dispatch`, `sync`) that run off the event loop.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;

use crate::config::Settings;
use crate::documents::Documents;
use crate::error::guard;
use crate::folders::Folders;
use crate::input::Arg;
use crate::mail::{JsMailer, OutgoingMessage};
use crate::notifications::Notifications;
use crate::parties::Parties;
use crate::security::SecurityPolicy;
use crate::task::Job;
use crate::templates::Templates;
use portail::ffi::SmtpOptions;

pub use portail::Phase;

/// Progress of a long operation, for a progress bar.
#[napi(object)]
pub struct Progress {
    pub phase: Phase,
    /// Items done so far in this phase.
    pub done: i64,
    /// Items in this phase.
    pub total: i64,
}

impl From<portail::Progress> for Progress {
    fn from(p: portail::Progress) -> Self {
        Progress {
            phase: p.phase,
            done: p.done as i64,
            total: p.total as i64,
        }
    }
}

/// A progress callback: called without blocking, from the worker running the batch; it never
/// keeps Node alive.
pub type ProgressCallback = ThreadsafeFunction<Progress, (), Progress, Status, false, true>;

/// The Rust side of an optional progress callback. `report` queues a call without blocking;
/// `flush` (on the worker, before the Promise settles) waits until the JS thread has run every
/// queued call, so a caller sees all progress before the result.
pub(crate) struct ProgressSink {
    callback: Option<ProgressCallback>,
    pending: Arc<(Mutex<usize>, Condvar)>,
}

impl ProgressSink {
    pub(crate) fn report(&self, p: portail::Progress) {
        let Some(cb) = &self.callback else { return };
        let pending = self.pending.clone();
        Self::add(&pending, 1);
        let done = pending.clone();
        let status = cb.call_with_return_value(
            p.into(),
            ThreadsafeFunctionCallMode::NonBlocking,
            move |_, _| {
                Self::add(&done, -1);
                Ok(())
            },
        );
        if status != Status::Ok {
            Self::add(&pending, -1);
        }
    }

    fn add(pending: &(Mutex<usize>, Condvar), delta: isize) {
        let (count, cond) = pending;
        let mut n = count.lock().unwrap_or_else(|p| p.into_inner());
        *n = n.saturating_add_signed(delta);
        cond.notify_all();
    }

    /// Wait (at most 10 s, in case Node is shutting down) for the queued calls to run.
    pub(crate) fn flush(&self) {
        let (count, cond) = &*self.pending;
        let n = count.lock().unwrap_or_else(|p| p.into_inner());
        let _ = cond.wait_timeout_while(n, Duration::from_secs(10), |n| *n > 0);
    }
}

plain_input!(ProgressCallback);

/// The sink of an optional progress callback (`invalid_input` naming `onProgress` if it is
/// not a function).
pub(crate) fn progress_fn(
    callback: Option<Arg<ProgressCallback>>,
) -> portail::Result<ProgressSink> {
    Ok(ProgressSink {
        callback: callback.map(|c| c.get("on_progress")).transpose()?,
        pending: Arc::new((Mutex::new(0), Condvar::new())),
    })
}

/// What one dispatch did.
#[napi(object)]
pub struct DispatchReport {
    /// Notifications taken for sending.
    pub attempted: i64,
    /// Accepted by the mailer ("Envoyé").
    pub sent: i64,
    /// Failed transiently; retried after a backoff.
    pub failed: i64,
    /// Given up (permanent error or last attempt).
    pub abandoned: i64,
    /// Taken by another dispatcher meanwhile.
    pub skipped: i64,
}

impl From<portail::DispatchReport> for DispatchReport {
    fn from(r: portail::DispatchReport) -> Self {
        DispatchReport {
            attempted: r.attempted as i64,
            sent: r.sent as i64,
            failed: r.failed as i64,
            abandoned: r.abandoned as i64,
            skipped: r.skipped as i64,
        }
    }
}

/// What `sync` ("Synchroniser") did.
#[napi(object)]
pub struct SyncReport {
    /// Draft accounts made active (password frozen).
    pub activated: i64,
    /// Accounts whose credentials e-mail was queued.
    pub credentials_queued: i64,
    /// The notifications sent.
    pub dispatch: DispatchReport,
}

impl From<portail::SyncReport> for SyncReport {
    fn from(r: portail::SyncReport) -> Self {
        SyncReport {
            activated: r.activated as i64,
            credentials_queued: r.credentials_queued as i64,
            dispatch: r.dispatch.into(),
        }
    }
}

/// A mail transport written in JavaScript: `send` returns a Promise; reject with an error whose
/// `permanent` is `true` for a failure that must not be retried.
#[napi(object, object_to_js = false)]
pub struct Mailer<'a> {
    #[napi(ts_type = "(message: OutgoingMessage) => Promise<void>")]
    pub send: Unknown<'a>,
}

/// How to open a portal. Every field is optional.
#[napi(object, object_to_js = false)]
#[derive(Default)]
pub struct PortalOptions<'a> {
    /// `Portal.open` only: the tenant (default `default`).
    pub tenant: Option<String>,
    /// `Portal.open` only: settings used on first open (default: from the tenant name).
    pub settings: Option<Settings>,
    /// A fixed clock at this instant (tests, replays); move it with `setClock`/`advanceClock`.
    pub now: Option<DateTime<Utc>>,
    /// Cheap password hashing for test suites (never in production).
    pub fast_hashing: Option<bool>,
    /// Hashing cost, lockout and token lifetimes (overrides).
    pub security: Option<SecurityPolicy>,
    /// Store document contents as files under this folder (default: memory).
    pub blobs_dir: Option<String>,
    /// Write each e-mail as an `.eml` file into this folder (default: memory).
    pub mail_dir: Option<String>,
    /// A mail transport written in JavaScript (give at most one of `mailer`, `smtp` and
    /// `mailDir`).
    #[napi(ts_type = "Mailer")]
    pub mailer: Option<Object<'a>>,
    /// Send through an SMTP relay (plain SMTP).
    pub smtp: Option<SmtpOptions>,
    /// A JS mailer's `send` that has not settled after this many milliseconds is a transient
    /// failure (default 60000, `portail::ffi::HOST_MAILER_TIMEOUT_MS`).
    pub mailer_timeout_ms: Option<u32>,
    /// Delivery attempts before a notification is abandoned (default 5).
    pub max_attempts: Option<u32>,
    /// Wait after the first failed delivery, in milliseconds (default 1 minute); doubled after
    /// each further failure.
    pub first_backoff_ms: Option<i64>,
    /// The longest wait between delivery attempts, in milliseconds (default 1 hour).
    pub max_backoff_ms: Option<i64>,
    /// How long a dispatcher's claim on a notification lasts before another may take it over,
    /// in milliseconds (renewed while a send is in progress; 100 ms to 1 day, default 5 minutes).
    pub claim_lease_ms: Option<u32>,
}

object_input!(PortalOptions<'a> {
    tenant, settings: Settings, now, fastHashing, security: SecurityPolicy, blobsDir, mailDir,
    mailer, smtp: SmtpOptions, mailerTimeoutMs, maxAttempts, firstBackoffMs, maxBackoffMs,
    claimLeaseMs,
});

/// The portal of one tenant. Every method is safe to call concurrently; slow ones return
/// Promises and run off the main thread.
#[napi]
pub struct Portal {
    pub(crate) inner: Arc<portail::Portal>,
    pub(crate) clock: Option<Arc<portail::FixedClock>>,
    mailbox: portail::ffi::Mailbox,
}

impl Portal {
    /// Open a portal through the contract's one assembly (`portail::ffi::open`): this only
    /// converts the JavaScript options.
    fn build(
        env: &Env,
        tenant: Option<String>,
        settings: Option<Settings>,
        options: Option<PortalOptions>,
        data_dir: Option<String>,
    ) -> Result<Portal> {
        guard(env, || {
            let o = options.unwrap_or_default();
            let mut parts = portail::ffi::HostParts::default();
            if let Some(mailer) = o.mailer {
                let timeout = o
                    .mailer_timeout_ms
                    .map_or(portail::ffi::HOST_MAILER_TIMEOUT_MS, i64::from);
                parts.mailer = Some(Arc::new(JsMailer::new(env, mailer, timeout)?));
            }
            let security = o.security.unwrap_or_default();
            let options = portail::ffi::PortalOptions {
                tenant,
                settings: settings.map(TryInto::try_into).transpose()?,
                data_dir,
                blobs_dir: o.blobs_dir,
                outbox_dir: o.mail_dir,
                smtp: o.smtp,
                now: o.now,
                security: Some(portail::ffi::SecurityOptions {
                    fast_for_tests: o.fast_hashing.unwrap_or_default(),
                    argon2_memory_kib: security.argon2_memory_kib.map(i64::from),
                    argon2_iterations: security.argon2_iterations.map(i64::from),
                    argon2_parallelism: security.argon2_parallelism.map(i64::from),
                    max_failed_logins: security.max_failed_logins.map(i64::from),
                    lockout_ms: security.lockout_ms,
                    reset_token_ttl_ms: security.reset_token_ttl_ms,
                    invitation_ttl_ms: security.invitation_ttl_ms,
                    min_password_length: security.min_password_length.map(i64::from),
                    generated_password_length: security.generated_password_length.map(i64::from),
                }),
                retry: Some(portail::ffi::RetryOptions {
                    max_attempts: o.max_attempts.map(i64::from),
                    first_backoff_ms: o.first_backoff_ms,
                    max_backoff_ms: o.max_backoff_ms,
                }),
                claim_lease_ms: o.claim_lease_ms.map(i64::from),
            };
            let opened = portail::ffi::open(options, parts)?;
            Ok(Portal {
                inner: Arc::new(opened.portal),
                clock: opened.clock,
                mailbox: opened.mailbox,
            })
        })
    }

    pub(crate) fn fixed_clock(&self) -> portail::Result<&portail::FixedClock> {
        self.clock.as_deref().ok_or_else(|| {
            portail::Error::state(
                "clock",
                "the portal was not opened with a fixed clock (options.now)",
            )
        })
    }
}

#[napi]
impl Portal {
    /// A portal in memory (store; blobs and mail too unless `blobsDir`/`mailDir`/`mailer` are
    /// given), for tests and trials. `settings` are used on first open.
    #[napi(factory)]
    pub fn in_memory(
        env: &Env,
        #[napi(ts_arg_type = "string")] tenant: Arg<String>,
        #[napi(ts_arg_type = "Settings")] settings: Arg<Settings>,
        #[napi(ts_arg_type = "PortalOptions | undefined | null")] options: Option<
            Arg<PortalOptions>,
        >,
    ) -> Result<Portal> {
        let (tenant, settings, options) = guard(env, || args!(tenant, settings, options))?;
        Portal::build(env, Some(tenant), Some(settings), options, None)
    }

    /// The embedded default in the folder `dir` (created if missing): the SQLite store
    /// `portail.sqlite3`, blobs in `blobs/`, `.eml` files in `outbox/` (read them with
    /// `readMail`). Opening the folder again reopens the same data. Tenant `default` unless
    /// `options.tenant` is given; `options.settings` are used on first open.
    #[napi(factory)]
    pub fn open(
        env: &Env,
        #[napi(ts_arg_type = "string")] dir: Arg<String>,
        #[napi(ts_arg_type = "PortalOptions | undefined | null")] options: Option<
            Arg<PortalOptions>,
        >,
    ) -> Result<Portal> {
        let (dir, options) = guard(env, || args!(dir, options))?;
        let (tenant, settings) = match &options {
            Some(o) => (o.tenant.clone(), o.settings.clone()),
            None => (None, None),
        };
        Portal::build(env, tenant, settings, options, Some(dir))
    }

    /// The tenant id.
    #[napi(getter)]
    pub fn tenant(&self) -> String {
        self.inner.tenant().to_string()
    }

    /// The messages sent so far by the default in-memory mailer (`invalid_state` with another
    /// mailer).
    #[napi]
    pub fn sent_messages(&self, env: &Env) -> Result<Vec<OutgoingMessage>> {
        guard(env, || match &self.mailbox {
            portail::ffi::Mailbox::Memory(m) => {
                Ok(m.messages().into_iter().map(Into::into).collect())
            }
            _ => Err(portail::Error::state("mailer", "not the in-memory mailer")),
        })
    }

    /// The `.eml` text written for a notification (with `options.mailDir`).
    #[napi]
    pub fn read_mail(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "string")] notification_id: Arg<String>,
    ) -> Result<String> {
        guard(env, || {
            let notification_id = notification_id.get("notification_id")?;
            match &self.mailbox {
                portail::ffi::Mailbox::Files(m) => m.read(&notification_id),
                _ => Err(portail::Error::state(
                    "mailer",
                    "not the file mailer (options.mailDir)",
                )),
            }
        })
    }

    /// The tenant's settings.
    #[napi]
    pub fn settings(&self, env: &Env) -> Result<Settings> {
        guard(env, || self.inner.settings().map(Into::into))
    }

    /// Save settings read with `settings()` (optimistic: `conflict` if changed meanwhile).
    #[napi]
    pub fn save_settings(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "Settings")] settings: Arg<Settings>,
    ) -> Result<Settings> {
        guard(env, || {
            let settings = settings.get("settings")?;
            self.inner
                .save_settings(settings.try_into()?)
                .map(Into::into)
        })
    }

    /// Change the settings with `edit` (given the current settings, returns the new ones),
    /// retrying on a concurrent change. If `edit` throws, its error is thrown and nothing is
    /// saved.
    #[napi]
    pub fn update_settings(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "(settings: Settings) => Settings")] edit: Arg<
            Function<Settings, Arg<Settings>>,
        >,
    ) -> Result<Settings> {
        let mut failure: Option<Error> = None;
        let result = guard(env, || {
            let edit = edit.get("edit")?;
            self.inner.try_update_settings(|s| {
                let next = match edit.call(s.clone().into()) {
                    Ok(next) => portail::Settings::try_from(next.get("edit")?)?,
                    Err(e) => {
                        failure = Some(e);
                        return Err(portail::Error::invalid("edit", "threw an exception"));
                    }
                };
                *s = next;
                Ok(())
            })
        });
        match failure {
            Some(e) => Err(e),
            None => result.map(Into::into),
        }
    }

    /// Client and employee records.
    #[napi]
    pub fn parties(&self) -> Parties {
        Parties {
            portal: self.inner.clone(),
        }
    }

    /// Folder trees.
    #[napi]
    pub fn folders(&self) -> Folders {
        Folders {
            portal: self.inner.clone(),
        }
    }

    /// Notification templates.
    #[napi]
    pub fn templates(&self) -> Templates {
        Templates {
            portal: self.inner.clone(),
        }
    }

    /// Documents.
    #[napi]
    pub fn documents(&self) -> Documents {
        Documents {
            portal: self.inner.clone(),
        }
    }

    /// The outbox and its history.
    #[napi]
    pub fn notifications(&self) -> Notifications {
        Notifications {
            portal: self.inner.clone(),
        }
    }

    /// Send up to `limit` (default 100) due notifications through the mailer, off the main
    /// thread.
    #[napi(ts_return_type = "Promise<DispatchReport>")]
    pub fn dispatch(
        &self,
        #[napi(ts_arg_type = "number | undefined | null")] limit: Option<Arg<u32>>,
    ) -> AsyncTask<Job<DispatchReport>> {
        let portal = self.inner.clone();
        Job::spawn_with(args!(limit), move |(limit,)| {
            portal.dispatch(limit.unwrap_or(100)).map(Into::into)
        })
    }

    /// "Synchroniser": activate draft accounts (argon2, freezing their passwords), queue their
    /// credentials e-mails, then send every due notification. Off the main thread;
    /// `onProgress` receives each phase's progress.
    #[napi(ts_return_type = "Promise<SyncReport>")]
    pub fn sync(
        &self,
        #[napi(ts_arg_type = "((progress: Progress) => void) | undefined | null")]
        on_progress: Option<Arg<ProgressCallback>>,
    ) -> AsyncTask<Job<SyncReport>> {
        let portal = self.inner.clone();
        Job::spawn_with(progress_fn(on_progress), move |progress| {
            let report = portal.sync_with_progress(&|p| progress.report(p));
            progress.flush();
            report.map(Into::into)
        })
    }
}
