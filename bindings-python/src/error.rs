//! Every conversion of a core error to a Python exception lives here.
//!
//! The exception classes are defined in Python (`portail/exceptions.py`, one per stable code of
//! `portail::ErrorKind::ALL`, under `PortailError`); this module instantiates the class of the
//! error's code with the message and the variant's fields as keyword arguments (`field`,
//! `reason`, `what`, `key`, `identifier`, `until`, `document`).

use chrono::{DateTime, Utc};
use portail::{Error, ErrorKind};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The Python exception of a core error.
pub(crate) fn to_py(py: Python<'_>, e: &Error) -> PyErr {
    build(py, e).unwrap_or_else(|err| err)
}

fn build(py: Python<'_>, e: &Error) -> PyResult<PyErr> {
    let cls = py
        .import("portail.exceptions")?
        .getattr("BY_CODE")?
        .get_item(e.code())?;
    let kw = PyDict::new(py);
    match e {
        Error::InvalidInput { field, reason } => {
            kw.set_item("field", field)?;
            kw.set_item("reason", reason)?;
        }
        Error::NotFound { what, key } => {
            kw.set_item("what", what)?;
            kw.set_item("key", key)?;
        }
        Error::IdentifierTaken { identifier } => kw.set_item("identifier", identifier)?,
        Error::InvalidState { what, reason } => {
            kw.set_item("what", what)?;
            kw.set_item("reason", reason)?;
        }
        Error::Conflict { what } => kw.set_item("what", what)?,
        Error::LockedOut { until } => {
            let at = DateTime::parse_from_rfc3339(until)
                .ok()
                .map(|t| t.with_timezone(&Utc));
            kw.set_item("until", at)?;
        }
        Error::PaymentRequired { document } => kw.set_item("document", document)?,
        Error::Pdf { reason } | Error::Mail { reason } | Error::Storage { reason } => {
            kw.set_item("reason", reason)?;
        }
        _ => {}
    }
    let instance = cls.call((e.to_string(),), Some(&kw))?;
    Ok(PyErr::from_value(instance))
}

/// `portail.InternalError`: a panic caught at the boundary.
pub(crate) fn internal(py: Python<'_>, message: &str) -> PyErr {
    let text = format!("internal error in portail: {message}");
    py.import("portail.exceptions")
        .and_then(|m| m.getattr("InternalError"))
        .and_then(|cls| cls.call1((text.clone(),)))
        .map(PyErr::from_value)
        .unwrap_or_else(|_| PyRuntimeError::new_err(text))
}

/// The text of a panic payload.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".to_string()
    }
}

/// Extension: `core_result.py_err(py)?`.
pub(crate) trait IntoPyResult<T> {
    fn py_err(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> IntoPyResult<T> for portail::Result<T> {
    fn py_err(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_py(py, &e))
    }
}

/// The stable codes of the core, in `ErrorKind::ALL` order.
#[pyfunction]
pub(crate) fn error_codes() -> Vec<&'static str> {
    ErrorKind::ALL.iter().map(|k| k.code()).collect()
}

/// Raise the exception of `code` as the core would (tests of the mapping), or a caught panic
/// for `code="panic"`.
#[pyfunction]
pub(crate) fn _raise_for_test(py: Python<'_>, code: &str) -> PyResult<()> {
    let e = match code {
        "invalid_input" => Error::invalid("email", "missing @"),
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
            reason: "421".into(),
        },
        "storage" => Error::storage("disk full"),
        "panic" => return crate::enter(py, || -> portail::Result<()> { panic!("test panic") }),
        other => Error::invalid("code", format!("unknown code {other:?}")),
    };
    Err(to_py(py, &e))
}
