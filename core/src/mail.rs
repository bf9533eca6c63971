//! Sending notifications: the [`Mailer`] trait and its transports.
//!
//! | implementation | feature | use |
//! |---|---|---|
//! | [`MemoryMailer`] | always | tests: inspect what was sent |
//! | [`FileMailer`] | always | the embedded default: one RFC 5322 `.eml` file per message |
//! | `SmtpMailer` | `smtp` | a real SMTP relay through lettre |
//! | any `Fn(&OutgoingMessage) -> Result<(), MailError>` | always | a host's own mail system |
//!
//! Messages are built with lettre's message builder: UTF-8 subjects are encoded (RFC 2047),
//! bodies are quoted-printable or base64 as needed, and the Message-ID is the notification's
//! stable one so a retried delivery can be recognised downstream.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};

use chrono::{DateTime, Utc};

use crate::error::{Error, Result};

/// One e-mail to send. Its `Debug` leaves the subject and body out (they may hold a password
/// or a live link).
#[derive(Clone, PartialEq, Eq)]
pub struct OutgoingMessage {
    /// Stable per notification, with angle brackets: `<id@domain>`.
    pub message_id: String,
    /// The notification this message delivers.
    pub notification_id: String,
    /// "Adresse mail de notification".
    pub from: String,
    /// Display name of the sender (the company).
    pub from_name: Option<String>,
    /// "Adresse mail de réponse".
    pub reply_to: Option<String>,
    /// The recipient's address.
    pub to: String,
    /// One line, already rendered.
    pub subject: String,
    /// Plain text, already rendered.
    pub body: String,
    /// The `Date` header: the portal's clock when the message was handed to the mailer (the
    /// same clock as the recorded attempt).
    pub date: DateTime<Utc>,
}

impl std::fmt::Debug for OutgoingMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutgoingMessage")
            .field("message_id", &self.message_id)
            .field("notification_id", &self.notification_id)
            .field("from", &self.from)
            .field("from_name", &self.from_name)
            .field("reply_to", &self.reply_to)
            .field("to", &self.to)
            .field("subject", &format_args!("<{} bytes>", self.subject.len()))
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .field("date", &self.date)
            .finish()
    }
}

impl OutgoingMessage {
    /// Build the RFC 5322 message with lettre.
    pub fn to_lettre(&self) -> std::result::Result<Message, MailError> {
        let from: Mailbox = match &self.from_name {
            Some(name) => Mailbox::new(Some(name.clone()), parse_address(&self.from)?),
            None => Mailbox::new(None, parse_address(&self.from)?),
        };
        let mut b = Message::builder()
            .message_id(Some(self.message_id.clone()))
            .from(from)
            .to(Mailbox::new(None, parse_address(&self.to)?))
            .raw_header(subject_header(&self.subject))
            .date(std::time::SystemTime::from(self.date))
            .header(ContentType::TEXT_PLAIN);
        if let Some(r) = &self.reply_to {
            b = b.reply_to(Mailbox::new(None, parse_address(r)?));
        }
        b.body(self.body.clone())
            .map_err(|e| MailError::Permanent(format!("cannot build message: {e}")))
    }

    /// The message as RFC 5322 bytes (what a `.eml` file holds).
    pub fn to_rfc5322(&self) -> std::result::Result<Vec<u8>, MailError> {
        Ok(self.to_lettre()?.formatted())
    }
}

/// The Subject header. lettre folds at spaces and encodes non-ASCII words, but writes an
/// unbroken ASCII run as is, however long: a subject with a run longer than fits a folded line
/// is written as RFC 2047 encoded words instead, one per line, so no line passes 78 characters
/// (RFC 5322 allows 998; real servers refuse more).
fn subject_header(subject: &str) -> lettre::message::header::HeaderValue {
    use lettre::message::header::{HeaderName, HeaderValue};
    let name = HeaderName::new_from_ascii_str("Subject");
    if subject.split([' ', '\t']).all(|w| w.len() <= 60) {
        return HeaderValue::new(name, subject.to_string());
    }
    let mut encoded = String::with_capacity(subject.len() * 2);
    let mut chunk = String::new();
    let flush = |chunk: &mut String, out: &mut String| {
        if chunk.is_empty() {
            return;
        }
        if !out.is_empty() {
            out.push_str("\r\n ");
        }
        out.push_str("=?utf-8?b?");
        out.push_str(&base64(chunk.as_bytes()));
        out.push_str("?=");
        chunk.clear();
    };
    for c in subject.chars() {
        // 45 bytes give 60 base64 characters: 72 with the markers, under 78 with the fold.
        if chunk.len() + c.len_utf8() > 45 {
            flush(&mut chunk, &mut encoded);
        }
        chunk.push(c);
    }
    flush(&mut chunk, &mut encoded);
    HeaderValue::dangerous_new_pre_encoded(name, subject.to_string(), encoded)
}

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for group in bytes.chunks(3) {
        let b = [
            group[0],
            group.get(1).copied().unwrap_or(0),
            group.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= group.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn parse_address(a: &str) -> std::result::Result<lettre::Address, MailError> {
    a.parse()
        .map_err(|e| MailError::Permanent(format!("bad address {a:?}: {e}")))
}

/// Why a send failed. Transient errors are retried with backoff; permanent ones are not.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// Worth retrying later (connection refused, timeout, SMTP 4xx).
    #[error("transient: {0}")]
    Transient(String),
    /// Will never succeed (bad address, SMTP 5xx).
    #[error("permanent: {0}")]
    Permanent(String),
}

impl From<MailError> for Error {
    fn from(e: MailError) -> Self {
        Error::Mail {
            reason: e.to_string(),
        }
    }
}

/// A mail transport. Object-safe: held as `Arc<dyn Mailer>`.
pub trait Mailer: Send + Sync {
    /// Deliver one message (or hand it to a relay).
    fn send(&self, message: &OutgoingMessage) -> std::result::Result<(), MailError>;
}

impl<M: Mailer + ?Sized> Mailer for std::sync::Arc<M> {
    fn send(&self, message: &OutgoingMessage) -> std::result::Result<(), MailError> {
        (**self).send(message)
    }
}

impl<F> Mailer for F
where
    F: Fn(&OutgoingMessage) -> std::result::Result<(), MailError> + Send + Sync,
{
    fn send(&self, message: &OutgoingMessage) -> std::result::Result<(), MailError> {
        self(message)
    }
}

/// Keeps every sent message in memory (the test double, like lettre's `StubTransport`).
///
/// ```
/// use portail::{MemoryMailer, Mailer, OutgoingMessage};
/// let m = MemoryMailer::new();
/// m.send(&OutgoingMessage { message_id: "<1@x.fr>".into(), notification_id: "1".into(),
///     from: "noreply@x.fr".into(), from_name: None, reply_to: None,
///     to: "a@b.fr".into(), subject: "Été".into(), body: "…".into(),
///     date: chrono::Utc::now() }).unwrap();
/// assert_eq!(m.messages()[0].to, "a@b.fr");
/// ```
#[derive(Debug, Default)]
pub struct MemoryMailer {
    sent: Mutex<Vec<OutgoingMessage>>,
    fail_next: Mutex<Vec<MailError>>,
}

impl MemoryMailer {
    /// An empty mailbox.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every message sent so far, in order.
    pub fn messages(&self) -> Vec<OutgoingMessage> {
        self.sent.lock().map(|v| v.clone()).unwrap_or_default()
    }

    /// Forget the sent messages.
    pub fn clear(&self) {
        if let Ok(mut v) = self.sent.lock() {
            v.clear();
        }
    }

    /// Make the next sends fail with these errors, in order (for retry tests).
    pub fn fail_next(&self, errors: impl IntoIterator<Item = MailError>) {
        if let Ok(mut v) = self.fail_next.lock() {
            let mut errors: Vec<MailError> = errors.into_iter().collect();
            errors.reverse();
            errors.append(&mut v);
            *v = errors;
        }
    }
}

impl Mailer for MemoryMailer {
    fn send(&self, message: &OutgoingMessage) -> std::result::Result<(), MailError> {
        if let Some(err) = self.fail_next.lock().ok().and_then(|mut v| v.pop()) {
            return Err(err);
        }
        message.to_lettre()?;
        self.sent
            .lock()
            .map_err(|_| MailError::Transient("mailbox lock poisoned".into()))?
            .push(message.clone());
        Ok(())
    }
}

/// Writes each message as a real `.eml` file (RFC 5322, built by lettre) into a folder, named
/// after the notification id; a resend of the same notification overwrites its file.
#[derive(Debug, Clone)]
pub struct FileMailer {
    dir: PathBuf,
}

impl FileMailer {
    /// Write into `dir` (created if missing).
    pub fn open(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        fs::create_dir_all(&dir)
            .map_err(|e| Error::storage(format!("create {}: {e}", dir.display())))?;
        Ok(FileMailer { dir })
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The path of the file of a notification.
    pub fn path_of(&self, notification_id: &str) -> PathBuf {
        let safe: String = notification_id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        self.dir.join(format!("{safe}.eml"))
    }

    /// Read back the `.eml` of a notification.
    pub fn read(&self, notification_id: &str) -> Result<String> {
        let p = self.path_of(notification_id);
        fs::read_to_string(&p).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::not_found("message", notification_id),
            _ => Error::storage(format!("read {}: {e}", p.display())),
        })
    }
}

impl Mailer for FileMailer {
    fn send(&self, message: &OutgoingMessage) -> std::result::Result<(), MailError> {
        let bytes = message.to_rfc5322()?;
        let path = self.path_of(&message.notification_id);
        let tmp = path.with_extension("eml.tmp");
        fs::write(&tmp, &bytes)
            .and_then(|()| fs::rename(&tmp, &path))
            .map_err(|e| MailError::Transient(format!("write {}: {e}", path.display())))
    }
}

#[cfg(feature = "smtp")]
mod smtp {
    use super::*;
    use lettre::Transport;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Condvar};

    /// Delivers through an SMTP relay with lettre (feature `smtp`). SMTP 4xx and connection
    /// errors are transient; 5xx are permanent.
    ///
    /// Each message has an overall deadline (default 30 s, [`SmtpMailer::deadline`]), whatever
    /// the relay does (trickling bytes, hanging after DATA): the send runs on a worker thread
    /// and past the deadline it is abandoned and reported transient (the relay may still take
    /// it; the stable Message-ID lets the receiver drop a duplicate). At most
    /// [`SmtpMailer::MAX_ABANDONED`] abandoned sends may still be running; past that, sends
    /// fail transient at once until one ends.
    pub struct SmtpMailer {
        transport: lettre::SmtpTransport,
        deadline: std::time::Duration,
        abandoned: Arc<AtomicUsize>,
    }

    impl std::fmt::Debug for SmtpMailer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("SmtpMailer")
                .field("deadline", &self.deadline)
                .finish_non_exhaustive()
        }
    }

    /// What a send worker hands back: its result, or that nobody waits for it any more.
    #[derive(Default)]
    struct Slot {
        result: Option<std::result::Result<(), MailError>>,
        abandoned: bool,
    }

    impl SmtpMailer {
        /// Abandoned sends (past their deadline) that may still run at once.
        pub const MAX_ABANDONED: usize = 4;
        /// The default overall deadline of one message.
        pub const DEFAULT_DEADLINE: std::time::Duration = std::time::Duration::from_secs(30);

        /// Plain SMTP to `host:port` without TLS (a local relay or a test sink).
        pub fn unencrypted(host: &str, port: u16) -> Self {
            Self::from_transport(
                lettre::SmtpTransport::builder_dangerous(host)
                    .port(port)
                    .timeout(Some(Self::DEFAULT_DEADLINE))
                    .build(),
            )
        }

        /// Wrap a lettre transport configured by the host (TLS, credentials, pool).
        pub fn from_transport(transport: lettre::SmtpTransport) -> Self {
            SmtpMailer {
                transport,
                deadline: Self::DEFAULT_DEADLINE,
                abandoned: Arc::new(AtomicUsize::new(0)),
            }
        }

        /// The overall deadline of one message (connection, every command, DATA); at least
        /// 10 ms.
        pub fn deadline(mut self, deadline: std::time::Duration) -> Self {
            self.deadline = deadline.max(std::time::Duration::from_millis(10));
            self
        }

        /// Sends abandoned past their deadline that are still running.
        pub fn abandoned_sends(&self) -> usize {
            self.abandoned.load(Ordering::SeqCst)
        }

        fn send_now(
            transport: &lettre::SmtpTransport,
            m: &Message,
        ) -> std::result::Result<(), MailError> {
            transport.send(m).map(|_| ()).map_err(|e| {
                if e.is_permanent() {
                    MailError::Permanent(e.to_string())
                } else {
                    MailError::Transient(e.to_string())
                }
            })
        }
    }

    impl Mailer for SmtpMailer {
        fn send(&self, message: &OutgoingMessage) -> std::result::Result<(), MailError> {
            let m = message.to_lettre()?;
            if self.abandoned.load(Ordering::SeqCst) >= Self::MAX_ABANDONED {
                return Err(MailError::Transient(format!(
                    "{} earlier sends are still stuck past their deadline",
                    Self::MAX_ABANDONED
                )));
            }
            let shared = Arc::new((Mutex::new(Slot::default()), Condvar::new()));
            let worker = {
                let shared = Arc::clone(&shared);
                let transport = self.transport.clone();
                let abandoned = Arc::clone(&self.abandoned);
                move || {
                    let result = Self::send_now(&transport, &m);
                    let (slot, done) = &*shared;
                    let mut slot = slot.lock().unwrap_or_else(|p| p.into_inner());
                    if slot.abandoned {
                        abandoned.fetch_sub(1, Ordering::SeqCst);
                    } else {
                        slot.result = Some(result);
                        done.notify_all();
                    }
                }
            };
            std::thread::Builder::new()
                .name("portail-smtp-send".into())
                .spawn(worker)
                .map_err(|e| MailError::Transient(format!("cannot start a send: {e}")))?;
            let (slot, done) = &*shared;
            let started = std::time::Instant::now();
            let mut guard = slot.lock().unwrap_or_else(|p| p.into_inner());
            loop {
                if let Some(result) = guard.result.take() {
                    return result;
                }
                let left = self.deadline.saturating_sub(started.elapsed());
                if left.is_zero() {
                    guard.abandoned = true;
                    self.abandoned.fetch_add(1, Ordering::SeqCst);
                    return Err(MailError::Transient(format!(
                        "no answer from the relay within the deadline of {:?}",
                        self.deadline
                    )));
                }
                guard = done
                    .wait_timeout(guard, left)
                    .map(|(g, _)| g)
                    .unwrap_or_else(|p| p.into_inner().0);
            }
        }
    }
}
#[cfg(feature = "smtp")]
pub use smtp::SmtpMailer;

#[cfg(test)]
mod tests {
    use super::*;

    fn msg() -> OutgoingMessage {
        OutgoingMessage {
            message_id: "<n1@masociete.fr>".into(),
            notification_id: "n1".into(),
            from: "noreply@masociete.fr".into(),
            from_name: Some("MA SOCIÉTÉ".into()),
            reply_to: Some("contact@masociete.fr".into()),
            to: "keylian.ace@gmail.com".into(),
            subject: "MA SOCIÉTÉ : un nouveau document est disponible".into(),
            body: "Le document « FA-0002.pdf » est disponible.".into(),
            date: chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 3, 1, 9, 30, 0).unwrap(),
        }
    }

    #[test]
    fn eml_has_encoded_subject_and_stable_message_id() {
        let dir = tempfile::tempdir().unwrap();
        let m = FileMailer::open(dir.path()).unwrap();
        m.send(&msg()).unwrap();
        let eml = m.read("n1").unwrap();
        assert!(eml.contains("Message-ID: <n1@masociete.fr>"), "{eml}");
        assert!(
            eml.lines()
                .any(|l| l.starts_with("Subject: ") && l.contains("=?utf-8?b?")),
            "UTF-8 subject must be RFC 2047 encoded: {eml}"
        );
        assert!(eml.contains("Reply-To: contact@masociete.fr"), "{eml}");
        assert!(eml.contains("To: keylian.ace@gmail.com"), "{eml}");
        assert!(eml.is_ascii(), "headers and body are transfer-encoded");
    }

    #[test]
    fn long_headers_are_folded_and_date_is_the_messages() {
        let mut m = msg();
        m.subject = "x".repeat(3000);
        m.from_name = Some("É".repeat(1500));
        let eml = String::from_utf8(m.to_rfc5322().unwrap()).unwrap();
        let longest = eml.split("\r\n").map(str::len).max().unwrap();
        assert!(longest <= 998, "a line of {longest} bytes");
        assert!(
            eml.contains("Date: Sun, 01 Mar 2026 09:30:00 +0000"),
            "{eml}"
        );
    }

    #[test]
    fn debug_hides_subject_and_body() {
        let mut m = msg();
        m.body = "Mot de passe : s3cr3t".into();
        m.subject = "s3cr3t".into();
        assert!(!format!("{m:?}").contains("s3cr3t"));
    }

    #[test]
    fn bad_address_is_permanent() {
        let mut m = msg();
        m.to = "not an address".into();
        assert!(matches!(
            MemoryMailer::new().send(&m),
            Err(MailError::Permanent(_))
        ));
    }

    #[test]
    fn fail_next_then_succeed() {
        let m = MemoryMailer::new();
        m.fail_next([MailError::Transient("421".into())]);
        assert!(m.send(&msg()).is_err());
        m.send(&msg()).unwrap();
        assert_eq!(m.messages().len(), 1);
    }
}
