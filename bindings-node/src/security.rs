//! Password hashing cost, lockout and token lifetimes (`options.security`); durations are in
//! milliseconds.

use napi_derive::napi;

/// Overrides of the security policy; unset fields keep the defaults (OWASP argon2id, lockout
/// after 5 failures for 15 minutes, reset links 1 hour, invitations 7 days, passwords of 8+
/// characters, generated ones of 10), or the cheap test parameters with `fastHashing`. The core
/// checks them (`portail::ffi::SecurityOptions`).
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct SecurityPolicy {
    /// argon2id memory in KiB (OWASP: 19456).
    pub argon2_memory_kib: Option<u32>,
    /// argon2id iterations (OWASP: 2).
    pub argon2_iterations: Option<u32>,
    /// argon2id lanes (OWASP: 1).
    pub argon2_parallelism: Option<u32>,
    /// Failed logins in a row before a lockout.
    pub max_failed_logins: Option<u32>,
    /// How long a lockout lasts.
    pub lockout_ms: Option<i64>,
    /// Lifetime of a password-reset link.
    pub reset_token_ttl_ms: Option<i64>,
    /// Lifetime of an invitation link.
    pub invitation_ttl_ms: Option<i64>,
    /// Shortest password a person may choose.
    pub min_password_length: Option<u32>,
    /// Length of generated passwords (8..=64).
    pub generated_password_length: Option<u32>,
}

object_input!(SecurityPolicy {
    argon2MemoryKib,
    argon2Iterations,
    argon2Parallelism,
    maxFailedLogins,
    lockoutMs,
    resetTokenTtlMs,
    invitationTtlMs,
    minPasswordLength,
    generatedPasswordLength,
});
