//! Logging in ("Connexion"), lockout, changing and resetting passwords, invitations accepted:
//! every call that hashes or verifies with argon2 returns a Promise run off the main thread.

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::accounts::Accounts;
use crate::config::Audience;
use crate::error::guard;
use crate::input::Arg;
use crate::portal::Portal;
use crate::task::Job;
use crate::view::PortalView;
use portail::Principal;

// A logged-in portal user is the core's `Principal` (derived for napi): hosts keeping their
// own sessions store `accountId` and get the principal back with `portal.principal(accountId)`.
object_input!(portail::Principal as Principal {
    accountId,
    audience,
    partyCode,
    identifier
});

#[napi]
impl Portal {
    /// Portal accounts.
    #[napi]
    pub fn accounts(&self) -> Accounts {
        Accounts {
            portal: self.inner.clone(),
        }
    }

    /// Log in (argon2 verification off the main thread). Every refusal is
    /// `invalid_credentials`; too many in a row give `locked_out` (with `err.until`).
    #[napi(ts_return_type = "Promise<Principal>")]
    pub fn login(
        &self,
        #[napi(ts_arg_type = "Audience")] audience: Arg<Audience>,
        #[napi(ts_arg_type = "string")] identifier: Arg<String>,
        #[napi(ts_arg_type = "string")] password: Arg<String>,
    ) -> AsyncTask<Job<Principal>> {
        let portal = self.inner.clone();
        let args = args!(audience, identifier, password);
        Job::spawn_with(args, move |(audience, identifier, password)| {
            portal.access().login(audience, &identifier, &password)
        })
    }

    /// The principal of an account, for hosts keeping their own sessions (`access_denied`
    /// unless active and authorised).
    #[napi]
    pub fn principal(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "string")] account_id: Arg<String>,
    ) -> Result<Principal> {
        guard(env, || {
            let account_id = account_id.get("account_id")?;
            self.inner.access().principal(&account_id)
        })
    }

    /// Change one's password (the current one is checked).
    #[napi(ts_return_type = "Promise<void>")]
    pub fn change_password(
        &self,
        #[napi(ts_arg_type = "Principal")] principal: Arg<Principal>,
        #[napi(ts_arg_type = "string")] current: Arg<String>,
        #[napi(ts_arg_type = "string")] new_password: Arg<String>,
    ) -> AsyncTask<Job<()>> {
        let portal = self.inner.clone();
        let args = args!(principal, current, new_password);
        Job::spawn_with(args, move |(principal, current, new_password)| {
            portal
                .access()
                .change_password(&principal, &current, &new_password)
        })
    }

    /// "Mot de passe oublié": e-mails a single-use reset link if an active account holds the
    /// identifier; succeeds either way (reveals nothing).
    #[napi]
    pub fn request_password_reset(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "Audience")] audience: Arg<Audience>,
        #[napi(ts_arg_type = "string")] identifier: Arg<String>,
    ) -> Result<()> {
        guard(env, || {
            let (audience, identifier) = args!(audience, identifier)?;
            self.inner
                .access()
                .request_password_reset(audience, &identifier)
        })
    }

    /// Set a new password with a reset link's token (single use; lifts a lockout).
    #[napi(ts_return_type = "Promise<void>")]
    pub fn reset_password(
        &self,
        #[napi(ts_arg_type = "Audience")] audience: Arg<Audience>,
        #[napi(ts_arg_type = "string")] token: Arg<String>,
        #[napi(ts_arg_type = "string")] new_password: Arg<String>,
    ) -> AsyncTask<Job<()>> {
        let portal = self.inner.clone();
        let args = args!(audience, token, new_password);
        Job::spawn_with(args, move |(audience, token, new_password)| {
            portal
                .access()
                .reset_password(audience, &token, &new_password)
        })
    }

    /// Accept an invitation: choose one's password; the account becomes active and the person
    /// is logged in.
    #[napi(ts_return_type = "Promise<Principal>")]
    pub fn accept_invitation(
        &self,
        #[napi(ts_arg_type = "Audience")] audience: Arg<Audience>,
        #[napi(ts_arg_type = "string")] token: Arg<String>,
        #[napi(ts_arg_type = "string")] password: Arg<String>,
    ) -> AsyncTask<Job<Principal>> {
        let portal = self.inner.clone();
        let args = args!(audience, token, password);
        Job::spawn_with(args, move |(audience, token, password)| {
            portal
                .access()
                .accept_invitation(audience, &token, &password)
        })
    }

    /// The portal as `principal` sees it.
    #[napi]
    pub fn view(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "Principal")] principal: Arg<Principal>,
    ) -> Result<PortalView> {
        guard(env, || {
            Ok(PortalView {
                portal: self.inner.clone(),
                principal: principal.get("principal")?,
            })
        })
    }
}
