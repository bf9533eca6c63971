//! Portal accounts ("Droits d'accès"): drafts with a readable password, batches with a
//! per-party report, regenerate, suspend, revoke, invitations.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::config::Audience;
use crate::error::guard;
use crate::input::Arg;
use crate::portal::{progress_fn, ProgressCallback};
use crate::task::Job;
use crate::{Page, PageRequest};

/// Where an account is in its life.
#[napi(string_enum = "snake_case")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountStatus {
    /// Generated, not synchronised yet (red in seed 000): password readable, no login.
    Draft,
    /// Synchronised: the password is frozen (argon2id).
    Active,
    /// Removed ("Supprimer"): its identifier is free.
    Revoked,
}

enum_conversions!(
    AccountStatus = portail::AccountStatus {
        Draft,
        Active,
        Revoked
    }
);

/// Where a generated identifier comes from.
#[napi(string_enum = "snake_case")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentifierSource {
    /// The party's code (seed 000).
    Code,
    /// The party's main e-mail address.
    Email,
}

enum_conversions!(IdentifierSource = portail::ffi::IdentifierSource { Code, Email });

/// Status of an invitation now.
#[napi(string_enum = "snake_case")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Expired,
}

enum_conversions!(
    InvitationStatus = portail::InvitationStatus {
        Pending,
        Accepted,
        Expired
    }
);

/// An invitation to set one's own password.
#[napi(object)]
pub struct Invitation {
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// When the e-mail was queued (`undefined` = "send later").
    pub sent_at: Option<DateTime<Utc>>,
    pub accepted_at: Option<DateTime<Utc>>,
}

/// A portal login of one party (`portail::ffi::AccountView`): a draft's readable password, never
/// a hash.
#[napi(object)]
pub struct Account {
    pub id: String,
    pub audience: Audience,
    pub party_code: String,
    /// "Identifiant".
    pub identifier: String,
    pub status: AccountStatus,
    /// "Accès autorisé".
    pub authorized: bool,
    /// "Notifier par email".
    pub notify_by_email: bool,
    /// The readable password of a draft ("Mot de passe"), `undefined` once active.
    pub draft_password: Option<String>,
    pub invitation: Option<Invitation>,
    /// "Email envoyé à".
    pub credentials_sent_to: Option<String>,
    /// "Email envoyé le".
    pub credentials_sent_at: Option<DateTime<Utc>>,
    /// Bumped by every password change, re-issue, reset and suspension; older links die.
    pub credential_epoch: i64,
    pub created_at: DateTime<Utc>,
    pub activated_at: Option<DateTime<Utc>>,
    pub last_login_at: Option<DateTime<Utc>>,
    /// Changed since the last sync (red in seed 000).
    pub needs_sync: bool,
    pub version: i64,
}

/// The failed-login counter of an identifier ("verrouillage").
#[napi(object)]
pub struct Lockout {
    /// Attempts counted since the last success or lockout.
    pub failures: u32,
    /// End of the lockout in force, if any.
    pub locked_until: Option<DateTime<Utc>>,
}

impl From<portail::Account> for Account {
    fn from(a: portail::Account) -> Self {
        portail::ffi::AccountView::from(a).into()
    }
}

impl From<portail::ffi::AccountView> for Account {
    fn from(a: portail::ffi::AccountView) -> Self {
        Account {
            audience: a.audience.into(),
            status: a.status.into(),
            invitation: a.invitation.map(|i| Invitation {
                created_at: i.created_at,
                expires_at: i.expires_at,
                sent_at: i.sent_at,
                accepted_at: i.accepted_at,
            }),
            version: a.version,
            id: a.id,
            party_code: a.party_code,
            identifier: a.identifier,
            authorized: a.authorized,
            notify_by_email: a.notify_by_email,
            draft_password: a.draft_password,
            credentials_sent_to: a.credentials_sent_to,
            credentials_sent_at: a.credentials_sent_at,
            credential_epoch: a.credential_epoch,
            created_at: a.created_at,
            activated_at: a.activated_at,
            last_login_at: a.last_login_at,
            needs_sync: a.needs_sync,
        }
    }
}

/// A request to create a draft account.
#[napi(object)]
pub struct GenerateOptions {
    pub audience: Audience,
    pub party_code: String,
    /// An identifier chosen by the back office (wins over `identifierFrom`).
    pub identifier: Option<String>,
    /// Default `code`.
    pub identifier_from: Option<IdentifierSource>,
    /// A password chosen by the back office (default: random, "Mdp aléatoire").
    pub password: Option<String>,
    /// "Notifier par email" (default true).
    pub notify_by_email: Option<bool>,
    /// "Accès autorisé" (default true).
    pub authorized: Option<bool>,
}

object_input!(GenerateOptions {
    audience,
    partyCode,
    identifier,
    identifierFrom,
    password,
    notifyByEmail,
    authorized,
});

/// A request to invite a party to set its own password.
#[napi(object)]
pub struct InviteOptions {
    pub audience: Audience,
    pub party_code: String,
    pub identifier: Option<String>,
    /// Default `email`.
    pub identifier_from: Option<IdentifierSource>,
    /// Queue the e-mail now (default) or later with `reinvite`.
    pub send_now: Option<bool>,
}

object_input!(InviteOptions {
    audience,
    partyCode,
    identifier,
    identifierFrom,
    sendNow
});

/// Options of a batch generation.
#[napi(object)]
#[derive(Default)]
pub struct BatchOptions {
    /// Default `code`.
    pub identifier_from: Option<IdentifierSource>,
    /// Default true.
    pub notify_by_email: Option<bool>,
}

object_input!(BatchOptions {
    identifierFrom,
    notifyByEmail
});

/// What happened to one party of a batch.
#[napi(string_enum = "snake_case")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchOutcome {
    Created,
    /// No e-mail address: no portal.
    NoEmail,
    IdentifierTaken,
    AlreadyHasAccess,
    UnknownParty,
}

/// One line of a batch report.
#[napi(object)]
pub struct BatchRow {
    pub party_code: String,
    pub outcome: BatchOutcome,
    /// The account created, or the one the party already has.
    pub account_id: Option<String>,
    /// The identifier created, or the one taken.
    pub identifier: Option<String>,
}

/// What a batch generation did, party by party in input order.
#[napi(object)]
pub struct BatchReport {
    pub created: u32,
    pub rows: Vec<BatchRow>,
}

impl From<portail::accounts::BatchReport> for BatchReport {
    fn from(r: portail::accounts::BatchReport) -> Self {
        use portail::accounts::BatchOutcome as O;
        BatchReport {
            created: r.created() as u32,
            rows: r
                .rows
                .into_iter()
                .map(|row| {
                    let (outcome, account_id, identifier) = match row.outcome {
                        O::Created {
                            account_id,
                            identifier,
                        } => (BatchOutcome::Created, Some(account_id), Some(identifier)),
                        O::NoEmail => (BatchOutcome::NoEmail, None, None),
                        O::IdentifierTaken { identifier } => {
                            (BatchOutcome::IdentifierTaken, None, Some(identifier))
                        }
                        O::AlreadyHasAccess { account_id } => {
                            (BatchOutcome::AlreadyHasAccess, Some(account_id), None)
                        }
                        O::UnknownParty => (BatchOutcome::UnknownParty, None, None),
                    };
                    BatchRow {
                        party_code: row.party_code,
                        outcome,
                        account_id,
                        identifier,
                    }
                })
                .collect(),
        }
    }
}

/// A filter over accounts.
#[napi(object)]
#[derive(Default)]
pub struct AccountFilter {
    pub audience: Option<Audience>,
    pub party_code: Option<String>,
    pub status: Option<AccountStatus>,
    pub needs_sync: Option<bool>,
}

object_input!(AccountFilter {
    audience,
    partyCode,
    status,
    needsSync
});

/// Portal accounts ("Droits d'accès au portail"): `portal.accounts()`.
#[napi]
pub struct Accounts {
    pub(crate) portal: Arc<portail::Portal>,
}

#[napi]
impl Accounts {
    /// Create a draft account: its password stays readable until `sync` freezes it.
    #[napi]
    pub fn generate(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "GenerateOptions")] options: Arg<GenerateOptions>,
    ) -> Result<Account> {
        guard(env, || {
            let options = options.get("options")?;
            let mut g =
                portail::accounts::Generate::new(options.audience.into(), options.party_code)
                    .identifier(portail::ffi::identifier_choice(
                        options.identifier,
                        options.identifier_from.map(Into::into),
                    ))
                    .notify_by_email(options.notify_by_email.unwrap_or(true))
                    .authorized(options.authorized.unwrap_or(true));
            if let Some(pw) = options.password {
                g = g.password(pw);
            }
            self.portal.accounts().generate(g).map(Into::into)
        })
    }

    /// Draft accounts for many parties, off the main thread, with a per-party report.
    /// `onProgress` receives `{ phase: 'generating', done, total }`.
    #[napi(ts_return_type = "Promise<BatchReport>")]
    pub fn generate_batch(
        &self,
        #[napi(ts_arg_type = "Audience")] audience: Arg<Audience>,
        #[napi(ts_arg_type = "Array<string>")] party_codes: Arg<Vec<String>>,
        #[napi(ts_arg_type = "BatchOptions | undefined | null")] options: Option<Arg<BatchOptions>>,
        #[napi(ts_arg_type = "((progress: Progress) => void) | undefined | null")]
        on_progress: Option<Arg<ProgressCallback>>,
    ) -> AsyncTask<Job<BatchReport>> {
        let args = args!(audience, party_codes, options).and_then(|(audience, codes, options)| {
            let options = options.unwrap_or_default();
            let opts = portail::accounts::BatchOptions {
                identifier: portail::ffi::identifier_choice(
                    None,
                    options.identifier_from.map(Into::into),
                ),
                notify_by_email: options.notify_by_email.unwrap_or(true),
            };
            Ok((audience, codes, opts, progress_fn(on_progress)?))
        });
        let portal = self.portal.clone();
        Job::spawn_with(args, move |(audience, party_codes, opts, progress)| {
            let report =
                portal
                    .accounts()
                    .generate_batch(audience.into(), &party_codes, &opts, &|p| {
                        progress.report(p)
                    });
            progress.flush();
            report.map(Into::into)
        })
    }

    /// An account by id.
    #[napi]
    pub fn get(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "string")] id: Arg<String>,
    ) -> Result<Account> {
        guard(env, || {
            let id = id.get("id")?;
            self.portal.accounts().get(&id).map(Into::into)
        })
    }

    /// The failed-login counter of an identifier (known or not).
    #[napi]
    pub fn lockout(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "Audience")] audience: Arg<Audience>,
        #[napi(ts_arg_type = "string")] identifier: Arg<String>,
    ) -> Result<Lockout> {
        guard(env, || {
            let (audience, identifier) = args!(audience, identifier)?;
            let s = self
                .portal
                .accounts()
                .lockout(audience.into(), &identifier)?;
            Ok(Lockout {
                failures: s.failures,
                locked_until: s.locked_until,
            })
        })
    }

    /// The live account holding an identifier (case-insensitive), or `null`.
    #[napi]
    pub fn find(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "Audience")] audience: Arg<Audience>,
        #[napi(ts_arg_type = "string")] identifier: Arg<String>,
    ) -> Result<Option<Account>> {
        guard(env, || {
            let (audience, identifier) = args!(audience, identifier)?;
            Ok(self
                .portal
                .accounts()
                .find(audience.into(), &identifier)?
                .map(Into::into))
        })
    }

    /// The party's non-revoked account, or `null`.
    #[napi]
    pub fn live_account_of(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "Audience")] audience: Arg<Audience>,
        #[napi(ts_arg_type = "string")] party_code: Arg<String>,
    ) -> Result<Option<Account>> {
        guard(env, || {
            let (audience, party_code) = args!(audience, party_code)?;
            Ok(self
                .portal
                .accounts()
                .live_account_of(audience.into(), &party_code)?
                .map(Into::into))
        })
    }

    /// Accounts, filtered and paged.
    #[napi(ts_return_type = "Page<Account>")]
    pub fn list(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "AccountFilter | undefined | null")] filter: Option<
            Arg<AccountFilter>,
        >,
        #[napi(ts_arg_type = "PageRequest | undefined | null")] page: Option<Arg<PageRequest>>,
    ) -> Result<Page<Account>> {
        guard(env, || {
            let (filter, page) = args!(filter, page)?;
            let f = filter.unwrap_or_default();
            let filter = portail::AccountFilter {
                audience: f.audience.map(Into::into),
                party_code: f.party_code,
                status: f.status.map(Into::into),
                needs_sync: f.needs_sync,
            };
            let p = self
                .portal
                .accounts()
                .list(&filter, PageRequest::read(page)?)?;
            Ok(Page::of(p))
        })
    }

    /// The readable password of a draft; `invalid_state` once synchronised (frozen).
    #[napi]
    pub fn draft_password(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "string")] id: Arg<String>,
    ) -> Result<String> {
        guard(env, || {
            let id = id.get("id")?;
            self.portal.accounts().draft_password(&id)
        })
    }

    /// A new random password for a draft ("Mdp aléatoire").
    #[napi]
    pub fn regenerate_password(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "string")] id: Arg<String>,
    ) -> Result<Account> {
        guard(env, || {
            let id = id.get("id")?;
            self.portal
                .accounts()
                .regenerate_password(&id)
                .map(Into::into)
        })
    }

    /// Set a draft's password (length policy applies).
    #[napi]
    pub fn set_password(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "string")] id: Arg<String>,
        #[napi(ts_arg_type = "string")] password: Arg<String>,
    ) -> Result<Account> {
        guard(env, || {
            let (id, password) = args!(id, password)?;
            self.portal
                .accounts()
                .set_password(&id, &password)
                .map(Into::into)
        })
    }

    /// "Accès autorisé": suspend (`false`) or resume (`true`).
    #[napi]
    pub fn set_authorized(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "string")] id: Arg<String>,
        #[napi(ts_arg_type = "boolean")] authorized: Arg<bool>,
    ) -> Result<Account> {
        guard(env, || {
            let (id, authorized) = args!(id, authorized)?;
            self.portal
                .accounts()
                .set_authorized(&id, authorized)
                .map(Into::into)
        })
    }

    /// "Notifier par email": the next sync e-mails the credentials.
    #[napi]
    pub fn set_notify_by_email(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "string")] id: Arg<String>,
        #[napi(ts_arg_type = "boolean")] notify: Arg<bool>,
    ) -> Result<Account> {
        guard(env, || {
            let (id, notify) = args!(id, notify)?;
            self.portal
                .accounts()
                .set_notify_by_email(&id, notify)
                .map(Into::into)
        })
    }

    /// Remove an account ("Supprimer"); its identifier becomes free.
    #[napi]
    pub fn revoke(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "string")] id: Arg<String>,
    ) -> Result<Account> {
        guard(env, || {
            let id = id.get("id")?;
            self.portal.accounts().revoke(&id).map(Into::into)
        })
    }

    /// "Régénérer les accès": revoke and create a new draft for the same identifier.
    #[napi]
    pub fn regenerate(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "string")] id: Arg<String>,
        #[napi(ts_arg_type = "boolean | undefined | null")] notify_by_email: Option<Arg<bool>>,
    ) -> Result<Account> {
        guard(env, || {
            let (id, notify_by_email) = args!(id, notify_by_email)?;
            self.portal
                .accounts()
                .regenerate(&id, notify_by_email.unwrap_or(true))
                .map(Into::into)
        })
    }

    /// Invite a party to set its own password (single-use, expiring link).
    #[napi]
    pub fn invite(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "InviteOptions")] options: Arg<InviteOptions>,
    ) -> Result<Account> {
        guard(env, || {
            let options = options.get("options")?;
            let from = options.identifier_from.or(Some(IdentifierSource::Email));
            let i = portail::accounts::Invite::new(options.audience.into(), options.party_code)
                .identifier(portail::ffi::identifier_choice(
                    options.identifier,
                    from.map(Into::into),
                ))
                .send_now(options.send_now.unwrap_or(true));
            self.portal.accounts().invite(i).map(Into::into)
        })
    }

    /// Send the invitation again with a new link (older links stop working).
    #[napi]
    pub fn reinvite(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "string")] id: Arg<String>,
    ) -> Result<Account> {
        guard(env, || {
            let id = id.get("id")?;
            self.portal.accounts().reinvite(&id).map(Into::into)
        })
    }

    /// The invitation's status now, or `null` if the account was not invited.
    #[napi]
    pub fn invitation_status(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "string")] id: Arg<String>,
    ) -> Result<Option<InvitationStatus>> {
        guard(env, || {
            let id = id.get("id")?;
            Ok(self
                .portal
                .accounts()
                .invitation_status(&id)?
                .map(|s| s.into()))
        })
    }
}
