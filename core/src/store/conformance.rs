//! The store conformance suite: the checks every [`Store`] implementation must pass.
//!
//! Compiled for portail's own tests and, for hosts, behind the `testing` feature
//! (`portail = { version = "…", features = ["testing"] }` under `[dev-dependencies]`).
//! Like matrix-rust-sdk's `statestore_integration_tests!`, each check is a public function taking
//! a fresh store, and [`store_conformance_tests!`](crate::store_conformance_tests) expands to one
//! named `#[test]` per check, so `cargo test` lists every check by name for every store:
//!
//! ```ignore
//! mod conformance_tests {
//!     portail::store_conformance_tests!(MyStore::new());
//! }
//! ```
//!
//! [`run_all`] runs every check in one call. A check asserts every store result: an unexpected
//! error panics with a message naming the check (`conformance::<check>: …`), and every expected
//! failure asserts its [`crate::Error::code`].

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::{AccountFilter, Change, DocumentQuery, Store};
use crate::records::account::{AccessEvent, Account, AccountStatus, Token, TokenPurpose};
use crate::records::audience::Audience;
use crate::records::document::{
    Document, DocumentKind, NotificationDecision, PaymentStatus, SkipReason,
};
use crate::records::folder::{default_tree, Folder};
use crate::records::notification::{Notification, NotificationFilter, NotificationState};
use crate::records::party::{EmailRole, Party};
use crate::records::settings::Settings;
use crate::records::template::{Template, TemplatePurpose};
use crate::store::{AttemptGate, AttemptState};

/// Expands to one `#[test] fn <check>()` per conformance check, each on a fresh store.
///
/// `$make` is an expression building the store (anything implementing [`Store`]); it is
/// evaluated once per test. A store that needs something alive beside it (a temporary
/// directory) names it first with `let`, and it lives until the test ends:
///
/// ```ignore
/// mod memory_conformance {
///     portail::store_conformance_tests!(portail::MemoryStore::new());
/// }
/// mod sqlite_conformance {
///     portail::store_conformance_tests!(
///         let dir = tempfile::tempdir().expect("temp dir");
///         portail::SqliteStore::open(dir.path().join("check.sqlite3")).expect("open")
///     );
/// }
/// ```
///
/// Available in portail's own tests and with the `testing` feature.
#[macro_export]
macro_rules! store_conformance_tests {
    (let $guard:pat = $guard_expr:expr; $make:expr $(,)?) => {
        $crate::__store_conformance_checks!(__store_conformance_test_fns([let $guard = $guard_expr;] [$make]));
    };
    ($make:expr $(,)?) => {
        $crate::__store_conformance_checks!(__store_conformance_test_fns([] [$make]));
    };
}

/// Calls `$crate::$then!` with its arguments followed by the name of every check: the one list
/// of checks, shared by [`store_conformance_tests!`] and [`run_all`].
#[doc(hidden)]
#[macro_export]
macro_rules! __store_conformance_checks {
    ($then:ident($($args:tt)*)) => {
        $crate::$then! { $($args)*
            settings_round_trip_and_versions
            parties_are_keyed_by_audience_and_code
            folders_unique_path_and_delete
            templates_per_audience
            documents_listing_filters_and_pages
            external_ids_are_unique
            notifications_history_and_due
            accounts_identifiers_unique
            tokens_and_access_events
            commit_is_atomic
            tenants_are_walls
            updates_and_conflicts_of_every_record
            document_updates_move_in_listings
            paging_edge_cases
            ordering_ties_by_id
            notification_filters_and_retries
            account_filters_and_revocation
            walls_on_every_query
            attempts_are_counted_before_verification
            one_live_account_per_party_and_skeleton
            claims_on_the_store_clock
            forget_erased_keeps_every_committed_change
            finishing_a_send_is_one_versioned_write
        }
    };
}

/// One `#[test]` per check (the expansion of [`store_conformance_tests!`]).
#[doc(hidden)]
#[macro_export]
macro_rules! __store_conformance_test_fns {
    ($setup:tt [$make:expr] $($check:ident)+) => {
        $(
            $crate::__store_conformance_test_fn!($setup, $make, $check);
        )+
    };
}

/// One `#[test]`: the setup statements, a fresh store, the check.
#[doc(hidden)]
#[macro_export]
macro_rules! __store_conformance_test_fn {
    ([$($setup:tt)*], $make:expr, $check:ident) => {
        #[test]
        fn $check() {
            $($setup)*
            let store = $make;
            $crate::store::conformance::$check(&store);
        }
    };
}

/// One call per check, each on a fresh store from `$make` (the body of [`run_all`]).
#[doc(hidden)]
#[macro_export]
macro_rules! __store_conformance_run_each {
    ([$make:ident] $($check:ident)+) => {
        $(
            $crate::store::conformance::$check(&$make());
        )+
    };
}

/// Run every check, each against a fresh store made by `make` (one call instead of
/// [`store_conformance_tests!`](crate::store_conformance_tests), whose failures name the check
/// as a test).
pub fn run_all<S: Store>(make: impl Fn() -> S) {
    crate::__store_conformance_checks!(__store_conformance_run_each([make]));
}

/// A store result the check expects to succeed.
trait Must<T> {
    /// The value; an error panics with a message naming the check.
    fn must(self, check: &str) -> T;
}

impl<T> Must<T> for crate::error::Result<T> {
    #[track_caller]
    fn must(self, check: &str) -> T {
        match self {
            Ok(v) => v,
            Err(e) => panic!("conformance::{check}: unexpected error `{}`: {e}", e.code()),
        }
    }
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
        signature: None,
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
        quarantine: None,
        version: 0,
    }
}

/// A draft account of client `party` (for store tests).
pub fn sample_account(id: &str, party: &str, identifier: &str) -> Account {
    account(id, party, identifier)
}

fn account(id: &str, party: &str, identifier: &str) -> Account {
    Account {
        id: id.into(),
        audience: Audience::Client,
        party_code: party.into(),
        identifier: identifier.into(),
        identifier_key: identifier.to_lowercase(),
        identifier_skeleton: None,
        status: AccountStatus::Draft,
        authorized: true,
        notify_by_email: false,
        draft_password: Some("secret".into()),
        password_hash: None,
        invitation: None,
        credentials_sent_to: None,
        credentials_sent_at: None,
        credential_epoch: 0,
        created_at: t0(),
        activated_at: None,
        last_login_at: None,
        needs_sync: true,
        version: 0,
    }
}

#[track_caller]
fn ok(check: &str, r: crate::error::Result<()>, what: &str) {
    if let Err(e) = r {
        panic!(
            "conformance::{check}: {what}: unexpected error `{}`: {e}",
            e.code()
        );
    }
}

#[track_caller]
fn fails_with(check: &str, r: crate::error::Result<()>, code: &str, what: &str) {
    match r {
        Ok(()) => panic!("conformance::{check}: {what}: expected `{code}`, got success"),
        Err(e) => assert_eq!(e.code(), code, "conformance::{check}: {what}: {e}"),
    }
}

/// Settings are absent at first, saved at version 1, and a second insert or a stale update is a `conflict`.
pub fn settings_round_trip_and_versions(s: &dyn Store) {
    const C: &str = "settings_round_trip_and_versions";
    assert_eq!(
        s.settings("t").must(C),
        None,
        "conformance: no settings at first"
    );
    let set = Settings::new("ACME", "acme.fr");
    ok(
        C,
        s.commit("t", &[Change::Settings(set.clone())]),
        "insert settings",
    );
    let got = s
        .settings("t")
        .must(C)
        .expect("conformance: settings saved");
    assert_eq!(got.version, 1, "conformance: version bumped to 1");
    assert_eq!(got.company_name, "ACME");
    fails_with(
        C,
        s.commit("t", &[Change::Settings(set)]),
        "conflict",
        "insert settings twice",
    );
    let mut newer = got.clone();
    newer.company_name = "ACME 2".into();
    ok(
        C,
        s.commit("t", &[Change::Settings(newer)]),
        "update settings at version 1",
    );
    fails_with(
        C,
        s.commit("t", &[Change::Settings(got)]),
        "conflict",
        "stale settings update",
    );
    assert_eq!(
        s.settings("t").must(C).map(|x| (x.company_name, x.version)),
        Some(("ACME 2".into(), 2))
    );
}

/// Parties are keyed by audience and code, a duplicate is a `conflict`, and listings page by code.
pub fn parties_are_keyed_by_audience_and_code(s: &dyn Store) {
    const C: &str = "parties_are_keyed_by_audience_and_code";
    let c = Party::client("4", "MOI MEME").email(EmailRole::Billing, "b@x.fr");
    let e = Party::employee("4", "SALARIE");
    ok(
        C,
        s.commit("t", &[Change::Party(c), Change::Party(e)]),
        "same code in both audiences",
    );
    assert_eq!(
        s.party("t", Audience::Client, "4").must(C).map(|p| p.name),
        Some("MOI MEME".into())
    );
    assert_eq!(
        s.party("t", Audience::Employee, "4")
            .must(C)
            .map(|p| p.name),
        Some("SALARIE".into())
    );
    fails_with(
        C,
        s.commit("t", &[Change::Party(Party::client("4", "X"))]),
        "conflict",
        "duplicate party",
    );
    let more: Vec<Change> = (0..5)
        .map(|i| Change::Party(Party::client(format!("c{i}"), "N")))
        .collect();
    ok(C, s.commit("t", &more), "more parties");
    let p1 = s.parties("t", Audience::Client, 0, 4).must(C);
    assert_eq!(p1.total, 6, "conformance: 6 client parties");
    assert_eq!(
        p1.items.iter().map(|p| p.code.as_str()).collect::<Vec<_>>(),
        ["4", "c0", "c1", "c2"]
    );
    let p2 = s.parties("t", Audience::Client, 4, 4).must(C);
    assert_eq!(p2.items.len(), 2);
}

/// Folders list by path per audience; a duplicate path or a stale delete is a `conflict`.
pub fn folders_unique_path_and_delete(s: &dyn Store) {
    const C: &str = "folders_unique_path_and_delete";
    let mut tree = default_tree(Audience::Client);
    for (i, f) in tree.iter_mut().enumerate() {
        f.id = format!("f{i}");
    }
    let changes: Vec<Change> = tree.iter().cloned().map(Change::Folder).collect();
    ok(C, s.commit("t", &changes), "default tree");
    let got = s.folders("t", Audience::Client).must(C);
    assert_eq!(got.len(), 5);
    assert!(
        got.windows(2).all(|w| w[0].path < w[1].path),
        "conformance: folders ordered by path"
    );
    assert!(
        s.folders("t", Audience::Employee).must(C).is_empty(),
        "conformance: audience wall on folders"
    );
    let mut dup = Folder::new(Audience::Client, "Factures", "Autre");
    dup.id = "fx".into();
    fails_with(
        C,
        s.commit("t", &[Change::Folder(dup)]),
        "conflict",
        "duplicate folder path",
    );
    let f0 = got[0].clone();
    fails_with(
        C,
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
        C,
        s.commit(
            "t",
            &[Change::DeleteFolder {
                id: f0.id.clone(),
                version: f0.version,
            }],
        ),
        "delete",
    );
    assert_eq!(s.folders("t", Audience::Client).must(C).len(), 4);
}

/// Templates are per audience, saved at version 1; a second insert is a `conflict`.
pub fn templates_per_audience(s: &dyn Store) {
    const C: &str = "templates_per_audience";
    let t = Template::new(
        Audience::Employee,
        TemplatePurpose::DocumentAvailable,
        "S",
        "B #lien#",
    );
    ok(C, s.commit("t", &[Change::Template(t.clone())]), "template");
    assert!(s.templates("t", Audience::Client).must(C).is_empty());
    let got = s.templates("t", Audience::Employee).must(C);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].version, 1);
    fails_with(
        C,
        s.commit("t", &[Change::Template(t)]),
        "conflict",
        "template inserted twice",
    );
}

/// Document listings filter by folder and kind, page newest first; counts and the unpaid flag respect the audience; a stale update is a `conflict`.
pub fn documents_listing_filters_and_pages(s: &dyn Store) {
    const C: &str = "documents_listing_filters_and_pages";
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
    ok(C, s.commit("t", &changes), "documents");
    let q = DocumentQuery {
        audience: Audience::Client,
        party_code: "4".into(),
        folder_ids: Some(vec!["shared".into()]),
        include_invoices: false,
        offset: 0,
        limit: 5,
    };
    let p = s.documents("t", &q).must(C);
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
        .must(C);
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
        .must(C);
    assert_eq!(
        (all.total, all.items.len()),
        (30, 2),
        "conformance: last page"
    );
    assert_eq!(s.count_documents_in_folder("t", "unshared").must(C), 10);
    assert!(s.party_has_unpaid("t", Audience::Client, "6").must(C));
    assert!(!s.party_has_unpaid("t", Audience::Client, "4").must(C));
    assert!(
        !s.party_has_unpaid("t", Audience::Employee, "6").must(C),
        "conformance: audience wall on unpaid"
    );
    let mut d = s
        .document("t", "d01")
        .must(C)
        .expect("conformance: document by id");
    assert_eq!(d.version, 1);
    d.downloads = 3;
    ok(
        C,
        s.commit("t", &[Change::Document(d.clone())]),
        "document update",
    );
    fails_with(
        C,
        s.commit("t", &[Change::Document(d)]),
        "conflict",
        "stale document update",
    );
    assert_eq!(
        s.document("t", "d01")
            .must(C)
            .map(|d| (d.downloads, d.version)),
        Some((3, 2))
    );
}

/// A host's external id names one document per audience; a duplicate is a `conflict`.
pub fn external_ids_are_unique(s: &dyn Store) {
    const C: &str = "external_ids_are_unique";
    let mut a = doc("a", "4", "f", DocumentKind::Payslip, t0());
    a.external_id = Some("BP-1".into());
    ok(C, s.commit("t", &[Change::Document(a)]), "external id");
    let mut b = doc("b", "4", "f", DocumentKind::Payslip, t0());
    b.external_id = Some("BP-1".into());
    fails_with(
        C,
        s.commit("t", &[Change::Document(b)]),
        "conflict",
        "duplicate external id",
    );
    assert_eq!(
        s.document_by_external_id("t", Audience::Client, "BP-1")
            .must(C)
            .map(|d| d.id),
        Some("a".into())
    );
    assert_eq!(
        s.document_by_external_id("t", Audience::Employee, "BP-1")
            .must(C),
        None,
        "conformance: audience wall on external ids"
    );
}

/// Notification history filters and pages newest first; due rows exclude sent, claimed and backed-off ones; the second dispatcher's write is a `conflict`.
pub fn notifications_history_and_due(s: &dyn Store) {
    const C: &str = "notifications_history_and_due";
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
    ok(C, s.commit("t", &changes), "notifications");
    let f = NotificationFilter {
        party_code: Some("4".into()),
        ..Default::default()
    };
    let p = s.notifications("t", &f, 0, 4).must(C);
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
        s.notifications("t", &sent, 0, 10).map(|p| p.total).must(C),
        1
    );
    let window = NotificationFilter {
        from: Some(t0() + Duration::minutes(2)),
        to: Some(t0() + Duration::minutes(4)),
        ..Default::default()
    };
    assert_eq!(
        s.notifications("t", &window, 0, 10)
            .map(|p| p.total)
            .must(C),
        2,
        "conformance: date window [from, to)"
    );
    let now = t0() + Duration::minutes(30);
    let due = s.due_notifications("t", now, 100).must(C);
    assert_eq!(
        due.iter().map(|n| n.id.as_str()).collect::<Vec<_>>(),
        ["n0", "n1", "n2", "n3", "n4", "n5", "n6"],
        "conformance: due excludes sent, claimed and backed-off"
    );
    assert_eq!(s.due_notifications("t", now, 3).map(|v| v.len()).must(C), 3);
    let later = s
        .due_notifications("t", t0() + Duration::hours(6), 100)
        .must(C);
    assert_eq!(later.len(), 9, "conformance: claims and backoffs expire");
    let mut n0 = due[0].clone();
    n0.state = NotificationState::Sent;
    ok(
        C,
        s.commit("t", &[Change::Notification(n0.clone())]),
        "mark sent",
    );
    fails_with(
        C,
        s.commit("t", &[Change::Notification(n0)]),
        "conflict",
        "second dispatcher loses",
    );
    assert_eq!(
        s.due_notifications("t", now, 100).map(|v| v.len()).must(C),
        6
    );
}

/// Identifiers are unique per audience, case-insensitively (`identifier_taken`), and a revoked account frees its identifier.
pub fn accounts_identifiers_unique(s: &dyn Store) {
    const C: &str = "accounts_identifiers_unique";
    ok(
        C,
        s.commit("t", &[Change::Account(account("a1", "4", "Client4"))]),
        "account",
    );
    fails_with(
        C,
        s.commit("t", &[Change::Account(account("a2", "5", "client4"))]),
        "identifier_taken",
        "identifier unique, case-insensitive",
    );
    let mut e = account("e1", "4", "client4");
    e.audience = Audience::Employee;
    ok(
        C,
        s.commit("t", &[Change::Account(e)]),
        "same identifier, other audience",
    );
    let got = s
        .account_by_identifier("t", Audience::Client, "client4")
        .must(C)
        .expect("conformance: by identifier");
    assert_eq!(got.id, "a1");
    let mut revoked = got.clone();
    revoked.status = AccountStatus::Revoked;
    ok(C, s.commit("t", &[Change::Account(revoked)]), "revoke");
    assert_eq!(
        s.account_by_identifier("t", Audience::Client, "client4")
            .must(C),
        None,
        "conformance: revoked frees the identifier"
    );
    ok(
        C,
        s.commit("t", &[Change::Account(account("a2", "5", "client4"))]),
        "identifier reused after revoke",
    );
    let f = AccountFilter {
        audience: Some(Audience::Client),
        ..Default::default()
    };
    let p = s.accounts("t", &f, 0, 10).must(C);
    assert_eq!(
        p.items.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        ["a1", "a2"]
    );
    let drafts = AccountFilter {
        status: Some(AccountStatus::Draft),
        needs_sync: Some(true),
        ..Default::default()
    };
    assert_eq!(s.accounts("t", &drafts, 0, 10).map(|p| p.total).must(C), 2);
    assert_eq!(
        s.account("t", "a2").must(C).and_then(|a| a.draft_password),
        Some("secret".into())
    );
}

/// Tokens are versioned (using one twice concurrently is a `conflict`); access events page newest first.
pub fn tokens_and_access_events(s: &dyn Store) {
    const C: &str = "tokens_and_access_events";
    let tok = Token {
        hash: "ab".repeat(32),
        account_id: "a1".into(),
        audience: Audience::Client,
        purpose: TokenPurpose::PasswordReset,
        created_at: t0(),
        expires_at: t0() + Duration::hours(1),
        used_at: None,
        epoch: 0,
        version: 0,
    };
    ok(C, s.commit("t", &[Change::Token(tok.clone())]), "token");
    let mut used = s.token("t", &tok.hash).must(C).expect("conformance: token");
    used.used_at = Some(t0());
    ok(
        C,
        s.commit("t", &[Change::Token(used.clone())]),
        "use token",
    );
    fails_with(
        C,
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
    ok(C, s.commit("t", &events), "access events");
    let p = s.access_events("t", "d1", 0, 2).must(C);
    assert_eq!(p.total, 3);
    assert_eq!(
        p.items.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
        ["e2", "e1"]
    );
}

/// A commit with one failing change writes nothing; two changes of one record in one commit see each other.
pub fn commit_is_atomic(s: &dyn Store) {
    const C: &str = "commit_is_atomic";
    ok(
        C,
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
    fails_with(C, r, "conflict", "atomic commit");
    assert_eq!(
        s.document("t", "d1").must(C),
        None,
        "conformance: rolled back document"
    );
    assert_eq!(
        s.notification("t", "n1").must(C),
        None,
        "conformance: rolled back notification"
    );
    assert_eq!(
        s.due_notifications("t", t0(), 10).map(|v| v.len()).must(C),
        0
    );
    // Two changes to one record in one commit: the second sees the first.
    let mut a = account("a1", "1", "x");
    ok(
        C,
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
        s.account("t", "a1").must(C).map(|a| (a.status, a.version)),
        Some((AccountStatus::Active, 2))
    );
}

/// No read crosses tenants, and the same keys in two tenants never collide.
pub fn tenants_are_walls(s: &dyn Store) {
    const C: &str = "tenants_are_walls";
    ok(
        C,
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
    assert_eq!(s.party("b", Audience::Client, "4").must(C), None);
    assert_eq!(s.document("b", "d1").must(C), None);
    assert_eq!(s.notification("b", "n1").must(C), None);
    assert_eq!(
        s.due_notifications("b", t0(), 10).map(|v| v.len()).must(C),
        0
    );
    assert_eq!(
        s.account_by_identifier("b", Audience::Client, "4").must(C),
        None
    );
    // Same keys in another tenant do not collide.
    ok(
        C,
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
        s.party("a", Audience::Client, "4").must(C).map(|p| p.name),
        Some("A".into())
    );
}

fn ids<T>(items: &[T], id: impl Fn(&T) -> &str) -> Vec<String> {
    items.iter().map(|x| id(x).to_string()).collect()
}

/// Every record kind updates at its version and refuses a stale version or a second insert with `conflict`.
pub fn updates_and_conflicts_of_every_record(s: &dyn Store) {
    const C: &str = "updates_and_conflicts_of_every_record";
    ok(C, s.commit("t", &[]), "empty commit");
    // Party: update at its version, stale update refused.
    ok(
        C,
        s.commit("t", &[Change::Party(Party::client("4", "A"))]),
        "party",
    );
    let p1 = s.party("t", Audience::Client, "4").must(C).expect("party");
    let mut p2 = p1.clone();
    p2.name = "B".into();
    ok(C, s.commit("t", &[Change::Party(p2)]), "party update");
    fails_with(
        C,
        s.commit("t", &[Change::Party(p1)]),
        "conflict",
        "stale party",
    );
    assert_eq!(
        s.party("t", Audience::Client, "4")
            .must(C)
            .map(|p| (p.name, p.version)),
        Some(("B".into(), 2))
    );
    // Folder: rename, rename onto another's path, stale update, delete of a missing one.
    let mut a = Folder::new(Audience::Client, "A", "A");
    a.id = "fa".into();
    let mut b = Folder::new(Audience::Client, "B", "B");
    b.id = "fb".into();
    ok(
        C,
        s.commit("t", &[Change::Folder(a), Change::Folder(b)]),
        "folders",
    );
    let fa = s.folders("t", Audience::Client).must(C)[0].clone();
    let mut onto_b = fa.clone();
    onto_b.path = "B".into();
    fails_with(
        C,
        s.commit("t", &[Change::Folder(onto_b)]),
        "conflict",
        "rename onto a used path",
    );
    let mut renamed = fa.clone();
    renamed.path = "C".into();
    ok(C, s.commit("t", &[Change::Folder(renamed)]), "rename");
    fails_with(
        C,
        s.commit("t", &[Change::Folder(fa)]),
        "conflict",
        "stale folder",
    );
    let mut again = Folder::new(Audience::Client, "A", "A again");
    again.id = "fa2".into();
    ok(
        C,
        s.commit("t", &[Change::Folder(again)]),
        "a freed path is reusable",
    );
    let mut same_id = Folder::new(Audience::Client, "D", "D");
    same_id.id = "fb".into();
    fails_with(
        C,
        s.commit("t", &[Change::Folder(same_id)]),
        "conflict",
        "folder id inserted twice",
    );
    fails_with(
        C,
        s.commit(
            "t",
            &[Change::DeleteFolder {
                id: "missing".into(),
                version: 1,
            }],
        ),
        "conflict",
        "delete of a missing folder",
    );
    assert_eq!(
        s.folders("t", Audience::Client)
            .map(|v| v
                .iter()
                .map(|f| (f.path.clone(), f.version))
                .collect::<Vec<_>>())
            .must(C),
        vec![("A".into(), 1), ("B".into(), 1), ("C".into(), 2)]
    );
    // Template: update, stale.
    let t = Template::new(
        Audience::Client,
        TemplatePurpose::PasswordReset,
        "S",
        "B #lien#",
    );
    ok(C, s.commit("t", &[Change::Template(t)]), "template");
    let t1 = s.templates("t", Audience::Client).must(C)[0].clone();
    let mut t2 = t1.clone();
    t2.subject = "S2".into();
    ok(C, s.commit("t", &[Change::Template(t2)]), "template update");
    fails_with(
        C,
        s.commit("t", &[Change::Template(t1)]),
        "conflict",
        "stale template",
    );
    let more = Template::new(
        Audience::Client,
        TemplatePurpose::DocumentAvailable,
        "D",
        "#lien#",
    );
    ok(
        C,
        s.commit("t", &[Change::Template(more)]),
        "second template",
    );
    let mut got: Vec<(TemplatePurpose, String, u64)> = s
        .templates("t", Audience::Client)
        .must(C)
        .into_iter()
        .map(|t| (t.purpose, t.subject, t.version))
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            (TemplatePurpose::DocumentAvailable, "D".into(), 1),
            (TemplatePurpose::PasswordReset, "S2".into(), 2)
        ]
    );
    // Document and notification ids inserted twice.
    let d = doc("d1", "4", "f", DocumentKind::Other, t0());
    ok(C, s.commit("t", &[Change::Document(d.clone())]), "document");
    fails_with(
        C,
        s.commit("t", &[Change::Document(d)]),
        "conflict",
        "document id twice",
    );
    let n = notif("n1", "4", t0());
    ok(
        C,
        s.commit("t", &[Change::Notification(n.clone())]),
        "notification",
    );
    fails_with(
        C,
        s.commit("t", &[Change::Notification(n)]),
        "conflict",
        "notification id twice",
    );
    let mut n1 = s.notification("t", "n1").must(C).expect("notification");
    assert_eq!(n1.version, 1);
    n1.subject = "changed".into();
    ok(
        C,
        s.commit("t", &[Change::Notification(n1.clone())]),
        "notification update",
    );
    assert_eq!(
        s.notification("t", "n1")
            .must(C)
            .map(|n| (n.subject, n.version)),
        Some(("changed".into(), 2))
    );
    // Account: stale update, id twice (a stale version wins over a taken identifier).
    ok(
        C,
        s.commit("t", &[Change::Account(account("a1", "4", "id1"))]),
        "account",
    );
    let a1 = s.account("t", "a1").must(C).expect("account");
    let mut a2 = a1.clone();
    a2.authorized = false;
    ok(C, s.commit("t", &[Change::Account(a2)]), "account update");
    fails_with(
        C,
        s.commit("t", &[Change::Account(a1)]),
        "conflict",
        "stale account",
    );
    fails_with(
        C,
        s.commit("t", &[Change::Account(account("a1", "4", "id1"))]),
        "conflict",
        "account id twice",
    );
    // Token inserted twice.
    let tok = Token {
        hash: "cd".repeat(32),
        account_id: "a1".into(),
        audience: Audience::Client,
        purpose: TokenPurpose::Invitation,
        created_at: t0(),
        expires_at: t0() + Duration::days(7),
        used_at: None,
        epoch: 0,
        version: 0,
    };
    ok(C, s.commit("t", &[Change::Token(tok.clone())]), "token");
    fails_with(
        C,
        s.commit("t", &[Change::Token(tok)]),
        "conflict",
        "token twice",
    );
    assert_eq!(
        s.token("t", &"cd".repeat(32)).must(C).map(|t| t.version),
        Some(1)
    );
    assert_eq!(s.token("t", &"ef".repeat(32)).must(C), None);
}

/// An updated document moves in every listing, count and index its changed fields put it in.
pub fn document_updates_move_in_listings(s: &dyn Store) {
    const C: &str = "document_updates_move_in_listings";
    let mut a = doc("a", "4", "f", DocumentKind::Other, t0());
    a.external_id = Some("X-A".into());
    let mut b = doc(
        "b",
        "4",
        "f",
        DocumentKind::Other,
        t0() + Duration::minutes(1),
    );
    b.external_id = Some("X-B".into());
    ok(
        C,
        s.commit("t", &[Change::Document(a), Change::Document(b)]),
        "documents",
    );
    let q = DocumentQuery {
        audience: Audience::Client,
        party_code: "4".into(),
        folder_ids: None,
        include_invoices: true,
        offset: 0,
        limit: 10,
    };
    let list = |s: &dyn Store, party: &str| {
        s.documents(
            "t",
            &DocumentQuery {
                party_code: party.into(),
                ..q.clone()
            },
        )
        .map(|p| ids(&p.items, |d| &d.id))
        .must(C)
    };
    assert_eq!(list(s, "4"), ["b", "a"]);
    // Re-dated, moved to another folder, marked unpaid, made an invoice.
    let mut a1 = s.document("t", "a").must(C).expect("a");
    a1.published_at = t0() + Duration::minutes(2);
    a1.folder_id = "g".into();
    a1.payment = PaymentStatus::Unpaid;
    a1.kind = DocumentKind::Invoice;
    ok(C, s.commit("t", &[Change::Document(a1)]), "document update");
    assert_eq!(list(s, "4"), ["a", "b"]);
    assert_eq!(s.count_documents_in_folder("t", "f").must(C), 1);
    assert_eq!(s.count_documents_in_folder("t", "g").must(C), 1);
    assert!(s.party_has_unpaid("t", Audience::Client, "4").must(C));
    assert_eq!(
        s.documents(
            "t",
            &DocumentQuery {
                include_invoices: false,
                ..q.clone()
            }
        )
        .map(|p| p.total)
        .must(C),
        1
    );
    assert_eq!(
        s.documents(
            "t",
            &DocumentQuery {
                folder_ids: Some(vec![]),
                ..q.clone()
            }
        )
        .map(|p| p.total)
        .must(C),
        0,
        "conformance: no folder, no document"
    );
    // Taking another document's external id is refused; changing one's own frees the old.
    let mut b1 = s.document("t", "b").must(C).expect("b");
    b1.external_id = Some("X-A".into());
    fails_with(
        C,
        s.commit("t", &[Change::Document(b1.clone())]),
        "conflict",
        "external id taken",
    );
    b1.external_id = Some("X-C".into());
    b1.party_code = "5".into();
    ok(
        C,
        s.commit("t", &[Change::Document(b1)]),
        "external id changed, party moved",
    );
    assert_eq!(
        s.document_by_external_id("t", Audience::Client, "X-B")
            .must(C),
        None
    );
    assert_eq!(
        s.document_by_external_id("t", Audience::Client, "X-C")
            .must(C)
            .map(|d| d.id),
        Some("b".into())
    );
    assert_eq!(list(s, "4"), ["a"]);
    assert_eq!(list(s, "5"), ["b"]);
    // Paid again: nothing unpaid left.
    let mut a2 = s.document("t", "a").must(C).expect("a");
    a2.payment = PaymentStatus::Paid;
    ok(C, s.commit("t", &[Change::Document(a2)]), "paid");
    assert!(!s.party_has_unpaid("t", Audience::Client, "4").must(C));
}

/// Paging at zero limits, past the end and at the integer bounds returns the right slice and total.
pub fn paging_edge_cases(s: &dyn Store) {
    const C: &str = "paging_edge_cases";
    let mut changes = Vec::new();
    for i in 0..5 {
        changes.push(Change::Party(Party::client(format!("p{i}"), "N")));
        changes.push(Change::Document(doc(
            &format!("d{i}"),
            "p0",
            "f",
            DocumentKind::Other,
            t0() + Duration::minutes(i),
        )));
        changes.push(Change::Notification(notif(
            &format!("n{i}"),
            "p0",
            t0() + Duration::minutes(i),
        )));
        changes.push(Change::Account(account(
            &format!("a{i}"),
            &format!("p{i}"),
            &format!("id{i}"),
        )));
        changes.push(Change::AccessEvent(AccessEvent {
            id: format!("e{i}"),
            audience: Audience::Client,
            party_code: "p0".into(),
            document_id: "d0".into(),
            account_id: "a0".into(),
            at: t0() + Duration::minutes(i),
        }));
    }
    ok(C, s.commit("t", &changes), "paging data");
    let q = DocumentQuery {
        audience: Audience::Client,
        party_code: "p0".into(),
        folder_ids: None,
        include_invoices: true,
        offset: 0,
        limit: 0,
    };
    for (offset, limit, len) in [
        (0u64, 0u32, 0usize),
        (4, 10, 1),
        (5, 10, 0),
        (6, 1, 0),
        (u64::MAX, 5, 0),
        (0, u32::MAX, 5),
    ] {
        let what = format!("conformance: offset {offset} limit {limit}");
        let p = s.parties("t", Audience::Client, offset, limit).must(C);
        assert_eq!(
            (p.items.len(), p.total, p.offset, p.limit),
            (len, 5, offset, limit),
            "{what} parties"
        );
        let d = s
            .documents(
                "t",
                &DocumentQuery {
                    offset,
                    limit,
                    ..q.clone()
                },
            )
            .must(C);
        assert_eq!(
            (d.items.len(), d.total, d.offset, d.limit),
            (len, 5, offset, limit),
            "{what} documents"
        );
        let n = s
            .notifications("t", &NotificationFilter::default(), offset, limit)
            .must(C);
        assert_eq!((n.items.len(), n.total), (len, 5), "{what} notifications");
        let a = s
            .accounts("t", &AccountFilter::default(), offset, limit)
            .must(C);
        assert_eq!((a.items.len(), a.total), (len, 5), "{what} accounts");
        let e = s.access_events("t", "d0", offset, limit).must(C);
        assert_eq!((e.items.len(), e.total), (len, 5), "{what} access events");
    }
    assert_eq!(
        s.due_notifications("t", t0() + Duration::hours(1), 0)
            .map(|v| v.len())
            .must(C),
        0
    );
    assert_eq!(
        s.parties("t", Audience::Client, 4, 10)
            .map(|p| ids(&p.items, |x| &x.code))
            .must(C),
        ["p4"]
    );
    assert_eq!(
        s.documents(
            "t",
            &DocumentQuery {
                offset: 3,
                limit: 1,
                ..q.clone()
            }
        )
        .map(|p| ids(&p.items, |x| &x.id))
        .must(C),
        ["d1"]
    );
    // Nothing for an unknown party or document.
    assert_eq!(
        s.documents(
            "t",
            &DocumentQuery {
                party_code: "zz".into(),
                limit: 5,
                ..q
            }
        )
        .map(|p| p.total)
        .must(C),
        0
    );
    assert_eq!(s.access_events("t", "zz", 0, 5).map(|p| p.total).must(C), 0);
}

/// Equal timestamps are ordered by id, in each listing's direction.
pub fn ordering_ties_by_id(s: &dyn Store) {
    const C: &str = "ordering_ties_by_id";
    let mut changes = Vec::new();
    for id in ["m", "z", "a"] {
        changes.push(Change::Document(doc(
            id,
            "4",
            "f",
            DocumentKind::Other,
            t0(),
        )));
        changes.push(Change::Notification(notif(id, "4", t0())));
        // Revoked: several accounts of one party, none holding its live slot.
        let mut a = account(id, "4", &format!("x{id}"));
        a.status = AccountStatus::Revoked;
        changes.push(Change::Account(a));
        changes.push(Change::AccessEvent(AccessEvent {
            id: id.into(),
            audience: Audience::Client,
            party_code: "4".into(),
            document_id: "d".into(),
            account_id: "x".into(),
            at: t0(),
        }));
    }
    // One a nanosecond later sorts by time first.
    changes.push(Change::Document(doc(
        "b",
        "4",
        "f",
        DocumentKind::Other,
        t0() + Duration::nanoseconds(1),
    )));
    ok(C, s.commit("t", &changes), "ties");
    let q = DocumentQuery {
        audience: Audience::Client,
        party_code: "4".into(),
        folder_ids: None,
        include_invoices: true,
        offset: 0,
        limit: 10,
    };
    assert_eq!(
        s.documents("t", &q)
            .map(|p| ids(&p.items, |d| &d.id))
            .must(C),
        ["b", "z", "m", "a"],
        "conformance: documents newest first, then id desc"
    );
    assert_eq!(
        s.notifications("t", &NotificationFilter::default(), 0, 10)
            .map(|p| ids(&p.items, |n| &n.id))
            .must(C),
        ["z", "m", "a"],
        "conformance: history ties by id desc"
    );
    assert_eq!(
        s.due_notifications("t", t0(), 10)
            .map(|v| ids(&v, |n| &n.id))
            .must(C),
        ["a", "m", "z"],
        "conformance: due ties by id asc"
    );
    assert_eq!(
        s.accounts("t", &AccountFilter::default(), 0, 10)
            .map(|p| ids(&p.items, |a| &a.id))
            .must(C),
        ["a", "m", "z"],
        "conformance: accounts ties by id asc"
    );
    assert_eq!(
        s.access_events("t", "d", 0, 10)
            .map(|p| ids(&p.items, |e| &e.id))
            .must(C),
        ["z", "m", "a"],
        "conformance: downloads ties by id desc"
    );
}

/// Every notification filter, alone and together; failed rows are due after their backoff, cancelled ones never, expired claims again.
pub fn notification_filters_and_retries(s: &dyn Store) {
    const C: &str = "notification_filters_and_retries";
    let mut e = notif("e1", "4", t0());
    e.audience = Audience::Employee;
    e.document_id = Some("doc-x".into());
    let mut c = notif("c1", "4", t0() + Duration::minutes(1));
    c.document_id = Some("doc-x".into());
    let c2 = notif("c2", "5", t0() + Duration::minutes(2));
    ok(
        C,
        s.commit(
            "t",
            &[
                Change::Notification(e),
                Change::Notification(c),
                Change::Notification(c2),
            ],
        ),
        "notifications",
    );
    let total = |f: NotificationFilter| {
        s.notifications("t", &f, 0, 10)
            .map(|p| ids(&p.items, |n| &n.id))
            .must(C)
    };
    assert_eq!(
        total(NotificationFilter {
            audience: Some(Audience::Employee),
            ..Default::default()
        }),
        ["e1"]
    );
    assert_eq!(
        total(NotificationFilter {
            document_id: Some("doc-x".into()),
            ..Default::default()
        }),
        ["c1", "e1"]
    );
    assert_eq!(
        total(NotificationFilter {
            audience: Some(Audience::Client),
            party_code: Some("4".into()),
            state: Some(NotificationState::Pending),
            from: Some(t0()),
            to: Some(t0() + Duration::minutes(2)),
            ..Default::default()
        }),
        ["c1"],
        "conformance: every filter at once"
    );
    // A transient failure: Failed, retried after a backoff; then cancelled: never due.
    let mut c1 = s.notification("t", "c1").must(C).expect("c1");
    c1.state = NotificationState::Failed;
    c1.next_attempt_at = t0() + Duration::minutes(30);
    ok(C, s.commit("t", &[Change::Notification(c1)]), "failed");
    let due = |at| {
        s.due_notifications("t", at, 10)
            .map(|v| ids(&v, |n| &n.id))
            .must(C)
    };
    assert_eq!(due(t0() + Duration::minutes(10)), ["e1", "c2"]);
    assert_eq!(due(t0() + Duration::minutes(30)), ["e1", "c2", "c1"]);
    let mut c1 = s.notification("t", "c1").must(C).expect("c1");
    c1.state = NotificationState::Cancelled;
    ok(C, s.commit("t", &[Change::Notification(c1)]), "cancelled");
    assert_eq!(due(t0() + Duration::hours(1)), ["e1", "c2"]);
    // A claim that expired exactly now is due again.
    let mut e1 = s.notification("t", "e1").must(C).expect("e1");
    e1.claimed_until = Some(t0() + Duration::minutes(5));
    ok(C, s.commit("t", &[Change::Notification(e1)]), "claimed");
    assert_eq!(due(t0() + Duration::minutes(4)), ["c2"]);
    assert_eq!(due(t0() + Duration::minutes(5)), ["e1", "c2"]);
}

/// Account filters; renaming or un-revoking onto a used identifier is `identifier_taken`; revoked accounts still update.
pub fn account_filters_and_revocation(s: &dyn Store) {
    const C: &str = "account_filters_and_revocation";
    let mut b = account("b", "5", "Shared");
    b.needs_sync = false;
    b.status = AccountStatus::Active;
    let mut e = account("e", "4", "emp");
    e.audience = Audience::Employee;
    ok(
        C,
        s.commit(
            "t",
            &[
                Change::Account(account("a", "4", "mine")),
                Change::Account(b),
                Change::Account(e),
            ],
        ),
        "accounts",
    );
    let list = |f: AccountFilter| {
        s.accounts("t", &f, 0, 10)
            .map(|p| ids(&p.items, |a| &a.id))
            .must(C)
    };
    assert_eq!(list(AccountFilter::default()), ["a", "b", "e"]);
    assert_eq!(
        list(AccountFilter {
            party_code: Some("4".into()),
            ..Default::default()
        }),
        ["a", "e"]
    );
    assert_eq!(
        list(AccountFilter {
            needs_sync: Some(false),
            ..Default::default()
        }),
        ["b"]
    );
    assert_eq!(
        list(AccountFilter {
            status: Some(AccountStatus::Active),
            ..Default::default()
        }),
        ["b"]
    );
    assert_eq!(
        list(AccountFilter {
            audience: Some(Audience::Employee),
            party_code: Some("4".into()),
            ..Default::default()
        }),
        ["e"]
    );
    // Renaming onto a used identifier is refused; revoked accounts keep theirs without blocking.
    let mut a = s.account("t", "a").must(C).expect("a");
    a.identifier = "SHARED".into();
    a.identifier_key = "shared".into();
    fails_with(
        C,
        s.commit("t", &[Change::Account(a)]),
        "identifier_taken",
        "rename onto a used identifier",
    );
    let mut b = s.account("t", "b").must(C).expect("b");
    b.status = AccountStatus::Revoked;
    ok(C, s.commit("t", &[Change::Account(b)]), "revoke b");
    ok(
        C,
        s.commit("t", &[Change::Account(account("c", "6", "shared"))]),
        "identifier reused",
    );
    let mut b = s.account("t", "b").must(C).expect("b");
    b.credential_epoch = 3;
    ok(
        C,
        s.commit("t", &[Change::Account(b.clone())]),
        "a revoked account still updates",
    );
    b.version += 1;
    b.status = AccountStatus::Active;
    fails_with(
        C,
        s.commit("t", &[Change::Account(b)]),
        "identifier_taken",
        "un-revoke onto a used identifier",
    );
    assert_eq!(
        s.account_by_identifier("t", Audience::Client, "shared")
            .must(C)
            .map(|a| a.id),
        Some("c".into())
    );
    assert_eq!(
        s.account_by_identifier("t", Audience::Client, "SHARED")
            .must(C),
        None,
        "keys are given lowercased"
    );
    assert_eq!(s.account("t", "zz").must(C), None);
}

/// Every query is walled by tenant and by audience, for every kind of record.
pub fn walls_on_every_query(s: &dyn Store) {
    const C: &str = "walls_on_every_query";
    let mut fld = Folder::new(Audience::Client, "F", "F");
    fld.id = "f".into();
    let mut d = doc("d1", "4", "f", DocumentKind::Other, t0());
    d.external_id = Some("X".into());
    d.payment = PaymentStatus::Unpaid;
    let tok = Token {
        hash: "aa".repeat(32),
        account_id: "x".into(),
        audience: Audience::Client,
        purpose: TokenPurpose::PasswordReset,
        created_at: t0(),
        expires_at: t0() + Duration::hours(1),
        used_at: None,
        epoch: 0,
        version: 0,
    };
    let event = AccessEvent {
        id: "e1".into(),
        audience: Audience::Client,
        party_code: "4".into(),
        document_id: "d1".into(),
        account_id: "x".into(),
        at: t0(),
    };
    let all = vec![
        Change::Settings(Settings::new("A", "a.fr")),
        Change::Party(Party::client("4", "A")),
        Change::Folder(fld),
        Change::Template(Template::new(
            Audience::Client,
            TemplatePurpose::DocumentAvailable,
            "S",
            "#lien#",
        )),
        Change::Document(d),
        Change::Notification(notif("n1", "4", t0())),
        Change::Account(account("x", "4", "4")),
        Change::Token(tok.clone()),
        Change::AccessEvent(event),
    ];
    ok(C, s.commit("a", &all), "tenant a, every record");
    // Tenant b sees none of it.
    let q = DocumentQuery {
        audience: Audience::Client,
        party_code: "4".into(),
        folder_ids: None,
        include_invoices: true,
        offset: 0,
        limit: 10,
    };
    assert_eq!(s.settings("b").must(C), None);
    assert_eq!(
        s.parties("b", Audience::Client, 0, 10)
            .map(|p| p.total)
            .must(C),
        0
    );
    assert_eq!(s.folders("b", Audience::Client).map(|v| v.len()).must(C), 0);
    assert_eq!(
        s.templates("b", Audience::Client).map(|v| v.len()).must(C),
        0
    );
    assert_eq!(s.documents("b", &q).map(|p| p.total).must(C), 0);
    assert_eq!(
        s.document_by_external_id("b", Audience::Client, "X")
            .must(C),
        None
    );
    assert_eq!(s.count_documents_in_folder("b", "f").must(C), 0);
    assert!(!s.party_has_unpaid("b", Audience::Client, "4").must(C));
    assert_eq!(
        s.notifications("b", &NotificationFilter::default(), 0, 10)
            .map(|p| p.total)
            .must(C),
        0
    );
    assert_eq!(s.account("b", "x").must(C), None);
    assert_eq!(
        s.accounts("b", &AccountFilter::default(), 0, 10)
            .map(|p| p.total)
            .must(C),
        0
    );
    assert_eq!(s.token("b", &tok.hash).must(C), None);
    assert_eq!(
        s.access_events("b", "d1", 0, 10).map(|p| p.total).must(C),
        0
    );
    // The employee audience of tenant a sees none of the client side.
    let emp = DocumentQuery {
        audience: Audience::Employee,
        ..q.clone()
    };
    assert_eq!(s.party("a", Audience::Employee, "4").must(C), None);
    assert_eq!(
        s.parties("a", Audience::Employee, 0, 10)
            .map(|p| p.total)
            .must(C),
        0
    );
    assert_eq!(
        s.templates("a", Audience::Employee)
            .map(|v| v.len())
            .must(C),
        0
    );
    assert_eq!(s.documents("a", &emp).map(|p| p.total).must(C), 0);
    assert_eq!(
        s.notifications(
            "a",
            &NotificationFilter {
                audience: Some(Audience::Employee),
                ..Default::default()
            },
            0,
            10
        )
        .map(|p| p.total)
        .must(C),
        0
    );
    assert_eq!(
        s.account_by_identifier("a", Audience::Employee, "4")
            .must(C),
        None
    );
    // The same keys in tenant b are independent records.
    let mut b_all = all.clone();
    b_all.retain(|c| !matches!(c, Change::AccessEvent(_)));
    ok(C, s.commit("b", &b_all), "tenant b, same keys");
    assert_eq!(s.documents("a", &q).map(|p| p.total).must(C), 1);
    assert_eq!(s.documents("b", &q).map(|p| p.total).must(C), 1);
    assert_eq!(
        s.access_events("b", "d1", 0, 10).map(|p| p.total).must(C),
        0
    );
    let mut n = s.notification("b", "n1").must(C).expect("b's n1");
    n.state = NotificationState::Sent;
    ok(C, s.commit("b", &[Change::Notification(n)]), "b's n1 sent");
    assert_eq!(
        s.notification("a", "n1")
            .must(C)
            .map(|n| (n.state, n.version)),
        Some((NotificationState::Pending, 1)),
        "conformance: a's record untouched"
    );
    assert_eq!(
        s.due_notifications("a", t0(), 10).map(|v| v.len()).must(C),
        1
    );
    assert_eq!(
        s.due_notifications("b", t0(), 10).map(|v| v.len()).must(C),
        0
    );
}

/// Attempts are reserved before verification, lock at the limit, reopen after the lockout, and are per tenant.
pub fn attempts_are_counted_before_verification(s: &dyn Store) {
    const C: &str = "attempts_are_counted_before_verification";
    let lockout = Duration::minutes(15);
    let begin = |at| s.begin_attempt("t", "login:client:4", 3, lockout, at);
    for i in 1..=3 {
        assert_eq!(
            begin(t0()).must(C),
            AttemptGate::Allowed { failures: i },
            "conformance: attempt {i} reserved"
        );
    }
    let until = t0() + lockout;
    assert_eq!(
        begin(t0()).must(C),
        AttemptGate::Locked { until },
        "conformance: the limit-th attempt locks"
    );
    assert_eq!(
        s.attempts("t", "login:client:4").must(C),
        AttemptState {
            failures: 3,
            locked_until: Some(until),
            since: Some(t0()),
        },
        "conformance: attempts read back"
    );
    assert_eq!(
        s.attempts("u", "login:client:4").must(C),
        AttemptState::default(),
        "conformance: attempts are per tenant"
    );
    assert_eq!(
        begin(until).must(C),
        AttemptGate::Allowed { failures: 1 },
        "conformance: a new window after the lockout"
    );
    ok(C, s.clear_attempts("t", "login:client:4"), "clear attempts");
    assert_eq!(
        s.attempts("t", "login:client:4").must(C),
        AttemptState::default(),
        "conformance: cleared"
    );
}

/// One live account per party (`conflict`), and a look-alike identifier skeleton is `identifier_taken`.
pub fn one_live_account_per_party_and_skeleton(s: &dyn Store) {
    const C: &str = "one_live_account_per_party_and_skeleton";
    ok(
        C,
        s.commit("t", &[Change::Account(account("a", "4", "first"))]),
        "first account of party 4",
    );
    fails_with(
        C,
        s.commit("t", &[Change::Account(account("b", "4", "second"))]),
        "conflict",
        "a second live account of party 4",
    );
    let mut revoked = account("b", "4", "second");
    revoked.status = AccountStatus::Revoked;
    ok(
        C,
        s.commit("t", &[Change::Account(revoked)]),
        "a revoked account of party 4",
    );
    let mut a = s.account("t", "a").must(C).expect("a");
    a.status = AccountStatus::Revoked;
    let fresh = account("c", "4", "third");
    ok(
        C,
        s.commit("t", &[Change::Account(a), Change::Account(fresh)]),
        "revoke and replace in one commit",
    );
    let mut x = account("x", "5", "paul");
    x.identifier_skeleton = Some("paul".into());
    ok(C, s.commit("t", &[Change::Account(x)]), "skeleton paul");
    let mut y = account("y", "6", "p\u{430}ul");
    y.identifier_skeleton = Some("paul".into());
    fails_with(
        C,
        s.commit("t", &[Change::Account(y)]),
        "identifier_taken",
        "a look-alike skeleton",
    );
}

/// Claims are taken, renewed and lapse on the store's clock, whatever the caller's clock;
/// a lapsed claim cannot be renewed by its old holder; quarantined rows are never due.
pub fn claims_on_the_store_clock(s: &dyn Store) {
    const C: &str = "claims_on_the_store_clock";
    let held_elsewhere = s.store_time().must(C) + Duration::hours(1);
    let mut n3 = notif("n3", "4", t0());
    n3.claimed_until = Some(held_elsewhere);
    let mut q = notif("q", "4", t0());
    q.state = NotificationState::Quarantined;
    q.quarantine = Some(crate::records::notification::QuarantineReason::Undecodable);
    ok(
        C,
        s.commit(
            "t",
            &[
                Change::Notification(notif("n1", "4", t0())),
                Change::Notification(notif("n2", "4", t0() + Duration::seconds(1))),
                Change::Notification(n3),
                Change::Notification(q),
            ],
        ),
        "claims: setup",
    );
    // The caller's clock says a day later: due, but n3's claim runs on the store's clock.
    let due_at = t0() + Duration::days(1);
    let lease = Duration::minutes(5);
    let won = s.claim_due("t", due_at, lease, 10).must(C);
    assert_eq!(
        won.iter().map(|n| n.id.as_str()).collect::<Vec<_>>(),
        ["n1", "n2"],
        "claims: due and free rows, oldest first; never a held or quarantined one"
    );
    assert!(won
        .iter()
        .all(|n| n.version == 2 && n.claimed_until.is_some()));
    let stored = s.notification("t", "n1").must(C).expect("n1");
    assert_eq!(stored.version, 2, "claims: a claim is a new version");
    assert!(stored.claimed_until > Some(s.store_time().must(C)));
    assert!(
        s.claim_due("t", due_at, lease, 10).must(C).is_empty(),
        "claims: a held row is not claimed twice"
    );
    assert!(s.claim_due("other", due_at, lease, 10).must(C).is_empty());

    // Renewal: the holder at its version keeps it; a stale version is left out.
    let renewed = s
        .renew_claims("t", &[("n1".into(), 2), ("n2".into(), 1)], lease)
        .must(C);
    assert_eq!(renewed.len(), 1, "claims: only the current holder renews");
    assert_eq!(renewed[0].0, "n1");
    let n1 = s.notification("t", "n1").must(C).expect("n1");
    assert_eq!(
        n1.version, renewed[0].1,
        "claims: the version renewal reports"
    );
    assert!(n1.claimed_until >= stored.claimed_until);

    // A lapsed claim is claimed again, and its old holder can no longer renew it.
    ok(
        C,
        s.commit("t", &[Change::Notification(notif("n4", "5", t0()))]),
        "claims: n4",
    );
    let short = Duration::milliseconds(30);
    let first = s.claim_due("t", due_at, short, 10).must(C);
    assert_eq!(
        first.iter().map(|n| n.id.as_str()).collect::<Vec<_>>(),
        ["n4"]
    );
    std::thread::sleep(std::time::Duration::from_millis(60));
    let again = s.claim_due("t", due_at, lease, 10).must(C);
    assert_eq!(
        again.iter().map(|n| n.id.as_str()).collect::<Vec<_>>(),
        ["n4"],
        "claims: a lapsed claim is free again"
    );
    assert!(s
        .renew_claims("t", &[("n4".into(), first[0].version)], lease)
        .must(C)
        .is_empty());
    let quarantined = s
        .notifications(
            "t",
            &NotificationFilter {
                state: Some(NotificationState::Quarantined),
                ..Default::default()
            },
            0,
            10,
        )
        .must(C);
    assert_eq!(
        quarantined.total, 1,
        "claims: the history lists quarantined rows"
    );
}

/// `forget_erased` (after an operation that wiped a secret) never loses or undoes a commit, may
/// run on an empty store and run twice, and the store takes commits after it.
pub fn forget_erased_keeps_every_committed_change(s: &dyn Store) {
    const C: &str = "forget_erased_keeps_every_committed_change";
    ok(C, s.forget_erased(), "forget_erased on an empty store");
    ok(
        C,
        s.commit("t", &[Change::Account(account("a1", "4", "client4"))]),
        "account with a draft password",
    );
    let mut wiped = s
        .account("t", "a1")
        .must(C)
        .expect("conformance: account a1");
    wiped.draft_password = None;
    wiped.status = AccountStatus::Active;
    wiped.password_hash = Some("$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA".into());
    ok(
        C,
        s.commit("t", &[Change::Account(wiped)]),
        "wipe the draft password",
    );
    ok(C, s.forget_erased(), "forget_erased after the wipe");
    ok(C, s.forget_erased(), "forget_erased twice");
    let got = s
        .account("t", "a1")
        .must(C)
        .expect("conformance: account a1 after forget_erased");
    assert_eq!(
        (got.draft_password, got.status, got.version),
        (None, AccountStatus::Active, 2),
        "conformance: forget_erased keeps the committed wipe"
    );
    ok(
        C,
        s.commit("t", &[Change::Account(account("a2", "5", "client5"))]),
        "commit after forget_erased",
    );
    assert!(
        s.account("t", "a2").must(C).is_some(),
        "conformance: commit after forget_erased"
    );
}

/// `finish_notification` stores a send's outcome at the next version, keeps the record in
/// every listing its unchanged fields put it in, and refuses a stale version.
pub fn finishing_a_send_is_one_versioned_write(s: &dyn Store) {
    const C: &str = "finishing_a_send_is_one_versioned_write";
    let mut n = notif("f1", "4", t0());
    n.document_id = Some("doc-f".into());
    ok(
        C,
        s.commit("t", &[Change::Notification(n)]),
        "finish: setup",
    );
    let due_at = t0() + Duration::days(1);
    let mut won = s.claim_due("t", due_at, Duration::minutes(5), 10).must(C);
    assert_eq!(won.len(), 1, "finish: claimed");
    let mut sent = won.remove(0);
    let claimed_version = sent.version;
    sent.state = NotificationState::Sent;
    sent.claimed_until = None;
    sent.sent_at = Some(due_at);
    sent.body = "[redacted]".into();
    ok(
        C,
        s.finish_notification("t", &sent),
        "finish: the claim holder",
    );
    let stored = s.notification("t", "f1").must(C).expect("f1");
    assert_eq!(stored.version, claimed_version + 1, "finish: a new version");
    assert_eq!(stored.state, NotificationState::Sent);
    assert_eq!(stored.body, "[redacted]", "finish: the body is stored");
    assert!(
        s.due_notifications("t", due_at + Duration::days(1), 10)
            .must(C)
            .is_empty(),
        "finish: a sent notification is no longer due"
    );
    for filter in [
        NotificationFilter {
            state: Some(NotificationState::Sent),
            ..Default::default()
        },
        NotificationFilter {
            party_code: Some("4".into()),
            ..Default::default()
        },
        NotificationFilter {
            document_id: Some("doc-f".into()),
            ..Default::default()
        },
    ] {
        let page = s.notifications("t", &filter, 0, 10).must(C);
        assert_eq!(page.items.len(), 1, "finish: still listed by {filter:?}");
    }
    fails_with(
        C,
        s.finish_notification("t", &sent),
        "conflict",
        "finish: a stale version",
    );
    fails_with(
        C,
        s.finish_notification("other", &stored),
        "conflict",
        "finish: another tenant's record",
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_all_runs_every_check() {
        run_all(crate::MemoryStore::new);
    }

    #[test]
    #[should_panic(expected = "conformance::some_check: unexpected error `conflict`")]
    fn an_unexpected_error_names_the_check_and_its_code() {
        let r: crate::Result<()> = Err(crate::Error::conflict("stale"));
        r.must("some_check");
    }

    #[test]
    #[should_panic(
        expected = "conformance::some_check: stale update: expected `conflict`, got success"
    )]
    fn an_unexpected_success_names_the_check_and_the_code_expected() {
        fails_with("some_check", Ok(()), "conflict", "stale update");
    }

    #[test]
    #[should_panic(expected = "conformance::some_check: insert")]
    fn a_wrong_error_code_names_the_check() {
        let r = Err(crate::Error::conflict("stale"));
        fails_with("some_check", r, "identifier_taken", "insert");
    }
}
