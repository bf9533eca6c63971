//! PDF stamping benchmark: `cargo run --release -p portail --example bench_pdf [pages] [runs]`.
//!
//! Builds a PDF of 500 pages (one line of text each), then times in the same run, median of
//! N runs:
//! * portail's `watermark` on every page;
//! * the floor: lopdf's bare load + save of the same file, no edit;
//! * `qpdf --overlay watermark.pdf --` with a one-page watermark, as a process (if qpdf is
//!   installed);
//! and prints the ratios. Figures are recorded in docs/bench-pdf.md.

use std::process::Command;
use std::time::{Duration, Instant};

use portail::pdf::{sample_pdf, stamp_signature, watermark, SignatureStamp};
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

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let pages: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(500);
    let runs: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(21);
    let texts: Vec<String> = (1..=pages)
        .map(|i| format!("Bulletin de paie n° {i} — salarié {i:05} — net à payer {},{:02} €", 1500 + i, i % 100))
        .collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let pdf = sample_pdf(&refs);
    println!("input: {pages} pages, {} bytes; median of {runs} runs", pdf.len());

    let stamped = watermark(&pdf, "POUR CONSULTATION UNIQUEMENT")?;
    println!("output: {} bytes", stamped.len());

    let wm = time(runs, || watermark(&pdf, "POUR CONSULTATION UNIQUEMENT"));
    let floor = time(runs, || {
        let mut doc = lopdf::Document::load_mem(&pdf).map_err(|e| e.to_string())?;
        let mut out = Vec::with_capacity(pdf.len());
        doc.save_to(&mut out).map_err(|e| e.to_string())?;
        Ok::<_, String>(out)
    });
    let load_only = time(runs, || lopdf::Document::load_mem(&pdf).map(|d| d.objects.len()).unwrap_or(0));
    let stamp = SignatureStamp {
        lines: vec!["Signé électroniquement par MOI MEME".into(), "le 08/03/2019 à 16:55".into()],
        placement: SignaturePlacement::Right,
        image_png: None,
    };
    let sig = time(runs, || stamp_signature(&pdf, &stamp));
    let count = time(runs, || portail::pdf::page_count(&pdf));

    println!("{:<44} {:>10.2} ms", "portail watermark (every page)", ms(wm));
    println!("{:<44} {:>10.2} ms", "floor: lopdf load + save, no edit", ms(floor));
    println!("{:<44} {:>10.2} ms", "lopdf load only", ms(load_only));
    println!("{:<44} {:>10.2} ms", "portail stamp_signature (last page)", ms(sig));
    println!("{:<44} {:>10.2} ms", "portail page_count", ms(count));
    println!("{:<44} {:>10.2}x (target <= 1.3x)", "ratio watermark / floor", wm.as_secs_f64() / floor.as_secs_f64());

    let qpdf_present = Command::new("qpdf").arg("--version").output().map(|o| o.status.success()).unwrap_or(false);
    if qpdf_present {
        let dir = std::env::temp_dir().join(format!("bench_pdf_{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let input = dir.join("in.pdf");
        let overlay = dir.join("watermark.pdf");
        let output = dir.join("out.pdf");
        std::fs::write(&input, &pdf)?;
        std::fs::write(&overlay, watermark(&sample_pdf(&[""]), "POUR CONSULTATION UNIQUEMENT")?)?;
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
        println!("{:<44} {:>10.2} ms (median of {qpdf_runs})", "qpdf --overlay (process)", ms(qpdf));
        println!("{:<44} {:>10.1}x", "ratio qpdf / portail watermark", qpdf.as_secs_f64() / wm.as_secs_f64());
        let _ = std::fs::remove_dir_all(&dir);
    } else {
        println!("qpdf not installed: overlay comparison skipped");
    }
    Ok(())
}
