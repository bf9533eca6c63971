//! The portal of one tenant (`portail::Portal`): construction, settings, dispatch and sync, and
//! the sub-handles by concept.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use portail::Progress;
use pyo3::prelude::*;

use crate::clock::FixedClock;
use crate::config::settings_from_py;
use crate::documents::Documents;
use crate::enter;
use crate::folders::Folders;
use crate::mail::{mailer_from_py, PyMailer};
use crate::notifications::{Notifications, RetryPolicy};
use crate::parties::Parties;
use crate::security::SecurityPolicy;
use crate::templates::Templates;
use crate::to_py::to_py;

/// A Python progress callable, called with the interpreter attached. Its first exception stops
/// further calls and is raised once the operation returns (the work itself is done).
pub(crate) struct Callback {
    func: Option<Py<PyAny>>,
    error: Mutex<Option<PyErr>>,
}

impl Callback {
    pub(crate) fn new(func: Option<Py<PyAny>>) -> Self {
        Callback {
            func: func.filter(|f| Python::attach(|py| !f.is_none(py))),
            error: Mutex::new(None),
        }
    }

    pub(crate) fn call(&self, progress: Progress) {
        let Some(func) = &self.func else { return };
        let Ok(mut error) = self.error.lock() else {
            return;
        };
        if error.is_some() {
            return;
        }
        Python::attach(|py| {
            let result = crate::to_py::to_py(py, &progress).and_then(|p| func.call1(py, (p,)));
            if let Err(e) = result {
                *error = Some(e);
            }
        });
    }

    /// Raise the callable's exception, if any.
    pub(crate) fn finish(self, _py: Python<'_>) -> PyResult<()> {
        match self.error.into_inner() {
            Ok(Some(e)) => Err(e),
            _ => Ok(()),
        }
    }
}

/// The portal of one tenant. Thread-safe; every long call releases the GIL.
#[pyclass(frozen, module = "portail", name = "Portal")]
pub struct Portal {
    pub(crate) inner: Arc<portail::Portal>,
    /// The host's Python mailer, if any (its interrupts are re-raised after a dispatch).
    host_mailer: Option<Arc<PyMailer>>,
}

impl Portal {
    /// Raise a `KeyboardInterrupt`-like exception the host mailer got during the last call.
    fn reraise_interrupt(&self) -> PyResult<()> {
        match self.host_mailer.as_ref().and_then(|m| m.take_interrupt()) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// A `timedelta` as the core's `std::time::Duration`; a negative one becomes zero (the core
/// then refuses it where zero is out of range).
pub(crate) fn std_duration(d: chrono::Duration) -> std::time::Duration {
    d.to_std().unwrap_or(std::time::Duration::ZERO)
}

/// A folder given as a path, as the contract's string; a path that is not UTF-8 is
/// `invalid_input` naming `field`.
fn dir_string(py: Python<'_>, dir: Option<PathBuf>, field: &str) -> PyResult<Option<String>> {
    dir.map(|d| {
        d.into_os_string().into_string().map_err(|d| {
            crate::error::to_py(
                py,
                &portail::Error::invalid(field, format!("{d:?} is not valid UTF-8")),
            )
        })
    })
    .transpose()
}

/// Every constructor: convert the keyword arguments, then open through the contract's one
/// assembly (`portail::ffi::open`).
#[allow(clippy::too_many_arguments)]
fn build(
    py: Python<'_>,
    tenant: Option<String>,
    settings: Option<&Bound<'_, PyAny>>,
    data_dir: Option<PathBuf>,
    blobs_dir: Option<PathBuf>,
    outbox_dir: Option<PathBuf>,
    mailer: Option<&Bound<'_, PyAny>>,
    clock: Option<PyRef<'_, FixedClock>>,
    security: Option<PyRef<'_, SecurityPolicy>>,
    retry_policy: Option<PyRef<'_, RetryPolicy>>,
    claim_lease: Option<chrono::Duration>,
) -> PyResult<Portal> {
    let mut parts = portail::ffi::HostParts {
        mailer: None,
        clock: clock.map(|c| c.inner.clone()),
    };
    let mut host_mailer = None;
    if let Some(m) = mailer.filter(|m| !m.is_none()) {
        let (mailer, host) = mailer_from_py(m)?;
        parts.mailer = Some(mailer);
        host_mailer = host;
    }
    let options = portail::ffi::PortalOptions {
        tenant,
        settings: settings
            .filter(|s| !s.is_none())
            .map(settings_from_py)
            .transpose()?,
        data_dir: dir_string(py, data_dir, "path")?,
        blobs_dir: dir_string(py, blobs_dir, "blobs_dir")?,
        outbox_dir: dir_string(py, outbox_dir, "outbox_dir")?,
        smtp: None,
        now: None,
        security: security.map(|s| portail::ffi::SecurityOptions::from(&s.inner)),
        retry: retry_policy.map(|r| portail::ffi::RetryOptions::from(&r.inner)),
        claim_lease_ms: claim_lease.map(|l| l.num_milliseconds()),
    };
    let opened = enter(py, move || portail::ffi::open(options, parts))?;
    Ok(Portal {
        inner: Arc::new(opened.portal),
        host_mailer,
    })
}

#[pymethods]
impl Portal {
    /// A portal with the memory store; documents in `blobs_dir` (files) or memory, mail through
    /// `mailer` (a `MemoryMailer`, `FileMailer`, or any object with `send(message)`), as `.eml`
    /// files in `outbox_dir`, or kept in memory.
    ///
    /// `settings` are used the first time the tenant is opened. `clock`, `security` and
    /// `retry_policy` are for tests (`FixedClock`, `SecurityPolicy.fast_for_tests()`).
    /// `claim_lease` (a `timedelta`, 100 ms to 1 day, else `InvalidInputError` naming
    /// `claim_lease`; default 5 minutes) is how long a dispatcher's claim on a notification
    /// lasts on the store's clock; it is renewed while a send is in progress.
    #[new]
    #[pyo3(signature = (tenant, settings=None, *, blobs_dir=None, outbox_dir=None, mailer=None,
        clock=None, security=None, retry_policy=None, claim_lease=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        tenant: String,
        settings: Option<&Bound<'_, PyAny>>,
        blobs_dir: Option<PathBuf>,
        outbox_dir: Option<PathBuf>,
        mailer: Option<&Bound<'_, PyAny>>,
        clock: Option<PyRef<'_, FixedClock>>,
        security: Option<PyRef<'_, SecurityPolicy>>,
        retry_policy: Option<PyRef<'_, RetryPolicy>>,
        claim_lease: Option<chrono::Duration>,
    ) -> PyResult<Self> {
        build(
            py,
            Some(tenant),
            settings,
            None,
            blobs_dir,
            outbox_dir,
            mailer,
            clock,
            security,
            retry_policy,
            claim_lease,
        )
    }

    /// A portal entirely in memory (store, blobs, and mail unless `mailer` is given). Options
    /// as for `Portal(...)`.
    #[staticmethod]
    #[pyo3(signature = (tenant, settings, *, mailer=None, clock=None, security=None,
        retry_policy=None, claim_lease=None))]
    #[allow(clippy::too_many_arguments)]
    fn in_memory(
        py: Python<'_>,
        tenant: String,
        settings: &Bound<'_, PyAny>,
        mailer: Option<&Bound<'_, PyAny>>,
        clock: Option<PyRef<'_, FixedClock>>,
        security: Option<PyRef<'_, SecurityPolicy>>,
        retry_policy: Option<PyRef<'_, RetryPolicy>>,
        claim_lease: Option<chrono::Duration>,
    ) -> PyResult<Self> {
        build(
            py,
            Some(tenant),
            Some(settings),
            None,
            None,
            None,
            mailer,
            clock,
            security,
            retry_policy,
            claim_lease,
        )
    }

    /// The embedded default in the folder `path` (created if missing): SQLite store
    /// `portail.sqlite3`, blobs in `blobs/`, `.eml` files in `outbox/` (unless `mailer` is
    /// given). Opening the same folder again reopens the same data. Tenant `default` unless
    /// `tenant` is given. Options as for `Portal(...)`.
    #[staticmethod]
    #[pyo3(signature = (path, *, tenant=None, settings=None, mailer=None, clock=None,
        security=None, retry_policy=None, claim_lease=None))]
    #[allow(clippy::too_many_arguments)]
    fn open(
        py: Python<'_>,
        path: PathBuf,
        tenant: Option<String>,
        settings: Option<&Bound<'_, PyAny>>,
        mailer: Option<&Bound<'_, PyAny>>,
        clock: Option<PyRef<'_, FixedClock>>,
        security: Option<PyRef<'_, SecurityPolicy>>,
        retry_policy: Option<PyRef<'_, RetryPolicy>>,
        claim_lease: Option<chrono::Duration>,
    ) -> PyResult<Self> {
        build(
            py,
            tenant,
            settings,
            Some(path),
            None,
            None,
            mailer,
            clock,
            security,
            retry_policy,
            claim_lease,
        )
    }

    /// The tenant id.
    #[getter]
    fn tenant(&self) -> &str {
        self.inner.tenant()
    }

    /// The current time of the portal's clock (UTC).
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.inner.now()
    }

    /// The tenant's settings.
    fn settings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let p = &self.inner;
        let s = enter(py, || p.settings())?;
        to_py(py, &s)
    }

    /// Save settings read with `settings()` and changed with `dataclasses.replace` (a
    /// concurrent change raises `ConflictError`). Returns them with their new version.
    fn save_settings<'py>(
        &self,
        py: Python<'py>,
        settings: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let s = settings_from_py(settings)?;
        let p = &self.inner;
        let saved = enter(py, || p.save_settings(s))?;
        to_py(py, &saved)
    }

    /// Change the settings with `edit`, called with the current `Settings` and returning the
    /// new ones (e.g. `lambda s: dataclasses.replace(s, reply_to="x@y.fr")`), retrying on a
    /// concurrent change. An exception from `edit` is raised and nothing is saved.
    fn update_settings<'py>(
        &self,
        py: Python<'py>,
        edit: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut raised: Option<PyErr> = None;
        let saved = self.inner.try_update_settings(|s| {
            let next = to_py(py, s)
                .and_then(|current| edit.call1((current,)))
                .and_then(|next| settings_from_py(&next));
            match next {
                Ok(next) => {
                    *s = next;
                    Ok(())
                }
                Err(e) => {
                    raised = Some(e);
                    Err(portail::Error::invalid("edit", "raised an exception"))
                }
            }
        });
        if let Some(e) = raised {
            return Err(e);
        }
        let saved = saved.map_err(|e| crate::error::to_py(py, &e))?;
        to_py(py, &saved)
    }

    /// Client and employee records.
    fn parties(&self) -> Parties {
        Parties {
            portal: self.inner.clone(),
        }
    }

    /// Folder trees.
    fn folders(&self) -> Folders {
        Folders {
            portal: self.inner.clone(),
        }
    }

    /// Notification templates.
    fn templates(&self) -> Templates {
        Templates {
            portal: self.inner.clone(),
        }
    }

    /// Documents.
    fn documents(&self) -> Documents {
        Documents {
            portal: self.inner.clone(),
        }
    }

    /// The notification outbox and its history.
    fn notifications(&self) -> Notifications {
        Notifications {
            portal: self.inner.clone(),
        }
    }

    /// Portal accounts.
    fn accounts(&self) -> crate::accounts::Accounts {
        crate::accounts::Accounts {
            portal: self.inner.clone(),
        }
    }

    /// Send up to `limit` due notifications through the mailer.
    #[pyo3(signature = (limit=500))]
    fn dispatch<'py>(&self, py: Python<'py>, limit: u32) -> PyResult<Bound<'py, PyAny>> {
        let p = &self.inner;
        let r = enter(py, || p.dispatch(limit));
        self.reraise_interrupt()?;
        crate::to_py::to_py(py, &r?)
    }

    /// "Synchroniser": activate draft accounts (freezing their passwords), queue credentials
    /// e-mails, then send every due notification. `progress` receives `portail.Progress`.
    #[pyo3(signature = (*, progress=None))]
    fn sync<'py>(
        &self,
        py: Python<'py>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let callback = Callback::new(progress);
        let p = &self.inner;
        let cb = &callback;
        let r = enter(py, || p.sync_with_progress(&|x| cb.call(x)));
        self.reraise_interrupt()?;
        let r = r?;
        callback.finish(py)?;
        crate::to_py::to_py(py, &r)
    }

    /// Log in to the portal of `audience`: a `Principal`, or `InvalidCredentialsError` (the
    /// same for every failure) or `LockedOutError` after too many failures.
    #[pyo3(signature = (identifier, password, *, audience="client"))]
    fn login<'py>(
        &self,
        py: Python<'py>,
        identifier: &str,
        password: &str,
        audience: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let a = crate::config::parse_audience(py, audience)?;
        let p = &self.inner;
        let principal = enter(py, || p.access().login(a, identifier, password))?;
        crate::to_py::to_py(py, &principal)
    }

    /// The principal of an account, for hosts keeping their own sessions (`AccessDeniedError`
    /// unless active and authorised).
    fn principal<'py>(&self, py: Python<'py>, account_id: &str) -> PyResult<Bound<'py, PyAny>> {
        let p = &self.inner;
        let principal = enter(py, || p.access().principal(account_id))?;
        crate::to_py::to_py(py, &principal)
    }

    /// Change one's password (the current one is checked).
    fn change_password(
        &self,
        py: Python<'_>,
        principal: &Bound<'_, PyAny>,
        current: &str,
        new_password: &str,
    ) -> PyResult<()> {
        let principal = crate::accounts::principal_from_py(principal)?;
        let p = &self.inner;
        enter(py, || {
            p.access()
                .change_password(&principal, current, new_password)
        })
    }

    /// "Mot de passe oublié": e-mail a single-use reset link if an active account holds
    /// `identifier`. Succeeds either way (reveals nothing).
    #[pyo3(signature = (identifier, *, audience="client"))]
    fn request_password_reset(
        &self,
        py: Python<'_>,
        identifier: &str,
        audience: &str,
    ) -> PyResult<()> {
        let a = crate::config::parse_audience(py, audience)?;
        let p = &self.inner;
        enter(py, || p.access().request_password_reset(a, identifier))
    }

    /// Set a new password with a reset token (`InvalidTokenError` if unknown, used or expired).
    #[pyo3(signature = (token, new_password, *, audience="client"))]
    fn reset_password(
        &self,
        py: Python<'_>,
        token: &str,
        new_password: &str,
        audience: &str,
    ) -> PyResult<()> {
        let a = crate::config::parse_audience(py, audience)?;
        let p = &self.inner;
        enter(py, || p.access().reset_password(a, token, new_password))
    }

    /// Accept an invitation by choosing a password; returns the logged-in principal.
    #[pyo3(signature = (token, password, *, audience="client"))]
    fn accept_invitation<'py>(
        &self,
        py: Python<'py>,
        token: &str,
        password: &str,
        audience: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let a = crate::config::parse_audience(py, audience)?;
        let p = &self.inner;
        let principal = enter(py, || p.access().accept_invitation(a, token, password))?;
        crate::to_py::to_py(py, &principal)
    }

    /// The portal as `principal` sees it.
    fn view(&self, principal: &Bound<'_, PyAny>) -> PyResult<crate::accounts::PortalView> {
        Ok(crate::accounts::PortalView {
            portal: self.inner.clone(),
            principal: crate::accounts::principal_from_py(principal)?,
        })
    }

    fn __repr__(&self) -> String {
        format!("Portal(tenant={:?})", self.inner.tenant())
    }
}
