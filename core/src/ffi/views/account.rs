//! Accounts as hosts see them: [`AccountView`] (no hash), [`InvitationView`], the batch
//! generation report and the failed-login counter, flat and signed.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::signed;
use crate::records::account::{Account, AccountStatus, BatchOutcome, BatchReport, Invitation};
use crate::records::audience::Audience;
use crate::store::AttemptState;

/// A portal login as hosts see it ("Droits d'accès"): the account without what only the core
/// may read (the password hash, the normalised keys) and without the draft's password, which
/// `accounts().draft_password(id)` gives on purpose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "napi", napi_derive::napi(object, object_from_js = false))]
pub struct AccountView {
    /// Random id.
    pub id: String,
    /// The portal it logs in to.
    pub audience: Audience,
    /// The party it belongs to ("Code client / salarié").
    pub party_code: String,
    /// "Identifiant".
    pub identifier: String,
    /// Where it is in its life.
    pub status: AccountStatus,
    /// "Accès autorisé": unticked suspends the account.
    pub authorized: bool,
    /// "Notifier par email": the next sync e-mails the credentials.
    pub notify_by_email: bool,
    /// Whether a draft's readable password is still held ("Mot de passe", until the sync
    /// freezes it): read it with `accounts().draft_password(id)`. The view never carries it,
    /// so printing or logging an account cannot leak it.
    pub has_draft_password: bool,
    /// Set when the account was created as an invitation.
    pub invitation: Option<InvitationView>,
    /// "Email envoyé à".
    pub credentials_sent_to: Option<String>,
    /// "Email envoyé le".
    pub credentials_sent_at: Option<DateTime<Utc>>,
    /// Bumped by every password change, re-issue, reset and suspension; older links die.
    pub credential_epoch: i64,
    /// When it was generated or invited.
    pub created_at: DateTime<Utc>,
    /// When it became active.
    pub activated_at: Option<DateTime<Utc>>,
    /// The last successful login.
    pub last_login_at: Option<DateTime<Utc>>,
    /// Changed since the last sync (red in the back office of seed 000).
    pub needs_sync: bool,
    /// Optimistic version.
    pub version: i64,
}

impl From<Account> for AccountView {
    fn from(a: Account) -> Self {
        AccountView {
            id: a.id,
            audience: a.audience,
            party_code: a.party_code,
            identifier: a.identifier,
            status: a.status,
            authorized: a.authorized,
            notify_by_email: a.notify_by_email,
            has_draft_password: a.draft_password.is_some(),
            invitation: a.invitation.map(InvitationView::from),
            credentials_sent_to: a.credentials_sent_to,
            credentials_sent_at: a.credentials_sent_at,
            credential_epoch: signed(a.credential_epoch),
            created_at: a.created_at,
            activated_at: a.activated_at,
            last_login_at: a.last_login_at,
            needs_sync: a.needs_sync,
            version: signed(a.version),
        }
    }
}

/// An invitation as hosts see it: its dates, not its token's hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "napi", napi_derive::napi(object, object_from_js = false))]
pub struct InvitationView {
    /// When it was issued.
    pub created_at: DateTime<Utc>,
    /// When its link stops working.
    pub expires_at: DateTime<Utc>,
    /// When the e-mail was queued; `None` = "send later".
    pub sent_at: Option<DateTime<Utc>>,
    /// When the invited person chose a password; `None` while pending.
    pub accepted_at: Option<DateTime<Utc>>,
}

impl From<Invitation> for InvitationView {
    fn from(i: Invitation) -> Self {
        InvitationView {
            created_at: i.created_at,
            expires_at: i.expires_at,
            sent_at: i.sent_at,
            accepted_at: i.accepted_at,
        }
    }
}

/// What happened to one party of a batch generation, as a plain name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "napi", napi_derive::napi(string_enum = "snake_case"))]
pub enum BatchOutcomeKind {
    /// A draft account was created.
    Created,
    /// The party has no e-mail address: no portal (seed 001's exclamation mark).
    NoEmail,
    /// The identifier is used by another account.
    IdentifierTaken,
    /// The party already has a (non-revoked) account.
    AlreadyHasAccess,
    /// No party with this code.
    UnknownParty,
}

/// One line of a batch generation, flat: the outcome's name and the ids it carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "napi", napi_derive::napi(object, object_from_js = false))]
pub struct BatchRowView {
    /// The party of this line.
    pub party_code: String,
    /// What happened to it.
    pub outcome: BatchOutcomeKind,
    /// The account created, or the one the party already has.
    pub account_id: Option<String>,
    /// The identifier given, or the one that was taken.
    pub identifier: Option<String>,
}

/// What a batch generation did, party by party in input order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "napi", napi_derive::napi(object, object_from_js = false))]
pub struct BatchReportView {
    /// How many accounts were created.
    pub created: i64,
    /// One row per input party, in input order.
    pub rows: Vec<BatchRowView>,
}

impl From<BatchReport> for BatchReportView {
    fn from(report: BatchReport) -> Self {
        let created = signed(report.created() as u64);
        let rows = report
            .rows
            .into_iter()
            .map(|row| {
                let (outcome, account_id, identifier) = match row.outcome {
                    BatchOutcome::Created {
                        account_id,
                        identifier,
                    } => (
                        BatchOutcomeKind::Created,
                        Some(account_id),
                        Some(identifier),
                    ),
                    BatchOutcome::NoEmail => (BatchOutcomeKind::NoEmail, None, None),
                    BatchOutcome::IdentifierTaken { identifier } => {
                        (BatchOutcomeKind::IdentifierTaken, None, Some(identifier))
                    }
                    BatchOutcome::AlreadyHasAccess { account_id } => {
                        (BatchOutcomeKind::AlreadyHasAccess, Some(account_id), None)
                    }
                    BatchOutcome::UnknownParty => (BatchOutcomeKind::UnknownParty, None, None),
                };
                BatchRowView {
                    party_code: row.party_code,
                    outcome,
                    account_id,
                    identifier,
                }
            })
            .collect();
        BatchReportView { created, rows }
    }
}

/// The failed-login counter of an identifier ("verrouillage").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "napi", napi_derive::napi(object, object_from_js = false))]
pub struct LockoutView {
    /// Attempts counted since the last success or lockout.
    pub failures: i32,
    /// End of the lockout in force, if any.
    pub locked_until: Option<DateTime<Utc>>,
}

impl From<AttemptState> for LockoutView {
    fn from(state: AttemptState) -> Self {
        LockoutView {
            failures: i32::try_from(state.failures).unwrap_or(i32::MAX),
            locked_until: state.locked_until,
        }
    }
}
