//! Parties: the client and employee records of the host ("fiche client / salarié"), keyed by the
//! host's code, with their e-mail addresses by service.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::config::Audience;
use crate::error::{Error, Result};

/// Which of a party's addresses to use ("Email fiche / devis / facturation / relance").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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
/// Longest e-mail address, in characters (and in bytes: RFC 5321's 254 octets).
pub const EMAIL_MAX: usize = 254;

/// Check a one-line text: not blank, at most `max` characters, no control character (CR, LF,
/// NUL, tab, ...: they would break or inject mail headers).
pub(crate) fn validate_line(text: &str, max: usize) -> std::result::Result<(), String> {
    if text.trim().is_empty() {
        return Err("must not be empty".into());
    }
    if text.chars().count() > max {
        return Err(format!("longer than {max} characters"));
    }
    if text.chars().any(char::is_control) {
        return Err("must be one line without control characters".into());
    }
    Ok(())
}

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

/// The address check used for every address portail mails from or to (party addresses,
/// sender, reply-to): at most [`EMAIL_MAX`] characters and bytes, no spaces or control
/// characters (so no header injection), one `@` before a dotted domain, and then the mail
/// library's own parser (lettre's `Address`) and a message built with it: an address accepted
/// here is one the transports accept at send time.
///
/// ```
/// use portail::parties::validate_email;
/// assert!(validate_email("keylian.ace@gmail.com").is_ok());
/// assert!(validate_email("a(b)@x.fr").is_err()); // the mail library refuses it
/// ```
pub fn validate_email(address: &str) -> std::result::Result<(), String> {
    if address.chars().count() > EMAIL_MAX || address.len() > EMAIL_MAX {
        return Err(format!("longer than {EMAIL_MAX} characters"));
    }
    if address
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"'))
    {
        return Err(format!(
            "{address:?} contains spaces or forbidden characters"
        ));
    }
    let Some((local, domain)) = address.split_once('@') else {
        return Err(format!("{address:?} has no @"));
    };
    if local.is_empty() || domain.contains('@') {
        return Err(format!("{address:?} is not an address"));
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 || labels.iter().any(|l| l.is_empty()) {
        return Err(format!("{address:?} has no valid domain"));
    }
    mailable(None, address)
}

/// Whether a mailbox of `name` (a display name, e.g. the company) and `address` goes through
/// the mail library: parsed by lettre and formatted into a whole message as sender and
/// recipient. A panic inside the library is caught and reported as a refusal.
pub(crate) fn mailable(name: Option<&str>, address: &str) -> std::result::Result<(), String> {
    use lettre::message::{Mailbox, Message};
    let parsed: lettre::Address = address
        .parse()
        .map_err(|e| format!("{address:?} is refused by the mail library: {e}"))?;
    let name = name.map(str::to_string);
    let built = std::panic::catch_unwind(move || {
        Message::builder()
            .from(Mailbox::new(name, parsed.clone()))
            .to(Mailbox::new(None, parsed))
            .subject("portail")
            .body(String::new())
            .map(|m| m.formatted().len())
    });
    match built {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(format!("{address:?} cannot be mailed: {e}")),
        Err(_) => Err(format!(
            "{address:?} cannot be mailed: refused by the mail library"
        )),
    }
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

/// The parties of a portal: `portal.parties()`.
#[derive(Debug, Clone, Copy)]
pub struct Parties<'a> {
    pub(crate) portal: &'a crate::Portal,
}

impl crate::Portal {
    /// Client and employee records pushed by the host.
    pub fn parties(&self) -> Parties<'_> {
        Parties { portal: self }
    }
}

impl Parties<'_> {
    /// Create or replace a party from the host's record (the host is the source of truth:
    /// the stored version is taken over). Returns the stored party.
    pub fn upsert(&self, party: Party) -> Result<Party> {
        party.validate()?;
        let p = self.portal;
        crate::portal::retry_on_conflict(
            || format!("party {}", party.code),
            || {
                // The host is the source of truth: take over the stored version.
                let current = p.store.party(&p.tenant, party.audience, &party.code)?;
                let version = current.map(|c| c.version).unwrap_or(0);
                let next = Party {
                    version,
                    ..party.clone()
                };
                p.store
                    .commit(&p.tenant, &[crate::store::Change::Party(next.clone())])?;
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
    pub fn list(&self, audience: Audience, page: crate::PageRequest) -> Result<crate::Page<Party>> {
        let (offset, limit) = page.resolve(self.portal.settings()?.audience(audience).page_size)?;
        self.portal
            .store
            .parties(&self.portal.tenant, audience, offset, limit)
    }
}
