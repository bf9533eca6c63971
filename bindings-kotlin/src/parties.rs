//! Parties: the host's client and employee records ("fiche client / salarié"), mirrors of
//! `portail::parties`, and the `portal.parties()` handle.

use std::collections::HashMap;

use crate::config::Audience;
use crate::{page_request, PartyPage};

/// The core's enum, with its uniffi derive (Kotlin: `dev.portail.contract.EmailRole`,
/// aliased in `dev.portail`).
pub use portail::EmailRole;

/// The core's enum, with its uniffi derive (Kotlin: `dev.portail.contract.EInvoicingConsent`,
/// aliased in `dev.portail`).
pub use portail::EInvoicingConsent;

/// A client or employee record of the host. Start from [`client_party`] / [`employee_party`]
/// and `copy(...)`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Party {
    /// Which portal this party uses.
    pub audience: Audience,
    /// The host's code ("Code client"), unique per audience.
    pub code: String,
    /// Display name.
    pub name: String,
    /// The company the person belongs to.
    #[uniffi(default = None)]
    pub company: Option<String>,
    /// Addresses by role.
    #[uniffi(default)]
    pub emails: HashMap<EmailRole, String>,
    /// "Dématérialisation" of invoices.
    pub einvoicing: EInvoicingConsent,
    /// Exempt from the unpaid-document policy.
    #[uniffi(default = false)]
    pub unpaid_exempt: bool,
    /// Optimistic version (0 = never stored).
    #[uniffi(default = 0)]
    pub version: i64,
}

impl From<portail::Party> for Party {
    fn from(p: portail::Party) -> Self {
        Party {
            audience: p.audience,
            code: p.code,
            name: p.name,
            company: p.company,
            emails: p.emails.into_iter().collect(),
            einvoicing: p.einvoicing,
            unpaid_exempt: p.unpaid_exempt,
            version: portail::ffi::signed(p.version),
        }
    }
}

impl TryFrom<Party> for portail::Party {
    type Error = portail::Error;

    fn try_from(p: Party) -> portail::Result<Self> {
        let version = portail::ffi::non_negative("version", p.version)?;
        Ok(portail::Party {
            audience: p.audience,
            code: p.code,
            name: p.name,
            company: p.company,
            emails: p.emails.into_iter().collect(),
            einvoicing: p.einvoicing,
            unpaid_exempt: p.unpaid_exempt,
            version,
        })
    }
}

/// A new client record with no address and consent Requested.
#[uniffi::export]
pub fn client_party(code: String, name: String) -> crate::Result<Party> {
    crate::call(|| Ok(portail::Party::client(code, name).into()))
}

/// A new employee record with no address.
#[uniffi::export]
pub fn employee_party(code: String, name: String) -> crate::Result<Party> {
    crate::call(|| Ok(portail::Party::employee(code, name).into()))
}

/// The parties of a portal (`portal.parties()`).
#[derive(uniffi::Object)]
pub struct Parties {
    pub(crate) portal: crate::Handle,
}

#[uniffi::export]
impl Parties {
    /// Create or replace a party from the host's record; returns the stored party.
    pub fn upsert(&self, party: Party) -> crate::Result<Party> {
        self.portal
            .call(|p| Ok(p.parties().upsert(party.try_into()?)?.into()))
    }

    /// A party by audience and code; `PortailException.NotFound` if missing.
    pub fn get(&self, audience: Audience, code: String) -> crate::Result<Party> {
        self.portal
            .call(|p| Ok(p.parties().get(audience, &code)?.into()))
    }

    /// A party, or null.
    pub fn find(&self, audience: Audience, code: String) -> crate::Result<Option<Party>> {
        self.portal
            .call(|p| Ok(p.parties().find(audience, &code)?.map(Party::from)))
    }

    /// The parties of an audience, by code. Paging: `offset` or the `cursor` of a previous
    /// page, and `limit` (null: the audience's page size).
    #[uniffi::method(default(offset = None, limit = None, cursor = None))]
    pub fn list(
        &self,
        audience: Audience,
        offset: Option<i64>,
        limit: Option<i32>,
        cursor: Option<String>,
    ) -> crate::Result<PartyPage> {
        self.portal.call(|p| {
            let page = page_request(offset, limit, cursor)?;
            Ok(crate::page(p.parties().list(audience, page)?))
        })
    }
}
