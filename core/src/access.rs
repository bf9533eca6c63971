//! The portal side of accounts: activation at sync (argon2id, spread over the cores), login
//! with lockout and no timing oracle, password change, forgotten password, invitations.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use chrono::{DateTime, Utc};

use crate::accounts::{Account, AccountStatus, Principal, Token, TokenPurpose};
use crate::config::Audience;
use crate::error::{Error, Result};
use crate::parties::EmailRole;
use crate::store::{AccountFilter, Change};
use crate::templates::TemplatePurpose;
use crate::{Phase, Portal, Progress};

/// Accounts activated per commit at sync.
const ACTIVATION_BATCH: usize = 64;

/// What sync does with one account.
enum Activation {
    /// Hash this password; e-mail it when `notify`.
    Hash {
        account: Account,
        password: String,
        notify: bool,
    },
    /// Nothing to hash; just mark synchronised.
    MarkSynced(Account),
}

impl Portal {
    /// Activate draft accounts and re-notify where asked (the account half of `sync`).
    pub(crate) fn activate_drafts(&self, progress: &dyn Fn(Progress)) -> Result<(u64, u64)> {
        let filter = AccountFilter {
            needs_sync: Some(true),
            ..Default::default()
        };
        let mut pending = Vec::new();
        let mut offset = 0;
        loop {
            let page = self.store.accounts(&self.tenant, &filter, offset, 1000)?;
            offset += page.items.len() as u64;
            let done = page.items.is_empty() || !page.has_more();
            pending.extend(page.items);
            if done {
                break;
            }
        }
        let mut work = Vec::new();
        for a in pending {
            match a.status {
                AccountStatus::Draft if a.invitation.is_some() => {
                    work.push(Activation::MarkSynced(a))
                }
                // "Accès autorisé" must be ticked to validate the access: unauthorised drafts wait.
                AccountStatus::Draft if !a.authorized => {}
                AccountStatus::Draft => {
                    let password = a
                        .draft_password
                        .clone()
                        .unwrap_or_else(|| self.security.generate_password());
                    let notify = a.notify_by_email;
                    work.push(Activation::Hash {
                        account: a,
                        password,
                        notify,
                    });
                }
                AccountStatus::Active if a.notify_by_email => {
                    // The frozen password cannot be read back: re-notifying issues a fresh one.
                    let password = self.security.generate_password();
                    work.push(Activation::Hash {
                        account: a,
                        password,
                        notify: true,
                    });
                }
                AccountStatus::Active | AccountStatus::Revoked => {
                    work.push(Activation::MarkSynced(a))
                }
            }
        }
        let total = work.len() as u64;
        let settings = self.settings()?;
        let passwords: Vec<String> = work
            .iter()
            .filter_map(|w| match w {
                Activation::Hash { password, .. } => Some(password.clone()),
                Activation::MarkSynced(_) => None,
            })
            .collect();
        let (mut activated, mut queued, mut done) = (0u64, 0u64, 0u64);
        // Whether a committed chunk wiped draft passwords.
        let mut erased = false;
        let policy = &self.security;
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .min(passwords.len());
        // Hashing threads live for the whole sync and take passwords in order; this thread
        // commits each chunk as soon as its hashes are in, so commits overlap the hashing.
        let next = AtomicUsize::new(0);
        let outcome = std::thread::scope(|scope| -> Result<()> {
            let (tx, rx) = mpsc::channel::<(usize, Result<String>)>();
            for _ in 0..threads {
                let (tx, next, passwords) = (tx.clone(), &next, &passwords);
                scope.spawn(move || loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(password) = passwords.get(i) else {
                        break;
                    };
                    if tx.send((i, policy.hash_password(password))).is_err() {
                        break;
                    }
                });
            }
            drop(tx);
            let mut hashes: Vec<Option<String>> = vec![None; passwords.len()];
            let mut cursor = 0;
            let mut work = work.into_iter().peekable();
            while work.peek().is_some() {
                let chunk: Vec<Activation> = work.by_ref().take(ACTIVATION_BATCH).collect();
                let needed = chunk
                    .iter()
                    .filter(|w| matches!(w, Activation::Hash { .. }))
                    .count();
                while hashes[cursor..cursor + needed].iter().any(Option::is_none) {
                    let (i, hash) = rx
                        .recv()
                        .map_err(|_| Error::storage("the hashing threads stopped"))?;
                    hashes[i] = Some(hash?);
                }
                let mut chunk_hashes = hashes[cursor..cursor + needed].iter_mut().map(Option::take);
                cursor += needed;
                let now = self.clock.now();
                let mut changes = Vec::with_capacity(chunk.len() * 2);
                let (mut chunk_activated, mut chunk_queued) = (0, 0);
                // Each account's changes, by range of `changes`, with what they count for.
                let mut groups: Vec<(usize, u64, u64)> = Vec::with_capacity(chunk.len());
                for w in chunk {
                    let (start, before) = (changes.len(), (chunk_activated, chunk_queued));
                    match w {
                        Activation::MarkSynced(mut a) => {
                            a.needs_sync = false;
                            changes.push(Change::Account(a));
                        }
                        Activation::Hash {
                            mut account,
                            password,
                            notify,
                        } => {
                            let hash = chunk_hashes
                                .next()
                                .flatten()
                                .ok_or_else(|| Error::storage("hash count mismatch"))?;
                            if account.status == AccountStatus::Draft {
                                account.status = AccountStatus::Active;
                                account.activated_at = Some(now);
                                chunk_activated += 1;
                            }
                            account.password_hash = Some(hash);
                            account.draft_password = None;
                            account.needs_sync = false;
                            // Activation or re-issue: older links die with the old password.
                            account.credential_epoch += 1;
                            if notify {
                                account.notify_by_email = false;
                                if let Some(n) = self.credentials_notification(
                                    &settings,
                                    &mut account,
                                    &password,
                                    now,
                                )? {
                                    changes.push(Change::Notification(n));
                                    chunk_queued += 1;
                                }
                            }
                            changes.push(Change::Account(account));
                        }
                    }
                    groups.push((start, chunk_activated - before.0, chunk_queued - before.1));
                }
                match self.store.commit(&self.tenant, &changes) {
                    Ok(()) => {
                        activated += chunk_activated;
                        queued += chunk_queued;
                        erased |= needed > 0;
                    }
                    // An account changed meanwhile, or the store refuses one (e.g. the twin of
                    // a party's live account in a file from before v3): commit the others one
                    // by one and leave the refused ones to the next sync.
                    Err(Error::Conflict { .. } | Error::IdentifierTaken { .. }) => {
                        let ends = groups.iter().skip(1).map(|g| g.0).chain([changes.len()]);
                        for (&(start, act, q), end) in groups.iter().zip(ends) {
                            match self.store.commit(&self.tenant, &changes[start..end]) {
                                Ok(()) => {
                                    activated += act;
                                    queued += q;
                                }
                                Err(Error::Conflict { .. } | Error::IdentifierTaken { .. }) => {}
                                Err(e) => return Err(e),
                            }
                        }
                    }
                    Err(e) => return Err(e),
                }
                done += changes
                    .iter()
                    .filter(|c| matches!(c, Change::Account(_)))
                    .count() as u64;
                progress(Progress {
                    phase: Phase::Activating,
                    done,
                    total,
                });
            }
            Ok(())
        });
        // Also when a later chunk failed: the chunks committed before it wiped passwords.
        let forgotten = if erased { self.forget_erased() } else { Ok(()) };
        outcome?;
        forgotten?;
        Ok((activated, queued))
    }

    /// The account's party and its main address, where account mails go; `None` if either is
    /// gone.
    fn party_and_address(&self, account: &Account) -> Result<Option<(crate::Party, String)>> {
        let party = self
            .store
            .party(&self.tenant, account.audience, &account.party_code)?;
        Ok(party.and_then(|p| {
            let address = p.address(EmailRole::Main)?.to_string();
            Some((p, address))
        }))
    }

    /// Queue the credentials e-mail of `account` to its party's main address (recording
    /// "Email envoyé à / le"), if the party has one.
    fn credentials_notification(
        &self,
        settings: &crate::Settings,
        account: &mut Account,
        password: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<crate::Notification>> {
        let Some((party, address)) = self.party_and_address(account)? else {
            return Ok(None);
        };
        let link = settings.audience(account.audience).base_url().to_string();
        let n = self.account_notification(
            settings,
            account,
            &party,
            &address,
            TemplatePurpose::AccessCredentials,
            &link,
            Some(password),
        )?;
        account.credentials_sent_to = Some(address);
        account.credentials_sent_at = Some(now);
        Ok(Some(n))
    }

    /// A hash with the policy's parameters, computed once, verified against for unknown
    /// identifiers so that they cost the same argon2 work as known ones.
    fn dummy_hash(&self) -> &str {
        self.dummy_hash.get_or_init(|| {
            self.security
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
        let key = crate::identifiers::lookup_key(identifier)?;
        let attempt_key = crate::accounts::login_attempt_key(audience, &key);
        self.begin_attempt(&attempt_key)?;
        let account = self
            .store
            .account_by_identifier(&self.tenant, audience, &key)?;
        let usable = account
            .as_ref()
            .is_some_and(|a| a.status == AccountStatus::Active && a.authorized);
        let hash = account
            .as_ref()
            .and_then(|a| a.password_hash.clone())
            .filter(|_| usable);
        let ok = match &hash {
            Some(h) => self.security.verify_password(password, h),
            None => {
                let _ = self.security.verify_password(password, self.dummy_hash());
                false
            }
        };
        let Some(mut account) = account.filter(|_| ok) else {
            return Err(Error::InvalidCredentials);
        };
        self.store.clear_attempts(&self.tenant, &attempt_key)?;
        account.last_login_at = Some(self.clock.now());
        let principal = principal_of(&account);
        match self.store.commit(&self.tenant, &[Change::Account(account)]) {
            // A concurrent change won; only the last-login date is lost.
            Ok(()) | Err(Error::Conflict { .. }) => Ok(principal),
            Err(e) => Err(e),
        }
    }

    /// Reserve one verification on `attempt_key`, or `locked_out`.
    fn begin_attempt(&self, attempt_key: &str) -> Result<()> {
        let now = self.clock.now();
        match self.store.begin_attempt(
            &self.tenant,
            attempt_key,
            self.security.max_failed_logins,
            self.security.lockout,
            now,
        )? {
            crate::AttemptGate::Allowed { .. } => Ok(()),
            crate::AttemptGate::Locked { until } => Err(Error::LockedOut {
                until: until.to_rfc3339(),
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
        self.security.check_password(new_password)?;
        let mut a = self.accounts().get(&principal.account_id)?;
        // Guesses of the current password count like login guesses.
        let attempt_key = crate::accounts::login_attempt_key(a.audience, &a.identifier_key);
        self.begin_attempt(&attempt_key)?;
        let valid = a.status == AccountStatus::Active
            && a.authorized
            && a.password_hash
                .as_deref()
                .is_some_and(|h| self.security.verify_password(current, h));
        if !valid {
            return Err(Error::InvalidCredentials);
        }
        self.store.clear_attempts(&self.tenant, &attempt_key)?;
        a.password_hash = Some(self.security.hash_password(new_password)?);
        a.credential_epoch += 1;
        self.commit_erasing(&[Change::Account(a)])
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
        let key = crate::identifiers::lookup_key(identifier)?;
        let _ = self.security.verify_password(&key, self.dummy_hash());
        let Some(account) = self
            .store
            .account_by_identifier(&self.tenant, audience, &key)?
        else {
            return Ok(());
        };
        if account.status != AccountStatus::Active || !account.authorized {
            return Ok(());
        }
        let Some((party, address)) = self.party_and_address(&account)? else {
            return Ok(());
        };
        let settings = self.settings()?;
        let now = self.clock.now();
        let (token, hash) = crate::security::new_token();
        let link = format!(
            "{}/reset-password?token={token}",
            settings.audience(audience).base_url()
        );
        let n = self.account_notification(
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
            expires_at: now + self.security.reset_token_ttl,
            used_at: None,
            epoch: account.credential_epoch,
            version: 0,
        };
        self.store
            .commit(&self.tenant, &[Change::Token(t), Change::Notification(n)])
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
            .store
            .token(&self.tenant, &hash)?
            .ok_or(Error::InvalidToken)?;
        if t.purpose != purpose
            || t.audience != audience
            || t.used_at.is_some()
            || t.expires_at <= now
        {
            return Err(Error::InvalidToken);
        }
        let a = self
            .store
            .account(&self.tenant, &t.account_id)?
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
        self.security.check_password(new_password)?;
        let now = self.clock.now();
        let (mut t, mut a) = self.take_token(audience, token, TokenPurpose::PasswordReset, now)?;
        if a.status != AccountStatus::Active {
            return Err(Error::InvalidToken);
        }
        t.used_at = Some(now);
        a.password_hash = Some(self.security.hash_password(new_password)?);
        a.credential_epoch += 1;
        let attempt_key = crate::accounts::login_attempt_key(a.audience, &a.identifier_key);
        match self.commit_erasing(&[Change::Token(t), Change::Account(a)]) {
            Ok(()) => self.store.clear_attempts(&self.tenant, &attempt_key),
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
        self.security.check_password(password)?;
        let now = self.clock.now();
        let (mut t, mut a) = self.take_token(audience, token, TokenPurpose::Invitation, now)?;
        let current = a
            .invitation
            .as_ref()
            .is_some_and(|i| i.token_hash == t.hash && i.accepted_at.is_none());
        if a.status != AccountStatus::Draft || !current {
            return Err(Error::InvalidToken);
        }
        t.used_at = Some(now);
        a.password_hash = Some(self.security.hash_password(password)?);
        a.credential_epoch += 1;
        a.status = AccountStatus::Active;
        a.activated_at = Some(now);
        a.last_login_at = Some(now);
        a.needs_sync = false;
        if let Some(i) = a.invitation.as_mut() {
            i.accepted_at = Some(now);
        }
        let principal = principal_of(&a);
        match self.commit_erasing(&[Change::Token(t), Change::Account(a)]) {
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
            p.login(Audience::Client, "nobody", "password-1")
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
            p.login(Audience::Client, "5", "password-2").unwrap_err(),
            Error::InvalidCredentials
        );
    }
}
