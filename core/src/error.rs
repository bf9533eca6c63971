//! One error type for the whole library, each variant with a stable machine code.
//!
//! Bindings map [`Error::code`] to an exception class (Python), `err.code` (Node) or a sealed
//! exception subclass (Kotlin). Messages name the offending field or value but never a secret
//! (passwords and tokens are never formatted).

use std::fmt;

/// The result type of every fallible portail operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every way a portail operation can fail.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Input rejected before anything was written: `field` names what is wrong.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The input field at fault, e.g. `email` or `limit`.
        field: String,
        /// What is wrong with it.
        reason: String,
    },

    /// The thing looked up does not exist (in this tenant and audience).
    #[error("{what} not found: {key}")]
    NotFound {
        /// The kind of thing, e.g. `party` or `document`.
        what: String,
        /// The key it was looked up by.
        key: String,
    },

    /// The identifier is already used by another account of the same tenant and audience.
    #[error("identifier already taken: {identifier}")]
    IdentifierTaken {
        /// The identifier asked for.
        identifier: String,
    },

    /// The operation is not allowed in the current state (e.g. removing a folder that holds
    /// documents, cancelling a notification already sent).
    #[error("{what}: {reason}")]
    InvalidState {
        /// The item in the wrong state.
        what: String,
        /// Why the operation is refused.
        reason: String,
    },

    /// A concurrent change won: the record was modified since it was read. Nothing was written;
    /// read again and retry.
    #[error("conflict on {what}: it was changed by someone else")]
    Conflict {
        /// The record that changed meanwhile.
        what: String,
    },

    /// The principal may not see or act on this item.
    #[error("access denied")]
    AccessDenied,

    /// Login refused. The same error whether or not the identifier exists.
    #[error("invalid identifier or password")]
    InvalidCredentials,

    /// Too many failed logins: the account is locked until `until` (RFC 3339, UTC, `Z`).
    #[error("account locked until {until}")]
    LockedOut {
        /// End of the lockout, RFC 3339 in UTC.
        until: String,
    },

    /// A reset or invitation token is unknown, used or expired.
    #[error("invalid or expired token")]
    InvalidToken,

    /// The document belongs to a party with unpaid documents under the "block" policy.
    #[error("payment required before downloading {document}")]
    PaymentRequired {
        /// The document refused.
        document: String,
    },

    /// A PDF could not be read or stamped (encrypted, truncated, malformed).
    #[error("pdf: {reason}")]
    Pdf {
        /// What the PDF reader or stamper said.
        reason: String,
    },

    /// The mail transport failed.
    #[error("mail: {reason}")]
    Mail {
        /// What the transport said.
        reason: String,
    },

    /// The store or blob storage failed (I/O, database, corrupted content).
    #[error("storage: {reason}")]
    Storage {
        /// What the store or the blob storage said.
        reason: String,
    },
}

impl Error {
    /// The stable machine code of this error (`invalid_input`, `not_found`, ...).
    ///
    /// ```
    /// use portail::Error;
    /// let e = Error::invalid("email", "missing @");
    /// assert_eq!(e.code(), "invalid_input");
    /// assert_eq!(e.to_string(), "invalid email: missing @");
    /// ```
    pub fn code(&self) -> &'static str {
        self.kind().code()
    }

    /// The variant without its data, for matching in bindings.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidInput { .. } => ErrorKind::InvalidInput,
            Error::NotFound { .. } => ErrorKind::NotFound,
            Error::IdentifierTaken { .. } => ErrorKind::IdentifierTaken,
            Error::InvalidState { .. } => ErrorKind::InvalidState,
            Error::Conflict { .. } => ErrorKind::Conflict,
            Error::AccessDenied => ErrorKind::AccessDenied,
            Error::InvalidCredentials => ErrorKind::InvalidCredentials,
            Error::LockedOut { .. } => ErrorKind::LockedOut,
            Error::InvalidToken => ErrorKind::InvalidToken,
            Error::PaymentRequired { .. } => ErrorKind::PaymentRequired,
            Error::Pdf { .. } => ErrorKind::Pdf,
            Error::Mail { .. } => ErrorKind::Mail,
            Error::Storage { .. } => ErrorKind::Storage,
        }
    }

    /// The offending field of an [`Error::InvalidInput`], if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::InvalidInput { field, .. } => Some(field),
            _ => None,
        }
    }

    /// Shorthand for [`Error::InvalidInput`].
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// Shorthand for [`Error::NotFound`].
    pub fn not_found(what: impl Into<String>, key: impl fmt::Display) -> Self {
        Error::NotFound {
            what: what.into(),
            key: key.to_string(),
        }
    }

    /// Shorthand for [`Error::InvalidState`].
    pub fn state(what: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidState {
            what: what.into(),
            reason: reason.into(),
        }
    }

    /// Shorthand for [`Error::Storage`].
    pub fn storage(reason: impl fmt::Display) -> Self {
        Error::Storage {
            reason: reason.to_string(),
        }
    }

    /// Shorthand for [`Error::Conflict`].
    pub fn conflict(what: impl Into<String>) -> Self {
        Error::Conflict { what: what.into() }
    }
}

/// The kind of an [`Error`], one per stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// [`Error::InvalidInput`] (`invalid_input`).
    InvalidInput,
    /// [`Error::NotFound`] (`not_found`).
    NotFound,
    /// [`Error::IdentifierTaken`] (`identifier_taken`).
    IdentifierTaken,
    /// [`Error::InvalidState`] (`invalid_state`).
    InvalidState,
    /// [`Error::Conflict`] (`conflict`).
    Conflict,
    /// [`Error::AccessDenied`] (`access_denied`).
    AccessDenied,
    /// [`Error::InvalidCredentials`] (`invalid_credentials`).
    InvalidCredentials,
    /// [`Error::LockedOut`] (`locked_out`).
    LockedOut,
    /// [`Error::InvalidToken`] (`invalid_token`).
    InvalidToken,
    /// [`Error::PaymentRequired`] (`payment_required`).
    PaymentRequired,
    /// [`Error::Pdf`] (`pdf`).
    Pdf,
    /// [`Error::Mail`] (`mail`).
    Mail,
    /// [`Error::Storage`] (`storage`).
    Storage,
}

impl ErrorKind {
    /// Every kind, in a fixed order (bindings generate one exception class each).
    pub const ALL: [ErrorKind; 13] = [
        ErrorKind::InvalidInput,
        ErrorKind::NotFound,
        ErrorKind::IdentifierTaken,
        ErrorKind::InvalidState,
        ErrorKind::Conflict,
        ErrorKind::AccessDenied,
        ErrorKind::InvalidCredentials,
        ErrorKind::LockedOut,
        ErrorKind::InvalidToken,
        ErrorKind::PaymentRequired,
        ErrorKind::Pdf,
        ErrorKind::Mail,
        ErrorKind::Storage,
    ];

    /// The stable snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::NotFound => "not_found",
            ErrorKind::IdentifierTaken => "identifier_taken",
            ErrorKind::InvalidState => "invalid_state",
            ErrorKind::Conflict => "conflict",
            ErrorKind::AccessDenied => "access_denied",
            ErrorKind::InvalidCredentials => "invalid_credentials",
            ErrorKind::LockedOut => "locked_out",
            ErrorKind::InvalidToken => "invalid_token",
            ErrorKind::PaymentRequired => "payment_required",
            ErrorKind::Pdf => "pdf",
            ErrorKind::Mail => "mail",
            ErrorKind::Storage => "storage",
        }
    }
}

/// Return early with an [`Error::InvalidInput`] naming the field.
///
/// ```
/// # fn f(len: usize) -> portail::Result<()> {
/// portail::ensure_input!(len <= 10, "name", "at most 10 characters");
/// # Ok(()) }
/// # assert!(f(11).is_err());
/// ```
#[macro_export]
macro_rules! ensure_input {
    ($cond:expr, $field:expr, $($reason:tt)+) => {
        if !$cond {
            return Err($crate::Error::invalid($field, format!($($reason)+)));
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for kind in ErrorKind::ALL {
            let code = kind.code();
            assert!(seen.insert(code), "duplicate code {code}");
            assert!(code.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
        }
    }

    #[test]
    fn field_is_exposed() {
        let e = Error::invalid("page_size", "must be 10..=350");
        assert_eq!(e.field(), Some("page_size"));
        assert_eq!(Error::AccessDenied.field(), None);
    }
}
