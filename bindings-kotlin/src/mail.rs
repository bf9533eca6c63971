//! Sending notifications: the Kotlin-implementable [`Mailer`], its error [`MailError`]
//! (Kotlin `MailException.Transient` / `MailException.Permanent`), the adapter that makes it a
//! core `portail::Mailer`, and the in-memory [`MemoryMailer`] test double.

use std::sync::Arc;

use crate::map_vec;

/// One e-mail to send.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OutgoingMessage {
    /// Stable per notification, with angle brackets: `<id@domain>`; the same on every retry.
    pub message_id: String,
    /// The notification this message delivers.
    pub notification_id: String,
    /// "Adresse mail de notification".
    pub from: String,
    /// Display name of the sender (the company).
    pub from_name: Option<String>,
    /// "Adresse mail de réponse".
    pub reply_to: Option<String>,
    pub to: String,
    pub subject: String,
    pub body: String,
    /// The `Date` header: the portal's clock when handed to the mailer.
    pub date: std::time::SystemTime,
}

impl From<portail::OutgoingMessage> for OutgoingMessage {
    fn from(m: portail::OutgoingMessage) -> Self {
        OutgoingMessage {
            message_id: m.message_id,
            notification_id: m.notification_id,
            from: m.from,
            from_name: m.from_name,
            reply_to: m.reply_to,
            to: m.to,
            subject: m.subject,
            body: m.body,
            date: m.date.into(),
        }
    }
}

impl From<OutgoingMessage> for portail::OutgoingMessage {
    fn from(m: OutgoingMessage) -> Self {
        portail::OutgoingMessage {
            message_id: m.message_id,
            notification_id: m.notification_id,
            from: m.from,
            from_name: m.from_name,
            reply_to: m.reply_to,
            to: m.to,
            subject: m.subject,
            body: m.body,
            date: m.date.into(),
        }
    }
}

/// The message as RFC 5322 bytes (what an `.eml` file holds, or what to hand an SMTP client):
/// UTF-8 subject encoded, body transfer-encoded, the stable Message-ID set.
/// `PortailException.Mail` if it cannot be built (e.g. a malformed address).
#[uniffi::export]
pub fn message_to_rfc5322(message: OutgoingMessage) -> crate::Result<Vec<u8>> {
    crate::call(|| {
        let message = portail::OutgoingMessage::from(message);
        message.to_rfc5322().map_err(portail::Error::from)
    })
}

/// Why a send failed (Kotlin: `MailException`). Throw `MailException.Transient` to have the
/// notification retried with backoff, `MailException.Permanent` to abandon it. Any other
/// exception thrown by a Kotlin mailer counts as transient.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum MailError {
    /// Worth retrying later (connection refused, timeout, SMTP 4xx).
    #[error("transient: {reason}")]
    Transient { reason: String },
    /// Will never succeed (bad address, SMTP 5xx).
    #[error("permanent: {reason}")]
    Permanent { reason: String },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for MailError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        MailError::Transient {
            reason: format!("mailer threw: {}", e.reason),
        }
    }
}

impl From<MailError> for portail::MailError {
    fn from(e: MailError) -> Self {
        match e {
            MailError::Transient { reason } => portail::MailError::Transient(reason),
            MailError::Permanent { reason } => portail::MailError::Permanent(reason),
        }
    }
}

/// A mail transport implemented in Kotlin (an SMTP client, a company mail API, a test double).
///
/// `send` is called from the thread that runs `dispatch()` or `sync()`. Return normally when
/// the message was accepted; throw `MailException.Transient` or `MailException.Permanent`
/// otherwise.
#[uniffi::export(foreign)]
pub trait Mailer: Send + Sync {
    /// Deliver one message (or hand it to a relay).
    fn send(&self, message: OutgoingMessage) -> Result<(), MailError>;
}

/// Makes a Kotlin [`Mailer`] a core `portail::Mailer`.
pub(crate) struct ForeignMailer(pub(crate) Arc<dyn Mailer>);

impl portail::Mailer for ForeignMailer {
    fn send(&self, message: &portail::OutgoingMessage) -> Result<(), portail::MailError> {
        self.0
            .send(OutgoingMessage::from(message.clone()))
            .map_err(Into::into)
    }
}

/// Keeps every sent message in memory, for tests: pass it to `PortalBuilder.memoryMailer`.
#[derive(uniffi::Object, Default)]
pub struct MemoryMailer {
    pub(crate) inner: Arc<portail::MemoryMailer>,
}

#[uniffi::export]
impl MemoryMailer {
    /// An empty mailbox.
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(MemoryMailer::default())
    }

    /// Every message sent so far, in order.
    pub fn messages(&self) -> crate::Result<Vec<OutgoingMessage>> {
        crate::call(|| Ok(map_vec(self.inner.messages())))
    }

    /// Forget the sent messages.
    pub fn clear(&self) -> crate::Result<()> {
        crate::call(|| {
            self.inner.clear();
            Ok(())
        })
    }
}

/// The RFC 5322 text of the `.eml` file a file outbox (`PortalBuilder.outboxDir`) wrote for a
/// notification; `PortailException.NotFound` if none.
#[uniffi::export]
pub fn read_outbox_message(outbox_dir: String, notification_id: String) -> crate::Result<String> {
    crate::call(|| {
        let mailer = portail::FileMailer::open(&outbox_dir)?;
        mailer.read(&notification_id)
    })
}
