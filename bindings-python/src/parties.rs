//! Parties (`portail::parties`): `portal.parties()` and the `portail.Party` record.

use std::collections::BTreeMap;
use std::sync::Arc;

use portail::{EmailRole, Party};
use pyo3::prelude::*;

use crate::config::parse_audience;
use crate::convert::{attr, attr_enum, page, page_request, parse_enum};
use crate::enter;
use crate::to_py::to_py;

pub(crate) fn party_from_py(obj: &Bound<'_, PyAny>) -> PyResult<Party> {
    let py = obj.py();
    let mut emails = BTreeMap::new();
    let raw = obj.getattr("emails")?;
    for item in raw.call_method0("items")?.try_iter()? {
        let (role, address): (Bound<'_, PyAny>, String) = item?.extract()?;
        let role: EmailRole = parse_enum(py, &role, "emails")?;
        emails.insert(role, address);
    }
    Ok(Party {
        audience: attr_enum(obj, "audience")?,
        code: attr(obj, "code")?,
        name: attr(obj, "name")?,
        company: attr(obj, "company")?,
        emails,
        einvoicing: attr_enum(obj, "einvoicing")?,
        unpaid_exempt: attr(obj, "unpaid_exempt")?,
        version: attr(obj, "version")?,
    })
}

/// The client and employee records of a portal: `portal.parties()`.
#[pyclass(frozen, module = "portail", name = "Parties")]
pub struct Parties {
    pub(crate) portal: Arc<portail::Portal>,
}

#[pymethods]
impl Parties {
    /// Create or replace a party ("fiche client / salarié"); returns it with its new version.
    fn upsert<'py>(
        &self,
        py: Python<'py>,
        party: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let party = party_from_py(party)?;
        let p = &self.portal;
        let saved = enter(py, || p.parties().upsert(party))?;
        to_py(py, &saved)
    }

    /// A party by code; `NotFoundError` if missing.
    #[pyo3(signature = (code, *, audience="client"))]
    fn get<'py>(&self, py: Python<'py>, code: &str, audience: &str) -> PyResult<Bound<'py, PyAny>> {
        let a = parse_audience(py, audience)?;
        let p = &self.portal;
        let party = enter(py, || p.parties().get(a, code))?;
        to_py(py, &party)
    }

    /// A party by code, or `None`.
    #[pyo3(signature = (code, *, audience="client"))]
    fn find<'py>(
        &self,
        py: Python<'py>,
        code: &str,
        audience: &str,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let a = parse_audience(py, audience)?;
        let p = &self.portal;
        let party = enter(py, || p.parties().find(a, code))?;
        party.map(|party| to_py(py, &party)).transpose()
    }

    /// The parties of an audience, by code, one page at a time.
    #[pyo3(signature = (*, audience="client", offset=None, limit=None, cursor=None))]
    fn list<'py>(
        &self,
        py: Python<'py>,
        audience: &str,
        offset: Option<i64>,
        limit: Option<i64>,
        cursor: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let req = page_request(py, offset, limit, cursor)?;
        let a = parse_audience(py, audience)?;
        let p = &self.portal;
        let result = enter(py, || p.parties().list(a, req))?;
        page(py, result, |p| p)
    }
}
