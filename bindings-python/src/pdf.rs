//! PDF stamping (`portail::pdf`): the unpaid watermark and the visible e-signature block, as
//! functions from bytes to new bytes. Exposed in Python as `portail.pdf`.

use portail::pdf::{Method, SignatureStamp};
use portail::SignaturePlacement;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::convert::parse_name;
use crate::enter;

fn method(py: Python<'_>, name: &str) -> PyResult<Method> {
    parse_name(py, name, "method")
}

/// Stamp `text` diagonally across every page ("POUR CONSULTATION UNIQUEMENT").
#[pyfunction]
#[pyo3(signature = (pdf, text, *, method="auto"))]
pub(crate) fn pdf_watermark<'py>(
    py: Python<'py>,
    pdf: Vec<u8>,
    text: &str,
    method: &str,
) -> PyResult<Bound<'py, PyBytes>> {
    let m = self::method(py, method)?;
    let out = enter(py, || {
        portail::pdf::watermark_with(&pdf, text, m).map_err(portail::Error::from)
    })?;
    Ok(PyBytes::new(py, &out))
}

/// Draw a signature block (text lines, optionally a PNG above them) on the last page.
#[pyfunction]
#[pyo3(signature = (pdf, lines, *, placement="right", image_png=None, method="auto"))]
pub(crate) fn pdf_stamp_signature<'py>(
    py: Python<'py>,
    pdf: Vec<u8>,
    lines: Vec<String>,
    placement: &str,
    image_png: Option<Vec<u8>>,
    method: &str,
) -> PyResult<Bound<'py, PyBytes>> {
    let m = self::method(py, method)?;
    let stamp = SignatureStamp {
        lines,
        placement: parse_name::<SignaturePlacement>(py, placement, "placement")?,
        image_png,
    };
    let out = enter(py, || {
        portail::pdf::stamp_signature_with(&pdf, &stamp, m).map_err(portail::Error::from)
    })?;
    Ok(PyBytes::new(py, &out))
}

/// The number of pages, or a `PdfError` saying why the file is not a usable PDF.
#[pyfunction]
pub(crate) fn pdf_page_count(py: Python<'_>, pdf: Vec<u8>) -> PyResult<u32> {
    enter(py, || {
        portail::pdf::page_count(&pdf).map_err(portail::Error::from)
    })
}

/// A small valid PDF with one page per text (tests, demos).
#[pyfunction]
pub(crate) fn pdf_sample(py: Python<'_>, pages: Vec<String>) -> Bound<'_, PyBytes> {
    let pages: Vec<&str> = pages.iter().map(String::as_str).collect();
    PyBytes::new(py, &portail::pdf::sample_pdf(&pages))
}

/// Replace characters outside WinAnsiEncoding so the text can be stamped.
#[pyfunction]
pub(crate) fn pdf_to_winansi_lossy(text: &str) -> String {
    portail::pdf::to_winansi_lossy(text)
}
