//! [`ErrorInfo`]: every failure as the bindings report it, with the same fields in every
//! language, and [`guard`], the boundary that also catches panics.

use std::panic::{catch_unwind, AssertUnwindSafe};

use serde::Serialize;

use crate::error::{Error, ErrorKind};

/// The code of a panic caught at the binding boundary: a bug in portail, never the caller's
/// fault. The 14th stable code, after the 13 of [`ErrorKind::ALL`].
pub const INTERNAL: &str = "internal";

/// Every stable error code a binding can report, in order: the 13 of [`ErrorKind::ALL`], then
/// [`INTERNAL`]. Each binding has one exception class (Python), `err.code` value (Node) or
/// sealed subclass (Kotlin) per code; a code it does not know maps to its base error.
pub const CODES: [&str; 14] = [
    "invalid_input",
    "not_found",
    "identifier_taken",
    "invalid_state",
    "conflict",
    "access_denied",
    "invalid_credentials",
    "locked_out",
    "invalid_token",
    "payment_required",
    "pdf",
    "mail",
    "storage",
    INTERNAL,
];

/// One failure as every binding reports it: the stable `code`, the `message` (naming the
/// offending field or value, never a secret) and every payload field of the core error. A
/// field a code does not carry is `None`, in every language alike.
///
/// ```
/// use portail::{ffi::ErrorInfo, Error};
/// let info = ErrorInfo::from(&Error::not_found("party", "4"));
/// assert_eq!((info.code.as_str(), info.what.as_deref(), info.key.as_deref()),
///            ("not_found", Some("party"), Some("4")));
/// assert_eq!(info.field, None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "napi", napi_derive::napi(object, object_from_js = false))]
pub struct ErrorInfo {
    /// The stable code: one of [`CODES`].
    #[cfg_attr(feature = "napi", napi(ts_type = "ErrorCode"))]
    pub code: String,
    /// The message, naming the offending field or value.
    pub message: String,
    /// `invalid_input`: the offending field (`emails.billing`, `page_size`, ...).
    pub field: Option<String>,
    /// `not_found`, `invalid_state`, `conflict`: what was looked up or refused.
    pub what: Option<String>,
    /// `not_found`: the key that was not found.
    pub key: Option<String>,
    /// `invalid_input`, `invalid_state`, `pdf`, `mail`, `storage`: why.
    pub reason: Option<String>,
    /// `identifier_taken`: the identifier.
    pub identifier: Option<String>,
    /// `locked_out`: the end of the lockout, RFC 3339 UTC (`2026-01-05T09:15:00Z`).
    pub until: Option<String>,
    /// `payment_required`: the document's name.
    pub document: Option<String>,
}

impl ErrorInfo {
    fn new(code: &str, message: String) -> Self {
        ErrorInfo {
            code: code.to_string(),
            message,
            field: None,
            what: None,
            key: None,
            reason: None,
            identifier: None,
            until: None,
            document: None,
        }
    }

    /// A panic caught at the boundary ([`INTERNAL`]), with the panic's text.
    pub fn internal(message: impl std::fmt::Display) -> Self {
        ErrorInfo::new(INTERNAL, format!("internal error in portail: {message}"))
    }

    /// The core error kind of this code; `None` for [`INTERNAL`].
    pub fn kind(&self) -> Option<ErrorKind> {
        ErrorKind::ALL.into_iter().find(|k| k.code() == self.code)
    }
}

impl From<&Error> for ErrorInfo {
    fn from(e: &Error) -> Self {
        let mut info = ErrorInfo::new(e.code(), e.to_string());
        let some = |s: &String| Some(s.clone());
        match e {
            Error::InvalidInput { field, reason } => {
                info.field = some(field);
                info.reason = some(reason);
            }
            Error::NotFound { what, key } => {
                info.what = some(what);
                info.key = some(key);
            }
            Error::IdentifierTaken { identifier } => info.identifier = some(identifier),
            Error::InvalidState { what, reason } => {
                info.what = some(what);
                info.reason = some(reason);
            }
            Error::Conflict { what } => info.what = some(what),
            Error::LockedOut { until } => info.until = some(until),
            Error::PaymentRequired { document } => info.document = some(document),
            Error::Pdf { reason } | Error::Mail { reason } | Error::Storage { reason } => {
                info.reason = some(reason);
            }
            Error::AccessDenied | Error::InvalidCredentials | Error::InvalidToken => {}
        }
        info
    }
}

impl From<Error> for ErrorInfo {
    fn from(e: Error) -> Self {
        ErrorInfo::from(&e)
    }
}

impl std::fmt::Display for ErrorInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ErrorInfo {}

/// The text of a panic payload.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".to_string()
    }
}

/// Run one core call at the binding boundary: its error becomes an [`ErrorInfo`], and a panic
/// becomes an [`INTERNAL`] one instead of unwinding into the host's runtime.
///
/// ```
/// use portail::ffi::{guard, INTERNAL};
/// let e = guard(|| -> portail::Result<()> { panic!("boom") }).unwrap_err();
/// assert_eq!(e.code, INTERNAL);
/// assert!(e.message.contains("boom"));
/// ```
// The error is built once per failed call at the boundary, never moved around a hot path.
#[allow(clippy::result_large_err)]
pub fn guard<T>(call: impl FnOnce() -> crate::Result<T>) -> Result<T, ErrorInfo> {
    match catch_unwind(AssertUnwindSafe(call)) {
        Ok(result) => result.map_err(ErrorInfo::from),
        Err(panic) => Err(ErrorInfo::internal(panic_message(panic.as_ref()))),
    }
}

/// One example error of each code, as the core would report it, for the bindings' tests of
/// their error mapping (every code, every payload field); `None` for a code not in [`CODES`].
pub fn example_error(code: &str) -> Option<ErrorInfo> {
    let e = match code {
        "invalid_input" => Error::invalid("emails.billing", "\"x\" has no @"),
        "not_found" => Error::not_found("party", "4"),
        "identifier_taken" => Error::IdentifierTaken {
            identifier: "4".into(),
        },
        "invalid_state" => Error::state("notification n1", "already sent"),
        "conflict" => Error::conflict("party 4"),
        "access_denied" => Error::AccessDenied,
        "invalid_credentials" => Error::InvalidCredentials,
        "locked_out" => Error::LockedOut {
            until: "2026-01-01T00:15:00Z".into(),
        },
        "invalid_token" => Error::InvalidToken,
        "payment_required" => Error::PaymentRequired {
            document: "FA-0002.pdf".into(),
        },
        "pdf" => Error::Pdf {
            reason: "truncated".into(),
        },
        "mail" => Error::Mail {
            reason: "421 try later".into(),
        },
        "storage" => Error::storage("disk full"),
        INTERNAL => return Some(ErrorInfo::internal("example panic")),
        _ => return None,
    };
    Some(ErrorInfo::from(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_core_codes_then_internal() {
        let core: Vec<&str> = ErrorKind::ALL.iter().map(|k| k.code()).collect();
        assert_eq!(&CODES[..13], core.as_slice());
        assert_eq!(CODES[13], INTERNAL);
    }

    #[test]
    fn every_payload_field_is_carried() {
        let e = ErrorInfo::from(&Error::invalid("emails.main", "has a space"));
        assert_eq!(e.field.as_deref(), Some("emails.main"));
        assert_eq!(e.reason.as_deref(), Some("has a space"));
        let e = ErrorInfo::from(&Error::state("notification", "already sent"));
        assert_eq!(
            (e.what.as_deref(), e.reason.as_deref()),
            (Some("notification"), Some("already sent"))
        );
        let e = ErrorInfo::from(&Error::LockedOut {
            until: "2026-01-05T09:15:00Z".into(),
        });
        assert_eq!(e.until.as_deref(), Some("2026-01-05T09:15:00Z"));
        assert_eq!(e.kind(), Some(ErrorKind::LockedOut));
        assert_eq!(ErrorInfo::internal("x").kind(), None);
    }

    #[test]
    fn one_example_per_code() {
        for code in CODES {
            let e = example_error(code).expect("every code has an example");
            assert_eq!(e.code, code);
        }
        assert_eq!(example_error("nope"), None);
    }

    #[test]
    fn guard_passes_values_and_errors() {
        assert_eq!(guard(|| Ok(3)), Ok(3));
        let e = guard(|| -> crate::Result<()> { Err(Error::AccessDenied) }).unwrap_err();
        assert_eq!(e.code, "access_denied");
        let e = guard(|| -> crate::Result<()> { std::panic::panic_any(7u8) }).unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.message.as_str()),
            (INTERNAL, "internal error in portail: panic")
        );
    }
}
