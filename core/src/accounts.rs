//! Portal accounts ("Droits d'accès"): identifier, password, "Accès autorisé", "Notifier par
//! email", "Email envoyé à / le", and the not-yet-synchronised state (red in seed 000).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::config::Audience;

/// Where an account is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    /// Generated, not synchronised yet (red in seed 000): the admin may read and regenerate the
    /// password; nobody can log in.
    Draft,
    /// Synchronised: the password is frozen as an argon2id hash.
    Active,
    /// Removed ("Supprimer"): never logs in again; its identifier is free.
    Revoked,
}

impl AccountStatus {
    /// Stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Draft => "draft",
            AccountStatus::Active => "active",
            AccountStatus::Revoked => "revoked",
        }
    }
}

/// An invitation to set one's own password (seed 004).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// When the invitation e-mail was queued; `None` = "send later".
    pub sent_at: Option<DateTime<Utc>>,
    pub accepted_at: Option<DateTime<Utc>>,
}

/// Status of an invitation at a given time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Expired,
}

impl Invitation {
    /// Its status at `now`.
    pub fn status(&self, now: DateTime<Utc>) -> InvitationStatus {
        if self.accepted_at.is_some() {
            InvitationStatus::Accepted
        } else if now >= self.expires_at {
            InvitationStatus::Expired
        } else {
            InvitationStatus::Pending
        }
    }
}

/// A portal login of one party.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: String,
    pub audience: Audience,
    pub party_code: String,
    /// "Identifiant": the party code by default, or the e-mail, or given.
    pub identifier: String,
    /// Lowercased identifier: unique per tenant and audience among non-revoked accounts.
    pub identifier_key: String,
    pub status: AccountStatus,
    /// "Accès autorisé": unticked suspends the account without losing anything.
    pub authorized: bool,
    /// "Notifier par email": the next sync e-mails the credentials.
    pub notify_by_email: bool,
    /// The readable password of a draft ("Mot de passe"); wiped at activation.
    pub draft_password: Option<String>,
    /// argon2id PHC string, once active.
    pub password_hash: Option<String>,
    /// Set when the account was created as an invitation.
    pub invitation: Option<Invitation>,
    /// "Email envoyé à".
    pub credentials_sent_to: Option<String>,
    /// "Email envoyé le".
    pub credentials_sent_at: Option<DateTime<Utc>>,
    pub failed_logins: u32,
    pub locked_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub activated_at: Option<DateTime<Utc>>,
    pub last_login_at: Option<DateTime<Utc>>,
    /// Changed since the last sync (the red background of seed 000).
    pub needs_sync: bool,
    /// Optimistic version (0 = never stored).
    #[serde(default)]
    pub version: u64,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never format the draft password or the hash.
        f.debug_struct("Account")
            .field("id", &self.id)
            .field("audience", &self.audience)
            .field("party_code", &self.party_code)
            .field("identifier", &self.identifier)
            .field("status", &self.status)
            .field("authorized", &self.authorized)
            .field("needs_sync", &self.needs_sync)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

/// What a token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenPurpose {
    PasswordReset,
    Invitation,
}

/// A single-use, expiring token, stored by the SHA-256 of its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Token {
    /// SHA-256 of the token, hex. The token itself is never stored.
    pub hash: String,
    pub account_id: String,
    pub audience: Audience,
    pub purpose: TokenPurpose,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    /// Optimistic version (0 = never stored).
    #[serde(default)]
    pub version: u64,
}

/// One download of a document from the portal ("historique d'accès").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessEvent {
    pub id: String,
    pub audience: Audience,
    pub party_code: String,
    pub document_id: String,
    pub account_id: String,
    pub at: DateTime<Utc>,
}

impl crate::Portal {
    pub(crate) fn activate_drafts(
        &self,
        _progress: &dyn Fn(crate::Progress),
    ) -> crate::Result<(u64, u64)> {
        Ok((0, 0))
    }
}
