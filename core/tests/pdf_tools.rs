//! The PDF stamping functions checked with real PDF tools: qpdf (structure), poppler's
//! pdftotext (text and its position), pdfimages, Ghostscript (another producer).
//!
//! Every fixture is made here: a hand-written PDF (inherited and rotated pages, offset boxes),
//! Ghostscript output, and qpdf transformations of them. A missing tool skips the test
//! loudly ("SKIPPED: qpdf not installed"); CI installs them (scripts/ci/system.sh).
#![cfg(feature = "pdf")]

use std::path::{Path, PathBuf};
use std::process::Command;

use portail::pdf::{
    page_count, stamp_signature, stamp_signature_with, watermark, watermark_with, Method, PdfError,
    SignatureStamp,
};
use portail::SignaturePlacement;

const MENTION: &str = "POUR CONSULTATION UNIQUEMENT";

fn have(tool: &str) -> bool {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !found {
        println!("SKIPPED: {tool} not installed");
        eprintln!("SKIPPED: {tool} not installed");
    }
    found
}

macro_rules! require {
    ($($tool:expr),+) => {
        $( if !have($tool) { return; } )+
    };
}

struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Dir {
        Dir(tempfile::tempdir().unwrap())
    }
    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.0.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        // PDF_TOOLS_OUT=<dir> keeps every file written, to look at them.
        if let Some(keep) = std::env::var_os("PDF_TOOLS_OUT") {
            let _ = std::fs::create_dir_all(&keep);
            let _ = std::fs::write(Path::new(&keep).join(name), bytes);
        }
        p
    }
    fn path(&self, name: &str) -> PathBuf {
        self.0.path().join(name)
    }
}

fn run(cmd: &str, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(cmd).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// `qpdf --check` passes with exit 0 and no warning.
fn assert_qpdf_clean(dir: &Dir, name: &str, bytes: &[u8]) {
    let path = dir.write(name, bytes);
    let (code, out, err) = run("qpdf", &["--check", p(&path)]);
    assert_eq!(code, 0, "qpdf --check {name}: {out}{err}");
    assert!(
        !out.to_lowercase().contains("warning") && !err.to_lowercase().contains("warning"),
        "{name}: {out}{err}"
    );
    assert!(
        out.contains("No syntax or stream encoding errors found"),
        "{name}: {out}"
    );
}

fn pdftotext_page(dir: &Dir, name: &str, bytes: &[u8], page: u32) -> String {
    let path = dir.write(name, bytes);
    let n = page.to_string();
    let (code, out, err) = run("pdftotext", &["-q", "-f", &n, "-l", &n, p(&path), "-"]);
    assert_eq!(code, 0, "pdftotext {name}: {err}");
    out
}

#[derive(Debug, Clone)]
struct Word {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
    text: String,
}

fn attr(tag: &str, key: &str) -> f64 {
    let start = tag.find(&format!("{key}=\"")).unwrap() + key.len() + 2;
    let end = start + tag[start..].find('"').unwrap();
    tag[start..end].parse().unwrap()
}

/// Page size as displayed and the words of one page, from `pdftotext -bbox` (top-left
/// origin, rotation applied, relative to the crop box).
fn bbox_page(dir: &Dir, name: &str, bytes: &[u8], page: u32) -> ((f64, f64), Vec<Word>) {
    let path = dir.write(name, bytes);
    let n = page.to_string();
    let (code, out, err) = run(
        "pdftotext",
        &["-q", "-bbox", "-f", &n, "-l", &n, p(&path), "-"],
    );
    assert_eq!(code, 0, "pdftotext -bbox {name}: {err}");
    let page_tag = out
        .lines()
        .find(|l| l.trim_start().starts_with("<page "))
        .unwrap();
    let size = (attr(page_tag, "width"), attr(page_tag, "height"));
    let words = out
        .lines()
        .filter(|l| l.trim_start().starts_with("<word "))
        .map(|l| {
            let text_start = l.find('>').unwrap() + 1;
            let text_end = l.rfind("</word>").unwrap();
            Word {
                x0: attr(l, "xMin"),
                y0: attr(l, "yMin"),
                x1: attr(l, "xMax"),
                y1: attr(l, "yMax"),
                text: l[text_start..text_end]
                    .replace("&amp;", "&")
                    .replace("&apos;", "'")
                    .replace("&quot;", "\""),
            }
        })
        .collect();
    (size, words)
}

/// The visible area (CropBox) of a page in the coordinates of `pdftotext -bbox`: as
/// displayed (rotation applied), origin at the top-left corner of the MediaBox. Returns
/// (x0, y0, x1, y1), from `pdfinfo -box`.
fn displayed_crop(dir: &Dir, name: &str, bytes: &[u8], page: u32) -> (f64, f64, f64, f64) {
    let path = dir.write(name, bytes);
    let n = page.to_string();
    let (code, out, err) = run("pdfinfo", &["-box", "-f", &n, "-l", &n, p(&path)]);
    assert_eq!(code, 0, "pdfinfo {name}: {err}");
    let field = |label: &str| -> Vec<f64> {
        let line = out
            .lines()
            .find(|l| l.starts_with("Page") && l.contains(label))
            .unwrap();
        line.split_once(label)
            .unwrap()
            .1
            .split_whitespace()
            .filter_map(|t| t.parse().ok())
            .collect()
    };
    let m = field("MediaBox:");
    let c = field("CropBox:");
    let rot = (field("rot:")[0] as i64).rem_euclid(360);
    let to_display = |x: f64, y: f64| match rot {
        90 => (y - m[1], x - m[0]),
        180 => (m[2] - x, y - m[1]),
        270 => (m[3] - y, m[2] - x),
        _ => (x - m[0], m[3] - y),
    };
    let (a, b) = (to_display(c[0], c[1]), to_display(c[2], c[3]));
    (a.0.min(b.0), a.1.min(b.1), a.0.max(b.0), a.1.max(b.1))
}

/// A page rendered in grey by pdftoppm at 24 dpi: (width, height, pixels row by row, top
/// row first).
fn render(dir: &Dir, name: &str, bytes: &[u8], page: u32) -> (usize, usize, Vec<u8>) {
    let path = dir.write(name, bytes);
    let n = page.to_string();
    let prefix = dir.path(&format!("{name}-render-{page}"));
    let (code, _, err) = run(
        "pdftoppm",
        &[
            "-gray",
            "-r",
            "24",
            "-singlefile",
            "-f",
            &n,
            "-l",
            &n,
            p(&path),
            p(&prefix),
        ],
    );
    assert_eq!(code, 0, "pdftoppm {name}: {err}");
    let pgm = std::fs::read(format!("{}.pgm", p(&prefix))).unwrap();
    // P5\n<w> <h>\n255\n<data>
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while pgm[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while !pgm[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8_lossy(&pgm[start..i]).into_owned());
    }
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    (w, h, pgm[i + 1..i + 1 + w * h].to_vec())
}

// ---------------------------------------------------------------------------------------
// Fixtures

/// Writes a classic PDF from object bodies (object i+1 = bodies[i], catalog = object 1).
fn raw_pdf(bodies: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in bodies.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", bodies.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            bodies.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn stream(content: &str) -> Vec<u8> {
    format!(
        "<< /Length {} >>\nstream\n{content}\nendstream",
        content.len()
    )
    .into_bytes()
}

/// Seven pages exercising the page tree:
/// 1. A4, own MediaBox, content that leaves a scaling `cm` in force (no q/Q).
/// 2. `/Rotate 90` on the page.
/// 3. `/Rotate 180` on the page.
/// 4. `/Rotate 270` inherited from an intermediate Pages node, MediaBox inherited.
/// 5. Same node, own offset MediaBox `[100 200 712 992]` and smaller CropBox.
/// 6. MediaBox with negative origin `[-300 -400 300 400]`, `/Rotate -90` (= 270).
/// 7. Landscape `[0 0 842 595]`, Resources given inline on the page; CropBox offset.
///    Pages 1-6 inherit one indirect Resources dictionary from the root.
fn tree_pdf() -> Vec<u8> {
    let text = |x: i32, y: i32, s: &str| format!("BT /F1 18 Tf {x} {y} Td ({s}) Tj ET");
    let bodies: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [5 0 R 6 0 R 7 0 R 8 0 R 9 0 R 10 0 R] /Count 7 /Resources 3 0 R /MediaBox [0 0 595 842] >>"
            .to_vec(),
        b"<< /Font << /F1 4 0 R >> >>".to_vec(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman /Encoding /WinAnsiEncoding >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 11 0 R >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /Rotate 90 /Contents 12 0 R >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /Rotate 180 /Contents [13 0 R] >>".to_vec(),
        b"<< /Type /Pages /Parent 2 0 R /Kids [14 0 R 15 0 R] /Count 2 /Rotate 270 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [-300 -400 300 400] /Rotate -90 /Contents 18 0 R >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] /CropBox [20 30 822 565] /Resources << /Font << /F1 4 0 R >> >> /Contents 19 0 R >>"
            .to_vec(),
        stream(&format!("0.5 0 0 0.5 0 0 cm 1 0 0 RG {}", text(100, 1500, "Page one"))),
        stream(&text(72, 700, "Page two")),
        stream(&text(72, 700, "Page three")),
        b"<< /Type /Page /Parent 8 0 R /Contents 16 0 R >>".to_vec(),
        b"<< /Type /Page /Parent 8 0 R /MediaBox [100 200 712 992] /CropBox [150 250 600 900] /Contents 17 0 R >>"
            .to_vec(),
        stream(&text(72, 700, "Page four")),
        stream(&text(200, 800, "Page five")),
        stream(&text(-200, 300, "Page six")),
        stream(&text(72, 500, "Page seven")),
    ];
    raw_pdf(&bodies)
}

/// A three-page PDF from Ghostscript's pdfwrite (its own xref layout, compressed streams,
/// embedded subset fonts), the third page landscape.
fn ghostscript_pdf(dir: &Dir) -> Vec<u8> {
    let ps = "%!PS\n\
        /Helvetica findfont 20 scalefont setfont\n\
        << /PageSize [595 842] >> setpagedevice\n\
        72 700 moveto (Ghostscript page one) show showpage\n\
        72 700 moveto (Ghostscript page two) show showpage\n\
        << /PageSize [842 595] >> setpagedevice\n\
        /Helvetica findfont 20 scalefont setfont\n\
        72 500 moveto (Ghostscript page three) show showpage\n";
    let src = dir.write("gs.ps", ps.as_bytes());
    let out = dir.path("gs.pdf");
    let (code, _, err) = run(
        "gs",
        &[
            "-q",
            "-dNOPAUSE",
            "-dBATCH",
            "-dSAFER",
            "-sDEVICE=pdfwrite",
            "-dCompatibilityLevel=1.7",
            &format!("-sOutputFile={}", p(&out)),
            p(&src),
        ],
    );
    assert_eq!(code, 0, "gs: {err}");
    std::fs::read(out).unwrap()
}

fn qpdf_transform(dir: &Dir, input: &[u8], args: &[&str], name: &str) -> Vec<u8> {
    let src = dir.write(&format!("{name}.in.pdf"), input);
    let out = dir.path(&format!("{name}.pdf"));
    let mut all: Vec<&str> = args.to_vec();
    all.push(p(&src));
    all.push(p(&out));
    let (code, _, err) = run("qpdf", &all);
    assert!(code == 0 || code == 3, "qpdf {args:?}: {err}");
    std::fs::read(out).unwrap()
}

fn png_bytes(
    colour: png::ColorType,
    depth: png::BitDepth,
    pixels: &[u8],
    width: u32,
    height: u32,
    palette: Option<(&[u8], &[u8])>,
) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_color(colour);
        enc.set_depth(depth);
        if let Some((pal, trns)) = palette {
            enc.set_palette(pal.to_vec());
            if !trns.is_empty() {
                enc.set_trns(trns.to_vec());
            }
        }
        let mut w = enc.write_header().unwrap();
        w.write_image_data(pixels).unwrap();
    }
    out
}

/// A 120x40 RGBA "signature": a dark blue stroke on a transparent background.
fn signature_png() -> Vec<u8> {
    let (w, h) = (120u32, 40u32);
    let mut px = Vec::new();
    for y in 0..h {
        for x in 0..w {
            let on = (y as i32 - 20 - ((x as f64 / 8.0).sin() * 12.0) as i32).abs() < 3;
            px.extend_from_slice(&[20, 30, 140, if on { 255 } else { 0 }]);
        }
    }
    png_bytes(png::ColorType::Rgba, png::BitDepth::Eight, &px, w, h, None)
}

fn stamp(placement: SignaturePlacement, image: Option<Vec<u8>>) -> SignatureStamp {
    SignatureStamp {
        lines: vec![
            "Signé électroniquement par MOI MEME".into(),
            "le 08/03/2019 à 16:55".into(),
        ],
        placement,
        image_png: image,
    }
}

// ---------------------------------------------------------------------------------------
// Watermark

fn assert_watermarked(
    dir: &Dir,
    name: &str,
    original: &[u8],
    stamped: &[u8],
    pages: u32,
    text: &str,
) {
    assert_qpdf_clean(dir, name, stamped);
    assert_eq!(page_count(stamped).unwrap(), pages);
    for page in 1..=pages {
        let extracted = pdftotext_page(dir, name, stamped, page);
        assert!(
            extracted.contains(text),
            "{name} page {page}: {extracted:?}"
        );
        // Where the ink went, as displayed: render before and after and compare.
        let (w, h, before) = render(dir, "original.pdf", original, page);
        let (w2, h2, after) = render(dir, name, stamped, page);
        assert_eq!((w, h), (w2, h2), "{name} p{page}: page size changed");
        let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
        // Changed pixels per quadrant: top-left, top-right, bottom-left, bottom-right.
        let mut quadrants = [0usize; 4];
        let mut darkest = 255u8;
        for y in 0..h {
            for x in 0..w {
                let (a, b) = (before[y * w + x], after[y * w + x]);
                if a > 245 && a.abs_diff(b) > 12 {
                    x0 = x0.min(x);
                    x1 = x1.max(x);
                    y0 = y0.min(y);
                    y1 = y1.max(y);
                    quadrants[usize::from(y >= h / 2) * 2 + usize::from(x >= w / 2)] += 1;
                    darkest = darkest.min(b);
                }
            }
        }
        assert!(x1 > x0 && y1 > y0, "{name} p{page}: nothing drawn");
        let (cx, cy) = ((x0 + x1) as f64 / 2.0, (y0 + y1) as f64 / 2.0);
        let (wf, hf) = (w as f64, h as f64);
        assert!(
            (cx - wf / 2.0).abs() < wf * 0.05 && (cy - hf / 2.0).abs() < hf * 0.05,
            "{name} p{page}: centre ({cx},{cy}) of {w}x{h}"
        );
        assert!(
            (x1 - x0) as f64 > wf * 0.6 && (y1 - y0) as f64 > hf * 0.6,
            "{name} p{page}: ink {x0},{y0}-{x1},{y1} of {w}x{h}"
        );
        // Bottom-left to top-right: the top-right and bottom-left quadrants get the ink.
        let rising = quadrants[1] + quadrants[2];
        let falling = quadrants[0] + quadrants[3];
        assert!(
            rising > falling * 3,
            "{name} p{page}: not a rising diagonal {quadrants:?}"
        );
        // Semi-transparent grey: visible but never black.
        assert!(
            darkest > 100 && darkest < 240,
            "{name} p{page}: darkest stamped pixel {darkest}"
        );
    }
}

#[test]
fn watermark_every_page_of_the_page_tree_fixture() {
    require!("qpdf", "pdftotext", "pdftoppm");
    let dir = Dir::new();
    let input = tree_pdf();
    assert_qpdf_clean(&dir, "tree.pdf", &input);
    let copy = input.clone();
    // The watermark is always a full rewrite (issue 12 item 9): no method keeps the
    // original as a prefix, and `Incremental` is refused.
    assert!(watermark_with(&input, MENTION, Method::Incremental).is_err());
    for method in [Method::Rewrite, Method::Auto] {
        let stamped = watermark_with(&input, MENTION, method).unwrap();
        assert_eq!(input, copy);
        assert!(!stamped.starts_with(&input), "{method:?}");
        let name = format!("tree-wm-{method:?}.pdf");
        assert_watermarked(&dir, &name, &input, &stamped, 7, MENTION);
        // The original text is still there on every page.
        for (page, words) in [
            (1, "Page one"),
            (4, "Page four"),
            (5, "Page five"),
            (6, "Page six"),
            (7, "Page seven"),
        ] {
            assert!(pdftotext_page(&dir, &name, &stamped, page).contains(words));
        }
    }
}

#[test]
fn incremental_update_keeps_earlier_revisions() {
    require!("qpdf", "pdftotext");
    let dir = Dir::new();
    let input = tree_pdf();
    // Stamp twice incrementally: three revisions, each a valid file ending at its %%EOF.
    let once = stamp_signature_with(
        &input,
        &stamp(SignaturePlacement::Right, None),
        Method::Incremental,
    )
    .unwrap();
    let signed = stamp_signature_with(
        &once,
        &stamp(SignaturePlacement::Left, Some(signature_png())),
        Method::Incremental,
    )
    .unwrap();
    assert!(signed.starts_with(&once) && once.starts_with(&input));
    assert_qpdf_clean(&dir, "revisions.pdf", &signed);
    assert_eq!(signed.windows(5).filter(|w| w == b"%%EOF").count(), 3);
    let last = pdftotext_page(&dir, "revisions.pdf", &signed, 7);
    assert!(last.contains("16:55"), "{last}");
    // qpdf rewrites it into one revision that is still right.
    let flat = qpdf_transform(&dir, &signed, &[], "flat");
    assert_qpdf_clean(&dir, "flat.pdf", &flat);
    assert!(pdftotext_page(&dir, "flat.pdf", &flat, 7).contains("16:55"));
}

#[test]
fn watermark_with_french_accents_extracts_verbatim() {
    require!("qpdf", "pdftotext", "pdftoppm");
    let dir = Dir::new();
    let text = "RÉSERVÉ À L'ÉQUIPE — NOËL œuvre 5 €";
    let stamped = watermark(&tree_pdf(), text).unwrap();
    assert_watermarked(&dir, "accents.pdf", &tree_pdf(), &stamped, 7, text);
}

#[test]
fn watermark_twice_and_after_signature_stays_clean() {
    require!("qpdf", "pdftotext");
    let dir = Dir::new();
    let signed = stamp_signature(
        &tree_pdf(),
        &stamp(SignaturePlacement::Right, Some(signature_png())),
    )
    .unwrap();
    let twice = watermark(&watermark(&signed, MENTION).unwrap(), "COPIE").unwrap();
    assert_qpdf_clean(&dir, "twice.pdf", &twice);
    let last = pdftotext_page(&dir, "twice.pdf", &twice, 7);
    assert!(
        last.contains(MENTION) && last.contains("COPIE") && last.contains("16:55"),
        "{last}"
    );
}

#[test]
fn watermark_ghostscript_and_qpdf_outputs() {
    require!("qpdf", "pdftotext", "pdftoppm", "gs");
    let dir = Dir::new();
    let gs = ghostscript_pdf(&dir);
    for method in [Method::Auto, Method::Rewrite] {
        let stamped = watermark_with(&gs, MENTION, method).unwrap();
        assert_watermarked(
            &dir,
            &format!("gs-wm-{method:?}.pdf"),
            &gs,
            &stamped,
            3,
            MENTION,
        );
    }

    let objstm = qpdf_transform(&dir, &gs, &["--object-streams=generate"], "objstm");
    assert!(
        objstm.windows(7).any(|w| w == b"/ObjStm"),
        "qpdf made object streams"
    );
    // Object streams need the full rewrite: the incremental path says so, the default
    // falls back to it.
    let refused = stamp_signature_with(
        &objstm,
        &stamp(SignaturePlacement::Right, None),
        Method::Incremental,
    )
    .unwrap_err();
    assert!(
        refused.reason.contains("incremental update not possible"),
        "{refused}"
    );
    assert_watermarked(
        &dir,
        "objstm-wm.pdf",
        &objstm,
        &watermark(&objstm, MENTION).unwrap(),
        3,
        MENTION,
    );

    let rotated = qpdf_transform(&dir, &gs, &["--rotate=+90:1-2"], "rotated");
    assert_watermarked(
        &dir,
        "rotated-wm.pdf",
        &rotated,
        &watermark(&rotated, MENTION).unwrap(),
        3,
        MENTION,
    );

    let tree_objstm = qpdf_transform(
        &dir,
        &tree_pdf(),
        &["--object-streams=generate"],
        "tree-objstm",
    );
    assert_watermarked(
        &dir,
        "tree-objstm-wm.pdf",
        &tree_objstm,
        &watermark(&tree_objstm, MENTION).unwrap(),
        7,
        MENTION,
    );

    let linear = qpdf_transform(&dir, &tree_pdf(), &["--linearize"], "linear");
    assert!(
        stamp_signature_with(
            &linear,
            &stamp(SignaturePlacement::Right, None),
            Method::Incremental
        )
        .is_err(),
        "linearized files are rewritten"
    );
    // qpdf's own rewrite of a classic file keeps a classic xref: both paths work.
    let plain = qpdf_transform(
        &dir,
        &tree_pdf(),
        &["--object-streams=disable", "--rotate=+90:1-2"],
        "qpdf-plain",
    );
    for method in [Method::Auto, Method::Rewrite] {
        let stamped = watermark_with(&plain, MENTION, method).unwrap();
        assert_watermarked(
            &dir,
            &format!("qpdf-plain-{method:?}.pdf"),
            &plain,
            &stamped,
            7,
            MENTION,
        );
    }
    assert_watermarked(
        &dir,
        "linear-wm.pdf",
        &linear,
        &watermark(&linear, MENTION).unwrap(),
        7,
        MENTION,
    );
}

#[test]
fn encrypted_pdfs_are_refused() {
    require!("qpdf");
    let dir = Dir::new();
    for (name, args) in [
        ("aes256", vec!["--encrypt", "user", "owner", "256", "--"]),
        (
            "owner-only",
            vec!["--encrypt", "", "owner", "128", "--use-aes=y", "--"],
        ),
        (
            "rc4",
            vec!["--allow-weak-crypto", "--encrypt", "u", "o", "40", "--"],
        ),
    ] {
        let enc = qpdf_transform(&dir, &tree_pdf(), &args, name);
        let err = watermark(&enc, MENTION).unwrap_err();
        assert!(err.reason.contains("encrypted"), "{name}: {err}");
        assert!(stamp_signature(&enc, &stamp(SignaturePlacement::Left, None)).is_err());
        assert!(page_count(&enc).is_err());
    }
}

// ---------------------------------------------------------------------------------------
// Signature

fn assert_signature_block(
    dir: &Dir,
    name: &str,
    signed: &[u8],
    last: u32,
    placement: SignaturePlacement,
) {
    assert_qpdf_clean(dir, name, signed);
    let (_, words) = bbox_page(dir, name, signed, last);
    let (cx0, cy0, cx1, cy1) = displayed_crop(dir, name, signed, last);
    let middle = (cx0 + cx1) / 2.0;
    let ours: Vec<&Word> = words
        .iter()
        .filter(|wd| {
            [
                "Signé",
                "électroniquement",
                "MOI",
                "MEME",
                "08/03/2019",
                "16:55",
            ]
            .contains(&wd.text.as_str())
        })
        .collect();
    assert_eq!(ours.len(), 6, "{name}: {words:?}");
    for wd in ours {
        let inside = wd.x0 >= cx0 && wd.x1 <= cx1 && wd.y0 >= cy0 && wd.y1 <= cy1;
        assert!(
            inside,
            "{name}: {wd:?} outside the crop box {cx0},{cy0}-{cx1},{cy1}"
        );
        match placement {
            SignaturePlacement::Left => assert!(
                wd.x1 <= middle,
                "{name}: {wd:?} not in the left half ({middle})"
            ),
            SignaturePlacement::Right => assert!(
                wd.x0 >= middle,
                "{name}: {wd:?} not in the right half ({middle})"
            ),
        }
        assert!(
            wd.y0 >= cy1 - (cy1 - cy0) * 0.15,
            "{name}: {wd:?} not near the bottom ({cy0}-{cy1})"
        );
    }
    let text = pdftotext_page(dir, name, signed, last);
    assert!(
        text.contains("Signé électroniquement par MOI MEME"),
        "{text}"
    );
    assert!(text.contains("le 08/03/2019 à 16:55"), "{text}");
    // Earlier pages are untouched.
    if last > 1 {
        let first = pdftotext_page(dir, name, signed, 1);
        assert!(!first.contains("électroniquement"));
    }
}

#[test]
fn signature_lands_bottom_left_or_right_of_the_last_page() {
    require!("qpdf", "pdftotext", "pdfinfo");
    let dir = Dir::new();
    let tree = tree_pdf();
    // The last page of the tree fixture has a CropBox and inline resources; make other
    // last pages by dropping pages with qpdf: rotated by inheritance, offset, negative.
    let mut cases = vec![("tree".to_string(), tree.clone(), 7)];
    let src = dir.write("tree-src.pdf", &tree);
    for (label, range) in [
        ("rot90", "1-2"),
        ("rot180", "1-3"),
        ("rot270-inherited", "1-4"),
        ("offset-crop", "1-5"),
        ("negative", "1-6"),
    ] {
        let out = dir.path(&format!("{label}.pdf"));
        let (code, _, err) = run(
            "qpdf",
            &["--empty", "--pages", p(&src), range, "--", p(&out)],
        );
        assert_eq!(code, 0, "{err}");
        let sub = std::fs::read(out).unwrap();
        let n = page_count(&sub).unwrap();
        cases.push((label.to_string(), sub, n));
    }
    for (label, pdf, last) in &cases {
        for placement in [SignaturePlacement::Left, SignaturePlacement::Right] {
            for method in [Method::Auto, Method::Rewrite] {
                let with_image =
                    stamp_signature_with(pdf, &stamp(placement, Some(signature_png())), method)
                        .unwrap();
                assert_signature_block(
                    &dir,
                    &format!("{label}-{placement:?}-{method:?}-img.pdf"),
                    &with_image,
                    *last,
                    placement,
                );
                let text_only = stamp_signature_with(pdf, &stamp(placement, None), method).unwrap();
                assert_signature_block(
                    &dir,
                    &format!("{label}-{placement:?}-{method:?}.pdf"),
                    &text_only,
                    *last,
                    placement,
                );
            }
        }
    }
}

#[test]
fn signature_on_ghostscript_output() {
    require!("qpdf", "pdftotext", "pdfinfo", "gs");
    let dir = Dir::new();
    let gs = ghostscript_pdf(&dir);
    for placement in [SignaturePlacement::Left, SignaturePlacement::Right] {
        let signed = stamp_signature(&gs, &stamp(placement, Some(signature_png()))).unwrap();
        assert_signature_block(
            &dir,
            &format!("gs-{placement:?}.pdf"),
            &signed,
            3,
            placement,
        );
        let objstm = qpdf_transform(
            &dir,
            &gs,
            &["--object-streams=generate", "--rotate=+90:3"],
            "gs-objstm",
        );
        let signed = stamp_signature(&objstm, &stamp(placement, None)).unwrap();
        assert_signature_block(
            &dir,
            &format!("gs-objstm-{placement:?}.pdf"),
            &signed,
            3,
            placement,
        );
    }
}

#[test]
fn signature_images_of_every_png_kind_are_embedded() {
    require!("qpdf", "pdfimages");
    let dir = Dir::new();
    let (w, h) = (6u32, 4u32);
    let n = (w * h) as usize;
    let grey: Vec<u8> = (0..n as u8).map(|i| i * 10).collect();
    let grey_alpha: Vec<u8> = (0..n as u8)
        .flat_map(|i| [i * 10, if i % 2 == 0 { 0 } else { 255 }])
        .collect();
    let rgb: Vec<u8> = (0..n as u8).flat_map(|i| [i, 255 - i, 128]).collect();
    let rgba: Vec<u8> = (0..n as u8)
        .flat_map(|i| [i, 255 - i, 128, i * 10])
        .collect();
    let rgba16: Vec<u8> = (0..n as u8)
        .flat_map(|i| [i, 0, 255 - i, 0, 128, 0, i * 10, 0])
        .collect();
    let indexed: Vec<u8> = (0..n as u8).map(|i| i % 3).collect();
    let bits: Vec<u8> = vec![0b1010_0000; h as usize];
    let palette: &[u8] = &[0, 0, 0, 255, 0, 0, 0, 0, 255];
    let cases: Vec<(&str, Vec<u8>, bool)> = vec![
        (
            "grey",
            png_bytes(
                png::ColorType::Grayscale,
                png::BitDepth::Eight,
                &grey,
                w,
                h,
                None,
            ),
            false,
        ),
        (
            "grey1",
            png_bytes(
                png::ColorType::Grayscale,
                png::BitDepth::One,
                &bits,
                w,
                h,
                None,
            ),
            false,
        ),
        (
            "grey-alpha",
            png_bytes(
                png::ColorType::GrayscaleAlpha,
                png::BitDepth::Eight,
                &grey_alpha,
                w,
                h,
                None,
            ),
            true,
        ),
        (
            "rgb",
            png_bytes(png::ColorType::Rgb, png::BitDepth::Eight, &rgb, w, h, None),
            false,
        ),
        (
            "rgba",
            png_bytes(
                png::ColorType::Rgba,
                png::BitDepth::Eight,
                &rgba,
                w,
                h,
                None,
            ),
            true,
        ),
        (
            "rgba16",
            png_bytes(
                png::ColorType::Rgba,
                png::BitDepth::Sixteen,
                &rgba16,
                w,
                h,
                None,
            ),
            true,
        ),
        (
            "palette",
            png_bytes(
                png::ColorType::Indexed,
                png::BitDepth::Eight,
                &indexed,
                w,
                h,
                Some((palette, &[])),
            ),
            false,
        ),
        (
            "palette-trns",
            png_bytes(
                png::ColorType::Indexed,
                png::BitDepth::Eight,
                &indexed,
                w,
                h,
                Some((palette, &[0])),
            ),
            true,
        ),
    ];
    for (label, png, masked) in cases {
        let signed =
            stamp_signature(&tree_pdf(), &stamp(SignaturePlacement::Right, Some(png))).unwrap();
        let name = format!("img-{label}.pdf");
        assert_qpdf_clean(&dir, &name, &signed);
        let (code, out, err) = run("pdfimages", &["-list", p(&dir.write(&name, &signed))]);
        assert_eq!(code, 0, "{err}");
        let rows: Vec<&str> = out.lines().skip(2).collect();
        assert_eq!(rows.len(), if masked { 2 } else { 1 }, "{label}: {out}");
        assert!(
            rows[0].contains(&format!("{w:>5} {h:>5}"))
                || rows[0].split_whitespace().nth(3) == Some("6"),
            "{label}: {out}"
        );
        assert_eq!(
            rows.iter().any(|r| r.contains("smask")),
            masked,
            "{label}: {out}"
        );
    }
    // Not a PNG / absurd sizes are typed errors.
    let bad = stamp_signature(
        &tree_pdf(),
        &stamp(SignaturePlacement::Left, Some(tree_pdf())),
    )
    .unwrap_err();
    assert!(bad.reason.contains("PNG"), "{bad}");
}

// ---------------------------------------------------------------------------------------
// Malformed input

fn all_fail(input: &[u8]) -> Vec<PdfError> {
    let mut errors = Vec::new();
    let results = [
        watermark(input, MENTION).map(|_| ()),
        stamp_signature(input, &stamp(SignaturePlacement::Right, None)).map(|_| ()),
        page_count(input).map(|_| ()),
    ];
    for r in results {
        errors.push(r.expect_err("malformed input must be refused"));
    }
    errors
}

#[test]
fn malformed_input_is_a_typed_error() {
    let valid = tree_pdf();
    for errors in [
        all_fail(b""),
        all_fail(b"%PDF-"),
        all_fail(&signature_png()),
        all_fail(b"%PDF-1.7\n%%EOF\n"),
    ] {
        for e in errors {
            assert!(!e.reason.is_empty());
            let portail_error: portail::Error = e.into();
            assert_eq!(portail_error.code(), "pdf");
        }
    }
    // Truncations: a PDF cut short must never panic; once the xref and trailer are gone
    // lopdf may rebuild the file, so only "no panic" plus "either a PdfError or a valid PDF"
    // is required in the middle, and the head of the file alone must fail.
    for cut in [10, 100, 300, valid.len() / 3, valid.len() / 2] {
        assert!(
            page_count(&valid[..cut]).is_err() || watermark(&valid[..cut], MENTION).is_ok(),
            "cut {cut}"
        );
    }
    for cut in (0..valid.len()).step_by(97) {
        let _ = watermark(&valid[..cut], MENTION);
        let _ = stamp_signature(&valid[..cut], &stamp(SignaturePlacement::Left, None));
    }
    // Random bytes, with and without a header.
    let mut seed = 0x2545F4914F6CDD1Du64;
    for round in 0..50 {
        let mut bytes = if round % 2 == 0 {
            b"%PDF-1.4\n".to_vec()
        } else {
            Vec::new()
        };
        for _ in 0..(round * 37 + 10) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            bytes.push(seed as u8);
        }
        assert!(page_count(&bytes).is_err());
        assert!(watermark(&bytes, MENTION).is_err());
    }
    // A PDF with an empty page tree, and one without a page tree.
    let empty_tree = raw_pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [] /Count 0 >>".to_vec(),
    ]);
    assert!(all_fail(&empty_tree)[0].reason.contains("no pages"));
    let no_tree = raw_pdf(&[b"<< /Type /Catalog >>".to_vec()]);
    assert!(all_fail(&no_tree)[0].reason.contains("page tree"));
}

mod mutations {
    use super::*;
    use proptest::prelude::*;

    fn base() -> &'static [u8] {
        static BASE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
        BASE.get_or_init(tree_pdf)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

        /// Random byte edits, deletions and insertions in a valid PDF: a result or a
        /// PdfError, never a panic.
        #[test]
        fn mutated_pdfs_never_panic(edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..12)) {
            let mut bytes = base().to_vec();
            for (at, byte, kind) in edits {
                if bytes.is_empty() { break; }
                let i = at.index(bytes.len());
                match kind {
                    0 => bytes[i] = byte,
                    1 => { bytes.remove(i); }
                    _ => bytes.insert(i, byte),
                }
            }
            let _ = watermark(&bytes, MENTION);
            let _ = stamp_signature(&bytes, &stamp(SignaturePlacement::Right, None));
            let _ = page_count(&bytes);
        }
    }
}
