//! The portal side of accounts, behind `portal.access()`: login with lockout and no timing
//! oracle, password change, forgotten password ("Mot de passe oublié"), invitations.
//! (Activation at sync is in `activation.rs`.)

use chrono::{DateTime, Utc};

use crate::accounts::{login_attempt_key, Accounts};
use crate::error::{Error, Result};
use crate::identifiers::lookup_key;
use crate::operations::Portal;
use crate::records::account::{Account, AccountStatus, Principal, Token, TokenPurpose};
use crate::records::audience::Audience;
use crate::records::template::TemplatePurpose;
use crate::store::{AttemptGate, Change};

/// Logging in and managing one's own credentials on the portal: `portal.access()`.
///
/// ```
/// use portail::{Audience, Error, Portal, Settings};
/// let portal = Portal::in_memory("acme", Settings::new("ACME", "acme.example"))?;
/// let refused = portal.access().login(Audience::Client, "4", "wrong password");
/// assert_eq!(refused.unwrap_err(), Error::InvalidCredentials);
/// # Ok::<(), portail::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Access<'a> {
    pub(crate) portal: &'a Portal,
}

impl Access<'_> {
    /// The accounts of the same portal.
    fn accounts(&self) -> Accounts<'_> {
        Accounts {
            portal: self.portal,
        }
    }

    /// A hash with the policy's parameters, computed once, verified against for unknown
    /// identifiers so that they cost the same argon2 work as known ones.
    fn dummy_hash(&self) -> &str {
        self.portal.dummy_hash.get_or_init(|| {
            self.portal
                .security
                .hash_password("portail: no such account")
                .unwrap_or_default()
        })
    }

    /// Log in to the portal of `audience`. Unknown identifier, wrong password, a draft, a
    /// suspended or revoked account: all give the same `invalid_credentials`, after the same
    /// argon2 work. Every attempt on an identifier (known or not) is counted in the store
    /// before any verification; after [`crate::SecurityPolicy::max_failed_logins`] attempts
    /// without a success the identifier is `locked_out` for [`crate::SecurityPolicy::lockout`],
    /// however many logins run in parallel. A malformed identifier is `invalid_input`.
    pub fn login(&self, audience: Audience, identifier: &str, password: &str) -> Result<Principal> {
        let key = lookup_key(identifier)?;
        let attempt_key = login_attempt_key(audience, &key);
        self.begin_attempt(&attempt_key)?;
        let account =
            self.portal
                .store
                .account_by_identifier(&self.portal.tenant, audience, &key)?;
        let usable = account
            .as_ref()
            .is_some_and(|a| a.status == AccountStatus::Active && a.authorized);
        let hash = account
            .as_ref()
            .and_then(|a| a.password_hash.clone())
            .filter(|_| usable);
        let ok = match &hash {
            Some(h) => self.portal.security.verify_password(password, h),
            None => {
                let _ = self
                    .portal
                    .security
                    .verify_password(password, self.dummy_hash());
                false
            }
        };
        let Some(mut account) = account.filter(|_| ok) else {
            return Err(Error::InvalidCredentials);
        };
        self.portal
            .store
            .clear_attempts(&self.portal.tenant, &attempt_key)?;
        account.last_login_at = Some(self.portal.clock.now());
        let principal = principal_of(&account);
        match self
            .portal
            .store
            .commit(&self.portal.tenant, &[Change::Account(account)])
        {
            // A concurrent change won; only the last-login date is lost.
            Ok(()) | Err(Error::Conflict { .. }) => Ok(principal),
            Err(e) => Err(e),
        }
    }

    /// Reserve one verification on `attempt_key`, or `locked_out`.
    fn begin_attempt(&self, attempt_key: &str) -> Result<()> {
        let now = self.portal.clock.now();
        match self.portal.store.begin_attempt(
            &self.portal.tenant,
            attempt_key,
            self.portal.security.max_failed_logins,
            self.portal.security.lockout,
            now,
        )? {
            AttemptGate::Allowed { .. } => Ok(()),
            AttemptGate::Locked { until } => Err(Error::LockedOut {
                until: until.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            }),
        }
    }

    /// The principal of an account, for hosts that keep their own sessions: fails with
    /// `access_denied` unless the account is active and authorised.
    pub fn principal(&self, account_id: &str) -> Result<Principal> {
        let a = self.accounts().get(account_id)?;
        if a.status != AccountStatus::Active || !a.authorized {
            return Err(Error::AccessDenied);
        }
        Ok(principal_of(&a))
    }

    /// Change one's password (the current one is checked; the new one follows the policy).
    pub fn change_password(
        &self,
        principal: &Principal,
        current: &str,
        new_password: &str,
    ) -> Result<()> {
        self.portal.security.check_password(new_password)?;
        let mut a = self.accounts().get(&principal.account_id)?;
        // Guesses of the current password count like login guesses.
        let attempt_key = login_attempt_key(a.audience, &a.identifier_key);
        self.begin_attempt(&attempt_key)?;
        let valid = a.status == AccountStatus::Active
            && a.authorized
            && a.password_hash
                .as_deref()
                .is_some_and(|h| self.portal.security.verify_password(current, h));
        if !valid {
            return Err(Error::InvalidCredentials);
        }
        self.portal
            .store
            .clear_attempts(&self.portal.tenant, &attempt_key)?;
        a.password_hash = Some(self.portal.security.hash_password(new_password)?);
        a.credential_epoch += 1;
        self.portal.commit_erasing(&[Change::Account(a)])
    }

    /// "Mot de passe oublié": if an active account holds `identifier` (an account generated
    /// from an e-mail has that address as its identifier), e-mail it a single-use reset link
    /// valid [`crate::SecurityPolicy::reset_token_ttl`].
    /// Always succeeds for well-formed input, so it reveals nothing about who has an account.
    ///
    /// Unknown, draft, suspended and revoked identifiers get the same answer after the same
    /// work: every call burns one argon2 verification, which dominates the cost of queueing
    /// the mail, so the time taken does not tell them apart. A malformed identifier is
    /// `invalid_input`.
    pub fn request_password_reset(&self, audience: Audience, identifier: &str) -> Result<()> {
        let key = lookup_key(identifier)?;
        let _ = self
            .portal
            .security
            .verify_password(&key, self.dummy_hash());
        let Some(account) =
            self.portal
                .store
                .account_by_identifier(&self.portal.tenant, audience, &key)?
        else {
            return Ok(());
        };
        if account.status != AccountStatus::Active || !account.authorized {
            return Ok(());
        }
        let Some((party, address)) = self.portal.party_and_address(&account)? else {
            return Ok(());
        };
        let settings = self.portal.settings()?;
        let now = self.portal.clock.now();
        let (token, hash) = crate::security::new_token();
        let link = format!(
            "{}/reset-password?token={token}",
            settings.audience(audience).base_url()
        );
        let n = self.portal.account_notification(
            &settings,
            &account,
            &party,
            &address,
            TemplatePurpose::PasswordReset,
            &link,
            None,
        )?;
        let t = Token {
            hash,
            account_id: account.id.clone(),
            audience,
            purpose: TokenPurpose::PasswordReset,
            created_at: now,
            expires_at: now + self.portal.security.reset_token_ttl,
            used_at: None,
            epoch: account.credential_epoch,
            version: 0,
        };
        self.portal.store.commit(
            &self.portal.tenant,
            &[Change::Token(t), Change::Notification(n)],
        )
    }

    fn take_token(
        &self,
        audience: Audience,
        token: &str,
        purpose: TokenPurpose,
        now: DateTime<Utc>,
    ) -> Result<(Token, Account)> {
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::InvalidToken);
        }
        let hash = crate::blobs::sha256_hex(token.as_bytes());
        let t = self
            .portal
            .store
            .token(&self.portal.tenant, &hash)?
            .ok_or(Error::InvalidToken)?;
        if t.purpose != purpose
            || t.audience != audience
            || t.used_at.is_some()
            || t.expires_at <= now
        {
            return Err(Error::InvalidToken);
        }
        let a = self
            .portal
            .store
            .account(&self.portal.tenant, &t.account_id)?
            .ok_or(Error::InvalidToken)?;
        // A password change, re-issue, reset or suspension since the token was issued voids
        // it; a suspended account takes no token at all.
        if a.status == AccountStatus::Revoked || !a.authorized || t.epoch != a.credential_epoch {
            return Err(Error::InvalidToken);
        }
        Ok((t, a))
    }

    /// Set a new password with a reset link's token. The token works once; it also lifts a
    /// lockout.
    pub fn reset_password(
        &self,
        audience: Audience,
        token: &str,
        new_password: &str,
    ) -> Result<()> {
        self.portal.security.check_password(new_password)?;
        let now = self.portal.clock.now();
        let (mut t, mut a) = self.take_token(audience, token, TokenPurpose::PasswordReset, now)?;
        if a.status != AccountStatus::Active {
            return Err(Error::InvalidToken);
        }
        t.used_at = Some(now);
        a.password_hash = Some(self.portal.security.hash_password(new_password)?);
        a.credential_epoch += 1;
        let attempt_key = login_attempt_key(a.audience, &a.identifier_key);
        match self
            .portal
            .commit_erasing(&[Change::Token(t), Change::Account(a)])
        {
            Ok(()) => self
                .portal
                .store
                .clear_attempts(&self.portal.tenant, &attempt_key),
            Err(Error::Conflict { .. }) => Err(Error::InvalidToken),
            Err(e) => Err(e),
        }
    }

    /// Accept an invitation: set one's own password with the invitation link's token; the
    /// account becomes active and the person is logged in.
    pub fn accept_invitation(
        &self,
        audience: Audience,
        token: &str,
        password: &str,
    ) -> Result<Principal> {
        self.portal.security.check_password(password)?;
        let now = self.portal.clock.now();
        let (mut t, mut a) = self.take_token(audience, token, TokenPurpose::Invitation, now)?;
        let current = a
            .invitation
            .as_ref()
            .is_some_and(|i| i.token_hash == t.hash && i.accepted_at.is_none());
        if a.status != AccountStatus::Draft || !current {
            return Err(Error::InvalidToken);
        }
        t.used_at = Some(now);
        a.password_hash = Some(self.portal.security.hash_password(password)?);
        a.credential_epoch += 1;
        a.status = AccountStatus::Active;
        a.activated_at = Some(now);
        a.last_login_at = Some(now);
        a.needs_sync = false;
        if let Some(i) = a.invitation.as_mut() {
            i.accepted_at = Some(now);
        }
        let principal = principal_of(&a);
        match self
            .portal
            .commit_erasing(&[Change::Token(t), Change::Account(a)])
        {
            Ok(()) => Ok(principal),
            Err(Error::Conflict { .. }) => Err(Error::InvalidToken),
            Err(e) => Err(e),
        }
    }
}

fn principal_of(a: &Account) -> Principal {
    Principal {
        account_id: a.id.clone(),
        audience: a.audience,
        party_code: a.party_code.clone(),
        identifier: a.identifier.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EmailRole, Generate, Party, SecurityPolicy, Settings};

    /// The unknown-identifier path verifies against a hash made with the very parameters of real
    /// hashes, so it costs the same argon2 work (no timing oracle on who has an account).
    #[test]
    fn unknown_identifiers_cost_the_same_argon2_work() {
        let p = Portal::builder("t")
            .settings(Settings::new("X", "x.fr"))
            .security(SecurityPolicy::fast_for_tests())
            .build()
            .unwrap();
        p.parties()
            .upsert(Party::client("4", "N").email(EmailRole::Main, "n@x.fr"))
            .unwrap();
        p.accounts()
            .generate(Generate::client("4").password("password-1"))
            .unwrap();
        p.sync().unwrap();
        let real = p
            .accounts()
            .find(Audience::Client, "4")
            .unwrap()
            .unwrap()
            .password_hash
            .unwrap();
        let params = |phc: &str| phc.split('$').nth(3).map(str::to_string);
        assert_eq!(
            p.access()
                .login(Audience::Client, "nobody", "password-1")
                .unwrap_err(),
            Error::InvalidCredentials
        );
        let dummy = p
            .dummy_hash
            .get()
            .expect("the unknown path verified against the dummy hash")
            .clone();
        assert_eq!(params(&dummy), params(&real));
        assert!(dummy.starts_with("$argon2id$v=19$"));
        // A draft (no hash yet) also burns the dummy verification rather than answering fast.
        p.parties()
            .upsert(Party::client("5", "N").email(EmailRole::Main, "m@x.fr"))
            .unwrap();
        p.accounts()
            .generate(Generate::client("5").password("password-2"))
            .unwrap();
        assert_eq!(
            p.access()
                .login(Audience::Client, "5", "password-2")
                .unwrap_err(),
            Error::InvalidCredentials
        );
    }
}
