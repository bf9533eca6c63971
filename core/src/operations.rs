//! The ground of every operation: the parts of a [`Portal`] (its tenant, its edges and its
//! policies) and the helpers that the operations of every concept share: the optimistic retry of
//! a read-modify-commit step, the tenant's settings, folders and compiled templates, dates in
//! the tenant's time zone, and the account mails. Nothing here knows a concept's operations;
//! they stand on this.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use crate::blobs::Blobs;
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::mail::Mailer;
use crate::records::account::Account;
use crate::records::audience::Audience;
use crate::records::folder::Folder;
use crate::records::ids::new_id;
use crate::records::notification::{Notification, RetryPolicy};
use crate::records::party::{EmailRole, Party};
use crate::records::settings::Settings;
use crate::records::template::{CompiledTemplate, MergeValues, Template, TemplatePurpose};
use crate::security::SecurityPolicy;
use crate::store::{Change, Store};

/// The portal of one tenant. Every method takes `&self`; the handle is `Send + Sync` and cheap
/// to share behind an `Arc`.
///
/// ```
/// use portail::{Portal, Settings, Party, EmailRole, EInvoicingConsent, Publish, DocumentKind};
/// let portal = Portal::in_memory("acme", Settings::new("ACME", "acme.example"))?;
/// portal.parties().upsert(Party::client("4", "MOI MEME")
///     .email(EmailRole::Billing, "compta@client.example")
///     .consent(EInvoicingConsent::Accepted))?;
/// let doc = portal.documents().publish(
///     Publish::client("4", "Factures", "FA-0002.pdf", b"%PDF-1.4".to_vec()).kind(DocumentKind::Invoice))?;
/// let report = portal.sync()?;
/// assert_eq!(report.dispatch.sent, 1);
/// # Ok::<(), portail::Error>(())
/// ```
pub struct Portal {
    pub(crate) tenant: String,
    pub(crate) store: Arc<dyn Store>,
    pub(crate) blobs: Arc<dyn Blobs>,
    pub(crate) mailer: Arc<dyn Mailer>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) retry: RetryPolicy,
    pub(crate) security: SecurityPolicy,
    pub(crate) claim_lease: Duration,
    pub(crate) dummy_hash: std::sync::OnceLock<String>,
}

impl std::fmt::Debug for Portal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Portal")
            .field("tenant", &self.tenant)
            .finish_non_exhaustive()
    }
}

/// How many times a read-modify-commit step is tried before giving up on a busy record.
const CONFLICT_RETRIES: usize = 5;

/// Run a read-modify-commit `step` again each time a concurrent change wins its commit
/// (optimistic concurrency); after [`CONFLICT_RETRIES`] lost races, `conflict` on `what`.
pub(crate) fn retry_on_conflict<T>(
    what: impl FnOnce() -> String,
    mut step: impl FnMut() -> Result<T>,
) -> Result<T> {
    for _ in 0..CONFLICT_RETRIES {
        match step() {
            Err(Error::Conflict { .. }) => continue,
            other => return other,
        }
    }
    Err(Error::conflict(what()))
}

impl Portal {
    /// The tenant's settings.
    pub fn settings(&self) -> Result<Settings> {
        self.store
            .settings(&self.tenant)?
            .ok_or_else(|| Error::not_found("settings", &self.tenant))
    }

    /// Commit `changes` that erase a secret (a wiped or superseded password, a used token),
    /// then have the store drop its older copies of them ([`Store::forget_erased`]).
    pub(crate) fn commit_erasing(&self, changes: &[Change]) -> Result<()> {
        self.store.commit(&self.tenant, changes)?;
        self.forget_erased()
    }

    /// After a commit that erased a secret: have the store drop its older copies of it. A
    /// failure says the change itself was committed.
    pub(crate) fn forget_erased(&self) -> Result<()> {
        self.store.forget_erased()
    }

    pub(crate) fn folder_list(&self, audience: Audience) -> Result<Vec<Folder>> {
        self.store.folders(&self.tenant, audience)
    }

    /// The template of an audience and purpose, compiled, with its version (0 = default).
    pub(crate) fn compiled_template(
        &self,
        settings: &Settings,
        audience: Audience,
        purpose: TemplatePurpose,
    ) -> Result<(CompiledTemplate, u64)> {
        let stored = self
            .store
            .templates(&self.tenant, audience)?
            .into_iter()
            .find(|t| t.purpose == purpose);
        let t =
            stored.unwrap_or_else(|| Template::default_for(audience, purpose, settings.language));
        Ok((t.compile()?, t.version))
    }

    /// A date as DD/MM/YYYY in the tenant's time zone.
    pub(crate) fn format_date(&self, settings: &Settings, at: DateTime<Utc>) -> Result<String> {
        Ok(at
            .with_timezone(&settings.tz()?)
            .format("%d/%m/%Y")
            .to_string())
    }

    /// The account's party and its main address, where account mails go; `None` if either is
    /// gone.
    pub(crate) fn party_and_address(&self, account: &Account) -> Result<Option<(Party, String)>> {
        let party = self
            .store
            .party(&self.tenant, account.audience, &account.party_code)?;
        Ok(party.and_then(|p| {
            let address = p.address(EmailRole::Main)?.to_string();
            Some((p, address))
        }))
    }

    /// Render a notification about an account to `address`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn account_notification(
        &self,
        settings: &Settings,
        account: &Account,
        party: &Party,
        address: &str,
        purpose: TemplatePurpose,
        link: &str,
        password: Option<&str>,
    ) -> Result<Notification> {
        let now = self.clock.now();
        let (template, template_version) =
            self.compiled_template(settings, account.audience, purpose)?;
        let date = self.format_date(settings, now)?;
        let values = MergeValues {
            document: None,
            link: Some(link),
            company: Some(&settings.company_name),
            domain: Some(&settings.domain),
            name: Some(&party.name),
            identifier: Some(&account.identifier),
            date: Some(&date),
            password,
        };
        Ok(Notification {
            account_id: Some(account.id.clone()),
            role: Some(EmailRole::Main),
            // The portal's address, never the merged link: it may carry a live token.
            link: Some(settings.audience(account.audience).base_url().to_string()),
            // Credentials carry a password, reset and invitation mails a live token.
            holds_secret: true,
            ..Notification::pending(
                new_id(),
                purpose,
                account.audience,
                account.party_code.clone(),
                address.to_string(),
                (&template, template_version),
                &values,
                now,
            )
        })
    }
}
