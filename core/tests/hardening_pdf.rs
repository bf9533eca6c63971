//! Issue 12, items 9 and 10: the unpaid consultation copy holds no clean original (a full
//! rewrite, one revision, nothing unreferenced, the mention merged into each page's only
//! content stream), and stamping works within a budget (shared resources referenced, not
//! copied; decompression bombs and oversized files are typed `pdf` errors).
//!
//! Real tools check the copies: qpdf (`--check`) and poppler (`pdftotext`, `pdfinfo`). A
//! missing tool skips the test loudly ("SKIPPED: <tool> not installed").
#![cfg(feature = "pdf")]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use lopdf::{dictionary, Dictionary, Document, Object, ObjectId, Stream};
use portail::pdf::{
    stamp_signature_with, watermark, watermark_with, watermark_within, Budget, Method,
    SignatureStamp,
};
use portail::*;

const MENTION: &str = "POUR CONSULTATION UNIQUEMENT";

// ---------------------------------------------------------------------------------------
// Allocation accounting per thread: tests run in parallel threads, so each measures only
// what its own thread allocates.

struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn account(delta: isize) {
    let _ = LIVE.try_with(|live| {
        let now = live.get() + delta;
        live.set(now);
        let _ = PEAK.try_with(|peak| {
            if now > peak.get() {
                peak.set(now);
            }
        });
    });
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        account(layout.size() as isize);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        account(-(layout.size() as isize));
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        account(new_size as isize - layout.size() as isize);
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Runs `f` and returns its result with the peak of bytes this thread held above what it held
/// before.
fn peak_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(base));
    let out = f();
    let peak = PEAK.with(Cell::get) - base;
    (out, peak.max(0) as usize)
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

// ---------------------------------------------------------------------------------------
// Tools.

fn have(tool: &str) -> bool {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !found {
        eprintln!("SKIPPED: {tool} not installed");
    }
    found
}

fn run(cmd: &str, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(cmd).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// The page count poppler reads, or `None` if the file does not open.
fn pdfinfo_pages(path: &Path) -> Option<usize> {
    let (code, out, _) = run("pdfinfo", &[path_str(path)]);
    if code != 0 {
        return None;
    }
    out.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
}

/// The text of page `n` (1-based) as poppler extracts it.
fn page_text(path: &Path, n: usize) -> String {
    let n = n.to_string();
    let (code, out, err) = run(
        "pdftotext",
        &["-f", &n, "-l", &n, "-layout", path_str(path), "-"],
    );
    assert_eq!(code, 0, "pdftotext page {n}: {err}");
    out
}

fn positions(haystack: &[u8], needle: &[u8]) -> Vec<usize> {
    haystack
        .windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle)
        .map(|(i, _)| i)
        .collect()
}

// ---------------------------------------------------------------------------------------
// Fixtures.

fn save(mut doc: Document) -> Vec<u8> {
    doc.reference_table.cross_reference_type = lopdf::xref::XrefType::CrossReferenceTable;
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

fn flate(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

fn helvetica(doc: &mut Document) -> ObjectId {
    doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    })
}

/// A signed-looking original with history: page 1 one Flate stream, page 2 an array of a
/// Flate and an ASCIIHex stream (the second stream leaves a `cm` in force), page 3 no content
/// at all; then two incremental updates (portal signature stamps), so the file has three
/// `%%EOF`.
fn original_with_history() -> Vec<u8> {
    let mut doc = Document::with_version("1.4");
    let pages_id = doc.new_object_id();
    let font = helvetica(&mut doc);
    let resources = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font } });
    let mut kids = Vec::new();
    let mut page = |doc: &mut Document, contents: Object| {
        let id = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => contents,
        });
        kids.push(Object::Reference(id));
    };
    let c1 = doc.add_object(Stream::new(
        dictionary! { "Filter" => "FlateDecode" },
        flate(b"BT /F1 14 Tf 72 770 Td (Facture FA-0002 page un) Tj ET"),
    ));
    page(&mut doc, Object::Reference(c1));
    let c2a = doc.add_object(Stream::new(
        dictionary! { "Filter" => "FlateDecode" },
        flate(b"BT /F1 14 Tf 72 770 Td (Facture FA-0002 page deux) Tj ET"),
    ));
    let hex: String = b"0.5 0 0 0.5 0 0 cm BT /F1 14 Tf 72 700 Td (suite) Tj ET"
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<String>()
        + ">";
    let c2b = doc.add_object(Stream::new(
        dictionary! { "Filter" => "ASCIIHexDecode" },
        hex.into_bytes(),
    ));
    page(
        &mut doc,
        Object::Array(vec![Object::Reference(c2a), Object::Reference(c2b)]),
    );
    page(&mut doc, Object::Null);
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => kids, "Count" => count, "Resources" => resources,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let base = save(doc);
    let stamp = |lines: &[&str]| SignatureStamp {
        lines: lines.iter().map(|l| l.to_string()).collect(),
        placement: SignaturePlacement::Right,
        image_png: None,
    };
    let once = stamp_signature_with(
        &base,
        &stamp(&["Signé électroniquement par MOI MEME"]),
        Method::Incremental,
    )
    .unwrap();
    let twice = stamp_signature_with(
        &once,
        &stamp(&["Contresigné par MA SOCIETE"]),
        Method::Incremental,
    )
    .unwrap();
    assert!(twice.starts_with(&base), "the fixture has real history");
    assert_eq!(positions(&twice, b"%%EOF").len(), 3);
    twice
}

fn unpaid_portal() -> (Portal, Principal) {
    let p = Portal::builder("t")
        .settings(Settings::new("MA SOCIETE", "masociete.fr"))
        .security(SecurityPolicy::fast_for_tests())
        .build()
        .unwrap();
    p.update_settings(|s| s.client.unpaid_policy = UnpaidPolicy::Watermark)
        .unwrap();
    p.parties()
        .upsert(
            Party::client("4", "MOI MEME")
                .email(EmailRole::Main, "m@x.fr")
                .consent(EInvoicingConsent::Accepted),
        )
        .unwrap();
    p.accounts()
        .generate(
            Generate::client("4")
                .password("password-1")
                .notify_by_email(false),
        )
        .unwrap();
    p.sync().unwrap();
    let me = p
        .access()
        .login(Audience::Client, "4", "password-1")
        .unwrap();
    (p, me)
}

fn publish_unpaid(p: &Portal, name: &str, bytes: Vec<u8>) -> portail::Document {
    p.documents()
        .publish(
            Publish::client("4", "Factures", name, bytes)
                .kind(DocumentKind::Invoice)
                .payment(PaymentStatus::Unpaid),
        )
        .unwrap()
}

// ---------------------------------------------------------------------------------------
// Item 9: the consultation copy.

#[test]
fn unpaid_download_cut_at_every_eof_shows_the_mention_on_every_page() {
    if !have("qpdf") || !have("pdftotext") || !have("pdfinfo") {
        return;
    }
    let original = original_with_history();
    let (p, me) = unpaid_portal();
    let doc = publish_unpaid(&p, "FA-0002.pdf", original.clone());
    let download = p.view(&me).open(&doc.id).unwrap();
    assert!(download.watermarked);
    let copy = download.content;

    assert!(!copy.starts_with(&original[..original.len() / 2]));
    let eofs = positions(&copy, b"%%EOF");
    eprintln!(
        "original {} bytes with {} %%EOF; copy {} bytes with {} %%EOF",
        original.len(),
        positions(&original, b"%%EOF").len(),
        copy.len(),
        eofs.len()
    );
    assert_eq!(eofs.len(), 1, "one revision only");

    let dir = tempfile::tempdir().unwrap();
    // Every cut at a `%%EOF` (with and without the end of line), plus the whole file: what
    // opens shows the mention on every page, and the page's own text is still there.
    let mut cuts: Vec<usize> = eofs.iter().map(|&at| at + 5).collect();
    cuts.extend(eofs.iter().map(|&at| (at + 6).min(copy.len())));
    cuts.push(copy.len());
    cuts.sort();
    cuts.dedup();
    let mut opened = 0;
    for (i, cut) in cuts.iter().enumerate() {
        let path = dir.path().join(format!("cut{i}.pdf"));
        std::fs::write(&path, &copy[..*cut]).unwrap();
        let (code, out, err) = run("qpdf", &["--check", path_str(&path)]);
        assert_eq!(code, 0, "qpdf --check cut at {cut}: {out}{err}");
        let Some(pages) = pdfinfo_pages(&path) else {
            continue;
        };
        opened += 1;
        assert_eq!(pages, 3);
        for n in 1..=pages {
            let text = page_text(&path, n);
            assert!(
                text.contains(MENTION),
                "cut at {cut}, page {n} without the mention: {text:?}"
            );
        }
        assert!(page_text(&path, 1).contains("Facture FA-0002 page un"));
        assert!(page_text(&path, 2).contains("Facture FA-0002 page deux"));
        assert!(page_text(&path, 2).contains("suite"));
        let last = page_text(&path, 3);
        assert!(
            last.contains("Contresign") && last.contains("SOCIETE"),
            "{last:?}"
        );
    }
    assert!(opened >= 1);

    // Also cut at every `%%EOF` of the ORIGINAL's offsets: none of them is a clean original.
    for at in positions(&original, b"%%EOF") {
        let cut = (at + 6).min(copy.len());
        let path = dir.path().join(format!("orig-eof-{at}.pdf"));
        std::fs::write(&path, &copy[..cut]).unwrap();
        if let Some(pages) = pdfinfo_pages(&path) {
            for n in 1..=pages {
                assert!(page_text(&path, n).contains(MENTION), "cut at {cut}");
            }
        }
    }
}

#[test]
fn unpaid_copy_has_one_content_stream_per_page_and_nothing_unreferenced() {
    let original = original_with_history();
    let copy = watermark(&original, MENTION).unwrap();
    let mut doc = Document::load_mem(&copy).unwrap();
    assert!(!doc.trailer.has(b"Prev"), "no earlier revision");
    for (n, page) in doc.get_pages() {
        let dict = doc.get_dictionary(page).unwrap();
        let id = dict
            .get(b"Contents")
            .unwrap()
            .as_reference()
            .unwrap_or_else(|_| panic!("page {n}: /Contents is not one stream"));
        let stream = doc.get_object(id).unwrap().as_stream().unwrap();
        let content = stream.decompressed_content().unwrap();
        let text = String::from_utf8_lossy(&content);
        assert!(text.starts_with("q\n"), "page {n}: {text}");
        assert!(
            text.contains("/ActualText"),
            "page {n}: the stamp is in the stream"
        );
        let stamp_at = text.find("/ActualText").unwrap();
        let own = match n {
            1 => "page un",
            2 => "suite",
            _ => "Contresign",
        };
        let own_at = text
            .find(own)
            .or_else(|| {
                // Hex-encoded signature text: look for its Tj instead.
                (n == 3).then(|| text.find("> Tj").unwrap_or(usize::MAX))
            })
            .unwrap_or_else(|| panic!("page {n}: own content missing: {text}"));
        assert!(
            own_at < stamp_at,
            "page {n}: the stamp is drawn after the content"
        );
    }
    let unreferenced = doc.prune_objects();
    assert!(
        unreferenced.is_empty(),
        "objects not reachable from the trailer: {unreferenced:?}"
    );
    // The original content streams are gone (their exact bytes are nowhere in the copy).
    let original_page1 = flate(b"BT /F1 14 Tf 72 770 Td (Facture FA-0002 page un) Tj ET");
    assert!(positions(&copy, &original_page1).is_empty());
}

#[test]
fn incremental_watermark_is_refused_and_signature_stays_incremental() {
    let original = original_with_history();
    let err = watermark_with(&original, MENTION, Method::Incremental).unwrap_err();
    assert!(err.reason.contains("full rewrite"), "{}", err.reason);
    for method in [Method::Auto, Method::Rewrite] {
        let copy = watermark_with(&original, MENTION, method).unwrap();
        assert_eq!(positions(&copy, b"%%EOF").len(), 1);
    }
    // The portal signature stamp keeps earlier revisions byte for byte.
    let signed = portail::pdf::stamp_signature(
        &original,
        &SignatureStamp {
            lines: vec!["Signé".into()],
            placement: SignaturePlacement::Left,
            image_png: None,
        },
    )
    .unwrap();
    assert!(signed.starts_with(&original));
}

/// A one-page PDF whose content stream has the given filter and data.
fn one_page_with_content(filter: Option<Object>, data: Vec<u8>) -> Vec<u8> {
    let mut doc = Document::with_version("1.4");
    let pages_id = doc.new_object_id();
    let font = helvetica(&mut doc);
    let mut dict = Dictionary::new();
    if let Some(filter) = filter {
        dict.set("Filter", filter);
    }
    let content = doc.add_object(Stream::new(dict, data));
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content,
        "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    save(doc)
}

#[test]
fn undecodable_content_is_a_pdf_error_on_the_download_path() {
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "unknown filter",
            one_page_with_content(Some(Object::Name(b"JBIG2Decode".to_vec())), b"xx".to_vec()),
        ),
        (
            "corrupt Flate",
            one_page_with_content(
                Some(Object::Name(b"FlateDecode".to_vec())),
                b"\x78\x9c this is not deflate data at all \xff\xff\xff".to_vec(),
            ),
        ),
        (
            "filter of the wrong type",
            one_page_with_content(Some(Object::Integer(7)), b"BT ET".to_vec()),
        ),
    ];
    let (p, me) = unpaid_portal();
    for (what, pdf) in cases {
        let err = watermark(&pdf, MENTION).unwrap_err();
        eprintln!("{what}: {}", err.reason);
        if what == "unknown filter" {
            assert!(err.reason.contains("/JBIG2Decode"), "{}", err.reason);
        }
        assert!(
            err.reason.contains("undecodable page content"),
            "{what}: {}",
            err.reason
        );
        let doc = publish_unpaid(&p, &format!("{what}.pdf"), pdf);
        let err = p.view(&me).open(&doc.id).unwrap_err();
        assert_eq!(err.code(), "pdf", "{what}: {err}");
    }
    // The lenient cases viewers accept still stamp: plain content, a Flate stream without
    // its checksum.
    let plain = one_page_with_content(None, b"BT /F1 12 Tf 72 700 Td (plain) Tj ET".to_vec());
    assert!(watermark(&plain, MENTION).is_ok());
    let mut truncated = flate(b"BT /F1 12 Tf 72 700 Td (no checksum) Tj ET");
    truncated.truncate(truncated.len() - 4);
    let pdf = one_page_with_content(Some(Object::Name(b"FlateDecode".to_vec())), truncated);
    let copy = watermark(&pdf, MENTION).unwrap();
    let doc = Document::load_mem(&copy).unwrap();
    let page = *doc.get_pages().get(&1).unwrap();
    let content = doc.get_page_content(page);
    assert!(positions(&content, b"(no checksum) Tj").len() == 1);
}

// ---------------------------------------------------------------------------------------
// Item 10: memory budget.

/// `pages` pages, each with its own small /Resources that references one shared /Font
/// dictionary of `entries` fonts (the shape that blew up to 3.1 GB).
fn shared_font_dictionary_pdf(pages: usize, entries: usize) -> Vec<u8> {
    let mut doc = Document::with_version("1.4");
    let pages_id = doc.new_object_id();
    let font = helvetica(&mut doc);
    let mut fonts = Dictionary::new();
    for i in 0..entries {
        fonts.set(format!("F{i}"), Object::Reference(font));
    }
    let fonts = doc.add_object(fonts);
    let content = doc.add_object(Stream::new(
        Dictionary::new(),
        b"BT /F1 12 Tf 72 700 Td (page) Tj ET".to_vec(),
    ));
    let mut kids = Vec::with_capacity(pages);
    for _ in 0..pages {
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content,
            "Resources" => dictionary! { "Font" => fonts },
        });
        kids.push(Object::Reference(page));
    }
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => kids, "Count" => pages as i64,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    save(doc)
}

#[test]
fn shared_font_dictionary_is_referenced_not_copied() {
    let pdf = shared_font_dictionary_pdf(2_000, 60_000);
    let started = Instant::now();
    let (out, peak) = peak_of(|| watermark(&pdf, MENTION));
    let elapsed = started.elapsed();
    let out = out.unwrap();
    eprintln!(
        "shared font dictionary: input {:.2} MiB, 2000 pages, 60000 font entries -> output \
         {:.2} MiB, peak allocation {:.1} MiB, {:.0} ms (debug build)",
        mib(pdf.len()),
        mib(out.len()),
        mib(peak),
        elapsed.as_secs_f64() * 1000.0
    );
    assert!(pdf.len() > 900_000, "about 1 MB: {}", pdf.len());
    // One extended copy of the font dictionary, not one per page.
    assert!(out.len() < pdf.len() * 3, "{} vs {}", out.len(), pdf.len());
    assert!(peak < 200 * 1024 * 1024, "peak {:.1} MiB", mib(peak));
    let doc = Document::load_mem(&out).unwrap();
    let mut font_dicts = std::collections::HashSet::new();
    for page in doc.get_pages().into_values() {
        let res = doc.get_dictionary(page).unwrap().get(b"Resources").unwrap();
        let res = match res {
            Object::Reference(id) => doc.get_dictionary(*id).unwrap(),
            other => other.as_dict().unwrap(),
        };
        font_dicts.insert(res.get(b"Font").unwrap().as_reference().unwrap());
    }
    assert_eq!(
        font_dicts.len(),
        1,
        "every page references one font dictionary"
    );
    if have("pdftotext") {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fonts.pdf");
        std::fs::write(&path, &out).unwrap();
        assert!(page_text(&path, 2000).contains(MENTION));
    }
}

#[test]
fn budget_limits_are_typed_pdf_errors() {
    let pdf = portail::pdf::sample_pdf(&["1", "2", "3"]);
    let pages = Budget {
        max_pages: 2,
        ..Budget::default()
    };
    let err = watermark_within(&pdf, MENTION, &pages).unwrap_err();
    assert!(err.reason.contains("max_pages"), "{}", err.reason);
    let objects = Budget {
        max_objects: 3,
        ..Budget::default()
    };
    let err = watermark_within(&pdf, MENTION, &objects).unwrap_err();
    assert!(err.reason.contains("max_objects"), "{}", err.reason);
    let content = Budget {
        max_content_bytes: 20,
        ..Budget::default()
    };
    let err = watermark_within(&pdf, MENTION, &content).unwrap_err();
    assert!(err.reason.contains("max_content_bytes"), "{}", err.reason);
    // The signature stamp, on either path, honours the page and object limits too.
    let stamp = SignatureStamp {
        lines: vec!["Signé".into()],
        placement: SignaturePlacement::Left,
        image_png: None,
    };
    for method in [Method::Incremental, Method::Rewrite, Method::Auto] {
        let err = portail::pdf::stamp_signature_within(&pdf, &stamp, method, &pages).unwrap_err();
        assert!(
            err.reason.contains("max_pages"),
            "{method:?}: {}",
            err.reason
        );
    }
    let err: portail::Error = err.into();
    assert_eq!(err.code(), "pdf");
    let defaults = Budget::default();
    assert_eq!(defaults.max_pages, 10_000);
    assert_eq!(defaults.max_content_bytes, 256 * 1024 * 1024);
    assert_eq!(defaults.max_objects, 1_000_000);
}

/// Flate data of `len` zero bytes.
fn zeros_flate(len: usize) -> Vec<u8> {
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let chunk = vec![0u8; 1 << 20];
    let mut left = len;
    while left > 0 {
        let n = left.min(chunk.len());
        enc.write_all(&chunk[..n]).unwrap();
        left -= n;
    }
    enc.finish().unwrap()
}

#[test]
fn decompression_bombs_stop_at_the_budget() {
    // One stream: 64 MiB of zeros in about 64 KB, against a 1 MiB budget.
    let bomb = zeros_flate(64 << 20);
    let pdf = one_page_with_content(Some(Object::Name(b"FlateDecode".to_vec())), bomb);
    let tight = Budget {
        max_content_bytes: 1 << 20,
        ..Budget::default()
    };
    let (result, peak) = peak_of(|| watermark_within(&pdf, MENTION, &tight));
    let err = result.unwrap_err();
    eprintln!(
        "single-stream bomb: {} KB file inflating to 64 MiB, budget 1 MiB -> `{}`, peak \
         allocation {:.1} MiB",
        pdf.len() / 1024,
        err.reason,
        mib(peak)
    );
    assert!(err.reason.contains("max_content_bytes"), "{}", err.reason);
    assert!(peak < 8 * 1024 * 1024, "peak {:.1} MiB", mib(peak));

    // Many pages whose content each inflates to 1 MiB: 300 MiB in all, past the default
    // 256 MiB, while memory holds one page at a time. Through the portal download path.
    let one = zeros_flate(1 << 20);
    let mut doc = Document::with_version("1.4");
    let pages_id = doc.new_object_id();
    let content = doc.add_object(Stream::new(
        dictionary! { "Filter" => "FlateDecode" },
        one.clone(),
    ));
    let mut kids = Vec::new();
    for i in 0..300 {
        // Distinct streams (same bytes) so no merged stream is shared.
        let c = if i == 0 {
            content
        } else {
            doc.add_object(Stream::new(
                dictionary! { "Filter" => "FlateDecode" },
                one.clone(),
            ))
        };
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => c,
        });
        kids.push(Object::Reference(page));
    }
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => kids, "Count" => 300,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let pdf = save(doc);
    let (p, me) = unpaid_portal();
    let document = publish_unpaid(&p, "bomb.pdf", pdf.clone());
    let started = Instant::now();
    let (result, peak) = peak_of(|| p.view(&me).open(&document.id));
    let err = result.unwrap_err();
    eprintln!(
        "300-page bomb: {} KB file inflating to 300 MiB, default budget -> `{err}` in {:.0} \
         ms, peak allocation {:.1} MiB",
        pdf.len() / 1024,
        started.elapsed().as_secs_f64() * 1000.0,
        mib(peak)
    );
    assert_eq!(err.code(), "pdf");
    assert!(err.to_string().contains("max_content_bytes"), "{err}");
    assert!(peak < 64 * 1024 * 1024, "peak {:.1} MiB", mib(peak));
}
