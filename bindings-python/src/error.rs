//! Every conversion of a core error to a Python exception lives here.
//!
//! The core hands every failure over as a [`portail::ffi::ErrorInfo`] (the same fields in every
//! language). The exception classes are defined in Python (`portail/exceptions.py`, one per
//! stable code under `PortailError`); this module instantiates the class of the code (the base
//! class for a code this package does not know) with the message and every payload field as
//! keyword arguments.

use chrono::{DateTime, Utc};
use portail::ffi::ErrorInfo;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The Python exception of a core error.
pub(crate) fn to_py(py: Python<'_>, e: &portail::Error) -> PyErr {
    info_to_py(py, &ErrorInfo::from(e))
}

/// The Python exception of an error as the contract reports it.
pub(crate) fn info_to_py(py: Python<'_>, info: &ErrorInfo) -> PyErr {
    build(py, info).unwrap_or_else(|err| err)
}

fn build(py: Python<'_>, info: &ErrorInfo) -> PyResult<PyErr> {
    let module = py.import("portail.exceptions")?;
    let base = module.getattr("PortailError")?;
    let cls = module
        .getattr("BY_CODE")?
        .call_method1("get", (&info.code, base))?;
    let until = info
        .until
        .as_deref()
        .and_then(|u| DateTime::parse_from_rfc3339(u).ok())
        .map(|t| t.with_timezone(&Utc));
    let kw = PyDict::new(py);
    kw.set_item("code", &info.code)?;
    kw.set_item("field", &info.field)?;
    kw.set_item("what", &info.what)?;
    kw.set_item("key", &info.key)?;
    kw.set_item("reason", &info.reason)?;
    kw.set_item("identifier", &info.identifier)?;
    kw.set_item("until", until)?;
    kw.set_item("document", &info.document)?;
    let instance = cls.call((&info.message,), Some(&kw))?;
    Ok(PyErr::from_value(instance))
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

/// Every stable code, in order: the core's 13, then `internal`.
#[pyfunction]
pub(crate) fn error_codes() -> Vec<&'static str> {
    portail::ffi::CODES.to_vec()
}

/// Raise the core's example error of `code` (tests of the mapping); `internal` raises a real
/// panic caught at the boundary.
#[pyfunction]
pub(crate) fn _raise_for_test(py: Python<'_>, code: &str) -> PyResult<()> {
    if code == portail::ffi::INTERNAL {
        return crate::enter(py, || -> portail::Result<()> { panic!("test panic") });
    }
    match portail::ffi::example_error(code) {
        Some(info) => Err(info_to_py(py, &info)),
        None => Err(to_py(
            py,
            &portail::Error::invalid("code", format!("unknown code {code:?}")),
        )),
    }
}
