//! Any bytes given to `stamp_signature`: the first byte picks the placement and whether the
//! next two bytes give the length of a PNG taken from the end of the input (so the PNG
//! decoder is fuzzed too); the rest is the PDF. A result or a `PdfError`, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portail::pdf::{stamp_signature, SignatureStamp};
use portail::SignaturePlacement;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else { return };
    let placement = if flags & 1 == 0 { SignaturePlacement::Left } else { SignaturePlacement::Right };
    let (pdf, image_png) = if flags & 2 != 0 && rest.len() >= 2 {
        let len = usize::from(u16::from_le_bytes([rest[0], rest[1]])).min(rest.len() - 2);
        let body = &rest[2..];
        let (pdf, png) = body.split_at(body.len() - len);
        (pdf, Some(png.to_vec()))
    } else {
        (rest, None)
    };
    let stamp = SignatureStamp {
        lines: vec!["Signé électroniquement par MOI MEME".into(), "le 08/03/2019 à 16:55".into()],
        placement,
        image_png,
    };
    let _ = stamp_signature(pdf, &stamp);
});
