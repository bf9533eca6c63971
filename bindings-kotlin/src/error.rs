//! `PortailException`: one sealed exception family for every failure, a subclass per stable
//! code of the core (`portail::ErrorKind::ALL`, 13 of them).
//!
//! Each subclass carries `code` (the stable snake_case code, e.g. `"not_found"`), `detail` (the
//! core's message, naming the offending field or value, never a secret) and the variant's own
//! data (`field` for invalid input, `what`/`key` for not found, ...). All conversion from the
//! core error lives here.

use portail::{Error, ErrorKind};

/// Every way a portail call can fail. Kotlin: `PortailException`, with one subclass per code
/// (`PortailException.NotFound`, `PortailException.InvalidInput`, ...).
///
/// Catch the base class to handle everything, a subclass for one case, or switch on `code`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum PortailError {
    /// Input rejected before anything was written (`invalid_input`); `field` names what is wrong.
    #[error("{detail}")]
    InvalidInput {
        code: String,
        detail: String,
        /// The offending field (`emails.billing`, `page_size`, `path`...).
        field: String,
    },
    /// The thing looked up does not exist in this tenant and audience (`not_found`).
    #[error("{detail}")]
    NotFound {
        code: String,
        detail: String,
        /// What was looked up (`party`, `folder`, `document`...).
        what: String,
        /// The key that was not found.
        key: String,
    },
    /// The identifier is already used by another account (`identifier_taken`).
    #[error("{detail}")]
    IdentifierTaken {
        code: String,
        detail: String,
        identifier: String,
    },
    /// Not allowed in the current state, e.g. cancelling a sent notification (`invalid_state`).
    #[error("{detail}")]
    InvalidState { code: String, detail: String },
    /// A concurrent change won; nothing was written: read again and retry (`conflict`).
    #[error("{detail}")]
    Conflict { code: String, detail: String },
    /// The principal may not see or act on this item (`access_denied`).
    #[error("{detail}")]
    AccessDenied { code: String, detail: String },
    /// Login refused, whether or not the identifier exists (`invalid_credentials`).
    #[error("{detail}")]
    InvalidCredentials { code: String, detail: String },
    /// Too many failed logins (`locked_out`); `until` is the RFC 3339 end of the lockout.
    #[error("{detail}")]
    LockedOut {
        code: String,
        detail: String,
        until: String,
    },
    /// A reset or invitation token is unknown, used or expired (`invalid_token`).
    #[error("{detail}")]
    InvalidToken { code: String, detail: String },
    /// Unpaid documents under the "block" policy (`payment_required`).
    #[error("{detail}")]
    PaymentRequired {
        code: String,
        detail: String,
        document: String,
    },
    /// A PDF could not be read or stamped (`pdf`).
    #[error("{detail}")]
    Pdf { code: String, detail: String },
    /// The mail transport failed (`mail`).
    #[error("{detail}")]
    Mail { code: String, detail: String },
    /// The store or blob storage failed (`storage`).
    #[error("{detail}")]
    Storage { code: String, detail: String },
    /// A code this binding does not know yet (a newer core); `code` still tells which.
    #[error("{detail}")]
    Unexpected { code: String, detail: String },
}

impl PortailError {
    /// The stable code of this error.
    pub fn code(&self) -> &str {
        match self {
            PortailError::InvalidInput { code, .. }
            | PortailError::NotFound { code, .. }
            | PortailError::IdentifierTaken { code, .. }
            | PortailError::InvalidState { code, .. }
            | PortailError::Conflict { code, .. }
            | PortailError::AccessDenied { code, .. }
            | PortailError::InvalidCredentials { code, .. }
            | PortailError::LockedOut { code, .. }
            | PortailError::InvalidToken { code, .. }
            | PortailError::PaymentRequired { code, .. }
            | PortailError::Pdf { code, .. }
            | PortailError::Mail { code, .. }
            | PortailError::Storage { code, .. }
            | PortailError::Unexpected { code, .. } => code,
        }
    }
}

impl From<Error> for PortailError {
    fn from(e: Error) -> Self {
        let code = e.code().to_string();
        let detail = e.to_string();
        match e {
            Error::InvalidInput { field, .. } => PortailError::InvalidInput {
                code,
                detail,
                field,
            },
            Error::NotFound { what, key } => PortailError::NotFound {
                code,
                detail,
                what,
                key,
            },
            Error::IdentifierTaken { identifier } => PortailError::IdentifierTaken {
                code,
                detail,
                identifier,
            },
            Error::InvalidState { .. } => PortailError::InvalidState { code, detail },
            Error::Conflict { .. } => PortailError::Conflict { code, detail },
            Error::AccessDenied => PortailError::AccessDenied { code, detail },
            Error::InvalidCredentials => PortailError::InvalidCredentials { code, detail },
            Error::LockedOut { until } => PortailError::LockedOut {
                code,
                detail,
                until,
            },
            Error::InvalidToken => PortailError::InvalidToken { code, detail },
            Error::PaymentRequired { document } => PortailError::PaymentRequired {
                code,
                detail,
                document,
            },
            Error::Pdf { .. } => PortailError::Pdf { code, detail },
            Error::Mail { .. } => PortailError::Mail { code, detail },
            Error::Storage { .. } => PortailError::Storage { code, detail },
            _ => PortailError::Unexpected { code, detail },
        }
    }
}

/// The stable codes of every error, in the core's order (`invalid_input`, `not_found`, ...):
/// one `PortailException` subclass each.
#[uniffi::export]
pub fn error_codes() -> Vec<String> {
    ErrorKind::ALL
        .iter()
        .map(|k| k.code().to_string())
        .collect()
}

/// A failure reported for one item of a batch (Kotlin: `ErrorInfo`), where the batch itself
/// succeeded.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ErrorInfo {
    /// The stable code (`invalid_input`, `not_found`...).
    pub code: String,
    /// The message, naming the offending field or value.
    pub message: String,
    /// The offending field of an `invalid_input`.
    pub field: Option<String>,
}

impl From<&Error> for ErrorInfo {
    fn from(e: &Error) -> Self {
        ErrorInfo {
            code: e.code().to_string(),
            message: e.to_string(),
            field: e.field().map(str::to_string),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(kind: ErrorKind) -> Error {
        match kind {
            ErrorKind::InvalidInput => Error::invalid("email", "missing @"),
            ErrorKind::NotFound => Error::not_found("party", "9"),
            ErrorKind::IdentifierTaken => Error::IdentifierTaken {
                identifier: "4".into(),
            },
            ErrorKind::InvalidState => Error::state("notification", "sent"),
            ErrorKind::Conflict => Error::conflict("party 4"),
            ErrorKind::AccessDenied => Error::AccessDenied,
            ErrorKind::InvalidCredentials => Error::InvalidCredentials,
            ErrorKind::LockedOut => Error::LockedOut {
                until: "2026-01-01T00:15:00Z".into(),
            },
            ErrorKind::InvalidToken => Error::InvalidToken,
            ErrorKind::PaymentRequired => Error::PaymentRequired {
                document: "FA-0002.pdf".into(),
            },
            ErrorKind::Pdf => Error::Pdf {
                reason: "truncated".into(),
            },
            ErrorKind::Mail => Error::Mail {
                reason: "550".into(),
            },
            ErrorKind::Storage => Error::storage("disk full"),
            _ => Error::storage("unknown kind"),
        }
    }

    #[test]
    fn every_core_code_has_its_own_variant() {
        let mut seen = std::collections::HashSet::new();
        for kind in ErrorKind::ALL {
            let e = PortailError::from(sample(kind));
            assert_eq!(e.code(), kind.code());
            assert!(!matches!(e, PortailError::Unexpected { .. }), "{kind:?}");
            assert!(
                seen.insert(std::mem::discriminant(&e)),
                "{kind:?} shares a variant"
            );
        }
        assert_eq!(error_codes().len(), 13);
    }

    #[test]
    fn fields_and_detail_carried() {
        let e = PortailError::from(Error::invalid("emails.billing", "\"x\" has no @"));
        assert_eq!(e.to_string(), "invalid emails.billing: \"x\" has no @");
        assert!(
            matches!(e, PortailError::InvalidInput { ref field, .. } if field == "emails.billing")
        );
    }
}
