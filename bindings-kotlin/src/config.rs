//! Tenant settings ("Paramètres internet"), audiences and the unpaid policy: mirrors of
//! `portail::config`.

/// The core's enum, with its uniffi derive (Kotlin: `dev.portail.contract.Audience`,
/// aliased in `dev.portail`).
pub use portail::Audience;

/// The core's enum, with its uniffi derive (Kotlin: `dev.portail.contract.Language`,
/// aliased in `dev.portail`).
pub use portail::Language;

/// The core's enum, with its uniffi derive (Kotlin: `dev.portail.contract.UnpaidPolicy`,
/// aliased in `dev.portail`).
pub use portail::UnpaidPolicy;

/// Settings of one audience's portal.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AudienceSettings {
    /// The portal's address, used to build links in notifications.
    pub portal_url: String,
    /// `false` is "Désactiver les notifications": blocks every notification of this audience.
    #[uniffi(default = true)]
    pub notifications_enabled: bool,
    /// Rows per page in portal listings ("Nombre de ligne"), 10..=350.
    #[uniffi(default = 25)]
    pub page_size: u32,
    /// What unpaid documents become.
    pub unpaid_policy: UnpaidPolicy,
    /// The text stamped on every page under `UnpaidPolicy.WATERMARK`.
    #[uniffi(default = "POUR CONSULTATION UNIQUEMENT")]
    pub watermark_text: String,
}

impl From<portail::AudienceSettings> for AudienceSettings {
    fn from(a: portail::AudienceSettings) -> Self {
        AudienceSettings {
            portal_url: a.portal_url,
            notifications_enabled: a.notifications_enabled,
            page_size: a.page_size,
            unpaid_policy: a.unpaid_policy,
            watermark_text: a.watermark_text,
        }
    }
}

impl From<AudienceSettings> for portail::AudienceSettings {
    fn from(a: AudienceSettings) -> Self {
        portail::AudienceSettings {
            portal_url: a.portal_url,
            notifications_enabled: a.notifications_enabled,
            page_size: a.page_size,
            unpaid_policy: a.unpaid_policy,
            watermark_text: a.watermark_text,
        }
    }
}

/// Settings of one tenant. Start from [`default_settings`] and `copy(...)` what differs.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Settings {
    /// "Nom de la société": the `#société#` merge field.
    pub company_name: String,
    /// "Domaine": the `#domaine#` merge field.
    pub domain: String,
    /// "Adresse mail de notification": the From of every notification.
    pub sender: String,
    /// "Adresse mail de réponse": the Reply-To of every notification.
    #[uniffi(default = None)]
    pub reply_to: Option<String>,
    /// Language of the default templates.
    pub language: Language,
    /// IANA time zone for dates in e-mails (e.g. `Europe/Paris`).
    pub time_zone: String,
    /// The clients' portal.
    pub client: AudienceSettings,
    /// The employees' portal.
    pub employee: AudienceSettings,
    /// Optimistic version (0 = never stored); pass back what was read.
    #[uniffi(default = 0)]
    pub version: u64,
}

impl From<portail::Settings> for Settings {
    fn from(s: portail::Settings) -> Self {
        Settings {
            company_name: s.company_name,
            domain: s.domain,
            sender: s.sender,
            reply_to: s.reply_to,
            language: s.language,
            time_zone: s.time_zone,
            client: s.client.into(),
            employee: s.employee.into(),
            version: s.version,
        }
    }
}

impl From<Settings> for portail::Settings {
    fn from(s: Settings) -> Self {
        portail::Settings {
            company_name: s.company_name,
            domain: s.domain,
            sender: s.sender,
            reply_to: s.reply_to,
            language: s.language,
            time_zone: s.time_zone,
            client: s.client.into(),
            employee: s.employee.into(),
            version: s.version,
        }
    }
}

/// Settings for a company and its domain, with the core's defaults: portals at
/// `https://DOMAIN/clients` and `https://DOMAIN/employees`, sender `noreply@DOMAIN`, French,
/// `Europe/Paris`, 25 rows per page.
#[uniffi::export]
pub fn default_settings(company_name: String, domain: String) -> Settings {
    portail::Settings::new(company_name, domain).into()
}

/// Check settings without saving them; the exception names the first wrong field.
#[uniffi::export]
pub fn validate_settings(settings: Settings) -> crate::Result<()> {
    Ok(portail::Settings::from(settings).validate()?)
}
