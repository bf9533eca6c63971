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

/// The core's record, with its uniffi derive (Kotlin: `dev.portail.contract.AudienceSettings`, aliased
/// in `dev.portail`).
pub use portail::AudienceSettings;

/// The core's record, with its uniffi derive (Kotlin: `dev.portail.contract.Settings`, aliased
/// in `dev.portail`).
pub use portail::Settings;

/// Settings for a company and its domain, with the core's defaults: portals at
/// `https://DOMAIN/clients` and `https://DOMAIN/employees`, sender `noreply@DOMAIN`, French,
/// `Europe/Paris`, 25 rows per page.
#[uniffi::export]
pub fn default_settings(company_name: String, domain: String) -> crate::Result<Settings> {
    crate::call(|| Ok(portail::Settings::new(company_name, domain)))
}

/// Check settings without saving them; the exception names the first wrong field.
#[uniffi::export]
pub fn validate_settings(settings: Settings) -> crate::Result<()> {
    crate::call(|| settings.validate())
}
