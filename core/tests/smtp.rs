//! The SMTP mailer against a real SMTP server on loopback (aiosmtpd, started by the test):
//! delivery with the stable Message-ID and encoded subject, a 5xx reply abandons the
//! notification, a 4xx reply or a server that is down is retried later.
#![cfg(feature = "smtp")]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use portail::*;

struct Sink {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_sink() -> Option<Sink> {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/support/smtp_sink.py");
    let mut child = Command::new("/usr/bin/python3")
        .arg(script)
        .arg(port.to_string())
        .arg(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .ok()?;
    let mut line = String::new();
    BufReader::new(child.stdout.take()?)
        .read_line(&mut line)
        .ok()?;
    if line.trim() != "ready" {
        let _ = child.kill();
        return None;
    }
    Some(Sink { child, port, dir })
}

fn portal(port: u16, clock: Arc<FixedClock>) -> Portal {
    let p = Portal::builder("t")
        .settings(Settings::new("MA SOCIÉTÉ", "masociete.fr").reply_to("contact@masociete.fr"))
        .mailer(Arc::new(SmtpMailer::unencrypted("127.0.0.1", port)))
        .clock(clock)
        .build()
        .unwrap();
    for (code, email) in [
        ("4", "keylian.ace@gmail.com"),
        ("R", "reject@x.fr"),
        ("B", "busy@x.fr"),
    ] {
        p.parties()
            .upsert(Party::client(code, "MOI MEME").email(EmailRole::Main, email))
            .unwrap();
    }
    p
}

fn publish(p: &Portal, code: &str) -> String {
    let d = p
        .documents()
        .publish(Publish::client(
            code,
            "Contrats",
            "Contrat été.pdf",
            b"%PDF-1.4\n%PDF".to_vec(),
        ))
        .unwrap();
    match d.notification {
        NotificationDecision::Queued { notification_id } => notification_id,
        other => panic!("{other:?}"),
    }
}

#[test]
fn delivers_to_a_real_smtp_server_and_classifies_failures() {
    let Some(sink) = start_sink() else {
        eprintln!("SKIPPED: /usr/bin/python3 with aiosmtpd not available (apt-get install python3-aiosmtpd)");
        return;
    };
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 3, 8, 9, 0, 0).unwrap(),
    ));
    let p = portal(sink.port, clock.clone());

    let ok = publish(&p, "4");
    let rejected = publish(&p, "R");
    let busy = publish(&p, "B");
    let report = p.sync().unwrap();
    assert_eq!(
        (
            report.dispatch.sent,
            report.dispatch.abandoned,
            report.dispatch.failed
        ),
        (1, 1, 1)
    );

    let received = std::fs::read_to_string(sink.dir.path().join("1.eml")).unwrap();
    assert!(
        received.contains("X-Envelope-To: keylian.ace@gmail.com"),
        "{received}"
    );
    assert!(
        received.contains(&format!("Message-ID: <{ok}@masociete.fr>")),
        "{received}"
    );
    assert!(
        received
            .lines()
            .any(|l| l.starts_with("Subject: ") && l.contains("=?utf-8?")),
        "{received}"
    );
    assert!(received.contains("Reply-To: contact@masociete.fr"));

    let r = p.notifications().get(&rejected).unwrap();
    assert_eq!(r.state, NotificationState::Abandoned);
    assert!(
        r.last_error().unwrap().contains("550"),
        "{:?}",
        r.last_error()
    );
    let b = p.notifications().get(&busy).unwrap();
    assert_eq!(b.state, NotificationState::Failed);
    assert!(
        b.last_error().unwrap().contains("451"),
        "{:?}",
        b.last_error()
    );
    assert_eq!(b.next_attempt_at, clock.now() + Duration::minutes(1));

    // The server goes away: the next attempt is a transient failure, kept for later.
    let port = sink.port;
    drop(sink);
    let down = publish(&p, "4");
    p.sync().unwrap();
    let n = p.notifications().get(&down).unwrap();
    assert_eq!(n.state, NotificationState::Failed, "{:?}", n.last_error());
    let _ = port;
}
