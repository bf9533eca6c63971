//! Activation of accounts at sync ("Synchroniser"): a pure decision per account ([`plan`],
//! [`activate`], [`mark_synced`]: plain values in, plain values out) and the IO around it
//! (reading the accounts page by page, argon2id hashing on worker threads, committing in
//! batches with a one-by-one fallback, progress, forgetting the erased draft passwords).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use chrono::{DateTime, Utc};

use crate::error::{Error, Result};
use crate::operations::Portal;
use crate::records::account::{Account, AccountStatus};
use crate::records::progress::{Phase, Progress};
use crate::records::settings::Settings;
use crate::records::template::TemplatePurpose;
use crate::security::SecurityPolicy;
use crate::store::{AccountFilter, Change};

/// Accounts activated per commit at sync.
const ACTIVATION_BATCH: usize = 64;

/// Accounts read per store page.
const READ_PAGE: u32 = 1000;

// ---------------------------------------------------------------------------------------------
// The decision (pure).
// ---------------------------------------------------------------------------------------------

/// What sync does with one account that needs it.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Plan {
    /// An unauthorised draft: "Accès autorisé" must be ticked to validate the access; it waits
    /// for a later sync and is not counted.
    Wait,
    /// Nothing to hash (an invited draft, an active account with nothing to send, a revoked
    /// one): just mark it synchronised.
    MarkSynced,
    /// Hash a password, activate the draft or re-issue the password of an active account, and
    /// e-mail the credentials when `notify`.
    Hash {
        /// The password to hash.
        password: Password,
        /// "Notifier par email".
        notify: bool,
    },
}

/// Where the password to hash comes from.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Password {
    /// The draft's readable password ("Mot de passe").
    Draft(String),
    /// A fresh one from the policy (a draft without one, or a re-issue: a frozen password
    /// cannot be read back).
    Fresh,
}

/// What sync does with `account` (one that needs sync).
pub(crate) fn plan(account: &Account) -> Plan {
    match account.status {
        AccountStatus::Draft if account.invitation.is_some() => Plan::MarkSynced,
        AccountStatus::Draft if !account.authorized => Plan::Wait,
        AccountStatus::Draft => Plan::Hash {
            password: account
                .draft_password
                .clone()
                .map_or(Password::Fresh, Password::Draft),
            notify: account.notify_by_email,
        },
        AccountStatus::Active if account.notify_by_email => Plan::Hash {
            password: Password::Fresh,
            notify: true,
        },
        AccountStatus::Active | AccountStatus::Revoked => Plan::MarkSynced,
    }
}

/// Whether, and where, the credentials e-mail of an activation goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Credentials {
    /// Queue it to this address (the party's main one), recorded as "Email envoyé à / le".
    Send {
        /// The party's main address.
        address: String,
    },
    /// "Notifier par email" is not ticked.
    NotAsked,
    /// Asked, but the party or its main address is gone: skipped, not retried.
    NoAddress,
}

/// One account's activation, decided: the account to commit and the mail to queue.
pub(crate) struct Activated {
    /// The account as it is to be committed.
    pub account: Account,
    /// Whether a draft became active (a re-issue of an active account is not counted).
    pub newly_active: bool,
    /// The credentials e-mail to queue, or why none is.
    pub credentials: Credentials,
}

/// Activate (or re-issue) `account` with the argon2id `hash` of its new password at `now`:
/// the draft password is wiped, older links die with the credential epoch, and when `notify`
/// the credentials go to `address` (the party's main address, `None` if it is gone).
pub(crate) fn activate(
    mut account: Account,
    hash: String,
    notify: bool,
    address: Option<&str>,
    now: DateTime<Utc>,
) -> Activated {
    let newly_active = account.status == AccountStatus::Draft;
    if newly_active {
        account.status = AccountStatus::Active;
        account.activated_at = Some(now);
    }
    account.password_hash = Some(hash);
    account.draft_password = None;
    account.needs_sync = false;
    // Activation or re-issue: older links die with the old password.
    account.credential_epoch += 1;
    let credentials = match (notify, address) {
        (false, _) => Credentials::NotAsked,
        (true, None) => {
            account.notify_by_email = false;
            Credentials::NoAddress
        }
        (true, Some(address)) => {
            account.notify_by_email = false;
            account.credentials_sent_to = Some(address.to_string());
            account.credentials_sent_at = Some(now);
            Credentials::Send {
                address: address.to_string(),
            }
        }
    };
    Activated {
        account,
        newly_active,
        credentials,
    }
}

/// An account with nothing to hash, marked synchronised.
pub(crate) fn mark_synced(mut account: Account) -> Account {
    account.needs_sync = false;
    account
}

// ---------------------------------------------------------------------------------------------
// The IO: read, hash on threads, commit in batches.
// ---------------------------------------------------------------------------------------------

/// One account to sync, its password (if any) drawn.
struct Job {
    account: Account,
    /// The password to hash, `None` to just mark the account synchronised.
    password: Option<String>,
    notify: bool,
}

/// Activations and credentials e-mails counted by sync.
#[derive(Clone, Copy, Default)]
struct Tally {
    activated: u64,
    queued: u64,
}

impl std::ops::AddAssign for Tally {
    fn add_assign(&mut self, other: Tally) {
        self.activated += other.activated;
        self.queued += other.queued;
    }
}

/// One batch of decided changes, with each account's range in `changes` and what it counts.
#[derive(Default)]
struct Batch {
    changes: Vec<Change>,
    /// Per account: where its changes start in `changes`, and what they count for.
    accounts: Vec<(usize, Tally)>,
}

impl Batch {
    fn tally(&self) -> Tally {
        let mut t = Tally::default();
        for (_, a) in &self.accounts {
            t += *a;
        }
        t
    }

    /// Each account's changes with what they count for.
    fn per_account(&self) -> impl Iterator<Item = (&[Change], Tally)> + '_ {
        let ends = self.accounts.iter().skip(1).map(|a| a.0);
        let ends = ends.chain([self.changes.len()]);
        self.accounts
            .iter()
            .zip(ends)
            .map(|(&(start, tally), end)| (&self.changes[start..end], tally))
    }
}

/// The hashes computed by the worker threads, handed out in the order of the passwords.
struct Hashes {
    rx: mpsc::Receiver<(usize, Result<String>)>,
    done: Vec<Option<String>>,
    cursor: usize,
}

impl Hashes {
    /// Start `threads` workers hashing `passwords` in order.
    fn spawn<'scope>(
        scope: &'scope std::thread::Scope<'scope, '_>,
        policy: &'scope SecurityPolicy,
        passwords: &'scope [String],
        next: &'scope AtomicUsize,
    ) -> Hashes {
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .min(passwords.len());
        let (tx, rx) = mpsc::channel();
        for _ in 0..threads {
            let tx = tx.clone();
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
        Hashes {
            rx,
            done: vec![None; passwords.len()],
            cursor: 0,
        }
    }

    /// The next `n` hashes, waiting for the workers as needed.
    fn take(&mut self, n: usize) -> Result<Vec<String>> {
        let range = self.cursor..self.cursor + n;
        while self.done[range.clone()].iter().any(Option::is_none) {
            let (i, hash) = self
                .rx
                .recv()
                .map_err(|_| Error::storage("the hashing threads stopped"))?;
            self.done[i] = Some(hash?);
        }
        self.cursor += n;
        self.done[range]
            .iter_mut()
            .map(|h| {
                h.take()
                    .ok_or_else(|| Error::storage("hash count mismatch"))
            })
            .collect()
    }
}

impl Portal {
    /// Activate draft accounts and re-notify where asked (the account half of `sync`):
    /// returns the accounts activated and the credentials e-mails queued.
    pub(crate) fn activate_drafts(&self, progress: &dyn Fn(Progress)) -> Result<(u64, u64)> {
        let jobs = self.sync_jobs(self.accounts_needing_sync()?);
        let total = jobs.len() as u64;
        let settings = self.settings()?;
        let passwords: Vec<String> = jobs.iter().filter_map(|j| j.password.clone()).collect();
        let mut tally = Tally::default();
        // Whether a committed batch wiped draft passwords.
        let mut erased = false;
        // Hashing threads live for the whole sync and take passwords in order; this thread
        // commits each batch as soon as its hashes are in, so commits overlap the hashing.
        let next = AtomicUsize::new(0);
        let outcome = std::thread::scope(|scope| -> Result<()> {
            let mut hashes = Hashes::spawn(scope, &self.security, &passwords, &next);
            let mut jobs = jobs.into_iter().peekable();
            let mut done = 0;
            while jobs.peek().is_some() {
                let chunk: Vec<Job> = jobs.by_ref().take(ACTIVATION_BATCH).collect();
                let needed = chunk.iter().filter(|j| j.password.is_some()).count();
                let batch = self.decide_batch(&settings, chunk, hashes.take(needed)?)?;
                tally += self.commit_batch(&batch)?;
                // Whole or one by one, the accounts committed wiped their draft passwords.
                erased |= needed > 0;
                done += batch.accounts.len() as u64;
                progress(Progress {
                    phase: Phase::Activating,
                    done,
                    total,
                });
            }
            Ok(())
        });
        // Also when a later batch failed: the batches committed before it wiped passwords.
        let forgotten = if erased { self.forget_erased() } else { Ok(()) };
        outcome?;
        forgotten?;
        Ok((tally.activated, tally.queued))
    }

    /// Every account that needs sync, read page by page.
    fn accounts_needing_sync(&self) -> Result<Vec<Account>> {
        let filter = AccountFilter {
            needs_sync: Some(true),
            ..Default::default()
        };
        let mut accounts = Vec::new();
        loop {
            let page =
                self.store
                    .accounts(&self.tenant, &filter, accounts.len() as u64, READ_PAGE)?;
            let last = page.items.is_empty() || !page.has_more();
            accounts.extend(page.items);
            if last {
                return Ok(accounts);
            }
        }
    }

    /// The jobs of sync, in order: each account's plan, fresh passwords drawn; waiting drafts
    /// left out.
    fn sync_jobs(&self, accounts: Vec<Account>) -> Vec<Job> {
        accounts
            .into_iter()
            .filter_map(|account| match plan(&account) {
                Plan::Wait => None,
                Plan::MarkSynced => Some(Job {
                    account,
                    password: None,
                    notify: false,
                }),
                Plan::Hash { password, notify } => Some(Job {
                    password: Some(match password {
                        Password::Draft(p) => p,
                        Password::Fresh => self.security.generate_password(),
                    }),
                    account,
                    notify,
                }),
            })
            .collect()
    }

    /// Decide a chunk of jobs with their `hashes` (one per job with a password, in order):
    /// the accounts to commit and the credentials e-mails to queue.
    fn decide_batch(
        &self,
        settings: &Settings,
        chunk: Vec<Job>,
        hashes: Vec<String>,
    ) -> Result<Batch> {
        let now = self.clock.now();
        let mut hashes = hashes.into_iter();
        let mut batch = Batch::default();
        batch.changes.reserve(chunk.len() * 2);
        for job in chunk {
            let start = batch.changes.len();
            let tally = match job.password {
                None => {
                    let account = mark_synced(job.account);
                    batch.changes.push(Change::Account(account));
                    Tally::default()
                }
                Some(password) => {
                    let hash = hashes
                        .next()
                        .ok_or_else(|| Error::storage("hash count mismatch"))?;
                    let job = (job.account, password, job.notify);
                    self.decide_activation(settings, job, hash, now, &mut batch.changes)?
                }
            };
            batch.accounts.push((start, tally));
        }
        Ok(batch)
    }

    /// Decide one activation (reading the party's address when the credentials are to be
    /// e-mailed, rendering that e-mail) and push its changes.
    fn decide_activation(
        &self,
        settings: &Settings,
        (account, password, notify): (Account, String, bool),
        hash: String,
        now: DateTime<Utc>,
        changes: &mut Vec<Change>,
    ) -> Result<Tally> {
        let recipient = match notify {
            true => self.party_and_address(&account)?,
            false => None,
        };
        let address = recipient.as_ref().map(|(_, a)| a.as_str());
        let decided = activate(account, hash, notify, address, now);
        let mut tally = Tally {
            activated: u64::from(decided.newly_active),
            queued: 0,
        };
        if let (Credentials::Send { address }, Some((party, _))) =
            (&decided.credentials, &recipient)
        {
            let n = self.account_notification(
                settings,
                &decided.account,
                party,
                address,
                TemplatePurpose::AccessCredentials,
                settings.audience(decided.account.audience).base_url(),
                Some(&password),
            )?;
            changes.push(Change::Notification(n));
            tally.queued = 1;
        }
        changes.push(Change::Account(decided.account));
        Ok(tally)
    }

    /// Commit `batch` at once; if the store refuses it, its accounts one by one. Returns what
    /// was committed.
    fn commit_batch(&self, batch: &Batch) -> Result<Tally> {
        match self.store.commit(&self.tenant, &batch.changes) {
            Ok(()) => Ok(batch.tally()),
            // An account changed meanwhile, or the store refuses one (e.g. the twin of a
            // party's live account in a file from before v3): commit the others one by one and
            // leave the refused ones to the next sync.
            Err(Error::Conflict { .. } | Error::IdentifierTaken { .. }) => {
                self.commit_one_by_one(batch)
            }
            Err(e) => Err(e),
        }
    }

    /// Commit each account of `batch` on its own, skipping those the store refuses.
    fn commit_one_by_one(&self, batch: &Batch) -> Result<Tally> {
        let mut committed = Tally::default();
        for (changes, tally) in batch.per_account() {
            match self.store.commit(&self.tenant, changes) {
                Ok(()) => committed += tally,
                Err(Error::Conflict { .. } | Error::IdentifierTaken { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(committed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::account::Invitation;
    use crate::records::audience::Audience;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 2, h, 0, 0).unwrap()
    }

    fn draft() -> Account {
        Account {
            id: "a1".into(),
            audience: Audience::Client,
            party_code: "4".into(),
            identifier: "4".into(),
            identifier_key: "4".into(),
            identifier_skeleton: None,
            status: AccountStatus::Draft,
            authorized: true,
            notify_by_email: true,
            draft_password: Some("pw-draft".into()),
            password_hash: None,
            invitation: None,
            credentials_sent_to: None,
            credentials_sent_at: None,
            credential_epoch: 3,
            created_at: at(1),
            activated_at: None,
            last_login_at: None,
            needs_sync: true,
            version: 7,
        }
    }

    fn invitation() -> Invitation {
        Invitation {
            token_hash: "h".into(),
            created_at: at(1),
            expires_at: at(9),
            sent_at: None,
            accepted_at: None,
        }
    }

    #[test]
    fn plan_follows_status_authorisation_and_notify() {
        let d = draft();
        let hash = |password, notify| Plan::Hash { password, notify };
        assert!(plan(&d) == hash(Password::Draft("pw-draft".into()), true));
        let no_pw = Account {
            draft_password: None,
            notify_by_email: false,
            ..d.clone()
        };
        assert!(plan(&no_pw) == hash(Password::Fresh, false));
        let unauthorised = Account {
            authorized: false,
            ..d.clone()
        };
        assert!(plan(&unauthorised) == Plan::Wait);
        let invited = Account {
            invitation: Some(invitation()),
            authorized: false,
            ..d.clone()
        };
        assert!(plan(&invited) == Plan::MarkSynced);
        let active = Account {
            status: AccountStatus::Active,
            ..d.clone()
        };
        // A frozen password cannot be read back: re-notifying issues a fresh one.
        assert!(plan(&active) == hash(Password::Fresh, true));
        let quiet = Account {
            notify_by_email: false,
            ..active.clone()
        };
        assert!(plan(&quiet) == Plan::MarkSynced);
        let revoked = Account {
            status: AccountStatus::Revoked,
            ..d
        };
        assert!(plan(&revoked) == Plan::MarkSynced);
    }

    #[test]
    fn activating_a_draft_freezes_its_password_and_addresses_the_credentials() {
        let a = activate(draft(), "$argon2id$x".into(), true, Some("n@x.fr"), at(5));
        assert!(a.newly_active);
        assert_eq!(
            a.credentials,
            Credentials::Send {
                address: "n@x.fr".into()
            }
        );
        let acc = a.account;
        assert_eq!(acc.status, AccountStatus::Active);
        assert_eq!(acc.activated_at, Some(at(5)));
        assert_eq!(acc.password_hash.as_deref(), Some("$argon2id$x"));
        assert_eq!(acc.draft_password, None);
        assert_eq!(acc.credential_epoch, 4);
        assert!(!acc.needs_sync && !acc.notify_by_email);
        assert_eq!(acc.credentials_sent_to.as_deref(), Some("n@x.fr"));
        assert_eq!(acc.credentials_sent_at, Some(at(5)));
        assert_eq!(
            acc.version, 7,
            "the store bumps the version, not the decision"
        );
    }

    #[test]
    fn credentials_are_skipped_without_an_address_or_when_not_asked() {
        let a = activate(draft(), "h".into(), true, None, at(5));
        assert_eq!(a.credentials, Credentials::NoAddress);
        assert!(!a.account.notify_by_email, "not retried at the next sync");
        assert_eq!(a.account.credentials_sent_to, None);
        let a = activate(draft(), "h".into(), false, Some("n@x.fr"), at(5));
        assert_eq!(a.credentials, Credentials::NotAsked);
        assert_eq!(a.account.credentials_sent_at, None);
    }

    #[test]
    fn a_reissue_keeps_the_activation_date_and_is_not_counted() {
        let active = Account {
            status: AccountStatus::Active,
            activated_at: Some(at(2)),
            draft_password: None,
            ..draft()
        };
        let a = activate(active, "h".into(), true, Some("n@x.fr"), at(5));
        assert!(!a.newly_active);
        assert_eq!(a.account.activated_at, Some(at(2)));
        assert_eq!(a.account.credential_epoch, 4);
        assert!(!mark_synced(draft()).needs_sync);
    }

    fn status() -> impl Strategy<Value = AccountStatus> {
        prop_oneof![
            Just(AccountStatus::Draft),
            Just(AccountStatus::Active),
            Just(AccountStatus::Revoked)
        ]
    }

    proptest! {
        /// Whatever the account, an activation that `plan` asks for leaves an active,
        /// synchronised account with a hash, no readable password and a bumped epoch; and
        /// `plan` never hashes for an invited or unauthorised draft nor a revoked account.
        #[test]
        fn planned_activations_keep_the_invariants(
            status in status(),
            authorized: bool,
            notify: bool,
            invited: bool,
            draft_password in proptest::option::of("[a-z]{1,12}"),
            address in proptest::option::of("[a-z]{1,8}@x\\.fr"),
            epoch in 0u64..1_000,
        ) {
            let account = Account {
                status,
                authorized,
                notify_by_email: notify,
                invitation: invited.then(invitation),
                draft_password,
                credential_epoch: epoch,
                ..draft()
            };
            let Plan::Hash { notify, .. } = plan(&account) else {
                prop_assert!(
                    status == AccountStatus::Revoked
                        || (status == AccountStatus::Draft && (invited || !authorized))
                        || !account.notify_by_email
                );
                return Ok(());
            };
            prop_assert!(status != AccountStatus::Revoked);
            prop_assert!(authorized && !invited || status == AccountStatus::Active);
            let a = activate(account, "h".into(), notify, address.as_deref(), at(5));
            prop_assert_eq!(a.newly_active, status == AccountStatus::Draft);
            prop_assert_eq!(a.account.status, AccountStatus::Active);
            prop_assert!(a.account.activated_at.is_some() || status == AccountStatus::Active);
            prop_assert!(a.account.draft_password.is_none() && !a.account.needs_sync);
            prop_assert_eq!(a.account.credential_epoch, epoch + 1);
            prop_assert!(!a.account.notify_by_email || !notify);
            let sent = matches!(a.credentials, Credentials::Send { .. });
            prop_assert_eq!(sent, notify && address.is_some());
            prop_assert_eq!(a.account.credentials_sent_to, if sent { address } else { None });
        }
    }
}
