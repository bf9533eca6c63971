//! Signing on the portal: documents in a folder with a signature side await a signature; the
//! principal signs with the host's evidence; the stamp lands where the folder says, in the
//! tenant's time zone; the signed PDF is a new version beside the untouched original; the
//! audit trail and a back-office notice are recorded; every wrong request is a typed error.
#![cfg(feature = "pdf")]

use std::process::Command;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use portail::*;

struct World {
    portal: Portal,
    mailer: Arc<MemoryMailer>,
    me: Principal,
}

fn world() -> World {
    let mailer = Arc::new(MemoryMailer::new());
    // 15:55 UTC on 8 March 2019 is 16:55 in Paris.
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2019, 3, 8, 15, 55, 15).unwrap(),
    ));
    let portal = Portal::builder("t")
        .settings(Settings::new("MA SOCIETE", "masociete.fr").reply_to("contact@masociete.fr"))
        .mailer(mailer.clone())
        .clock(clock)
        .security(SecurityPolicy::fast_for_tests())
        .build()
        .unwrap();
    for code in ["4", "5"] {
        portal
            .parties()
            .upsert(Party::client(code, "MOI MEME").email(EmailRole::Main, format!("c{code}@x.fr")))
            .unwrap();
    }
    portal
        .accounts()
        .generate(
            Generate::client("4")
                .password("password-1")
                .notify_by_email(false),
        )
        .unwrap();
    portal.sync().unwrap();
    let me = portal
        .access()
        .login(Audience::Client, "4", "password-1")
        .unwrap();
    mailer.clear();
    World { portal, mailer, me }
}

fn contract(p: &Portal, code: &str, folder: &str) -> Document {
    p.documents()
        .publish(
            Publish::client(
                code,
                folder,
                "Contrat.pdf",
                pdf::sample_pdf(&["Article 1", "Article 2", "Signature"]),
            )
            .kind(DocumentKind::Contract),
        )
        .unwrap()
}

fn request() -> SignRequest {
    SignRequest::new("MOI MEME", "203.0.113.7", "Mozilla/5.0 (X11; Linux x86_64)")
}

/// Words of the last page with their x centre, from `pdftotext -bbox`.
fn last_page_words(pdf: &[u8]) -> Option<(f64, Vec<(String, f64)>)> {
    let dir = tempfile::tempdir().ok()?;
    let path = dir.path().join("s.pdf");
    std::fs::write(&path, pdf).ok()?;
    let out = Command::new("pdftotext")
        .arg("-bbox")
        .arg(&path)
        .arg("-")
        .output()
        .ok()?;
    let html = String::from_utf8_lossy(&out.stdout).into_owned();
    let last = html.rsplit("<page ").next()?;
    let width: f64 = last
        .split("width=\"")
        .nth(1)?
        .split('"')
        .next()?
        .parse()
        .ok()?;
    let words = last
        .split("<word ")
        .skip(1)
        .filter_map(|w| {
            let attr = |name: &str| {
                w.split(&format!("{name}=\""))
                    .nth(1)?
                    .split('"')
                    .next()?
                    .parse::<f64>()
                    .ok()
            };
            let text = w.split('>').nth(1)?.split('<').next()?.to_string();
            Some((text, (attr("xMin")? + attr("xMax")?) / 2.0))
        })
        .collect();
    Some((width, words))
}

#[test]
fn signing_a_contract_stamps_right_and_keeps_the_audit_trail() {
    let w = world();
    let p = &w.portal;
    let doc = contract(p, "4", "Contrats à signer");
    let view = p.view(&w.me);
    assert!(view.awaits_signature(&doc.id).unwrap());

    let signed = view.sign(&doc.id, request()).unwrap();
    let record = signed.signature.clone().unwrap();
    assert_eq!(record.signer_name, "MOI MEME");
    assert_eq!(record.identifier, "4");
    assert_eq!(record.account_id, w.me.account_id);
    assert_eq!(record.ip_address, "203.0.113.7");
    assert_eq!(record.user_agent, "Mozilla/5.0 (X11; Linux x86_64)");
    assert_eq!(record.placement, SignaturePlacement::Right);
    assert_eq!(record.original_sha256, doc.sha256);
    assert_eq!(record.signed_at, p.now());
    assert!(!view.awaits_signature(&doc.id).unwrap());

    // The original is untouched; the signed file is a new version with its own hash.
    let original = p.documents().content(&doc.id).unwrap();
    assert_eq!(blobs::sha256_hex(&original), doc.sha256);
    let signed_bytes = p.documents().signed_content(&doc.id).unwrap();
    assert_eq!(blobs::sha256_hex(&signed_bytes), record.signed_sha256);
    assert_eq!(signed_bytes.len() as i64, record.signed_size);
    assert_eq!(pdf::page_count(&signed_bytes).unwrap(), 3);
    // The portal now serves the signed version.
    assert_eq!(view.open(&doc.id).unwrap().content, signed_bytes);

    // The stamp: right half of the last page, local time of the tenant.
    match last_page_words(&signed_bytes) {
        Some((width, words)) => {
            let text: Vec<&str> = words.iter().map(|(t, _)| t.as_str()).collect();
            let joined = text.join(" ");
            assert!(
                joined.contains("Signé électroniquement par MOI MEME le 08/03/2019 à 16:55"),
                "{joined}"
            );
            for (word, x) in words.iter().filter(|(t, _)| t == "Signé" || t == "16:55") {
                assert!(*x > width / 2.0 && *x < width, "{word} at {x} of {width}");
            }
        }
        None => eprintln!("SKIPPED bbox check: pdftotext not installed"),
    }

    // The back office hears of it at the tenant's standard address.
    p.sync().unwrap();
    let notice = w
        .mailer
        .messages()
        .into_iter()
        .find(|m| m.to == "contact@masociete.fr")
        .expect("back-office notice");
    assert!(notice.subject.contains("Contrat.pdf"), "{}", notice.subject);
    assert!(notice.body.contains("MOI MEME"));

    // Signing twice is refused.
    assert_eq!(
        view.sign(&doc.id, request()).unwrap_err().code(),
        "invalid_state"
    );
}

#[test]
fn left_side_folders_stamp_left() {
    let w = world();
    let p = &w.portal;
    let mut folder = p.folders().get(Audience::Client, "Devis à signer").unwrap();
    folder.signature = Some(SignaturePlacement::Left);
    p.folders().update(folder).unwrap();
    let doc = contract(p, "4", "Devis à signer");
    let signed = p.view(&w.me).sign(&doc.id, request()).unwrap();
    assert_eq!(
        signed.signature.as_ref().unwrap().placement,
        SignaturePlacement::Left
    );
    if let Some((width, words)) = last_page_words(&p.documents().signed_content(&doc.id).unwrap()) {
        let x = words
            .iter()
            .find(|(t, _)| t == "Signé")
            .map(|(_, x)| *x)
            .expect("stamp found");
        assert!(x > 0.0 && x < width / 2.0, "{x} of {width}");
    }
}

#[test]
fn wrong_signatures_are_typed_errors_and_store_nothing() {
    let w = world();
    let p = &w.portal;
    let view = p.view(&w.me);
    // Not a signing folder.
    let plain = contract(p, "4", "Contrats");
    assert_eq!(
        view.sign(&plain.id, request()).unwrap_err().code(),
        "invalid_state"
    );
    assert!(!view.awaits_signature(&plain.id).unwrap());
    // Someone else's document.
    let theirs = contract(p, "5", "Contrats à signer");
    assert_eq!(
        view.sign(&theirs.id, request()).unwrap_err().code(),
        "access_denied"
    );
    // Bad evidence.
    let doc = contract(p, "4", "Contrats à signer");
    assert_eq!(
        view.sign(&doc.id, SignRequest::new(" ", "203.0.113.7", "ua"))
            .unwrap_err()
            .field(),
        Some("signer_name")
    );
    assert_eq!(
        view.sign(&doc.id, SignRequest::new("X", "not-an-ip", "ua"))
            .unwrap_err()
            .field(),
        Some("ip_address")
    );
    assert_eq!(
        view.sign(&doc.id, SignRequest::new("X", "::1", "ua\r\nx"))
            .unwrap_err()
            .field(),
        Some("user_agent")
    );
    assert_eq!(
        view.sign(&doc.id, request().image_png(b"not a png".to_vec()))
            .unwrap_err()
            .code(),
        "pdf"
    );
    // A broken PDF awaiting a signature: a pdf error, nothing recorded.
    let broken = p
        .documents()
        .publish(Publish::client(
            "4",
            "Contrats à signer",
            "Broken.pdf",
            b"%PDF-1.4 truncated".to_vec(),
        ))
        .unwrap();
    assert_eq!(view.sign(&broken.id, request()).unwrap_err().code(), "pdf");
    for id in [&doc.id, &broken.id] {
        assert!(p.documents().get(id).unwrap().signature.is_none());
        assert!(view.awaits_signature(id).unwrap());
    }
    assert_eq!(
        p.documents().signed_content(&doc.id).unwrap_err().code(),
        "invalid_state"
    );
}
