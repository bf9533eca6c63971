//! The notification outbox and its history ("Historique des notifications"): mirrors of
//! `portail::notifications` and the `portal.notifications()` handle.

use std::time::SystemTime;

use portail::ffi::signed;

use crate::config::Audience;
use crate::parties::EmailRole;
use crate::templates::TemplatePurpose;
use crate::time::{from_system_opt, to_system, to_system_opt};
use crate::{map_vec, page_request, NotificationPage};

/// The core's enum, with its uniffi derive (Kotlin: `dev.portail.contract.NotificationState`,
/// aliased in `dev.portail`).
pub use portail::NotificationState;

/// The core's enum, with its uniffi derive (Kotlin: `dev.portail.contract.QuarantineReason`,
/// aliased in `dev.portail`).
pub use portail::QuarantineReason;

/// What one delivery attempt gave.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum AttemptOutcome {
    /// Accepted by the transport.
    Sent,
    /// Failed; retried later.
    Transient { error: String },
    /// Failed for good.
    Permanent { error: String },
}

impl From<portail::AttemptOutcome> for AttemptOutcome {
    fn from(o: portail::AttemptOutcome) -> Self {
        match o {
            portail::AttemptOutcome::Sent => AttemptOutcome::Sent,
            portail::AttemptOutcome::Transient(error) => AttemptOutcome::Transient { error },
            portail::AttemptOutcome::Permanent(error) => AttemptOutcome::Permanent { error },
        }
    }
}

/// One delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Attempt {
    pub at: SystemTime,
    pub outcome: AttemptOutcome,
}

impl From<portail::Attempt> for Attempt {
    fn from(a: portail::Attempt) -> Self {
        Attempt {
            at: to_system(a.at),
            outcome: a.outcome.into(),
        }
    }
}

/// A queued e-mail and its history.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Notification {
    pub id: String,
    pub audience: Audience,
    pub party_code: String,
    pub purpose: TemplatePurpose,
    /// The document it announces.
    pub document_id: Option<String>,
    /// The account it concerns (credentials, reset, invitation).
    pub account_id: Option<String>,
    /// Which of the party's addresses ("Notifier sur").
    pub role: Option<EmailRole>,
    /// The address ("adresse de destination").
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub link: Option<String>,
    pub state: NotificationState,
    /// Queued by a forced resend ("Notification forcée").
    pub forced: bool,
    /// The notification this one re-sends ("Renvoyer").
    pub resend_of: Option<String>,
    /// Version of the template used; 0 = the shipped default.
    pub template_version: i64,
    pub created_at: SystemTime,
    pub next_attempt_at: SystemTime,
    pub attempts: Vec<Attempt>,
    pub sent_at: Option<SystemTime>,
    /// The last error, if the last attempt failed.
    pub last_error: Option<String>,
    /// Why the store set it aside, when quarantined.
    pub quarantine: Option<QuarantineReason>,
    pub version: i64,
}

impl From<portail::Notification> for Notification {
    fn from(n: portail::Notification) -> Self {
        let last_error = n.last_error().map(str::to_string);
        Notification {
            id: n.id,
            audience: n.audience,
            party_code: n.party_code,
            purpose: n.purpose,
            document_id: n.document_id,
            account_id: n.account_id,
            role: n.role,
            recipient: n.recipient,
            subject: n.subject,
            body: n.body,
            link: n.link,
            state: n.state,
            forced: n.forced,
            resend_of: n.resend_of,
            template_version: signed(n.template_version),
            created_at: to_system(n.created_at),
            next_attempt_at: to_system(n.next_attempt_at),
            attempts: map_vec(n.attempts),
            sent_at: to_system_opt(n.sent_at),
            last_error,
            quarantine: n.quarantine,
            version: signed(n.version),
        }
    }
}

/// Which notifications to list; every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct NotificationFilter {
    #[uniffi(default = None)]
    pub audience: Option<Audience>,
    #[uniffi(default = None)]
    pub party_code: Option<String>,
    #[uniffi(default = None)]
    pub state: Option<NotificationState>,
    #[uniffi(default = None)]
    pub document_id: Option<String>,
    /// Created at or after.
    #[uniffi(default = None)]
    pub from: Option<SystemTime>,
    /// Created before.
    #[uniffi(default = None)]
    pub to: Option<SystemTime>,
}

impl TryFrom<NotificationFilter> for portail::NotificationFilter {
    type Error = portail::Error;

    fn try_from(f: NotificationFilter) -> portail::Result<Self> {
        Ok(portail::NotificationFilter {
            audience: f.audience,
            party_code: f.party_code,
            state: f.state,
            document_id: f.document_id,
            from: from_system_opt(f.from, "from")?,
            to: from_system_opt(f.to, "to")?,
        })
    }
}

/// The notification outbox of a portal (`portal.notifications()`).
#[derive(uniffi::Object)]
pub struct Notifications {
    pub(crate) portal: crate::Handle,
}

#[uniffi::export]
impl Notifications {
    /// A notification by id.
    pub fn get(&self, id: String) -> crate::Result<crate::notifications::Notification> {
        self.portal.call(|p| Ok(p.notifications().get(&id)?.into()))
    }

    /// The history, newest first, filtered. Paging: `offset` or the `cursor` of a previous
    /// page, and `limit` (null: the audience's page size).
    #[uniffi::method(default(offset = None, limit = None, cursor = None))]
    pub fn history(
        &self,
        filter: NotificationFilter,
        offset: Option<i64>,
        limit: Option<i32>,
        cursor: Option<String>,
    ) -> crate::Result<NotificationPage> {
        self.portal.call(|p| {
            let filter = portail::NotificationFilter::try_from(filter)?;
            let page = page_request(offset, limit, cursor)?;
            Ok(crate::page(p.notifications().history(&filter, page)?))
        })
    }

    /// Cancel a pending notification ("Annulé"); `InvalidState` once sent.
    pub fn cancel(&self, id: String) -> crate::Result<crate::notifications::Notification> {
        self.portal
            .call(|p| Ok(p.notifications().cancel(&id)?.into()))
    }

    /// "Renvoyer": queue a fresh copy to the party's current address. Without `force`, only a
    /// cancelled or abandoned notification may be re-sent; `force` ("Notification forcée")
    /// re-sends a sent one too.
    #[uniffi::method(default(force = false))]
    pub fn resend(
        &self,
        id: String,
        force: bool,
    ) -> crate::Result<crate::notifications::Notification> {
        self.portal
            .call(|p| Ok(p.notifications().resend(&id, force)?.into()))
    }
}
