//! Portal accounts ("Droits d'accès au portail"): the contract's `AccountView`, mirrors of
//! `portail::accounts`' requests and the `portal.accounts()` handle.

use std::sync::Arc;

use crate::config::Audience;
use crate::portal::{ProgressListener, ProgressRelay};
use crate::{page_request, AccountPage};

/// The contract's account view (Kotlin: `dev.portail.contract.AccountView`, aliased as
/// `Account` in `dev.portail`): `hasDraftPassword`, never the password itself or a hash.
pub use portail::ffi::{AccountView, InvitationView};

/// What every method returning an account returns.
type Account = AccountView;

/// The core's enum, with its uniffi derive (Kotlin: `dev.portail.contract.AccountStatus`,
/// aliased in `dev.portail`).
pub use portail::AccountStatus;

/// The core's enum, with its uniffi derive (Kotlin: `dev.portail.contract.InvitationStatus`,
/// aliased in `dev.portail`).
pub use portail::InvitationStatus;

/// The failed-login counter of an identifier: the contract's view (Kotlin `Lockout`).
pub use portail::ffi::LockoutView as Lockout;

/// How the identifier of a new account is chosen; [`identifier_choice`] builds it from an
/// optional identifier and source by the contract's rule.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum IdentifierChoice {
    /// The party's code ("L'identifiant est le code de votre client").
    Code,
    /// The party's main e-mail address.
    Email,
    /// An identifier chosen by the back office.
    Given { identifier: String },
}

impl From<IdentifierChoice> for portail::IdentifierChoice {
    fn from(c: IdentifierChoice) -> Self {
        match c {
            IdentifierChoice::Code => portail::IdentifierChoice::Code,
            IdentifierChoice::Email => portail::IdentifierChoice::Email,
            IdentifierChoice::Given { identifier } => portail::IdentifierChoice::Given(identifier),
        }
    }
}

impl From<portail::IdentifierChoice> for IdentifierChoice {
    fn from(c: portail::IdentifierChoice) -> Self {
        match c {
            portail::IdentifierChoice::Code => IdentifierChoice::Code,
            portail::IdentifierChoice::Email => IdentifierChoice::Email,
            portail::IdentifierChoice::Given(identifier) => IdentifierChoice::Given { identifier },
        }
    }
}

/// The contract's enum (Kotlin: `dev.portail.contract.IdentifierSource`, aliased in
/// `dev.portail`): where an identifier comes from when none is given.
pub use portail::ffi::IdentifierSource;

/// The identifier of a new account: `identifier` if given (it wins), else taken `from` the
/// party's code (when null) or its main e-mail.
#[uniffi::export(default(identifier = None, from = None))]
pub fn identifier_choice(
    identifier: Option<String>,
    from: Option<IdentifierSource>,
) -> crate::Result<IdentifierChoice> {
    crate::call(|| Ok(portail::ffi::identifier_choice(identifier, from).into()))
}

/// A request to create a portal account. Start from [`generate_request`] and `copy(...)`.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct Generate {
    pub audience: Audience,
    pub party_code: String,
    pub identifier: IdentifierChoice,
    /// A password chosen by the back office; null = random ("Mdp aléatoire").
    #[uniffi(default = None)]
    pub password: Option<String>,
    /// "Notifier par email" (default: yes).
    #[uniffi(default = true)]
    pub notify_by_email: bool,
    /// "Accès autorisé" (default: yes).
    #[uniffi(default = true)]
    pub authorized: bool,
}

impl std::fmt::Debug for Generate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Generate")
            .field("audience", &self.audience)
            .field("party_code", &self.party_code)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .finish_non_exhaustive()
    }
}

impl From<Generate> for portail::Generate {
    fn from(g: Generate) -> Self {
        portail::Generate {
            audience: g.audience,
            party_code: g.party_code,
            identifier: g.identifier.into(),
            password: g.password,
            notify_by_email: g.notify_by_email,
            authorized: g.authorized,
        }
    }
}

/// An account request for a party: identifier = its code, random password, credentials
/// e-mailed at the next sync, access authorised.
#[uniffi::export]
pub fn generate_request(audience: Audience, party_code: String) -> crate::Result<Generate> {
    crate::call(|| {
        Ok(Generate {
            audience,
            party_code,
            identifier: portail::ffi::identifier_choice(None, None).into(),
            password: None,
            notify_by_email: true,
            authorized: true,
        })
    })
}

/// A request to invite a party to set its own password.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Invite {
    pub audience: Audience,
    pub party_code: String,
    pub identifier: IdentifierChoice,
    /// Queue the invitation e-mail now (default), or later with `reinvite`.
    #[uniffi(default = true)]
    pub send_now: bool,
}

impl From<Invite> for portail::Invite {
    fn from(i: Invite) -> Self {
        portail::Invite {
            audience: i.audience,
            party_code: i.party_code,
            identifier: i.identifier.into(),
            send_now: i.send_now,
        }
    }
}

/// Options of a batch generation ("Génération de portails par lots").
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct BatchOptions {
    /// `Code` or `Email` (a given identifier cannot fit a batch).
    pub identifier: IdentifierChoice,
    #[uniffi(default = true)]
    pub notify_by_email: bool,
}

impl From<BatchOptions> for portail::BatchOptions {
    fn from(o: BatchOptions) -> Self {
        portail::BatchOptions {
            identifier: o.identifier.into(),
            notify_by_email: o.notify_by_email,
        }
    }
}

/// What a batch generation did: the contract's view (Kotlin `BatchReport`), rows flat with an
/// `outcome` of `BatchOutcomeKind` and the ids it carries.
pub use portail::ffi::{BatchOutcomeKind, BatchReportView as BatchReport, BatchRowView};

/// The core's record, with its uniffi derive (Kotlin: `dev.portail.contract.Principal`, aliased
/// in `dev.portail`).
pub use portail::Principal;

/// The core's record, with its uniffi derive (Kotlin: `dev.portail.contract.AccessEvent`, aliased
/// in `dev.portail`).
pub use portail::AccessEvent;

/// Which accounts to list; every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct AccountFilter {
    #[uniffi(default = None)]
    pub audience: Option<Audience>,
    #[uniffi(default = None)]
    pub party_code: Option<String>,
    #[uniffi(default = None)]
    pub status: Option<AccountStatus>,
    /// Only accounts changed since the last sync (true), or only synchronised ones (false).
    #[uniffi(default = None)]
    pub needs_sync: Option<bool>,
}

impl From<AccountFilter> for portail::AccountFilter {
    fn from(f: AccountFilter) -> Self {
        portail::AccountFilter {
            audience: f.audience,
            party_code: f.party_code,
            status: f.status,
            needs_sync: f.needs_sync,
        }
    }
}

/// The accounts of a portal (`portal.accounts()`).
#[derive(uniffi::Object)]
pub struct Accounts {
    pub(crate) portal: crate::Handle,
}

#[uniffi::export]
impl Accounts {
    /// Create a draft account (not synchronised): its password stays readable with
    /// `draftPassword` until `sync` freezes it. The party needs a main e-mail address.
    pub fn generate(&self, request: Generate) -> crate::Result<Account> {
        self.portal
            .call(|p| Ok(p.accounts().generate(request.into())?.into()))
    }

    /// Create draft accounts for many parties, with a per-party report (no e-mail, identifier
    /// taken, already has access and unknown party are reported, not thrown).
    ///
    /// Blocking: call from a background thread. `listener` (optional) gets progress.
    #[uniffi::method(default(listener = None))]
    pub fn generate_batch(
        &self,
        audience: Audience,
        party_codes: Vec<String>,
        options: BatchOptions,
        listener: Option<Arc<dyn ProgressListener>>,
    ) -> crate::Result<BatchReport> {
        self.portal.call(|p| {
            let relay = ProgressRelay::new(listener);
            Ok(p.accounts()
                .generate_batch(audience, &party_codes, &options.into(), &|p| {
                    relay.report(p)
                })?
                .into())
        })
    }

    /// An account by id.
    pub fn get(&self, id: String) -> crate::Result<Account> {
        self.portal.call(|p| Ok(p.accounts().get(&id)?.into()))
    }

    /// The failed-login counter of an identifier (known or not).
    pub fn lockout(&self, audience: Audience, identifier: String) -> crate::Result<Lockout> {
        self.portal
            .call(|p| Ok(p.accounts().lockout(audience, &identifier)?.into()))
    }

    /// The live account holding an identifier (case-insensitive), or null.
    pub fn find(&self, audience: Audience, identifier: String) -> crate::Result<Option<Account>> {
        self.portal
            .call(|p| Ok(p.accounts().find(audience, &identifier)?.map(Account::from)))
    }

    /// The party's non-revoked account, or null.
    pub fn live_account_of(
        &self,
        audience: Audience,
        party_code: String,
    ) -> crate::Result<Option<Account>> {
        self.portal.call(|p| {
            Ok(p.accounts()
                .live_account_of(audience, &party_code)?
                .map(Account::from))
        })
    }

    /// Accounts, filtered. Paging: `offset` or the `cursor` of a previous page, and `limit`
    /// (null: the page size of the clients' portal).
    #[uniffi::method(default(offset = None, limit = None, cursor = None))]
    pub fn list(
        &self,
        filter: AccountFilter,
        offset: Option<i64>,
        limit: Option<i32>,
        cursor: Option<String>,
    ) -> crate::Result<AccountPage> {
        self.portal.call(|p| {
            let page = page_request(offset, limit, cursor)?;
            Ok(crate::page(p.accounts().list(&filter.into(), page)?))
        })
    }

    /// The readable password of a draft; `InvalidState` once synchronised (frozen).
    pub fn draft_password(&self, id: String) -> crate::Result<String> {
        self.portal.call(|p| p.accounts().draft_password(&id))
    }

    /// A new random password for a draft ("Mdp aléatoire").
    pub fn regenerate_password(&self, id: String) -> crate::Result<Account> {
        self.portal
            .call(|p| Ok(p.accounts().regenerate_password(&id)?.into()))
    }

    /// Set a draft's password (length policy applies).
    pub fn set_password(&self, id: String, password: String) -> crate::Result<Account> {
        self.portal
            .call(|p| Ok(p.accounts().set_password(&id, &password)?.into()))
    }

    /// "Accès autorisé": suspend (false) or resume (true); takes effect at once for logins.
    pub fn set_authorized(&self, id: String, authorized: bool) -> crate::Result<Account> {
        self.portal
            .call(|p| Ok(p.accounts().set_authorized(&id, authorized)?.into()))
    }

    /// "Notifier par email": the next sync e-mails the credentials (an active account gets a
    /// fresh password then).
    pub fn set_notify_by_email(&self, id: String, notify: bool) -> crate::Result<Account> {
        self.portal
            .call(|p| Ok(p.accounts().set_notify_by_email(&id, notify)?.into()))
    }

    /// Remove an account ("Supprimer"): it never logs in again and its identifier is free.
    pub fn revoke(&self, id: String) -> crate::Result<Account> {
        self.portal.call(|p| Ok(p.accounts().revoke(&id)?.into()))
    }

    /// "Régénérer les accès": revoke and create a new draft for the same party and identifier
    /// with a fresh password, e-mailed at the next sync when `notifyByEmail`.
    #[uniffi::method(default(notify_by_email = true))]
    pub fn regenerate(&self, id: String, notify_by_email: bool) -> crate::Result<Account> {
        self.portal
            .call(|p| Ok(p.accounts().regenerate(&id, notify_by_email)?.into()))
    }

    /// Invite a party to set its own password (a single-use, expiring link).
    pub fn invite(&self, request: Invite) -> crate::Result<Account> {
        self.portal
            .call(|p| Ok(p.accounts().invite(request.into())?.into()))
    }

    /// Send the invitation again with a new link (older links stop working).
    pub fn reinvite(&self, id: String) -> crate::Result<Account> {
        self.portal.call(|p| Ok(p.accounts().reinvite(&id)?.into()))
    }

    /// The invitation's status now, or null if the account was not invited.
    pub fn invitation_status(&self, id: String) -> crate::Result<Option<InvitationStatus>> {
        self.portal.call(|p| p.accounts().invitation_status(&id))
    }
}
