//! `PortailException`: one sealed exception family for every failure, a subclass per stable
//! code (the core's 13 and `internal`, as listed by `portail::ffi::CODES`).
//!
//! Each subclass carries `code` (the stable snake_case code, e.g. `"not_found"`), `detail` (the
//! core's message, naming the offending field or value, never a secret) and every payload
//! field of the contract's `portail::ffi::ErrorInfo`, the same as in Python and Node. All
//! conversion from the core error lives here.

/// Declares [`PortailError`]: one variant per stable code, each with the same fields (the
/// code, the message and every payload field of [`portail::ffi::ErrorInfo`]), and the
/// conversion from the contract's `ErrorInfo`, which picks the variant of the code.
macro_rules! portail_error {
    ($($(#[$doc:meta])* $variant:ident = $code:literal,)*) => {
        /// Every way a portail call can fail. Kotlin: `PortailException`, with one subclass per
        /// code (`PortailException.NotFound`, `PortailException.InvalidInput`, ...), each with
        /// the same properties: `code`, `detail` (the message) and the payload fields `field`,
        /// `what`, `key`, `reason`, `identifier`, `until`, `document` (null where the code has
        /// no such field).
        ///
        /// Catch the base class to handle everything, a subclass for one case, or switch on
        /// `code`.
        #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
        pub enum PortailError {
            $(
                $(#[$doc])*
                #[error("{detail}")]
                $variant {
                    /// The stable code.
                    code: String,
                    /// The message, naming the offending field or value.
                    detail: String,
                    /// `invalid_input`: the offending field.
                    field: Option<String>,
                    /// `not_found`, `invalid_state`, `conflict`: what was looked up or refused.
                    what: Option<String>,
                    /// `not_found`: the key that was not found.
                    key: Option<String>,
                    /// Why (`invalid_input`, `invalid_state`, `pdf`, `mail`, `storage`).
                    reason: Option<String>,
                    /// `identifier_taken`: the identifier.
                    identifier: Option<String>,
                    /// `locked_out`: the end of the lockout (RFC 3339).
                    until: Option<String>,
                    /// `payment_required`: the document's name.
                    document: Option<String>,
                },
            )*
        }

        impl From<portail::ffi::ErrorInfo> for PortailError {
            fn from(i: portail::ffi::ErrorInfo) -> Self {
                macro_rules! build {
                    ($v:ident) => {
                        PortailError::$v {
                            code: i.code,
                            detail: i.message,
                            field: i.field,
                            what: i.what,
                            key: i.key,
                            reason: i.reason,
                            identifier: i.identifier,
                            until: i.until,
                            document: i.document,
                        }
                    };
                }
                match i.code.as_str() {
                    $($code => build!($variant),)*
                    _ => build!(Unexpected),
                }
            }
        }

        impl PortailError {
            /// The stable code of this error.
            pub fn code(&self) -> &str {
                match self {
                    $(PortailError::$variant { code, .. })|* => code,
                }
            }
        }
    };
}

portail_error! {
    /// Input rejected before anything was written (`invalid_input`); `field` names what is wrong.
    InvalidInput = "invalid_input",
    /// The thing looked up does not exist in this tenant and audience (`not_found`).
    NotFound = "not_found",
    /// The identifier is already used by another account (`identifier_taken`).
    IdentifierTaken = "identifier_taken",
    /// Not allowed in the current state, e.g. cancelling a sent notification (`invalid_state`).
    InvalidState = "invalid_state",
    /// A concurrent change won; nothing was written: read again and retry (`conflict`).
    Conflict = "conflict",
    /// The principal may not see or act on this item (`access_denied`).
    AccessDenied = "access_denied",
    /// Login refused, whether or not the identifier exists (`invalid_credentials`).
    InvalidCredentials = "invalid_credentials",
    /// Too many failed logins (`locked_out`); `until` is the RFC 3339 end of the lockout.
    LockedOut = "locked_out",
    /// A reset or invitation token is unknown, used or expired (`invalid_token`).
    InvalidToken = "invalid_token",
    /// Unpaid documents under the "block" policy (`payment_required`).
    PaymentRequired = "payment_required",
    /// A PDF could not be read or stamped (`pdf`).
    Pdf = "pdf",
    /// The mail transport failed (`mail`).
    Mail = "mail",
    /// The store or blob storage failed (`storage`).
    Storage = "storage",
    /// A bug inside portail (a Rust panic caught at the boundary); please report it (`internal`).
    Internal = "internal",
    /// A code this binding does not know yet (a newer core); `code` still tells which.
    Unexpected = "",
}

impl From<portail::Error> for PortailError {
    fn from(e: portail::Error) -> Self {
        PortailError::from(portail::ffi::ErrorInfo::from(&e))
    }
}

/// Every stable code, in order: the core's 13, then `internal` (one `PortailException`
/// subclass each).
#[uniffi::export]
pub fn error_codes() -> Vec<String> {
    portail::ffi::CODES.iter().map(|c| c.to_string()).collect()
}

/// Throw the core's example error of `code` (tests of the mapping); `internal` is a real panic
/// caught at the boundary.
#[uniffi::export]
pub fn throw_for_test(code: String) -> Result<(), PortailError> {
    if code == portail::ffi::INTERNAL {
        // A real panic, through the boundary every export uses.
        return crate::call(|| panic!("test panic"));
    }
    let info = portail::ffi::example_error(&code).unwrap_or_else(|| {
        portail::ffi::ErrorInfo::from(&portail::Error::invalid(
            "code",
            format!("unknown code {code:?}"),
        ))
    });
    Err(PortailError::from(info))
}

/// A failure reported for one item of a batch (Kotlin: `ErrorInfo`), where the batch itself
/// succeeded: the contract's record, with the same fields as a thrown `PortailException`.
pub use portail::ffi::ErrorInfo;

#[cfg(test)]
mod tests {
    use super::*;
    use portail::{Error, ErrorKind};

    /// The core's example error of `kind` (the one the bindings' own tests raise).
    fn sample(kind: ErrorKind) -> portail::ffi::ErrorInfo {
        portail::ffi::example_error(kind.code()).expect("every core code has an example")
    }

    #[test]
    fn every_core_code_has_its_own_variant() {
        let mut seen = std::collections::HashSet::new();
        for kind in ErrorKind::ALL {
            let e = PortailError::from(sample(kind));
            assert_eq!(e.code(), kind.code());
            assert!(!matches!(e, PortailError::Unexpected { .. }), "{kind:?}");
            assert!(!matches!(e, PortailError::Internal { .. }), "{kind:?}");
            assert!(
                seen.insert(std::mem::discriminant(&e)),
                "{kind:?} shares a variant"
            );
        }
        assert_eq!(error_codes().len(), 14);
    }

    #[test]
    fn fields_and_detail_carried() {
        let e = PortailError::from(Error::invalid("emails.billing", "\"x\" has no @"));
        assert_eq!(e.to_string(), "invalid emails.billing: \"x\" has no @");
        assert!(
            matches!(e, PortailError::InvalidInput { ref field, .. } if field.as_deref() == Some("emails.billing"))
        );
    }
}
