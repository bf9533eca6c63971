//! The account half of seed 000's worked example, and the life of an account: batches,
//! identifiers, suspension, lockout, reset, invitations, walls between audiences and tenants.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use portail::*;

struct World {
    portal: Portal,
    mailer: Arc<MemoryMailer>,
    clock: Arc<FixedClock>,
    store: Arc<MemoryStore>,
}

fn world() -> World {
    world_in("ma-societe", Arc::new(MemoryStore::new()))
}

fn world_in(tenant: &str, store: Arc<MemoryStore>) -> World {
    let mailer = Arc::new(MemoryMailer::new());
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2019, 3, 8, 15, 55, 15).unwrap(),
    ));
    let portal = Portal::builder(tenant)
        .settings(Settings::new("MA SOCIETE", "masociete.fr"))
        .store(store.clone())
        .mailer(mailer.clone())
        .clock(clock.clone())
        .security(SecurityPolicy::fast_for_tests())
        .build()
        .unwrap();
    World {
        portal,
        mailer,
        clock,
        store,
    }
}

fn moi_meme() -> Party {
    Party::client("4", "MOI MEME")
        .email(EmailRole::Main, "keylian.ace@gmail.com")
        .email(EmailRole::Billing, "keylian.ace@gmail.com")
        .consent(EInvoicingConsent::Accepted)
}

fn token_in(body: &str) -> String {
    let at = body.find("token=").expect("a token link") + "token=".len();
    body[at..at + 64].to_string()
}

#[test]
fn worked_example_account_of_client_4() {
    let w = world();
    let p = &w.portal;
    p.parties().upsert(moi_meme()).unwrap();

    // "J'ai créé un nouveau client « 4 » qui n'a pas encore d'accès donc je vais lui générer".
    let draft = p.accounts().generate(Generate::client("4")).unwrap();
    assert_eq!(draft.identifier, "4", "the identifier is the client code");
    assert_eq!(draft.status, AccountStatus::Draft);
    assert!(draft.needs_sync, "red: not synchronised");
    assert!(draft.authorized);
    let first_password = p.accounts().draft_password(&draft.id).unwrap();
    assert_eq!(first_password.len(), 10);
    // Nobody logs in with a draft.
    assert_eq!(
        p.access()
            .login(Audience::Client, "4", &first_password)
            .unwrap_err()
            .code(),
        "invalid_credentials"
    );

    // "Mdp aléatoire": before sync the password can still be regenerated.
    let regenerated = p.accounts().regenerate_password(&draft.id).unwrap();
    let password = p.accounts().draft_password(&regenerated.id).unwrap();
    assert_ne!(password, first_password);

    // Sync: state valid, password frozen, notification fields filled.
    let report = p.sync().unwrap();
    assert_eq!(
        (
            report.activated,
            report.credentials_queued,
            report.dispatch.sent
        ),
        (1, 1, 1)
    );
    let active = p.accounts().get(&draft.id).unwrap();
    assert_eq!(active.status, AccountStatus::Active);
    assert!(!active.needs_sync);
    assert_eq!(active.draft_password, None, "plaintext wiped at activation");
    assert!(active
        .password_hash
        .as_deref()
        .unwrap()
        .starts_with("$argon2id$"));
    assert_eq!(
        p.accounts().draft_password(&draft.id).unwrap_err().code(),
        "invalid_state"
    );
    assert_eq!(
        active.credentials_sent_to.as_deref(),
        Some("keylian.ace@gmail.com")
    );
    assert_eq!(active.credentials_sent_at, Some(w.clock.now()));
    let mail = &w.mailer.messages()[0];
    assert_eq!(mail.to, "keylian.ace@gmail.com");
    assert!(mail.body.contains("Identifiant : 4"), "{}", mail.body);
    assert!(
        mail.body.contains(&password),
        "the credentials mail carries the password"
    );
    // Once sent, the outbox keeps no copy of the password.
    let history = p
        .notifications()
        .history(&NotificationFilter::default(), PageRequest::first())
        .unwrap();
    assert!(!history.items[0].body.contains(&password));

    let me = p.access().login(Audience::Client, "4", &password).unwrap();
    assert_eq!(me.party_code, "4");

    // "Si je veux lui renotifier, il faudra simplement cocher la case « Notifier par email »".
    w.clock.advance(Duration::days(1));
    p.accounts().set_notify_by_email(&draft.id, true).unwrap();
    let report = p.sync().unwrap();
    assert_eq!(report.credentials_queued, 1);
    let renotified = p.accounts().get(&draft.id).unwrap();
    assert_eq!(renotified.credentials_sent_at, Some(w.clock.now()));
    assert!(!renotified.notify_by_email, "the box is a one-shot trigger");
    let mail = w.mailer.messages().last().cloned().unwrap();
    let new_password = mail
        .body
        .lines()
        .find_map(|l| l.strip_prefix("Mot de passe : "))
        .unwrap()
        .to_string();
    assert!(p
        .access()
        .login(Audience::Client, "4", &new_password)
        .is_ok());
    assert_eq!(
        p.access()
            .login(Audience::Client, "4", &password)
            .unwrap_err()
            .code(),
        "invalid_credentials"
    );
}

#[test]
fn batch_generation_reports_each_party() {
    let w = world();
    let p = &w.portal;
    p.parties().upsert(moi_meme()).unwrap();
    p.parties()
        .upsert(Party::client("5", "SANS EMAIL"))
        .unwrap();
    p.parties()
        .upsert(Party::client("6", "DEJA").email(EmailRole::Main, "deja@x.fr"))
        .unwrap();
    p.parties()
        .upsert(Party::client("7", "PRIS").email(EmailRole::Main, "pris@x.fr"))
        .unwrap();
    p.accounts().generate(Generate::client("6")).unwrap();
    // Someone already holds the identifier "7" (a given identifier of party 6's colleague).
    p.parties()
        .upsert(Party::client("8", "AUTRE").email(EmailRole::Main, "autre@x.fr"))
        .unwrap();
    p.accounts()
        .generate(Generate::client("8").identifier(IdentifierChoice::Given("7".into())))
        .unwrap();

    let seen = std::sync::Mutex::new(Vec::new());
    let codes: Vec<String> = ["4", "5", "6", "7", "404"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let report = p
        .accounts()
        .generate_batch(Audience::Client, &codes, &BatchOptions::default(), &|pr| {
            seen.lock().unwrap().push((pr.done, pr.total))
        })
        .unwrap();
    let outcomes: Vec<_> = report
        .rows
        .iter()
        .map(|r| (r.party_code.as_str(), r.outcome.as_str()))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("4", "created"),
            ("5", "no_email"),
            ("6", "already_has_access"),
            ("7", "identifier_taken"),
            ("404", "unknown_party")
        ]
    );
    assert_eq!(report.created(), 1);
    assert_eq!(seen.lock().unwrap().last(), Some(&(5, 5)));
    assert_eq!(p.sync().unwrap().activated, 3);
}

#[test]
fn identifiers_are_unique_across_codes_and_emails() {
    let w = world();
    let p = &w.portal;
    p.parties()
        .upsert(Party::client("a@x.fr", "CODE EST UN EMAIL").email(EmailRole::Main, "z@x.fr"))
        .unwrap();
    p.parties()
        .upsert(Party::client("B", "B").email(EmailRole::Main, "A@X.FR"))
        .unwrap();
    p.accounts().generate(Generate::client("a@x.fr")).unwrap();
    let e = p
        .accounts()
        .generate(Generate::client("B").identifier(IdentifierChoice::Email))
        .unwrap_err();
    assert_eq!(
        e,
        Error::IdentifierTaken {
            identifier: "A@X.FR".into()
        }
    );
    assert_eq!(e.code(), "identifier_taken");
    // Given identifiers are checked the same way; a free one works.
    assert_eq!(
        p.accounts()
            .generate(Generate::client("B").identifier(IdentifierChoice::Given("a@X.fr".into())))
            .unwrap_err()
            .code(),
        "identifier_taken"
    );
    assert_eq!(
        p.accounts()
            .generate(Generate::client("B").identifier(IdentifierChoice::Given("has space".into())))
            .unwrap_err()
            .field(),
        Some("identifier")
    );
    p.accounts()
        .generate(Generate::client("B").identifier(IdentifierChoice::Given("bee".into())))
        .unwrap();
    // The other audience is another namespace.
    p.parties()
        .upsert(Party::employee("a@x.fr", "SALARIE").email(EmailRole::Main, "s@x.fr"))
        .unwrap();
    p.accounts().generate(Generate::employee("a@x.fr")).unwrap();
}

#[test]
fn given_passwords_follow_the_policy() {
    let w = world();
    let p = &w.portal;
    p.parties().upsert(moi_meme()).unwrap();
    assert_eq!(
        p.accounts()
            .generate(Generate::client("4").password("court"))
            .unwrap_err()
            .field(),
        Some("password")
    );
    let a = p
        .accounts()
        .generate(
            Generate::client("4")
                .password("assez-long-1")
                .notify_by_email(false),
        )
        .unwrap();
    p.sync().unwrap();
    assert!(w.mailer.messages().is_empty(), "notify by e-mail unticked");
    p.access()
        .login(Audience::Client, "4", "assez-long-1")
        .unwrap();
    assert_eq!(
        p.accounts()
            .set_password(&a.id, "another-one")
            .unwrap_err()
            .code(),
        "invalid_state"
    );
}

#[test]
fn suspend_resume_revoke_regenerate() {
    let w = world();
    let p = &w.portal;
    p.parties().upsert(moi_meme()).unwrap();
    let a = p
        .accounts()
        .generate(Generate::client("4").password("password-1"))
        .unwrap();
    p.sync().unwrap();
    let me = p
        .access()
        .login(Audience::Client, "4", "password-1")
        .unwrap();
    p.accounts().set_authorized(&a.id, false).unwrap();
    assert_eq!(
        p.access()
            .login(Audience::Client, "4", "password-1")
            .unwrap_err()
            .code(),
        "invalid_credentials"
    );
    assert_eq!(
        p.view(&me).folders().unwrap_err().code(),
        "access_denied",
        "a suspended session loses access at once"
    );
    p.accounts().set_authorized(&a.id, true).unwrap();
    p.access()
        .login(Audience::Client, "4", "password-1")
        .unwrap();
    assert_eq!(p.view(&me).folders().unwrap().len(), 5);

    // Regenerate: the old account is revoked, a new draft takes the same identifier.
    let fresh = p.accounts().regenerate(&a.id, true).unwrap();
    assert_eq!(
        p.accounts().get(&a.id).unwrap().status,
        AccountStatus::Revoked
    );
    assert_eq!(fresh.identifier, "4");
    assert_eq!(
        p.access()
            .login(Audience::Client, "4", "password-1")
            .unwrap_err()
            .code(),
        "invalid_credentials"
    );
    let report = p.sync().unwrap();
    assert_eq!(report.credentials_queued, 1);
    let pw = w
        .mailer
        .messages()
        .last()
        .unwrap()
        .body
        .lines()
        .find_map(|l| l.strip_prefix("Mot de passe : "))
        .unwrap()
        .to_string();
    p.access().login(Audience::Client, "4", &pw).unwrap();

    p.accounts().revoke(&fresh.id).unwrap();
    assert_eq!(
        p.access()
            .login(Audience::Client, "4", &pw)
            .unwrap_err()
            .code(),
        "invalid_credentials"
    );
    assert_eq!(
        p.accounts().revoke(&fresh.id).unwrap_err().code(),
        "invalid_state"
    );
    assert_eq!(
        p.access().principal(&fresh.id).unwrap_err().code(),
        "access_denied"
    );
}

#[test]
fn lockout_after_five_failures_for_fifteen_minutes() {
    let w = world();
    let p = &w.portal;
    p.parties().upsert(moi_meme()).unwrap();
    p.accounts()
        .generate(Generate::client("4").password("password-1"))
        .unwrap();
    p.sync().unwrap();
    for _ in 0..5 {
        assert_eq!(
            p.access()
                .login(Audience::Client, "4", "wrong-password")
                .unwrap_err()
                .code(),
            "invalid_credentials"
        );
    }
    let locked = p
        .access()
        .login(Audience::Client, "4", "password-1")
        .unwrap_err();
    assert_eq!(locked.code(), "locked_out");
    w.clock.advance(Duration::minutes(14));
    assert_eq!(
        p.access()
            .login(Audience::Client, "4", "password-1")
            .unwrap_err()
            .code(),
        "locked_out"
    );
    w.clock.advance(Duration::minutes(1));
    p.access()
        .login(Audience::Client, "4", "password-1")
        .unwrap();
    // Unknown identifiers are counted and locked alike: a lockout reveals no account.
    for _ in 0..5 {
        assert_eq!(
            p.access()
                .login(Audience::Client, "nobody", "x")
                .unwrap_err(),
            Error::InvalidCredentials
        );
    }
    assert_eq!(
        p.access()
            .login(Audience::Client, "nobody", "x")
            .unwrap_err()
            .code(),
        "locked_out"
    );
}

#[test]
fn forgotten_password_token_is_single_use_and_expires() {
    let w = world();
    let p = &w.portal;
    p.parties().upsert(moi_meme()).unwrap();
    p.accounts()
        .generate(Generate::client("4").password("password-1"))
        .unwrap();
    p.sync().unwrap();
    w.mailer.clear();
    // Unknown identifiers: same answer, no mail.
    p.access()
        .request_password_reset(Audience::Client, "nobody")
        .unwrap();
    p.sync().unwrap();
    assert!(w.mailer.messages().is_empty());

    p.access()
        .request_password_reset(Audience::Client, "4")
        .unwrap();
    p.sync().unwrap();
    let body = w.mailer.messages()[0].body.clone();
    assert!(
        body.contains("https://masociete.fr/clients/reset-password?token="),
        "{body}"
    );
    let token = token_in(&body);
    // The stored notification no longer holds the live token once sent.
    let stored = p
        .notifications()
        .history(&NotificationFilter::default(), PageRequest::first())
        .unwrap();
    assert!(!stored.items[0].body.contains(&token));
    assert_eq!(
        p.access()
            .reset_password(Audience::Employee, &token, "new-password-1")
            .unwrap_err()
            .code(),
        "invalid_token"
    );
    assert_eq!(
        p.access()
            .reset_password(Audience::Client, &token, "short")
            .unwrap_err()
            .field(),
        Some("password")
    );
    p.access()
        .reset_password(Audience::Client, &token, "new-password-1")
        .unwrap();
    assert_eq!(
        p.access()
            .reset_password(Audience::Client, &token, "new-password-2")
            .unwrap_err()
            .code(),
        "invalid_token"
    );
    p.access()
        .login(Audience::Client, "4", "new-password-1")
        .unwrap();

    p.access()
        .request_password_reset(Audience::Client, "4")
        .unwrap();
    p.sync().unwrap();
    let token = token_in(&w.mailer.messages()[1].body);
    w.clock.advance(Duration::hours(1));
    assert_eq!(
        p.access()
            .reset_password(Audience::Client, &token, "new-password-3")
            .unwrap_err()
            .code(),
        "invalid_token"
    );
    assert_eq!(
        p.access()
            .reset_password(Audience::Client, "garbage", "new-password-3")
            .unwrap_err()
            .code(),
        "invalid_token"
    );
}

#[test]
fn change_password_checks_the_current_one() {
    let w = world();
    let p = &w.portal;
    p.parties().upsert(moi_meme()).unwrap();
    p.accounts()
        .generate(Generate::client("4").password("password-1"))
        .unwrap();
    p.sync().unwrap();
    let me = p
        .access()
        .login(Audience::Client, "4", "password-1")
        .unwrap();
    assert_eq!(
        p.access()
            .change_password(&me, "wrong", "password-2")
            .unwrap_err()
            .code(),
        "invalid_credentials"
    );
    p.access()
        .change_password(&me, "password-1", "password-2")
        .unwrap();
    p.access()
        .login(Audience::Client, "4", "password-2")
        .unwrap();
}

#[test]
fn invitations_now_or_later_accept_expire_reinvite() {
    let w = world();
    let p = &w.portal;
    p.parties().upsert(moi_meme()).unwrap();
    p.parties()
        .upsert(Party::client("9", "PLUS TARD").email(EmailRole::Main, "later@x.fr"))
        .unwrap();

    let invited = p
        .accounts()
        .invite(Invite::new(Audience::Client, "4"))
        .unwrap();
    assert_eq!(invited.identifier, "keylian.ace@gmail.com");
    assert_eq!(
        p.accounts().invitation_status(&invited.id).unwrap(),
        Some(InvitationStatus::Pending)
    );
    p.sync().unwrap();
    assert_eq!(
        p.accounts().get(&invited.id).unwrap().status,
        AccountStatus::Draft,
        "sync does not activate invitations"
    );
    let token = token_in(&w.mailer.messages()[0].body);
    let me = p
        .access()
        .accept_invitation(Audience::Client, &token, "my-own-password")
        .unwrap();
    assert_eq!(me.identifier, "keylian.ace@gmail.com");
    assert_eq!(
        p.accounts().invitation_status(&invited.id).unwrap(),
        Some(InvitationStatus::Accepted)
    );
    assert_eq!(
        p.access()
            .accept_invitation(Audience::Client, &token, "again-password")
            .unwrap_err()
            .code(),
        "invalid_token"
    );
    p.access()
        .login(Audience::Client, "KEYLIAN.ACE@gmail.com", "my-own-password")
        .unwrap();

    // Later: nothing is sent until re-invited; an expired link is refused; a re-invite voids old links.
    let later = p
        .accounts()
        .invite(Invite::new(Audience::Client, "9").send_now(false))
        .unwrap();
    p.sync().unwrap();
    assert_eq!(w.mailer.messages().len(), 1);
    p.accounts().reinvite(&later.id).unwrap();
    p.sync().unwrap();
    let first_link = token_in(&w.mailer.messages()[1].body);
    w.clock.advance(Duration::days(8));
    assert_eq!(
        p.accounts().invitation_status(&later.id).unwrap(),
        Some(InvitationStatus::Expired)
    );
    assert_eq!(
        p.access()
            .accept_invitation(Audience::Client, &first_link, "my-own-password")
            .unwrap_err()
            .code(),
        "invalid_token"
    );
    p.accounts().reinvite(&later.id).unwrap();
    p.sync().unwrap();
    let second_link = token_in(&w.mailer.messages()[2].body);
    p.access()
        .accept_invitation(Audience::Client, &second_link, "my-own-password")
        .unwrap();
}

#[test]
fn portal_view_lists_downloads_and_respects_walls() {
    let store = Arc::new(MemoryStore::new());
    let w = world_in("ma-societe", store.clone());
    let p = &w.portal;
    p.parties().upsert(moi_meme()).unwrap();
    p.parties()
        .upsert(Party::client("5", "AUTRE").email(EmailRole::Main, "autre@x.fr"))
        .unwrap();
    p.parties()
        .upsert(Party::employee("4", "SALARIE 4").email(EmailRole::Main, "s4@x.fr"))
        .unwrap();
    p.accounts()
        .generate(Generate::client("4").password("password-1"))
        .unwrap();
    p.sync().unwrap();
    let me = p
        .access()
        .login(Audience::Client, "4", "password-1")
        .unwrap();

    let invoice = p
        .documents()
        .publish(
            Publish::client("4", "Factures", "FA-1.pdf", b"%PDF-1.4\nfacture".to_vec())
                .kind(DocumentKind::Invoice),
        )
        .unwrap();
    w.clock.advance(Duration::minutes(1));
    let contract = p
        .documents()
        .publish(Publish::client(
            "4",
            "Contrats",
            "C-1.pdf",
            b"%PDF-1.4\ncontrat".to_vec(),
        ))
        .unwrap();
    let others = p
        .documents()
        .publish(Publish::client(
            "5",
            "Contrats",
            "C-5.pdf",
            b"%PDF-1.4\nautre".to_vec(),
        ))
        .unwrap();
    let employee_doc = p
        .documents()
        .publish(Publish::employee(
            "4",
            "Bulletins",
            "BP.pdf",
            b"%PDF-1.4\nbp".to_vec(),
        ))
        .unwrap();
    let mut hidden_folder = p
        .folders()
        .add(Folder::new(Audience::Client, "Interne", "Interne"))
        .unwrap();
    hidden_folder.shared = false;
    p.folders().update(hidden_folder).unwrap();
    let hidden = p
        .documents()
        .publish(Publish::client(
            "4",
            "Interne",
            "I.pdf",
            b"%PDF-1.4\ninterne".to_vec(),
        ))
        .unwrap();

    let view = p.view(&me);
    let names: Vec<_> = view
        .documents(None, PageRequest::first())
        .unwrap()
        .items
        .into_iter()
        .map(|d| d.name)
        .collect();
    assert_eq!(
        names,
        ["C-1.pdf", "FA-1.pdf"],
        "newest first, only shared folders"
    );
    assert_eq!(
        view.documents(Some("Factures"), PageRequest::first())
            .unwrap()
            .total,
        1
    );
    assert!(view.folders().unwrap().iter().all(|f| f.shared));
    for forbidden in [&others.id, &employee_doc.id, &hidden.id] {
        assert_eq!(view.open(forbidden).unwrap_err().code(), "access_denied");
    }
    let d1 = view.open(&contract.id).unwrap();
    assert_eq!(d1.content, b"%PDF-1.4\ncontrat");
    w.clock.advance(Duration::minutes(5));
    let d2 = view.open(&contract.id).unwrap();
    assert_eq!(d2.document.downloads, 2);
    assert!(d2.document.first_download_at < d2.document.last_download_at);
    let history = p
        .documents()
        .downloads(&contract.id, PageRequest::first())
        .unwrap();
    assert_eq!(history.total, 2);
    assert_eq!(history.items[0].account_id, me.account_id);

    // Consent withdrawn: the invoice leaves the portal.
    p.parties()
        .upsert(moi_meme().consent(EInvoicingConsent::Refused))
        .unwrap();
    assert_eq!(view.open(&invoice.id).unwrap_err().code(), "access_denied");

    // Another tenant on the same store sees none of it.
    let other = world_in("autre-societe", store);
    assert_eq!(
        other
            .portal
            .access()
            .login(Audience::Client, "4", "password-1")
            .unwrap_err()
            .code(),
        "invalid_credentials"
    );
    assert_eq!(
        other
            .portal
            .view(&me)
            .open(&contract.id)
            .unwrap_err()
            .code(),
        "access_denied"
    );
    assert_eq!(
        other
            .portal
            .documents()
            .get(&contract.id)
            .unwrap_err()
            .code(),
        "not_found"
    );
    // The same principal forged for the employee portal is refused.
    let forged = Principal {
        audience: Audience::Employee,
        ..me.clone()
    };
    assert_eq!(
        p.view(&forged).open(&employee_doc.id).unwrap_err().code(),
        "access_denied"
    );
    let _ = &w.store;
}

#[test]
fn sync_reports_progress_and_hashes_with_default_owasp_parameters() {
    let mailer = Arc::new(MemoryMailer::new());
    let p = Portal::builder("t")
        .settings(Settings::new("X", "x.fr"))
        .mailer(mailer.clone())
        .build()
        .unwrap();
    for i in 0..4 {
        p.parties()
            .upsert(
                Party::client(format!("c{i}"), "N").email(EmailRole::Main, format!("c{i}@x.fr")),
            )
            .unwrap();
        p.accounts()
            .generate(Generate::client(format!("c{i}")))
            .unwrap();
    }
    let phases = std::sync::Mutex::new(Vec::new());
    let report = p
        .sync_with_progress(&|pr| phases.lock().unwrap().push((pr.phase, pr.done, pr.total)))
        .unwrap();
    assert_eq!((report.activated, report.dispatch.sent), (4, 4));
    let phases = phases.into_inner().unwrap();
    assert!(phases.contains(&(Phase::Activating, 4, 4)), "{phases:?}");
    assert!(phases.iter().any(|(ph, _, _)| *ph == Phase::Dispatching));
    let a = p.accounts().find(Audience::Client, "c0").unwrap().unwrap();
    assert!(a
        .password_hash
        .unwrap()
        .starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
}
