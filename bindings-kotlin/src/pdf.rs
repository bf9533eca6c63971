//! PDF helpers of the core (`portail::pdf`, feature `pdf`): page count, the unpaid watermark,
//! the visible signature stamp, and a sample document for tests.

/// The number of pages of a PDF; `PortailException.Pdf` if the bytes are not a readable PDF.
#[uniffi::export]
pub fn pdf_page_count(pdf: Vec<u8>) -> crate::Result<i64> {
    crate::call(|| Ok(portail::pdf::page_count(&pdf).map(i64::from)?))
}

/// The PDF stamped with `text` on every page (what the unpaid "watermark" policy serves).
/// `method`: `AUTO` (the default) or `REWRITE`, both a full rewrite; `INCREMENTAL` is refused
/// (it would keep the clean original as the file's first revision).
#[uniffi::export(default(method = None))]
pub fn pdf_watermark(
    pdf: Vec<u8>,
    text: String,
    method: Option<portail::pdf::Method>,
) -> crate::Result<Vec<u8>> {
    crate::call(|| {
        let method = method.unwrap_or_default();
        portail::pdf::watermark_with(&pdf, &text, method).map_err(portail::Error::from)
    })
}

/// The PDF with a visible signature block (text lines, optionally a PNG above them) on the
/// last page. `method`: `AUTO` (the default: an incremental update when the file allows it),
/// `INCREMENTAL` or `REWRITE`.
#[uniffi::export(default(method = None))]
pub fn pdf_stamp_signature(
    pdf: Vec<u8>,
    stamp: portail::pdf::SignatureStamp,
    method: Option<portail::pdf::Method>,
) -> crate::Result<Vec<u8>> {
    crate::call(|| {
        let method = method.unwrap_or_default();
        portail::pdf::stamp_signature_with(&pdf, &stamp, method).map_err(portail::Error::from)
    })
}

/// A small valid PDF with one page per string, for tests and examples.
#[uniffi::export]
pub fn sample_pdf(pages: Vec<String>) -> crate::Result<Vec<u8>> {
    let pages: Vec<&str> = pages.iter().map(String::as_str).collect();
    crate::call(|| Ok(portail::pdf::sample_pdf(&pages)))
}
