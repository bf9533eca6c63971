//! Tenant settings: the company, its sender addresses, and per audience the portal URL, the
//! notification switch and the page size.
//!
//! Seed 000 "Paramètres internet" (Nom de la société, Domaine, Adresse mail de notification,
//! Adresse mail de réponse) and seed 003 "Nombre de ligne" (25 by default, 10..=350).

use serde::{Deserialize, Serialize};

use super::audience::Audience;
use super::text::{mailable, validate_email, validate_line};
use crate::error::{Error, Result};

/// Language of the shipped default templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "napi", napi_derive::napi(string_enum = "snake_case"))]
pub enum Language {
    /// French (the default).
    #[default]
    French,
    /// English.
    English,
}

/// What an unpaid document becomes on the portal ("Gestion des impayés", seed 003).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "napi", napi_derive::napi(string_enum = "snake_case"))]
pub enum UnpaidPolicy {
    /// Unpaid documents download as usual.
    #[default]
    None,
    /// PDFs download stamped "POUR CONSULTATION UNIQUEMENT" on every page.
    Watermark,
    /// Documents of a party with unpaid documents cannot be downloaded.
    Block,
}

/// Page size bounds of the portal listings (seed 003: 25 by default, min 10, max 350).
pub const PAGE_SIZE_DEFAULT: u32 = 25;
/// Smallest allowed page size.
pub const PAGE_SIZE_MIN: u32 = 10;
/// Largest allowed page size.
pub const PAGE_SIZE_MAX: u32 = 350;

/// Settings of one audience's portal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct AudienceSettings {
    /// The portal's address, used to build links in notifications (no trailing slash needed).
    pub portal_url: String,
    /// `false` is "Désactiver les notifications": blocks every notification of this audience.
    #[cfg_attr(feature = "uniffi", uniffi(default = true))]
    pub notifications_enabled: bool,
    /// Rows per page in portal listings, 10..=350.
    #[cfg_attr(feature = "uniffi", uniffi(default = 25))]
    pub page_size: u32,
    /// What unpaid documents become ("Gestion des impayés").
    pub unpaid_policy: UnpaidPolicy,
    /// The text stamped on every page under [`UnpaidPolicy::Watermark`].
    #[serde(default = "default_watermark_text")]
    #[cfg_attr(feature = "uniffi", uniffi(default = "POUR CONSULTATION UNIQUEMENT"))]
    pub watermark_text: String,
}

fn default_watermark_text() -> String {
    DEFAULT_WATERMARK_TEXT.to_string()
}

/// Seed 003's stamp on unpaid PDFs.
pub const DEFAULT_WATERMARK_TEXT: &str = "POUR CONSULTATION UNIQUEMENT";

impl AudienceSettings {
    /// Defaults for a portal at `portal_url`.
    pub fn new(portal_url: impl Into<String>) -> Self {
        AudienceSettings {
            portal_url: portal_url.into(),
            notifications_enabled: true,
            page_size: PAGE_SIZE_DEFAULT,
            unpaid_policy: UnpaidPolicy::None,
            watermark_text: default_watermark_text(),
        }
    }

    fn validate(&self, audience: Audience) -> Result<()> {
        let field = |f: &str| format!("{}.{f}", audience.as_str());
        validate_url(&self.portal_url).map_err(|r| Error::invalid(field("portal_url"), r))?;
        let text = self.watermark_text.trim();
        if text.is_empty()
            || self.watermark_text.chars().count() > WATERMARK_TEXT_MAX
            || self.watermark_text.chars().any(char::is_control)
        {
            return Err(Error::invalid(
                field("watermark_text"),
                format!("must be 1..={WATERMARK_TEXT_MAX} characters on one line"),
            ));
        }
        if !(PAGE_SIZE_MIN..=PAGE_SIZE_MAX).contains(&self.page_size) {
            return Err(Error::invalid(
                field("page_size"),
                format!(
                    "{} is outside {PAGE_SIZE_MIN}..={PAGE_SIZE_MAX}",
                    self.page_size
                ),
            ));
        }
        Ok(())
    }

    /// The portal URL without a trailing slash.
    pub fn base_url(&self) -> &str {
        self.portal_url.trim_end_matches('/')
    }
}

/// Settings of one tenant (one company running a portal).
///
/// ```
/// use portail::{Settings, Audience};
/// let s = Settings::new("ACME", "acme.example")
///     .sender("noreply@acme.example")
///     .reply_to("contact@acme.example");
/// assert!(s.validate().is_ok());
/// assert_eq!(s.audience(Audience::Client).page_size, 25);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Settings {
    /// "Nom de la société": the `#société#` merge field.
    pub company_name: String,
    /// "Domaine": the `#domaine#` merge field.
    pub domain: String,
    /// "Adresse mail de notification": the From of every notification (noreply).
    pub sender: String,
    /// "Adresse mail de réponse": the Reply-To of every notification.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub reply_to: Option<String>,
    /// Language of the default templates.
    pub language: Language,
    /// IANA time zone for dates shown in e-mails and signature stamps (e.g. `Europe/Paris`).
    pub time_zone: String,
    /// The clients' portal.
    pub client: AudienceSettings,
    /// The employees' portal.
    pub employee: AudienceSettings,
    /// Optimistic version (0 = never stored).
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default = 0))]
    pub version: u64,
}

impl Settings {
    /// Settings for a company and its domain; portals default to `https://DOMAIN/clients` and
    /// `https://DOMAIN/employees`, the sender to `noreply@DOMAIN`.
    pub fn new(company_name: impl Into<String>, domain: impl Into<String>) -> Self {
        let domain = domain.into();
        Settings {
            company_name: company_name.into(),
            sender: format!("noreply@{domain}"),
            reply_to: None,
            language: Language::French,
            time_zone: "Europe/Paris".into(),
            client: AudienceSettings::new(format!("https://{domain}/clients")),
            employee: AudienceSettings::new(format!("https://{domain}/employees")),
            domain,
            version: 0,
        }
    }

    /// Set the notification sender address.
    pub fn sender(mut self, address: impl Into<String>) -> Self {
        self.sender = address.into();
        self
    }

    /// Set the reply-to address.
    pub fn reply_to(mut self, address: impl Into<String>) -> Self {
        self.reply_to = Some(address.into());
        self
    }

    /// Set the default templates' language.
    pub fn language(mut self, language: Language) -> Self {
        self.language = language;
        self
    }

    /// Set the time zone (IANA name).
    pub fn time_zone(mut self, tz: impl Into<String>) -> Self {
        self.time_zone = tz.into();
        self
    }

    /// Replace one audience's settings.
    pub fn with_audience(mut self, audience: Audience, settings: AudienceSettings) -> Self {
        *self.audience_mut(audience) = settings;
        self
    }

    /// One audience's settings.
    pub fn audience(&self, audience: Audience) -> &AudienceSettings {
        match audience {
            Audience::Client => &self.client,
            Audience::Employee => &self.employee,
        }
    }

    /// One audience's settings, mutable.
    pub fn audience_mut(&mut self, audience: Audience) -> &mut AudienceSettings {
        match audience {
            Audience::Client => &mut self.client,
            Audience::Employee => &mut self.employee,
        }
    }

    /// The parsed time zone.
    pub fn tz(&self) -> Result<chrono_tz::Tz> {
        self.time_zone.parse::<chrono_tz::Tz>().map_err(|_| {
            Error::invalid(
                "time_zone",
                format!("unknown time zone {:?}", self.time_zone),
            )
        })
    }

    /// Check every field; the error names the first wrong one.
    pub fn validate(&self) -> Result<()> {
        validate_line(&self.company_name, COMPANY_NAME_MAX)
            .map_err(|r| Error::invalid("company_name", r))?;
        validate_domain(&self.domain).map_err(|r| Error::invalid("domain", r))?;
        validate_email(&self.sender).map_err(|r| Error::invalid("sender", r))?;
        // The company is the sender's display name: it must go through the mail library too.
        mailable(Some(&self.company_name), &self.sender)
            .map_err(|r| Error::invalid("company_name", r))?;
        if let Some(r) = &self.reply_to {
            validate_email(r).map_err(|e| Error::invalid("reply_to", e))?;
        }
        self.tz()?;
        for a in Audience::ALL {
            self.audience(a).validate(a)?;
        }
        Ok(())
    }
}

/// Longest company name ("Nom de la société"), in characters.
pub const COMPANY_NAME_MAX: usize = 200;
/// Longest domain ("Domaine"), in characters (a DNS name).
pub const DOMAIN_MAX: usize = 253;
/// Longest portal URL, in characters.
pub const URL_MAX: usize = 2000;
/// Longest watermark text, in characters.
pub const WATERMARK_TEXT_MAX: usize = 100;

fn validate_domain(domain: &str) -> std::result::Result<(), String> {
    if domain.is_empty() || domain.chars().count() > DOMAIN_MAX {
        return Err(format!("must be 1..={DOMAIN_MAX} characters"));
    }
    let ok = domain.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    });
    if ok {
        Ok(())
    } else {
        Err(format!("{domain:?} is not a host name"))
    }
}

fn validate_url(url: &str) -> std::result::Result<(), String> {
    if url.chars().count() > URL_MAX {
        return Err(format!("longer than {URL_MAX} characters"));
    }
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| format!("{url:?} must start with https:// or http://"))?;
    if rest.is_empty() || rest.starts_with('/') {
        return Err(format!("{url:?} has no host"));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("{url:?} contains spaces or control characters"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        let s = Settings::new("MA SOCIETE", "masociete.fr");
        s.validate().unwrap();
        assert_eq!(s.sender, "noreply@masociete.fr");
        assert!(s.client.notifications_enabled);
        assert_eq!(s.employee.page_size, 25);
    }

    #[test]
    fn page_size_bounds() {
        let mut s = Settings::new("X", "x.fr");
        s.client.page_size = 9;
        assert_eq!(s.validate().unwrap_err().field(), Some("client.page_size"));
        s.client.page_size = 350;
        s.validate().unwrap();
        s.employee.page_size = 351;
        assert_eq!(
            s.validate().unwrap_err().field(),
            Some("employee.page_size")
        );
    }

    #[test]
    fn bad_fields_are_named() {
        let s = Settings::new("X", "x.fr").sender("nope");
        assert_eq!(s.validate().unwrap_err().field(), Some("sender"));
        let s = Settings::new("X", "bad domain");
        assert_eq!(s.validate().unwrap_err().field(), Some("domain"));
        let s = Settings::new("X", "x.fr").time_zone("Mars/Olympus");
        assert_eq!(s.validate().unwrap_err().field(), Some("time_zone"));
        let mut s = Settings::new("X", "x.fr");
        s.client.portal_url = "ftp://x".into();
        assert_eq!(s.validate().unwrap_err().field(), Some("client.portal_url"));
        let s = Settings::new("X\r\nBcc: a@b.c", "x.fr");
        assert_eq!(s.validate().unwrap_err().field(), Some("company_name"));
    }
}
