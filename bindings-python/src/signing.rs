//! Signing on the portal (`portail::signing`): `portail.SignatureRecord`; the operations are
//! `PortalView.sign` / `PortalView.awaits_signature` (see `view.rs`) and
//! `Documents.signed_content` (see `documents.rs`), as in the core.

use portail::SignatureRecord;
use pyo3::prelude::*;

use crate::convert::py_enum;

pub(crate) fn signature_to_py<'py>(
    py: Python<'py>,
    s: &SignatureRecord,
) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "SignatureRecord" {
        account_id: &s.account_id,
        identifier: &s.identifier,
        signer_name: &s.signer_name,
        signed_at: s.signed_at,
        ip_address: &s.ip_address,
        user_agent: &s.user_agent,
        placement: py_enum(py, "SignaturePlacement", &s.placement)?,
        original_sha256: &s.original_sha256,
        signed_sha256: &s.signed_sha256,
        signed_size: s.signed_size,
        with_image: s.with_image,
    })
}
