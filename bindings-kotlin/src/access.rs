//! Logging in and passwords (core `access`): login with lockout, change, reset, invitations.
//! These are methods of `Portal`.

use crate::accounts::Principal;
use crate::config::Audience;
use crate::portal::Portal;

#[uniffi::export]
impl Portal {
    /// Log in to the portal of `audience`. Unknown identifier, wrong password, draft, suspended
    /// or revoked account: all `PortailException.InvalidCredentials`. After too many failures
    /// the account is `PortailException.LockedOut` for a while.
    ///
    /// Blocking (argon2): call from a background thread.
    pub fn login(
        &self,
        audience: Audience,
        identifier: String,
        password: String,
    ) -> crate::Result<Principal> {
        crate::call(|| self.inner.access().login(audience, &identifier, &password))
    }

    /// The principal of an account, for hosts that keep their own sessions
    /// (`AccessDenied` unless active and authorised).
    pub fn principal(&self, account_id: String) -> crate::Result<Principal> {
        crate::call(|| self.inner.access().principal(&account_id))
    }

    /// Change one's password (the current one is checked).
    ///
    /// Blocking (argon2): call from a background thread.
    pub fn change_password(
        &self,
        principal: Principal,
        current: String,
        new_password: String,
    ) -> crate::Result<()> {
        crate::call(|| {
            self.inner
                .access()
                .change_password(&principal, &current, &new_password)
        })
    }

    /// "Mot de passe oublié": e-mail a single-use reset link if an active account holds the
    /// identifier. Always succeeds for well-formed input (reveals nothing).
    pub fn request_password_reset(
        &self,
        audience: Audience,
        identifier: String,
    ) -> crate::Result<()> {
        crate::call(|| {
            self.inner
                .access()
                .request_password_reset(audience, &identifier)
        })
    }

    /// Set a new password with the token of a reset link (`InvalidToken` if unknown, used or
    /// expired).
    ///
    /// Blocking (argon2): call from a background thread.
    pub fn reset_password(
        &self,
        audience: Audience,
        token: String,
        new_password: String,
    ) -> crate::Result<()> {
        crate::call(|| {
            self.inner
                .access()
                .reset_password(audience, &token, &new_password)
        })
    }

    /// Accept an invitation: choose the password, activate the account, and log in.
    ///
    /// Blocking (argon2): call from a background thread.
    pub fn accept_invitation(
        &self,
        audience: Audience,
        token: String,
        password: String,
    ) -> crate::Result<Principal> {
        crate::call(|| {
            self.inner
                .access()
                .accept_invitation(audience, &token, &password)
        })
    }
}
