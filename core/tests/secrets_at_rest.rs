//! Issue 12 item 2: no password or raw token in the store's files once it is no longer needed.
//!
//! A full story runs on the embedded default (`Portal::open`'s layout: SQLite file, blob folder,
//! `.eml` mailbox), then every byte of every file in the folder — `portail.sqlite3`, its `-wal`
//! and `-shm`, the blobs — is scanned for every password and raw token the story used. The
//! `outbox/` folder of `FileMailer` is left out: it is a mailbox of delivered mail and, like any
//! mailbox, holds what was sent.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use portail::*;

/// Whether the outbox redacts a credentials mail when it is cancelled (another change of
/// issue 12 makes every terminal state redact). Until then the cancelled mail's password is
/// reported but not counted.
const CANCELLED_MAIL_REDACTED: bool = true;

/// Delivers to a `FileMailer` (the default layout's mailbox) and keeps a copy in memory so the
/// test can read what was sent; `fail_next` makes the next sends fail before anything is written.
struct Tee {
    memory: MemoryMailer,
    files: FileMailer,
}

impl Mailer for Tee {
    fn send(&self, message: &OutgoingMessage) -> Result<(), MailError> {
        self.memory.send(message)?;
        self.files.send(message)
    }
}

/// A secret the story used, and why it must be gone.
struct Secret {
    what: String,
    value: String,
}

fn token_in(body: &str) -> String {
    let at = body.find("token=").expect("a token link") + "token=".len();
    body[at..at + 64].to_string()
}

fn password_in(body: &str) -> String {
    body.lines()
        .find_map(|l| l.strip_prefix("Mot de passe : "))
        .expect("a password line")
        .trim()
        .to_string()
}

/// Every file under `dir` except the mailbox folder.
fn store_files(dir: &Path, mailbox: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path == mailbox {
            continue;
        }
        if path.is_dir() {
            store_files(&path, mailbox, out);
        } else {
            out.push(path);
        }
    }
}

/// How many times each secret occurs in the store's files; prints one line per find.
fn scan(dir: &Path, mailbox: &Path, secrets: &[Secret], label: &str) -> Vec<(String, usize)> {
    let mut files = Vec::new();
    store_files(dir, mailbox, &mut files);
    files.sort();
    let mut bytes_scanned = 0usize;
    let mut found = Vec::new();
    for s in secrets {
        let mut n = 0;
        for f in &files {
            let data = std::fs::read(f).unwrap();
            let hits = data
                .windows(s.value.len())
                .filter(|w| *w == s.value.as_bytes())
                .count();
            if hits > 0 {
                eprintln!(
                    "[{label}] {} found {hits}× in {}",
                    s.what,
                    f.strip_prefix(dir).unwrap().display()
                );
            }
            n += hits;
        }
        found.push((s.what.clone(), n));
    }
    for f in &files {
        bytes_scanned += std::fs::metadata(f).map(|m| m.len() as usize).unwrap_or(0);
    }
    let names: Vec<String> = files
        .iter()
        .map(|f| {
            format!(
                "{} ({} B)",
                f.strip_prefix(dir).unwrap().display(),
                std::fs::metadata(f).map(|m| m.len()).unwrap_or(0)
            )
        })
        .filter(|n| !n.starts_with("blobs"))
        .collect();
    eprintln!(
        "[{label}] scanned {} files, {bytes_scanned} bytes: {}",
        files.len(),
        names.join(", ")
    );
    found
}

fn client(code: &str) -> Party {
    Party::client(code, format!("CLIENT {code}"))
        .email(EmailRole::Main, format!("client{code}@example.fr"))
        .email(EmailRole::Billing, format!("compta{code}@example.fr"))
        .consent(EInvoicingConsent::Accepted)
}

#[test]
fn no_password_or_token_left_in_the_store_files_after_a_full_story() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let mailbox = root.join("outbox");
    let tee = Arc::new(Tee {
        memory: MemoryMailer::new(),
        files: FileMailer::open(&mailbox).unwrap(),
    });
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 3, 8, 9, 0, 0).unwrap(),
    ));
    let p = Portal::builder("acme")
        .settings(Settings::new("ACME", "acme.example"))
        .data_dir(&root)
        .unwrap()
        .mailer(tee.clone())
        .clock(clock)
        .security(SecurityPolicy::fast_for_tests())
        .build()
        .unwrap();
    let last_body = || tee.memory.messages().last().unwrap().body.clone();
    let mut secrets: Vec<Secret> = Vec::new();
    let mut keep = |what: &str, value: String| {
        secrets.push(Secret {
            what: what.to_string(),
            value,
        })
    };

    for code in 1..=9 {
        p.parties().upsert(client(&code.to_string())).unwrap();
    }
    p.documents()
        .publish(Publish::client(
            "1",
            "Factures",
            "FA-0001.pdf",
            b"%PDF-1.4\n% an invoice\n%%EOF\n".to_vec(),
        ))
        .unwrap();

    // Drafts: a given password, random ones, superseded ones, one wiped by revoke.
    let a1 = p
        .accounts()
        .generate(Generate::client("1").password("Given-Pw-Client1-x7"))
        .unwrap();
    keep("given draft password (1)", "Given-Pw-Client1-x7".into());
    let a2 = p.accounts().generate(Generate::client("2")).unwrap();
    let a2_password = p.accounts().draft_password(&a2.id).unwrap();
    keep("random draft password (2)", a2_password.clone());
    let a3 = p
        .accounts()
        .generate(Generate::client("3").password("Superseded-Pw-3a"))
        .unwrap();
    keep("superseded draft password (3a)", "Superseded-Pw-3a".into());
    p.accounts()
        .set_password(&a3.id, "Superseded-Pw-3b")
        .unwrap();
    keep("superseded draft password (3b)", "Superseded-Pw-3b".into());
    p.accounts().regenerate_password(&a3.id).unwrap();
    keep(
        "regenerated draft password (3c)",
        p.accounts().draft_password(&a3.id).unwrap(),
    );
    let a4 = p
        .accounts()
        .generate(Generate::client("4").password("Revoked-Draft-Pw-4"))
        .unwrap();
    keep("revoked draft password (4)", "Revoked-Draft-Pw-4".into());
    p.accounts().revoke(&a4.id).unwrap();
    let a5 = p
        .accounts()
        .generate(Generate::client("5").notify_by_email(false))
        .unwrap();
    keep(
        "unmailed draft password (5)",
        p.accounts().draft_password(&a5.id).unwrap(),
    );

    // Sync: drafts activated, credentials mailed and redacted.
    let report = p.sync().unwrap();
    assert_eq!(report.activated, 4);
    assert_eq!(report.credentials_queued, 3);
    assert_eq!(
        report.dispatch.sent, 4,
        "3 credentials mails and the invoice"
    );

    // Re-notify an active account: a fresh password goes out by mail.
    p.accounts().set_notify_by_email(&a1.id, true).unwrap();
    p.sync().unwrap();
    let renotified = password_in(&last_body());
    keep("re-notified password (1)", renotified.clone());

    // "Régénérer les accès": the old account revoked, a new draft mailed at sync.
    let a3b = p.accounts().regenerate(&a3.id, true).unwrap();
    keep(
        "regenerated access password (3)",
        p.accounts().draft_password(&a3b.id).unwrap(),
    );
    p.sync().unwrap();

    // Forgotten password: one link used, one left live.
    p.access()
        .request_password_reset(Audience::Client, "1")
        .unwrap();
    p.sync().unwrap();
    let used = token_in(&last_body());
    keep("used reset token (1)", used.clone());
    p.access()
        .reset_password(Audience::Client, &used, "Reset-New-Pw-1")
        .unwrap();
    keep("password set by reset (1)", "Reset-New-Pw-1".into());
    p.access()
        .request_password_reset(Audience::Client, "5")
        .unwrap();
    p.sync().unwrap();
    keep("live reset token (5)", token_in(&last_body()));

    // Invitations: one accepted, one left live.
    let invited = p
        .accounts()
        .invite(Invite::new(Audience::Client, "6"))
        .unwrap();
    p.sync().unwrap();
    let invitation = token_in(&last_body());
    keep("used invitation token (6)", invitation.clone());
    p.access()
        .accept_invitation(Audience::Client, &invitation, "Invited-Own-Pw-6")
        .unwrap();
    keep(
        "password chosen on invitation (6)",
        "Invited-Own-Pw-6".into(),
    );
    assert_eq!(
        p.accounts().get(&invited.id).unwrap().status,
        AccountStatus::Active
    );
    p.accounts()
        .invite(Invite::new(Audience::Client, "7"))
        .unwrap();
    p.sync().unwrap();
    keep("live invitation token (7)", token_in(&last_body()));

    // Change of password by the user.
    let me = p
        .access()
        .login(Audience::Client, "2", &a2_password)
        .unwrap();
    p.access()
        .change_password(&me, &a2_password, "Changed-Pw-Client2")
        .unwrap();
    keep("password chosen on change (2)", "Changed-Pw-Client2".into());
    p.access()
        .login(Audience::Client, "2", "Changed-Pw-Client2")
        .unwrap();

    // A credentials mail that fails, then is cancelled before it goes out.
    let a8 = p
        .accounts()
        .generate(Generate::client("8").password("Cancelled-Mail-Pw-8"))
        .unwrap();
    tee.memory
        .fail_next([MailError::Transient("relay down".into())]);
    let report = p.sync().unwrap();
    assert_eq!(report.dispatch.failed, 1);
    let pending = p
        .notifications()
        .history(
            &NotificationFilter {
                state: Some(NotificationState::Failed),
                ..Default::default()
            },
            PageRequest::first(),
        )
        .unwrap();
    assert_eq!(pending.items.len(), 1);
    assert_eq!(pending.items[0].account_id.as_deref(), Some(a8.id.as_str()));
    p.notifications().cancel(&pending.items[0].id).unwrap();
    let cancelled_secret = "cancelled credentials mail password (8)";
    keep(cancelled_secret, "Cancelled-Mail-Pw-8".into());

    // The price of one checkpoint after a small commit (what each erasing operation adds).
    let mut took = Vec::new();
    for i in 0..11 {
        p.accounts()
            .set_notify_by_email(&a5.id, i % 2 == 0)
            .unwrap();
        let start = std::time::Instant::now();
        p.store().forget_erased().unwrap();
        took.push(start.elapsed());
    }
    took.sort();
    eprintln!(
        "forget_erased after a one-row commit: median {:?}, max {:?} (debug build)",
        took[took.len() / 2],
        took[took.len() - 1]
    );

    // Still running: the files as another process (or a thief) would read them now.
    let open = scan(&root, &mailbox, &secrets, "open");
    let files: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        files.iter().any(|f| f == "portail.sqlite3-wal"),
        "{files:?}"
    );
    // The mailbox holds what was delivered (here the re-notified password): not a store file.
    let delivered = std::fs::read_dir(&mailbox).unwrap().count();
    eprintln!("mailbox: {delivered} delivered .eml files (not scanned)");
    drop(p);
    let closed = scan(&root, &mailbox, &secrets, "closed");

    let counted = |found: &[(String, usize)]| -> usize {
        found
            .iter()
            .filter(|(what, _)| CANCELLED_MAIL_REDACTED || what != cancelled_secret)
            .map(|(_, n)| n)
            .sum()
    };
    let cancelled = |found: &[(String, usize)]| -> usize {
        found
            .iter()
            .filter(|(what, _)| what == cancelled_secret)
            .map(|(_, n)| n)
            .sum()
    };
    eprintln!(
        "secrets found in the store files: {} while open, {} after close, of {} secrets \
         (cancelled credentials mail: {} / {}, counted: {CANCELLED_MAIL_REDACTED})",
        counted(&open),
        counted(&closed),
        secrets.len(),
        cancelled(&open),
        cancelled(&closed),
    );
    assert_eq!(counted(&open), 0, "secrets in the files while open");
    assert_eq!(counted(&closed), 0, "secrets in the files after close");
}

/// The checkpoint behind `forget_erased` cannot finish while another connection reads an old
/// snapshot: it retries, then says the change itself was committed.
#[test]
fn forget_erased_reports_a_busy_reader_as_storage_and_keeps_the_commit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("portail.sqlite3");
    let store = Arc::new(SqliteStore::open(&path).unwrap());
    let p = Portal::builder("acme")
        .settings(Settings::new("ACME", "acme.example"))
        .store(store.clone())
        .security(SecurityPolicy::fast_for_tests())
        .build()
        .unwrap();
    p.parties().upsert(client("1")).unwrap();
    let a = p
        .accounts()
        .generate(Generate::client("1").password("First-Draft-Pw"))
        .unwrap();
    store.forget_erased().unwrap();

    // Another process holds a read transaction on the current snapshot.
    let other = held_reader(&path);
    let started = std::time::Instant::now();
    let e = p
        .accounts()
        .set_password(&a.id, "Second-Draft-Pw")
        .unwrap_err();
    eprintln!(
        "forget_erased under a held reader: {e} after {:?}",
        started.elapsed()
    );
    assert_eq!(e.code(), "storage");
    assert!(e.to_string().contains("committed"), "{e}");
    drop(other);
    assert_eq!(
        p.accounts().draft_password(&a.id).unwrap(),
        "Second-Draft-Pw",
        "the change itself was committed"
    );
    store.forget_erased().unwrap();
}

/// A reader of another connection (as another process would be) that holds a read
/// transaction on the snapshot of the moment until dropped.
fn held_reader(path: &Path) -> rusqlite::Connection {
    let c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch("BEGIN").unwrap();
    let n: i64 = c
        .query_row("SELECT count(*) FROM accounts", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
    c
}
