//! What a logged-in user sees (`portail::view`): `portal.view(principal)`.

use std::sync::Arc;

use portail::accounts::Principal;
use pyo3::prelude::*;

use crate::convert::{page, page_request};
use crate::enter;
use crate::to_py::to_py;

/// The portal as one principal sees it. Every call checks again that the account may still
/// use the portal (`AccessDeniedError` otherwise).
#[pyclass(frozen, module = "portail", name = "PortalView")]
pub struct PortalView {
    pub(crate) portal: Arc<portail::Portal>,
    pub(crate) principal: Principal,
}

#[pymethods]
impl PortalView {
    /// The shared folders of the principal's audience.
    fn folders<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let (p, me) = (&self.portal, &self.principal);
        let all = enter(py, || p.view(me).folders())?;
        to_py(py, &all)
    }

    /// The principal's visible documents, newest first; `folder` (path or label) narrows.
    #[pyo3(signature = (*, folder=None, offset=None, limit=None, cursor=None))]
    fn documents<'py>(
        &self,
        py: Python<'py>,
        folder: Option<&str>,
        offset: Option<i64>,
        limit: Option<i64>,
        cursor: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let req = page_request(py, offset, limit, cursor)?;
        let (p, me) = (&self.portal, &self.principal);
        let result = enter(py, || p.view(me).documents(folder, req))?;
        page(py, result, |d| d)
    }

    /// A document the principal may see (`AccessDeniedError` for anything else).
    fn document<'py>(&self, py: Python<'py>, document_id: &str) -> PyResult<Bound<'py, PyAny>> {
        let (p, me) = (&self.portal, &self.principal);
        let d = enter(py, || p.view(me).document(document_id))?;
        to_py(py, &d)
    }

    /// Download a document: a `Download` (document, content, watermarked); the download is
    /// recorded (count, first and last time, access history).
    fn open<'py>(&self, py: Python<'py>, document_id: &str) -> PyResult<Bound<'py, PyAny>> {
        let (p, me) = (&self.portal, &self.principal);
        let d = enter(py, || p.view(me).open(document_id))?;
        to_py(py, &portail::ffi::DownloadView::from(d))
    }

    /// Whether a document this principal may see awaits his signature (its folder has a
    /// signature side and it is not signed yet).
    fn awaits_signature(&self, py: Python<'_>, document_id: &str) -> PyResult<bool> {
        let (p, me) = (&self.portal, &self.principal);
        enter(py, || p.view(me).awaits_signature(document_id))
    }

    /// Sign a document awaiting a signature, with the host's evidence (the signer's IP address
    /// and user agent) and optionally a PNG of a drawn signature. The block "Signé
    /// électroniquement par NAME le DD/MM/YYYY à HH:MM" is stamped where the folder says; the
    /// original is kept and the signed PDF is served from then on. Returns the document with
    /// its `signature` record.
    #[pyo3(signature = (document_id, *, signer_name, ip_address, user_agent, image_png=None))]
    fn sign<'py>(
        &self,
        py: Python<'py>,
        document_id: &str,
        signer_name: String,
        ip_address: String,
        user_agent: String,
        image_png: Option<Vec<u8>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut request = portail::SignRequest::new(signer_name, ip_address, user_agent);
        request.image_png = image_png;
        let (p, me) = (&self.portal, &self.principal);
        let d = enter(py, || p.view(me).sign(document_id, request))?;
        to_py(py, &d)
    }

    fn __repr__(&self) -> String {
        format!(
            "PortalView(identifier={:?}, audience={:?})",
            self.principal.identifier,
            self.principal.audience.as_str()
        )
    }
}
