//! Logins (`portail::access`): `portail.Principal`. The operations (`login`, `principal`,
//! `change_password`, `request_password_reset`, `reset_password`, `accept_invitation`) are
//! methods of `portail.Portal` (see `portal.rs`), as in the core.

use portail::accounts::Principal;
use pyo3::prelude::*;

use crate::convert::{attr, attr_enum};

pub(crate) fn principal_from_py(obj: &Bound<'_, PyAny>) -> PyResult<Principal> {
    Ok(Principal {
        account_id: attr(obj, "account_id")?,
        audience: attr_enum(obj, "audience")?,
        party_code: attr(obj, "party_code")?,
        identifier: attr(obj, "identifier")?,
    })
}
