//! Notification templates ("modèle de notification"): a subject and a body with merge fields
//! ("champs de fusion") such as `#document#`, `#lien#`, `#société#`, `#domaine#`.

use crate::error::Result;
use crate::records::audience::Audience;

pub use crate::records::template::*;

/// The notification templates of a portal: `portal.templates()`.
#[derive(Debug, Clone, Copy)]
pub struct Templates<'a> {
    pub(crate) portal: &'a crate::operations::Portal,
}

impl Templates<'_> {
    /// The template in force: the saved one, or the shipped default (version 0) in the
    /// tenant's language.
    pub fn get(&self, audience: Audience, purpose: TemplatePurpose) -> Result<Template> {
        let p = self.portal;
        let stored = p
            .store
            .templates(&p.tenant, audience)?
            .into_iter()
            .find(|t| t.purpose == purpose);
        match stored {
            Some(t) => Ok(t),
            None => Ok(Template::default_for(
                audience,
                purpose,
                p.settings()?.language,
            )),
        }
    }

    /// Save a template after checking its merge fields (an unknown or disallowed field is an
    /// `invalid_input` naming `subject` or `body`; so is a secret in the subject:
    /// `#mot_de_passe#`, or `#lien#` of a reset or invitation, which carries a live token).
    /// Pass the template as read (its version).
    pub fn save(&self, template: Template) -> Result<Template> {
        template.compile()?;
        let p = self.portal;
        p.store.commit(
            &p.tenant,
            &[crate::store::Change::Template(template.clone())],
        )?;
        Ok(Template {
            version: template.version + 1,
            ..template
        })
    }

    /// The merge fields available in a template of `purpose`.
    pub fn fields(&self, purpose: TemplatePurpose) -> &'static [MergeField] {
        purpose.fields()
    }
}
