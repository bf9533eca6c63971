//! Crash safety of the embedded default: a payroll run of 50,000 payslips is killed with
//! SIGKILL at a random moment; the data folder must be consistent, and running the publish
//! again must finish it without duplicates.
//!
//! The test re-executes its own binary (`std::env::current_exe()`) with `PORTAIL_CRASH_CHILD`
//! naming the data folder: in that mode it only publishes, printing `progress N` after each
//! committed chunk, and the parent kills it a random few milliseconds after a random chunk.
#![cfg(feature = "sqlite")]

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

use chrono::{TimeZone, Utc};
use portail::{
    blobs::sha256_hex, Audience, Blobs, Document, DocumentKind, EmailRole, FixedClock, FsBlobs,
    MemoryMailer, NotificationDecision, Party, Portal, Publish,
};
use rand::Rng;

const N: usize = 50_000;
const EMPLOYEES: usize = 500;
const CHILD: &str = "PORTAIL_CRASH_CHILD";
const TEST: &str = "a_killed_bulk_publish_leaves_consistent_data_and_resumes";

/// The portal on `dir` as `Portal::open` lays it out (SQLite file, blobs, outbox), with a
/// fixed clock, and blobs written without fsync: fsync protects against a power cut, which a
/// SIGKILL is not (the page cache survives it), and costs ~6 ms per file on this kind of disk.
fn portal(dir: &Path) -> Portal {
    Portal::builder("default")
        .settings(portail::Settings::new("ACME PAIE", "acme.example"))
        .data_dir(dir)
        .unwrap()
        .blobs(Arc::new(
            FsBlobs::open(dir.join("blobs")).unwrap().without_fsync(),
        ))
        .mailer(Arc::new(MemoryMailer::new()))
        .clock(Arc::new(FixedClock::new(
            Utc.with_ymd_and_hms(2026, 3, 31, 18, 0, 0).unwrap(),
        )))
        .build()
        .unwrap()
}

fn payslip(i: usize) -> Vec<u8> {
    format!(
        "%PDF-1.4\n% bulletin {i:06}\nBT (Net a payer {}.00 EUR) Tj ET\n%%EOF\n",
        1500 + i % 900
    )
    .into_bytes()
}

fn external_id(i: usize) -> String {
    format!("BP-2026-03-{i:06}")
}

fn commands() -> Vec<Publish> {
    (0..N)
        .map(|i| {
            Publish::employee(
                format!("E{:04}", i % EMPLOYEES),
                "Bulletins",
                format!("{}.pdf", external_id(i)),
                payslip(i),
            )
            .kind(DocumentKind::Payslip)
            .external_id(external_id(i))
        })
        .collect()
}

/// Upsert the employees (every tenth without an address, so some payslips are Skipped) and
/// publish the run, printing progress.
fn publish(dir: &Path, print: bool) -> portail::PublishReport {
    let portal = portal(dir);
    for e in 0..EMPLOYEES {
        let mut p = Party::employee(format!("E{e:04}"), format!("SALARIE {e}"));
        if e % 10 != 0 {
            p = p.email(EmailRole::Main, format!("s{e}@acme.example"));
        }
        portal.parties().upsert(p).unwrap();
    }
    portal
        .documents()
        .publish_many(commands(), &|p| {
            if print {
                println!("progress {}", p.done);
            }
        })
        .unwrap()
}

fn child_mode() -> Option<PathBuf> {
    std::env::var_os(CHILD).map(PathBuf::from)
}

#[test]
fn a_killed_bulk_publish_leaves_consistent_data_and_resumes() {
    if let Some(dir) = child_mode() {
        publish(&dir, true);
        println!("finished");
        return;
    }
    let started = Instant::now();
    let tmp = scratch();
    let dir = tmp.path().join("data");
    let mut rng = rand::thread_rng();
    // Kill at a random moment of a random chunk after the first: after the chunk before it
    // is reported committed, wait a random part of the time a chunk takes.
    let target_line = rng.gen_range(1..=3);
    let fraction: f64 = rng.gen_range(0.0..1.0);
    eprintln!(
        "crash_safety: killing {fraction:.2} into the chunk after progress line {target_line}"
    );

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([TEST, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, &dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut finished = false;
    let mut lines = 0;
    let mut reported = 0;
    let mut last = Instant::now();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if line == "finished" {
            finished = true;
            break;
        }
        if let Some(n) = line.strip_prefix("progress ") {
            reported = n.parse::<usize>().unwrap();
            lines += 1;
            let chunk_time = last.elapsed();
            last = Instant::now();
            if lines == target_line {
                std::thread::sleep(chunk_time.mul_f64(fraction));
                child.kill().unwrap(); // SIGKILL on Unix
                break;
            }
        }
    }
    let status = child.wait().unwrap();
    eprintln!(
        "crash_safety: child {status} (finished: {finished}) after {:?}",
        started.elapsed()
    );

    // After the crash: every document whole, with its notification decision and its blob.
    let committed = check_consistent(&dir);
    assert!(committed >= reported, "committed chunks survive");
    assert!(committed <= N);

    // Running the same publish again finishes the run without duplicates.
    let report = publish(&dir, false);
    assert_eq!(report.already_published as usize, committed);
    assert_eq!(report.published as usize, N - committed);
    assert!(report.outcomes.iter().all(|o| o.is_ok()));
    assert_eq!(check_consistent(&dir), N);
    let conn = rusqlite::Connection::open(dir.join("portail.sqlite3")).unwrap();
    let ids: HashSet<String> = conn
        .prepare("SELECT external_id FROM documents")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(ids, (0..N).map(external_id).collect::<HashSet<_>>());
    eprintln!("crash_safety: done in {:?}", started.elapsed());
}

/// A scratch folder in memory (/dev/shm) when there is one: a SIGKILL leaves the page cache
/// as it was whatever the file system, and 50,000 blob files are created and deleted there
/// in a fraction of the time a busy disk takes.
fn scratch() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        if let Ok(t) = tempfile::Builder::new()
            .prefix("portail-crash-")
            .tempdir_in(shm)
        {
            return t;
        }
    }
    tempfile::tempdir().unwrap()
}

/// Check the folder and return how many documents it holds.
fn check_consistent(dir: &Path) -> usize {
    let conn = rusqlite::Connection::open(dir.join("portail.sqlite3")).unwrap();
    let (count, distinct): (i64, i64) = conn
        .query_row(
            "SELECT count(*), count(DISTINCT external_id) FROM documents",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(count, distinct, "no external id twice");
    let docs: Vec<Document> = conn
        .prepare("SELECT body FROM documents")
        .unwrap()
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|b| serde_json::from_str(&b.unwrap()).unwrap())
        .collect();
    let notifications: HashSet<(String, String)> = conn
        .prepare("SELECT id, document_id FROM notifications")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let mut queued = 0;
    let blobs = FsBlobs::open(dir.join("blobs")).unwrap();
    for d in &docs {
        match &d.notification {
            NotificationDecision::Queued { notification_id } => {
                queued += 1;
                assert!(
                    notifications.contains(&(notification_id.clone(), d.id.clone())),
                    "document {} has its notification",
                    d.id
                );
            }
            NotificationDecision::Skipped { .. } => {}
        }
        assert_eq!(blobs.get(&d.sha256).unwrap().len() as u64, d.size);
    }
    assert_eq!(
        queued,
        notifications.len(),
        "no notification without its document"
    );
    // No file under a real name holds anything but the content its name promises.
    for shard in std::fs::read_dir(dir.join("blobs")).unwrap() {
        let shard = shard.unwrap();
        for f in std::fs::read_dir(shard.path()).unwrap() {
            let f = f.unwrap();
            let name = f.file_name().to_string_lossy().into_owned();
            if name.starts_with(".tmp-") {
                continue; // an interrupted write, never under a real name
            }
            let key = format!("{}{name}", shard.file_name().to_string_lossy());
            let bytes = std::fs::read(f.path()).unwrap();
            assert_eq!(sha256_hex(&bytes), key, "blob {key} is whole");
        }
    }
    docs.len()
}

#[test]
fn portal_open_reopens_the_same_folder() {
    if child_mode().is_some() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("portail-data");
    {
        let portal = Portal::open(&dir).unwrap();
        assert_eq!(portal.tenant(), "default");
        portal
            .update_settings(|s| s.company_name = "MA SOCIETE".into())
            .unwrap();
        portal
            .parties()
            .upsert(Party::client("4", "MOI MEME").email(EmailRole::Main, "m@client.example"))
            .unwrap();
        let d = portal
            .documents()
            .publish(Publish::client(
                "4",
                "Contrats",
                "C.pdf",
                b"%PDF-1.4 c".to_vec(),
            ))
            .unwrap();
        assert!(matches!(
            d.notification,
            NotificationDecision::Queued { .. }
        ));
        assert_eq!(portal.sync().unwrap().dispatch.sent, 1);
    }
    for f in ["portail.sqlite3", "blobs", "outbox"] {
        assert!(dir.join(f).exists(), "{f} in the data folder");
    }
    let eml: Vec<_> = std::fs::read_dir(dir.join("outbox"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
        .collect();
    assert_eq!(eml.len(), 1, "the notification went to the outbox");
    let again = Portal::open(&dir).unwrap();
    assert_eq!(again.settings().unwrap().company_name, "MA SOCIETE");
    assert_eq!(again.folders().list(Audience::Client).unwrap().len(), 5);
    let docs = again
        .documents()
        .list(Audience::Client, "4", portail::PageRequest::first())
        .unwrap();
    assert_eq!(docs.total, 1);
    assert_eq!(
        again.documents().content(&docs.items[0].id).unwrap(),
        b"%PDF-1.4 c"
    );
    assert_eq!(
        again.dispatch(10).unwrap().attempted,
        0,
        "nothing sent twice"
    );
}

#[test]
fn two_publishers_of_one_run_publish_each_payslip_once() {
    if child_mode().is_some() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let portal = Arc::new(portal(&dir));
    for e in 0..EMPLOYEES {
        portal
            .parties()
            .upsert(
                Party::employee(format!("E{e:04}"), "S")
                    .email(EmailRole::Main, format!("s{e}@acme.example")),
            )
            .unwrap();
    }
    let n = 3_000;
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let portal = portal.clone();
            std::thread::spawn(move || {
                portal
                    .documents()
                    .publish_many(commands().into_iter().take(n).collect(), &|_| {})
                    .unwrap()
            })
        })
        .collect();
    let reports: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let published: u64 = reports.iter().map(|r| r.published).sum();
    let already: u64 = reports.iter().map(|r| r.already_published).sum();
    assert_eq!((published, already), (n as u64, n as u64));
    // Both reports name the same document for each payslip.
    for i in 0..n {
        let a = reports[0].outcomes[i].as_ref().unwrap();
        let b = reports[1].outcomes[i].as_ref().unwrap();
        assert_eq!(a.id, b.id);
        assert_eq!(a.external_id.as_deref(), Some(external_id(i).as_str()));
    }
    let conn = rusqlite::Connection::open(dir.join("portail.sqlite3")).unwrap();
    let (docs, notes): (i64, i64) = conn
        .query_row(
            "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM notifications)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((docs, notes), (n as i64, n as i64));
    // Publishing one payslip again returns the first document.
    let again = portal
        .documents()
        .publish(commands().swap_remove(7))
        .unwrap();
    assert_eq!(again.id, reports[0].outcomes[7].as_ref().unwrap().id);
}
