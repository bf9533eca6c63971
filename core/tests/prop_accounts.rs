//! Property tests of accounts: random sequences of generate / regenerate / sync / suspend /
//! resume / revoke / login / reset. Invariants: identifiers unique among live accounts of an
//! audience (across codes and e-mails); no plaintext on an active account; a revoked, suspended
//! or draft account never logs in; a lockout holds for its whole duration; tokens work once.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use portail::*;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Generate { party: usize, by_email: bool },
    Regenerate { pick: usize },
    Sync,
    Authorize { pick: usize, on: bool },
    Revoke { pick: usize },
    Login { pick: usize, right: bool },
    RequestReset { pick: usize },
    UseToken { pick: usize },
    Advance { minutes: i64 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..4usize, any::<bool>()).prop_map(|(party, by_email)| Op::Generate { party, by_email }),
        1 => (0..8usize).prop_map(|pick| Op::Regenerate { pick }),
        3 => Just(Op::Sync),
        1 => (0..8usize, any::<bool>()).prop_map(|(pick, on)| Op::Authorize { pick, on }),
        1 => (0..8usize).prop_map(|pick| Op::Revoke { pick }),
        5 => (0..8usize, any::<bool>()).prop_map(|(pick, right)| Op::Login { pick, right }),
        1 => (0..8usize).prop_map(|pick| Op::RequestReset { pick }),
        1 => (0..8usize).prop_map(|pick| Op::UseToken { pick }),
        1 => (1..20i64).prop_map(|minutes| Op::Advance { minutes }),
    ]
}

struct World {
    portal: Portal,
    mailer: Arc<MemoryMailer>,
    clock: Arc<FixedClock>,
    /// Known password of each account id (from drafts and credential mails).
    passwords: HashMap<String, String>,
    /// Tokens seen in mails, and whether one was already used successfully.
    tokens: Vec<(String, bool)>,
    mails_read: usize,
}

fn world() -> World {
    let mailer = Arc::new(MemoryMailer::new());
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap(),
    ));
    let portal = Portal::builder("t")
        .settings(Settings::new("T", "t.fr"))
        .mailer(mailer.clone())
        .clock(clock.clone())
        .security(SecurityPolicy::fast_for_tests())
        .build()
        .unwrap();
    // Party "p1@t.fr" has a code equal to party 0's e-mail: identifiers collide across codes and e-mails.
    let parties = [
        ("P0", "p1@t.fr"),
        ("p1@t.fr", "x1@t.fr"),
        ("P2", "p2@t.fr"),
        ("P3", "P2@T.FR"),
    ];
    for (code, email) in parties {
        portal
            .parties()
            .upsert(Party::client(code, "N").email(EmailRole::Main, email))
            .unwrap();
    }
    World {
        portal,
        mailer,
        clock,
        passwords: HashMap::new(),
        tokens: Vec::new(),
        mails_read: 0,
    }
}

const CODES: [&str; 4] = ["P0", "p1@t.fr", "P2", "P3"];

fn accounts(p: &Portal) -> Vec<Account> {
    p.accounts()
        .list(&AccountFilter::default(), PageRequest::new(0, 3500))
        .unwrap()
        .items
}

fn read_mails(w: &mut World) {
    let messages = w.mailer.messages();
    for m in &messages[w.mails_read..] {
        if let Some(pw) = m
            .body
            .lines()
            .find_map(|l| l.strip_prefix("Mot de passe : "))
        {
            let id = w
                .portal
                .notifications()
                .get(&m.notification_id)
                .unwrap()
                .account_id
                .unwrap();
            w.passwords.insert(id, pw.to_string());
        }
        if let Some(at) = m.body.find("token=") {
            w.tokens.push((m.body[at + 6..at + 70].to_string(), false));
        }
    }
    w.mails_read = messages.len();
}

fn apply(w: &mut World, op: &Op) {
    let p = &w.portal;
    let all = accounts(p);
    let pick = |i: usize| all.get(i % all.len().max(1)).cloned();
    match *op {
        Op::Generate { party, by_email } => {
            let choice = if by_email {
                IdentifierChoice::Email
            } else {
                IdentifierChoice::Code
            };
            match p
                .accounts()
                .generate(Generate::client(CODES[party]).identifier(choice))
            {
                Ok(a) => {
                    let pw = p.accounts().draft_password(&a.id).unwrap();
                    w.passwords.insert(a.id, pw);
                }
                Err(e) => assert!(
                    matches!(e.code(), "identifier_taken" | "invalid_state"),
                    "{e}"
                ),
            }
        }
        Op::Regenerate { pick: i } => {
            if let Some(a) = pick(i) {
                match p.accounts().regenerate(&a.id, true) {
                    Ok(fresh) => {
                        let pw = p.accounts().draft_password(&fresh.id).unwrap();
                        w.passwords.insert(fresh.id, pw);
                    }
                    Err(e) => assert_eq!(a.status, AccountStatus::Revoked, "{e}"),
                }
            }
        }
        Op::Sync => {
            p.sync().unwrap();
            read_mails(w);
        }
        Op::Authorize { pick: i, on } => {
            if let Some(a) = pick(i) {
                let r = p.accounts().set_authorized(&a.id, on);
                assert_eq!(r.is_ok(), a.status != AccountStatus::Revoked);
            }
        }
        Op::Revoke { pick: i } => {
            if let Some(a) = pick(i) {
                let r = p.accounts().revoke(&a.id);
                assert_eq!(r.is_ok(), a.status != AccountStatus::Revoked);
            }
        }
        Op::Login { pick: i, right } => {
            if let Some(a) = pick(i) {
                let pw = if right {
                    w.passwords.get(&a.id).cloned().unwrap_or_default()
                } else {
                    "wrong-password".into()
                };
                let now = w.clock.now();
                match p.access().login(Audience::Client, &a.identifier, &pw) {
                    Ok(me) => {
                        // Whoever holds the identifier now logged in: it must be live and usable.
                        let holder = p.accounts().get(&me.account_id).unwrap();
                        assert_eq!(holder.status, AccountStatus::Active);
                        assert!(holder.authorized);
                        let lock = p
                            .accounts()
                            .lockout(Audience::Client, &a.identifier)
                            .unwrap();
                        assert_eq!(lock.failures, 0, "a success clears the counter");
                        assert!(lock.locked_until.is_none_or(|u| u <= now));
                    }
                    Err(Error::LockedOut { .. }) => {
                        // Known or not, the identifier itself is locked.
                        let lock = p
                            .accounts()
                            .lockout(Audience::Client, &a.identifier)
                            .unwrap();
                        assert!(
                            lock.locked_until.is_some_and(|u| u > now),
                            "a lockout error only while locked"
                        );
                    }
                    Err(e) => assert_eq!(e.code(), "invalid_credentials"),
                }
            }
        }
        Op::RequestReset { pick: i } => {
            if let Some(a) = pick(i) {
                p.access()
                    .request_password_reset(Audience::Client, &a.identifier)
                    .unwrap();
            }
        }
        Op::UseToken { pick: i } => {
            if !w.tokens.is_empty() {
                let k = i % w.tokens.len();
                let (token, used) = w.tokens[k].clone();
                let r = p
                    .access()
                    .reset_password(Audience::Client, &token, "reset-password-1");
                if used {
                    assert_eq!(r.unwrap_err().code(), "invalid_token", "tokens work once");
                } else if r.is_ok() {
                    w.tokens[k].1 = true;
                }
            }
        }
        Op::Advance { minutes } => w.clock.advance(Duration::minutes(minutes)),
    }
}

fn check(w: &World) {
    let all = accounts(&w.portal);
    let mut live = HashSet::new();
    for a in &all {
        if a.status != AccountStatus::Revoked {
            assert!(
                live.insert(a.identifier.to_lowercase()),
                "identifier {} held twice",
                a.identifier
            );
        }
        match a.status {
            AccountStatus::Active => {
                assert!(a.draft_password.is_none(), "plaintext on an active account");
                assert!(a
                    .password_hash
                    .as_deref()
                    .is_some_and(|h| h.starts_with("$argon2id$")));
            }
            AccountStatus::Revoked => {
                assert!(a.password_hash.is_none() && a.draft_password.is_none())
            }
            AccountStatus::Draft => assert!(a.password_hash.is_none()),
        }
    }
    // Nothing un-sent keeps a secret in the outbox once sent.
    let sent = w
        .portal
        .notifications()
        .history(
            &NotificationFilter {
                state: Some(NotificationState::Sent),
                ..Default::default()
            },
            PageRequest::new(0, 3500),
        )
        .unwrap();
    for n in sent.items {
        assert!(!n.holds_secret);
        assert!(
            !n.body.contains("token=") && !n.body.contains("Mot de passe : "),
            "{}",
            n.body
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn account_invariants_hold(ops in proptest::collection::vec(op(), 1..45)) {
        let mut w = world();
        for op in &ops {
            apply(&mut w, op);
            check(&w);
        }
    }
}
