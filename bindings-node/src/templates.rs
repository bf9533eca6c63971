//! Notification templates ("modèle de notification") and their merge fields.

use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::config::Audience;
use crate::error::guard;
use crate::input::Arg;

pub use portail::TemplatePurpose;

/// A merge field (`#document#`, `#lien#`, `#société#`, `#domaine#`, ...).
#[napi(object)]
pub struct MergeField {
    /// Stable name: `document`, `link`, `company`, `domain`, `name`, `identifier`, `date`, `password`.
    pub name: String,
    /// The token written in templates, e.g. `#lien#`.
    pub token: String,
}

/// A notification template: subject and body with merge fields.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct Template {
    pub audience: Audience,
    pub purpose: TemplatePurpose,
    pub subject: String,
    pub body: String,
    /// Optimistic version (0 = the shipped default).
    pub version: Option<i64>,
}

object_input!(Template {
    audience,
    purpose,
    subject,
    body,
    version
});

impl From<portail::Template> for Template {
    fn from(t: portail::Template) -> Self {
        Template {
            audience: t.audience,
            purpose: t.purpose,
            subject: t.subject,
            body: t.body,
            version: Some(t.version as i64),
        }
    }
}

impl From<Template> for portail::Template {
    fn from(t: Template) -> Self {
        let mut out = portail::Template::new(t.audience, t.purpose, t.subject, t.body);
        out.version = t.version.unwrap_or(0).max(0) as u64;
        out
    }
}

/// Notification templates: `portal.templates()`.
#[napi]
pub struct Templates {
    pub(crate) portal: Arc<portail::Portal>,
}

#[napi]
impl Templates {
    /// The template in force (saved, or the shipped default with version 0).
    #[napi]
    pub fn get(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "Audience")] audience: Arg<Audience>,
        #[napi(ts_arg_type = "TemplatePurpose")] purpose: Arg<TemplatePurpose>,
    ) -> Result<Template> {
        guard(env, || {
            let (audience, purpose) = args!(audience, purpose)?;
            self.portal
                .templates()
                .get(audience, purpose)
                .map(Into::into)
        })
    }

    /// Save a template after checking its merge fields (`invalid_input` on `subject`/`body`).
    #[napi]
    pub fn save(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "Template")] template: Arg<Template>,
    ) -> Result<Template> {
        guard(env, || {
            let template = template.get("template")?;
            self.portal
                .templates()
                .save(template.into())
                .map(Into::into)
        })
    }

    /// The merge fields available for a purpose.
    #[napi]
    pub fn fields(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "TemplatePurpose")] purpose: Arg<TemplatePurpose>,
    ) -> Result<Vec<MergeField>> {
        guard(env, || {
            let purpose = purpose.get("purpose")?;
            self.portal
                .templates()
                .fields(purpose)
                .iter()
                .map(|f| {
                    Ok(MergeField {
                        name: crate::serde_name(f)?,
                        token: f.token().to_string(),
                    })
                })
                .collect()
        })
    }
}
