//! `portail.SecurityPolicy` (`portail::security`): password hashing, lockout, token lifetimes.

use chrono::Duration;
use pyo3::prelude::*;

/// Password hashing (argon2id), lockout and token lifetimes. The defaults are the core's
/// (OWASP argon2id); `SecurityPolicy.fast_for_tests()` hashes cheaply for test suites.
#[pyclass(frozen, eq, module = "portail", name = "SecurityPolicy")]
#[derive(Clone, PartialEq)]
pub struct SecurityPolicy {
    pub(crate) inner: portail::SecurityPolicy,
}

#[pymethods]
impl SecurityPolicy {
    #[new]
    #[pyo3(signature = (*, argon2_memory_kib=None, argon2_iterations=None, argon2_parallelism=None,
        max_failed_logins=None, lockout=None, reset_token_ttl=None, invitation_ttl=None,
        min_password_length=None, generated_password_length=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        argon2_memory_kib: Option<u32>,
        argon2_iterations: Option<u32>,
        argon2_parallelism: Option<u32>,
        max_failed_logins: Option<u32>,
        lockout: Option<Duration>,
        reset_token_ttl: Option<Duration>,
        invitation_ttl: Option<Duration>,
        min_password_length: Option<usize>,
        generated_password_length: Option<usize>,
    ) -> Self {
        let d = portail::SecurityPolicy::default();
        SecurityPolicy {
            inner: portail::SecurityPolicy {
                argon2_memory_kib: argon2_memory_kib.unwrap_or(d.argon2_memory_kib),
                argon2_iterations: argon2_iterations.unwrap_or(d.argon2_iterations),
                argon2_parallelism: argon2_parallelism.unwrap_or(d.argon2_parallelism),
                max_failed_logins: max_failed_logins.unwrap_or(d.max_failed_logins),
                lockout: lockout.unwrap_or(d.lockout),
                reset_token_ttl: reset_token_ttl.unwrap_or(d.reset_token_ttl),
                invitation_ttl: invitation_ttl.unwrap_or(d.invitation_ttl),
                min_password_length: min_password_length.unwrap_or(d.min_password_length),
                generated_password_length: generated_password_length
                    .unwrap_or(d.generated_password_length),
            },
        }
    }

    /// Cheap hashing for test suites (never in production).
    #[staticmethod]
    fn fast_for_tests() -> Self {
        SecurityPolicy {
            inner: portail::SecurityPolicy::fast_for_tests(),
        }
    }

    #[getter]
    fn argon2_memory_kib(&self) -> u32 {
        self.inner.argon2_memory_kib
    }
    #[getter]
    fn argon2_iterations(&self) -> u32 {
        self.inner.argon2_iterations
    }
    #[getter]
    fn argon2_parallelism(&self) -> u32 {
        self.inner.argon2_parallelism
    }
    #[getter]
    fn max_failed_logins(&self) -> u32 {
        self.inner.max_failed_logins
    }
    #[getter]
    fn lockout(&self) -> Duration {
        self.inner.lockout
    }
    #[getter]
    fn reset_token_ttl(&self) -> Duration {
        self.inner.reset_token_ttl
    }
    #[getter]
    fn invitation_ttl(&self) -> Duration {
        self.inner.invitation_ttl
    }
    #[getter]
    fn min_password_length(&self) -> usize {
        self.inner.min_password_length
    }
    #[getter]
    fn generated_password_length(&self) -> usize {
        self.inner.generated_password_length
    }

    fn __repr__(&self) -> String {
        let p = &self.inner;
        format!(
            "SecurityPolicy(argon2_memory_kib={}, argon2_iterations={}, argon2_parallelism={}, max_failed_logins={}, lockout_seconds={})",
            p.argon2_memory_kib, p.argon2_iterations, p.argon2_parallelism, p.max_failed_logins, p.lockout.num_seconds()
        )
    }
}
