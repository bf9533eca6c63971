//! Issue 12, items 6, 11 and the blob/download parts of 13: nothing is accepted that cannot be
//! mailed, text fields are capped in characters, content must match its declared type, killed
//! blob writers leave nothing behind, damaged or deleted contents are handled, and concurrent
//! downloads of one document never fail.
#![cfg(feature = "sqlite")]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant, SystemTime};

use portail::*;

fn settings() -> Settings {
    Settings::new("MA SOCIETE", "masociete.fr").reply_to("contact@masociete.fr")
}

/// A portal on a folder (SQLite, blobs, `.eml` outbox) with one client "4" and its login.
fn portal_on(dir: &Path) -> (Portal, Principal) {
    let p = Portal::builder("t")
        .settings(settings())
        .data_dir(dir)
        .unwrap()
        .security(SecurityPolicy::fast_for_tests())
        .build()
        .unwrap();
    p.parties()
        .upsert(Party::client("4", "MOI MEME").email(EmailRole::Main, "c4@x.fr"))
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

fn pdf(text: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {text}\n%%EOF\n").into_bytes()
}

fn message(
    from_name: Option<&str>,
    from: &str,
    reply_to: Option<&str>,
    to: &str,
) -> OutgoingMessage {
    OutgoingMessage {
        message_id: "<n1@masociete.fr>".into(),
        notification_id: "n1".into(),
        from: from.into(),
        from_name: from_name.map(str::to_string),
        reply_to: reply_to.map(str::to_string),
        to: to.into(),
        subject: "Un document".into(),
        body: "Bonjour".into(),
        date: chrono::Utc::now(),
    }
}

// ---------------------------------------------------------------- item 6: mailable input

/// Forms our former plain check let through and the mail library refuses at send time.
const REFUSED_AT_SEND_BEFORE: &[&str] = &[
    "a\\b@x.fr",
    "a(b)@x.fr",
    "a..b@x.fr",
    ".a@x.fr",
    "a.@x.fr",
    "a[b]@x.fr",
    "a:b@x.fr",
    "a@-x.fr",
    "a@x-.fr",
    "a@x.fr)",
    "a@(x).fr",
    "a@x\\y.fr",
];

/// Forms that were and stay refused, and forms that must stay accepted.
const OTHER_FORMS: &[&str] = &[
    "keylian.ace@gmail.com",
    "x+y@sub.domain.example",
    "a!#$%&'*+/=?^_`{|}~@x.fr",
    "é@x.fr",
    "a@é.fr",
    "a@xn--bcher-kva.example",
    "o'brien@x.fr",
    "",
    "a",
    "a@b",
    "@b.fr",
    "a@@b.fr",
    "a b@c.fr",
    "a@b.fr\r\nBcc: x@y.z",
    "a@b.fr\0",
    "<a@b.fr>",
    "\"a b\"@x.fr",
    "a@x..fr",
];

#[test]
fn every_accepted_address_builds_a_message_and_the_rest_fail_at_input() {
    let dir = tempfile::tempdir().unwrap();
    let mailer = FileMailer::open(dir.path()).unwrap();
    let long_local = format!("{}@x.fr", "a".repeat(64));
    let too_long = format!("{}@{}.fr", "a".repeat(64), "b".repeat(200));
    let mut forms: Vec<&str> = REFUSED_AT_SEND_BEFORE.to_vec();
    forms.extend(OTHER_FORMS);
    forms.push(&long_local);
    forms.push(&too_long);
    let (mut accepted, mut refused) = (0, 0);
    for address in forms {
        let party = Party::client("4", "X").email(EmailRole::Billing, address);
        let as_party = party.validate();
        let as_sender = settings().sender(address).validate();
        let as_reply_to = settings().reply_to(address).validate();
        if address.trim().is_empty() {
            // An empty address clears the role: nothing to check.
            assert!(as_party.is_ok());
            continue;
        }
        assert_eq!(as_party.is_ok(), as_sender.is_ok(), "{address:?}");
        assert_eq!(as_party.is_ok(), as_reply_to.is_ok(), "{address:?}");
        match as_party {
            Ok(()) => {
                accepted += 1;
                // Accepted at input: the mail library builds and writes the real message.
                let m = message(Some("MA SOCIETE"), address, Some(address), address);
                m.to_lettre().unwrap_or_else(|e| panic!("{address:?}: {e}"));
                mailer
                    .send(&m)
                    .unwrap_or_else(|e| panic!("{address:?}: {e}"));
            }
            Err(e) => {
                refused += 1;
                assert_eq!(e.code(), "invalid_input");
                assert_eq!(e.field(), Some("emails.billing"), "{address:?}");
                assert_eq!(as_sender.unwrap_err().field(), Some("sender"));
                assert_eq!(as_reply_to.unwrap_err().field(), Some("reply_to"));
            }
        }
    }
    for address in REFUSED_AT_SEND_BEFORE {
        assert!(
            message(None, "noreply@x.fr", None, address)
                .to_lettre()
                .is_err(),
            "{address:?} is refused by the mail library"
        );
        assert!(
            Party::client("4", "X")
                .email(EmailRole::Main, *address)
                .validate()
                .is_err(),
            "{address:?} now fails at input"
        );
    }
    eprintln!(
        "addresses: {accepted} accepted (each built and written as a message), {refused} refused \
         at input, of which {} failed only at send time before",
        REFUSED_AT_SEND_BEFORE.len()
    );
}

#[test]
fn a_sender_or_company_the_mail_library_refuses_is_refused_when_saved() {
    let p = Portal::in_memory("t", settings()).unwrap();
    for (company, field) in [
        ("MA\0SOCIETE", "company_name"),
        ("MA\r\nBcc: x@y.fr", "company_name"),
        ("MA\nSOCIETE", "company_name"),
        ("MA\tSOCIETE", "company_name"),
        ("MA\u{7f}SOCIETE", "company_name"),
        ("   ", "company_name"),
    ] {
        let e = p
            .update_settings(|s| s.company_name = company.into())
            .unwrap_err();
        assert_eq!(e.field(), Some(field), "{company:?}");
    }
    for (sender, field) in [("a(b)@x.fr", "sender"), ("a\\b@x.fr", "sender")] {
        let e = p.update_settings(|s| s.sender = sender.into()).unwrap_err();
        assert_eq!(e.field(), Some(field), "{sender:?}");
        let e = p
            .update_settings(|s| s.reply_to = Some(sender.into()))
            .unwrap_err();
        assert_eq!(e.field(), Some("reply_to"), "{sender:?}");
    }
    // Nothing was saved: the tenant still mails.
    assert_eq!(p.settings().unwrap().company_name, "MA SOCIETE");
    // Names the library quotes or encodes are fine.
    for company in ["L'ÉTÉ (SARL)", "A \"B\" C", "A, B & C", "Ünïcödé ✓"] {
        p.update_settings(|s| s.company_name = company.into())
            .unwrap_or_else(|e| panic!("{company:?}: {e}"));
        let s = p.settings().unwrap();
        message(
            Some(&s.company_name),
            &s.sender,
            s.reply_to.as_deref(),
            "a@b.fr",
        )
        .to_rfc5322()
        .unwrap();
    }
}

/// `value(n)` is a text of `n` characters of 2 bytes each: caps count characters.
fn wide(n: usize) -> String {
    "é".repeat(n)
}

#[test]
fn length_caps_count_characters_and_name_the_field() {
    use portail::{config, documents, folders, parties, templates};
    let mut checked = 0;
    let mut check = |field: &str, max: usize, valid: &dyn Fn(String) -> Result<()>| {
        valid(wide(max)).unwrap_or_else(|e| panic!("{field} at {max}: {e}"));
        let e = valid(wide(max + 1)).unwrap_err();
        assert_eq!(e.code(), "invalid_input");
        assert_eq!(e.field(), Some(field));
        checked += 1;
    };
    check("code", parties::CODE_MAX, &|v| {
        Party::client(v, "X").validate()
    });
    check("name", parties::NAME_MAX, &|v| {
        Party::client("4", v).validate()
    });
    check("company", parties::COMPANY_MAX, &|v| {
        Party::client("4", "X").company(v).validate()
    });
    check("company_name", config::COMPANY_NAME_MAX, &|v| {
        Settings::new(v, "x.fr").validate()
    });
    check("client.watermark_text", config::WATERMARK_TEXT_MAX, &|v| {
        let mut s = Settings::new("X", "x.fr");
        s.client.watermark_text = v;
        s.validate()
    });
    check(
        "client.portal_url",
        config::URL_MAX - "https://x.fr/".len(),
        &|v| {
            let mut s = Settings::new("X", "x.fr");
            s.client.portal_url = format!("https://x.fr/{v}");
            s.validate()
        },
    );
    check("path", folders::PATH_MAX, &|v| {
        Folder::new(Audience::Client, v, "L").validate()
    });
    check("label", folders::LABEL_MAX, &|v| {
        Folder::new(Audience::Client, "P", v).validate()
    });
    check("name", documents::NAME_MAX, &|v| {
        Publish::client("4", "Contrats", v, b"x".to_vec()).validate()
    });
    check("external_id", documents::EXTERNAL_ID_MAX, &|v| {
        Publish::client("4", "Contrats", "a.txt", b"x".to_vec())
            .external_id(v)
            .validate()
    });
    check("content_type", documents::CONTENT_TYPE_MAX, &|v| {
        Publish::client("4", "Contrats", "a.txt", b"x".to_vec())
            .content_type(format!("a/{}", &v[..v.len() - 4]))
            .validate()
    });
    check("subject", templates::SUBJECT_MAX, &|v| {
        Template::new(Audience::Client, TemplatePurpose::DocumentAvailable, v, "b")
            .compile()
            .map(|_| ())
    });
    check("body", templates::BODY_MAX, &|v| {
        Template::new(Audience::Client, TemplatePurpose::DocumentAvailable, "s", v)
            .compile()
            .map(|_| ())
    });
    let dir = tempfile::tempdir().unwrap();
    let (p, me) = portal_on(dir.path());
    let contract = p
        .documents()
        .publish(Publish::client("4", "Contrats à signer", "S.pdf", pdf("s")))
        .unwrap();
    let view = p.view(&me);
    check("signer_name", portail::signing::SIGNER_NAME_MAX, &|v| {
        match view.sign(&contract.id, SignRequest::new(v, "203.0.113.7", "UA")) {
            Err(e) if e.code() == "invalid_input" => Err(e),
            _ => Ok(()), // past validation (the test PDF cannot be stamped)
        }
    });
    check(
        "user_agent",
        portail::signing::USER_AGENT_MAX,
        &|v| match view.sign(&contract.id, SignRequest::new("X", "203.0.113.7", v)) {
            Err(e) if e.code() == "invalid_input" => Err(e),
            _ => Ok(()),
        },
    );
    // An address is capped in characters and in bytes (SMTP counts octets).
    let e = Party::client("4", "X")
        .email(EmailRole::Main, format!("{}@x.fr", "é".repeat(126)))
        .validate()
        .unwrap_err();
    assert_eq!(e.field(), Some("emails.main"));
    eprintln!("length caps checked at max and max + 1 (2-byte characters): {checked} fields");
}

#[test]
fn the_longest_accepted_fields_make_no_header_line_over_998() {
    let dir = tempfile::tempdir().unwrap();
    let (p, _) = portal_on(dir.path());
    p.update_settings(|s| {
        s.company_name = wide(portail::config::COMPANY_NAME_MAX);
    })
    .unwrap();
    let address = format!(
        "{}@{}.{}.{}.fr",
        "a".repeat(64),
        "b".repeat(63),
        "c".repeat(63),
        "d".repeat(50)
    );
    p.parties()
        .upsert(
            Party::client("4", wide(portail::parties::NAME_MAX))
                .company(wide(portail::parties::COMPANY_MAX))
                .email(EmailRole::Main, &address),
        )
        .unwrap();
    let d = p
        .documents()
        .publish(Publish::client(
            "4",
            "Contrats",
            format!("{}.pdf", "x".repeat(portail::documents::NAME_MAX - 4)),
            pdf("long"),
        ))
        .unwrap();
    let NotificationDecision::Queued { notification_id } = d.notification else {
        panic!("{:?}", d.notification)
    };
    p.sync().unwrap();
    let eml = std::fs::read_to_string(
        dir.path()
            .join("outbox")
            .join(format!("{notification_id}.eml")),
    )
    .unwrap();
    let longest = eml.lines().map(str::len).max().unwrap_or(0);
    eprintln!("longest line of the message built from the longest fields: {longest} bytes");
    assert!(longest <= 998, "{longest}");
}

// ---------------------------------------------------------------- item 11: content checks

#[test]
fn content_must_match_its_declared_type() {
    let dir = tempfile::tempdir().unwrap();
    let (p, _) = portal_on(dir.path());
    let zip = b"PK\x03\x04rest".to_vec();
    let ole = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest".to_vec();
    let png = b"\x89PNG\r\n\x1a\nrest".to_vec();
    let jpeg = b"\xFF\xD8\xFF\xE0rest".to_vec();
    let html = b"<html><body>not a pdf</body></html>".to_vec();
    let refused: Vec<Publish> = vec![
        Publish::client("4", "Contrats", "C.pdf", html.clone()),
        Publish::client("4", "Contrats", "C.PDF", png.clone()),
        Publish::client("4", "Contrats", "I.png", jpeg.clone()),
        Publish::client("4", "Contrats", "I.jpg", png.clone()),
        Publish::client("4", "Contrats", "D.docx", pdf("x")),
        Publish::client("4", "Contrats", "D.xlsx", ole.clone()),
        Publish::client("4", "Contrats", "D.doc", zip.clone()),
        Publish::client("4", "Contrats", "A.zip", html.clone()),
        Publish::client("4", "Contrats", "blob.bin", html.clone()).content_type("application/pdf"),
        Publish::client("4", "Contrats", "C.pdf", pdf("x")).content_type("IMAGE/PNG;x=1"),
    ];
    let accepted: Vec<Publish> = vec![
        Publish::client("4", "Contrats", "C.pdf", pdf("x")),
        Publish::client(
            "4",
            "Contrats",
            "late.pdf",
            [b"\xEF\xBB\xBF junk ".as_slice(), &pdf("y")].concat(),
        ),
        Publish::client("4", "Contrats", "I.png", png),
        Publish::client("4", "Contrats", "I.jpeg", jpeg),
        Publish::client("4", "Contrats", "D.docx", zip.clone()),
        Publish::client("4", "Contrats", "D.odt", zip),
        Publish::client("4", "Contrats", "D.xls", ole),
        Publish::client("4", "Contrats", "notes.txt", html.clone()),
        Publish::client("4", "Contrats", "page.html", html.clone()),
        Publish::client("4", "Contrats", "blob.bin", html),
    ];
    for cmd in refused.clone() {
        let name = cmd.name.clone();
        let e = p.documents().publish(cmd).unwrap_err();
        assert_eq!(
            (e.code(), e.field()),
            ("invalid_input", Some("content")),
            "{name}: {e}"
        );
    }
    let report = p
        .documents()
        .publish_many(refused.clone(), &|_| {})
        .unwrap();
    assert_eq!(report.published, 0);
    assert!(report
        .outcomes
        .iter()
        .all(|o| o.as_ref().unwrap_err().field() == Some("content")));
    // Nothing of the refused contents was stored, no document, no notification.
    let docs = p
        .documents()
        .list(Audience::Client, "4", PageRequest::first())
        .unwrap();
    assert_eq!(docs.total, 0);
    assert_eq!(blob_files(&dir.path().join("blobs")).len(), 0);
    for cmd in accepted.clone() {
        let name = cmd.name.clone();
        p.documents()
            .publish(cmd)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    eprintln!(
        "content check: {} mismatches refused (publish and publish_many), {} matches accepted",
        refused.len(),
        accepted.len()
    );
}

// ---------------------------------------------------------------- item 13: blobs and downloads

fn blob_files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(shards) = std::fs::read_dir(root) else {
        return out;
    };
    for shard in shards.flatten() {
        if let Ok(files) = std::fs::read_dir(shard.path()) {
            out.extend(files.flatten().map(|f| f.path()));
        }
    }
    out
}

fn temp_files(root: &Path) -> Vec<PathBuf> {
    blob_files(root)
        .into_iter()
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(".tmp-"))
        })
        .collect()
}

const TEMP_CHILD: &str = "PORTAIL_TEMP_WRITER_CHILD";

/// In child mode: write batches of new contents with `put_many` until killed.
#[test]
fn temp_writer_child() {
    let Ok(dir) = std::env::var(TEMP_CHILD) else {
        return;
    };
    let blobs = FsBlobs::open(&dir).unwrap();
    for round in 0u64.. {
        let contents: Vec<Vec<u8>> = (0..2000u64)
            .map(|i| format!("{round}-{i}-{}", "x".repeat(4000)).into_bytes())
            .collect();
        let refs: Vec<&[u8]> = contents.iter().map(Vec::as_slice).collect();
        blobs.put_many(&refs).unwrap();
    }
}

#[test]
fn temp_files_of_a_killed_writer_are_removed_on_open() {
    if std::env::var(TEMP_CHILD).is_ok() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("blobs");
    std::fs::create_dir_all(&root).unwrap();
    let mut left = 0;
    for _attempt in 0..5 {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "temp_writer_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(TEMP_CHILD, &root)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while temp_files(&root).len() < 100 && start.elapsed() < Duration::from_secs(15) {
            std::thread::sleep(Duration::from_millis(2));
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        left = temp_files(&root).len();
        if left > 0 {
            break;
        }
    }
    assert!(left > 0, "the killed writer left temporary files");
    // A writer on another machine sharing the folder (another boot id), fresh: kept. The same,
    // older than the stale age: removed. One of this live process: kept.
    let shard = root.join("ab");
    std::fs::create_dir_all(&shard).unwrap();
    let foreign_fresh = shard.join(".tmp-0badb007-1-0-cdef012345");
    let foreign_old = shard.join(".tmp-0badb007-1-1-cdef012345");
    let old_naming = shard.join(".tmp-cdef012345-1-2");
    for f in [&foreign_fresh, &foreign_old, &old_naming] {
        std::fs::write(f, b"partial").unwrap();
    }
    let long_ago = SystemTime::now() - portail::blobs::TEMP_STALE_AFTER - Duration::from_secs(60);
    for f in [&foreign_old, &old_naming] {
        std::fs::File::options()
            .write(true)
            .open(f)
            .unwrap()
            .set_modified(long_ago)
            .unwrap();
    }
    let start = Instant::now();
    let blobs = FsBlobs::open(&root).unwrap();
    let took = start.elapsed();
    let remaining = temp_files(&root);
    eprintln!(
        "killed put_many left {left} temporary files; FsBlobs::open removed them in {took:?}; \
         remaining: {remaining:?}"
    );
    assert_eq!(remaining, vec![foreign_fresh.clone()]);
    // Every blob under a real name is whole.
    for f in blob_files(&root) {
        if f == foreign_fresh {
            continue;
        }
        let key = format!(
            "{}{}",
            f.parent().unwrap().file_name().unwrap().to_string_lossy(),
            f.file_name().unwrap().to_string_lossy()
        );
        assert_eq!(
            blobs.get(&key).unwrap().len() as u64,
            std::fs::metadata(&f).unwrap().len()
        );
    }
}

fn blob_path(root: &Path, sha256: &str) -> PathBuf {
    root.join(&sha256[..2]).join(&sha256[2..])
}

#[test]
fn a_blob_damaged_at_the_same_size_is_repaired_by_publishing_it_again() {
    let dir = tempfile::tempdir().unwrap();
    let (p, me) = portal_on(dir.path());
    let content = pdf("bulletin de mars");
    let d = p
        .documents()
        .publish(Publish::client("4", "Contrats", "C.pdf", content.clone()))
        .unwrap();
    let path = blob_path(&dir.path().join("blobs"), &d.sha256);
    let mut damaged = content.clone();
    let last = damaged.len() - 3;
    damaged[last] ^= 0xff; // one flipped byte, same size
    std::fs::write(&path, &damaged).unwrap();
    let e = p.view(&me).open(&d.id).unwrap_err();
    assert_eq!(e.code(), "storage");
    assert!(e.to_string().contains("C.pdf"), "{e}");
    // The host publishes the same content again (under another name): the file is repaired.
    p.documents()
        .publish(Publish::client(
            "4",
            "Contrats",
            "C-bis.pdf",
            content.clone(),
        ))
        .unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), content);
    assert_eq!(p.view(&me).open(&d.id).unwrap().content, content);
    // The same through put_many.
    std::fs::write(&path, &damaged).unwrap();
    let blobs = FsBlobs::open(dir.path().join("blobs")).unwrap();
    blobs
        .put_many(&[content.as_slice(), b"%PDF-other".as_slice()])
        .unwrap();
    assert_eq!(blobs.get(&d.sha256).unwrap(), content);
}

#[test]
fn a_deleted_blob_is_a_storage_error_naming_the_document() {
    let dir = tempfile::tempdir().unwrap();
    let (p, me) = portal_on(dir.path());
    let d = p
        .documents()
        .publish(Publish::client("4", "Contrats", "Contrat-42.pdf", pdf("c")))
        .unwrap();
    let s = p
        .documents()
        .publish(Publish::client(
            "4",
            "Contrats à signer",
            "A-signer-7.pdf",
            pdf("s"),
        ))
        .unwrap();
    for doc in [&d, &s] {
        std::fs::remove_file(blob_path(&dir.path().join("blobs"), &doc.sha256)).unwrap();
    }
    let view = p.view(&me);
    for (what, e, name) in [
        ("download", view.open(&d.id).unwrap_err(), "Contrat-42.pdf"),
        (
            "back office",
            p.documents().content(&d.id).unwrap_err(),
            "Contrat-42.pdf",
        ),
        (
            "signing",
            view.sign(&s.id, SignRequest::new("MOI MEME", "203.0.113.7", "UA"))
                .unwrap_err(),
            "A-signer-7.pdf",
        ),
    ] {
        eprintln!("{what}: {e}");
        assert_eq!(e.code(), "storage", "{what}: {e}");
        assert!(e.to_string().contains(name), "{what}: {e}");
    }
    // Nothing was recorded.
    assert_eq!(p.documents().get(&d.id).unwrap().downloads, 0);
    assert!(p.documents().get(&s.id).unwrap().signature.is_none());
}

#[test]
fn concurrent_downloads_of_one_document_never_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let (p, me) = portal_on(dir.path());
    let shared = Arc::new(p);
    // Eight app servers on one SQLite file: each thread opens its own portal on the folder.
    let open = || {
        Arc::new(
            Portal::builder("t")
                .data_dir(dir.path())
                .unwrap()
                .security(SecurityPolicy::fast_for_tests())
                .build()
                .unwrap(),
        )
    };
    concurrent_downloads("SQLite, one portal per thread", &shared, &me, &open);
    concurrent_downloads("SQLite, one shared portal", &shared, &me, &|| {
        shared.clone()
    });
    let p = Portal::builder("t")
        .settings(settings())
        .security(SecurityPolicy::fast_for_tests())
        .build()
        .unwrap();
    p.parties()
        .upsert(Party::client("4", "MOI MEME").email(EmailRole::Main, "c4@x.fr"))
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
    let p = Arc::new(p);
    concurrent_downloads("memory", &p, &me, &|| p.clone());
}

/// 8 threads x 50 downloads of one new document: no error, every download counted.
fn concurrent_downloads(store: &str, p: &Portal, me: &Principal, open: &dyn Fn() -> Arc<Portal>) {
    const THREADS: usize = 8;
    const EACH: usize = 50;
    let content = pdf(store);
    let d = p
        .documents()
        .publish(Publish::client("4", "Contrats", "C.pdf", content.clone()))
        .unwrap();
    let barrier = Arc::new(Barrier::new(THREADS));
    let start = Instant::now();
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let (p, me, id, barrier, content) = (
                open(),
                me.clone(),
                d.id.clone(),
                barrier.clone(),
                content.clone(),
            );
            std::thread::spawn(move || {
                barrier.wait();
                let mut errors = Vec::new();
                for _ in 0..EACH {
                    match p.view(&me).open(&id) {
                        Ok(dl) => assert_eq!(dl.content, content),
                        Err(e) => errors.push(e),
                    }
                }
                errors
            })
        })
        .collect();
    let errors: Vec<Error> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    let took = start.elapsed();
    let stored = p.documents().get(&d.id).unwrap();
    let history = p
        .documents()
        .downloads(&d.id, PageRequest::new(0, 1))
        .unwrap()
        .total;
    eprintln!(
        "{THREADS} threads x {EACH} downloads of one document ({store}): {} errors, count {}, \
         history {history}, {took:?}",
        errors.len(),
        stored.downloads
    );
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(stored.downloads, (THREADS * EACH) as u64);
    assert_eq!(history, (THREADS * EACH) as u64);
}
