//! Password hashing cost, lockout and token lifetimes (`options.security`); durations are in
//! milliseconds.

use napi_derive::napi;

/// Overrides of the security policy; unset fields keep the defaults (OWASP argon2id, lockout
/// after 5 failures for 15 minutes, reset links 1 hour, invitations 7 days, passwords of 8+
/// characters, generated ones of 10), or the cheap test parameters with `fastHashing`.
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

fn ms(field: &str, v: i64) -> portail::Result<chrono::Duration> {
    if v < 0 {
        return Err(crate::error::invalid(field, "must not be negative"));
    }
    Ok(chrono::Duration::milliseconds(v))
}

/// `base` with the given overrides (the core validates the result when the portal is built).
pub(crate) fn policy(
    base: portail::SecurityPolicy,
    o: Option<SecurityPolicy>,
) -> portail::Result<portail::SecurityPolicy> {
    let Some(o) = o else { return Ok(base) };
    let mut p = base;
    if let Some(v) = o.argon2_memory_kib {
        p.argon2_memory_kib = v;
    }
    if let Some(v) = o.argon2_iterations {
        p.argon2_iterations = v;
    }
    if let Some(v) = o.argon2_parallelism {
        p.argon2_parallelism = v;
    }
    if let Some(v) = o.max_failed_logins {
        p.max_failed_logins = v;
    }
    if let Some(v) = o.lockout_ms {
        p.lockout = ms("lockout_ms", v)?;
    }
    if let Some(v) = o.reset_token_ttl_ms {
        p.reset_token_ttl = ms("reset_token_ttl_ms", v)?;
    }
    if let Some(v) = o.invitation_ttl_ms {
        p.invitation_ttl = ms("invitation_ttl_ms", v)?;
    }
    if let Some(v) = o.min_password_length {
        p.min_password_length = v as usize;
    }
    if let Some(v) = o.generated_password_length {
        p.generated_password_length = v as usize;
    }
    Ok(p)
}
