//! Every conversion from a core [`portail::Error`] (or a panic) to a thrown JavaScript `Error`.
//!
//! The thrown object is a real `Error` whose `code` is the core's stable code (see [`ErrorCode`]),
//! with `field` set for `invalid_input`, and `until` for `locked_out`.

use std::panic::{catch_unwind, AssertUnwindSafe};

use napi::bindgen_prelude::*;
use napi_derive::napi;

/// The stable code of every portail error, as found in `err.code`.
#[napi(string_enum = "snake_case")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// Input rejected before anything was written; `err.field` names what is wrong.
    InvalidInput,
    /// The thing looked up does not exist (in this tenant and audience).
    NotFound,
    /// The identifier is already used by another account of the same audience.
    IdentifierTaken,
    /// Not allowed in the current state (e.g. cancelling a notification already sent).
    InvalidState,
    /// A concurrent change won; nothing was written: read again and retry.
    Conflict,
    /// The principal may not see or act on this item.
    AccessDenied,
    /// Login refused (same error whether or not the identifier exists).
    InvalidCredentials,
    /// Too many failed logins: locked until `err.until`.
    LockedOut,
    /// A reset or invitation token is unknown, used or expired.
    InvalidToken,
    /// Payment required before downloading (unpaid policy "block").
    PaymentRequired,
    /// A PDF could not be read or stamped.
    Pdf,
    /// The mail transport failed.
    Mail,
    /// The store or blob storage failed.
    Storage,
}

impl ErrorCode {
    /// The code of a core error kind.
    pub fn of(kind: portail::ErrorKind) -> ErrorCode {
        use portail::ErrorKind as K;
        match kind {
            K::InvalidInput => ErrorCode::InvalidInput,
            K::NotFound => ErrorCode::NotFound,
            K::IdentifierTaken => ErrorCode::IdentifierTaken,
            K::InvalidState => ErrorCode::InvalidState,
            K::Conflict => ErrorCode::Conflict,
            K::AccessDenied => ErrorCode::AccessDenied,
            K::InvalidCredentials => ErrorCode::InvalidCredentials,
            K::LockedOut => ErrorCode::LockedOut,
            K::InvalidToken => ErrorCode::InvalidToken,
            K::PaymentRequired => ErrorCode::PaymentRequired,
            K::Pdf => ErrorCode::Pdf,
            K::Mail => ErrorCode::Mail,
            // `ErrorKind` is non-exhaustive: anything new is reported as storage until bound.
            _ => ErrorCode::Storage,
        }
    }
}

/// Every code, in the core's order (`portail::ErrorKind::ALL`).
#[napi]
pub fn error_codes() -> Vec<String> {
    portail::ErrorKind::ALL
        .iter()
        .map(|k| k.code().to_string())
        .collect()
}

/// A core error, as the JavaScript `Error` to throw (built on the JS thread).
pub fn to_js(env: &Env, e: &portail::Error) -> Error {
    match build(env, e) {
        Ok(err) => err,
        // Could not build the object (env shutting down): fall back to code + message.
        Err(_) => Error::new(Status::GenericFailure, format!("{}: {e}", e.code())),
    }
}

fn build(env: &Env, e: &portail::Error) -> Result<Error> {
    let mut obj = env.create_error(Error::new(Status::GenericFailure, e.to_string()))?;
    obj.set_named_property("code", e.code())?;
    if let Some(field) = e.field() {
        obj.set_named_property("field", field)?;
    }
    if let portail::Error::LockedOut { until } = e {
        obj.set_named_property("until", until.as_str())?;
    }
    Ok(Error::from(obj.to_unknown()))
}

/// A core error turned into a plain napi error (for places without an `Env`; the code is kept).
pub fn plain(e: &portail::Error) -> Error {
    Error::new(Status::GenericFailure, format!("{}: {e}", e.code()))
}

/// An invalid-input error built in the binding (bad enum string, bad date...).
pub fn invalid(field: &str, reason: impl Into<String>) -> portail::Error {
    portail::Error::invalid(field, reason.into())
}

/// Run `f` (a synchronous export): a core error becomes a thrown `Error` with its code; a panic
/// becomes a thrown `Error` instead of aborting Node.
pub fn guard<T>(env: &Env, f: impl FnOnce() -> portail::Result<T>) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(to_js(env, &e)),
        Err(panic) => Err(panicked(panic)),
    }
}

/// Run `f` on a worker thread (inside an async task), catching panics as a storage error.
pub fn guard_worker<T>(f: impl FnOnce() -> portail::Result<T>) -> portail::Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(panic) => Err(portail::Error::storage(format!(
            "internal error (panic): {}",
            panic_message(&panic)
        ))),
    }
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

fn panicked(panic: Box<dyn std::any::Any + Send>) -> Error {
    Error::new(
        Status::GenericFailure,
        format!("portail internal error (panic): {}", panic_message(&panic)),
    )
}

/// The JS error of a failed async task: the task carries the core error out of `compute`.
pub struct Failed(pub portail::Error);

impl From<Failed> for Error {
    fn from(f: Failed) -> Self {
        plain(&f.0)
    }
}
