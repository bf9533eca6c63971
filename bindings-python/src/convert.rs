//! Conversion helpers shared by the modules: records (frozen dataclasses of
//! `portail.records`), enums (`portail.enums`, named by the core's serde snake_case names) and
//! attribute reads.

use chrono::{DateTime, FixedOffset, Utc};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyModule};
use serde::de::DeserializeOwned;
use serde::Serialize;

static RECORDS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
static ENUMS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// `portail.records`, imported once (an import per converted value dominated listings).
pub(crate) fn records_module(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    RECORDS
        .get_or_try_init(py, || py.import("portail.records").map(Bound::unbind))
        .map(|m| m.bind(py))
}

/// `portail.enums`, imported once.
pub(crate) fn enums_module(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    ENUMS
        .get_or_try_init(py, || py.import("portail.enums").map(Bound::unbind))
        .map(|m| m.bind(py))
}

/// Build the record `name` of `portail.records` from keyword arguments.
pub(crate) fn record<'py>(
    py: Python<'py>,
    name: &str,
    kwargs: &Bound<'py, PyDict>,
) -> PyResult<Bound<'py, PyAny>> {
    records_module(py)?.getattr(name)?.call((), Some(kwargs))
}

/// `record!(py, "Party" { code: ..., name: ... })`: a record from its fields.
macro_rules! record {
    ($py:expr, $name:literal { $($k:ident : $v:expr),* $(,)? }) => {{
        let kw = pyo3::types::PyDict::new($py);
        $( kw.set_item(stringify!($k), $v)?; )*
        $crate::convert::record($py, $name, &kw)
    }};
}

/// The core's stable snake_case name of a unit enum value.
pub(crate) fn name_of<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        other => format!("{other:?}"),
    }
}

/// The `portail.enums.<class>` member of a core enum value.
pub(crate) fn py_enum<'py, T: Serialize>(
    py: Python<'py>,
    class: &str,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    enums_module(py)?.getattr(class)?.call1((name_of(value),))
}

/// [`py_enum`] of an optional value (`None` stays `None`).
pub(crate) fn py_enum_opt<'py, T: Serialize>(
    py: Python<'py>,
    class: &str,
    value: Option<&T>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    value.map(|v| py_enum(py, class, v)).transpose()
}

/// Parse an enum from its stable name (an enum member or a plain string); a wrong name is an
/// `InvalidInputError` naming `field`.
pub(crate) fn parse_enum<T: DeserializeOwned>(
    py: Python<'_>,
    value: &Bound<'_, PyAny>,
    field: &str,
) -> PyResult<T> {
    let name: String = value.extract()?;
    parse_name(py, &name, field)
}

/// Parse an enum from its stable name; a wrong name is an `InvalidInputError` naming `field`.
pub(crate) fn parse_name<T: DeserializeOwned>(
    py: Python<'_>,
    name: &str,
    field: &str,
) -> PyResult<T> {
    serde_json::from_value(serde_json::Value::String(name.to_string())).map_err(|_| {
        crate::error::to_py(
            py,
            &portail::Error::invalid(field, format!("unknown value {name:?}")),
        )
    })
}

/// [`parse_enum`] of an optional argument.
pub(crate) fn parse_enum_opt<T: DeserializeOwned>(
    py: Python<'_>,
    value: Option<&Bound<'_, PyAny>>,
    field: &str,
) -> PyResult<Option<T>> {
    match value {
        Some(v) if !v.is_none() => parse_enum(py, v, field).map(Some),
        _ => Ok(None),
    }
}

/// Read attribute `name` of a record.
pub(crate) fn attr<'py, T>(obj: &Bound<'py, PyAny>, name: &str) -> PyResult<T>
where
    T: for<'a> FromPyObject<'a, 'py>,
    for<'a> <T as FromPyObject<'a, 'py>>::Error: Into<PyErr>,
{
    obj.getattr(name)?.extract::<T>().map_err(Into::into)
}

/// Read an enum attribute of a record.
pub(crate) fn attr_enum<T: DeserializeOwned>(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<T> {
    parse_enum(obj.py(), &obj.getattr(name)?, name)
}

/// Read an optional enum attribute of a record.
pub(crate) fn attr_enum_opt<T: DeserializeOwned>(
    obj: &Bound<'_, PyAny>,
    name: &str,
) -> PyResult<Option<T>> {
    parse_enum_opt(obj.py(), Some(&obj.getattr(name)?), name)
}

/// A timezone-aware `datetime` as UTC (a naive one is a `TypeError`).
pub(crate) fn to_utc(value: &Bound<'_, PyAny>) -> PyResult<DateTime<Utc>> {
    let t: DateTime<FixedOffset> = value.extract()?;
    Ok(t.with_timezone(&Utc))
}

/// [`to_utc`] of an optional argument.
pub(crate) fn to_utc_opt(value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<DateTime<Utc>>> {
    match value {
        Some(v) if !v.is_none() => to_utc(v).map(Some),
        _ => Ok(None),
    }
}

/// A `portail.Page`: the contract's page view (`portail::ffi::PageView`) of the core's page,
/// each row converted to its view by `item`.
pub(crate) fn page<'py, T, V: Serialize>(
    py: Python<'py>,
    page: portail::Page<T>,
    item: impl FnMut(T) -> V,
) -> PyResult<Bound<'py, PyAny>> {
    crate::to_py::to_py(py, &portail::ffi::PageView::of(page, item))
}

/// A page request from the `offset`, `limit` and `cursor` keyword arguments, read by the
/// contract's rule (`portail::ffi::page_request`).
pub(crate) fn page_request(
    py: Python<'_>,
    offset: Option<i64>,
    limit: Option<i64>,
    cursor: Option<&str>,
) -> PyResult<portail::PageRequest> {
    portail::ffi::page_request(offset, limit, cursor).map_err(|e| crate::error::to_py(py, &e))
}
