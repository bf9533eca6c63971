//! Issue 12, the outbox: no duplicate mail (items 7), one undecodable row does not stop the
//! outbox (8), the mail's Date from the portal clock (12), and secrets out of the outbox once
//! they are no longer needed (2). Deliveries are counted by Message-ID on a real SMTP sink on
//! loopback (`support/sink.rs`).
#![cfg(all(feature = "sqlite", feature = "smtp"))]

#[path = "support/sink.rs"]
mod sink;

use std::path::Path;
use std::sync::{Arc, Barrier};
use std::time::{Duration as StdDuration, Instant};

use chrono::{Duration, TimeZone, Utc};
use portail::*;
use sink::{Mode, Sink};

fn t0() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 8, 9, 0, 0).unwrap()
}

/// A portal on the SQLite file `db`, as a separate app server would open it.
fn server(db: &Path, port: u16, clock: Arc<FixedClock>, lease: StdDuration) -> Portal {
    Portal::builder("t")
        .settings(Settings::new("MA SOCIÉTÉ", "masociete.fr"))
        .store(Arc::new(SqliteStore::open(db).unwrap()))
        .mailer(Arc::new(
            SmtpMailer::unencrypted("127.0.0.1", port).deadline(StdDuration::from_secs(10)),
        ))
        .clock(clock)
        .claim_lease(lease)
        .build()
        .unwrap()
}

/// Queue `n` document notifications (one party each).
fn queue(p: &Portal, n: usize) {
    for i in 0..n {
        let code = format!("C{i:03}");
        p.parties()
            .upsert(Party::client(code.clone(), "N").email(EmailRole::Main, format!("c{i}@x.fr")))
            .unwrap();
        p.documents()
            .publish(Publish::client(
                code,
                "Contrats",
                "C.pdf",
                b"%PDF-1.4".to_vec(),
            ))
            .unwrap();
    }
}

/// Dispatch until a round finds nothing due.
fn drain(p: &Portal, limit: u32) -> DispatchReport {
    let mut total = DispatchReport::default();
    loop {
        let r = p.dispatch(limit).unwrap();
        total.attempted += r.attempted;
        total.sent += r.sent;
        total.skipped += r.skipped;
        total.failed += r.failed;
        if r.attempted == 0 && r.skipped == 0 {
            return total;
        }
    }
}

#[test]
fn a_relay_slower_than_the_lease_gets_each_mail_once() {
    let sink = Sink::start(Mode::Delay(StdDuration::from_millis(250)));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("portail.sqlite3");
    let lease = StdDuration::from_millis(150);
    let clock = Arc::new(FixedClock::new(t0()));
    queue(&server(&db, sink.port, clock.clone(), lease), 8);
    let barrier = Arc::new(Barrier::new(3));
    let handles: Vec<_> = (0..3)
        .map(|_| {
            let p = server(&db, sink.port, clock.clone(), lease);
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                let mut total = DispatchReport::default();
                // Keep coming back while the others send, as a polling app server would.
                let until = Instant::now() + StdDuration::from_millis(2600);
                while Instant::now() < until {
                    let r = drain(&p, 4);
                    total.sent += r.sent;
                    std::thread::sleep(StdDuration::from_millis(20));
                }
                total
            })
        })
        .collect();
    let sent: u64 = handles.into_iter().map(|h| h.join().unwrap().sent).sum();
    eprintln!(
        "slow relay (250 ms/mail, lease 150 ms, 3 dispatchers): {} accepted, {} duplicates",
        sink.count(),
        sink.duplicates()
    );
    assert_eq!(sink.duplicates(), 0, "{:?}", sink.per_id());
    assert_eq!(sink.per_id().len(), 8);
    assert_eq!(sent, 8);
}

#[test]
fn dispatchers_with_clocks_six_minutes_apart_send_each_mail_once() {
    let sink = Sink::start(Mode::Delay(StdDuration::from_millis(15)));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("portail.sqlite3");
    let lease = StdDuration::from_secs(300);
    let behind = Arc::new(FixedClock::new(t0()));
    let ahead = Arc::new(FixedClock::new(t0() + Duration::minutes(6)));
    queue(&server(&db, sink.port, behind.clone(), lease), 40);
    let barrier = Arc::new(Barrier::new(2));
    let handles: Vec<_> = [behind, ahead]
        .into_iter()
        .map(|clock| {
            let p = server(&db, sink.port, clock, lease);
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                drain(&p, 5)
            })
        })
        .collect();
    let reports: Vec<DispatchReport> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    eprintln!(
        "clock skew 6 min (2 dispatchers, 40 mails): {} accepted, {} duplicates, {reports:?}",
        sink.count(),
        sink.duplicates()
    );
    assert_eq!(sink.duplicates(), 0);
    assert_eq!(sink.per_id().len(), 40);
    assert!(
        reports.iter().all(|r| r.sent > 0),
        "both really sent: {reports:?}"
    );
}

const CHILD_ENV: &str = "PORTAIL_H2_DISPATCH_CHILD";

/// Not a test of its own: the dispatcher process that `a_killed_dispatcher_...` runs and kills.
#[test]
fn child_dispatcher_process() {
    let Ok(spec) = std::env::var(CHILD_ENV) else {
        return;
    };
    let (db, port) = spec.rsplit_once('|').unwrap();
    let p = server(
        Path::new(db),
        port.parse().unwrap(),
        Arc::new(FixedClock::new(t0())),
        StdDuration::from_millis(400),
    );
    drain(&p, 500);
}

#[test]
fn a_killed_dispatcher_leaves_at_most_the_mail_in_flight_sent_twice() {
    let sink = Sink::start(Mode::Delay(StdDuration::from_millis(20)));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("portail.sqlite3");
    let lease = StdDuration::from_millis(400);
    let clock = Arc::new(FixedClock::new(t0()));
    let main = server(&db, sink.port, clock, lease);
    queue(&main, 90);
    let exe = std::env::current_exe().unwrap();
    let mut kills = 0;
    for stop_at in [20, 50] {
        let mut child = std::process::Command::new(&exe)
            .args(["child_dispatcher_process", "--exact", "--nocapture"])
            .env(CHILD_ENV, format!("{}|{}", db.display(), sink.port))
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + StdDuration::from_secs(15);
        while sink.count() < stop_at && Instant::now() < deadline {
            std::thread::sleep(StdDuration::from_millis(2));
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        kills += 1;
        // The dead dispatcher's claims lapse after the lease; then others take its batch.
        std::thread::sleep(lease + StdDuration::from_millis(100));
    }
    let report = drain(&main, 500);
    let dups = sink.duplicates();
    eprintln!(
        "SIGKILL x{kills} mid-batch (90 mails): {} accepted, {dups} duplicates, then {report:?}",
        sink.count()
    );
    assert_eq!(sink.per_id().len(), 90, "every mail went out");
    assert!(dups <= kills, "{dups} duplicates for {kills} kills");
    let pending = main
        .notifications()
        .history(
            &NotificationFilter {
                state: Some(NotificationState::Sent),
                ..Default::default()
            },
            PageRequest::first(),
        )
        .unwrap()
        .total;
    assert_eq!(pending, 90);
}

#[test]
fn cancel_and_forced_resend_wait_for_the_send_in_flight() {
    let sink = Sink::start(Mode::Delay(StdDuration::from_millis(800)));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("portail.sqlite3");
    let p = Arc::new(server(
        &db,
        sink.port,
        Arc::new(FixedClock::new(t0())),
        StdDuration::from_millis(300),
    ));
    queue(&p, 1);
    let id = p
        .notifications()
        .history(&NotificationFilter::default(), PageRequest::first())
        .unwrap()
        .items[0]
        .id
        .clone();
    let sender = {
        let p = p.clone();
        std::thread::spawn(move || p.dispatch(10).unwrap())
    };
    std::thread::sleep(StdDuration::from_millis(400));
    let cancel = p.notifications().cancel(&id).unwrap_err();
    assert_eq!(cancel.code(), "invalid_state", "{cancel}");
    let resend = p.notifications().resend(&id, true).unwrap_err();
    assert_eq!(resend.code(), "invalid_state", "{resend}");
    assert_eq!(sender.join().unwrap().sent, 1);
    let n = p.notifications().get(&id).unwrap();
    assert_eq!(
        n.state,
        NotificationState::Sent,
        "the history tells the truth"
    );
    assert_eq!(
        p.notifications().cancel(&id).unwrap_err().code(),
        "invalid_state"
    );
    assert_eq!(sink.count(), 1, "sent once");
}

#[test]
fn a_smtp_send_ends_at_its_deadline_whatever_the_relay_does() {
    for (name, mode) in [
        (
            "trickling 1 byte / 200 ms",
            Mode::Trickle(StdDuration::from_millis(200)),
        ),
        ("hanging after DATA", Mode::HangAfterData),
    ] {
        let sink = Sink::start(mode);
        let mailer = SmtpMailer::unencrypted("127.0.0.1", sink.port)
            .deadline(StdDuration::from_millis(1500));
        let msg = OutgoingMessage {
            message_id: "<d1@x.fr>".into(),
            notification_id: "d1".into(),
            from: "noreply@x.fr".into(),
            from_name: None,
            reply_to: None,
            to: "a@x.fr".into(),
            subject: "s".into(),
            body: "b".into(),
            date: t0(),
        };
        let started = Instant::now();
        let r = mailer.send(&msg);
        let took = started.elapsed();
        eprintln!("relay {name}: send ended after {took:?} with {r:?}");
        assert!(matches!(r, Err(MailError::Transient(_))), "{r:?}");
        assert!(took < StdDuration::from_millis(2500), "{took:?}");
    }
    // Abandoned sends are bounded: past the bound, a send fails at once.
    let sink = Sink::start(Mode::HangAfterData);
    let mailer =
        SmtpMailer::unencrypted("127.0.0.1", sink.port).deadline(StdDuration::from_millis(100));
    let msg = |i: usize| OutgoingMessage {
        message_id: format!("<h{i}@x.fr>"),
        notification_id: format!("h{i}"),
        from: "noreply@x.fr".into(),
        from_name: None,
        reply_to: None,
        to: "a@x.fr".into(),
        subject: "s".into(),
        body: "b".into(),
        date: t0(),
    };
    for i in 0..SmtpMailer::MAX_ABANDONED {
        assert!(mailer.send(&msg(i)).is_err());
    }
    assert_eq!(mailer.abandoned_sends(), SmtpMailer::MAX_ABANDONED);
    let started = Instant::now();
    assert!(matches!(
        mailer.send(&msg(99)),
        Err(MailError::Transient(_))
    ));
    assert!(started.elapsed() < StdDuration::from_millis(50));
}

#[test]
fn an_undecodable_row_is_quarantined_and_the_others_go_out() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("portail.sqlite3");
    let mailer = Arc::new(MemoryMailer::new());
    let open = || {
        Portal::builder("t")
            .settings(Settings::new("X", "x.fr"))
            .store(Arc::new(SqliteStore::open(&db).unwrap()))
            .mailer(mailer.clone())
            .build()
            .unwrap()
    };
    let p = open();
    queue(&p, 3);
    let victim = p
        .notifications()
        .history(&NotificationFilter::default(), PageRequest::first())
        .unwrap()
        .items[1]
        .id
        .clone();
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute(
            "UPDATE notifications SET body = '{\"id\": 12, \"purpose\": \"document_available\", \"recipient\": \"c1@x.fr\"' WHERE id = ?1",
            [&victim],
        )
        .unwrap();
    }
    // Even before dispatch sets it aside, the history reads (the row shows as quarantined).
    let before = p
        .notifications()
        .history(&NotificationFilter::default(), PageRequest::first())
        .unwrap();
    assert_eq!(before.total, 3);
    assert_eq!(
        p.notifications().get(&victim).unwrap().state,
        NotificationState::Quarantined
    );
    let report = p.dispatch(100).unwrap();
    assert_eq!(report.sent, 2, "{report:?}");
    assert_eq!(mailer.messages().len(), 2);
    let q = p.notifications().get(&victim).unwrap();
    assert_eq!(q.state, NotificationState::Quarantined);
    assert_eq!(q.quarantine, Some(QuarantineReason::Undecodable));
    assert!(q.last_error().unwrap().contains("undecodable"), "{q:?}");
    let listed = p
        .notifications()
        .history(
            &NotificationFilter {
                state: Some(NotificationState::Quarantined),
                ..Default::default()
            },
            PageRequest::first(),
        )
        .unwrap();
    assert_eq!(listed.total, 1);
    assert_eq!(p.dispatch(100).unwrap().attempted, 0, "never picked again");
    assert_eq!(
        p.notifications().cancel(&victim).unwrap_err().code(),
        "invalid_state"
    );
}

#[test]
fn the_date_header_comes_from_the_portal_clock() {
    let dir = tempfile::tempdir().unwrap();
    let files = FileMailer::open(dir.path()).unwrap();
    let p = Portal::builder("t")
        .settings(Settings::new("X", "x.fr"))
        .mailer(Arc::new(files.clone()))
        .clock(Arc::new(FixedClock::new(t0())))
        .build()
        .unwrap();
    queue(&p, 1);
    p.dispatch(10).unwrap();
    let n = &p
        .notifications()
        .history(&NotificationFilter::default(), PageRequest::first())
        .unwrap()
        .items[0];
    assert_eq!(n.sent_at, Some(t0()));
    let eml = files.read(&n.id).unwrap();
    assert!(
        eml.contains("Date: Sun, 08 Mar 2026 09:00:00 +0000"),
        "{eml}"
    );
}

/// A credentials mail through `mailer`, the notification returned once `sync` ran.
fn credentials(mailer: Arc<MemoryMailer>) -> (Portal, Notification, String) {
    let p = Portal::builder("t")
        .settings(Settings::new("X", "x.fr"))
        .mailer(mailer)
        .retry_policy(RetryPolicy {
            max_attempts: 3,
            ..Default::default()
        })
        .build()
        .unwrap();
    p.parties()
        .upsert(Party::client("4", "MOI MEME").email(EmailRole::Main, "moi@x.fr"))
        .unwrap();
    let draft = p.accounts().generate(Generate::client("4")).unwrap();
    let password = p.accounts().draft_password(&draft.id).unwrap();
    p.sync().unwrap();
    let n = p
        .notifications()
        .history(&NotificationFilter::default(), PageRequest::first())
        .unwrap()
        .items
        .remove(0);
    (p, n, password)
}

#[test]
fn secrets_leave_the_outbox_on_every_end() {
    // Abandoned (a permanent refusal).
    let mailer = Arc::new(MemoryMailer::new());
    mailer.fail_next([MailError::Permanent("550 no".into())]);
    let (_, n, password) = credentials(mailer);
    assert_eq!(n.state, NotificationState::Abandoned);
    assert!(
        !n.body.contains(&password) && !n.holds_secret,
        "abandoned: {}",
        n.body
    );

    // Cancelled while retrying.
    let mailer = Arc::new(MemoryMailer::new());
    mailer.fail_next([MailError::Transient("421 busy".into())]);
    let (p, n, password) = credentials(mailer);
    assert_eq!(n.state, NotificationState::Failed);
    assert!(n.body.contains(&password), "kept while it may still go out");
    assert!(
        !format!("{n:?}").contains(&password),
        "Debug never prints it"
    );
    let cancelled = p.notifications().cancel(&n.id).unwrap();
    assert!(!cancelled.body.contains(&password));
    let stored = p.notifications().get(&n.id).unwrap();
    assert_eq!(stored.state, NotificationState::Cancelled);
    assert!(!stored.body.contains(&password) && !stored.holds_secret);

    // Sent.
    let (_, n, password) = credentials(Arc::new(MemoryMailer::new()));
    assert_eq!(n.state, NotificationState::Sent);
    assert!(!n.body.contains(&password));

    // A subject may not carry a secret.
    let p = Portal::in_memory("t", Settings::new("X", "x.fr")).unwrap();
    for (purpose, subject) in [
        (
            TemplatePurpose::AccessCredentials,
            "Votre mot de passe : #mot_de_passe#",
        ),
        (TemplatePurpose::PasswordReset, "Réinitialisez ici : #lien#"),
        (TemplatePurpose::Invitation, "#lien#"),
    ] {
        let t = Template::new(Audience::Client, purpose, subject, "Bonjour #nom#, #lien#");
        let e = p.templates().save(t).unwrap_err();
        assert_eq!(
            (e.code(), e.field()),
            ("invalid_input", Some("subject")),
            "{e}"
        );
    }
    let ok = Template::new(
        Audience::Client,
        TemplatePurpose::AccessCredentials,
        "Votre accès #société#",
        "#lien# #mot_de_passe#",
    );
    p.templates().save(ok).unwrap();
}

#[test]
fn a_long_unbroken_subject_is_folded_under_998_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let files = FileMailer::open(dir.path()).unwrap();
    let p = Portal::builder("t")
        .settings(Settings::new("X", "x.fr"))
        .mailer(Arc::new(files.clone()))
        .build()
        .unwrap();
    // Within the 255-character cap, merge fields still make a subject of thousands of bytes.
    let subject = "#document#".repeat(25);
    p.templates()
        .save(Template::new(
            Audience::Client,
            TemplatePurpose::DocumentAvailable,
            subject,
            "#lien#",
        ))
        .unwrap();
    p.parties()
        .upsert(Party::client("4", "N").email(EmailRole::Main, "c@x.fr"))
        .unwrap();
    let name = format!("{}.pdf", "é".repeat(250));
    p.documents()
        .publish(Publish::client("4", "Contrats", name, b"%PDF-1.4".to_vec()))
        .unwrap();
    assert_eq!(p.dispatch(10).unwrap().sent, 1);
    let id = &p
        .notifications()
        .history(&NotificationFilter::default(), PageRequest::first())
        .unwrap()
        .items[0]
        .id;
    let eml = files.read(id).unwrap();
    let longest = eml.split("\r\n").map(str::len).max().unwrap();
    eprintln!(
        "subject of {} bytes: longest .eml line {longest} bytes",
        25 * (500 + 4)
    );
    assert!(longest <= 998, "{longest}");
}
