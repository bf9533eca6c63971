//! Folder trees (`portail::folders`): `portal.folders()` and the `portail.Folder` record.

use std::sync::Arc;

use portail::Folder;
use pyo3::prelude::*;

use crate::config::parse_audience;
use crate::convert::{attr, attr_enum, attr_enum_opt};
use crate::enter;
use crate::to_py::to_py;

pub(crate) fn folder_from_py(obj: &Bound<'_, PyAny>) -> PyResult<Folder> {
    Ok(Folder {
        id: attr(obj, "id")?,
        audience: attr_enum(obj, "audience")?,
        path: attr(obj, "path")?,
        label: attr(obj, "label")?,
        shared: attr(obj, "shared")?,
        signature: attr_enum_opt(obj, "signature")?,
        notify: attr(obj, "notify")?,
        notify_on: attr_enum(obj, "notify_on")?,
        link: attr_enum(obj, "link")?,
        version: attr(obj, "version")?,
    })
}

/// The folder trees of a portal ("Configuration de la GED"): `portal.folders()`.
#[pyclass(frozen, module = "portail", name = "Folders")]
pub struct Folders {
    pub(crate) portal: Arc<portail::Portal>,
}

#[pymethods]
impl Folders {
    /// The folders of an audience, by path.
    #[pyo3(signature = (*, audience="client"))]
    fn list<'py>(&self, py: Python<'py>, audience: &str) -> PyResult<Bound<'py, PyAny>> {
        let a = parse_audience(py, audience)?;
        let p = &self.portal;
        let all = enter(py, || p.folders().list(a))?;
        to_py(py, &all)
    }

    /// A folder by path (or unique label).
    #[pyo3(signature = (reference, *, audience="client"))]
    fn get<'py>(
        &self,
        py: Python<'py>,
        reference: &str,
        audience: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let a = parse_audience(py, audience)?;
        let p = &self.portal;
        let f = enter(py, || p.folders().get(a, reference))?;
        to_py(py, &f)
    }

    /// Add a folder; its path must be new in the audience.
    fn add<'py>(&self, py: Python<'py>, folder: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let folder = folder_from_py(folder)?;
        let p = &self.portal;
        let f = enter(py, || p.folders().add(folder))?;
        to_py(py, &f)
    }

    /// Save a folder read earlier (changed with `dataclasses.replace`).
    fn update<'py>(
        &self,
        py: Python<'py>,
        folder: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let folder = folder_from_py(folder)?;
        let p = &self.portal;
        let f = enter(py, || p.folders().update(folder))?;
        to_py(py, &f)
    }

    /// Remove an empty folder.
    #[pyo3(signature = (reference, *, audience="client"))]
    fn remove(&self, py: Python<'_>, reference: &str, audience: &str) -> PyResult<()> {
        let a = parse_audience(py, audience)?;
        let p = &self.portal;
        enter(py, || p.folders().remove(a, reference))
    }
}
