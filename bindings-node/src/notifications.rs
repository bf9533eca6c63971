//! The notification outbox and its history ("Historique des notifications"): states, attempts,
//! cancel, resend and forced resend.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::config::Audience;
use crate::error::guard;
use crate::input::Arg;
use crate::parties::EmailRole;
use crate::templates::TemplatePurpose;
use crate::{Page, PageRequest};

pub use portail::NotificationState;

/// What one delivery attempt gave.
#[napi(string_enum = "snake_case")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    Sent,
    Transient,
    Permanent,
}

/// One delivery attempt.
#[napi(object)]
pub struct Attempt {
    pub at: DateTime<Utc>,
    pub outcome: AttemptOutcome,
    /// The transport's error, for failed attempts.
    pub error: Option<String>,
}

/// A queued e-mail and its history.
#[napi(object)]
pub struct Notification {
    pub id: String,
    pub audience: Audience,
    pub party_code: String,
    pub purpose: TemplatePurpose,
    pub document_id: Option<String>,
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
    /// The notification this one re-sends.
    pub resend_of: Option<String>,
    /// Template version used (0 = the shipped default).
    pub template_version: i64,
    pub created_at: DateTime<Utc>,
    pub next_attempt_at: DateTime<Utc>,
    pub attempts: Vec<Attempt>,
    pub sent_at: Option<DateTime<Utc>>,
    /// The last error, if the last attempt failed.
    pub last_error: Option<String>,
    /// Why the store set it aside (`undecodable`), when quarantined.
    pub quarantine: Option<String>,
    pub version: i64,
}

impl From<portail::Notification> for Notification {
    fn from(n: portail::Notification) -> Self {
        let last_error = n.last_error().map(str::to_string);
        Notification {
            audience: n.audience,
            purpose: n.purpose,
            role: n.role,
            state: n.state,
            template_version: n.template_version as i64,
            attempts: n
                .attempts
                .into_iter()
                .map(|a| {
                    let (outcome, error) = match a.outcome {
                        portail::AttemptOutcome::Sent => (AttemptOutcome::Sent, None),
                        portail::AttemptOutcome::Transient(e) => {
                            (AttemptOutcome::Transient, Some(e))
                        }
                        portail::AttemptOutcome::Permanent(e) => {
                            (AttemptOutcome::Permanent, Some(e))
                        }
                    };
                    Attempt {
                        at: a.at,
                        outcome,
                        error,
                    }
                })
                .collect(),
            last_error,
            quarantine: n.quarantine.map(|q| q.as_str().to_string()),
            version: n.version as i64,
            id: n.id,
            party_code: n.party_code,
            document_id: n.document_id,
            account_id: n.account_id,
            recipient: n.recipient,
            subject: n.subject,
            body: n.body,
            link: n.link,
            forced: n.forced,
            resend_of: n.resend_of,
            created_at: n.created_at,
            next_attempt_at: n.next_attempt_at,
            sent_at: n.sent_at,
        }
    }
}

/// A filter over the history; every field narrows.
#[napi(object)]
#[derive(Default)]
pub struct NotificationFilter {
    pub audience: Option<Audience>,
    pub party_code: Option<String>,
    pub state: Option<NotificationState>,
    pub document_id: Option<String>,
    /// Created at or after.
    pub from: Option<DateTime<Utc>>,
    /// Created before.
    pub to: Option<DateTime<Utc>>,
}

object_input!(NotificationFilter {
    audience,
    partyCode,
    state,
    documentId,
    from,
    to
});

impl From<NotificationFilter> for portail::NotificationFilter {
    fn from(f: NotificationFilter) -> Self {
        portail::NotificationFilter {
            audience: f.audience,
            party_code: f.party_code,
            state: f.state,
            document_id: f.document_id,
            from: f.from,
            to: f.to,
        }
    }
}

/// The outbox and its history: `portal.notifications()`.
#[napi]
pub struct Notifications {
    pub(crate) portal: Arc<portail::Portal>,
}

#[napi]
impl Notifications {
    /// A notification by id.
    #[napi]
    pub fn get(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "string")] id: Arg<String>,
    ) -> Result<Notification> {
        guard(env, || {
            let id = id.get("id")?;
            self.portal.notifications().get(&id).map(Into::into)
        })
    }

    /// The history, newest first, filtered and paged.
    #[napi(ts_return_type = "Page<Notification>")]
    pub fn history(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "NotificationFilter | undefined | null")] filter: Option<
            Arg<NotificationFilter>,
        >,
        #[napi(ts_arg_type = "PageRequest | undefined | null")] page: Option<Arg<PageRequest>>,
    ) -> Result<Page<Notification>> {
        guard(env, || {
            let (filter, page) = args!(filter, page)?;
            self.portal
                .notifications()
                .history(&filter.unwrap_or_default().into(), PageRequest::read(page)?)
                .map(Page::of)
        })
    }

    /// Cancel a pending (or failed, retrying) notification ("Annulé").
    #[napi]
    pub fn cancel(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "string")] id: Arg<String>,
    ) -> Result<Notification> {
        guard(env, || {
            let id = id.get("id")?;
            self.portal.notifications().cancel(&id).map(Into::into)
        })
    }

    /// "Renvoyer": queue the document notification again, to the party's current address.
    /// One already sent (or still pending) needs `force` ("Notification forcée").
    #[napi]
    pub fn resend(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "string")] id: Arg<String>,
        #[napi(ts_arg_type = "boolean | undefined | null")] force: Option<Arg<bool>>,
    ) -> Result<Notification> {
        guard(env, || {
            let (id, force) = args!(id, force)?;
            self.portal
                .notifications()
                .resend(&id, force.unwrap_or(false))
                .map(Into::into)
        })
    }
}
