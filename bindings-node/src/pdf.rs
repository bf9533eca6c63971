//! PDF stamping (namespace `pdf`): the unpaid watermark and the visible e-signature block,
//! from bytes to new bytes. Stamping runs off the main thread.

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::documents::Bytes;
use crate::error::guard;
use crate::folders::SignaturePlacement;
use crate::input::Arg;
use crate::task::Job;

/// How a stamped file is written: `auto` (the default: an incremental update when the file
/// allows it, else a full rewrite; always a full rewrite for the watermark), `incremental`
/// (signature stamp only: keeps the original bytes as the first revision) or `rewrite`.
#[napi(string_enum = "snake_case")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StampMethod {
    Auto,
    Incremental,
    Rewrite,
}

impl From<StampMethod> for portail::pdf::Method {
    fn from(m: StampMethod) -> Self {
        match m {
            StampMethod::Auto => portail::pdf::Method::Auto,
            StampMethod::Incremental => portail::pdf::Method::Incremental,
            StampMethod::Rewrite => portail::pdf::Method::Rewrite,
        }
    }
}

crate::plain_input!(StampMethod);

/// A visible e-signature block.
#[napi(object)]
pub struct SignatureStamp {
    /// Text lines, e.g. "Signé électroniquement par MOI MEME", "le 08/03/2019 à 16:55".
    pub lines: Vec<String>,
    /// Bottom-left or bottom-right of the last page.
    pub placement: SignaturePlacement,
    /// An optional PNG drawn above the lines.
    pub image_png: Option<Uint8Array>,
}

object_input!(SignatureStamp {
    lines,
    placement,
    imagePng
});

/// Stamp `text` (e.g. "POUR CONSULTATION UNIQUEMENT") diagonally across every page; always a
/// full rewrite (`incremental` is refused: it would keep the clean original in the file).
#[napi(namespace = "pdf", ts_return_type = "Promise<Buffer>")]
pub fn watermark(
    #[napi(ts_arg_type = "Uint8Array")] pdf: Arg<Uint8Array>,
    #[napi(ts_arg_type = "string")] text: Arg<String>,
    #[napi(ts_arg_type = "StampMethod | undefined | null")] method: Option<Arg<StampMethod>>,
) -> AsyncTask<Job<Bytes, Buffer>> {
    let args = args!(pdf, text, method).map(|(pdf, text, method)| {
        (
            pdf.to_vec(),
            text,
            method.map(Into::into).unwrap_or_default(),
        )
    });
    Job::spawn_with(args, move |(bytes, text, method)| {
        Ok(Bytes(portail::pdf::watermark_with(&bytes, &text, method)?))
    })
}

/// Draw a signature block on the last page (`method`: `auto` by default, see [`StampMethod`]).
#[napi(namespace = "pdf", ts_return_type = "Promise<Buffer>")]
pub fn stamp_signature(
    #[napi(ts_arg_type = "Uint8Array")] pdf: Arg<Uint8Array>,
    #[napi(ts_arg_type = "SignatureStamp")] stamp: Arg<SignatureStamp>,
    #[napi(ts_arg_type = "StampMethod | undefined | null")] method: Option<Arg<StampMethod>>,
) -> AsyncTask<Job<Bytes, Buffer>> {
    let args = args!(pdf, stamp, method).map(|(pdf, stamp, method)| {
        let stamp = portail::pdf::SignatureStamp {
            lines: stamp.lines,
            placement: stamp.placement,
            image_png: stamp.image_png.map(|i| i.to_vec()),
        };
        (
            pdf.to_vec(),
            stamp,
            method.map(Into::into).unwrap_or_default(),
        )
    });
    Job::spawn_with(args, move |(bytes, stamp, method)| {
        Ok(Bytes(portail::pdf::stamp_signature_with(
            &bytes, &stamp, method,
        )?))
    })
}

/// The number of pages (a cheap validity check for uploads; `pdf` error if unreadable).
#[napi(namespace = "pdf")]
pub fn page_count(
    env: &Env,
    #[napi(ts_arg_type = "Uint8Array")] pdf: Arg<Uint8Array>,
) -> Result<u32> {
    guard(env, || Ok(portail::pdf::page_count(&pdf.get("pdf")?)?))
}

/// A small valid PDF with one page per text (for tests and demos).
#[napi(namespace = "pdf")]
pub fn sample_pdf(
    env: &Env,
    #[napi(ts_arg_type = "Array<string>")] pages: Arg<Vec<String>>,
) -> Result<Buffer> {
    guard(env, || {
        let pages = pages.get("pages")?;
        let pages: Vec<&str> = pages.iter().map(String::as_str).collect();
        Ok(portail::pdf::sample_pdf(&pages).into())
    })
}

/// Replace characters the standard PDF fonts cannot draw (outside WinAnsiEncoding).
#[napi(namespace = "pdf")]
pub fn to_winansi_lossy(
    env: &Env,
    #[napi(ts_arg_type = "string")] text: Arg<String>,
) -> Result<String> {
    guard(env, || {
        Ok(portail::pdf::to_winansi_lossy(&text.get("text")?))
    })
}
