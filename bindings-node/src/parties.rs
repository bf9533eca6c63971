//! Parties: the host's client and employee records ("fiche client / salarié").

use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::config::Audience;
use crate::error::guard;
use crate::input::Arg;
use crate::{Page, PageRequest};

pub use portail::EmailRole;

pub use portail::EInvoicingConsent;

/// A party's addresses by role.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct Emails {
    /// "Email fiche" (the only one employees use).
    pub main: Option<String>,
    /// "Email devis".
    pub quotes: Option<String>,
    /// "Email facturation".
    pub billing: Option<String>,
    /// "Email relance".
    pub reminders: Option<String>,
}

object_input!(Emails {
    main,
    quotes,
    billing,
    reminders
});

/// A client or employee record of the host.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct Party {
    pub audience: Audience,
    /// The host's code ("Code client"), unique per audience.
    pub code: String,
    /// "Nom du client".
    pub name: String,
    pub company: Option<String>,
    pub emails: Option<Emails>,
    /// Default `requested`.
    pub einvoicing: Option<EInvoicingConsent>,
    /// Exempt from the unpaid-document policy.
    pub unpaid_exempt: Option<bool>,
    /// Optimistic version (0 = never stored).
    pub version: Option<i64>,
}

object_input!(Party {
    audience,
    code,
    name,
    company,
    emails: Emails,
    einvoicing,
    unpaidExempt,
    version
});

impl From<Party> for portail::Party {
    fn from(p: Party) -> Self {
        let mut out = portail::Party::new(p.audience, p.code, p.name);
        out.company = p.company;
        let e = p.emails.unwrap_or_default();
        for (role, addr) in [
            (portail::EmailRole::Main, e.main),
            (portail::EmailRole::Quotes, e.quotes),
            (portail::EmailRole::Billing, e.billing),
            (portail::EmailRole::Reminders, e.reminders),
        ] {
            if let Some(a) = addr {
                out = out.email(role, a);
            }
        }
        out.einvoicing = p.einvoicing.unwrap_or(EInvoicingConsent::Requested);
        out.unpaid_exempt = p.unpaid_exempt.unwrap_or(false);
        out.version = p.version.unwrap_or(0).max(0) as u64;
        out
    }
}

impl From<portail::Party> for Party {
    fn from(p: portail::Party) -> Self {
        let get = |r| p.address(r).map(str::to_string);
        let emails = Emails {
            main: get(portail::EmailRole::Main),
            quotes: get(portail::EmailRole::Quotes),
            billing: get(portail::EmailRole::Billing),
            reminders: get(portail::EmailRole::Reminders),
        };
        Party {
            audience: p.audience,
            emails: Some(emails),
            einvoicing: Some(p.einvoicing),
            unpaid_exempt: Some(p.unpaid_exempt),
            version: Some(p.version as i64),
            code: p.code,
            name: p.name,
            company: p.company,
        }
    }
}

/// Client and employee records pushed by the host: `portal.parties()`.
#[napi]
pub struct Parties {
    pub(crate) portal: Arc<portail::Portal>,
}

#[napi]
impl Parties {
    /// Create or replace a party from the host's record. Returns the stored party.
    #[napi]
    pub fn upsert(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "Party")] party: Arg<Party>,
    ) -> Result<Party> {
        guard(env, || {
            let party = party.get("party")?;
            self.portal.parties().upsert(party.into()).map(Into::into)
        })
    }

    /// A party by audience and code (`not_found` if missing).
    #[napi]
    pub fn get(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "Audience")] audience: Arg<Audience>,
        #[napi(ts_arg_type = "string")] code: Arg<String>,
    ) -> Result<Party> {
        guard(env, || {
            let (audience, code) = args!(audience, code)?;
            self.portal.parties().get(audience, &code).map(Into::into)
        })
    }

    /// A party, or `null`.
    #[napi]
    pub fn find(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "Audience")] audience: Arg<Audience>,
        #[napi(ts_arg_type = "string")] code: Arg<String>,
    ) -> Result<Option<Party>> {
        guard(env, || {
            let (audience, code) = args!(audience, code)?;
            Ok(self.portal.parties().find(audience, &code)?.map(Into::into))
        })
    }

    /// The parties of an audience, by code, paged.
    #[napi(ts_return_type = "Page<Party>")]
    pub fn list(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "Audience")] audience: Arg<Audience>,
        #[napi(ts_arg_type = "PageRequest | undefined | null")] page: Option<Arg<PageRequest>>,
    ) -> Result<Page<Party>> {
        guard(env, || {
            let (audience, page) = args!(audience, page)?;
            self.portal
                .parties()
                .list(audience, PageRequest::read(page)?)
                .map(Page::of)
        })
    }
}
