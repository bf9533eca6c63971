//! Every conversion from a core failure (a [`portail::ffi::ErrorInfo`], or a panic caught by
//! [`portail::ffi::guard`]) to a thrown or rejected JavaScript `Error`.
//!
//! The thrown object is a real `Error` whose `code` is the stable code (see [`ErrorCode`]) and
//! whose other properties are the payload fields the core reports for that code (`field`,
//! `what`, `key`, `reason`, `identifier`, `until`, `document`): the same fields as in Python and
//! Kotlin.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use portail::ffi::ErrorInfo as CoreErrorInfo;

use crate::input::Arg;

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
    /// A bug inside portail (a Rust panic caught at the boundary); please report it.
    Internal,
}

/// Every code, in order: the core's 13, then `internal`.
#[napi]
pub fn error_codes() -> Vec<String> {
    portail::ffi::CODES.iter().map(|c| c.to_string()).collect()
}

/// Throw the core's example error of `code` (tests of the mapping); `internal` is a real panic
/// caught at the boundary.
#[napi(js_name = "_throwForTest")]
pub fn throw_for_test(env: Env, #[napi(ts_arg_type = "string")] code: Arg<String>) -> Result<()> {
    let code = guard(&env, || code.get("code"))?;
    if code == portail::ffi::INTERNAL {
        return guard(&env, || -> portail::Result<()> { panic!("test panic") });
    }
    let info = portail::ffi::example_error(&code).unwrap_or_else(|| {
        CoreErrorInfo::from(&portail::Error::invalid(
            "code",
            format!("unknown code {code:?}"),
        ))
    });
    Err(to_js(&env, &info))
}

/// A failure, as the JavaScript `Error` to throw (built on the JS thread).
pub fn to_js(env: &Env, info: &CoreErrorInfo) -> Error {
    match build(env, info) {
        Ok(err) => err,
        // Could not build the object (env shutting down): fall back to code + message.
        Err(_) => Error::new(
            Status::GenericFailure,
            format!("{}: {}", info.code, info.message),
        ),
    }
}

/// A core error, as the JavaScript `Error` to throw.
pub fn core_to_js(env: &Env, e: &portail::Error) -> Error {
    to_js(env, &CoreErrorInfo::from(e))
}

fn build(env: &Env, info: &CoreErrorInfo) -> Result<Error> {
    let mut obj = env.create_error(Error::new(Status::GenericFailure, info.message.clone()))?;
    obj.set_named_property("code", info.code.as_str())?;
    let payload = [
        ("field", &info.field),
        ("what", &info.what),
        ("key", &info.key),
        ("reason", &info.reason),
        ("identifier", &info.identifier),
        ("until", &info.until),
        ("document", &info.document),
    ];
    for (name, value) in payload {
        if let Some(v) = value {
            obj.set_named_property(name, v.as_str())?;
        }
    }
    Ok(Error::from(obj.to_unknown()))
}

/// An invalid-input error built in the binding (bad enum string, bad date...).
pub fn invalid(field: &str, reason: impl Into<String>) -> portail::Error {
    portail::Error::invalid(field, reason.into())
}

/// Run `f` (a synchronous export): a core error becomes a thrown `Error` with its code and
/// payload; a panic becomes a thrown `internal` error instead of aborting Node.
pub fn guard<T>(env: &Env, f: impl FnOnce() -> portail::Result<T>) -> Result<T> {
    portail::ffi::guard(f).map_err(|info| to_js(env, &info))
}
