//! Tenant settings ("Paramètres internet"), audiences, languages, unpaid policy.

use napi_derive::napi;

pub use portail::Audience;

pub use portail::Language;

pub use portail::UnpaidPolicy;

/// Settings of one audience's portal.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct AudienceSettings {
    /// The portal's address, used to build links in notifications.
    pub portal_url: String,
    /// `false` is "Désactiver les notifications".
    pub notifications_enabled: bool,
    /// Rows per page in portal listings, 10..=350.
    pub page_size: u32,
    /// "Gestion des impayés".
    pub unpaid_policy: UnpaidPolicy,
    /// Text stamped on unpaid PDFs (default "POUR CONSULTATION UNIQUEMENT").
    pub watermark_text: Option<String>,
}

object_input!(AudienceSettings {
    portalUrl,
    notificationsEnabled,
    pageSize,
    unpaidPolicy,
    watermarkText
});

/// Settings of one tenant. Read them with `portal.settings()`, change and save them with
/// `portal.saveSettings(s)` (optimistic: pass them back with their `version`).
#[napi(object)]
#[derive(Debug, Clone)]
pub struct Settings {
    /// "Nom de la société": the `#société#` merge field.
    pub company_name: String,
    /// "Domaine": the `#domaine#` merge field.
    pub domain: String,
    /// "Adresse mail de notification" (From). Default `noreply@DOMAIN`.
    pub sender: Option<String>,
    /// "Adresse mail de réponse" (Reply-To).
    pub reply_to: Option<String>,
    /// Default `french`.
    pub language: Option<Language>,
    /// IANA time zone, default `Europe/Paris`.
    pub time_zone: Option<String>,
    /// The clients' portal (default `https://DOMAIN/clients`).
    pub client: Option<AudienceSettings>,
    /// The employees' portal (default `https://DOMAIN/employees`).
    pub employee: Option<AudienceSettings>,
    /// Optimistic version (0 = never stored).
    pub version: Option<i64>,
}

object_input!(Settings {
    companyName,
    domain,
    sender,
    replyTo,
    language,
    timeZone,
    client: AudienceSettings,
    employee: AudienceSettings,
    version,
});

impl From<AudienceSettings> for portail::AudienceSettings {
    fn from(a: AudienceSettings) -> Self {
        let defaults = portail::AudienceSettings::new(a.portal_url.clone());
        portail::AudienceSettings {
            watermark_text: a.watermark_text.unwrap_or(defaults.watermark_text),
            portal_url: a.portal_url,
            notifications_enabled: a.notifications_enabled,
            page_size: a.page_size,
            unpaid_policy: a.unpaid_policy,
        }
    }
}

impl From<portail::AudienceSettings> for AudienceSettings {
    fn from(a: portail::AudienceSettings) -> Self {
        AudienceSettings {
            watermark_text: Some(a.watermark_text),
            portal_url: a.portal_url,
            notifications_enabled: a.notifications_enabled,
            page_size: a.page_size,
            unpaid_policy: a.unpaid_policy,
        }
    }
}

impl TryFrom<Settings> for portail::Settings {
    type Error = portail::Error;
    fn try_from(s: Settings) -> portail::Result<Self> {
        let mut out = portail::Settings::new(s.company_name, s.domain);
        if let Some(sender) = s.sender {
            out.sender = sender;
        }
        out.reply_to = s.reply_to;
        if let Some(l) = s.language {
            out.language = l;
        }
        if let Some(tz) = s.time_zone {
            out.time_zone = tz;
        }
        if let Some(c) = s.client {
            out.client = c.into();
        }
        if let Some(e) = s.employee {
            out.employee = e.into();
        }
        out.version = crate::unsigned("version", s.version.unwrap_or(0))?;
        Ok(out)
    }
}

impl From<portail::Settings> for Settings {
    fn from(s: portail::Settings) -> Self {
        Settings {
            company_name: s.company_name,
            domain: s.domain,
            sender: Some(s.sender),
            reply_to: s.reply_to,
            language: Some(s.language),
            time_zone: Some(s.time_zone),
            client: Some(s.client.into()),
            employee: Some(s.employee.into()),
            version: Some(s.version as i64),
        }
    }
}
