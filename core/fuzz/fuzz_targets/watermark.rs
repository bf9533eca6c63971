//! Any bytes given to `watermark` and `page_count`: a result or a `PdfError`, never a panic
//! or a hang. Seed the corpus with real PDFs:
//! `mkdir -p fuzz/corpus/watermark && cp some/*.pdf fuzz/corpus/watermark/`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let count = portail::pdf::page_count(data);
    let stamped = portail::pdf::watermark(data, "POUR CONSULTATION UNIQUEMENT");
    // A file that stamps must still be a PDF with the same number of pages.
    if let (Ok(pages), Ok(out)) = (count, stamped) {
        assert_eq!(portail::pdf::page_count(&out).ok(), Some(pages));
    }
});
