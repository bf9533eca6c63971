//! Parties: the client and employee records of the host ("fiche client / salarié"), keyed by the
//! host's code, with their e-mail addresses by service.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::audience::Audience;
use super::text::{validate_email, validate_line};
use crate::error::{Error, Result};

/// Which of a party's addresses to use ("Email fiche / devis / facturation / relance").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "napi", napi_derive::napi(string_enum = "snake_case"))]
pub enum EmailRole {
    /// "Email fiche": the main address (the only one employees use).
    Main,
    /// "Email devis": quotes.
    Quotes,
    /// "Email facturation": invoices.
    Billing,
    /// "Email relance": payment reminders.
    Reminders,
}

impl EmailRole {
    /// Every role.
    pub const ALL: [EmailRole; 4] = [
        EmailRole::Main,
        EmailRole::Quotes,
        EmailRole::Billing,
        EmailRole::Reminders,
    ];

    /// Stable lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            EmailRole::Main => "main",
            EmailRole::Quotes => "quotes",
            EmailRole::Billing => "billing",
            EmailRole::Reminders => "reminders",
        }
    }
}

/// E-invoicing consent ("Dématérialisation": En demande / Accepté / Refusé). Invoices reach the
/// portal only when it is [`EInvoicingConsent::Accepted`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "napi", napi_derive::napi(string_enum = "snake_case"))]
pub enum EInvoicingConsent {
    /// "En demande".
    #[default]
    Requested,
    /// "Accepté".
    Accepted,
    /// "Refusé".
    Refused,
}

/// A client or employee record of the host.
///
/// ```
/// use portail::{Party, EmailRole, EInvoicingConsent};
/// let p = Party::client("4", "MOI MEME")
///     .email(EmailRole::Main, "keylian.ace@gmail.com")
///     .email(EmailRole::Billing, "keylian.ace@gmail.com")
///     .consent(EInvoicingConsent::Accepted);
/// assert!(p.validate().is_ok());
/// assert_eq!(p.address(EmailRole::Billing), Some("keylian.ace@gmail.com"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    /// Which portal this party uses.
    pub audience: Audience,
    /// The host's code ("Code client"), unique per audience.
    pub code: String,
    /// Display name ("Nom du client").
    pub name: String,
    /// The company the person belongs to (watchers must share it, seed 002).
    pub company: Option<String>,
    /// Addresses by role. Employees use [`EmailRole::Main`].
    pub emails: BTreeMap<EmailRole, String>,
    /// "Dématérialisation" of invoices.
    pub einvoicing: EInvoicingConsent,
    /// Exempt from the unpaid-document policy (seed 003 "Personnaliser en fonction du client").
    pub unpaid_exempt: bool,
    /// Optimistic version (0 = never stored).
    #[serde(default)]
    pub version: u64,
}

impl Party {
    /// A new party of `audience`.
    pub fn new(audience: Audience, code: impl Into<String>, name: impl Into<String>) -> Self {
        Party {
            audience,
            code: code.into(),
            name: name.into(),
            company: None,
            emails: BTreeMap::new(),
            einvoicing: EInvoicingConsent::Requested,
            unpaid_exempt: false,
            version: 0,
        }
    }

    /// A new client.
    pub fn client(code: impl Into<String>, name: impl Into<String>) -> Self {
        Party::new(Audience::Client, code, name)
    }

    /// A new employee.
    pub fn employee(code: impl Into<String>, name: impl Into<String>) -> Self {
        Party::new(Audience::Employee, code, name)
    }

    /// Set (or with an empty string, clear) the address of `role`.
    pub fn email(mut self, role: EmailRole, address: impl Into<String>) -> Self {
        let address = address.into();
        if address.trim().is_empty() {
            self.emails.remove(&role);
        } else {
            self.emails.insert(role, address.trim().to_string());
        }
        self
    }

    /// Set the company.
    pub fn company(mut self, company: impl Into<String>) -> Self {
        self.company = Some(company.into());
        self
    }

    /// Set the e-invoicing consent.
    pub fn consent(mut self, consent: EInvoicingConsent) -> Self {
        self.einvoicing = consent;
        self
    }

    /// Exempt (or not) from the unpaid policy.
    pub fn unpaid_exempt(mut self, exempt: bool) -> Self {
        self.unpaid_exempt = exempt;
        self
    }

    /// The address of `role`, if set.
    pub fn address(&self, role: EmailRole) -> Option<&str> {
        self.emails.get(&role).map(String::as_str)
    }

    /// Check every field; the error names the first wrong one.
    pub fn validate(&self) -> Result<()> {
        validate_code(&self.code)?;
        crate::ensure_input!(!self.name.trim().is_empty(), "name", "must not be empty");
        crate::ensure_input!(
            !self.name.chars().any(char::is_control),
            "name",
            "must be one line without control characters"
        );
        crate::ensure_input!(
            self.name.chars().count() <= NAME_MAX,
            "name",
            "longer than {NAME_MAX} characters"
        );
        if let Some(company) = &self.company {
            validate_line(company, COMPANY_MAX).map_err(|r| Error::invalid("company", r))?;
        }
        for (role, address) in &self.emails {
            validate_email(address)
                .map_err(|r| Error::invalid(format!("emails.{}", role.as_str()), r))?;
        }
        Ok(())
    }
}

/// Longest party code ("Code client"), in characters.
pub const CODE_MAX: usize = 64;
/// Longest party name ("Nom du client"), in characters.
pub const NAME_MAX: usize = 200;
/// Longest company of a party, in characters.
pub const COMPANY_MAX: usize = 200;

/// Check a party code: 1..=[`CODE_MAX`] printable characters, no slash or control character.
pub(crate) fn validate_code(code: &str) -> Result<()> {
    crate::ensure_input!(
        !code.is_empty() && code.chars().count() <= CODE_MAX,
        "code",
        "must be 1..={CODE_MAX} characters"
    );
    crate::ensure_input!(
        !code
            .chars()
            .any(|c| c.is_control() || c == '/' || c == '\\'),
        "code",
        "must not contain control characters or slashes"
    );
    crate::ensure_input!(
        code.trim() == code,
        "code",
        "must not start or end with spaces"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_check() {
        for ok in ["a@b.fr", "keylian.ace@gmail.com", "x+y@sub.domain.example"] {
            validate_email(ok).unwrap();
        }
        for bad in [
            "",
            "a",
            "a@b",
            "@b.fr",
            "a@@b.fr",
            "a b@c.fr",
            "a@b.fr\r\nBcc: x@y.z",
            "a@.fr",
            "<a@b.fr>",
        ] {
            assert!(validate_email(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn party_fields_named() {
        let p = Party::client("4", "MOI MEME").email(EmailRole::Billing, "nope");
        assert_eq!(p.validate().unwrap_err().field(), Some("emails.billing"));
        let p = Party::client("", "X");
        assert_eq!(p.validate().unwrap_err().field(), Some("code"));
        let p = Party::client("a/b", "X");
        assert_eq!(p.validate().unwrap_err().field(), Some("code"));
        let p = Party::client("4", " ");
        assert_eq!(p.validate().unwrap_err().field(), Some("name"));
    }

    #[test]
    fn empty_email_clears_role() {
        let p = Party::client("4", "X")
            .email(EmailRole::Quotes, "q@x.fr")
            .email(EmailRole::Quotes, "");
        assert_eq!(p.address(EmailRole::Quotes), None);
    }
}
