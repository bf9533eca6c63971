//! The store conformance suite: every [`Store`] implementation must pass [`run_all`].
//!
//! Like matrix-rust-sdk's `statestore_integration_tests!`, each check takes a fresh store from
//! the factory, so a new implementation (PostgreSQL, a host's own) is tested by one line:
//! `portail::store::conformance::run_all(|| MyStore::new());`. A failing check panics with a
//! message naming it.

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::{AccountFilter, Change, DocumentQuery, Store};
use crate::accounts::{AccessEvent, Account, AccountStatus, Token, TokenPurpose};
use crate::config::{Audience, Settings};
use crate::documents::{Document, DocumentKind, NotificationDecision, PaymentStatus, SkipReason};
use crate::folders::{default_tree, Folder};
use crate::notifications::{Notification, NotificationFilter, NotificationState};
use crate::parties::{EmailRole, Party};
use crate::templates::{Template, TemplatePurpose};

/// Run every check against stores made by `make`.
pub fn run_all<S: Store>(make: impl Fn() -> S) {
    settings_round_trip_and_versions(&make());
    parties_are_keyed_by_audience_and_code(&make());
    folders_unique_path_and_delete(&make());
    templates_per_audience(&make());
    documents_listing_filters_and_pages(&make());
    external_ids_are_unique(&make());
    notifications_history_and_due(&make());
    accounts_identifiers_unique(&make());
    tokens_and_access_events(&make());
    commit_is_atomic(&make());
    tenants_are_walls(&make());
}

/// The instant the checks start from.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 8, 16, 55, 15)
        .single()
        .unwrap_or_default()
}

/// A paid client document of `party` in `folder`, published at [`t0`], never stored.
pub fn sample_document(id: &str, party: &str, folder: &str) -> Document {
    doc(id, party, folder, DocumentKind::Other, t0())
}

fn doc(id: &str, party: &str, folder: &str, kind: DocumentKind, at: DateTime<Utc>) -> Document {
    Document {
        id: id.into(),
        audience: Audience::Client,
        party_code: party.into(),
        folder_id: folder.into(),
        name: format!("{id}.pdf"),
        kind,
        payment: PaymentStatus::Paid,
        sha256: "00".repeat(32),
        size: 3,
        content_type: "application/pdf".into(),
        external_id: None,
        published_at: at,
        notification: NotificationDecision::Skipped {
            reason: SkipReason::FolderDoesNotNotify,
        },
        downloads: 0,
        first_download_at: None,
        last_download_at: None,
        version: 0,
    }
}

fn notif(id: &str, party: &str, at: DateTime<Utc>) -> Notification {
    Notification {
        id: id.into(),
        audience: Audience::Client,
        party_code: party.into(),
        purpose: TemplatePurpose::DocumentAvailable,
        document_id: Some(format!("doc-{id}")),
        account_id: None,
        role: Some(EmailRole::Main),
        recipient: "a@b.fr".into(),
        subject: "s".into(),
        body: "b".into(),
        link: None,
        state: NotificationState::Pending,
        forced: false,
        resend_of: None,
        template_version: 0,
        created_at: at,
        next_attempt_at: at,
        claimed_until: None,
        attempts: vec![],
        sent_at: None,
        holds_secret: false,
        version: 0,
    }
}

fn account(id: &str, party: &str, identifier: &str) -> Account {
    Account {
        id: id.into(),
        audience: Audience::Client,
        party_code: party.into(),
        identifier: identifier.into(),
        identifier_key: identifier.to_lowercase(),
        status: AccountStatus::Draft,
        authorized: true,
        notify_by_email: false,
        draft_password: Some("secret".into()),
        password_hash: None,
        invitation: None,
        credentials_sent_to: None,
        credentials_sent_at: None,
        failed_logins: 0,
        locked_until: None,
        created_at: t0(),
        activated_at: None,
        last_login_at: None,
        needs_sync: true,
        version: 0,
    }
}

fn ok(r: crate::Result<()>, what: &str) {
    if let Err(e) = r {
        panic!("conformance: {what}: unexpected error {e}");
    }
}

fn fails_with(r: crate::Result<()>, code: &str, what: &str) {
    match r {
        Ok(()) => panic!("conformance: {what}: expected {code}, got success"),
        Err(e) => assert_eq!(e.code(), code, "conformance: {what}: {e}"),
    }
}

fn settings_round_trip_and_versions(s: &impl Store) {
    assert_eq!(
        s.settings("t").ok().flatten(),
        None,
        "conformance: no settings at first"
    );
    let set = Settings::new("ACME", "acme.fr");
    ok(
        s.commit("t", &[Change::Settings(set.clone())]),
        "insert settings",
    );
    let got = s
        .settings("t")
        .ok()
        .flatten()
        .expect("conformance: settings saved");
    assert_eq!(got.version, 1, "conformance: version bumped to 1");
    assert_eq!(got.company_name, "ACME");
    fails_with(
        s.commit("t", &[Change::Settings(set)]),
        "conflict",
        "insert settings twice",
    );
    let mut newer = got.clone();
    newer.company_name = "ACME 2".into();
    ok(
        s.commit("t", &[Change::Settings(newer)]),
        "update settings at version 1",
    );
    fails_with(
        s.commit("t", &[Change::Settings(got)]),
        "conflict",
        "stale settings update",
    );
    assert_eq!(
        s.settings("t")
            .ok()
            .flatten()
            .map(|x| (x.company_name, x.version)),
        Some(("ACME 2".into(), 2))
    );
}

fn parties_are_keyed_by_audience_and_code(s: &impl Store) {
    let c = Party::client("4", "MOI MEME").email(EmailRole::Billing, "b@x.fr");
    let e = Party::employee("4", "SALARIE");
    ok(
        s.commit("t", &[Change::Party(c), Change::Party(e)]),
        "same code in both audiences",
    );
    assert_eq!(
        s.party("t", Audience::Client, "4")
            .ok()
            .flatten()
            .map(|p| p.name),
        Some("MOI MEME".into())
    );
    assert_eq!(
        s.party("t", Audience::Employee, "4")
            .ok()
            .flatten()
            .map(|p| p.name),
        Some("SALARIE".into())
    );
    fails_with(
        s.commit("t", &[Change::Party(Party::client("4", "X"))]),
        "conflict",
        "duplicate party",
    );
    let more: Vec<Change> = (0..5)
        .map(|i| Change::Party(Party::client(format!("c{i}"), "N")))
        .collect();
    ok(s.commit("t", &more), "more parties");
    let p1 = s
        .parties("t", Audience::Client, 0, 4)
        .expect("conformance: parties");
    assert_eq!(p1.total, 6, "conformance: 6 client parties");
    assert_eq!(
        p1.items.iter().map(|p| p.code.as_str()).collect::<Vec<_>>(),
        ["4", "c0", "c1", "c2"]
    );
    let p2 = s
        .parties("t", Audience::Client, 4, 4)
        .expect("conformance: parties page 2");
    assert_eq!(p2.items.len(), 2);
}

fn folders_unique_path_and_delete(s: &impl Store) {
    let mut tree = default_tree(Audience::Client);
    for (i, f) in tree.iter_mut().enumerate() {
        f.id = format!("f{i}");
    }
    let changes: Vec<Change> = tree.iter().cloned().map(Change::Folder).collect();
    ok(s.commit("t", &changes), "default tree");
    let got = s
        .folders("t", Audience::Client)
        .expect("conformance: folders");
    assert_eq!(got.len(), 5);
    assert!(
        got.windows(2).all(|w| w[0].path < w[1].path),
        "conformance: folders ordered by path"
    );
    assert!(
        s.folders("t", Audience::Employee)
            .map(|v| v.is_empty())
            .unwrap_or(false),
        "conformance: audience wall on folders"
    );
    let mut dup = Folder::new(Audience::Client, "Factures", "Autre");
    dup.id = "fx".into();
    fails_with(
        s.commit("t", &[Change::Folder(dup)]),
        "conflict",
        "duplicate folder path",
    );
    let f0 = got[0].clone();
    fails_with(
        s.commit(
            "t",
            &[Change::DeleteFolder {
                id: f0.id.clone(),
                version: 0,
            }],
        ),
        "conflict",
        "stale delete",
    );
    ok(
        s.commit(
            "t",
            &[Change::DeleteFolder {
                id: f0.id.clone(),
                version: f0.version,
            }],
        ),
        "delete",
    );
    assert_eq!(
        s.folders("t", Audience::Client)
            .map(|v| v.len())
            .unwrap_or(0),
        4
    );
}

fn templates_per_audience(s: &impl Store) {
    let t = Template::new(
        Audience::Employee,
        TemplatePurpose::DocumentAvailable,
        "S",
        "B #lien#",
    );
    ok(s.commit("t", &[Change::Template(t.clone())]), "template");
    assert!(s
        .templates("t", Audience::Client)
        .map(|v| v.is_empty())
        .unwrap_or(false));
    let got = s
        .templates("t", Audience::Employee)
        .expect("conformance: templates");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].version, 1);
    fails_with(
        s.commit("t", &[Change::Template(t)]),
        "conflict",
        "template inserted twice",
    );
}

fn documents_listing_filters_and_pages(s: &impl Store) {
    let mut changes = Vec::new();
    for i in 0..30 {
        let folder = if i % 3 == 0 { "unshared" } else { "shared" };
        let kind = if i % 5 == 0 {
            DocumentKind::Invoice
        } else {
            DocumentKind::Other
        };
        changes.push(Change::Document(doc(
            &format!("d{i:02}"),
            "4",
            folder,
            kind,
            t0() + Duration::minutes(i),
        )));
    }
    changes.push(Change::Document(doc(
        "other",
        "5",
        "shared",
        DocumentKind::Other,
        t0(),
    )));
    let mut unpaid = doc("unpaid", "6", "shared", DocumentKind::Invoice, t0());
    unpaid.payment = PaymentStatus::Unpaid;
    changes.push(Change::Document(unpaid));
    ok(s.commit("t", &changes), "documents");
    let q = DocumentQuery {
        audience: Audience::Client,
        party_code: "4".into(),
        folder_ids: Some(vec!["shared".into()]),
        include_invoices: false,
        offset: 0,
        limit: 5,
    };
    let p = s.documents("t", &q).expect("conformance: documents");
    // shared: i % 3 != 0 (20 of 30); not invoice: i % 5 != 0 → minus i in {5,10,20,25} = 16.
    assert_eq!(p.total, 16, "conformance: filtered total");
    assert_eq!(
        p.items.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(),
        ["d29", "d28", "d26", "d23", "d22"],
        "conformance: newest first"
    );
    let with_invoices = s
        .documents(
            "t",
            &DocumentQuery {
                include_invoices: true,
                ..q.clone()
            },
        )
        .expect("docs");
    assert_eq!(with_invoices.total, 20);
    let all = s
        .documents(
            "t",
            &DocumentQuery {
                folder_ids: None,
                include_invoices: true,
                offset: 28,
                ..q.clone()
            },
        )
        .expect("docs");
    assert_eq!(
        (all.total, all.items.len()),
        (30, 2),
        "conformance: last page"
    );
    assert_eq!(s.count_documents_in_folder("t", "unshared").ok(), Some(10));
    assert_eq!(
        s.party_has_unpaid("t", Audience::Client, "6").ok(),
        Some(true)
    );
    assert_eq!(
        s.party_has_unpaid("t", Audience::Client, "4").ok(),
        Some(false)
    );
    assert_eq!(
        s.party_has_unpaid("t", Audience::Employee, "6").ok(),
        Some(false),
        "conformance: audience wall on unpaid"
    );
    let mut d = s
        .document("t", "d01")
        .ok()
        .flatten()
        .expect("conformance: document by id");
    assert_eq!(d.version, 1);
    d.downloads = 3;
    ok(
        s.commit("t", &[Change::Document(d.clone())]),
        "document update",
    );
    fails_with(
        s.commit("t", &[Change::Document(d)]),
        "conflict",
        "stale document update",
    );
    assert_eq!(
        s.document("t", "d01")
            .ok()
            .flatten()
            .map(|d| (d.downloads, d.version)),
        Some((3, 2))
    );
}

fn external_ids_are_unique(s: &impl Store) {
    let mut a = doc("a", "4", "f", DocumentKind::Payslip, t0());
    a.external_id = Some("BP-1".into());
    ok(s.commit("t", &[Change::Document(a)]), "external id");
    let mut b = doc("b", "4", "f", DocumentKind::Payslip, t0());
    b.external_id = Some("BP-1".into());
    fails_with(
        s.commit("t", &[Change::Document(b)]),
        "conflict",
        "duplicate external id",
    );
    assert_eq!(
        s.document_by_external_id("t", Audience::Client, "BP-1")
            .ok()
            .flatten()
            .map(|d| d.id),
        Some("a".into())
    );
    assert_eq!(
        s.document_by_external_id("t", Audience::Employee, "BP-1")
            .ok()
            .flatten(),
        None,
        "conformance: audience wall on external ids"
    );
}

fn notifications_history_and_due(s: &impl Store) {
    let mut changes = Vec::new();
    for i in 0..10 {
        let mut n = notif(
            &format!("n{i}"),
            if i < 6 { "4" } else { "5" },
            t0() + Duration::minutes(i),
        );
        if i == 9 {
            n.state = NotificationState::Sent;
        }
        if i == 8 {
            n.next_attempt_at = t0() + Duration::hours(5);
        }
        if i == 7 {
            n.claimed_until = Some(t0() + Duration::hours(1));
        }
        changes.push(Change::Notification(n));
    }
    ok(s.commit("t", &changes), "notifications");
    let f = NotificationFilter {
        party_code: Some("4".into()),
        ..Default::default()
    };
    let p = s
        .notifications("t", &f, 0, 4)
        .expect("conformance: history");
    assert_eq!(p.total, 6);
    assert_eq!(
        p.items.iter().map(|n| n.id.as_str()).collect::<Vec<_>>(),
        ["n5", "n4", "n3", "n2"],
        "conformance: newest first"
    );
    let sent = NotificationFilter {
        state: Some(NotificationState::Sent),
        ..Default::default()
    };
    assert_eq!(
        s.notifications("t", &sent, 0, 10).map(|p| p.total).ok(),
        Some(1)
    );
    let window = NotificationFilter {
        from: Some(t0() + Duration::minutes(2)),
        to: Some(t0() + Duration::minutes(4)),
        ..Default::default()
    };
    assert_eq!(
        s.notifications("t", &window, 0, 10).map(|p| p.total).ok(),
        Some(2),
        "conformance: date window [from, to)"
    );
    let now = t0() + Duration::minutes(30);
    let due = s
        .due_notifications("t", now, 100)
        .expect("conformance: due");
    assert_eq!(
        due.iter().map(|n| n.id.as_str()).collect::<Vec<_>>(),
        ["n0", "n1", "n2", "n3", "n4", "n5", "n6"],
        "conformance: due excludes sent, claimed and backed-off"
    );
    assert_eq!(
        s.due_notifications("t", now, 3).map(|v| v.len()).ok(),
        Some(3)
    );
    let later = s
        .due_notifications("t", t0() + Duration::hours(6), 100)
        .expect("due later");
    assert_eq!(later.len(), 9, "conformance: claims and backoffs expire");
    let mut n0 = due[0].clone();
    n0.state = NotificationState::Sent;
    ok(
        s.commit("t", &[Change::Notification(n0.clone())]),
        "mark sent",
    );
    fails_with(
        s.commit("t", &[Change::Notification(n0)]),
        "conflict",
        "second dispatcher loses",
    );
    assert_eq!(
        s.due_notifications("t", now, 100).map(|v| v.len()).ok(),
        Some(6)
    );
}

fn accounts_identifiers_unique(s: &impl Store) {
    ok(
        s.commit("t", &[Change::Account(account("a1", "4", "Client4"))]),
        "account",
    );
    fails_with(
        s.commit("t", &[Change::Account(account("a2", "5", "client4"))]),
        "identifier_taken",
        "identifier unique, case-insensitive",
    );
    let mut e = account("e1", "4", "client4");
    e.audience = Audience::Employee;
    ok(
        s.commit("t", &[Change::Account(e)]),
        "same identifier, other audience",
    );
    let got = s
        .account_by_identifier("t", Audience::Client, "client4")
        .ok()
        .flatten()
        .expect("conformance: by identifier");
    assert_eq!(got.id, "a1");
    let mut revoked = got.clone();
    revoked.status = AccountStatus::Revoked;
    ok(s.commit("t", &[Change::Account(revoked)]), "revoke");
    assert_eq!(
        s.account_by_identifier("t", Audience::Client, "client4")
            .ok()
            .flatten(),
        None,
        "conformance: revoked frees the identifier"
    );
    ok(
        s.commit("t", &[Change::Account(account("a2", "5", "client4"))]),
        "identifier reused after revoke",
    );
    let f = AccountFilter {
        audience: Some(Audience::Client),
        ..Default::default()
    };
    let p = s.accounts("t", &f, 0, 10).expect("conformance: accounts");
    assert_eq!(
        p.items.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        ["a1", "a2"]
    );
    let drafts = AccountFilter {
        status: Some(AccountStatus::Draft),
        needs_sync: Some(true),
        ..Default::default()
    };
    assert_eq!(
        s.accounts("t", &drafts, 0, 10).map(|p| p.total).ok(),
        Some(2)
    );
    assert_eq!(
        s.account("t", "a2")
            .ok()
            .flatten()
            .and_then(|a| a.draft_password),
        Some("secret".into())
    );
}

fn tokens_and_access_events(s: &impl Store) {
    let tok = Token {
        hash: "ab".repeat(32),
        account_id: "a1".into(),
        audience: Audience::Client,
        purpose: TokenPurpose::PasswordReset,
        created_at: t0(),
        expires_at: t0() + Duration::hours(1),
        used_at: None,
        version: 0,
    };
    ok(s.commit("t", &[Change::Token(tok.clone())]), "token");
    let mut used = s
        .token("t", &tok.hash)
        .ok()
        .flatten()
        .expect("conformance: token");
    used.used_at = Some(t0());
    ok(s.commit("t", &[Change::Token(used.clone())]), "use token");
    fails_with(
        s.commit("t", &[Change::Token(used)]),
        "conflict",
        "token used twice concurrently",
    );
    let events: Vec<Change> = (0..3)
        .map(|i| {
            Change::AccessEvent(AccessEvent {
                id: format!("e{i}"),
                audience: Audience::Client,
                party_code: "4".into(),
                document_id: "d1".into(),
                account_id: "a1".into(),
                at: t0() + Duration::minutes(i),
            })
        })
        .collect();
    ok(s.commit("t", &events), "access events");
    let p = s
        .access_events("t", "d1", 0, 2)
        .expect("conformance: access events");
    assert_eq!(p.total, 3);
    assert_eq!(
        p.items.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
        ["e2", "e1"]
    );
}

fn commit_is_atomic(s: &impl Store) {
    ok(
        s.commit("t", &[Change::Party(Party::client("1", "A"))]),
        "party",
    );
    let n = notif("n1", "1", t0());
    let d = doc("d1", "1", "f", DocumentKind::Other, t0());
    // The third change conflicts: the first two must not be written.
    let r = s.commit(
        "t",
        &[
            Change::Document(d),
            Change::Notification(n),
            Change::Party(Party::client("1", "dup")),
        ],
    );
    fails_with(r, "conflict", "atomic commit");
    assert_eq!(
        s.document("t", "d1").ok().flatten(),
        None,
        "conformance: rolled back document"
    );
    assert_eq!(
        s.notification("t", "n1").ok().flatten(),
        None,
        "conformance: rolled back notification"
    );
    assert_eq!(
        s.due_notifications("t", t0(), 10).map(|v| v.len()).ok(),
        Some(0)
    );
    // Two changes to one record in one commit: the second sees the first.
    let mut a = account("a1", "1", "x");
    ok(
        s.commit(
            "t",
            &[Change::Account(a.clone()), {
                a.version = 1;
                a.status = AccountStatus::Active;
                Change::Account(a)
            }],
        ),
        "two changes of one record",
    );
    assert_eq!(
        s.account("t", "a1")
            .ok()
            .flatten()
            .map(|a| (a.status, a.version)),
        Some((AccountStatus::Active, 2))
    );
}

fn tenants_are_walls(s: &impl Store) {
    ok(
        s.commit(
            "a",
            &[
                Change::Party(Party::client("4", "A")),
                Change::Document(doc("d1", "4", "f", DocumentKind::Other, t0())),
                Change::Notification(notif("n1", "4", t0())),
                Change::Account(account("x", "4", "4")),
            ],
        ),
        "tenant a",
    );
    assert_eq!(s.party("b", Audience::Client, "4").ok().flatten(), None);
    assert_eq!(s.document("b", "d1").ok().flatten(), None);
    assert_eq!(s.notification("b", "n1").ok().flatten(), None);
    assert_eq!(
        s.due_notifications("b", t0(), 10).map(|v| v.len()).ok(),
        Some(0)
    );
    assert_eq!(
        s.account_by_identifier("b", Audience::Client, "4")
            .ok()
            .flatten(),
        None
    );
    // Same keys in another tenant do not collide.
    ok(
        s.commit(
            "b",
            &[
                Change::Party(Party::client("4", "B")),
                Change::Account(account("x", "4", "4")),
            ],
        ),
        "tenant b, same keys",
    );
    assert_eq!(
        s.party("a", Audience::Client, "4")
            .ok()
            .flatten()
            .map(|p| p.name),
        Some("A".into())
    );
}
