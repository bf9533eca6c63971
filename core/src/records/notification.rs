//! The notification outbox and its history ("Historique des notifications": En attente /
//! Envoyé / Annulé, plus Failed while retrying and Abandoned after the last attempt).
//!
//! Nothing is e-mailed inside an operation: publishing writes a [`Notification`] row in the same
//! commit as the document, and [`crate::Portal::dispatch`] sends due rows through the mailer.
//! The state machine is a set of pure functions on [`Notification`], driven by proptest.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::audience::Audience;
use super::party::EmailRole;
use super::template::TemplatePurpose;
use crate::error::{Error, Result};

/// Where a notification is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "napi", napi_derive::napi(string_enum = "snake_case"))]
pub enum NotificationState {
    /// "En attente": will go out at the next dispatch or sync.
    Pending,
    /// "Envoyé": handed to the mail transport.
    Sent,
    /// The last attempt failed with a transient error; will be retried after a backoff.
    Failed,
    /// "Annulé": cancelled by the back office; never sent.
    Cancelled,
    /// Given up: a permanent error, or the last allowed attempt failed.
    Abandoned,
    /// Set aside by the store: its stored row could not be read back (see
    /// [`Notification::quarantine`]); never sent, listed in the history ("mis en quarantaine").
    Quarantined,
}

/// Why a notification was set aside ([`NotificationState::Quarantined`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum QuarantineReason {
    /// Its stored row could not be decoded (damaged, or written by an incompatible portail).
    Undecodable,
}

impl QuarantineReason {
    /// Stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            QuarantineReason::Undecodable => "undecodable",
        }
    }
}

impl NotificationState {
    /// Stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationState::Pending => "pending",
            NotificationState::Sent => "sent",
            NotificationState::Failed => "failed",
            NotificationState::Cancelled => "cancelled",
            NotificationState::Abandoned => "abandoned",
            NotificationState::Quarantined => "quarantined",
        }
    }

    /// Whether the notification can still be sent (pending or failed-and-retrying).
    pub fn is_open(self) -> bool {
        matches!(self, NotificationState::Pending | NotificationState::Failed)
    }

    /// Whether `self -> to` is a legal transition.
    pub fn can_become(self, to: NotificationState) -> bool {
        use NotificationState::*;
        matches!(
            (self, to),
            (Pending | Failed, Sent | Failed | Cancelled | Abandoned)
        )
    }
}

/// What one delivery attempt gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "outcome", content = "error")]
pub enum AttemptOutcome {
    /// Accepted by the transport.
    Sent,
    /// Failed; worth retrying (connection refused, 4xx).
    Transient(String),
    /// Failed for good (5xx, bad address).
    Permanent(String),
}

/// One delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    /// When the mailer was called.
    pub at: DateTime<Utc>,
    /// What the mailer answered.
    #[serde(flatten)]
    pub outcome: AttemptOutcome,
}

/// A queued e-mail and its history.
///
/// Its `Debug` leaves the subject and body out (they may hold a password or a live token).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// Random id; also the stable Message-ID's local part.
    pub id: String,
    /// The portal it is about.
    pub audience: Audience,
    /// The party it is sent to.
    pub party_code: String,
    /// Which template it was rendered from.
    pub purpose: TemplatePurpose,
    /// The document it announces, for [`TemplatePurpose::DocumentAvailable`].
    pub document_id: Option<String>,
    /// The account it concerns, for credentials, reset and invitation mails.
    pub account_id: Option<String>,
    /// Which of the party's addresses it was sent to ("Notifier sur").
    pub role: Option<EmailRole>,
    /// The address ("adresse de destination").
    pub recipient: String,
    /// The rendered subject.
    pub subject: String,
    /// The rendered body (redacted once a mail holding a secret ends).
    pub body: String,
    /// The link merged into the body, if any.
    pub link: Option<String>,
    /// Where it is in the outbox ("Statut").
    pub state: NotificationState,
    /// Queued by a forced resend ("Notification forcée").
    pub forced: bool,
    /// The notification this one re-sends ("Renvoyer").
    pub resend_of: Option<String>,
    /// Version of the template used ("le modèle utilisé"); 0 = the shipped default.
    pub template_version: u64,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// Not before this instant (backoff after a transient failure).
    pub next_attempt_at: DateTime<Utc>,
    /// A dispatcher holds it until then, on the **store's** clock ([`crate::Store::store_time`]);
    /// others leave it alone, and cancel or resend refuse it meanwhile.
    pub claimed_until: Option<DateTime<Utc>>,
    /// Every delivery attempt, oldest first.
    pub attempts: Vec<Attempt>,
    /// When the mailer accepted it ("Envoyé le").
    pub sent_at: Option<DateTime<Utc>>,
    /// The body holds a secret (a password or a live token): it is replaced by a redacted copy
    /// once the notification ends (sent, cancelled, abandoned).
    #[serde(default)]
    pub holds_secret: bool,
    /// Why the store set it aside, when [`NotificationState::Quarantined`].
    #[serde(default)]
    pub quarantine: Option<QuarantineReason>,
    /// Optimistic version (0 = never stored).
    #[serde(default)]
    pub version: u64,
}

impl Notification {
    /// A new Pending notification, due at once, rendered from `template` with `values`. The
    /// caller fills in what it concerns (document, account, role, link, resend).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn pending(
        id: String,
        purpose: TemplatePurpose,
        audience: Audience,
        party_code: String,
        recipient: String,
        (template, template_version): (&super::template::CompiledTemplate, u64),
        values: &super::template::MergeValues<'_>,
        now: DateTime<Utc>,
    ) -> Self {
        Notification {
            id,
            audience,
            party_code,
            purpose,
            document_id: None,
            account_id: None,
            role: None,
            recipient,
            subject: template.render_subject(values),
            body: template.render_body(values),
            link: None,
            state: NotificationState::Pending,
            forced: false,
            resend_of: None,
            template_version,
            created_at: now,
            next_attempt_at: now,
            claimed_until: None,
            attempts: Vec::new(),
            sent_at: None,
            holds_secret: false,
            quarantine: None,
            version: 0,
        }
    }

    /// The record a store keeps in place of a row it cannot decode: what the row's key
    /// columns and any readable part of `raw` tell, state
    /// [`NotificationState::Quarantined`], reason [`QuarantineReason::Undecodable`], and the
    /// decode `error` as its only attempt. Never sent; secrets, if any, are not copied.
    pub fn quarantined(
        id: String,
        audience: Audience,
        party_code: String,
        document_id: Option<String>,
        created_at: DateTime<Utc>,
        raw: &str,
        error: &str,
    ) -> Self {
        let value: serde_json::Value = serde_json::from_str(raw).unwrap_or_default();
        let text = |k: &str| {
            value
                .get(k)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let purpose = value
            .get("purpose")
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or(if document_id.is_some() {
                TemplatePurpose::DocumentAvailable
            } else {
                TemplatePurpose::AccessCredentials
            });
        Notification {
            id,
            audience,
            party_code,
            purpose,
            document_id,
            account_id: value
                .get("account_id")
                .and_then(|v| v.as_str())
                .map(str::to_string),
            role: value
                .get("role")
                .and_then(|v| serde_json::from_value(v.clone()).ok()),
            recipient: text("recipient"),
            subject: String::new(),
            body: String::new(),
            link: None,
            state: NotificationState::Quarantined,
            forced: false,
            resend_of: None,
            template_version: 0,
            created_at,
            next_attempt_at: created_at,
            claimed_until: None,
            attempts: vec![Attempt {
                at: created_at,
                outcome: AttemptOutcome::Permanent(format!("undecodable stored record: {error}")),
            }],
            sent_at: None,
            holds_secret: false,
            quarantine: Some(QuarantineReason::Undecodable),
            version: 0,
        }
    }

    /// The stable Message-ID of this notification: the same on every attempt, so a receiving
    /// system can drop duplicates of an at-least-once delivery.
    pub fn message_id(&self, domain: &str) -> String {
        format!("<{}@{}>", self.id, domain)
    }

    /// The last error, if the last attempt failed.
    pub fn last_error(&self) -> Option<&str> {
        match self.attempts.last().map(|a| &a.outcome) {
            Some(AttemptOutcome::Transient(e) | AttemptOutcome::Permanent(e)) => Some(e),
            _ => None,
        }
    }

    /// Cancel ("Annulé"): only an open notification that no dispatcher holds at `store_now`
    /// (the store's clock): a mail being sent may be going out, so the history must not say
    /// cancelled.
    pub fn cancel(&mut self, store_now: DateTime<Utc>) -> Result<()> {
        self.ensure_not_in_flight(store_now)?;
        self.transition(NotificationState::Cancelled)?;
        self.claimed_until = None;
        self.redact();
        Ok(())
    }

    /// `invalid_state` while a dispatcher's claim runs at `store_now`.
    pub fn ensure_not_in_flight(&self, store_now: DateTime<Utc>) -> Result<()> {
        if self.state.is_open() && self.claimed_until.is_some_and(|c| c > store_now) {
            return Err(Error::state(
                format!("notification {}", self.id),
                "being sent by a dispatcher; try again once the send is recorded",
            ));
        }
        Ok(())
    }

    /// Drop a secret-holding body (and the subject, for safety) once the notification has
    /// ended: it is no longer needed, so it must not stay at rest.
    fn redact(&mut self) {
        if self.holds_secret {
            self.body = REDACTED_BODY.to_string();
            self.holds_secret = false;
        }
    }

    /// Whether a dispatcher may take it at `now`.
    pub fn is_due(&self, now: DateTime<Utc>) -> bool {
        self.state.is_open()
            && self.next_attempt_at <= now
            && self.claimed_until.is_none_or(|c| c <= now)
    }

    /// Take it for sending until `now + lease`.
    pub fn claim(&mut self, now: DateTime<Utc>, lease: Duration) -> Result<()> {
        if !self.is_due(now) {
            return Err(Error::state(
                "notification",
                format!("{} is not due for sending", self.id),
            ));
        }
        self.claimed_until = Some(now + lease);
        Ok(())
    }

    /// Record the outcome of an attempt at `now` under `policy`.
    pub fn record_attempt(
        &mut self,
        now: DateTime<Utc>,
        outcome: AttemptOutcome,
        policy: &RetryPolicy,
    ) -> Result<()> {
        let next = match &outcome {
            AttemptOutcome::Sent => NotificationState::Sent,
            AttemptOutcome::Permanent(_) => NotificationState::Abandoned,
            AttemptOutcome::Transient(_) => {
                if self.attempts.len() + 1 >= policy.max_attempts as usize {
                    NotificationState::Abandoned
                } else {
                    NotificationState::Failed
                }
            }
        };
        self.transition(next)?;
        if next == NotificationState::Sent {
            self.sent_at = Some(now);
        }
        if !next.is_open() {
            self.redact();
        }
        self.attempts.push(Attempt { at: now, outcome });
        self.claimed_until = None;
        if next == NotificationState::Failed {
            self.next_attempt_at = now + policy.backoff(self.attempts.len() as u32);
        }
        Ok(())
    }

    fn transition(&mut self, to: NotificationState) -> Result<()> {
        if !self.state.can_become(to) {
            return Err(Error::state(
                "notification",
                format!(
                    "{} is {}; it cannot become {}",
                    self.id,
                    self.state.as_str(),
                    to.as_str()
                ),
            ));
        }
        self.state = to;
        Ok(())
    }
}

/// What an ended notification holding a secret keeps of its body.
pub const REDACTED_BODY: &str =
    "[contents removed once the notification ended: they held a password or a live link]";

impl std::fmt::Debug for Notification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notification")
            .field("id", &self.id)
            .field("audience", &self.audience)
            .field("party_code", &self.party_code)
            .field("purpose", &self.purpose)
            .field("document_id", &self.document_id)
            .field("account_id", &self.account_id)
            .field("recipient", &self.recipient)
            .field("subject", &format_args!("<{} bytes>", self.subject.len()))
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .field("state", &self.state)
            .field("forced", &self.forced)
            .field("resend_of", &self.resend_of)
            .field("created_at", &self.created_at)
            .field("next_attempt_at", &self.next_attempt_at)
            .field("claimed_until", &self.claimed_until)
            .field("attempts", &self.attempts)
            .field("sent_at", &self.sent_at)
            .field("holds_secret", &self.holds_secret)
            .field("quarantine", &self.quarantine)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

/// Retries of transient failures: exponential backoff, then Abandoned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts before giving up (at least 1).
    pub max_attempts: u32,
    /// Wait after the first failure; doubled after each further failure.
    pub first_backoff: Duration,
    /// The longest wait.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            first_backoff: Duration::minutes(1),
            max_backoff: Duration::hours(1),
        }
    }
}

impl RetryPolicy {
    /// The wait after `failures` failed attempts.
    ///
    /// ```
    /// use portail::RetryPolicy;
    /// use chrono::Duration;
    /// let p = RetryPolicy::default();
    /// assert_eq!(p.backoff(1), Duration::minutes(1));
    /// assert_eq!(p.backoff(3), Duration::minutes(4));
    /// assert_eq!(p.backoff(30), Duration::hours(1));
    /// ```
    pub fn backoff(&self, failures: u32) -> Duration {
        let factor = 1i32
            .checked_shl(failures.saturating_sub(1).min(30))
            .unwrap_or(i32::MAX);
        self.first_backoff
            .checked_mul(factor)
            .unwrap_or(self.max_backoff)
            .min(self.max_backoff)
    }
}

/// A filter over the notification history. Every field narrows; `None` means any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NotificationFilter {
    /// Only this portal.
    pub audience: Option<Audience>,
    /// Only this party.
    pub party_code: Option<String>,
    /// Only this state.
    pub state: Option<NotificationState>,
    /// Only the notifications of this document.
    pub document_id: Option<String>,
    /// Created at or after.
    pub from: Option<DateTime<Utc>>,
    /// Created before.
    pub to: Option<DateTime<Utc>>,
}

impl NotificationFilter {
    /// Whether `n` passes.
    pub fn matches(&self, n: &Notification) -> bool {
        self.audience.is_none_or(|a| a == n.audience)
            && self.party_code.as_deref().is_none_or(|p| p == n.party_code)
            && self.state.is_none_or(|s| s == n.state)
            && self
                .document_id
                .as_deref()
                .is_none_or(|d| Some(d) == n.document_id.as_deref())
            && self.from.is_none_or(|f| n.created_at >= f)
            && self.to.is_none_or(|t| n.created_at < t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    pub(crate) fn sample(now: DateTime<Utc>) -> Notification {
        Notification {
            id: "n1".into(),
            audience: Audience::Client,
            party_code: "4".into(),
            purpose: TemplatePurpose::DocumentAvailable,
            document_id: Some("d1".into()),
            account_id: None,
            role: Some(EmailRole::Billing),
            recipient: "a@b.fr".into(),
            subject: "s".into(),
            body: "b".into(),
            link: None,
            state: NotificationState::Pending,
            forced: false,
            resend_of: None,
            template_version: 0,
            created_at: now,
            next_attempt_at: now,
            claimed_until: None,
            attempts: vec![],
            sent_at: None,
            holds_secret: false,
            quarantine: None,
            version: 1,
        }
    }

    #[test]
    fn transient_failures_back_off_then_abandon() {
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let p = RetryPolicy {
            max_attempts: 3,
            ..Default::default()
        };
        let mut n = sample(now);
        n.claim(now, Duration::minutes(5)).unwrap();
        assert!(!n.is_due(now));
        n.record_attempt(now, AttemptOutcome::Transient("421".into()), &p)
            .unwrap();
        assert_eq!(n.state, NotificationState::Failed);
        assert!(!n.is_due(now));
        assert!(n.is_due(now + Duration::minutes(1)));
        n.record_attempt(now, AttemptOutcome::Transient("421".into()), &p)
            .unwrap();
        assert_eq!(n.next_attempt_at, now + Duration::minutes(2));
        n.record_attempt(now, AttemptOutcome::Transient("421".into()), &p)
            .unwrap();
        assert_eq!(n.state, NotificationState::Abandoned);
        assert_eq!(n.attempts.len(), 3);
        assert_eq!(n.last_error(), Some("421"));
        assert!(n.cancel(now).is_err());
    }

    #[test]
    fn sent_is_final_and_secrets_are_redacted() {
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let mut n = sample(now);
        n.holds_secret = true;
        n.body = "password: abc".into();
        n.record_attempt(now, AttemptOutcome::Sent, &RetryPolicy::default())
            .unwrap();
        assert_eq!(n.sent_at, Some(now));
        assert_eq!(n.body, REDACTED_BODY);
        assert_eq!(n.cancel(now).unwrap_err().code(), "invalid_state");
        assert!(n
            .record_attempt(now, AttemptOutcome::Sent, &RetryPolicy::default())
            .is_err());
    }

    #[test]
    fn permanent_failure_abandons_at_once() {
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let mut n = sample(now);
        n.record_attempt(
            now,
            AttemptOutcome::Permanent("550".into()),
            &RetryPolicy::default(),
        )
        .unwrap();
        assert_eq!(n.state, NotificationState::Abandoned);
    }
}
