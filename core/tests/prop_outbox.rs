//! Property tests of the outbox: random operation sequences over two tenants sharing one store.
//! Invariants: no document without its notification decision; only legal notification
//! transitions; a notification is mailed at most once; no cross-tenant or cross-audience read.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use portail::*;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Publish {
        tenant: usize,
        audience: usize,
        party: usize,
        folder: usize,
        invoice: bool,
    },
    Dispatch {
        tenant: usize,
        fail: u8,
    },
    Cancel {
        tenant: usize,
        pick: usize,
    },
    Resend {
        tenant: usize,
        pick: usize,
        force: bool,
    },
    SetAddress {
        tenant: usize,
        party: usize,
        role: usize,
        present: bool,
    },
    SetConsent {
        tenant: usize,
        party: usize,
        accepted: bool,
    },
    ToggleSwitch {
        tenant: usize,
        audience: usize,
    },
    Advance {
        minutes: i64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..2usize, 0..2usize, 0..3usize, 0..5usize, any::<bool>())
            .prop_map(|(tenant, audience, party, folder, invoice)| Op::Publish { tenant, audience, party, folder, invoice }),
        3 => (0..2usize, 0..4u8).prop_map(|(tenant, fail)| Op::Dispatch { tenant, fail }),
        1 => (0..2usize, 0..20usize).prop_map(|(tenant, pick)| Op::Cancel { tenant, pick }),
        2 => (0..2usize, 0..20usize, any::<bool>()).prop_map(|(tenant, pick, force)| Op::Resend { tenant, pick, force }),
        2 => (0..2usize, 0..3usize, 0..4usize, any::<bool>())
            .prop_map(|(tenant, party, role, present)| Op::SetAddress { tenant, party, role, present }),
        1 => (0..2usize, 0..3usize, any::<bool>()).prop_map(|(tenant, party, accepted)| Op::SetConsent { tenant, party, accepted }),
        1 => (0..2usize, 0..2usize).prop_map(|(tenant, audience)| Op::ToggleSwitch { tenant, audience }),
        1 => (1..120i64).prop_map(|minutes| Op::Advance { minutes }),
    ]
}

struct World {
    portals: Vec<Portal>,
    mailer: Arc<MemoryMailer>,
    clock: Arc<FixedClock>,
    /// Last seen state of every notification, per tenant.
    seen: Vec<HashMap<String, NotificationState>>,
    parties: Vec<HashMap<(Audience, usize), Party>>,
}

const TENANTS: [&str; 2] = ["alpha", "beta"];

fn world() -> World {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let mailer = Arc::new(MemoryMailer::new());
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap(),
    ));
    let portals: Vec<Portal> = TENANTS
        .iter()
        .map(|t| {
            Portal::builder(*t)
                .settings(Settings::new(t.to_uppercase(), format!("{t}.fr")))
                .store(store.clone())
                .mailer(mailer.clone())
                .clock(clock.clone())
                .retry_policy(RetryPolicy {
                    max_attempts: 3,
                    ..Default::default()
                })
                .build()
                .unwrap()
        })
        .collect();
    let mut parties = vec![HashMap::new(), HashMap::new()];
    for (t, portal) in portals.iter().enumerate() {
        for audience in Audience::ALL {
            for i in 0..3 {
                let p = Party::new(audience, format!("P{i}"), format!("{} {i}", TENANTS[t]))
                    .email(EmailRole::Main, format!("p{i}@{}.fr", TENANTS[t]));
                portal.parties().upsert(p.clone()).unwrap();
                parties[t].insert((audience, i), p);
            }
        }
    }
    World {
        portals,
        mailer,
        clock,
        seen: vec![HashMap::new(), HashMap::new()],
        parties,
    }
}

fn history(p: &Portal) -> Vec<Notification> {
    let mut out = Vec::new();
    let mut page = PageRequest::new(0, 350);
    loop {
        let got = p
            .notifications()
            .history(&NotificationFilter::default(), page)
            .unwrap();
        out.extend(got.items.iter().cloned());
        if !got.has_more() {
            return out;
        }
        page = got.next();
    }
}

fn apply(w: &mut World, op: &Op) {
    match *op {
        Op::Publish {
            tenant,
            audience,
            party,
            folder,
            invoice,
        } => {
            let audience = Audience::ALL[audience];
            let p = &w.portals[tenant];
            let folders = p.folders().list(audience).unwrap();
            let folder = &folders[folder % folders.len()];
            let kind = if invoice {
                DocumentKind::Invoice
            } else {
                DocumentKind::Other
            };
            let cmd = Publish::new(
                audience,
                format!("P{party}"),
                folder.path.clone(),
                "doc.pdf",
                b"%PDF-1.4\n".to_vec(),
            )
            .kind(kind);
            p.documents().publish(cmd).unwrap();
        }
        Op::Dispatch { tenant, fail } => {
            let errors = match fail {
                1 => vec![MailError::Transient("421".into())],
                2 => vec![MailError::Permanent("550".into())],
                _ => vec![],
            };
            w.mailer.fail_next(errors);
            w.portals[tenant].dispatch(5).unwrap();
            w.mailer.fail_next(std::iter::empty());
        }
        Op::Cancel { tenant, pick } => {
            let all = history(&w.portals[tenant]);
            if let Some(n) = all.get(pick % all.len().max(1)) {
                let r = w.portals[tenant].notifications().cancel(&n.id);
                assert_eq!(
                    r.is_ok(),
                    n.state.is_open(),
                    "cancel allowed exactly when open: {r:?}"
                );
            }
        }
        Op::Resend {
            tenant,
            pick,
            force,
        } => {
            let all = history(&w.portals[tenant]);
            if let Some(n) = all.get(pick % all.len().max(1)) {
                if let Ok(fresh) = w.portals[tenant].notifications().resend(&n.id, force) {
                    assert_eq!(fresh.state, NotificationState::Pending);
                    assert_eq!(fresh.document_id, n.document_id);
                    if n.state == NotificationState::Sent || n.state.is_open() {
                        assert!(
                            force,
                            "a sent or open notification is re-sent only when forced"
                        );
                    }
                }
            }
        }
        Op::SetAddress {
            tenant,
            party,
            role,
            present,
        } => {
            for audience in Audience::ALL {
                let role = if audience == Audience::Employee {
                    EmailRole::Main
                } else {
                    EmailRole::ALL[role]
                };
                let p = w.parties[tenant].get(&(audience, party)).unwrap().clone();
                let address = if present {
                    format!("{}-{party}@{}.fr", role.as_str(), TENANTS[tenant])
                } else {
                    String::new()
                };
                let updated = w.portals[tenant]
                    .parties()
                    .upsert(p.email(role, address))
                    .unwrap();
                w.parties[tenant].insert((audience, party), updated);
            }
        }
        Op::SetConsent {
            tenant,
            party,
            accepted,
        } => {
            let p = w.parties[tenant]
                .get(&(Audience::Client, party))
                .unwrap()
                .clone();
            let consent = if accepted {
                EInvoicingConsent::Accepted
            } else {
                EInvoicingConsent::Refused
            };
            let updated = w.portals[tenant]
                .parties()
                .upsert(p.consent(consent))
                .unwrap();
            w.parties[tenant].insert((Audience::Client, party), updated);
        }
        Op::ToggleSwitch { tenant, audience } => {
            let audience = Audience::ALL[audience];
            w.portals[tenant]
                .update_settings(|s| {
                    let a = s.audience_mut(audience);
                    a.notifications_enabled = !a.notifications_enabled;
                })
                .unwrap();
        }
        Op::Advance { minutes } => w.clock.advance(Duration::minutes(minutes)),
    }
}

fn check(w: &mut World) {
    let mut all_ids = Vec::new();
    for (t, p) in w.portals.iter().enumerate() {
        let notifications = history(p);
        let by_id: HashMap<&str, &Notification> =
            notifications.iter().map(|n| (n.id.as_str(), n)).collect();
        // Legal transitions only.
        for n in &notifications {
            if let Some(before) = w.seen[t].get(&n.id) {
                assert!(
                    *before == n.state || before.can_become(n.state),
                    "{before:?} -> {:?}",
                    n.state
                );
            }
            assert_eq!(n.state == NotificationState::Sent, n.sent_at.is_some());
            assert!(
                n.recipient.ends_with(&format!("@{}.fr", TENANTS[t])),
                "tenant wall: {}",
                n.recipient
            );
            all_ids.push(n.id.clone());
        }
        w.seen[t] = notifications
            .iter()
            .map(|n| (n.id.clone(), n.state))
            .collect();
        // Every document has its decision.
        for audience in Audience::ALL {
            for i in 0..3 {
                let docs = p
                    .documents()
                    .list(audience, &format!("P{i}"), PageRequest::new(0, 3500))
                    .unwrap();
                for d in docs.items {
                    assert_eq!(d.audience, audience, "audience wall");
                    match &d.notification {
                        NotificationDecision::Queued { notification_id } => {
                            let n = by_id
                                .get(notification_id.as_str())
                                .expect("queued notification exists");
                            assert_eq!(n.document_id.as_deref(), Some(d.id.as_str()));
                            assert_eq!(n.audience, audience);
                        }
                        NotificationDecision::Skipped { .. } => {
                            assert!(notifications
                                .iter()
                                .all(|n| n.document_id.as_deref() != Some(d.id.as_str())));
                        }
                    }
                    // The other tenant cannot read it.
                    assert_eq!(
                        w.portals[1 - t].documents().get(&d.id).unwrap_err().code(),
                        "not_found"
                    );
                }
            }
        }
    }
    // A notification is mailed at most once.
    let mut sent = HashMap::new();
    for m in w.mailer.messages() {
        *sent.entry(m.notification_id).or_insert(0) += 1;
    }
    assert!(sent.values().all(|c| *c == 1), "{sent:?}");
    assert!(sent.keys().all(|id| all_ids.contains(id)));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn outbox_invariants_hold(ops in proptest::collection::vec(op(), 1..40)) {
        let mut w = world();
        for op in &ops {
            apply(&mut w, op);
            check(&mut w);
        }
    }

    /// The pure state machine of one notification, without any IO.
    #[test]
    fn notification_state_machine(steps in proptest::collection::vec((0..4u8, 0..90i64), 1..30)) {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let policy = RetryPolicy { max_attempts: 4, ..Default::default() };
        let mut n = Notification {
            id: "n".into(), audience: Audience::Client, party_code: "4".into(),
            purpose: TemplatePurpose::DocumentAvailable, document_id: None, account_id: None, role: None,
            recipient: "a@b.fr".into(), subject: "s".into(), body: "b".into(), link: None,
            state: NotificationState::Pending, forced: false, resend_of: None, template_version: 0,
            created_at: t0, next_attempt_at: t0, claimed_until: None, attempts: vec![], sent_at: None,
            holds_secret: true, quarantine: None, version: 0,
        };
        let mut now = t0;
        for (action, minutes) in steps {
            now += Duration::minutes(minutes);
            let before = n.clone();
            let result = match action {
                0 => n.claim(now, Duration::minutes(5)),
                1 => n.record_attempt(now, AttemptOutcome::Sent, &policy),
                2 => n.record_attempt(now, AttemptOutcome::Transient("421".into()), &policy),
                _ => n.cancel(now),
            };
            if result.is_err() {
                prop_assert_eq!(&n, &before, "a refused step changes nothing");
            } else {
                prop_assert!(before.state == n.state || before.state.can_become(n.state));
            }
            prop_assert!(n.attempts.len() <= policy.max_attempts as usize);
            prop_assert_eq!(n.state == NotificationState::Sent, n.sent_at.is_some());
            if !n.state.is_open() {
                prop_assert!(!n.holds_secret);
                prop_assert_eq!(n.body.as_str(), portail::notifications::REDACTED_BODY);
            }
            if !n.state.is_open() {
                prop_assert!(!n.is_due(now + Duration::days(365)));
            }
        }
    }
}
