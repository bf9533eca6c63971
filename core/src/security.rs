//! Secrets: argon2id password hashing, random passwords without look-alike characters, random
//! tokens stored hashed, and the lockout and lifetime settings.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::Duration;
use rand::rngs::OsRng;
use rand::{Rng, RngCore};

use crate::error::{Error, Result};

/// Hashing cost, lockout and token lifetimes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecurityPolicy {
    /// argon2id memory in KiB (OWASP: 19,456 = 19 MiB).
    pub argon2_memory_kib: u32,
    /// argon2id iterations (OWASP: 2).
    pub argon2_iterations: u32,
    /// argon2id lanes (OWASP: 1).
    pub argon2_parallelism: u32,
    /// Failed logins before a lockout.
    pub max_failed_logins: u32,
    /// How long a lockout lasts.
    pub lockout: Duration,
    /// Lifetime of a password-reset link.
    pub reset_token_ttl: Duration,
    /// Lifetime of an invitation link.
    pub invitation_ttl: Duration,
    /// Shortest password a person may choose or an admin may set.
    pub min_password_length: usize,
    /// Length of generated passwords.
    pub generated_password_length: usize,
}

impl Default for SecurityPolicy {
    /// OWASP's argon2id parameters (m=19 MiB, t=2, p=1), lockout after 5 failures for 15
    /// minutes, reset links valid 1 hour, invitations 7 days, passwords of 8+ characters,
    /// generated passwords of 10.
    fn default() -> Self {
        SecurityPolicy {
            argon2_memory_kib: 19 * 1024,
            argon2_iterations: 2,
            argon2_parallelism: 1,
            max_failed_logins: 5,
            lockout: Duration::minutes(15),
            reset_token_ttl: Duration::hours(1),
            invitation_ttl: Duration::days(7),
            min_password_length: 8,
            generated_password_length: 10,
        }
    }
}

/// Longest lockout or link lifetime a policy may set (100 years): later instants are not
/// representable everywhere.
const MAX_DAYS: i64 = 36_500;

impl SecurityPolicy {
    /// Cheap hashing for test suites (never in production).
    pub fn fast_for_tests() -> Self {
        SecurityPolicy {
            argon2_memory_kib: 64,
            argon2_iterations: 1,
            ..SecurityPolicy::default()
        }
    }

    /// Check the policy: argon2 parameters argon2 accepts, at least one failed login before a
    /// lockout, durations (lockout, link lifetimes) more than zero and at most 36,500 days,
    /// password lengths in range. Every field is `invalid_input` naming it, never a panic.
    pub fn validate(&self) -> Result<()> {
        self.argon2().map(|_| ())?;
        crate::ensure_input!(
            self.max_failed_logins >= 1,
            "max_failed_logins",
            "must be at least 1"
        );
        crate::ensure_input!(
            (4..=256).contains(&self.min_password_length),
            "min_password_length",
            "must be 4..=256"
        );
        for (field, d) in [
            ("lockout", self.lockout),
            ("reset_token_ttl", self.reset_token_ttl),
            ("invitation_ttl", self.invitation_ttl),
        ] {
            crate::ensure_input!(
                d > Duration::zero() && d <= Duration::days(MAX_DAYS),
                field,
                "must be more than zero and at most {MAX_DAYS} days"
            );
        }
        crate::ensure_input!(
            (8..=64).contains(&self.generated_password_length),
            "generated_password_length",
            "must be 8..=64"
        );
        Ok(())
    }

    fn argon2(&self) -> Result<Argon2<'static>> {
        let params = Params::new(
            self.argon2_memory_kib,
            self.argon2_iterations,
            self.argon2_parallelism,
            None,
        )
        .map_err(|e| Error::invalid("argon2", e.to_string()))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }

    /// Hash a password into an argon2id PHC string.
    pub fn hash_password(&self, password: &str) -> Result<String> {
        let salt = SaltString::generate(&mut OsRng);
        self.argon2()?
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| Error::storage(format!("argon2: {e}")))
    }

    /// Check a password against a PHC string (parameters are read from the string).
    pub fn verify_password(&self, password: &str, phc: &str) -> bool {
        match PasswordHash::new(phc) {
            Ok(h) => Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok(),
            Err(_) => false,
        }
    }

    /// Check a chosen password against the length policy.
    pub fn check_password(&self, password: &str) -> Result<()> {
        let n = password.chars().count();
        crate::ensure_input!(
            n >= self.min_password_length && n <= 256,
            "password",
            "must be {}..=256 characters",
            self.min_password_length
        );
        crate::ensure_input!(
            !password.chars().any(char::is_control),
            "password",
            "must not contain control characters"
        );
        Ok(())
    }

    /// A random password of the configured length without look-alike characters.
    pub fn generate_password(&self) -> String {
        generate_password(self.generated_password_length)
    }
}

/// Characters of generated passwords: no 0/O/o, 1/l/I, 5/S, 2/Z, 8/B.
const PASSWORD_ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY34679";

/// A random password of `len` characters without look-alike characters.
///
/// ```
/// let p = portail::security::generate_password(10);
/// assert_eq!(p.len(), 10);
/// assert!(!p.contains(['0', 'O', 'l', '1', 'I']));
/// ```
pub fn generate_password(len: usize) -> String {
    let mut rng = OsRng;
    (0..len)
        .map(|_| PASSWORD_ALPHABET[rng.gen_range(0..PASSWORD_ALPHABET.len())] as char)
        .collect()
}

/// A random URL-safe token (32 bytes, hex) and the SHA-256 stored in its place.
pub(crate) fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let hash = crate::blobs::sha256_hex(token.as_bytes());
    (token, hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_owasp_argon2id() {
        let p = SecurityPolicy::default();
        assert_eq!(
            (
                p.argon2_memory_kib,
                p.argon2_iterations,
                p.argon2_parallelism
            ),
            (19456, 2, 1)
        );
        let h = p.hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(p.verify_password("correct horse", &h));
        assert!(!p.verify_password("wrong", &h));
        assert!(!p.verify_password("x", "not a phc string"));
    }

    #[test]
    fn generated_passwords_avoid_look_alikes() {
        for _ in 0..200 {
            let pw = generate_password(12);
            assert!(pw.chars().all(|c| PASSWORD_ALPHABET.contains(&(c as u8))));
        }
        assert_ne!(generate_password(12), generate_password(12));
    }

    #[test]
    fn tokens_are_hashed() {
        let (t, h) = new_token();
        assert_eq!(t.len(), 64);
        assert_eq!(h, crate::blobs::sha256_hex(t.as_bytes()));
    }
}
