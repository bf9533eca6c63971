//! Clocks (`portail::clock`): `portail.FixedClock` for tests and replays.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use portail::Clock;
use pyo3::prelude::*;

use crate::convert::to_utc;

/// A settable clock for tests: `Portal.in_memory(..., clock=FixedClock(datetime(...)))`.
#[pyclass(frozen, module = "portail", name = "FixedClock")]
pub struct FixedClock {
    pub(crate) inner: Arc<portail::FixedClock>,
}

#[pymethods]
impl FixedClock {
    /// A clock stopped at `now` (a timezone-aware `datetime`).
    #[new]
    fn new(now: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(FixedClock {
            inner: Arc::new(portail::FixedClock::new(to_utc(now)?)),
        })
    }

    /// The clock's time (UTC).
    fn now(&self) -> DateTime<Utc> {
        self.inner.now()
    }

    /// Set the time.
    fn set(&self, now: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner.set(to_utc(now)?);
        Ok(())
    }

    /// Move the time forward by a `timedelta`.
    fn advance(&self, by: Duration) {
        self.inner.advance(by)
    }

    fn __repr__(&self) -> String {
        format!("FixedClock({})", self.inner.now().to_rfc3339())
    }
}
