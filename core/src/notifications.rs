//! The notification outbox and its history ("Historique des notifications": En attente /
//! Envoyé / Annulé, plus Failed while retrying and Abandoned after the last attempt).
//!
//! Nothing is e-mailed inside an operation: publishing writes a [`Notification`] row in the same
//! commit as the document, and [`crate::Portal::dispatch`] sends due rows through the mailer.
//! The state machine is a set of pure functions on [`Notification`], driven by proptest.

use crate::error::{Error, Result};
use crate::records::document::{document_notification, is_visible, PublishContext};
use crate::records::ids::new_id;
use crate::records::page::{Page, PageRequest};
use crate::records::template::TemplatePurpose;

pub use crate::records::notification::*;

/// The notification outbox and history of a portal: `portal.notifications()`.
#[derive(Debug, Clone, Copy)]
pub struct Notifications<'a> {
    pub(crate) portal: &'a crate::operations::Portal,
}

impl Notifications<'_> {
    /// A notification by id.
    pub fn get(&self, id: &str) -> Result<Notification> {
        let p = self.portal;
        p.store
            .notification(&p.tenant, id)?
            .ok_or_else(|| Error::not_found("notification", id))
    }

    /// The history, newest first, filtered and paged.
    pub fn history(
        &self,
        filter: &NotificationFilter,
        page: PageRequest,
    ) -> Result<Page<Notification>> {
        let p = self.portal;
        let size = match filter.audience {
            Some(a) => p.settings()?.audience(a).page_size,
            None => p.settings()?.client.page_size,
        };
        let (offset, limit) = page.resolve(size)?;
        p.store.notifications(&p.tenant, filter, offset, limit)
    }

    /// Cancel a pending (or failed, retrying) notification ("Annulé"). While a dispatcher is
    /// sending it (its claim runs on the store's clock) this is `invalid_state`: the mail may
    /// be going out, and the history must never say cancelled for a mail that was sent.
    pub fn cancel(&self, id: &str) -> Result<Notification> {
        let p = self.portal;
        let mut n = self.get(id)?;
        let secret = n.holds_secret;
        n.cancel(p.store.store_time()?)?;
        p.store
            .commit(&p.tenant, &[crate::store::Change::Notification(n.clone())])?;
        if secret {
            p.forget_erased()?;
        }
        n.version += 1;
        Ok(n)
    }

    /// "Renvoyer": queue the document notification again, rendered anew to the party's
    /// **current** address of the folder's role. A notification already sent (or still open)
    /// needs `force` ("Notification forcée"); a forced resend of an open one cancels it.
    pub fn resend(&self, id: &str, force: bool) -> Result<Notification> {
        let p = self.portal;
        let original = self.get(id)?;
        if original.purpose != TemplatePurpose::DocumentAvailable {
            return Err(Error::state(
                format!("notification {id}"),
                "only document notifications can be re-sent; regenerate or re-invite the account instead",
            ));
        }
        match (original.state, force) {
            (NotificationState::Sent, false) => {
                return Err(Error::state(
                    format!("notification {id}"),
                    "already sent; force it to send again",
                ))
            }
            (NotificationState::Pending | NotificationState::Failed, false) => {
                return Err(Error::state(
                    format!("notification {id}"),
                    "still pending; force it to queue a fresh copy",
                ))
            }
            _ => {}
        }
        let document_id = original
            .document_id
            .clone()
            .ok_or_else(|| Error::not_found("document", "of notification"))?;
        let document = p.documents().get(&document_id)?;
        let settings = p.settings()?;
        if !settings.audience(document.audience).notifications_enabled {
            return Err(Error::state("notifications", "disabled for this audience"));
        }
        let party = p.parties().get(document.audience, &document.party_code)?;
        let folders = p.folder_list(document.audience)?;
        let folder = folders
            .iter()
            .find(|f| f.id == document.folder_id)
            .ok_or_else(|| Error::not_found("folder", &document.folder_id))?;
        if !is_visible(folder, &party, document.kind) {
            return Err(Error::state(
                format!("document {}", document.name),
                "not visible on the portal",
            ));
        }
        if party.address(folder.notify_on).is_none() {
            return Err(Error::state(
                format!("party {}", party.code),
                format!("no {} address", folder.notify_on.as_str()),
            ));
        }
        let now = p.clock.now();
        let (template, template_version) = p.compiled_template(
            &settings,
            document.audience,
            TemplatePurpose::DocumentAvailable,
        )?;
        let date = p.format_date(&settings, now)?;
        let ctx = PublishContext {
            settings: &settings,
            party: &party,
            folder,
            template: &template,
            template_version,
            date: &date,
        };
        let fresh = document_notification(
            &ctx,
            &document.id,
            &document.name,
            new_id(),
            now,
            force,
            Some(original.id.clone()),
        );
        let mut changes = vec![crate::store::Change::Notification(fresh.clone())];
        if original.state.is_open() {
            let mut old = original;
            old.cancel(p.store.store_time()?)?;
            changes.push(crate::store::Change::Notification(old));
        }
        p.store.commit(&p.tenant, &changes)?;
        Ok(Notification {
            version: 1,
            ..fresh
        })
    }
}
