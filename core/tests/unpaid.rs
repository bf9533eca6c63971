//! The unpaid-document policy on the portal download path (seed 003 VII.3): none, watermark
//! ("POUR CONSULTATION UNIQUEMENT" on every page of the PDFs of a party with unpaid
//! documents; non-PDFs refused), block (`payment_required`), and the per-party exemption.
#![cfg(feature = "pdf")]

use std::process::Command;

use portail::*;

fn setup(policy: UnpaidPolicy) -> (Portal, Principal) {
    let p = Portal::builder("t")
        .settings(Settings::new("MA SOCIETE", "masociete.fr"))
        .security(SecurityPolicy::fast_for_tests())
        .build()
        .unwrap();
    p.update_settings(|s| s.client.unpaid_policy = policy)
        .unwrap();
    p.parties()
        .upsert(
            Party::client("4", "MOI MEME")
                .email(EmailRole::Main, "m@x.fr")
                .consent(EInvoicingConsent::Accepted),
        )
        .unwrap();
    p.accounts()
        .generate(Generate::client("4").password("password-1"))
        .unwrap();
    p.sync().unwrap();
    let me = p
        .access()
        .login(Audience::Client, "4", "password-1")
        .unwrap();
    (p, me)
}

fn publish(p: &Portal, name: &str, bytes: Vec<u8>, payment: PaymentStatus) -> Document {
    p.documents()
        .publish(
            Publish::client("4", "Factures", name, bytes)
                .kind(DocumentKind::Invoice)
                .payment(payment),
        )
        .unwrap()
}

fn pdftotext(pdf: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().ok()?;
    let path = dir.path().join("in.pdf");
    std::fs::write(&path, pdf).ok()?;
    let out = Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn watermark_policy_stamps_every_page_of_a_party_with_unpaid_documents() {
    let (p, me) = setup(UnpaidPolicy::Watermark);
    let original = pdf::sample_pdf(&["Facture page 1", "Facture page 2", "Facture page 3"]);
    let paid = publish(&p, "FA-1.pdf", original.clone(), PaymentStatus::Paid);
    // Nothing owed yet: the original.
    let dl = p.view(&me).open(&paid.id).unwrap();
    assert!(!dl.watermarked);
    assert_eq!(dl.content, original);

    // One unpaid invoice: every PDF of the party comes stamped, the original untouched.
    let unpaid = publish(
        &p,
        "FA-2.pdf",
        pdf::sample_pdf(&["Impayée"]),
        PaymentStatus::Unpaid,
    );
    let dl = p.view(&me).open(&paid.id).unwrap();
    assert!(dl.watermarked);
    assert_ne!(dl.content, original);
    assert_eq!(pdf::page_count(&dl.content).unwrap(), 3);
    assert_eq!(
        p.documents().content(&paid.id).unwrap(),
        original,
        "originals are never modified"
    );
    match pdftotext(&dl.content) {
        Some(text) => assert_eq!(
            text.matches("POUR CONSULTATION UNIQUEMENT").count(),
            3,
            "{text}"
        ),
        None => eprintln!("SKIPPED pdftotext check: poppler-utils not installed"),
    }
    // A document that is not a PDF cannot be stamped: refused.
    let csv = p
        .documents()
        .publish(Publish::client(
            "4",
            "Contrats",
            "releve.csv",
            b"a;b\n".to_vec(),
        ))
        .unwrap();
    let e = p.view(&me).open(&csv.id).unwrap_err();
    assert_eq!(
        e,
        Error::PaymentRequired {
            document: "releve.csv".into()
        }
    );

    // The host marks it paid: originals again.
    p.documents()
        .set_payment(&unpaid.id, PaymentStatus::Paid)
        .unwrap();
    assert!(!p.view(&me).open(&paid.id).unwrap().watermarked);
    assert_eq!(p.view(&me).open(&csv.id).unwrap().content, b"a;b\n");
}

#[test]
fn custom_watermark_text_with_accents() {
    let (p, me) = setup(UnpaidPolicy::Watermark);
    p.update_settings(|s| s.client.watermark_text = "À RÉGLER AVANT TÉLÉCHARGEMENT".into())
        .unwrap();
    let d = publish(
        &p,
        "FA-1.pdf",
        pdf::sample_pdf(&["Facture"]),
        PaymentStatus::Unpaid,
    );
    let dl = p.view(&me).open(&d.id).unwrap();
    assert!(dl.watermarked);
    if let Some(text) = pdftotext(&dl.content) {
        assert!(text.contains("À RÉGLER AVANT TÉLÉCHARGEMENT"), "{text}");
    }
    let e = p
        .update_settings(|s| s.client.watermark_text = " ".into())
        .unwrap_err();
    assert_eq!(e.field(), Some("client.watermark_text"));
}

#[test]
fn block_policy_refuses_downloads_and_exemption_lifts_it() {
    let (p, me) = setup(UnpaidPolicy::Block);
    let ok = publish(
        &p,
        "FA-1.pdf",
        pdf::sample_pdf(&["Payée"]),
        PaymentStatus::Paid,
    );
    assert!(p.view(&me).open(&ok.id).is_ok());
    publish(
        &p,
        "FA-2.pdf",
        pdf::sample_pdf(&["Impayée"]),
        PaymentStatus::Unpaid,
    );
    let e = p.view(&me).open(&ok.id).unwrap_err();
    assert_eq!(e.code(), "payment_required");
    // A refused download is not counted.
    assert_eq!(p.documents().get(&ok.id).unwrap().downloads, 1);
    // "Personnaliser en fonction du client": this client may download anyway.
    p.parties()
        .upsert(
            Party::client("4", "MOI MEME")
                .email(EmailRole::Main, "m@x.fr")
                .consent(EInvoicingConsent::Accepted)
                .unpaid_exempt(true),
        )
        .unwrap();
    let dl = p.view(&me).open(&ok.id).unwrap();
    assert!(!dl.watermarked);
    assert_eq!(dl.document.downloads, 2);
}

#[test]
fn a_broken_pdf_under_the_watermark_policy_is_a_pdf_error_and_nothing_is_recorded() {
    let (p, me) = setup(UnpaidPolicy::Watermark);
    let d = publish(
        &p,
        "FA-broken.pdf",
        b"%PDF-1.4\n1 0 obj << /Type /Catalog".to_vec(),
        PaymentStatus::Unpaid,
    );
    assert_eq!(p.view(&me).open(&d.id).unwrap_err().code(), "pdf");
    assert_eq!(p.documents().get(&d.id).unwrap().downloads, 0);
}
