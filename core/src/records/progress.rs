//! Reports of long operations: [`Progress`] for a host's progress bar, and what a dispatch and
//! a sync ("Synchroniser") did.

/// What one dispatch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
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
    pub(crate) fn add(&mut self, other: DispatchReport) {
        self.attempted += other.attempted;
        self.sent += other.sent;
        self.failed += other.failed;
        self.abandoned += other.abandoned;
        self.skipped += other.skipped;
    }
}

/// Progress of a long operation, for a host's progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Progress {
    /// What is being done.
    pub phase: Phase,
    /// Items done so far in this phase.
    pub done: u64,
    /// Items in this phase (known up front).
    pub total: u64,
}

/// The phases reported by [`Progress`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "napi", napi_derive::napi(string_enum = "snake_case"))]
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

/// What [`crate::Portal::sync`] did ("Synchroniser").
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SyncReport {
    /// Draft accounts made active (password frozen).
    pub activated: u64,
    /// Accounts whose credentials e-mail was queued.
    pub credentials_queued: u64,
    /// The notifications sent.
    pub dispatch: DispatchReport,
}
