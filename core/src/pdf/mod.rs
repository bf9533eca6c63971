//! PDF stamping: the "POUR CONSULTATION UNIQUEMENT" watermark of unpaid documents and the
//! visible e-signature block, as pure functions from bytes to new bytes (feature `pdf`).
//!
//! * [`watermark`] stamps a text diagonally across every page, over the existing content,
//!   semi-transparent grey, centred on the visible area of each page as the reader sees it
//!   (CropBox, non-zero origins and `/Rotate` honoured, inherited attributes resolved).
//! * [`stamp_signature`] draws a signature block (text lines, optionally a PNG image above
//!   them) at the bottom-left or bottom-right of the last page.
//! * [`page_count`] is a cheap validity check for uploads.
//!
//! Text is drawn in the standard Helvetica font with WinAnsiEncoding (no font embedded):
//! French accents, `€`, `œ`, typographic quotes and dashes render and are extracted
//! correctly. A character outside WinAnsiEncoding is an error naming it; run the text
//! through [`to_winansi_lossy`] first to replace such characters instead.
//!
//! The input is never modified: each function returns a new file. By default ([`Method`])
//! that is an incremental update (the original bytes, then the new and changed objects and a
//! new xref section), which reads only the trailer, the xref table and the page tree and keeps
//! earlier digital signatures valid; files it cannot handle (xref or object streams, hybrid
//! or linearized files, PDF < 1.4) are loaded and rewritten whole by lopdf instead.
//! Encrypted, truncated or malformed files and files without pages give a [`PdfError`].
//! lopdf may panic on hostile input: every function runs the parser and the stamping inside
//! [`std::panic::catch_unwind`] as a last resort and turns a panic into a [`PdfError`] (the
//! panic message still reaches the panic hook, i.e. stderr by default). A stack overflow
//! cannot be caught that way; lopdf bounds its nesting depth.
//!
//! ```
//! # fn main() -> Result<(), portail::pdf::PdfError> {
//! use portail::pdf::{page_count, stamp_signature, watermark, SignatureStamp};
//! use portail::SignaturePlacement;
//!
//! let original = portail::pdf::sample_pdf(&["Facture FA-0002", "Conditions"]);
//! let unpaid = watermark(&original, "POUR CONSULTATION UNIQUEMENT")?;
//! assert_eq!(page_count(&unpaid)?, 2);
//!
//! let signed = stamp_signature(&original, &SignatureStamp {
//!     lines: vec!["Signé électroniquement par MOI MEME".into(), "le 08/03/2019 à 16:55".into()],
//!     placement: SignaturePlacement::Right,
//!     image_png: None,
//! })?;
//! assert!(signed.starts_with(b"%PDF-"));
//!
//! assert!(watermark(b"not a pdf", "X").is_err());
//! # Ok(()) }
//! ```

mod image;
mod incremental;
mod metrics;
mod page;
mod text;

use std::collections::{HashMap, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};

use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

use crate::folders::SignaturePlacement;
use page::{resolve, PageGeometry, ResourcesKey};
pub use text::to_winansi_lossy;

/// A PDF could not be read or stamped. `reason` says why, in English, for logs and support.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("pdf: {reason}")]
pub struct PdfError {
    /// What went wrong (encrypted, truncated, no pages, unencodable character, ...).
    pub reason: String,
}

impl PdfError {
    pub(crate) fn new(reason: impl Into<String>) -> PdfError {
        PdfError {
            reason: reason.into(),
        }
    }
}

impl From<PdfError> for crate::Error {
    fn from(e: PdfError) -> crate::Error {
        crate::Error::Pdf { reason: e.reason }
    }
}

/// A visible e-signature block for [`stamp_signature`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureStamp {
    /// Text lines, top to bottom, e.g. `"Signé électroniquement par MOI MEME"`,
    /// `"le 08/03/2019 à 16:55"`. WinAnsiEncoding characters only (see [`to_winansi_lossy`]).
    pub lines: Vec<String>,
    /// Bottom-left or bottom-right of the last page, as the reader sees it.
    pub placement: SignaturePlacement,
    /// An optional PNG (greyscale, RGB, palette, with or without alpha) drawn above the text.
    pub image_png: Option<Vec<u8>>,
}

/// How a stamped file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Method {
    /// An incremental update when the file allows it, else a full rewrite. The default.
    #[default]
    Auto,
    /// Only an incremental update: the original bytes followed by the new and changed
    /// objects, a cross-reference section and a trailer with `/Prev`. Reads only the
    /// trailer, the cross-reference table and the page tree, so it is faster than a full
    /// load, and it keeps earlier digital signatures valid for the revision they signed.
    /// Needs a classic cross-reference table (no xref streams, object streams, hybrid or
    /// linearized files) and PDF 1.4 or later; otherwise a [`PdfError`].
    Incremental,
    /// Always a full load and rewrite by lopdf.
    Rewrite,
}

/// Grey level of the watermark (0 black, 1 white).
const WATERMARK_GREY: f64 = 0.5;
/// Opacity of the watermark.
const WATERMARK_OPACITY: f64 = 0.3;
/// Share of the page the watermark may span.
const WATERMARK_FILL: f64 = 0.85;
/// Signature text size, in points (smaller if the block would not fit its half page).
const SIGNATURE_FONT_SIZE: f64 = 9.0;
/// Height of the signature image, in points (smaller on tiny pages).
const SIGNATURE_IMAGE_HEIGHT: f64 = 48.0;

/// Stamps `text` diagonally across every page and returns the new file.
///
/// The text is Helvetica, grey, 30 % opaque, drawn over the existing content (which is
/// wrapped in `q`/`Q` so its graphics state cannot distort the stamp), along the diagonal
/// from the bottom-left to the top-right corner of the page as displayed, sized to fit it.
/// It is marked with `/ActualText`, so text extraction (`pdftotext`) returns it verbatim
/// even though it is drawn at an angle.
///
/// ```
/// let pdf = portail::pdf::sample_pdf(&["page 1"]);
/// let stamped = portail::pdf::watermark(&pdf, "POUR CONSULTATION UNIQUEMENT")?;
/// assert_ne!(stamped, pdf);
/// // Characters outside WinAnsiEncoding are named, not silently dropped.
/// let err = portail::pdf::watermark(&pdf, "签名").unwrap_err();
/// assert!(err.reason.contains("U+7B7E"));
/// # Ok::<(), portail::pdf::PdfError>(())
/// ```
pub fn watermark(pdf: &[u8], text: &str) -> Result<Vec<u8>, PdfError> {
    watermark_with(pdf, text, Method::Auto)
}

/// [`watermark`], choosing how the file is written.
///
/// ```
/// use portail::pdf::{watermark_with, Method};
/// let pdf = portail::pdf::sample_pdf(&["page 1", "page 2"]);
/// let appended = watermark_with(&pdf, "COPIE", Method::Incremental)?;
/// assert!(appended.starts_with(&pdf), "an incremental update keeps the original bytes");
/// let rewritten = watermark_with(&pdf, "COPIE", Method::Rewrite)?;
/// assert!(!rewritten.starts_with(&pdf));
/// # Ok::<(), portail::pdf::PdfError>(())
/// ```
pub fn watermark_with(pdf: &[u8], text: &str, method: Method) -> Result<Vec<u8>, PdfError> {
    let encoded = text::encode_winansi(text, "watermark text")?;
    if text.trim().is_empty() {
        return Err(PdfError::new("watermark text is empty"));
    }
    run(pdf, method, &|stamper| stamper.watermark(text, &encoded))
}

/// Draws the signature block on the last page and returns the new file.
///
/// The block sits 1 cm (less on small pages) from the bottom and from the left or right
/// edge of the last page as the reader sees it, in 9 pt black Helvetica (smaller if a line
/// would cross the middle of the page); the image, if any, is drawn above the text, 48 pt
/// high.
///
/// ```
/// use portail::pdf::{stamp_signature, SignatureStamp};
/// let pdf = portail::pdf::sample_pdf(&["Contrat", "Signatures"]);
/// let stamp = SignatureStamp {
///     lines: vec!["Signé électroniquement par MOI MEME".into()],
///     placement: portail::SignaturePlacement::Left,
///     image_png: None,
/// };
/// let signed = stamp_signature(&pdf, &stamp)?;
/// assert_eq!(portail::pdf::page_count(&signed)?, 2);
/// # Ok::<(), portail::pdf::PdfError>(())
/// ```
pub fn stamp_signature(pdf: &[u8], stamp: &SignatureStamp) -> Result<Vec<u8>, PdfError> {
    stamp_signature_with(pdf, stamp, Method::Auto)
}

/// [`stamp_signature`], choosing how the file is written (see [`Method`]).
pub fn stamp_signature_with(
    pdf: &[u8],
    stamp: &SignatureStamp,
    method: Method,
) -> Result<Vec<u8>, PdfError> {
    let mut lines = Vec::with_capacity(stamp.lines.len());
    for (i, line) in stamp.lines.iter().enumerate() {
        lines.push(text::encode_winansi(
            line,
            &format!("signature line {}", i + 1),
        )?);
    }
    if lines.iter().all(|l| l.is_empty()) && stamp.image_png.is_none() {
        return Err(PdfError::new("signature stamp has neither text nor image"));
    }
    let image = match &stamp.image_png {
        Some(png) => Some(image::embed_png(png)?),
        None => None,
    };
    run(pdf, method, &|stamper| {
        stamper.signature(&lines, stamp.placement, image.as_ref())
    })
}

/// Stamps with `op` on the incremental path if `method` allows and the file supports it,
/// else on the full path; panics in lopdf become a [`PdfError`].
fn run(
    pdf: &[u8],
    method: Method,
    op: &dyn Fn(&mut Stamper) -> Result<(), PdfError>,
) -> Result<Vec<u8>, PdfError> {
    guarded(|| {
        if method != Method::Rewrite {
            check_header(pdf)?;
            let attempt = incremental::read(pdf)
                .map_err(|why| PdfError::new(format!("incremental update not possible: {why}")));
            let attempt = attempt.and_then(|(doc, pages, partial)| {
                let mut stamper = Stamper::new(doc, pages);
                op(&mut stamper)?;
                incremental::write(pdf, &partial, &stamper.doc, &stamper.changed)
                    .map_err(|why| PdfError::new(format!("incremental update not possible: {why}")))
            });
            match attempt {
                Ok(out) => return Ok(out),
                Err(e) if method == Method::Incremental => return Err(e),
                Err(_) => {}
            }
        }
        let mut stamper = Stamper::load(pdf)?;
        op(&mut stamper)?;
        stamper.save()
    })
}

fn check_header(pdf: &[u8]) -> Result<(), PdfError> {
    if pdf.is_empty() {
        return Err(PdfError::new("empty file"));
    }
    let head = &pdf[..pdf.len().min(1024)];
    if !head.windows(5).any(|w| w == b"%PDF-") {
        return Err(PdfError::new("not a PDF (no %PDF- header)"));
    }
    Ok(())
}

/// The number of pages, or why the file is not a usable PDF (encrypted, malformed, no
/// pages).
///
/// ```
/// assert_eq!(portail::pdf::page_count(&portail::pdf::sample_pdf(&["a", "b", "c"]))?, 3);
/// assert!(portail::pdf::page_count(b"%PDF-1.4 garbage").is_err());
/// # Ok::<(), portail::pdf::PdfError>(())
/// ```
pub fn page_count(pdf: &[u8]) -> Result<u32, PdfError> {
    guarded(|| {
        check_header(pdf)?;
        let pages = match incremental::read(pdf) {
            Ok((_, pages, _)) => pages.len(),
            Err(_) => Stamper::load(pdf)?.pages.len(),
        };
        u32::try_from(pages).map_err(|_| PdfError::new("too many pages"))
    })
}

/// A small valid PDF with one page of Helvetica text per entry (A4), for examples, tests and
/// benchmarks.
///
/// ```
/// let pdf = portail::pdf::sample_pdf(&["Bulletin de paie — mars"]);
/// assert!(pdf.starts_with(b"%PDF-1.4"));
/// ```
pub fn sample_pdf(pages: &[&str]) -> Vec<u8> {
    let mut doc = Document::with_version("1.4");
    doc.reference_table.cross_reference_type = lopdf::xref::XrefType::CrossReferenceTable;
    let pages_id = doc.new_object_id();
    let mut font = Dictionary::new();
    font.set("Type", Object::Name(b"Font".to_vec()));
    font.set("Subtype", Object::Name(b"Type1".to_vec()));
    font.set("BaseFont", Object::Name(b"Helvetica".to_vec()));
    font.set("Encoding", Object::Name(b"WinAnsiEncoding".to_vec()));
    let font_id = doc.add_object(font);
    let mut fonts = Dictionary::new();
    fonts.set("F1", Object::Reference(font_id));
    let mut resources = Dictionary::new();
    resources.set("Font", fonts);
    let resources_id = doc.add_object(resources);
    let mut kids = Vec::new();
    for line in pages {
        let mut content = b"BT /F1 14 Tf 72 770 Td ".to_vec();
        text::hex_string(
            &text::encode_winansi(&to_winansi_lossy(line), "page text").unwrap_or_default(),
            &mut content,
        );
        content.extend_from_slice(b" Tj ET");
        let content_id = doc.add_object(Stream::new(Dictionary::new(), content));
        let mut page = Dictionary::new();
        page.set("Type", Object::Name(b"Page".to_vec()));
        page.set("Parent", Object::Reference(pages_id));
        page.set("Contents", Object::Reference(content_id));
        kids.push(Object::Reference(doc.add_object(page)));
    }
    let mut tree = Dictionary::new();
    tree.set("Type", Object::Name(b"Pages".to_vec()));
    tree.set("Count", Object::Integer(kids.len() as i64));
    tree.set("Kids", Object::Array(kids));
    tree.set("Resources", Object::Reference(resources_id));
    tree.set(
        "MediaBox",
        Object::Array(vec![
            0.into(),
            0.into(),
            Object::Real(595.28),
            Object::Real(841.89),
        ]),
    );
    doc.objects.insert(pages_id, Object::Dictionary(tree));
    let mut catalog = Dictionary::new();
    catalog.set("Type", Object::Name(b"Catalog".to_vec()));
    catalog.set("Pages", Object::Reference(pages_id));
    let catalog_id = doc.add_object(catalog);
    doc.trailer.set("Root", Object::Reference(catalog_id));
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = doc.save_to(&mut out);
    out
}

/// Runs `f`, turning a panic inside lopdf into a [`PdfError`].
fn guarded<T>(f: impl FnOnce() -> Result<T, PdfError>) -> Result<T, PdfError> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(PdfError::new(
            "malformed PDF: the parser failed on it (panic caught)",
        ))
    })
}

/// Formats a coordinate for a content stream: at most 3 decimals, no exponent.
fn num(value: f64, out: &mut Vec<u8>) {
    use std::io::Write;
    let v = if value.is_finite() {
        (value * 1000.0).round() / 1000.0
    } else {
        0.0
    };
    let v = if v == 0.0 { 0.0 } else { v };
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    let _ = write!(out, "{s} ");
}

fn matrix(m: &[f64; 6], op: &[u8], out: &mut Vec<u8>) {
    for v in m {
        num(*v, out);
    }
    out.extend_from_slice(op);
    out.push(b'\n');
}

/// The geometry and resources of a page. Pages that set none of the inheritable attributes
/// themselves share those of their parent, computed once per parent.
fn page_context(
    doc: &Document,
    page_id: ObjectId,
    cache: &mut HashMap<ObjectId, (PageGeometry, ResourcesKey)>,
) -> (PageGeometry, ResourcesKey) {
    let parent = match doc.objects.get(&page_id) {
        Some(Object::Dictionary(page)) => {
            let own = [&b"MediaBox"[..], b"CropBox", b"Rotate", b"Resources"]
                .iter()
                .any(|k| page.has(k));
            match page.get(b"Parent") {
                Ok(Object::Reference(parent)) if !own => Some(*parent),
                _ => None,
            }
        }
        _ => None,
    };
    if let Some(found) = parent.and_then(|p| cache.get(&p)) {
        return *found;
    }
    let context = (
        PageGeometry::of(doc, page_id),
        page::resources_key(doc, page_id),
    );
    if let Some(p) = parent {
        cache.insert(p, context);
    }
    context
}

/// One resource to add to a page's resources: category, name prefix, object.
struct Addition {
    category: &'static [u8],
    prefix: &'static str,
    object: ObjectId,
}

/// The resources dictionary made for a group of pages and the names chosen in it, keyed by
/// the original dictionary and the objects added.
type ResourcesMemo = HashMap<(ResourcesKey, [ObjectId; 3]), ObjectId>;

/// A loaded document and the objects added so far (shared between pages).
struct Stamper {
    doc: Document,
    pages: Vec<ObjectId>,
    /// New resources dictionaries by (original resources, additions).
    resources: ResourcesMemo,
    /// The names chosen in each resources dictionary made.
    names: HashMap<ObjectId, Vec<Vec<u8>>>,
    /// Content streams by their bytes: pages of one size share one stamp stream.
    streams: HashMap<Vec<u8>, ObjectId>,
    /// Existing objects changed (the pages), for the incremental update.
    changed: HashSet<ObjectId>,
}

impl Stamper {
    fn new(doc: Document, pages: Vec<ObjectId>) -> Stamper {
        Stamper {
            doc,
            pages,
            resources: HashMap::new(),
            names: HashMap::new(),
            streams: HashMap::new(),
            changed: HashSet::new(),
        }
    }

    fn load(pdf: &[u8]) -> Result<Stamper, PdfError> {
        check_header(pdf)?;
        let doc =
            Document::load_mem(pdf).map_err(|e| PdfError::new(format!("unreadable PDF: {e}")))?;
        if doc.trailer.has(b"Encrypt") || doc.encryption_state.is_some() {
            return Err(PdfError::new(
                "encrypted PDF: remove the protection before publishing it on the portal",
            ));
        }
        let catalog = doc
            .trailer
            .get(b"Root")
            .ok()
            .and_then(|o| resolve(&doc, o))
            .and_then(|o| o.as_dict().ok())
            .ok_or_else(|| PdfError::new("malformed PDF: no document catalog"))?;
        match catalog.get(b"Pages").ok().and_then(|o| resolve(&doc, o)) {
            Some(Object::Dictionary(_)) => {}
            _ => return Err(PdfError::new("malformed PDF: no page tree")),
        }
        let mut seen = HashSet::new();
        let pages: Vec<ObjectId> = doc
            .page_iter()
            .filter(|id| matches!(doc.objects.get(id), Some(Object::Dictionary(_))))
            .filter(|id| seen.insert(*id))
            .collect();
        if pages.is_empty() {
            return Err(PdfError::new("PDF has no pages"));
        }
        Ok(Stamper::new(doc, pages))
    }

    fn save(mut self) -> Result<Vec<u8>, PdfError> {
        // Transparency (ExtGState /ca) and soft masks need PDF 1.4.
        if self.doc.version.as_str() < "1.4" {
            self.doc.version = "1.4".to_string();
        }
        let mut out = Vec::new();
        self.doc
            .save_to(&mut out)
            .map_err(|e| PdfError::new(format!("cannot write PDF: {e}")))?;
        Ok(out)
    }

    fn add(&mut self, object: impl Into<Object>) -> Result<ObjectId, PdfError> {
        self.doc
            .try_add_object(object)
            .map_err(|e| PdfError::new(format!("cannot add object: {e}")))
    }

    fn helvetica(&mut self) -> Result<ObjectId, PdfError> {
        let mut font = Dictionary::new();
        font.set("Type", Object::Name(b"Font".to_vec()));
        font.set("Subtype", Object::Name(b"Type1".to_vec()));
        font.set("BaseFont", Object::Name(b"Helvetica".to_vec()));
        font.set("Encoding", Object::Name(b"WinAnsiEncoding".to_vec()));
        self.add(font)
    }

    /// A content stream with `content`, shared with every page that needs the same bytes.
    fn stream(&mut self, content: Vec<u8>) -> Result<ObjectId, PdfError> {
        if let Some(id) = self.streams.get(&content) {
            return Ok(*id);
        }
        let id = self.add(Stream::new(Dictionary::new(), content.clone()))?;
        self.streams.insert(content, id);
        Ok(id)
    }

    /// Gives the page its own resources dictionary: a copy of its effective (possibly
    /// inherited, possibly shared) one with `additions` under fresh names. The original
    /// dictionaries are left untouched; pages that shared one share the copy. Returns the
    /// new dictionary; [`Stamper::names`] gives the names chosen, in the order of
    /// `additions` (at most three).
    fn add_resources(
        &mut self,
        page_id: ObjectId,
        key: ResourcesKey,
        additions: &[Addition],
    ) -> Result<ObjectId, PdfError> {
        let mut objects = [(0, 0); 3];
        for (slot, addition) in objects.iter_mut().zip(additions) {
            *slot = addition.object;
        }
        let memo = (key, objects);
        let id = match self.resources.get(&memo) {
            Some(id) => *id,
            None => {
                let mut dict = page::resources(&self.doc, key);
                let mut names = Vec::with_capacity(additions.len());
                for addition in additions {
                    let mut category = match dict
                        .get(addition.category)
                        .ok()
                        .and_then(|o| resolve(&self.doc, o))
                    {
                        Some(Object::Dictionary(d)) => d.clone(),
                        _ => Dictionary::new(),
                    };
                    let mut name = addition.prefix.as_bytes().to_vec();
                    let mut n = 1;
                    while category.has(&name) {
                        name = format!("{}{n}", addition.prefix).into_bytes();
                        n += 1;
                    }
                    category.set(name.clone(), Object::Reference(addition.object));
                    dict.set(addition.category.to_vec(), Object::Dictionary(category));
                    names.push(name);
                }
                let id = self.add(dict)?;
                self.resources.insert(memo, id);
                self.names.insert(id, names);
                id
            }
        };
        let page = self.page_mut(page_id)?;
        page.set("Resources", Object::Reference(id));
        Ok(id)
    }

    /// The names chosen in a resources dictionary made by [`Stamper::add_resources`].
    fn names(&self, resources: ObjectId) -> Vec<Vec<u8>> {
        self.names.get(&resources).cloned().unwrap_or_default()
    }

    fn page_mut(&mut self, page_id: ObjectId) -> Result<&mut Dictionary, PdfError> {
        self.changed.insert(page_id);
        match self.doc.objects.get_mut(&page_id) {
            Some(Object::Dictionary(d)) => Ok(d),
            _ => Err(PdfError::new("malformed PDF: page is not a dictionary")),
        }
    }

    /// Wraps the page's content in `q`/`Q` and appends `stamp` (a stream that starts with the
    /// closing `Q`).
    fn append_contents(
        &mut self,
        page_id: ObjectId,
        q_id: ObjectId,
        stamp: ObjectId,
    ) -> Result<(), PdfError> {
        let mut contents = Vec::with_capacity(4);
        contents.push(Object::Reference(q_id));
        let existing = match self.doc.objects.get(&page_id) {
            Some(Object::Dictionary(page)) => page.get(b"Contents").ok(),
            _ => None,
        };
        match existing {
            Some(Object::Reference(id)) => match self.doc.objects.get(id) {
                Some(Object::Array(items)) => contents.extend(items.iter().cloned()),
                _ => contents.push(Object::Reference(*id)),
            },
            Some(Object::Array(items)) => contents.extend(items.iter().cloned()),
            _ => {}
        }
        contents.push(Object::Reference(stamp));
        self.page_mut(page_id)?
            .set("Contents", Object::Array(contents));
        Ok(())
    }

    fn watermark(&mut self, text: &str, encoded: &[u8]) -> Result<(), PdfError> {
        let font = self.helvetica()?;
        let mut gs = Dictionary::new();
        gs.set("Type", Object::Name(b"ExtGState".to_vec()));
        gs.set("ca", Object::Real(WATERMARK_OPACITY as f32));
        gs.set("CA", Object::Real(WATERMARK_OPACITY as f32));
        let gs = self.add(gs)?;
        let q_id = self.stream(b"q\n".to_vec())?;
        let width_em = text::helvetica_width(encoded) / 1000.0;
        // Baseline offset that centres the glyphs vertically: cap height for capitals,
        // the ascender-descender box otherwise.
        let has_descenders = encoded.iter().any(|b| b"gjpqyQ,;()[]{}|@_\xE7".contains(b));
        let centre = if has_descenders {
            (0.718 - 0.207) / 2.0
        } else {
            0.718 / 2.0
        };
        let mut actual = Vec::new();
        text::utf16_hex_string(text, &mut actual);
        let mut shown = Vec::new();
        text::hex_string(encoded, &mut shown);

        // Pages of one geometry and one resources dictionary share one stamp stream.
        let mut stamps: HashMap<([u64; 4], u16, ObjectId), ObjectId> = HashMap::new();
        let mut contexts = HashMap::new();
        for page_id in self.pages.clone() {
            let (geometry, key) = page_context(&self.doc, page_id, &mut contexts);
            let resources = self.add_resources(
                page_id,
                key,
                &[
                    Addition {
                        category: b"Font",
                        prefix: "PtlHelv",
                        object: font,
                    },
                    Addition {
                        category: b"ExtGState",
                        prefix: "PtlGS",
                        object: gs,
                    },
                ],
            )?;
            let v = geometry.visible;
            let memo = (
                [
                    v.x0.to_bits(),
                    v.y0.to_bits(),
                    v.x1.to_bits(),
                    v.y1.to_bits(),
                ],
                geometry.rotate,
                resources,
            );
            if let Some(&stamp) = stamps.get(&memo) {
                self.append_contents(page_id, q_id, stamp)?;
                continue;
            }
            let names = self.names(resources);
            if names.len() < 2 {
                return Err(PdfError::new("internal: resource names missing"));
            }
            let (w, h) = geometry.reader_size();
            let angle = h.atan2(w);
            let (sin, cos) = angle.sin_cos();
            // The text box (width_em x 0.925 em) turned by `angle` must fit the page.
            let glyph_height = 0.925;
            let size_w = w * WATERMARK_FILL / (width_em * cos + glyph_height * sin);
            let size_h = h * WATERMARK_FILL / (width_em * sin + glyph_height * cos);
            let size = size_w.min(size_h).min(w.min(h) / 3.0);
            let text_width = width_em * size;
            let (cx, cy) = (w / 2.0, h / 2.0);
            let (dx, dy) = (-text_width / 2.0, -centre * size);
            let origin = (cx + dx * cos - dy * sin, cy + dx * sin + dy * cos);

            let mut content = Vec::with_capacity(256 + shown.len() + actual.len());
            content.extend_from_slice(b"Q\nq\n");
            matrix(&geometry.reader_to_user(), b"cm", &mut content);
            content.push(b'/');
            content.extend_from_slice(&names[1]);
            content.extend_from_slice(b" gs\n");
            num(WATERMARK_GREY, &mut content);
            content.extend_from_slice(b"g\n/Span <</ActualText ");
            content.extend_from_slice(&actual);
            content.extend_from_slice(b">> BDC\nBT\n/");
            content.extend_from_slice(&names[0]);
            content.push(b' ');
            num(size, &mut content);
            content.extend_from_slice(b"Tf\n");
            matrix(
                &[cos, sin, -sin, cos, origin.0, origin.1],
                b"Tm",
                &mut content,
            );
            content.extend_from_slice(&shown);
            content.extend_from_slice(b" Tj\nET\nEMC\nQ\n");
            let stamp = self.stream(content)?;
            stamps.insert(memo, stamp);
            self.append_contents(page_id, q_id, stamp)?;
        }
        Ok(())
    }

    fn signature(
        &mut self,
        encoded: &[Vec<u8>],
        placement: SignaturePlacement,
        image: Option<&image::EmbeddedImage>,
    ) -> Result<(), PdfError> {
        let page_id = *self
            .pages
            .last()
            .ok_or_else(|| PdfError::new("PDF has no pages"))?;
        let font = self.helvetica()?;
        let mut additions = vec![Addition {
            category: b"Font",
            prefix: "PtlHelv",
            object: font,
        }];
        let image = match image {
            Some(img) => {
                let mut stream = img.image.clone();
                if let Some(alpha) = &img.alpha {
                    let mask = self.add(alpha.clone())?;
                    stream.dict.set("SMask", Object::Reference(mask));
                }
                let id = self.add(stream)?;
                additions.push(Addition {
                    category: b"XObject",
                    prefix: "PtlSig",
                    object: id,
                });
                Some((img.width, img.height))
            }
            None => None,
        };
        let key = page::resources_key(&self.doc, page_id);
        let resources = self.add_resources(page_id, key, &additions)?;
        let names = self.names(resources);
        if names.is_empty() {
            return Err(PdfError::new("internal: resource names missing"));
        }
        let q_id = self.stream(b"q\n".to_vec())?;
        let geometry = PageGeometry::of(&self.doc, page_id);
        let (w, h) = geometry.reader_size();

        let margin = (w.min(h) * 0.05).min(28.35);
        // Each half of the page keeps a 2 pt gap to the middle.
        let half = (w / 2.0 - margin - 2.0).max(1.0);
        let widest = encoded
            .iter()
            .map(|l| text::helvetica_width(l) / 1000.0)
            .fold(0.0, f64::max);
        let mut size = SIGNATURE_FONT_SIZE;
        if widest * size > half {
            size = half / widest;
        }
        let leading = size * 1.25;
        let text_width = widest * size;
        let line_count = encoded.len() as f64;
        let descent = 0.207 * size;

        let mut content = Vec::with_capacity(512);
        content.extend_from_slice(b"Q\nq\n");
        matrix(&geometry.reader_to_user(), b"cm", &mut content);
        if let (Some((pw, ph)), Some(name)) = (image, names.get(1)) {
            let mut ih = SIGNATURE_IMAGE_HEIGHT.min(h * 0.12);
            let mut iw = ih * f64::from(pw) / f64::from(ph);
            if iw > half {
                iw = half;
                ih = iw * f64::from(ph) / f64::from(pw);
            }
            let x = match placement {
                SignaturePlacement::Left => margin,
                SignaturePlacement::Right => w - margin - iw,
            };
            let y = margin + line_count * leading + 2.0;
            content.extend_from_slice(b"q\n");
            matrix(&[iw, 0.0, 0.0, ih, x, y], b"cm", &mut content);
            content.push(b'/');
            content.extend_from_slice(name);
            content.extend_from_slice(b" Do\nQ\n");
        }
        if !encoded.is_empty() {
            let x = match placement {
                SignaturePlacement::Left => margin,
                SignaturePlacement::Right => w - margin - text_width,
            };
            content.extend_from_slice(b"0 g\nBT\n/");
            content.extend_from_slice(&names[0]);
            content.push(b' ');
            num(size, &mut content);
            content.extend_from_slice(b"Tf\n");
            for (i, line) in encoded.iter().enumerate() {
                let y = margin + descent + (line_count - 1.0 - i as f64) * leading;
                matrix(&[1.0, 0.0, 0.0, 1.0, x, y], b"Tm", &mut content);
                text::hex_string(line, &mut content);
                content.extend_from_slice(b" Tj\n");
            }
            content.extend_from_slice(b"ET\n");
        }
        content.extend_from_slice(b"Q\n");
        let stamp = self.stream(content)?;
        self.append_contents(page_id, q_id, stamp)
    }
}

#[cfg(test)]
mod tests;
