//! The Rust reference of the binding overhead benchmark (issue 13, item 6). The same program
//! exists in Python, Node and Kotlin (`examples/{python,node,kotlin}/`); `scripts/bench-bindings`
//! builds all four in release mode, runs them in one go and prints the ratios to this one.
//!
//! ```text
//! cargo run --release -p portail --example bench_binding     # alone; BENCH_ROUNDS, BENCH_CALLS
//! ```
//!
//! The work, identical in every language: an in-memory portal (memory store, blobs and mailer,
//! fast-for-tests hashing) with one tenant and 1,000 employees (a mid-sized payroll, the
//! population of `bench_store`), then
//! 1. `publish_many` of 50,000 payslips (about 300 bytes each, with external ids: 50 months of
//!    payslips of 1,000 employees) in one call, on a fresh portal each round; the timing covers
//!    what a host pays: building the input list in its language, the call and the report
//!    converted back (50,000 documents);
//! 2. the first page (20) of one employee's documents through `documents().list`, for each of
//!    `BENCH_CALLS` calls (after 200 warm-up calls), cycling through the employees; median and
//!    p99 per call.
//!
//! Lines starting `RESULT` are read by `scripts/bench-bindings`.

use std::error::Error as StdError;
use std::time::{Duration, Instant};

use portail::{
    Audience, DocumentKind, EmailRole, PageRequest, Party, Portal, Publish, SecurityPolicy,
    Settings,
};

type Res<T> = std::result::Result<T, Box<dyn StdError>>;

const DOCS: usize = 50_000;
const EMPLOYEES: usize = 1_000;
const PAGE: u32 = 20;
const WARMUP: usize = 200;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn code(e: usize) -> String {
    format!("E{e:05}")
}

/// A payslip-like PDF of about 300 bytes, different for each `i`.
fn payslip(i: usize) -> Vec<u8> {
    format!(
        "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% bulletin de paie {i:08}\n\
         BT /F1 10 Tf (Salaire de base 2 150,00 EUR - matricule {:05}) Tj ET\n\
         BT /F1 10 Tf (Cotisations salariales 468,70 EUR - net a payer 1 681,30 EUR) Tj ET\n\
         BT /F1 10 Tf (Periode du 01/03/2026 au 31/03/2026 - ACME PAIE) Tj ET\n%%EOF\n",
        i % EMPLOYEES
    )
    .into_bytes()
}

/// A fresh in-memory portal with the employees (not timed).
fn portal() -> Res<Portal> {
    let portal = Portal::builder("bench")
        .settings(Settings::new("ACME PAIE", "acme.example"))
        .security(SecurityPolicy::fast_for_tests())
        .build()?;
    for e in 0..EMPLOYEES {
        portal.parties().upsert(
            Party::employee(code(e), format!("SALARIE {e}"))
                .email(EmailRole::Main, format!("salarie{e}@acme.example")),
        )?;
    }
    Ok(portal)
}

fn median(v: &mut [Duration]) -> Duration {
    percentile(v, 0.5)
}

fn percentile(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i.min(v.len() - 1)]
}

fn main() -> Res<()> {
    let rounds = env_usize("BENCH_ROUNDS", 5).max(1);
    let calls = env_usize("BENCH_CALLS", 2_000).max(1);
    println!(
        "bench_binding rust: {EMPLOYEES} employees, publish_many of {DOCS} payslips \
         ({} bytes each) x {rounds} rounds; listing first page of {PAGE} x {calls} calls",
        payslip(0).len()
    );

    // 1. publish_many, a fresh portal per round.
    // Per round: the whole (build + call), building the input, the call up to its last progress
    // report (input conversion + the core's work) and after it (the report converted back).
    let (mut total, mut build, mut core, mut back) = (vec![], vec![], vec![], vec![]);
    let mut last = None;
    for _ in 0..rounds {
        let portal = portal()?;
        let t = Instant::now();
        let commands: Vec<Publish> = (0..DOCS)
            .map(|i| {
                Publish::employee(
                    code(i % EMPLOYEES),
                    "Bulletins",
                    format!("BP-2026-03-{i:06}.pdf"),
                    payslip(i),
                )
                .kind(DocumentKind::Payslip)
                .external_id(format!("BP-2026-03-{i:06}"))
            })
            .collect();
        let built = t.elapsed();
        let last_progress = std::cell::Cell::new(Duration::ZERO);
        let report = portal
            .documents()
            .publish_many(commands, &|_| last_progress.set(t.elapsed()))?;
        let took = t.elapsed();
        assert_eq!(report.published, DOCS as u64, "every payslip published");
        assert_eq!(
            report.notifications_queued, DOCS as u64,
            "every payslip notified"
        );
        assert_eq!(report.outcomes.len(), DOCS);
        drop(report);
        total.push(took);
        build.push(built);
        core.push(last_progress.get() - built);
        back.push(took - last_progress.get());
        last = Some(portal);
    }
    let (t, b) = (median(&mut total), median(&mut build));
    let (c, k) = (median(&mut core), median(&mut back));
    println!(
        "publish_many: median {:.3} s (min {:.3}, max {:.3}); build input {:.3} s, \
         call to last progress {:.3} s, after it {:.3} s",
        t.as_secs_f64(),
        total[0].as_secs_f64(),
        total[total.len() - 1].as_secs_f64(),
        b.as_secs_f64(),
        c.as_secs_f64(),
        k.as_secs_f64()
    );
    println!(
        "RESULT publish_many {:.6} {:.6} {:.6} {:.6}",
        t.as_secs_f64(),
        b.as_secs_f64(),
        c.as_secs_f64(),
        k.as_secs_f64()
    );

    // 2. The listing, on the last round's portal.
    let portal = last.ok_or("no round")?;
    let documents = portal.documents();
    let page = PageRequest {
        offset: 0,
        limit: Some(PAGE),
    };
    let mut times = Vec::with_capacity(calls);
    for q in 0..WARMUP + calls {
        let party = code(q % EMPLOYEES);
        let t = Instant::now();
        let listed = documents.list(Audience::Employee, &party, page)?;
        let took = t.elapsed();
        assert_eq!(listed.items.len(), PAGE as usize);
        assert_eq!(listed.total, (DOCS / EMPLOYEES) as u64);
        if q >= WARMUP {
            times.push(took);
        }
    }
    let (p50, p99) = (median(&mut times), percentile(&mut times, 0.99));
    println!(
        "listing: median {:.1} us, p99 {:.1} us",
        p50.as_secs_f64() * 1e6,
        p99.as_secs_f64() * 1e6
    );
    println!(
        "RESULT listing {:.3} {:.3}",
        p50.as_secs_f64() * 1e6,
        p99.as_secs_f64() * 1e6
    );
    Ok(())
}
