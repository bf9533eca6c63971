//! The seed-000 story ("Mise en situation") on the embedded default: one SQLite file, one blob
//! folder and an `.eml` outbox in a data folder (default `data/`). Run it twice: the second run
//! reopens the same folder and carries on.
//!
//! ```text
//! cargo run -p portail --example demo -- [DATA_DIR]
//! ```

use std::process::ExitCode;

use portail::*;

fn main() -> ExitCode {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "data".to_string());
    match run(&dir) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("demo failed: [{}] {e}", e.code());
            ExitCode::FAILURE
        }
    }
}

fn run(dir: &str) -> Result<()> {
    let portal = Portal::builder("default")
        .settings(
            Settings::new("MA SOCIETE", "masociete.fr")
                .sender("noreply@masociete.fr")
                .reply_to("contact@masociete.fr"),
        )
        .data_dir(dir)?
        .build()?;
    println!("portail demo in {dir}/ (SQLite store, blob folder, .eml outbox)\n");

    // The host pushes client "4" and an employee.
    portal.parties().upsert(
        Party::client("4", "MOI MEME")
            .email(EmailRole::Main, "keylian.ace@gmail.com")
            .email(EmailRole::Billing, "keylian.ace@gmail.com")
            .consent(EInvoicingConsent::Accepted),
    )?;
    portal.parties().upsert(
        Party::employee("S01", "JEAN DUPONT").email(EmailRole::Main, "jean.dupont@example.fr"),
    )?;

    // "J'ai créé un nouveau client « 4 » qui n'a pas encore d'accès donc je vais lui générer".
    let accounts = portal.accounts();
    let mut password = None;
    match accounts.live_account_of(Audience::Client, "4")? {
        Some(a) => println!(
            "client 4 already has access: identifier {:?}, {}",
            a.identifier,
            a.status.as_str()
        ),
        None => {
            let draft = accounts.generate(Generate::client("4"))?;
            println!(
                "generated: identifier {:?}, password {:?}, not synchronised (red) = {}",
                draft.identifier,
                accounts.draft_password(&draft.id)?,
                draft.needs_sync
            );
            let again = accounts.regenerate_password(&draft.id)?;
            let pw = accounts.draft_password(&again.id)?;
            println!("random password regenerated before sync: {pw:?}");
            password = Some(pw);
        }
    }

    // The invoice is closed and published; consent is Accepted, so it reaches the portal.
    let invoice = portal.documents().publish(
        Publish::client(
            "4",
            "Factures",
            "FA-0002.pdf",
            sample_pdf("Facture FA-0002").into_bytes(),
        )
        .kind(DocumentKind::Invoice)
        .external_id("FA-0002"),
    )?;
    println!(
        "published {} in Factures: notification {:?}",
        invoice.name, invoice.notification
    );
    portal.documents().publish(
        Publish::employee(
            "S01",
            "Bulletins",
            "BP-2019-03.pdf",
            sample_pdf("Bulletin mars 2019").into_bytes(),
        )
        .kind(DocumentKind::Payslip)
        .external_id("BP-S01-2019-03"),
    )?;

    // "Synchroniser".
    let report = portal.sync()?;
    println!(
        "sync: {} account(s) activated, {} credentials mail(s), {} notification(s) sent",
        report.activated, report.credentials_queued, report.dispatch.sent
    );
    if let Some(a) = accounts.live_account_of(Audience::Client, "4")? {
        println!(
            "account 4 is now {}: e-mail sent to {:?} at {:?}; password frozen",
            a.status.as_str(),
            a.credentials_sent_to.unwrap_or_default(),
            a.credentials_sent_at
                .map(|t| t.to_rfc3339())
                .unwrap_or_default()
        );
    }

    // Step 5: the billing address changes; a forced resend reaches the new one.
    portal.parties().upsert(
        Party::client("4", "MOI MEME")
            .email(EmailRole::Main, "keylian.ace@gmail.com")
            .email(EmailRole::Billing, "compta@moimeme.fr")
            .consent(EInvoicingConsent::Accepted),
    )?;
    if let NotificationDecision::Queued { notification_id } = &invoice.notification {
        let fresh = portal.notifications().resend(notification_id, true)?;
        println!("forced resend queued to {}", fresh.recipient);
    }
    portal.sync()?;

    // The client logs in and downloads the invoice.
    if let Some(pw) = password {
        let me = portal.access().login(Audience::Client, "4", &pw)?;
        let view = portal.view(&me);
        let docs = view.documents(None, PageRequest::first())?;
        println!("client 4 logged in and sees {} document(s)", docs.total);
        let dl = view.open(&invoice.id)?;
        println!(
            "downloaded {} ({} bytes), downloads: {}",
            dl.document.name,
            dl.content.len(),
            dl.document.downloads
        );
    }

    // Step 7: "Historique des notifications".
    println!("\nnotification history (newest first):");
    println!(
        "{:<20} {:<9} {:<24} {:<10} {:<6} subject",
        "created", "audience", "recipient", "state", "forced"
    );
    let history = portal
        .notifications()
        .history(&NotificationFilter::default(), PageRequest::new(0, 50))?;
    for n in &history.items {
        println!(
            "{:<20} {:<9} {:<24} {:<10} {:<6} {}",
            n.created_at.format("%d/%m/%Y %H:%M:%S"),
            n.audience.as_str(),
            n.recipient,
            n.state.as_str(),
            n.forced,
            n.subject
        );
    }
    println!(
        "\n{} notification(s); the sent ones are .eml files in {dir}/outbox/",
        history.total
    );
    Ok(())
}

/// A small valid one-page PDF with a line of text.
fn sample_pdf(text: &str) -> String {
    let content = format!("BT /F1 24 Tf 72 720 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut pdf = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.push_str(&format!("{} 0 obj\n{o}\nendobj\n", i + 1));
    }
    let xref = pdf.len();
    pdf.push_str(&format!(
        "xref\n0 {}\n0000000000 65535 f \n",
        objects.len() + 1
    ));
    for off in offsets {
        pdf.push_str(&format!("{off:010} 00000 n \n"));
    }
    pdf.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    pdf
}
