//! Password hashing cost: the production default (OWASP argon2id) or cheap hashing for test
//! suites.

/// Which password-hashing cost a portal uses (`PortalBuilder.hashing`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum Hashing {
    /// OWASP's argon2id parameters (m=19 MiB, t=2, p=1): production, the default.
    Owasp,
    /// `SecurityPolicy::fast_for_tests()`: cheap hashing for test suites, never production.
    FastForTests,
}
