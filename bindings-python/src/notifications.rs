//! The outbox and its history (`portail::notifications`): `portal.notifications()`,
//! `portail.Notification`, and `portail.RetryPolicy`.

use std::sync::Arc;

use chrono::Duration;
use portail::{NotificationFilter, NotificationState};
use pyo3::prelude::*;

use crate::config::parse_audience;
use crate::convert::{page, page_request, parse_name, to_utc_opt};
use crate::enter;
use crate::to_py::to_py;

/// The outbox and its history ("Historique des notifications"): `portal.notifications()`.
#[pyclass(frozen, module = "portail", name = "Notifications")]
pub struct Notifications {
    pub(crate) portal: Arc<portail::Portal>,
}

#[pymethods]
impl Notifications {
    /// A notification by id; `NotFoundError` if missing.
    fn get<'py>(&self, py: Python<'py>, id: &str) -> PyResult<Bound<'py, PyAny>> {
        let p = &self.portal;
        let n = enter(py, || p.notifications().get(id))?;
        to_py(py, &n)
    }

    /// The history, newest first, filtered (every argument narrows; `from_` is inclusive,
    /// `to` exclusive, on the creation time) and paged.
    #[pyo3(signature = (*, audience=None, party_code=None, state=None, document_id=None,
        from_=None, to=None, offset=None, limit=None, cursor=None))]
    #[allow(clippy::too_many_arguments)]
    fn history<'py>(
        &self,
        py: Python<'py>,
        audience: Option<&str>,
        party_code: Option<String>,
        state: Option<&str>,
        document_id: Option<String>,
        from_: Option<&Bound<'py, PyAny>>,
        to: Option<&Bound<'py, PyAny>>,
        offset: Option<i64>,
        limit: Option<i64>,
        cursor: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let req = page_request(py, offset, limit, cursor)?;
        let filter = NotificationFilter {
            audience: audience.map(|a| parse_audience(py, a)).transpose()?,
            party_code,
            state: state
                .map(|s| parse_name::<NotificationState>(py, s, "state"))
                .transpose()?,
            document_id,
            from: to_utc_opt(from_)?,
            to: to_utc_opt(to)?,
        };
        let p = &self.portal;
        let result = enter(py, || p.notifications().history(&filter, req))?;
        page(py, result, |n| n)
    }

    /// Cancel a pending (or failed, retrying) notification ("Annulé").
    fn cancel<'py>(&self, py: Python<'py>, id: &str) -> PyResult<Bound<'py, PyAny>> {
        let p = &self.portal;
        let n = enter(py, || p.notifications().cancel(id))?;
        to_py(py, &n)
    }

    /// "Renvoyer": queue the document notification again, to the party's current address.
    /// A notification already sent (or still open) needs `force=True` ("Notification forcée").
    #[pyo3(signature = (id, *, force=false))]
    fn resend<'py>(&self, py: Python<'py>, id: &str, force: bool) -> PyResult<Bound<'py, PyAny>> {
        let p = &self.portal;
        let n = enter(py, || p.notifications().resend(id, force))?;
        to_py(py, &n)
    }
}

/// Retries of transient mail failures: exponential backoff, then abandoned.
#[pyclass(frozen, eq, module = "portail", name = "RetryPolicy")]
#[derive(Clone, PartialEq)]
pub struct RetryPolicy {
    pub(crate) inner: portail::RetryPolicy,
}

#[pymethods]
impl RetryPolicy {
    #[new]
    #[pyo3(signature = (*, max_attempts=None, first_backoff=None, max_backoff=None))]
    fn new(
        max_attempts: Option<u32>,
        first_backoff: Option<Duration>,
        max_backoff: Option<Duration>,
    ) -> Self {
        let d = portail::RetryPolicy::default();
        RetryPolicy {
            inner: portail::RetryPolicy {
                max_attempts: max_attempts.unwrap_or(d.max_attempts),
                first_backoff: first_backoff.unwrap_or(d.first_backoff),
                max_backoff: max_backoff.unwrap_or(d.max_backoff),
            },
        }
    }

    #[getter]
    fn max_attempts(&self) -> u32 {
        self.inner.max_attempts
    }
    #[getter]
    fn first_backoff(&self) -> Duration {
        self.inner.first_backoff
    }
    #[getter]
    fn max_backoff(&self) -> Duration {
        self.inner.max_backoff
    }

    /// The wait after `failures` failed attempts.
    fn backoff(&self, failures: u32) -> Duration {
        self.inner.backoff(failures)
    }

    fn __repr__(&self) -> String {
        format!(
            "RetryPolicy(max_attempts={}, first_backoff={}s, max_backoff={}s)",
            self.inner.max_attempts,
            self.inner.first_backoff.num_seconds(),
            self.inner.max_backoff.num_seconds()
        )
    }
}
