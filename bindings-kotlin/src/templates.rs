//! Notification templates ("modèle de notification") and their merge fields: mirrors of
//! `portail::templates` and the `portal.templates()` handle.

use crate::config::Audience;

/// The core's enum, with its uniffi derive (Kotlin: `dev.portail.contract.TemplatePurpose`,
/// aliased in `dev.portail`).
pub use portail::TemplatePurpose;

/// The core's enum, with its uniffi derive (Kotlin: `dev.portail.contract.MergeField`,
/// aliased in `dev.portail`).
pub use portail::MergeField;

/// The token of a merge field as written in templates (`#lien#`).
#[uniffi::export]
pub fn merge_field_token(field: MergeField) -> crate::Result<String> {
    crate::call(|| Ok(field.token().to_string()))
}

/// The core's record, with its uniffi derive (Kotlin: `dev.portail.contract.Template`, aliased
/// in `dev.portail`).
pub use portail::Template;

/// The templates of a portal (`portal.templates()`).
#[derive(uniffi::Object)]
pub struct Templates {
    pub(crate) portal: crate::Handle,
}

#[uniffi::export]
impl Templates {
    /// The template in use (the stored one, or the shipped default with version 0).
    pub fn get(&self, audience: Audience, purpose: TemplatePurpose) -> crate::Result<Template> {
        self.portal.call(|p| p.templates().get(audience, purpose))
    }

    /// Save a template; `PortailException.InvalidInput` (field `subject` or `body`) for an
    /// unknown or unavailable merge field.
    pub fn save(&self, template: Template) -> crate::Result<Template> {
        self.portal.call(|p| p.templates().save(template))
    }

    /// The merge fields a template of this purpose may use.
    pub fn fields(&self, purpose: TemplatePurpose) -> crate::Result<Vec<MergeField>> {
        self.portal
            .call(|p| Ok(p.templates().fields(purpose).to_vec()))
    }
}
