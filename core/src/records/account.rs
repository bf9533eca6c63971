//! Portal accounts ("Droits d'accès"): identifier, password, "Accès autorisé", "Notifier par
//! email", "Email envoyé à / le", and the not-yet-synchronised state (red in seed 000).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::audience::Audience;

/// Where an account is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "napi", napi_derive::napi(string_enum = "snake_case"))]
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
    /// SHA-256 of the invitation token in force; a re-invite replaces it, voiding older links.
    pub token_hash: String,
    /// When the invitation was issued.
    pub created_at: DateTime<Utc>,
    /// When its link stops working ([`crate::SecurityPolicy::invitation_ttl`] after issue).
    pub expires_at: DateTime<Utc>,
    /// When the invitation e-mail was queued; `None` = "send later".
    pub sent_at: Option<DateTime<Utc>>,
    /// When the invited person chose a password; `None` while pending.
    pub accepted_at: Option<DateTime<Utc>>,
}

/// Status of an invitation at a given time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "napi", napi_derive::napi(string_enum = "snake_case"))]
pub enum InvitationStatus {
    /// Sent or to be sent; its link still works.
    Pending,
    /// The person chose a password.
    Accepted,
    /// Its link no longer works; re-invite to send a new one.
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
    /// Random id.
    pub id: String,
    /// The portal it logs in to.
    pub audience: Audience,
    /// The party it belongs to ("Code client / salarié").
    pub party_code: String,
    /// "Identifiant": the party code by default, or the e-mail, or given.
    pub identifier: String,
    /// Normalised identifier ([`crate::identifiers::key`]: NFKC, case-folded): unique per
    /// tenant and audience among non-revoked accounts.
    pub identifier_key: String,
    /// UTS #39 confusable skeleton of an identifier people chose (given identifiers and
    /// e-mails; `None` for the host's codes): unique too, so look-alikes cannot coexist.
    #[serde(default)]
    pub identifier_skeleton: Option<String>,
    /// Where it is in its life.
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
    /// Bumped by every password change, re-issue, reset and suspension; a reset or invitation
    /// token issued at another epoch is void ("les liens meurent avec le mot de passe").
    #[serde(default)]
    pub credential_epoch: u64,
    /// When it was generated or invited.
    pub created_at: DateTime<Utc>,
    /// When it became active (first sync, or invitation accepted).
    pub activated_at: Option<DateTime<Utc>>,
    /// The last successful login.
    pub last_login_at: Option<DateTime<Utc>>,
    /// Changed since the last sync (the red background of seed 000).
    pub needs_sync: bool,
    /// Optimistic version (0 = never stored).
    #[serde(default)]
    pub version: u64,
}

impl Account {
    /// The live-account slot this account holds while it is not revoked: today its party
    /// (one live account per party), enforced by the store's commit.
    pub fn live_slot(&self) -> Option<String> {
        (self.status != AccountStatus::Revoked).then(|| self.party_code.clone())
    }
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
    /// A forgotten-password link ("Mot de passe oublié").
    PasswordReset,
    /// An invitation link to set one's own password.
    Invitation,
}

/// A single-use, expiring token, stored by the SHA-256 of its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Token {
    /// SHA-256 of the token, hex. The token itself is never stored.
    pub hash: String,
    /// The account it acts on.
    pub account_id: String,
    /// The portal it is valid on.
    pub audience: Audience,
    /// What it may be used for.
    pub purpose: TokenPurpose,
    /// When it was issued.
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// When it was used; a used token never works again.
    pub used_at: Option<DateTime<Utc>>,
    /// The account's [`Account::credential_epoch`] when the token was issued; a token whose
    /// epoch differs from the account's is refused.
    #[serde(default)]
    pub epoch: u64,
    /// Optimistic version (0 = never stored).
    #[serde(default)]
    pub version: u64,
}

/// One download of a document from the portal ("historique d'accès").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "napi", napi_derive::napi(object, object_from_js = false))]
pub struct AccessEvent {
    /// Random id.
    pub id: String,
    /// The portal of the download.
    pub audience: Audience,
    /// The party whose document it is.
    pub party_code: String,
    /// The document downloaded.
    pub document_id: String,
    /// The account that downloaded it.
    pub account_id: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// How the identifier of a new account is chosen ("Identifiant").
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum IdentifierChoice {
    /// The party's code (seed 000: "L'identifiant est le code de votre client").
    #[default]
    Code,
    /// The party's main e-mail address (seed 001's default).
    Email,
    /// An identifier chosen by the back office.
    Given(String),
}

/// A request to create a portal account with a password.
///
/// ```
/// use portail::accounts::{Generate, IdentifierChoice};
/// let g = Generate::client("4").identifier(IdentifierChoice::Email).notify_by_email(false);
/// assert_eq!(g.party_code, "4");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Generate {
    /// The portal of the new account.
    pub audience: Audience,
    /// The party it is for.
    pub party_code: String,
    /// How its identifier is chosen ("Identifiant").
    pub identifier: IdentifierChoice,
    /// A password chosen by the back office; `None` = random ("Mdp aléatoire").
    pub password: Option<String>,
    /// "Notifier par email": the next sync e-mails the credentials (default: yes).
    pub notify_by_email: bool,
    /// "Accès autorisé" (default: yes).
    pub authorized: bool,
}

impl std::fmt::Debug for Generate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Generate")
            .field("audience", &self.audience)
            .field("party_code", &self.party_code)
            .field("identifier", &self.identifier)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("notify_by_email", &self.notify_by_email)
            .field("authorized", &self.authorized)
            .finish()
    }
}

impl Generate {
    /// An account for party `party_code` of `audience`.
    pub fn new(audience: Audience, party_code: impl Into<String>) -> Self {
        Generate {
            audience,
            party_code: party_code.into(),
            identifier: IdentifierChoice::Code,
            password: None,
            notify_by_email: true,
            authorized: true,
        }
    }

    /// An account for a client.
    pub fn client(party_code: impl Into<String>) -> Self {
        Generate::new(Audience::Client, party_code)
    }

    /// An account for an employee.
    pub fn employee(party_code: impl Into<String>) -> Self {
        Generate::new(Audience::Employee, party_code)
    }

    /// Choose the identifier.
    pub fn identifier(mut self, choice: IdentifierChoice) -> Self {
        self.identifier = choice;
        self
    }

    /// Set the password instead of a random one.
    pub fn password(mut self, password: impl Into<String>) -> Self {
        self.password = Some(password.into());
        self
    }

    /// Whether the next sync e-mails the credentials.
    pub fn notify_by_email(mut self, notify: bool) -> Self {
        self.notify_by_email = notify;
        self
    }

    /// Whether access is authorised.
    pub fn authorized(mut self, authorized: bool) -> Self {
        self.authorized = authorized;
        self
    }
}

/// A request to invite a party to set its own password (seed 004).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    /// The portal of the invitation.
    pub audience: Audience,
    /// The party invited.
    pub party_code: String,
    /// How the identifier is chosen ("Identifiant").
    pub identifier: IdentifierChoice,
    /// Queue the invitation e-mail now (default), or later with [`crate::Accounts::reinvite`].
    pub send_now: bool,
}

impl Invite {
    /// Invite party `party_code` of `audience`.
    pub fn new(audience: Audience, party_code: impl Into<String>) -> Self {
        Invite {
            audience,
            party_code: party_code.into(),
            identifier: IdentifierChoice::Email,
            send_now: true,
        }
    }

    /// Choose the identifier (default: the e-mail address).
    pub fn identifier(mut self, choice: IdentifierChoice) -> Self {
        self.identifier = choice;
        self
    }

    /// Send now (default) or later.
    pub fn send_now(mut self, now: bool) -> Self {
        self.send_now = now;
        self
    }
}

/// Options of a batch generation ("Génération de portails par lots").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchOptions {
    /// [`IdentifierChoice::Code`] or [`IdentifierChoice::Email`] (a given one cannot fit a batch).
    pub identifier: IdentifierChoice,
    /// "Notifier par email": the next sync e-mails each new account its credentials.
    pub notify_by_email: bool,
}

impl Default for BatchOptions {
    fn default() -> Self {
        BatchOptions {
            identifier: IdentifierChoice::Code,
            notify_by_email: true,
        }
    }
}

/// What happened to one party of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchOutcome {
    /// A draft account was created.
    Created {
        /// The new account.
        account_id: String,
        /// Its identifier.
        identifier: String,
    },
    /// The party has no e-mail address: no portal (seed 001's exclamation mark).
    NoEmail,
    /// The identifier is used by another account.
    IdentifierTaken {
        /// The identifier that was taken.
        identifier: String,
    },
    /// The party already has a (non-revoked) account.
    AlreadyHasAccess {
        /// The account the party already has.
        account_id: String,
    },
    /// No party with this code.
    UnknownParty,
}

impl BatchOutcome {
    /// Stable snake_case name.
    pub fn as_str(&self) -> &'static str {
        match self {
            BatchOutcome::Created { .. } => "created",
            BatchOutcome::NoEmail => "no_email",
            BatchOutcome::IdentifierTaken { .. } => "identifier_taken",
            BatchOutcome::AlreadyHasAccess { .. } => "already_has_access",
            BatchOutcome::UnknownParty => "unknown_party",
        }
    }
}

/// One line of a batch report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchRow {
    /// The party of this line.
    pub party_code: String,
    /// What happened to it.
    pub outcome: BatchOutcome,
}

/// What a batch generation did, party by party in input order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchReport {
    /// One row per input party, in input order.
    pub rows: Vec<BatchRow>,
}

impl BatchReport {
    /// How many accounts were created.
    pub fn created(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| matches!(r.outcome, BatchOutcome::Created { .. }))
            .count()
    }
}

/// A logged-in portal user: who may see what. Obtained from [`crate::Access::login`],
/// [`crate::Access::accept_invitation`] or, for a host that keeps its own sessions,
/// [`crate::Access::principal`] (all under `portal.access()`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "napi", napi_derive::napi(object))]
pub struct Principal {
    /// The account logged in.
    pub account_id: String,
    /// The portal it logged in to.
    pub audience: Audience,
    /// The party whose documents it may see.
    pub party_code: String,
    /// The identifier it logged in with.
    pub identifier: String,
}
