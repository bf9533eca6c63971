//! PDF stamping benchmark:
//! `cargo run --release -p portail --example bench_pdf [pages=500] [runs=21] [lines=45] [raw]`
//! (`raw`: content streams left uncompressed).
//!
//! Builds a payslip-like PDF of 500 pages (45 lines of text each), then times in the same run, median of
//! N runs:
//! * portail's `watermark` on every page;
//! * the floor: lopdf's bare load + save of the same file, no edit;
//! * `qpdf --overlay watermark.pdf --` with a one-page watermark, as a process (if qpdf is
//!   installed);
//!
//! and prints the ratios. Figures are recorded in docs/bench-pdf.md.

use std::process::Command;
use std::time::{Duration, Instant};

use portail::pdf::{sample_pdf, stamp_signature_with, watermark, Method, SignatureStamp};
use portail::SignaturePlacement;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    // One warm-up run.
    std::hint::black_box(f());
    median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(f());
                start.elapsed()
            })
            .collect(),
    )
}

/// Inflates a zlib stream with flate2 straight into one buffer (the decoding floor's decoder:
/// no limit checks, no fallbacks).
fn inflate(data: &[u8], inflater: &mut flate2::Decompress) -> Option<Vec<u8>> {
    inflater.reset(true);
    let mut out = Vec::with_capacity(data.len() * 5);
    loop {
        let before = inflater.total_in() as usize;
        match inflater.decompress_vec(&data[before..], &mut out, flate2::FlushDecompress::Finish) {
            Ok(flate2::Status::StreamEnd) => return Some(out),
            Ok(_) if out.len() == out.capacity() => out.reserve(out.len()),
            _ => return None,
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A payslip-like PDF: `pages` A4 pages of 45 text lines each (about 2.5 KB of content per
/// page, Flate-compressed as most producers do), one shared font, resources inherited from
/// the page tree.
fn payslips(
    pages: usize,
    lines: usize,
    compress: bool,
) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    use lopdf::{dictionary, Document, Object, Stream};
    let mut doc = Document::with_version("1.4");
    // A classic cross-reference table, as most payroll and ERP report writers produce.
    doc.reference_table.cross_reference_type = lopdf::xref::XrefType::CrossReferenceTable;
    let pages_id = doc.new_object_id();
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
    });
    let resources = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font } });
    let mut kids = Vec::with_capacity(pages);
    for n in 1..=pages {
        let mut content = String::from("BT /F1 9 Tf 11 TL 50 800 Td\n");
        content.push_str(&format!(
            "(BULLETIN DE PAIE - salarie {n:05} - periode 03/2019) Tj T*\n"
        ));
        for line in 0..lines.saturating_sub(1) {
            content.push_str(&format!(
                "(Rubrique {line:02}  base {:>8}.{:02}  taux {:>5}.{:03}  montant {:>8}.{:02}) Tj T*\n",
                1000 + n * 7 + line, line, line % 17, n % 1000, n * 3 + line, line % 100
            ));
        }
        content.push_str("ET\n");
        let mut stream = Stream::new(lopdf::Dictionary::new(), content.into_bytes());
        if compress {
            stream.compress()?;
        }
        let content_id = doc.add_object(stream);
        kids.push(Object::Reference(doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
        })));
    }
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => kids, "Count" => pages as i64, "Resources" => resources,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out)?;
    Ok(out)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let pages: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(500);
    let runs: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(21);
    let lines: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(45);
    let compress = args.next().as_deref() != Some("raw");
    let pdf = payslips(pages, lines, compress)?;
    println!(
        "input: {pages} pages of {lines} lines ({}), {} bytes; median of {runs} runs",
        if compress { "Flate" } else { "uncompressed" },
        pdf.len()
    );

    let full = watermark(&pdf, "POUR CONSULTATION UNIQUEMENT")?;
    println!(
        "output: {} bytes (full rewrite, stamp merged into each page's content)",
        full.len()
    );

    let mention = "POUR CONSULTATION UNIQUEMENT";
    let wm = time(runs, || watermark(&pdf, mention));
    let floor = time(runs, || {
        let mut doc = lopdf::Document::load_mem(&pdf).map_err(|e| e.to_string())?;
        let mut out = Vec::with_capacity(pdf.len());
        doc.save_to(&mut out).map_err(|e| e.to_string())?;
        Ok::<_, String>(out)
    });
    // The floor of any copy that must decode page content (issue 12 item 9: the stamp goes
    // inside each page's one content stream): load, inflate every content stream with flate2
    // into its stream (written plain), save.
    let decode_floor = time(runs, || {
        let mut doc = lopdf::Document::load_mem(&pdf).map_err(|e| e.to_string())?;
        let mut decoded = 0usize;
        let mut inflater = flate2::Decompress::new(true);
        for object in doc.objects.values_mut() {
            let lopdf::Object::Stream(stream) = object else {
                continue;
            };
            if stream.dict.get(b"Type").is_ok() {
                continue;
            }
            if let Some(plain) = inflate(&stream.content, &mut inflater) {
                decoded += plain.len();
                stream.set_plain_content(plain);
            }
        }
        let mut out = Vec::with_capacity(pdf.len() + decoded);
        doc.save_to(&mut out).map_err(|e| e.to_string())?;
        Ok::<_, String>(out)
    });
    let load_only = time(runs, || {
        lopdf::Document::load_mem(&pdf)
            .map(|d| d.objects.len())
            .unwrap_or(0)
    });
    let stamp = SignatureStamp {
        lines: vec![
            "Signé électroniquement par MOI MEME".into(),
            "le 08/03/2019 à 16:55".into(),
        ],
        placement: SignaturePlacement::Right,
        image_png: None,
    };
    let sig_full = time(runs, || stamp_signature_with(&pdf, &stamp, Method::Rewrite));
    let sig_incr = time(runs, || {
        stamp_signature_with(&pdf, &stamp, Method::Incremental)
    });
    let count = time(runs, || portail::pdf::page_count(&pdf));
    let portal_path = unpaid_download(&pdf, runs)?;

    let row = |label: &str, d: Duration| println!("{label:<48} {:>9.2} ms", ms(d));
    row("floor: lopdf load + save, no edit", floor);
    row("floor: lopdf load + inflate content + save", decode_floor);
    row("lopdf load only", load_only);
    row("portail watermark (always a full rewrite)", wm);
    row("portail stamp_signature, full rewrite", sig_full);
    row("portail stamp_signature, incremental", sig_incr);
    row("portail page_count", count);
    row("portal download, unpaid watermark policy", portal_path);
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    println!(
        "{:<48} {:>9.2}x",
        "ratio watermark / floor",
        ratio(wm, floor)
    );
    println!(
        "{:<48} {:>9.2}x (target <= 1.3x)",
        "ratio unpaid download (policy + stamp) / floor",
        ratio(portal_path, floor)
    );

    println!(
        "{:<48} {:>9.2}x",
        "ratio unpaid download / decoding floor",
        ratio(portal_path, decode_floor)
    );

    let qpdf_present = Command::new("qpdf")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if qpdf_present {
        let dir = std::env::temp_dir().join(format!("bench_pdf_{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let input = dir.join("in.pdf");
        let overlay = dir.join("watermark.pdf");
        let output = dir.join("out.pdf");
        std::fs::write(&input, &pdf)?;
        std::fs::write(
            &overlay,
            watermark(&sample_pdf(&[""]), "POUR CONSULTATION UNIQUEMENT")?,
        )?;
        let qpdf_runs = runs.min(7);
        let qpdf = time(qpdf_runs, || {
            Command::new("qpdf")
                .arg(&input)
                .arg("--overlay")
                .arg(&overlay)
                .arg("--repeat=1")
                .arg("--")
                .arg(&output)
                .status()
                .map(|s| s.success())
                .unwrap_or(false)
        });
        println!(
            "{:<48} {:>9.2} ms (median of {qpdf_runs})",
            "qpdf --overlay, one-page watermark (process)",
            ms(qpdf)
        );
        println!(
            "{:<48} {:>9.1}x",
            "ratio qpdf overlay / portail watermark",
            qpdf.as_secs_f64() / wm.as_secs_f64()
        );
        let _ = std::fs::remove_dir_all(&dir);
    } else {
        println!("qpdf not installed: overlay comparison skipped");
    }
    Ok(())
}

/// The unpaid-download path as a portal user meets it: a client with an unpaid invoice opens
/// the PDF under the watermark policy (account check, policy lookup, stamp, download recorded).
fn unpaid_download(pdf: &[u8], runs: usize) -> Result<Duration, Box<dyn std::error::Error>> {
    use portail::*;
    let portal = Portal::builder("bench")
        .settings(Settings::new("MA SOCIETE", "masociete.fr"))
        .security(SecurityPolicy::fast_for_tests())
        .build()?;
    portal.update_settings(|s| s.client.unpaid_policy = UnpaidPolicy::Watermark)?;
    portal.parties().upsert(
        Party::client("4", "MOI MEME")
            .email(EmailRole::Main, "moi@example.fr")
            .consent(EInvoicingConsent::Accepted),
    )?;
    let doc = portal.documents().publish(
        Publish::client("4", "Factures", "FA-500.pdf", pdf.to_vec())
            .kind(DocumentKind::Invoice)
            .payment(PaymentStatus::Unpaid),
    )?;
    portal.accounts().generate(
        Generate::client("4")
            .password("password-1")
            .notify_by_email(false),
    )?;
    portal.sync()?;
    let me = portal.access().login(Audience::Client, "4", "password-1")?;
    let view = portal.view(&me);
    let check = view.open(&doc.id)?;
    assert!(check.watermarked);
    Ok(time(runs, || view.open(&doc.id)))
}
