//! Portal accounts (`portail::accounts`): `portal.accounts()`, `portail.Account`, batch
//! generation with its per-party report, invitations.

use std::sync::Arc;

use portail::accounts::{BatchOptions, Generate, IdentifierChoice, Invite};
use portail::ffi::{AccountView, IdentifierSource};
use portail::{Account, AccountFilter, AccountStatus};
use pyo3::prelude::*;

use crate::config::parse_audience;
use crate::convert::{page, page_request, parse_name, py_enum_opt};
use crate::enter;
use crate::portal::Callback;
use crate::to_py::to_py;

pub(crate) use crate::access::principal_from_py;
pub(crate) use crate::view::PortalView;

/// A `portail.Account`: the contract's account view.
fn account_to_py(py: Python<'_>, a: Account) -> PyResult<Bound<'_, PyAny>> {
    to_py(py, &AccountView::from(a))
}

/// The identifier asked for, by the contract's precedence (`identifier` if given, else from
/// `identifier_from`, `"code"` or `"email"`); `None` keeps the request's own default.
fn identifier_override(
    py: Python<'_>,
    identifier: Option<String>,
    identifier_from: Option<&str>,
) -> PyResult<Option<IdentifierChoice>> {
    let from = identifier_from
        .map(|f| parse_name::<IdentifierSource>(py, f, "identifier_from"))
        .transpose()?;
    Ok(portail::ffi::identifier_override(identifier, from))
}

/// The accounts of a portal ("Droits d'accès au portail"): `portal.accounts()`.
#[pyclass(frozen, module = "portail", name = "Accounts")]
pub struct Accounts {
    pub(crate) portal: Arc<portail::Portal>,
}

macro_rules! account_op {
    ($self:ident, $py:ident, |$a:ident| $call:expr) => {{
        let $a = $self.portal.accounts();
        let account = enter($py, || $call)?;
        account_to_py($py, account)
    }};
}

#[pymethods]
impl Accounts {
    /// Create a draft account ("not synchronised"): its password stays readable
    /// (`draft_password`) until `portal.sync()` freezes it. The identifier is the party code
    /// (`identifier_from="code"`), its main e-mail (`"email"`), or `identifier` if given; the
    /// password is random unless given.
    #[pyo3(signature = (party_code, *, audience="client", identifier=None, identifier_from=None,
        password=None, notify_by_email=true, authorized=true))]
    #[allow(clippy::too_many_arguments)]
    fn generate<'py>(
        &self,
        py: Python<'py>,
        party_code: String,
        audience: &str,
        identifier: Option<String>,
        identifier_from: Option<&str>,
        password: Option<String>,
        notify_by_email: bool,
        authorized: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut request = Generate::new(parse_audience(py, audience)?, party_code)
            .notify_by_email(notify_by_email)
            .authorized(authorized);
        if let Some(choice) = identifier_override(py, identifier, identifier_from)? {
            request = request.identifier(choice);
        }
        request.password = password;
        account_op!(self, py, |a| a.generate(request))
    }

    /// Create draft accounts for many parties ("génération par lots"), with a per-party report
    /// (`created`, `no_email`, `identifier_taken`, `already_has_access`, `unknown_party`).
    /// `progress` (any callable) receives `portail.Progress`.
    #[pyo3(signature = (party_codes, *, audience="client", identifier_from=None,
        notify_by_email=true, progress=None))]
    fn generate_batch<'py>(
        &self,
        py: Python<'py>,
        party_codes: Vec<String>,
        audience: &str,
        identifier_from: Option<&str>,
        notify_by_email: bool,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let a = parse_audience(py, audience)?;
        let mut options = BatchOptions {
            notify_by_email,
            ..BatchOptions::default()
        };
        if let Some(choice) = identifier_override(py, None, identifier_from)? {
            options.identifier = choice;
        }
        let callback = Callback::new(progress);
        let cb = &callback;
        let p = &self.portal;
        let report = enter(py, || {
            p.accounts()
                .generate_batch(a, &party_codes, &options, &|x| cb.call(x))
        })?;
        callback.finish(py)?;
        to_py(py, &portail::ffi::BatchReportView::from(report))
    }

    /// An account by id; `NotFoundError` if missing.
    fn get<'py>(&self, py: Python<'py>, id: &str) -> PyResult<Bound<'py, PyAny>> {
        account_op!(self, py, |a| a.get(id))
    }

    /// The live account holding an identifier (case-insensitive), or `None`.
    #[pyo3(signature = (identifier, *, audience="client"))]
    fn find<'py>(
        &self,
        py: Python<'py>,
        identifier: &str,
        audience: &str,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let aud = parse_audience(py, audience)?;
        let a = self.portal.accounts();
        let found = enter(py, || a.find(aud, identifier))?;
        found.map(|x| account_to_py(py, x)).transpose()
    }

    /// The failed-login counter of an identifier (known or not): `Lockout(failures,
    /// locked_until)`.
    #[pyo3(signature = (identifier, *, audience="client"))]
    fn lockout<'py>(
        &self,
        py: Python<'py>,
        identifier: &str,
        audience: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let aud = parse_audience(py, audience)?;
        let a = self.portal.accounts();
        let state = enter(py, || a.lockout(aud, identifier))?;
        to_py(py, &portail::ffi::LockoutView::from(state))
    }

    /// The party's live (non-revoked) account, or `None`.
    #[pyo3(signature = (party_code, *, audience="client"))]
    fn live_account_of<'py>(
        &self,
        py: Python<'py>,
        party_code: &str,
        audience: &str,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let aud = parse_audience(py, audience)?;
        let a = self.portal.accounts();
        let found = enter(py, || a.live_account_of(aud, party_code))?;
        found.map(|x| account_to_py(py, x)).transpose()
    }

    /// Accounts, filtered (every argument narrows) and paged.
    #[pyo3(signature = (*, audience=None, party_code=None, status=None, needs_sync=None,
        offset=None, limit=None, cursor=None))]
    #[allow(clippy::too_many_arguments)]
    fn list<'py>(
        &self,
        py: Python<'py>,
        audience: Option<&str>,
        party_code: Option<String>,
        status: Option<&str>,
        needs_sync: Option<bool>,
        offset: Option<i64>,
        limit: Option<i64>,
        cursor: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let req = page_request(py, offset, limit, cursor)?;
        let filter = AccountFilter {
            audience: audience.map(|a| parse_audience(py, a)).transpose()?,
            party_code,
            status: status
                .map(|s| parse_name::<AccountStatus>(py, s, "status"))
                .transpose()?,
            needs_sync,
        };
        let a = self.portal.accounts();
        let result = enter(py, || a.list(&filter, req))?;
        page(py, result, AccountView::from)
    }

    /// The readable password of a draft ("Mot de passe" before sync); `InvalidStateError` once
    /// synchronised (the password is frozen).
    fn draft_password(&self, py: Python<'_>, id: &str) -> PyResult<String> {
        let a = self.portal.accounts();
        enter(py, || a.draft_password(id))
    }

    /// A new random password for a draft ("Mdp aléatoire").
    fn regenerate_password<'py>(&self, py: Python<'py>, id: &str) -> PyResult<Bound<'py, PyAny>> {
        account_op!(self, py, |a| a.regenerate_password(id))
    }

    /// Set a draft's password (length policy applies).
    fn set_password<'py>(
        &self,
        py: Python<'py>,
        id: &str,
        password: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        account_op!(self, py, |a| a.set_password(id, password))
    }

    /// "Accès autorisé": suspend (`False`) or resume (`True`); takes effect at once.
    fn set_authorized<'py>(
        &self,
        py: Python<'py>,
        id: &str,
        authorized: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        account_op!(self, py, |a| a.set_authorized(id, authorized))
    }

    /// "Notifier par email": the next sync e-mails the credentials.
    fn set_notify_by_email<'py>(
        &self,
        py: Python<'py>,
        id: &str,
        notify: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        account_op!(self, py, |a| a.set_notify_by_email(id, notify))
    }

    /// Remove an account ("Supprimer"): it never logs in again and its identifier is free.
    fn revoke<'py>(&self, py: Python<'py>, id: &str) -> PyResult<Bound<'py, PyAny>> {
        account_op!(self, py, |a| a.revoke(id))
    }

    /// "Régénérer les accès": revoke the account and create a new draft for the same party and
    /// identifier with a fresh random password.
    #[pyo3(signature = (id, *, notify_by_email=true))]
    fn regenerate<'py>(
        &self,
        py: Python<'py>,
        id: &str,
        notify_by_email: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        account_op!(self, py, |a| a.regenerate(id, notify_by_email))
    }

    /// Invite a party to set its own password (a single-use, expiring link e-mailed now, or
    /// later with `reinvite` when `send_now=False`).
    #[pyo3(signature = (party_code, *, audience="client", identifier=None, identifier_from=None,
        send_now=true))]
    fn invite<'py>(
        &self,
        py: Python<'py>,
        party_code: String,
        audience: &str,
        identifier: Option<String>,
        identifier_from: Option<&str>,
        send_now: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut request = Invite::new(parse_audience(py, audience)?, party_code).send_now(send_now);
        if let Some(choice) = identifier_override(py, identifier, identifier_from)? {
            request = request.identifier(choice);
        }
        account_op!(self, py, |a| a.invite(request))
    }

    /// Send the invitation again with a new link (older links stop working).
    fn reinvite<'py>(&self, py: Python<'py>, id: &str) -> PyResult<Bound<'py, PyAny>> {
        account_op!(self, py, |a| a.reinvite(id))
    }

    /// The invitation's status now (`pending`, `accepted`, `expired`), or `None` if the
    /// account was not invited.
    fn invitation_status<'py>(
        &self,
        py: Python<'py>,
        id: &str,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let a = self.portal.accounts();
        let status = enter(py, || a.invitation_status(id))?;
        py_enum_opt(py, "InvitationStatus", status.as_ref())
    }
}
