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
use crate::mail::{JsMailer, OutgoingMessage, SmtpOptions};
use crate::notifications::Notifications;
use crate::parties::Parties;
use crate::security::SecurityPolicy;
use crate::task::Job;
use crate::templates::Templates;

/// The phases reported by progress callbacks.
#[napi(string_enum = "snake_case")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
            phase: match p.phase {
                portail::Phase::Activating => Phase::Activating,
                portail::Phase::Generating => Phase::Generating,
                portail::Phase::Publishing => Phase::Publishing,
                portail::Phase::Dispatching => Phase::Dispatching,
            },
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

/// The sink of an optional progress callback.
pub(crate) fn progress_fn(callback: Option<ProgressCallback>) -> Result<ProgressSink> {
    Ok(ProgressSink {
        callback,
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
    /// A mail transport written in JavaScript (wins over `mailDir`).
    #[napi(ts_type = "Mailer")]
    pub mailer: Option<Object<'a>>,
    /// Send through an SMTP relay (plain SMTP; wins over `mailDir`).
    pub smtp: Option<SmtpOptions>,
    /// A JS mailer's `send` that has not settled after this many milliseconds is a transient
    /// failure (default 60000).
    pub mailer_timeout_ms: Option<u32>,
    /// Delivery attempts before a notification is abandoned (default 5).
    pub max_attempts: Option<u32>,
    /// How long a dispatcher's claim on a notification lasts before another may take it over,
    /// in milliseconds (renewed while a send is in progress; 100 ms to 1 day, default 5 minutes).
    pub claim_lease_ms: Option<u32>,
}

enum MailBox {
    Memory(Arc<portail::MemoryMailer>),
    Files(Arc<portail::FileMailer>),
    /// A JS mailer or SMTP: nothing to inspect here.
    Other,
}

/// The portal of one tenant. Every method is safe to call concurrently; slow ones return
/// Promises and run off the main thread.
#[napi]
pub struct Portal {
    pub(crate) inner: Arc<portail::Portal>,
    pub(crate) clock: Option<Arc<portail::FixedClock>>,
    mailbox: MailBox,
}

impl Portal {
    fn build(
        env: &Env,
        tenant: String,
        settings: Option<Settings>,
        options: Option<PortalOptions>,
        data_dir: Option<String>,
    ) -> Result<Portal> {
        guard(env, || {
            let mut b = portail::Portal::builder(tenant);
            if let Some(s) = settings {
                b = b.settings(s.try_into()?);
            }
            let mut clock = None;
            let mut mailbox = None;
            if let Some(dir) = data_dir {
                b = b.data_dir(&dir)?;
                // The documented layout: the `.eml` outbox is `DIR/outbox`.
                let outbox = std::path::Path::new(&dir).join("outbox");
                mailbox = Some(MailBox::Files(Arc::new(portail::FileMailer::open(outbox)?)));
            }
            if let Some(o) = options {
                if let Some(now) = o.now {
                    let c = Arc::new(portail::FixedClock::new(now));
                    b = b.clock(c.clone());
                    clock = Some(c);
                }
                let base = if o.fast_hashing.unwrap_or(false) {
                    portail::SecurityPolicy::fast_for_tests()
                } else {
                    portail::SecurityPolicy::default()
                };
                b = b.security(crate::security::policy(base, o.security)?);
                if let Some(dir) = o.blobs_dir {
                    b = b.blobs(Arc::new(portail::FsBlobs::open(dir)?));
                }
                if let Some(mailer) = o.mailer {
                    b = b.mailer(Arc::new(JsMailer::new(
                        env,
                        mailer,
                        o.mailer_timeout_ms.unwrap_or(60_000),
                    )?));
                    mailbox = Some(MailBox::Other);
                } else if let Some(smtp) = &o.smtp {
                    b = b.mailer(Arc::new(smtp.mailer()?));
                    mailbox = Some(MailBox::Other);
                } else if let Some(dir) = o.mail_dir {
                    let m = Arc::new(portail::FileMailer::open(dir)?);
                    b = b.mailer(m.clone());
                    mailbox = Some(MailBox::Files(m));
                }
                if let Some(ms) = o.claim_lease_ms {
                    b = b.claim_lease(Duration::from_millis(ms.into()));
                }
                if let Some(n) = o.max_attempts {
                    b = b.retry_policy(portail::RetryPolicy {
                        max_attempts: n,
                        ..Default::default()
                    });
                }
            }
            let mailbox = match mailbox {
                Some(m) => m,
                None => {
                    let m = Arc::new(portail::MemoryMailer::new());
                    b = b.mailer(m.clone());
                    MailBox::Memory(m)
                }
            };
            Ok(Portal {
                inner: Arc::new(b.build()?),
                clock,
                mailbox,
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
        tenant: String,
        settings: Settings,
        options: Option<PortalOptions>,
    ) -> Result<Portal> {
        Portal::build(env, tenant, Some(settings), options, None)
    }

    /// The embedded default in the folder `dir` (created if missing): the SQLite store
    /// `portail.sqlite3`, blobs in `blobs/`, `.eml` files in `outbox/` (read them with
    /// `readMail`). Opening the folder again reopens the same data. Tenant `default` unless
    /// `options.tenant` is given; `options.settings` are used on first open.
    #[napi(factory)]
    pub fn open(env: &Env, dir: String, options: Option<PortalOptions>) -> Result<Portal> {
        let (tenant, settings) = match &options {
            Some(o) => (o.tenant.clone(), o.settings.clone()),
            None => (None, None),
        };
        let tenant = tenant.unwrap_or_else(|| "default".to_string());
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
            MailBox::Memory(m) => Ok(m.messages().into_iter().map(Into::into).collect()),
            _ => Err(portail::Error::state("mailer", "not the in-memory mailer")),
        })
    }

    /// The `.eml` text written for a notification (with `options.mailDir`).
    #[napi]
    pub fn read_mail(&self, env: &Env, notification_id: String) -> Result<String> {
        guard(env, || match &self.mailbox {
            MailBox::Files(m) => m.read(&notification_id),
            _ => Err(portail::Error::state(
                "mailer",
                "not the file mailer (options.mailDir)",
            )),
        })
    }

    /// The tenant's settings.
    #[napi]
    pub fn settings(&self, env: &Env) -> Result<Settings> {
        guard(env, || self.inner.settings().map(Into::into))
    }

    /// Save settings read with `settings()` (optimistic: `conflict` if changed meanwhile).
    #[napi]
    pub fn save_settings(&self, env: &Env, settings: Settings) -> Result<Settings> {
        guard(env, || {
            self.inner
                .save_settings(settings.try_into()?)
                .map(Into::into)
        })
    }

    /// Change the settings with `edit` (given the current settings, returns the new ones),
    /// retrying on a concurrent change.
    #[napi]
    pub fn update_settings(
        &self,
        env: &Env,
        edit: Function<Settings, Settings>,
    ) -> Result<Settings> {
        let mut failure: Option<Error> = None;
        let result = guard(env, || {
            self.inner.update_settings(|s| {
                if failure.is_some() {
                    return;
                }
                let version = s.version;
                match edit.call(s.clone().into()) {
                    Ok(next) => match portail::Settings::try_from(next) {
                        Ok(next) => *s = portail::Settings { version, ..next },
                        Err(e) => failure = Some(crate::error::to_js(env, &e)),
                    },
                    Err(e) => failure = Some(e),
                }
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
    pub fn dispatch(&self, limit: Option<u32>) -> AsyncTask<Job<DispatchReport>> {
        let portal = self.inner.clone();
        Job::spawn(move || portal.dispatch(limit.unwrap_or(100)).map(Into::into))
    }

    /// "Synchroniser": activate draft accounts (argon2, freezing their passwords), queue their
    /// credentials e-mails, then send every due notification. Off the main thread;
    /// `onProgress` receives each phase's progress.
    #[napi(ts_return_type = "Promise<SyncReport>")]
    pub fn sync(
        &self,
        on_progress: Option<ThreadsafeFunction<Progress, (), Progress, Status, false, true>>,
    ) -> Result<AsyncTask<Job<SyncReport>>> {
        let progress = progress_fn(on_progress)?;
        let portal = self.inner.clone();
        Ok(Job::spawn(move || {
            let report = portal.sync_with_progress(&|p| progress.report(p));
            progress.flush();
            report.map(Into::into)
        }))
    }
}
