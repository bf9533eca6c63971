//! Portal accounts ("Droits d'accès"): identifier, password, "Accès autorisé", "Notifier par
//! email", "Email envoyé à / le", and the not-yet-synchronised state (red in seed 000).

use crate::error::{Error, Result};
use crate::operations::Portal;
use crate::records::audience::Audience;
use crate::records::ids::new_id;
use crate::records::page::{Page, PageRequest};
use crate::records::party::{EmailRole, Party};
use crate::records::progress::{Phase, Progress};
use crate::records::template::TemplatePurpose;
use crate::store::{AccountFilter, Change};

pub use crate::records::account::*;

/// The accounts of a portal: `portal.accounts()`.
#[derive(Debug, Clone, Copy)]
pub struct Accounts<'a> {
    pub(crate) portal: &'a Portal,
}

impl Accounts<'_> {
    fn party(&self, audience: Audience, code: &str) -> Result<Party> {
        self.portal.parties().get(audience, code)
    }

    /// The identifier (normalised) and, for identifiers people choose, its confusable
    /// skeleton.
    fn choose_identifier(
        party: &Party,
        choice: &IdentifierChoice,
    ) -> Result<(String, Option<String>)> {
        let id = match choice {
            IdentifierChoice::Code => party.code.clone(),
            IdentifierChoice::Email => party
                .address(EmailRole::Main)
                .ok_or_else(|| {
                    Error::state(
                        format!("party {}", party.code),
                        "has no main e-mail address",
                    )
                })?
                .to_string(),
            IdentifierChoice::Given(s) => s.clone(),
        };
        let id = crate::identifiers::normalize("identifier", &id)?;
        let skeleton = match choice {
            IdentifierChoice::Code => None,
            _ => Some(crate::identifiers::skeleton(&id)),
        };
        Ok((id, skeleton))
    }

    /// Check the identifier is free, and the party has no live account.
    fn check_free(&self, audience: Audience, party_code: &str, identifier: &str) -> Result<()> {
        let p = self.portal;
        if let Some(existing) = self.live_account_of(audience, party_code)? {
            return Err(Error::state(
                format!("party {party_code}"),
                format!("already has access (account {})", existing.identifier),
            ));
        }
        if p.store
            .account_by_identifier(&p.tenant, audience, &crate::identifiers::key(identifier))?
            .is_some()
        {
            return Err(Error::IdentifierTaken {
                identifier: identifier.to_string(),
            });
        }
        Ok(())
    }

    /// The party's non-revoked account, if any.
    pub fn live_account_of(&self, audience: Audience, party_code: &str) -> Result<Option<Account>> {
        let p = self.portal;
        let filter = AccountFilter {
            audience: Some(audience),
            party_code: Some(party_code.to_string()),
            ..Default::default()
        };
        let page = p.store.accounts(&p.tenant, &filter, 0, 1000)?;
        Ok(page
            .items
            .into_iter()
            .find(|a| a.status != AccountStatus::Revoked))
    }

    fn new_account(
        &self,
        party: &Party,
        (identifier, identifier_skeleton): (String, Option<String>),
        password: Option<String>,
        notify: bool,
        authorized: bool,
    ) -> Account {
        Account {
            id: new_id(),
            audience: party.audience,
            party_code: party.code.clone(),
            identifier_key: crate::identifiers::key(&identifier),
            identifier,
            identifier_skeleton,
            status: AccountStatus::Draft,
            authorized,
            notify_by_email: notify,
            draft_password: password,
            password_hash: None,
            invitation: None,
            credentials_sent_to: None,
            credentials_sent_at: None,
            credential_epoch: 0,
            created_at: self.portal.clock.now(),
            activated_at: None,
            last_login_at: None,
            needs_sync: true,
            version: 0,
        }
    }

    /// Create a draft account ("not synchronised", red in seed 000): the password stays
    /// readable by the back office until [`Portal::sync`] freezes it.
    ///
    /// The party needs a main e-mail address (seed 001: no e-mail, no portal); the identifier
    /// must be free in the audience (`identifier_taken`), and the party must not already have
    /// a live account (`invalid_state`; use [`Accounts::regenerate`]).
    pub fn generate(&self, request: Generate) -> Result<Account> {
        let p = self.portal;
        let party = self.party(request.audience, &request.party_code)?;
        if party.address(EmailRole::Main).is_none() {
            return Err(Error::state(
                format!("party {}", party.code),
                "has no e-mail address: no portal access possible",
            ));
        }
        let identifier = Self::choose_identifier(&party, &request.identifier)?;
        let password = match request.password {
            Some(pw) => {
                p.security.check_password(&pw)?;
                pw
            }
            None => p.security.generate_password(),
        };
        self.check_free(party.audience, &party.code, &identifier.0)?;
        let account = self.new_account(
            &party,
            identifier,
            Some(password),
            request.notify_by_email,
            request.authorized,
        );
        // The store enforces both rules again in the commit: a concurrent generate loses here.
        p.store
            .commit(&p.tenant, &[Change::Account(account.clone())])
            .map_err(|e| already_has_access(e, &party.code))?;
        Ok(Account {
            version: 1,
            ..account
        })
    }

    /// Create draft accounts for many parties, with a per-party report. Parties without an
    /// e-mail, with a taken identifier, or already with access are reported, not errors.
    pub fn generate_batch(
        &self,
        audience: Audience,
        party_codes: &[String],
        options: &BatchOptions,
        progress: &dyn Fn(Progress),
    ) -> Result<BatchReport> {
        if let IdentifierChoice::Given(_) = options.identifier {
            return Err(Error::invalid(
                "identifier",
                "a batch uses the party code or the e-mail, not a given identifier",
            ));
        }
        let p = self.portal;
        let total = party_codes.len() as u64;
        let mut report = BatchReport::default();
        let mut taken_in_batch = std::collections::HashSet::new();
        let mut changes = Vec::new();
        for (i, code) in party_codes.iter().enumerate() {
            let outcome = (|| -> Result<BatchOutcome> {
                let Some(party) = p.parties().find(audience, code)? else {
                    return Ok(BatchOutcome::UnknownParty);
                };
                if party.address(EmailRole::Main).is_none() {
                    return Ok(BatchOutcome::NoEmail);
                }
                if let Some(a) = self.live_account_of(audience, code)? {
                    return Ok(BatchOutcome::AlreadyHasAccess { account_id: a.id });
                }
                let chosen = Self::choose_identifier(&party, &options.identifier)?;
                let identifier = chosen.0.clone();
                let key = crate::identifiers::key(&identifier);
                let skeleton_free = chosen
                    .1
                    .as_ref()
                    .is_none_or(|sk| taken_in_batch.insert(format!("skeleton:{sk}")));
                if !taken_in_batch.insert(key.clone())
                    || !skeleton_free
                    || p.store
                        .account_by_identifier(&p.tenant, audience, &key)?
                        .is_some()
                {
                    return Ok(BatchOutcome::IdentifierTaken { identifier });
                }
                let account = self.new_account(
                    &party,
                    chosen,
                    Some(p.security.generate_password()),
                    options.notify_by_email,
                    true,
                );
                let id = account.id.clone();
                changes.push(Change::Account(account));
                Ok(BatchOutcome::Created {
                    account_id: id,
                    identifier,
                })
            })()?;
            report.rows.push(BatchRow {
                party_code: code.clone(),
                outcome,
            });
            if changes.len() >= 500 {
                self.commit_batch(&mut report, std::mem::take(&mut changes))?;
            }
            progress(Progress {
                phase: Phase::Generating,
                done: i as u64 + 1,
                total,
            });
        }
        if !changes.is_empty() {
            self.commit_batch(&mut report, changes)?;
        }
        Ok(report)
    }

    /// Commit a batch's new accounts at once; if the store refuses (a look-alike identifier
    /// or a concurrent generate got there first), commit them one by one and report the
    /// refused ones.
    fn commit_batch(&self, report: &mut BatchReport, changes: Vec<Change>) -> Result<()> {
        let p = self.portal;
        match p.store.commit(&p.tenant, &changes) {
            Err(Error::IdentifierTaken { .. } | Error::Conflict { .. }) => {}
            other => return other,
        }
        for change in changes {
            let Change::Account(a) = &change else {
                continue;
            };
            let outcome = match p.store.commit(&p.tenant, std::slice::from_ref(&change)) {
                Ok(()) => continue,
                Err(Error::IdentifierTaken { .. }) => BatchOutcome::IdentifierTaken {
                    identifier: a.identifier.clone(),
                },
                Err(Error::Conflict { .. }) => BatchOutcome::AlreadyHasAccess {
                    account_id: self
                        .live_account_of(a.audience, &a.party_code)?
                        .map(|l| l.id)
                        .unwrap_or_default(),
                },
                Err(e) => return Err(e),
            };
            if let Some(row) = report.rows.iter_mut().find(|r| {
                matches!(&r.outcome, BatchOutcome::Created { account_id, .. } if *account_id == a.id)
            }) {
                row.outcome = outcome;
            }
        }
        Ok(())
    }

    /// An account by id.
    pub fn get(&self, id: &str) -> Result<Account> {
        let p = self.portal;
        p.store
            .account(&p.tenant, id)?
            .ok_or_else(|| Error::not_found("account", id))
    }

    /// The live account holding an identifier (compared by [`crate::identifiers::key`]); a
    /// malformed identifier is `invalid_input`.
    pub fn find(&self, audience: Audience, identifier: &str) -> Result<Option<Account>> {
        let p = self.portal;
        let key = crate::identifiers::lookup_key(identifier)?;
        p.store.account_by_identifier(&p.tenant, audience, &key)
    }

    /// The failed-login counter of an identifier of `audience` ("verrouillage"): attempts
    /// counted in the current window and the end of a lockout in force. Unknown identifiers
    /// have one too (they are counted alike, so a lockout reveals nothing).
    pub fn lockout(
        &self,
        audience: Audience,
        identifier: &str,
    ) -> Result<crate::store::AttemptState> {
        let p = self.portal;
        let key = crate::identifiers::lookup_key(identifier)?;
        p.store
            .attempts(&p.tenant, &login_attempt_key(audience, &key))
    }

    /// Accounts, filtered and paged.
    pub fn list(&self, filter: &AccountFilter, page: PageRequest) -> Result<Page<Account>> {
        let p = self.portal;
        let size = p
            .settings()?
            .audience(filter.audience.unwrap_or(Audience::Client))
            .page_size;
        let (offset, limit) = page.resolve(size)?;
        p.store.accounts(&p.tenant, filter, offset, limit)
    }

    /// The readable password of a draft ("Mot de passe" column before sync). An active account's
    /// password is frozen and unreadable: `invalid_state`.
    pub fn draft_password(&self, id: &str) -> Result<String> {
        let a = self.get(id)?;
        match (&a.status, &a.draft_password) {
            (AccountStatus::Draft, Some(pw)) => Ok(pw.clone()),
            _ => Err(Error::state(
                format!("account {}", a.identifier),
                "the password is frozen once synchronised",
            )),
        }
    }

    fn save(&self, account: Account) -> Result<Account> {
        let p = self.portal;
        p.store
            .commit(&p.tenant, &[Change::Account(account.clone())])?;
        Ok(Account {
            version: account.version + 1,
            ..account
        })
    }

    fn edit(&self, id: &str, mut f: impl FnMut(&mut Account) -> Result<()>) -> Result<Account> {
        crate::operations::retry_on_conflict(
            || format!("account {id}"),
            || {
                let mut a = self.get(id)?;
                f(&mut a)?;
                self.save(a)
            },
        )
    }

    /// A new random password for a draft ("Mdp aléatoire").
    pub fn regenerate_password(&self, id: &str) -> Result<Account> {
        let pw = self.portal.security.generate_password();
        self.set_password(id, &pw)
    }

    /// Set a draft's password (length policy applies).
    pub fn set_password(&self, id: &str, password: &str) -> Result<Account> {
        self.portal.security.check_password(password)?;
        let account = self.edit(id, |a| {
            if a.status != AccountStatus::Draft || a.invitation.is_some() {
                return Err(Error::state(
                    format!("account {}", a.identifier),
                    "only a draft's password can be set; regenerate the access instead",
                ));
            }
            a.draft_password = Some(password.to_string());
            a.credential_epoch += 1;
            a.needs_sync = true;
            Ok(())
        })?;
        // The superseded draft password must not linger in the store's files.
        self.portal.forget_erased()?;
        Ok(account)
    }

    /// "Accès autorisé": suspend (`false`) or resume (`true`) without losing anything. Takes
    /// effect at once for logins.
    pub fn set_authorized(&self, id: &str, authorized: bool) -> Result<Account> {
        self.edit(id, |a| {
            if a.status == AccountStatus::Revoked {
                return Err(Error::state(
                    format!("account {}", a.identifier),
                    "is revoked",
                ));
            }
            if a.authorized && !authorized {
                // Suspension voids every outstanding reset or invitation link.
                a.credential_epoch += 1;
            }
            a.authorized = authorized;
            a.needs_sync = true;
            Ok(())
        })
    }

    /// "Notifier par email": tick it and the next sync e-mails the credentials. For an active
    /// account, whose password is frozen and unreadable, that sync issues a fresh password
    /// (as seed 001's "Régénérer les accès").
    pub fn set_notify_by_email(&self, id: &str, notify: bool) -> Result<Account> {
        self.edit(id, |a| {
            if a.status == AccountStatus::Revoked {
                return Err(Error::state(
                    format!("account {}", a.identifier),
                    "is revoked",
                ));
            }
            a.notify_by_email = notify;
            if notify {
                a.needs_sync = true;
            }
            Ok(())
        })
    }

    /// Remove an account ("Supprimer"): it never logs in again and its identifier is free.
    pub fn revoke(&self, id: &str) -> Result<Account> {
        let account = self.edit(id, |a| {
            if a.status == AccountStatus::Revoked {
                return Err(Error::state(
                    format!("account {}", a.identifier),
                    "is already revoked",
                ));
            }
            a.status = AccountStatus::Revoked;
            a.draft_password = None;
            a.password_hash = None;
            a.credential_epoch += 1;
            a.needs_sync = false;
            Ok(())
        })?;
        self.portal.forget_erased()?;
        Ok(account)
    }

    /// "Régénérer les accès" (seed 001): revoke the account and create a new draft for the same
    /// party and identifier with a fresh random password, e-mailed at the next sync when
    /// `notify_by_email`.
    pub fn regenerate(&self, id: &str, notify_by_email: bool) -> Result<Account> {
        let p = self.portal;
        let old = self.get(id)?;
        if old.status == AccountStatus::Revoked {
            return Err(Error::state(
                format!("account {}", old.identifier),
                "is revoked; generate a new one",
            ));
        }
        let party = self.party(old.audience, &old.party_code)?;
        let mut revoked = old.clone();
        revoked.status = AccountStatus::Revoked;
        revoked.draft_password = None;
        revoked.password_hash = None;
        revoked.credential_epoch += 1;
        revoked.needs_sync = false;
        let mut fresh = self.new_account(
            &party,
            (old.identifier.clone(), old.identifier_skeleton.clone()),
            Some(p.security.generate_password()),
            notify_by_email,
            old.authorized,
        );
        // The new access continues the old one's epochs: nothing issued before is valid.
        fresh.credential_epoch = revoked.credential_epoch + 1;
        p.commit_erasing(&[Change::Account(revoked), Change::Account(fresh.clone())])?;
        Ok(Account {
            version: 1,
            ..fresh
        })
    }

    /// Invite a party to set its own password: a single-use link valid
    /// [`crate::SecurityPolicy::invitation_ttl`], e-mailed now (`send_now`) or later with
    /// [`Accounts::reinvite`]. The account is a draft until the invitation is accepted.
    pub fn invite(&self, request: Invite) -> Result<Account> {
        let p = self.portal;
        let party = self.party(request.audience, &request.party_code)?;
        let address = party
            .address(EmailRole::Main)
            .ok_or_else(|| {
                Error::state(
                    format!("party {}", party.code),
                    "has no e-mail address: cannot be invited",
                )
            })?
            .to_string();
        let identifier = Self::choose_identifier(&party, &request.identifier)?;
        self.check_free(party.audience, &party.code, &identifier.0)?;
        let mut account = self.new_account(&party, identifier, None, false, true);
        account.needs_sync = false;
        let changes = self.invitation_changes(&mut account, &party, &address, request.send_now)?;
        let mut all = vec![Change::Account(account.clone())];
        all.extend(changes);
        p.store
            .commit(&p.tenant, &all)
            .map_err(|e| already_has_access(e, &party.code))?;
        Ok(Account {
            version: account.version + 1,
            ..account
        })
    }

    /// Send the invitation again with a new link (older links stop working).
    pub fn reinvite(&self, id: &str) -> Result<Account> {
        let p = self.portal;
        let mut account = self.get(id)?;
        if account.status != AccountStatus::Draft || account.invitation.is_none() {
            return Err(Error::state(
                format!("account {}", account.identifier),
                "has no pending invitation",
            ));
        }
        let party = self.party(account.audience, &account.party_code)?;
        let address = party
            .address(EmailRole::Main)
            .ok_or_else(|| Error::state(format!("party {}", party.code), "has no e-mail address"))?
            .to_string();
        let changes = self.invitation_changes(&mut account, &party, &address, true)?;
        let mut all = vec![Change::Account(account.clone())];
        all.extend(changes);
        p.store.commit(&p.tenant, &all)?;
        Ok(Account {
            version: account.version + 1,
            ..account
        })
    }

    /// The invitation's status now, if the account was invited.
    pub fn invitation_status(&self, id: &str) -> Result<Option<InvitationStatus>> {
        let a = self.get(id)?;
        Ok(a.invitation
            .as_ref()
            .map(|i| i.status(self.portal.clock.now())))
    }

    fn invitation_changes(
        &self,
        account: &mut Account,
        party: &Party,
        address: &str,
        send: bool,
    ) -> Result<Vec<Change>> {
        let p = self.portal;
        let now = p.clock.now();
        let (token, hash) = crate::security::new_token();
        let expires_at = now + p.security.invitation_ttl;
        account.invitation = Some(Invitation {
            token_hash: hash.clone(),
            created_at: now,
            expires_at,
            sent_at: send.then_some(now),
            accepted_at: None,
        });
        let mut changes = vec![Change::Token(Token {
            hash,
            account_id: account.id.clone(),
            audience: account.audience,
            purpose: TokenPurpose::Invitation,
            created_at: now,
            expires_at,
            used_at: None,
            epoch: account.credential_epoch,
            version: 0,
        })];
        if send {
            let settings = p.settings()?;
            let link = format!(
                "{}/accept-invitation?token={token}",
                settings.audience(account.audience).base_url()
            );
            let n = p.account_notification(
                &settings,
                account,
                party,
                address,
                TemplatePurpose::Invitation,
                &link,
                None,
            )?;
            changes.push(Change::Notification(n));
        }
        Ok(changes)
    }
}

/// The store's attempt key of logins to `audience` with identifier key `key`.
pub(crate) fn login_attempt_key(audience: Audience, key: &str) -> String {
    format!("login:{}:{key}", audience.as_str())
}

/// A new account's commit refused because the party got a live account meanwhile: the same
/// `invalid_state` as when it already had one.
fn already_has_access(e: Error, party_code: &str) -> Error {
    match e {
        Error::Conflict { .. } => Error::state(
            format!("party {party_code}"),
            "already has access (a concurrent request created it)",
        ),
        e => e,
    }
}
