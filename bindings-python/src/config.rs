//! Tenant settings (`portail::config`): `portail.Settings` and `portail.AudienceSettings`.

use portail::{Audience, AudienceSettings, Language, Settings};
use pyo3::prelude::*;

use crate::convert::{attr, attr_enum, parse_enum_opt};
use crate::error::IntoPyResult;
use crate::to_py::to_py;

pub(crate) fn audience_settings_from_py(obj: &Bound<'_, PyAny>) -> PyResult<AudienceSettings> {
    Ok(AudienceSettings {
        portal_url: attr(obj, "portal_url")?,
        notifications_enabled: attr(obj, "notifications_enabled")?,
        page_size: attr(obj, "page_size")?,
        unpaid_policy: attr_enum(obj, "unpaid_policy")?,
        watermark_text: attr(obj, "watermark_text")?,
    })
}

pub(crate) fn settings_from_py(obj: &Bound<'_, PyAny>) -> PyResult<Settings> {
    Ok(Settings {
        company_name: attr(obj, "company_name")?,
        domain: attr(obj, "domain")?,
        sender: attr(obj, "sender")?,
        reply_to: attr(obj, "reply_to")?,
        language: attr_enum(obj, "language")?,
        time_zone: attr(obj, "time_zone")?,
        client: audience_settings_from_py(&obj.getattr("client")?)?,
        employee: audience_settings_from_py(&obj.getattr("employee")?)?,
        version: attr(obj, "version")?,
    })
}

/// An audience argument (`portail.Audience` or its name).
pub(crate) fn parse_audience(py: Python<'_>, name: &str) -> PyResult<Audience> {
    Audience::parse(name).py_err(py)
}

/// `Settings.new(...)`: the core's defaults for a company and its domain.
#[pyfunction]
#[pyo3(signature = (company_name, domain, *, sender=None, reply_to=None, language=None, time_zone=None))]
pub(crate) fn new_settings<'py>(
    py: Python<'py>,
    company_name: String,
    domain: String,
    sender: Option<String>,
    reply_to: Option<String>,
    language: Option<Bound<'py, PyAny>>,
    time_zone: Option<String>,
) -> PyResult<Bound<'py, PyAny>> {
    let mut s = Settings::new(company_name, domain);
    if let Some(sender) = sender {
        s = s.sender(sender);
    }
    if let Some(r) = reply_to {
        s = s.reply_to(r);
    }
    if let Some(l) = parse_enum_opt::<Language>(py, language.as_ref(), "language")? {
        s = s.language(l);
    }
    if let Some(tz) = time_zone {
        s = s.time_zone(tz);
    }
    to_py(py, &s)
}

/// `AudienceSettings.new(portal_url)`: the core's defaults.
#[pyfunction]
pub(crate) fn new_audience_settings(
    py: Python<'_>,
    portal_url: String,
) -> PyResult<Bound<'_, PyAny>> {
    to_py(py, &AudienceSettings::new(portal_url))
}
