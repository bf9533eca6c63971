//! Parties: the client and employee records of the host ("fiche client / salarié"), keyed by the
//! host's code, with their e-mail addresses by service.

use crate::error::{Error, Result};
use crate::operations::{retry_on_conflict, Portal};
use crate::records::audience::Audience;
use crate::records::page::{Page, PageRequest};
use crate::store::Change;

pub use crate::records::party::*;
pub use crate::records::text::{validate_email, EMAIL_MAX};

/// The parties of a portal: `portal.parties()`.
#[derive(Debug, Clone, Copy)]
pub struct Parties<'a> {
    pub(crate) portal: &'a Portal,
}

impl Parties<'_> {
    /// Create or replace a party from the host's record (the host is the source of truth:
    /// the stored version is taken over). Returns the stored party.
    pub fn upsert(&self, party: Party) -> Result<Party> {
        party.validate()?;
        let p = self.portal;
        retry_on_conflict(
            || format!("party {}", party.code),
            || {
                // The host is the source of truth: take over the stored version.
                let current = p.store.party(&p.tenant, party.audience, &party.code)?;
                let version = current.map(|c| c.version).unwrap_or(0);
                let next = Party {
                    version,
                    ..party.clone()
                };
                p.store.commit(&p.tenant, &[Change::Party(next.clone())])?;
                Ok(Party {
                    version: version + 1,
                    ..next
                })
            },
        )
    }

    /// A party by audience and code.
    pub fn get(&self, audience: Audience, code: &str) -> Result<Party> {
        self.find(audience, code)?
            .ok_or_else(|| Error::not_found("party", code))
    }

    /// A party, or `None`.
    pub fn find(&self, audience: Audience, code: &str) -> Result<Option<Party>> {
        self.portal.store.party(&self.portal.tenant, audience, code)
    }

    /// The parties of an audience, by code.
    pub fn list(&self, audience: Audience, page: PageRequest) -> Result<Page<Party>> {
        let (offset, limit) = page.resolve(self.portal.settings()?.audience(audience).page_size)?;
        self.portal
            .store
            .parties(&self.portal.tenant, audience, offset, limit)
    }
}
