//! PDF helpers of the core (`portail::pdf`, feature `pdf`): page count, the unpaid watermark,
//! and a sample document for tests. Signing lands here with the core's PDF issue.

/// The number of pages of a PDF; `PortailException.Pdf` if the bytes are not a readable PDF.
#[uniffi::export]
pub fn pdf_page_count(pdf: Vec<u8>) -> crate::Result<u32> {
    Ok(portail::pdf::page_count(&pdf).map_err(portail::Error::from)?)
}

/// The PDF stamped with `text` on every page (what the unpaid "watermark" policy serves).
#[uniffi::export]
pub fn pdf_watermark(pdf: Vec<u8>, text: String) -> crate::Result<Vec<u8>> {
    Ok(portail::pdf::watermark(&pdf, &text).map_err(portail::Error::from)?)
}

/// A small valid PDF with one page per string, for tests and examples.
#[uniffi::export]
pub fn sample_pdf(pages: Vec<String>) -> Vec<u8> {
    let pages: Vec<&str> = pages.iter().map(String::as_str).collect();
    portail::pdf::sample_pdf(&pages)
}
