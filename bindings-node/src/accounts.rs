//! Portal accounts ("Droits d'accès"): drafts with a readable password, batches with a
//! per-party report, regenerate, suspend, revoke, invitations.

use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::config::Audience;
use crate::error::guard;
use crate::input::Arg;
use crate::portal::{progress_fn, ProgressCallback};
use crate::task::Job;
use crate::{Page, PageRequest};
use portail::ffi::{AccountView, BatchReportView, LockoutView};

pub use portail::ffi::IdentifierSource;
pub use portail::{AccountStatus, InvitationStatus};

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
    ) -> Result<AccountView> {
        guard(env, || {
            let options = options.get("options")?;
            let g = portail::ffi::GenerateInput {
                audience: options.audience,
                party_code: options.party_code,
                identifier: options.identifier,
                identifier_from: options.identifier_from,
                password: options.password,
                notify_by_email: options.notify_by_email,
                authorized: options.authorized,
            };
            self.portal
                .accounts()
                .generate(g.into_generate())
                .map(Into::into)
        })
    }

    /// Draft accounts for many parties, off the main thread, with a per-party report.
    /// `onProgress` receives `{ phase: 'generating', done, total }`.
    #[napi(ts_return_type = "Promise<BatchReportView>")]
    pub fn generate_batch(
        &self,
        #[napi(ts_arg_type = "Audience")] audience: Arg<Audience>,
        #[napi(ts_arg_type = "Array<string>")] party_codes: Arg<Vec<String>>,
        #[napi(ts_arg_type = "BatchOptions | undefined | null")] options: Option<Arg<BatchOptions>>,
        #[napi(ts_arg_type = "((progress: Progress) => void) | undefined | null")]
        on_progress: Option<Arg<ProgressCallback>>,
    ) -> AsyncTask<Job<BatchReportView>> {
        let args = args!(audience, party_codes, options).and_then(|(audience, codes, options)| {
            let options = options.unwrap_or_default();
            let mut opts = portail::accounts::BatchOptions::default();
            if let Some(choice) = portail::ffi::identifier_override(None, options.identifier_from) {
                opts.identifier = choice;
            }
            if let Some(notify) = options.notify_by_email {
                opts.notify_by_email = notify;
            }
            Ok((audience, codes, opts, progress_fn(on_progress)?))
        });
        let portal = self.portal.clone();
        Job::spawn_with(args, move |(audience, party_codes, opts, progress)| {
            let report = portal
                .accounts()
                .generate_batch(audience, &party_codes, &opts, &|p| progress.report(p));
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
    ) -> Result<AccountView> {
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
    ) -> Result<LockoutView> {
        guard(env, || {
            let (audience, identifier) = args!(audience, identifier)?;
            self.portal
                .accounts()
                .lockout(audience, &identifier)
                .map(Into::into)
        })
    }

    /// The live account holding an identifier (case-insensitive), or `null`.
    #[napi]
    pub fn find(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "Audience")] audience: Arg<Audience>,
        #[napi(ts_arg_type = "string")] identifier: Arg<String>,
    ) -> Result<Option<AccountView>> {
        guard(env, || {
            let (audience, identifier) = args!(audience, identifier)?;
            Ok(self
                .portal
                .accounts()
                .find(audience, &identifier)?
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
    ) -> Result<Option<AccountView>> {
        guard(env, || {
            let (audience, party_code) = args!(audience, party_code)?;
            Ok(self
                .portal
                .accounts()
                .live_account_of(audience, &party_code)?
                .map(Into::into))
        })
    }

    /// Accounts, filtered and paged.
    #[napi(ts_return_type = "Page<AccountView>")]
    pub fn list(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "AccountFilter | undefined | null")] filter: Option<
            Arg<AccountFilter>,
        >,
        #[napi(ts_arg_type = "PageRequest | undefined | null")] page: Option<Arg<PageRequest>>,
    ) -> Result<Page<AccountView>> {
        guard(env, || {
            let (filter, page) = args!(filter, page)?;
            let f = filter.unwrap_or_default();
            let filter = portail::AccountFilter {
                audience: f.audience,
                party_code: f.party_code,
                status: f.status,
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
    ) -> Result<AccountView> {
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
    ) -> Result<AccountView> {
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
    ) -> Result<AccountView> {
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
    ) -> Result<AccountView> {
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
    ) -> Result<AccountView> {
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
    ) -> Result<AccountView> {
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
    ) -> Result<AccountView> {
        guard(env, || {
            let options = options.get("options")?;
            let i = portail::ffi::InviteInput {
                audience: options.audience,
                party_code: options.party_code,
                identifier: options.identifier,
                identifier_from: options.identifier_from,
                send_now: options.send_now,
            };
            self.portal
                .accounts()
                .invite(i.into_invite())
                .map(Into::into)
        })
    }

    /// Send the invitation again with a new link (older links stop working).
    #[napi]
    pub fn reinvite(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "string")] id: Arg<String>,
    ) -> Result<AccountView> {
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
            self.portal.accounts().invitation_status(&id)
        })
    }
}
