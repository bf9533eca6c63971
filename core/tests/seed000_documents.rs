//! The document half of seed 000's worked example ("Mise en situation"), step by step:
//! client "4" "MOI MEME", invoice closed with e-invoicing consent Accepted, notification to the
//! billing address, billing address changed, forced resend reaches the new one, history shows both.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use portail::*;

struct World {
    portal: Portal,
    mailer: Arc<MemoryMailer>,
    clock: Arc<FixedClock>,
}

fn world() -> World {
    let mailer = Arc::new(MemoryMailer::new());
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2019, 3, 8, 15, 55, 15).unwrap(),
    ));
    let portal = Portal::builder("ma-societe")
        .settings(
            Settings::new("MA SOCIETE", "masociete.fr")
                .sender("noreply@masociete.fr")
                .reply_to("contact@masociete.fr"),
        )
        .mailer(mailer.clone())
        .clock(clock.clone())
        .security(SecurityPolicy::fast_for_tests())
        .build()
        .unwrap();
    World {
        portal,
        mailer,
        clock,
    }
}

fn client_4(billing: &str, consent: EInvoicingConsent) -> Party {
    Party::client("4", "MOI MEME")
        .email(EmailRole::Main, "keylian.ace@gmail.com")
        .email(EmailRole::Billing, billing)
        .consent(consent)
}

#[test]
fn worked_example_invoice_notification_and_forced_resend() {
    let w = world();
    let p = &w.portal;
    p.parties()
        .upsert(client_4(
            "keylian.ace@gmail.com",
            EInvoicingConsent::Accepted,
        ))
        .unwrap();

    // 3- The closed invoice lands in the client's "Factures" folder.
    let invoice = p
        .documents()
        .publish(
            Publish::client("4", "Factures", "FA-0002.pdf", b"%PDF-1.4 facture".to_vec())
                .kind(DocumentKind::Invoice)
                .external_id("FA-0002"),
        )
        .unwrap();
    let NotificationDecision::Queued { notification_id } = &invoice.notification else {
        panic!(
            "expected a queued notification, got {:?}",
            invoice.notification
        );
    };

    // 4- Pending until sync; it targets the billing address ("Notifier sur" of Factures).
    let pending = p.notifications().get(notification_id).unwrap();
    assert_eq!(pending.state, NotificationState::Pending);
    assert_eq!(pending.recipient, "keylian.ace@gmail.com");
    assert_eq!(pending.role, Some(EmailRole::Billing));
    assert_eq!(
        pending.link.as_deref(),
        Some("https://masociete.fr/clients/account-statement")
    );
    assert!(pending.body.contains("FA-0002.pdf"), "{}", pending.body);
    assert!(pending.body.contains("MOI MEME"));
    assert!(
        w.mailer.messages().is_empty(),
        "nothing is mailed inside publish"
    );

    // 6- Sync sends it.
    let report = p.sync().unwrap();
    assert_eq!(report.dispatch.sent, 1);
    let sent = p.notifications().get(notification_id).unwrap();
    assert_eq!(sent.state, NotificationState::Sent);
    assert_eq!(sent.sent_at, Some(w.clock.now()));
    let first = &w.mailer.messages()[0];
    assert_eq!(first.to, "keylian.ace@gmail.com");
    assert_eq!(first.from, "noreply@masociete.fr");
    assert_eq!(first.reply_to.as_deref(), Some("contact@masociete.fr"));
    assert_eq!(
        first.message_id,
        format!("<{notification_id}@masociete.fr>")
    );

    // 5- The billing address changes; a plain resend is refused (already sent), a forced one
    // goes to the new address.
    w.clock.advance(Duration::days(2));
    p.parties()
        .upsert(client_4("compta@moimeme.fr", EInvoicingConsent::Accepted))
        .unwrap();
    let refused = p
        .notifications()
        .resend(notification_id, false)
        .unwrap_err();
    assert_eq!(refused.code(), "invalid_state");
    let forced = p.notifications().resend(notification_id, true).unwrap();
    assert!(forced.forced);
    assert_eq!(forced.resend_of.as_deref(), Some(notification_id.as_str()));
    assert_eq!(forced.recipient, "compta@moimeme.fr");
    p.sync().unwrap();
    assert_eq!(w.mailer.messages()[1].to, "compta@moimeme.fr");

    // 7- The history shows both, newest first, with addresses and states.
    let history = p
        .notifications()
        .history(
            &NotificationFilter {
                party_code: Some("4".into()),
                ..Default::default()
            },
            PageRequest::first(),
        )
        .unwrap();
    let rows: Vec<_> = history
        .items
        .iter()
        .map(|n| (n.recipient.as_str(), n.state, n.forced))
        .collect();
    assert_eq!(
        rows,
        [
            ("compta@moimeme.fr", NotificationState::Sent, true),
            ("keylian.ace@gmail.com", NotificationState::Sent, false)
        ]
    );

    // Publishing again under the same external id changes nothing.
    let again = p
        .documents()
        .publish(
            Publish::client("4", "Factures", "FA-0002.pdf", b"%PDF-1.4 facture".to_vec())
                .kind(DocumentKind::Invoice)
                .external_id("FA-0002"),
        )
        .unwrap();
    assert_eq!(again.id, invoice.id);
    assert_eq!(
        p.notifications()
            .history(&NotificationFilter::default(), PageRequest::first())
            .unwrap()
            .total,
        2
    );
}

#[test]
fn invoice_without_accepted_consent_is_not_on_the_portal() {
    let w = world();
    let p = &w.portal;
    for (code, consent) in [
        ("R", EInvoicingConsent::Requested),
        ("X", EInvoicingConsent::Refused),
    ] {
        p.parties()
            .upsert(
                Party::client(code, "N")
                    .email(EmailRole::Billing, "b@x.fr")
                    .consent(consent),
            )
            .unwrap();
        let d = p
            .documents()
            .publish(
                Publish::client(code, "Factures", "F.pdf", b"%PDF-1.4\nx".to_vec())
                    .kind(DocumentKind::Invoice),
            )
            .unwrap();
        assert_eq!(
            d.notification,
            NotificationDecision::Skipped {
                reason: SkipReason::EInvoicingNotAccepted
            }
        );
        // A quote in a shared folder is fine.
        let q = p
            .documents()
            .publish(
                Publish::client(code, "Devis", "D.pdf", b"%PDF-1.4\ny".to_vec())
                    .kind(DocumentKind::Quote),
            )
            .unwrap();
        assert_eq!(
            q.notification,
            NotificationDecision::Skipped {
                reason: SkipReason::NoAddress(EmailRole::Quotes)
            }
        );
    }
    assert_eq!(p.sync().unwrap().dispatch.sent, 0);
}

#[test]
fn skip_reasons_are_recorded_and_readable() {
    let w = world();
    let p = &w.portal;
    p.parties()
        .upsert(
            Party::client("4", "MOI MEME")
                .email(EmailRole::Main, "m@x.fr")
                .consent(EInvoicingConsent::Accepted),
        )
        .unwrap();
    let d = p
        .documents()
        .publish(
            Publish::client("4", "Factures", "F.pdf", b"%PDF-1.4\nx".to_vec())
                .kind(DocumentKind::Invoice),
        )
        .unwrap();
    let NotificationDecision::Skipped { reason } = d.notification else {
        panic!()
    };
    assert_eq!(reason.to_string(), "no billing address");

    // Folder not notifying.
    let mut f = p.folders().get(Audience::Client, "Contrats").unwrap();
    f.notify = false;
    p.folders().update(f).unwrap();
    let d = p
        .documents()
        .publish(Publish::client(
            "4",
            "Contrats",
            "C.pdf",
            b"%PDF-1.4\nc".to_vec(),
        ))
        .unwrap();
    assert_eq!(
        d.notification,
        NotificationDecision::Skipped {
            reason: SkipReason::FolderDoesNotNotify
        }
    );

    // Folder not shared.
    let mut f = p.folders().get(Audience::Client, "Contrats").unwrap();
    f.shared = false;
    f.notify = true;
    p.folders().update(f).unwrap();
    let d = p
        .documents()
        .publish(Publish::client(
            "4",
            "Contrats",
            "C2.pdf",
            b"%PDF-1.4\nc2".to_vec(),
        ))
        .unwrap();
    assert_eq!(
        d.notification,
        NotificationDecision::Skipped {
            reason: SkipReason::FolderNotShared
        }
    );

    // "Désactiver les notifications clients".
    p.update_settings(|s| s.client.notifications_enabled = false)
        .unwrap();
    let d = p
        .documents()
        .publish(Publish::client(
            "4",
            "A signer/Contrats",
            "S.pdf",
            b"%PDF-1.4\ns".to_vec(),
        ))
        .unwrap();
    assert_eq!(
        d.notification,
        NotificationDecision::Skipped {
            reason: SkipReason::NotificationsDisabled
        }
    );
    assert!(w.mailer.messages().is_empty());
}

#[test]
fn employees_get_payslip_links_on_their_own_portal() {
    let w = world();
    let p = &w.portal;
    p.parties()
        .upsert(Party::employee("S01", "JEAN DUPONT").email(EmailRole::Main, "jean@x.fr"))
        .unwrap();
    let d = p
        .documents()
        .publish(
            Publish::employee(
                "S01",
                "Bulletins",
                "BP-2019-03.pdf",
                b"%PDF-1.4\nbp".to_vec(),
            )
            .kind(DocumentKind::Payslip),
        )
        .unwrap();
    let NotificationDecision::Queued { notification_id } = d.notification else {
        panic!()
    };
    let n = p.notifications().get(&notification_id).unwrap();
    assert_eq!(
        n.link.as_deref(),
        Some("https://masociete.fr/employees/payslips")
    );
    assert!(n.body.contains("espace salarié"), "{}", n.body);
    // The same code on the client side is another party.
    let e = p
        .documents()
        .publish(Publish::client(
            "S01",
            "Factures",
            "F.pdf",
            b"%PDF-1.4\nf".to_vec(),
        ))
        .unwrap_err();
    assert_eq!(e.code(), "not_found");
}

#[test]
fn transient_failures_retry_with_backoff_then_abandon() {
    let w = world();
    let p = &w.portal;
    p.parties()
        .upsert(Party::client("4", "N").email(EmailRole::Main, "m@x.fr"))
        .unwrap();
    let d = p
        .documents()
        .publish(Publish::client(
            "4",
            "Contrats",
            "C.pdf",
            b"%PDF-1.4\nc".to_vec(),
        ))
        .unwrap();
    let NotificationDecision::Queued {
        notification_id: id,
    } = d.notification
    else {
        panic!()
    };
    w.mailer
        .fail_next((0..5).map(|_| MailError::Transient("421 try later".into())));
    let r = p.dispatch(10).unwrap();
    assert_eq!((r.attempted, r.failed), (1, 1));
    // Not due again before the backoff.
    assert_eq!(p.dispatch(10).unwrap().attempted, 0);
    for minutes in [1, 2, 4, 8] {
        w.clock.advance(Duration::minutes(minutes));
        p.dispatch(10).unwrap();
    }
    let n = p.notifications().get(&id).unwrap();
    assert_eq!(n.state, NotificationState::Abandoned);
    assert_eq!(n.attempts.len(), 5);
    assert_eq!(n.last_error(), Some("421 try later"));
    // An abandoned one can be re-sent without force.
    let again = p.notifications().resend(&id, false).unwrap();
    p.sync().unwrap();
    assert_eq!(
        p.notifications().get(&again.id).unwrap().state,
        NotificationState::Sent
    );
}

#[test]
fn cancel_only_while_pending() {
    let w = world();
    let p = &w.portal;
    p.parties()
        .upsert(Party::client("4", "N").email(EmailRole::Main, "m@x.fr"))
        .unwrap();
    let d = p
        .documents()
        .publish(Publish::client(
            "4",
            "Contrats",
            "C.pdf",
            b"%PDF-1.4\nc".to_vec(),
        ))
        .unwrap();
    let NotificationDecision::Queued {
        notification_id: id,
    } = d.notification
    else {
        panic!()
    };
    let c = p.notifications().cancel(&id).unwrap();
    assert_eq!(c.state, NotificationState::Cancelled);
    assert_eq!(p.sync().unwrap().dispatch.attempted, 0);
    assert_eq!(
        p.notifications().cancel(&id).unwrap_err().code(),
        "invalid_state"
    );
    assert_eq!(
        p.notifications().cancel("nope").unwrap_err().code(),
        "not_found"
    );
}

#[test]
fn folders_are_editable_and_only_empty_ones_removed() {
    let w = world();
    let p = &w.portal;
    let added = p
        .folders()
        .add(Folder::new(
            Audience::Client,
            "Attestations/Fiscales",
            "Attestations fiscales",
        ))
        .unwrap();
    assert_eq!(
        p.folders()
            .add(Folder::new(Audience::Client, "Attestations/Fiscales", "X"))
            .unwrap_err()
            .field(),
        Some("path")
    );
    assert_eq!(
        p.folders()
            .add(Folder::new(Audience::Client, "../etc", "X"))
            .unwrap_err()
            .field(),
        Some("path")
    );
    let mut renamed = added.clone();
    renamed.path = "Attestations/Impots".into();
    let renamed = p.folders().update(renamed).unwrap();
    p.parties().upsert(Party::client("4", "N")).unwrap();
    p.documents()
        .publish(Publish::client(
            "4",
            "Attestations/Impots",
            "A.pdf",
            b"%PDF-1.4\na".to_vec(),
        ))
        .unwrap();
    assert_eq!(
        p.folders()
            .remove(Audience::Client, "Attestations/Impots")
            .unwrap_err()
            .code(),
        "invalid_state"
    );
    // A stale copy cannot overwrite the rename.
    assert_eq!(p.folders().update(added).unwrap_err().code(), "conflict");
    p.folders().remove(Audience::Client, "Devis").unwrap();
    assert!(p.folders().get(Audience::Client, "Devis").is_err());
    assert_eq!(renamed.version, 2);
}

#[test]
fn templates_reject_unknown_fields_and_render_custom_text() {
    let w = world();
    let p = &w.portal;
    let mut t = p
        .templates()
        .get(Audience::Client, TemplatePurpose::DocumentAvailable)
        .unwrap();
    assert_eq!(t.version, 0, "shipped default");
    t.subject = "#société# – #document# (#montant#)".into();
    assert_eq!(
        p.templates().save(t.clone()).unwrap_err().field(),
        Some("subject")
    );
    t.subject = "#société# – nouveau : #document#".into();
    t.body = "Bonjour #nom#, lien : #lien# (#domaine#, #date#)".into();
    let saved = p.templates().save(t).unwrap();
    assert_eq!(saved.version, 1);
    assert!(p
        .templates()
        .fields(TemplatePurpose::AccessCredentials)
        .contains(&MergeField::Password));
    p.parties()
        .upsert(Party::client("4", "MOI MEME").email(EmailRole::Main, "m@x.fr"))
        .unwrap();
    let d = p.documents().publish(Publish::client(
        "4",
        "Contrats",
        "C\r\nBcc: x@y.fr.pdf",
        b"%PDF-1.4\nc".to_vec(),
    ));
    assert_eq!(
        d.unwrap_err().field(),
        Some("name"),
        "control characters in names are refused"
    );
    let d = p
        .documents()
        .publish(Publish::client(
            "4",
            "Contrats",
            "Contrat été.pdf",
            b"%PDF-1.4\nc".to_vec(),
        ))
        .unwrap();
    let NotificationDecision::Queued { notification_id } = d.notification else {
        panic!()
    };
    let n = p.notifications().get(&notification_id).unwrap();
    assert_eq!(n.subject, "MA SOCIETE – nouveau : Contrat été.pdf");
    assert_eq!(
        n.body,
        format!("Bonjour MOI MEME, lien : https://masociete.fr/clients (masociete.fr, 08/03/2019)")
    );
    assert_eq!(n.template_version, 1);
}

#[test]
fn eml_outbox_holds_real_messages() {
    let dir = tempfile::tempdir().unwrap();
    let mailer = Arc::new(FileMailer::open(dir.path().join("outbox")).unwrap());
    let p = Portal::builder("t")
        .settings(Settings::new("MA SOCIÉTÉ", "masociete.fr"))
        .mailer(mailer.clone())
        .blobs(Arc::new(FsBlobs::open(dir.path().join("blobs")).unwrap()))
        .build()
        .unwrap();
    p.parties()
        .upsert(Party::client("4", "MOI MEME").email(EmailRole::Main, "keylian.ace@gmail.com"))
        .unwrap();
    let d = p
        .documents()
        .publish(Publish::client(
            "4",
            "Contrats",
            "Contrat.pdf",
            b"%PDF-1.4\n%PDF".to_vec(),
        ))
        .unwrap();
    let NotificationDecision::Queued { notification_id } = d.notification else {
        panic!()
    };
    p.sync().unwrap();
    let eml = mailer.read(&notification_id).unwrap();
    assert!(eml.contains(&format!("Message-ID: <{notification_id}@masociete.fr>")));
    assert!(eml.contains("To: keylian.ace@gmail.com"));
    assert_eq!(p.documents().content(&d.id).unwrap(), b"%PDF-1.4\n%PDF");
}
