//! Notification templates (`portail::templates`): `portal.templates()` and `portail.Template`.

use std::sync::Arc;

use portail::{Template, TemplatePurpose};
use pyo3::prelude::*;

use crate::config::parse_audience;
use crate::convert::{attr, attr_enum, parse_enum, py_enum};
use crate::enter;
use crate::to_py::to_py;

pub(crate) fn template_from_py(obj: &Bound<'_, PyAny>) -> PyResult<Template> {
    Ok(Template {
        audience: attr_enum(obj, "audience")?,
        purpose: attr_enum(obj, "purpose")?,
        subject: attr(obj, "subject")?,
        body: attr(obj, "body")?,
        version: attr(obj, "version")?,
    })
}

/// Notification templates ("Modèle de notification"): `portal.templates()`.
#[pyclass(frozen, module = "portail", name = "Templates")]
pub struct Templates {
    pub(crate) portal: Arc<portail::Portal>,
}

#[pymethods]
impl Templates {
    /// The template in force: the saved one, or the shipped default (version 0).
    #[pyo3(signature = (purpose, *, audience="client"))]
    fn get<'py>(
        &self,
        py: Python<'py>,
        purpose: &Bound<'py, PyAny>,
        audience: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let a = parse_audience(py, audience)?;
        let purpose: TemplatePurpose = parse_enum(py, purpose, "purpose")?;
        let p = &self.portal;
        let t = enter(py, || p.templates().get(a, purpose))?;
        to_py(py, &t)
    }

    /// Save a template after checking its merge fields (an unknown field is an
    /// `InvalidInputError` naming `subject` or `body`).
    fn save<'py>(
        &self,
        py: Python<'py>,
        template: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let template = template_from_py(template)?;
        let p = &self.portal;
        let t = enter(py, || p.templates().save(template))?;
        to_py(py, &t)
    }

    /// The merge fields a template of `purpose` may use.
    fn fields<'py>(
        &self,
        py: Python<'py>,
        purpose: &Bound<'py, PyAny>,
    ) -> PyResult<Vec<Bound<'py, PyAny>>> {
        let purpose: TemplatePurpose = parse_enum(py, purpose, "purpose")?;
        self.portal
            .templates()
            .fields(purpose)
            .iter()
            .map(|f| py_enum(py, "MergeField", f))
            .collect()
    }
}
