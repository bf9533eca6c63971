//! Several dispatchers on one store (several app servers, or threads of one) never send one
//! notification twice: each claims before sending, and a lost claim is left to the winner.
#![cfg(feature = "sqlite")]

use std::collections::HashMap;
use std::sync::{Arc, Barrier};

use portail::*;

#[test]
fn four_dispatchers_on_one_sqlite_file_send_each_notification_once() {
    let dir = tempfile::tempdir().unwrap();
    let mailer = Arc::new(MemoryMailer::new());
    let open = || {
        // Each dispatcher opens the file on its own, as separate processes would.
        let store = SqliteStore::open(dir.path().join("portail.sqlite3")).unwrap();
        Portal::builder("t")
            .settings(Settings::new("X", "x.fr"))
            .store(Arc::new(store))
            .mailer(mailer.clone())
            .build()
            .unwrap()
    };
    let first = open();
    let codes: Vec<String> = (0..300).map(|i| format!("E{i:03}")).collect();
    for c in &codes {
        first
            .parties()
            .upsert(
                Party::employee(c.clone(), "N")
                    .email(EmailRole::Main, format!("{}@x.fr", c.to_lowercase())),
            )
            .unwrap();
    }
    let commands = codes
        .iter()
        .map(|c| {
            Publish::employee(
                c.clone(),
                "Bulletins",
                "BP.pdf",
                format!("%PDF-1.4\n{c}").into_bytes(),
            )
            .kind(DocumentKind::Payslip)
        })
        .collect();
    let report = first.documents().publish_many(commands, &|_| {}).unwrap();
    assert_eq!(report.notifications_queued, 300);

    let barrier = Arc::new(Barrier::new(4));
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let portal = open();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                let mut total = DispatchReport::default();
                loop {
                    let r = portal.dispatch(40).unwrap();
                    total.sent += r.sent;
                    total.skipped += r.skipped;
                    if r.attempted == 0 && r.skipped == 0 {
                        return total;
                    }
                }
            })
        })
        .collect();
    let totals: Vec<DispatchReport> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let sent: u64 = totals.iter().map(|t| t.sent).sum();
    assert_eq!(sent, 300, "{totals:?}");
    assert!(
        totals.iter().filter(|t| t.sent > 0).count() >= 2,
        "the dispatchers really raced: {totals:?}"
    );
    let mut per_notification = HashMap::new();
    for m in mailer.messages() {
        *per_notification.entry(m.notification_id).or_insert(0) += 1;
    }
    assert_eq!(per_notification.len(), 300);
    assert!(
        per_notification.values().all(|c| *c == 1),
        "a notification was mailed twice"
    );
    let history = first
        .notifications()
        .history(
            &NotificationFilter {
                state: Some(NotificationState::Sent),
                ..Default::default()
            },
            PageRequest::new(0, 350),
        )
        .unwrap();
    assert_eq!(history.total, 300);
}
