//! The store benchmark: bulk publish through the Portal into SQLite against the raw-insert
//! floor, and one party's listing among a million documents against the raw indexed query.
//!
//! ```text
//! cargo run --release -p portail --example bench_store
//! ```
//!
//! Figures and their reading: docs/bench-store.md.

use std::error::Error as StdError;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use portail::store::DocumentQuery;
use portail::{
    Audience, Blobs, Document, DocumentKind, EmailRole, FixedClock, FsBlobs, MemoryBlobs,
    MemoryMailer, NotificationDecision, Party, PaymentStatus, Portal, Publish, Settings,
    SkipReason, SqliteStore, Store,
};
use rand::{Rng, SeedableRng};
use rusqlite::types::Value;
use rusqlite::Connection;

type Res<T> = std::result::Result<T, Box<dyn StdError>>;

const DOCS: usize = 50_000;
const EMPLOYEES: usize = 1_000;
const BIG: usize = 1_000_000;
const BIG_PARTIES: usize = 2_000;
const QUERIES: usize = 1_000;

fn main() -> Res<()> {
    let keep = std::env::var_os("BENCH_DIR");
    let tmp = tempfile::tempdir()?;
    let dir = keep.as_deref().map(Path::new).unwrap_or(tmp.path());
    std::fs::create_dir_all(dir)?;
    println!(
        "bench_store: {DOCS} payslips with notifications; data in {}",
        dir.display()
    );

    // BENCH_PARTS=publish,fs,fsync,listing (default: all) runs some parts only.
    let parts = std::env::var("BENCH_PARTS").unwrap_or_else(|_| "publish,fs,fsync,listing".into());
    let on = |p: &str| parts.split(',').any(|x| x == p);

    // 1. Portal + SQLite + memory blobs, against raw inserts of the same rows.
    if on("publish") {
        let (t_portal, db) = publish_run(dir, "portal-mem", None)?;
        let t_floor = floor(&db, &dir.join("floor-mem.sqlite3"), None)?;
        report("publish_many, MemoryBlobs", t_portal, t_floor);
    }

    // 2. The same with FsBlobs (no fsync: see below) against the same files plus the rows.
    if on("fs") {
        let blobs = FsBlobs::open(dir.join("blobs-portal"))?.without_fsync();
        let (t_portal_fs, db_fs) = publish_run(dir, "portal-fs", Some(Arc::new(blobs)))?;
        let t_floor_fs = floor(
            &db_fs,
            &dir.join("floor-fs.sqlite3"),
            Some(&dir.join("blobs-floor")),
        )?;
        report("publish_many, FsBlobs (no fsync)", t_portal_fs, t_floor_fs);
    }

    // 2b. What fsync costs per document on this disk (FsBlobs as shipped), on a small run.
    if on("fsync") {
        let sample = 300;
        let durable = FsBlobs::open(dir.join("blobs-durable"))?;
        let t = Instant::now();
        for i in 0..sample {
            durable.put(&payslip(i + 10_000_000))?;
        }
        let per = t.elapsed() / sample as u32;
        println!(
            "FsBlobs put with fsync (file + folder): {:.2} ms per blob ({sample} blobs); \
         50k would add {:.0} s",
            per.as_secs_f64() * 1e3,
            per.as_secs_f64() * DOCS as f64
        );
        // What publish_many does: one batch per chunk, one file-system sync per batch.
        let contents: Vec<Vec<u8>> = (0..DOCS).map(|i| payslip(i + 20_000_000)).collect();
        let refs: Vec<&[u8]> = contents.iter().map(Vec::as_slice).collect();
        let batched = FsBlobs::open(dir.join("blobs-durable-batch"))?;
        settle();
        let t = Instant::now();
        for chunk in refs.chunks(10_000) {
            batched.put_many(chunk)?;
        }
        let took = t.elapsed();
        println!(
            "FsBlobs put_many with fsync, one syncfs per 10,000 (as publish_many): {:.2} s for {DOCS} blobs \
         ({:.3} ms per blob, {:.0}x faster than one fsync each)",
            took.as_secs_f64(),
            took.as_secs_f64() * 1e3 / DOCS as f64,
            (per.as_secs_f64() * DOCS as f64) / took.as_secs_f64()
        );
    }

    // 3. One party's visible documents among a million.
    if on("listing") {
        listing(dir)?;
    }
    Ok(())
}

/// Flush pending writes of earlier phases so each timed phase starts on a quiet disk.
fn settle() {
    let _ = std::process::Command::new("sync").status();
}

/// CPU seconds of this process (user + system), from /proc when there is one.
fn cpu() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let f: Vec<&str> = s.rsplit_once(')')?.1.split_whitespace().collect();
            Some((f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?) / 100.0)
        })
        .unwrap_or(0.0)
}

fn report(what: &str, portal: Duration, floor: Duration) {
    println!(
        "{what}: portal {:.3} s, floor {:.3} s, ratio {:.2} (target <= 1.5)",
        portal.as_secs_f64(),
        floor.as_secs_f64(),
        portal.as_secs_f64() / floor.as_secs_f64()
    );
}

/// A small PDF-like payslip, different for each `i`.
fn payslip(i: usize) -> Vec<u8> {
    format!(
        "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% bulletin de paie {i:08}\n\
         BT /F1 10 Tf (Salaire de base 2 150,00 EUR - matricule {:05}) Tj ET\n%%EOF\n",
        i % EMPLOYEES
    )
    .into_bytes()
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 31, 18, 0, 0)
        .single()
        .unwrap_or_default()
}

/// Publish DOCS payslips through a Portal on a new SQLite file; returns the time of
/// `publish_many` alone and the file.
fn publish_run(
    dir: &Path,
    name: &str,
    blobs: Option<Arc<dyn Blobs>>,
) -> Res<(Duration, std::path::PathBuf)> {
    let path = dir.join(format!("{name}.sqlite3"));
    let store = Arc::new(SqliteStore::open(&path)?);
    let portal = Portal::builder("bench")
        .settings(Settings::new("ACME PAIE", "acme.example"))
        .store(store)
        .blobs(blobs.unwrap_or_else(|| Arc::new(MemoryBlobs::new())))
        .mailer(Arc::new(MemoryMailer::new()))
        .clock(Arc::new(FixedClock::new(now())))
        .build()?;
    for e in 0..EMPLOYEES {
        portal.parties().upsert(
            Party::employee(format!("E{e:05}"), format!("SALARIE {e}"))
                .email(EmailRole::Main, format!("salarie{e}@acme.example")),
        )?;
    }
    let commands: Vec<Publish> = (0..DOCS)
        .map(|i| {
            Publish::employee(
                format!("E{:05}", i % EMPLOYEES),
                "Bulletins",
                format!("BP-2026-03-{i:06}.pdf"),
                payslip(i),
            )
            .kind(DocumentKind::Payslip)
            .external_id(format!("BP-2026-03-{i:06}"))
        })
        .collect();
    settle();
    let t = Instant::now();
    let c = cpu();
    let r = portal.documents().publish_many(commands, &|_| {})?;
    let elapsed = t.elapsed();
    println!(
        "  {name}: wall {:.3} s, cpu {:.3} s",
        elapsed.as_secs_f64(),
        cpu() - c
    );
    assert_eq!(r.published, DOCS as u64, "every payslip published");
    assert_eq!(
        r.notifications_queued, DOCS as u64,
        "every payslip notified"
    );
    Ok((elapsed, path))
}

fn rows(conn: &Connection, table: &str) -> Res<Vec<Vec<Value>>> {
    let mut s = conn.prepare(&format!("SELECT * FROM {table}"))?;
    let n = s.column_count();
    let out = s
        .query_map([], |r| (0..n).map(|i| r.get::<_, Value>(i)).collect())?
        .collect::<rusqlite::Result<Vec<Vec<Value>>>>()?;
    Ok(out)
}

/// The floor: the same document and notification rows, inserted raw in one transaction into
/// a file with the same schema (made by SqliteStore::open), plus the same blob files.
fn floor(source: &Path, target: &Path, blob_dir: Option<&Path>) -> Res<Duration> {
    let src = Connection::open(source)?;
    let tenants = rows(&src, "tenants")?;
    let docs = rows(&src, "documents")?;
    let notes = rows(&src, "notifications")?;
    drop(src);
    let contents: Vec<(String, Vec<u8>)> = match blob_dir {
        Some(_) => (0..DOCS)
            .map(|i| {
                let c = payslip(i);
                (portail::blobs::sha256_hex(&c), c)
            })
            .collect(),
        None => vec![],
    };
    drop(SqliteStore::open(target)?);
    let mut conn = Connection::open(target)?;
    // The same connection settings as SqliteStore's writer.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "cache_size", -65_536)?;
    conn.pragma_update(None, "wal_autocheckpoint", 16_384)?;
    for t in &tenants {
        conn.execute(
            "INSERT INTO tenants VALUES (?1)",
            rusqlite::params_from_iter(t),
        )?;
    }
    settle();
    let t = Instant::now();
    let c = cpu();
    if let Some(root) = blob_dir {
        for (key, c) in &contents {
            let d = root.join(&key[..2]);
            std::fs::create_dir_all(&d)?;
            std::fs::write(d.join(&key[2..]), c)?;
        }
    }
    let tx = conn.transaction()?;
    {
        let mut d = tx.prepare(&format!(
            "INSERT INTO documents VALUES ({})",
            marks(docs.first().map_or(0, Vec::len))
        ))?;
        for r in &docs {
            d.execute(rusqlite::params_from_iter(r))?;
        }
        let mut n = tx.prepare(&format!(
            "INSERT INTO notifications VALUES ({})",
            marks(notes.first().map_or(0, Vec::len))
        ))?;
        for r in &notes {
            n.execute(rusqlite::params_from_iter(r))?;
        }
    }
    tx.commit()?;
    println!(
        "  floor: wall {:.3} s, cpu {:.3} s",
        t.elapsed().as_secs_f64(),
        cpu() - c
    );
    Ok(t.elapsed())
}

fn marks(n: usize) -> String {
    (1..=n)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn percentile(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i.min(v.len() - 1)]
}

/// A million client documents over BIG_PARTIES parties, inserted raw; then 1,000 listings of
/// one party's visible documents (shared folders, no invoices, first page of 20) through
/// `Store::documents` beside the same two statements (count + page) run raw.
fn listing(dir: &Path) -> Res<()> {
    let path = dir.join("million.sqlite3");
    drop(SqliteStore::open(&path)?);
    let mut conn = Connection::open(&path)?;
    conn.pragma_update(None, "synchronous", "OFF")?;
    let t = Instant::now();
    let folders = ["f-unshared", "f-shared-1", "f-shared-2", "f-shared-3"];
    let template = Document {
        id: String::new(),
        audience: Audience::Client,
        party_code: String::new(),
        folder_id: String::new(),
        name: String::new(),
        kind: DocumentKind::Other,
        payment: PaymentStatus::Paid,
        sha256: "ab".repeat(32),
        size: 312,
        content_type: "application/pdf".into(),
        external_id: None,
        published_at: now(),
        notification: NotificationDecision::Skipped {
            reason: SkipReason::FolderDoesNotNotify,
        },
        downloads: 0,
        first_download_at: None,
        last_download_at: None,
        signature: None,
        version: 0,
    };
    let tx = conn.transaction()?;
    tx.execute("INSERT INTO tenants VALUES ('bench')", [])?;
    {
        let mut ins = tx.prepare(
            "INSERT INTO documents (tenant, id, audience, party_code, folder_id, kind, payment, \
             external_id, published_at, version, body) \
             VALUES ('bench', ?1, 'client', ?2, ?3, ?4, 'paid', ?5, ?6, 1, ?7)",
        )?;
        for i in 0..BIG {
            let mut d = template.clone();
            d.id = format!(
                "{:032x}",
                (i as u128).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c)
            );
            d.party_code = format!("C{:05}", i % BIG_PARTIES);
            // Vary folder and kind within each party.
            let n = i / BIG_PARTIES;
            d.folder_id = folders[n % folders.len()].to_string();
            d.kind = if n % 5 == 0 {
                DocumentKind::Invoice
            } else {
                DocumentKind::Other
            };
            d.name = format!("DOC-{i:07}.pdf");
            d.external_id = Some(format!("X-{i:07}"));
            d.published_at = now() - chrono::Duration::seconds((BIG - i) as i64);
            let at = d.published_at.timestamp_nanos_opt().unwrap_or_default();
            ins.execute(rusqlite::params![
                d.id,
                d.party_code,
                d.folder_id,
                d.kind.as_str(),
                d.external_id,
                at,
                serde_json::to_string(&d)?
            ])?;
        }
    }
    tx.commit()?;
    conn.execute_batch("ANALYZE")?;
    println!(
        "built {BIG} documents ({} per party) in {:.1} s",
        BIG / BIG_PARTIES,
        t.elapsed().as_secs_f64()
    );
    drop(conn);

    let store = SqliteStore::open(&path)?;
    let raw = Connection::open(&path)?;
    let shared: Vec<String> = folders[1..].iter().map(|s| s.to_string()).collect();
    let count_sql = "SELECT count(*) FROM documents INDEXED BY documents_by_party \
         WHERE tenant = ?1 AND audience = ?2 AND party_code = ?3 \
         AND folder_id IN (?4, ?5, ?6) AND kind <> 'invoice'";
    let page_sql = "SELECT body, version FROM documents INDEXED BY documents_by_party \
         WHERE tenant = ?1 AND audience = ?2 AND party_code = ?3 \
         AND folder_id IN (?4, ?5, ?6) AND kind <> 'invoice' \
         ORDER BY published_at DESC, id DESC LIMIT ?7 OFFSET ?8";
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let mut via_store = Vec::with_capacity(QUERIES);
    let mut via_raw = Vec::with_capacity(QUERIES);
    let mut first_total = 0;
    for q in 0..QUERIES + 100 {
        let party = format!("C{:05}", rng.gen_range(0..BIG_PARTIES));
        let query = DocumentQuery {
            audience: Audience::Client,
            party_code: party.clone(),
            folder_ids: Some(shared.clone()),
            include_invoices: false,
            offset: 0,
            limit: 20,
        };
        let t = Instant::now();
        let page = store.documents("bench", &query)?;
        let d_store = t.elapsed();
        let t = Instant::now();
        let total: i64 = raw.prepare_cached(count_sql)?.query_row(
            rusqlite::params!["bench", "client", party, shared[0], shared[1], shared[2]],
            |r| r.get(0),
        )?;
        let items = raw
            .prepare_cached(page_sql)?
            .query_map(
                rusqlite::params!["bench", "client", party, shared[0], shared[1], shared[2], 20, 0],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)),
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let d_raw = t.elapsed();
        assert_eq!(page.total, total as u64);
        assert_eq!(page.items.len(), items.len());
        first_total = page.total;
        if q >= 100 {
            via_store.push(d_store);
            via_raw.push(d_raw);
        }
    }
    let (s50, s99) = (
        percentile(&mut via_store, 0.5),
        percentile(&mut via_store, 0.99),
    );
    let (r50, r99) = (
        percentile(&mut via_raw, 0.5),
        percentile(&mut via_raw, 0.99),
    );
    println!(
        "listing one party's visible documents (page of 20, ~{first_total} visible of {}) among {BIG}:",
        BIG / BIG_PARTIES
    );
    println!(
        "  Store::documents p50 {:.1} us, p99 {:.1} us; raw query p50 {:.1} us, p99 {:.1} us; \
         p99 ratio {:.2} (target <= 2)",
        s50.as_secs_f64() * 1e6,
        s99.as_secs_f64() * 1e6,
        r50.as_secs_f64() * 1e6,
        r99.as_secs_f64() * 1e6,
        s99.as_secs_f64() / r99.as_secs_f64()
    );
    Ok(())
}
