//! [`PortalOptions`] and [`open`]: the one way every binding assembles a [`Portal`], with its
//! defaults and rules written once (which mailer wins, where the embedded default keeps its
//! files, how security and retry overrides apply and are checked).

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use crate::blobs::FsBlobs;
use crate::clock::FixedClock;
use crate::error::{Error, Result};
use crate::mail::{FileMailer, Mailer, MemoryMailer};
use crate::notifications::RetryPolicy;
use crate::security::SecurityPolicy;
use crate::{Portal, Settings};

/// The tenant of a portal opened without one.
pub const DEFAULT_TENANT: &str = "default";

/// How long a mailer written in the host's language may take to settle one send before it
/// counts as a transient failure, in milliseconds, unless the host says otherwise.
pub const HOST_MAILER_TIMEOUT_MS: i64 = 60_000;

/// Password hashing, lockout and link lifetimes: the production policy (or, with
/// `fast_for_tests`, [`SecurityPolicy::fast_for_tests`]) with any field overridden. Integers
/// are signed so every language can pass them; a negative or out-of-range one is
/// `invalid_input` naming it, and the result is checked by [`SecurityPolicy::validate`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SecurityOptions {
    /// Cheap hashing for test suites (never in production).
    #[cfg_attr(feature = "uniffi", uniffi(default = false))]
    pub fast_for_tests: bool,
    /// argon2 memory in KiB.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub argon2_memory_kib: Option<i64>,
    /// argon2 iterations.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub argon2_iterations: Option<i64>,
    /// argon2 lanes.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub argon2_parallelism: Option<i64>,
    /// Failed logins in a row before a lockout.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub max_failed_logins: Option<i64>,
    /// How long a lockout lasts, in milliseconds.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub lockout_ms: Option<i64>,
    /// How long a password-reset link works, in milliseconds.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub reset_token_ttl_ms: Option<i64>,
    /// How long an invitation link works, in milliseconds.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub invitation_ttl_ms: Option<i64>,
    /// Shortest password a user may choose.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub min_password_length: Option<i64>,
    /// Length of generated passwords.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub generated_password_length: Option<i64>,
}

impl SecurityOptions {
    /// The policy these options describe.
    ///
    /// ```
    /// use portail::ffi::SecurityOptions;
    /// let p = SecurityOptions { max_failed_logins: Some(3), ..Default::default() }.policy()?;
    /// assert_eq!(p.max_failed_logins, 3);
    /// let e = SecurityOptions { lockout_ms: Some(-1), ..Default::default() }.policy().unwrap_err();
    /// assert_eq!(e.field(), Some("lockout_ms"));
    /// # Ok::<(), portail::Error>(())
    /// ```
    pub fn policy(&self) -> Result<SecurityPolicy> {
        let mut p = if self.fast_for_tests {
            SecurityPolicy::fast_for_tests()
        } else {
            SecurityPolicy::default()
        };
        set_u32(
            &mut p.argon2_memory_kib,
            self.argon2_memory_kib,
            "argon2_memory_kib",
        )?;
        set_u32(
            &mut p.argon2_iterations,
            self.argon2_iterations,
            "argon2_iterations",
        )?;
        set_u32(
            &mut p.argon2_parallelism,
            self.argon2_parallelism,
            "argon2_parallelism",
        )?;
        set_u32(
            &mut p.max_failed_logins,
            self.max_failed_logins,
            "max_failed_logins",
        )?;
        set_ms(&mut p.lockout, self.lockout_ms, "lockout_ms")?;
        set_ms(
            &mut p.reset_token_ttl,
            self.reset_token_ttl_ms,
            "reset_token_ttl_ms",
        )?;
        set_ms(
            &mut p.invitation_ttl,
            self.invitation_ttl_ms,
            "invitation_ttl_ms",
        )?;
        set_usize(
            &mut p.min_password_length,
            self.min_password_length,
            "min_password_length",
        )?;
        set_usize(
            &mut p.generated_password_length,
            self.generated_password_length,
            "generated_password_length",
        )?;
        p.validate()?;
        Ok(p)
    }
}

impl From<&SecurityPolicy> for SecurityOptions {
    /// Options that describe `policy` exactly (every field set).
    fn from(policy: &SecurityPolicy) -> Self {
        SecurityOptions {
            fast_for_tests: false,
            argon2_memory_kib: Some(policy.argon2_memory_kib.into()),
            argon2_iterations: Some(policy.argon2_iterations.into()),
            argon2_parallelism: Some(policy.argon2_parallelism.into()),
            max_failed_logins: Some(policy.max_failed_logins.into()),
            lockout_ms: Some(policy.lockout.num_milliseconds()),
            reset_token_ttl_ms: Some(policy.reset_token_ttl.num_milliseconds()),
            invitation_ttl_ms: Some(policy.invitation_ttl.num_milliseconds()),
            min_password_length: i64::try_from(policy.min_password_length).ok(),
            generated_password_length: i64::try_from(policy.generated_password_length).ok(),
        }
    }
}

/// Retries of transient mail failures: [`RetryPolicy::default`] with any field overridden.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RetryOptions {
    /// Delivery attempts before a notification is abandoned (at least 1; default 5).
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub max_attempts: Option<i64>,
    /// Wait after the first failure, in milliseconds (doubled after each further one).
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub first_backoff_ms: Option<i64>,
    /// The longest wait, in milliseconds.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub max_backoff_ms: Option<i64>,
}

impl RetryOptions {
    /// The policy these options describe.
    pub fn policy(&self) -> Result<RetryPolicy> {
        let mut r = RetryPolicy::default();
        set_u32(&mut r.max_attempts, self.max_attempts, "max_attempts")?;
        set_ms(
            &mut r.first_backoff,
            self.first_backoff_ms,
            "first_backoff_ms",
        )?;
        set_ms(&mut r.max_backoff, self.max_backoff_ms, "max_backoff_ms")?;
        Ok(r)
    }
}

impl From<&RetryPolicy> for RetryOptions {
    /// Options that describe `policy` exactly (every field set).
    fn from(policy: &RetryPolicy) -> Self {
        RetryOptions {
            max_attempts: Some(policy.max_attempts.into()),
            first_backoff_ms: Some(policy.first_backoff.num_milliseconds()),
            max_backoff_ms: Some(policy.max_backoff.num_milliseconds()),
        }
    }
}

/// Delivery through an SMTP relay (plain SMTP; a TLS relay is set up in Rust with
/// [`crate::SmtpMailer::from_transport`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "napi", napi_derive::napi(object, object_to_js = false))]
pub struct SmtpOptions {
    /// The relay's host name.
    pub host: String,
    /// Its port (default 25).
    pub port: Option<i64>,
    /// Overall deadline of one message in milliseconds, past which the send is a transient
    /// failure (default 30,000).
    pub deadline_ms: Option<i64>,
}

/// How to open a portal: every binding's constructor fills one of these.
///
/// Nothing is required: `PortalOptions::default()` opens tenant `default` entirely in memory.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PortalOptions {
    /// The tenant (default [`DEFAULT_TENANT`]).
    pub tenant: Option<String>,
    /// Settings saved the first time the tenant is opened; then the stored ones win.
    pub settings: Option<Settings>,
    /// The embedded default in this folder (created if missing): the SQLite store
    /// `portail.sqlite3`, blobs in `blobs/`, `.eml` files in `outbox/` (unless another mailer
    /// is given). Without it, the store is in memory.
    pub data_dir: Option<String>,
    /// Document contents as files under this folder (wins over `data_dir`'s `blobs/`).
    pub blobs_dir: Option<String>,
    /// Each e-mail as an `.eml` file in this folder.
    pub outbox_dir: Option<String>,
    /// Send through an SMTP relay.
    pub smtp: Option<SmtpOptions>,
    /// A fixed clock at this instant (tests, replays), handed back in [`OpenedPortal::clock`].
    pub now: Option<DateTime<Utc>>,
    /// Hashing cost, lockout and link lifetimes.
    pub security: Option<SecurityOptions>,
    /// Retries of transient mail failures.
    pub retry: Option<RetryOptions>,
    /// How long a dispatcher's claim on a notification lasts, in milliseconds (100 ms to 1
    /// day; default 5 minutes).
    pub claim_lease_ms: Option<i64>,
}

/// The live objects a host hands over, next to its [`PortalOptions`].
#[derive(Default, Clone)]
pub struct HostParts {
    /// A mail transport written in the host's language (or one of its mailer objects).
    pub mailer: Option<Arc<dyn Mailer>>,
    /// A fixed clock the host keeps to move time.
    pub clock: Option<Arc<FixedClock>>,
}

impl std::fmt::Debug for HostParts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostParts")
            .field("mailer", &self.mailer.is_some())
            .field("clock", &self.clock.is_some())
            .finish()
    }
}

/// Where the mail of an opened portal goes, for a binding that lets hosts read it back.
#[derive(Debug, Clone)]
pub enum Mailbox {
    /// Kept in memory (the default).
    Memory(Arc<MemoryMailer>),
    /// Written as `.eml` files.
    Files(Arc<FileMailer>),
    /// A host mailer or SMTP: nothing to read back here.
    Elsewhere,
}

/// A portal opened by [`open`], with the parts a binding keeps beside it.
#[derive(Debug)]
pub struct OpenedPortal {
    /// The portal.
    pub portal: Portal,
    /// The fixed clock, when one was asked for (`now`) or given.
    pub clock: Option<Arc<FixedClock>>,
    /// Where its mail goes.
    pub mailbox: Mailbox,
}

/// Open a portal as `options` say, with the host's live `parts`.
///
/// Rules: at most one mail destination among `parts.mailer`, `smtp` and `outbox_dir`
/// (else `invalid_input` on `mailer`), and at most one of `now` and `parts.clock` (else
/// `invalid_input` on `clock`); mail stays in memory when none is given, or goes to
/// `data_dir/outbox` under the embedded default.
///
/// ```
/// use portail::ffi::{open, HostParts, PortalOptions};
/// let opened = open(PortalOptions { now: Some("2026-01-05T09:00:00Z".parse().unwrap()),
///                                   ..Default::default() }, HostParts::default())?;
/// assert_eq!(opened.portal.tenant(), "default");
/// assert!(opened.clock.is_some());
/// # Ok::<(), portail::Error>(())
/// ```
pub fn open(options: PortalOptions, parts: HostParts) -> Result<OpenedPortal> {
    let destinations = [
        parts.mailer.is_some(),
        options.smtp.is_some(),
        options.outbox_dir.is_some(),
    ];
    if destinations.iter().filter(|d| **d).count() > 1 {
        return Err(Error::invalid(
            "mailer",
            "give at most one of mailer, smtp and outbox_dir",
        ));
    }
    if options.now.is_some() && parts.clock.is_some() {
        return Err(Error::invalid(
            "clock",
            "give either now or a clock, not both",
        ));
    }
    let mut b = Portal::builder(options.tenant.unwrap_or_else(|| DEFAULT_TENANT.into()));
    if let Some(settings) = options.settings {
        b = b.settings(settings);
    }
    // The embedded default opens each of its parts once: the store in `data_dir`, the blobs
    // in `blobs_dir` or else `data_dir/blobs`, the outbox folder only when no other
    // destination is given.
    let mut mailbox = None;
    if let Some(dir) = &options.data_dir {
        b = b.store(embedded_store(Path::new(dir))?);
        if destinations.iter().all(|d| !d) {
            let files = Arc::new(FileMailer::open(Path::new(dir).join("outbox"))?);
            b = b.mailer(files.clone());
            mailbox = Some(Mailbox::Files(files));
        }
    }
    let blobs_dir = match (&options.blobs_dir, &options.data_dir) {
        (Some(blobs), _) => Some(Path::new(blobs).to_path_buf()),
        (None, Some(data)) => Some(Path::new(data).join("blobs")),
        (None, None) => None,
    };
    if let Some(dir) = blobs_dir {
        b = b.blobs(Arc::new(FsBlobs::open(dir)?));
    }
    if let Some(mailer) = parts.mailer {
        b = b.mailer(mailer);
        mailbox = Some(Mailbox::Elsewhere);
    } else if let Some(smtp) = &options.smtp {
        b = b.mailer(Arc::new(smtp_mailer(smtp)?));
        mailbox = Some(Mailbox::Elsewhere);
    } else if let Some(dir) = &options.outbox_dir {
        let files = Arc::new(FileMailer::open(dir)?);
        b = b.mailer(files.clone());
        mailbox = Some(Mailbox::Files(files));
    }
    let mailbox = match mailbox {
        Some(m) => m,
        None => {
            let memory = Arc::new(MemoryMailer::new());
            b = b.mailer(memory.clone());
            Mailbox::Memory(memory)
        }
    };
    let clock = match (options.now, parts.clock) {
        (Some(now), _) => Some(Arc::new(FixedClock::new(now))),
        (None, given) => given,
    };
    if let Some(c) = &clock {
        b = b.clock(c.clone());
    }
    if let Some(s) = &options.security {
        b = b.security(s.policy()?);
    }
    if let Some(r) = &options.retry {
        b = b.retry_policy(r.policy()?);
    }
    if let Some(ms) = options.claim_lease_ms {
        let lease = u64::try_from(ms)
            .map_err(|_| Error::invalid("claim_lease", "must be between 100 ms and 1 day"))?;
        b = b.claim_lease(std::time::Duration::from_millis(lease));
    }
    Ok(OpenedPortal {
        portal: b.build()?,
        clock,
        mailbox,
    })
}

/// The SQLite file of the embedded default in `dir` (created if missing).
#[cfg(feature = "sqlite")]
fn embedded_store(dir: &Path) -> Result<Arc<crate::store::SqliteStore>> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::storage(format!("create {}: {e}", dir.display())))?;
    Ok(Arc::new(crate::store::SqliteStore::open(
        dir.join("portail.sqlite3"),
    )?))
}

#[cfg(not(feature = "sqlite"))]
fn embedded_store(_: &Path) -> Result<Arc<crate::store::MemoryStore>> {
    Err(Error::invalid(
        "data_dir",
        "this build of portail has no SQLite store (feature `sqlite`)",
    ))
}

#[cfg(feature = "smtp")]
fn smtp_mailer(o: &SmtpOptions) -> Result<crate::SmtpMailer> {
    let port = u16::try_from(o.port.unwrap_or(25))
        .map_err(|_| Error::invalid("smtp.port", "must be 0..=65535"))?;
    if o.host.trim().is_empty() {
        return Err(Error::invalid("smtp.host", "must not be empty"));
    }
    let mut mailer = crate::SmtpMailer::unencrypted(&o.host, port);
    if let Some(ms) = o.deadline_ms {
        let ms = u64::try_from(ms)
            .map_err(|_| Error::invalid("smtp.deadline_ms", "must not be negative"))?;
        mailer = mailer.deadline(std::time::Duration::from_millis(ms));
    }
    Ok(mailer)
}

#[cfg(not(feature = "smtp"))]
fn smtp_mailer(_: &SmtpOptions) -> Result<MemoryMailer> {
    Err(Error::invalid(
        "smtp",
        "this build of portail has no SMTP transport (feature `smtp`)",
    ))
}

fn set_u32(slot: &mut u32, value: Option<i64>, field: &str) -> Result<()> {
    if let Some(v) = value {
        *slot = u32::try_from(v)
            .map_err(|_| Error::invalid(field, format!("{v} is not in 0..={}", u32::MAX)))?;
    }
    Ok(())
}

fn set_usize(slot: &mut usize, value: Option<i64>, field: &str) -> Result<()> {
    if let Some(v) = value {
        *slot = usize::try_from(v)
            .map_err(|_| Error::invalid(field, format!("{v} must not be negative")))?;
    }
    Ok(())
}

fn set_ms(slot: &mut Duration, value: Option<i64>, field: &str) -> Result<()> {
    if let Some(v) = value {
        if v < 0 {
            return Err(Error::invalid(field, format!("{v} must not be negative")));
        }
        *slot = Duration::milliseconds(v);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_open_tenant_default_in_memory() {
        let o = open(PortalOptions::default(), HostParts::default()).unwrap();
        assert_eq!(o.portal.tenant(), DEFAULT_TENANT);
        assert!(matches!(o.mailbox, Mailbox::Memory(_)));
        assert!(o.clock.is_none());
    }

    #[test]
    fn one_mail_destination_and_one_clock() {
        let dir = tempfile::tempdir().unwrap();
        let both = PortalOptions {
            outbox_dir: Some(dir.path().display().to_string()),
            ..Default::default()
        };
        let parts = HostParts {
            mailer: Some(Arc::new(MemoryMailer::new())),
            clock: None,
        };
        assert_eq!(open(both, parts).unwrap_err().field(), Some("mailer"));
        let clocks = PortalOptions {
            now: Some(Utc::now()),
            ..Default::default()
        };
        let parts = HostParts {
            mailer: None,
            clock: Some(Arc::new(FixedClock::new(Utc::now()))),
        };
        assert_eq!(open(clocks, parts).unwrap_err().field(), Some("clock"));
    }

    #[test]
    fn embedded_default_writes_mail_to_its_outbox() {
        let dir = tempfile::tempdir().unwrap();
        let o = open(
            PortalOptions {
                data_dir: Some(dir.path().display().to_string()),
                ..Default::default()
            },
            HostParts::default(),
        )
        .unwrap();
        match o.mailbox {
            Mailbox::Files(f) => assert_eq!(f.dir(), dir.path().join("outbox")),
            other => panic!("{other:?}"),
        }
        assert!(dir.path().join("portail.sqlite3").exists());
    }

    #[test]
    fn the_embedded_default_opens_only_the_parts_it_uses() {
        let (data, blobs, outbox) = (
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
        );
        let o = open(
            PortalOptions {
                data_dir: Some(data.path().display().to_string()),
                blobs_dir: Some(blobs.path().display().to_string()),
                outbox_dir: Some(outbox.path().display().to_string()),
                ..Default::default()
            },
            HostParts::default(),
        )
        .unwrap();
        assert!(matches!(o.mailbox, Mailbox::Files(ref f) if f.dir() == outbox.path()));
        assert!(data.path().join("portail.sqlite3").exists());
        assert!(!data.path().join("blobs").exists(), "blobs go to blobs_dir");
        assert!(
            !data.path().join("outbox").exists(),
            "mail goes to outbox_dir"
        );
    }

    #[test]
    fn a_policy_round_trips_through_its_options() {
        let p = SecurityPolicy::fast_for_tests();
        assert_eq!(SecurityOptions::from(&p).policy().unwrap(), p);
        let r = RetryPolicy::default();
        assert_eq!(RetryOptions::from(&r).policy().unwrap(), r);
    }

    #[test]
    fn overrides_are_checked_and_named() {
        let e = |o: SecurityOptions| o.policy().unwrap_err().field().map(str::to_string);
        assert_eq!(
            e(SecurityOptions {
                argon2_memory_kib: Some(-5),
                ..Default::default()
            })
            .as_deref(),
            Some("argon2_memory_kib")
        );
        assert_eq!(
            e(SecurityOptions {
                max_failed_logins: Some(0),
                ..Default::default()
            })
            .as_deref(),
            Some("max_failed_logins")
        );
        let r = RetryOptions {
            max_attempts: Some(-1),
            ..Default::default()
        };
        assert_eq!(r.policy().unwrap_err().field(), Some("max_attempts"));
        let lease = PortalOptions {
            claim_lease_ms: Some(-1),
            ..Default::default()
        };
        assert_eq!(
            open(lease, HostParts::default()).unwrap_err().field(),
            Some("claim_lease")
        );
    }
}
