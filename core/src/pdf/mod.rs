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
//! The input is never modified: each function returns a new file.
//!
//! * The watermark is **always a full rewrite**: the file is loaded, the mention is drawn in
//!   the same content stream as each page's own content (the page's streams are decoded and
//!   merged into one), objects no longer reachable from the trailer are dropped, and a single
//!   revision is written. No earlier revision, and so no clean original, is left in the
//!   consultation copy; a digital signature the original carried is invalidated, on purpose.
//! * The signature stamp is by default ([`Method`]) an incremental update (the original
//!   bytes, then the new and changed objects and a new xref section), which reads only the
//!   trailer, the xref table and the page tree and keeps earlier digital signatures valid;
//!   files it cannot handle (xref or object streams, hybrid or linearized files, PDF < 1.4)
//!   are loaded and rewritten whole by lopdf instead.
//!
//! Each stamp works within a [`Budget`] (pages, decoded content bytes, objects): a file past
//! it, a decompression bomb included, is a [`PdfError`] before it can exhaust memory.
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

mod content;
mod image;
mod incremental;
mod metrics;
mod page;
mod text;

use std::collections::{HashMap, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};

use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

use crate::records::folder::SignaturePlacement;
use content::{Codec, DecodeError};
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

impl From<PdfError> for crate::error::Error {
    fn from(e: PdfError) -> crate::error::Error {
        crate::error::Error::Pdf { reason: e.reason }
    }
}

/// A visible e-signature block for [`stamp_signature`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SignatureStamp {
    /// Text lines, top to bottom, e.g. `"Signé électroniquement par MOI MEME"`,
    /// `"le 08/03/2019 à 16:55"`. WinAnsiEncoding characters only (see [`to_winansi_lossy`]).
    pub lines: Vec<String>,
    /// Bottom-left or bottom-right of the last page, as the reader sees it.
    pub placement: SignaturePlacement,
    /// An optional PNG (greyscale, RGB, palette, with or without alpha) drawn above the text.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub image_png: Option<Vec<u8>>,
}

/// How a stamped file is written.
///
/// The watermark is always a full rewrite: [`watermark_with`] takes `Auto` and `Rewrite`
/// (both rewrite) and refuses `Incremental`, which would leave the clean original in the
/// file as its first revision.
/// Named in bindings by its snake_case name (`"auto"`, `"incremental"`, `"rewrite"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Method {
    /// An incremental update when the file allows it, else a full rewrite. The default.
    /// For the watermark: always the full rewrite.
    #[default]
    Auto,
    /// Only an incremental update: the original bytes followed by the new and changed
    /// objects, a cross-reference section and a trailer with `/Prev`. Reads only the
    /// trailer, the cross-reference table and the page tree, so it is faster than a full
    /// load, and it keeps earlier digital signatures valid for the revision they signed.
    /// Needs a classic cross-reference table (no xref streams, object streams, hybrid or
    /// linearized files) and PDF 1.4 or later; otherwise a [`PdfError`]. Signature stamp
    /// only: refused for the watermark.
    Incremental,
    /// Always a full load and rewrite by lopdf.
    Rewrite,
}

/// Limits on the work of one stamp (« budget »): past any of them the stamp is a
/// [`PdfError`] naming the limit, before the file can exhaust memory.
///
/// ```
/// use portail::pdf::{watermark_within, Budget};
/// let pdf = portail::pdf::sample_pdf(&["1", "2", "3"]);
/// let tight = Budget { max_pages: 2, ..Budget::default() };
/// let err = watermark_within(&pdf, "COPIE", &tight).unwrap_err();
/// assert!(err.reason.contains("max_pages"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Most pages stamped (default 10,000).
    pub max_pages: usize,
    /// Most bytes of decoded page content, all pages together (default 256 MiB). Content is
    /// decoded through a bounded reader, so a decompression bomb stops here.
    pub max_content_bytes: usize,
    /// Most objects in the file (default 1,000,000).
    pub max_objects: usize,
}

impl Default for Budget {
    fn default() -> Budget {
        Budget {
            max_pages: 10_000,
            max_content_bytes: 256 * 1024 * 1024,
            max_objects: 1_000_000,
        }
    }
}

impl Budget {
    fn check(&self, limit: &str, value: usize, max: usize) -> Result<(), PdfError> {
        if value > max {
            return Err(PdfError::new(format!(
                "PDF over the stamping budget: {limit} is {max}, the file needs more"
            )));
        }
        Ok(())
    }
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

/// Stamps `text` diagonally across every page and returns the new file, a full rewrite
/// within the default [`Budget`].
///
/// The text is Helvetica, grey, 30 % opaque, drawn over the existing content, in the same
/// content stream: each page's content streams are decoded and merged into one new stream,
/// `q <original content> Q <stamp>`, so the graphics state of the page cannot distort the
/// stamp and no tool can drop the stamp by dropping a stream. Objects the rewrite leaves
/// unreferenced (the original content streams among them) are not written. Along the diagonal
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
    watermark_within(pdf, text, &Budget::default())
}

/// [`watermark`]; `method` must be `Auto` or `Rewrite` (both rewrite the file whole).
/// `Incremental` is refused: the consultation copy must not carry the clean original as an
/// earlier revision.
///
/// ```
/// use portail::pdf::{watermark_with, Method};
/// let pdf = portail::pdf::sample_pdf(&["page 1", "page 2"]);
/// let rewritten = watermark_with(&pdf, "COPIE", Method::Auto)?;
/// assert!(!rewritten.starts_with(&pdf), "no earlier revision: the original is not a prefix");
/// assert!(watermark_with(&pdf, "COPIE", Method::Incremental).is_err());
/// # Ok::<(), portail::pdf::PdfError>(())
/// ```
pub fn watermark_with(pdf: &[u8], text: &str, method: Method) -> Result<Vec<u8>, PdfError> {
    if method == Method::Incremental {
        return Err(PdfError::new(
            "the watermark is always a full rewrite: an incremental update would keep the \
             clean original as the file's first revision",
        ));
    }
    watermark_within(pdf, text, &Budget::default())
}

/// [`watermark`] within `budget` instead of the default one.
pub fn watermark_within(pdf: &[u8], text: &str, budget: &Budget) -> Result<Vec<u8>, PdfError> {
    let encoded = text::encode_winansi(text, "watermark text")?;
    if text.trim().is_empty() {
        return Err(PdfError::new("watermark text is empty"));
    }
    run(pdf, Method::Rewrite, budget, &|stamper| {
        stamper.watermark(text, &encoded)
    })
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
    stamp_signature_within(pdf, stamp, method, &Budget::default())
}

/// [`stamp_signature_with`] within `budget` instead of the default one.
pub fn stamp_signature_within(
    pdf: &[u8],
    stamp: &SignatureStamp,
    method: Method,
    budget: &Budget,
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
    run(pdf, method, budget, &|stamper| {
        stamper.signature(&lines, stamp.placement, image.as_ref())
    })
}

/// Stamps with `op` on the incremental path if `method` allows and the file supports it,
/// else on the full path; panics in lopdf become a [`PdfError`].
fn run(
    pdf: &[u8],
    method: Method,
    budget: &Budget,
    op: &dyn Fn(&mut Stamper) -> Result<(), PdfError>,
) -> Result<Vec<u8>, PdfError> {
    guarded(|| {
        if method != Method::Rewrite {
            check_header(pdf)?;
            let attempt = incremental::read(pdf)
                .map_err(|why| PdfError::new(format!("incremental update not possible: {why}")));
            let attempt = attempt.and_then(|(doc, pages, partial)| {
                budget.check(
                    "max_objects",
                    partial.doc_size() as usize,
                    budget.max_objects,
                )?;
                budget.check("max_pages", pages.len(), budget.max_pages)?;
                let mut stamper = Stamper::new(doc, pages, *budget);
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
        let mut stamper = Stamper::load(pdf, budget)?;
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
            Err(_) => Stamper::load(pdf, &Budget::default())?.pages.len(),
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

/// `prefix`, or `prefix` numbered, whichever `category` does not hold yet.
fn fresh_name(category: &Dictionary, prefix: &str) -> Vec<u8> {
    let mut name = prefix.as_bytes().to_vec();
    let mut n = 1;
    while category.has(&name) {
        name = format!("{prefix}{n}").into_bytes();
        n += 1;
    }
    name
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
    /// Extended copies of shared resource categories (`/Font 12 0 R` plus the stamp's font),
    /// by (original category dictionary, object added): made once, referenced by every page.
    categories: HashMap<(ObjectId, ObjectId), (ObjectId, Vec<u8>)>,
    /// The limits of this stamp.
    budget: Budget,
    /// Decoded page content so far, against `budget.max_content_bytes`.
    content_bytes: usize,
}

impl Stamper {
    fn new(doc: Document, pages: Vec<ObjectId>, budget: Budget) -> Stamper {
        Stamper {
            doc,
            pages,
            resources: HashMap::new(),
            names: HashMap::new(),
            streams: HashMap::new(),
            changed: HashSet::new(),
            categories: HashMap::new(),
            budget,
            content_bytes: 0,
        }
    }

    fn load(pdf: &[u8], budget: &Budget) -> Result<Stamper, PdfError> {
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
        budget.check("max_objects", doc.objects.len(), budget.max_objects)?;
        let mut seen = HashSet::new();
        let mut pages = Vec::new();
        for id in doc.page_iter() {
            if matches!(doc.objects.get(&id), Some(Object::Dictionary(_))) && seen.insert(id) {
                pages.push(id);
                budget.check("max_pages", pages.len(), budget.max_pages)?;
            }
        }
        if pages.is_empty() {
            return Err(PdfError::new("PDF has no pages"));
        }
        Ok(Stamper::new(doc, pages, *budget))
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
                    // A category held by reference (`/Font 12 0 R`, often one large dictionary
                    // shared by every page) is extended once, as a new object every page
                    // references: never copied per page.
                    if let Ok(Object::Reference(shared)) = dict.get(addition.category) {
                        let shared = *shared;
                        let (id, name) = self.extended_category(shared, addition)?;
                        dict.set(addition.category.to_vec(), Object::Reference(id));
                        names.push(name);
                        continue;
                    }
                    let mut category = match dict
                        .get(addition.category)
                        .ok()
                        .and_then(|o| resolve(&self.doc, o))
                    {
                        Some(Object::Dictionary(d)) => d.clone(),
                        _ => Dictionary::new(),
                    };
                    let name = fresh_name(&category, addition.prefix);
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

    /// A copy of the shared category dictionary `shared` with `addition` under a fresh name,
    /// made once per (dictionary, object) and added as an indirect object.
    fn extended_category(
        &mut self,
        shared: ObjectId,
        addition: &Addition,
    ) -> Result<(ObjectId, Vec<u8>), PdfError> {
        if let Some(found) = self.categories.get(&(shared, addition.object)) {
            return Ok(found.clone());
        }
        let mut category = match self
            .doc
            .objects
            .get(&shared)
            .and_then(|o| resolve(&self.doc, o))
        {
            Some(Object::Dictionary(d)) => d.clone(),
            _ => Dictionary::new(),
        };
        let name = fresh_name(&category, addition.prefix);
        category.set(name.clone(), Object::Reference(addition.object));
        let id = self.add(category)?;
        self.categories
            .insert((shared, addition.object), (id, name.clone()));
        Ok((id, name))
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

        // Pages of one geometry and one resources dictionary share one stamp; pages of one
        // content and one stamp share one merged stream.
        let mut stamps: HashMap<([u64; 4], u16, ObjectId), usize> = HashMap::new();
        let mut stamp_bytes: Vec<Vec<u8>> = Vec::new();
        let mut merged: HashMap<(Vec<ObjectId>, usize), ObjectId> = HashMap::new();
        let mut codec = Codec::new();
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
            let stamp = match stamps.get(&memo) {
                Some(&stamp) => stamp,
                None => {
                    let content = self.watermark_stamp(
                        geometry,
                        resources,
                        (width_em, centre),
                        &actual,
                        &shown,
                    )?;
                    stamp_bytes.push(content);
                    stamps.insert(memo, stamp_bytes.len() - 1);
                    stamp_bytes.len() - 1
                }
            };
            let sources = self.content_streams(page_id);
            let key = (sources, stamp);
            let id = match merged.get(&key) {
                Some(&id) => id,
                None => {
                    let content = self.merge(&key.0, &stamp_bytes[stamp], &mut codec)?;
                    let id = self.add(content)?;
                    merged.insert(key, id);
                    id
                }
            };
            self.page_mut(page_id)?
                .set("Contents", Object::Reference(id));
        }
        // The original content streams, and anything else no longer referenced, are not
        // written: the copy holds nothing that is not drawn.
        self.doc.prune_objects();
        self.doc.trailer.remove(b"Prev");
        self.doc.trailer.remove(b"XRefStm");
        Ok(())
    }

    /// The stamp drawn after a page's own content (it starts with the `Q` that closes it).
    fn watermark_stamp(
        &self,
        geometry: PageGeometry,
        resources: ObjectId,
        (width_em, centre): (f64, f64),
        actual: &[u8],
        shown: &[u8],
    ) -> Result<Vec<u8>, PdfError> {
        {
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
            content.extend_from_slice(actual);
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
            content.extend_from_slice(shown);
            content.extend_from_slice(b" Tj\nET\nEMC\nQ\n");
            Ok(content)
        }
    }

    /// The content streams of a page, in order: `/Contents` as one stream or an array of
    /// them, directly or by reference. Dangling references and non-streams are skipped, as
    /// viewers do.
    fn content_streams(&self, page_id: ObjectId) -> Vec<ObjectId> {
        let contents = match self.doc.objects.get(&page_id) {
            Some(Object::Dictionary(page)) => page.get(b"Contents").ok(),
            _ => None,
        };
        let items: Vec<&Object> = match contents {
            Some(Object::Reference(id)) => match self.doc.objects.get(id) {
                Some(Object::Array(items)) => items.iter().collect(),
                Some(Object::Stream(_)) => return vec![*id],
                _ => Vec::new(),
            },
            Some(Object::Array(items)) => items.iter().collect(),
            _ => Vec::new(),
        };
        items
            .into_iter()
            .filter_map(|item| match item {
                Object::Reference(id) => Some(*id),
                _ => None,
            })
            .filter(|id| matches!(self.doc.objects.get(id), Some(Object::Stream(_))))
            .collect()
    }

    /// One stream: `q`, the decoded `sources` one after the other, then `stamp` (which
    /// starts with `Q`).
    fn merge(
        &mut self,
        sources: &[ObjectId],
        stamp: &[u8],
        codec: &mut Codec,
    ) -> Result<Stream, PdfError> {
        let mut content = std::mem::take(&mut codec.scratch);
        content.clear();
        content.extend_from_slice(b"q\n");
        for id in sources {
            let Some(Object::Stream(stream)) = self.doc.objects.get(id) else {
                continue;
            };
            let left = self
                .budget
                .max_content_bytes
                .saturating_sub(self.content_bytes);
            let before = content.len();
            codec
                .decode(stream, &mut content, left)
                .map_err(|why| match why {
                    DecodeError::Budget => PdfError::new(format!(
                        "PDF over the stamping budget: max_content_bytes is {}, the decoded \
                         page content needs more",
                        self.budget.max_content_bytes
                    )),
                    DecodeError::Bad(why) => PdfError::new(format!(
                        "undecodable page content (object {} {}): {why}",
                        id.0, id.1
                    )),
                })?;
            self.content_bytes += content.len() - before;
            // Streams are concatenated as if separated by white space (ISO 32000-1, 7.8.2).
            content.push(b'\n');
        }
        content.extend_from_slice(stamp);
        let stream = codec.encode(&content);
        codec.scratch = content;
        Ok(stream)
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
