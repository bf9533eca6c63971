//! Documents (`portail::documents`): `portal.documents()`, `portail.Document`, publishing from
//! bytes or a path, and batch publishing with progress.

use std::path::PathBuf;
use std::sync::Arc;

use portail::ffi::PublishInput;
use portail::{PaymentStatus, Publish};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes};

use crate::config::parse_audience;
use crate::convert::{attr, page, page_request, parse_enum, parse_name};
use crate::enter;
use crate::portal::Callback;
use crate::to_py::to_py;

/// Content given as bytes (`bytes`, `bytearray`, `memoryview`) or as a path (`str`,
/// `os.PathLike`).
pub(crate) enum Content {
    Bytes(Vec<u8>),
    Path(PathBuf),
}

pub(crate) fn content_from_py(obj: &Bound<'_, PyAny>) -> PyResult<Content> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(Content::Bytes(b.as_bytes().to_vec()));
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        return Ok(Content::Bytes(b.to_vec()));
    }
    if obj.hasattr("tobytes")? {
        return Ok(Content::Bytes(obj.call_method0("tobytes")?.extract()?));
    }
    Ok(Content::Path(obj.extract()?))
}

impl Content {
    /// The bytes or the path, as the contract's `PublishInput` takes them.
    fn split(self) -> (Option<Vec<u8>>, Option<PathBuf>) {
        match self {
            Content::Bytes(bytes) => (Some(bytes), None),
            Content::Path(path) => (None, Some(path)),
        }
    }
}

/// A core `Publish` from a `portail.Publish` record, by the contract's `PublishInput` (bytes
/// need a name; a path is read, without the GIL, the name defaulting to the file's).
fn publish_from_py(obj: &Bound<'_, PyAny>) -> PyResult<Publish> {
    let py = obj.py();
    let (content, path) = content_from_py(&obj.getattr("content")?)?.split();
    let audience: String = attr(obj, "audience")?;
    let input = PublishInput {
        audience: parse_audience(py, &audience)?,
        party_code: attr(obj, "party_code")?,
        folder: attr(obj, "folder")?,
        name: attr(obj, "name")?,
        content,
        path,
        kind: Some(parse_enum(py, &obj.getattr("kind")?, "kind")?),
        payment: Some(parse_enum(py, &obj.getattr("payment")?, "payment")?),
        external_id: attr(obj, "external_id")?,
        content_type: attr(obj, "content_type")?,
    };
    enter(py, || input.into_publish())
}

/// The documents of a portal ("GED"): `portal.documents()`.
#[pyclass(frozen, module = "portail", name = "Documents")]
pub struct Documents {
    pub(crate) portal: Arc<portail::Portal>,
}

#[pymethods]
impl Documents {
    /// Publish a document into a party's folder ("mise à disposition").
    ///
    /// `content` is the bytes or the path of a file (`str` or `pathlib.Path`); `name` defaults
    /// to the file's name. The document and its notification (when the folder notifies) are
    /// written together; `document.notification` says whether one was queued, or why not.
    #[pyo3(signature = (party_code, folder, content, *, name=None, audience="client", kind="other",
        payment="paid", external_id=None, content_type=None))]
    #[allow(clippy::too_many_arguments)]
    fn publish<'py>(
        &self,
        py: Python<'py>,
        party_code: String,
        folder: String,
        content: &Bound<'py, PyAny>,
        name: Option<String>,
        audience: &str,
        kind: &str,
        payment: &str,
        external_id: Option<String>,
        content_type: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (content, path) = content_from_py(content)?.split();
        let input = PublishInput {
            audience: parse_audience(py, audience)?,
            party_code,
            folder,
            name,
            content,
            path,
            kind: Some(parse_name(py, kind, "kind")?),
            payment: Some(parse_name(py, payment, "payment")?),
            external_id,
            content_type,
        };
        let p = &self.portal;
        let d = enter(py, || p.documents().publish(input.into_publish()?))?;
        to_py(py, &d)
    }

    /// Publish many documents (`portail.Publish` records) in large commits; `progress` (any
    /// callable, e.g. a tqdm bar's update wrapper) receives `portail.Progress` values.
    /// Inputs already published under their external id are skipped; bad inputs are reported
    /// one by one in `outcomes` (as exceptions) and do not stop the others.
    #[pyo3(signature = (requests, *, progress=None))]
    fn publish_many<'py>(
        &self,
        py: Python<'py>,
        requests: &Bound<'py, PyAny>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut commands = Vec::new();
        for item in requests.try_iter()? {
            commands.push(publish_from_py(&item?)?);
        }
        let callback = Callback::new(progress);
        let p = &self.portal;
        let cb = &callback;
        let report = enter(py, || {
            p.documents()
                .publish_many(commands, &|progress| cb.call(progress))
        })?;
        callback.finish(py)?;
        let outcomes = report
            .outcomes
            .iter()
            .map(|o| match o {
                Ok(d) => to_py(py, d),
                Err(e) => Ok(crate::error::to_py(py, e)
                    .into_value(py)
                    .into_bound(py)
                    .into_any()),
            })
            .collect::<PyResult<Vec<_>>>()?;
        record!(py, "PublishReport" {
            published: report.published,
            already_published: report.already_published,
            notifications_queued: report.notifications_queued,
            outcomes: outcomes,
        })
    }

    /// A document by id; `NotFoundError` if missing.
    fn get<'py>(&self, py: Python<'py>, id: &str) -> PyResult<Bound<'py, PyAny>> {
        let p = &self.portal;
        let d = enter(py, || p.documents().get(id))?;
        to_py(py, &d)
    }

    /// A document by the host's external id, or `None`.
    #[pyo3(signature = (external_id, *, audience="client"))]
    fn find_by_external_id<'py>(
        &self,
        py: Python<'py>,
        external_id: &str,
        audience: &str,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let a = parse_audience(py, audience)?;
        let p = &self.portal;
        let d = enter(py, || p.documents().find_by_external_id(a, external_id))?;
        d.map(|d| to_py(py, &d)).transpose()
    }

    /// Every document of a party (back-office view), newest first, one page at a time.
    #[pyo3(signature = (party_code, *, audience="client", offset=None, limit=None, cursor=None))]
    fn list<'py>(
        &self,
        py: Python<'py>,
        party_code: &str,
        audience: &str,
        offset: Option<i64>,
        limit: Option<i64>,
        cursor: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let req = page_request(py, offset, limit, cursor)?;
        let a = parse_audience(py, audience)?;
        let p = &self.portal;
        let result = enter(py, || p.documents().list(a, party_code, req))?;
        page(py, result, |d| d)
    }

    /// The content of a document (back office).
    fn content<'py>(&self, py: Python<'py>, id: &str) -> PyResult<Bound<'py, PyBytes>> {
        let p = &self.portal;
        let bytes = enter(py, || p.documents().content(id))?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// Mark a document paid or unpaid ("passer un dossier en payé / impayé").
    fn set_payment<'py>(
        &self,
        py: Python<'py>,
        id: &str,
        payment: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let payment: PaymentStatus = parse_enum(py, payment, "payment")?;
        let p = &self.portal;
        let d = enter(py, || p.documents().set_payment(id, payment))?;
        to_py(py, &d)
    }

    /// The download history of a document ("historique d'accès"), newest first.
    #[pyo3(signature = (id, *, offset=None, limit=None, cursor=None))]
    fn downloads<'py>(
        &self,
        py: Python<'py>,
        id: &str,
        offset: Option<i64>,
        limit: Option<i64>,
        cursor: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let req = page_request(py, offset, limit, cursor)?;
        let p = &self.portal;
        let result = enter(py, || p.documents().downloads(id, req))?;
        page(py, result, |e| e)
    }

    /// The signed version of a document, if it was signed on the portal (`InvalidStateError`
    /// otherwise); `content` keeps the original.
    fn signed_content<'py>(&self, py: Python<'py>, id: &str) -> PyResult<Bound<'py, PyBytes>> {
        let p = &self.portal;
        let bytes = enter(py, || p.documents().signed_content(id))?;
        Ok(PyBytes::new(py, &bytes))
    }
}
