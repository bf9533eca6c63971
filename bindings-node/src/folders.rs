//! Folders ("GED, répertoire") and their portal flags: shared, signature, notify.

use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::config::Audience;
use crate::error::guard;
use crate::input::Arg;
use crate::parties::EmailRole;

pub use portail::SignaturePlacement;

pub use portail::LinkTarget;

/// A document folder of an audience's tree.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct Folder {
    /// Set by the portal (empty when adding).
    pub id: Option<String>,
    pub audience: Audience,
    /// Path in the tree, e.g. `A signer/Contrats`.
    pub path: String,
    /// Label shown on the portal.
    pub label: String,
    /// "Portail" ticked: shows on the portal (default true).
    pub shared: Option<bool>,
    /// Signing folder: where the signature goes.
    pub signature: Option<SignaturePlacement>,
    /// "Notification" ticked (default false).
    pub notify: Option<bool>,
    /// "Notifier sur" (default `main`).
    pub notify_on: Option<EmailRole>,
    /// "Lien vers" (default `portal_home`).
    pub link: Option<LinkTarget>,
    /// Optimistic version (0 = never stored).
    pub version: Option<i64>,
}

object_input!(Folder {
    id,
    audience,
    path,
    label,
    shared,
    signature,
    notify,
    notifyOn,
    link,
    version
});

impl From<Folder> for portail::ffi::FolderInput {
    fn from(f: Folder) -> Self {
        portail::ffi::FolderInput {
            id: f.id,
            audience: f.audience,
            path: f.path,
            label: f.label,
            shared: f.shared,
            signature: f.signature,
            notify: f.notify,
            notify_on: f.notify_on,
            link: f.link,
            version: f.version,
        }
    }
}

impl From<portail::Folder> for Folder {
    fn from(f: portail::Folder) -> Self {
        Folder {
            id: Some(f.id),
            audience: f.audience,
            path: f.path,
            label: f.label,
            shared: Some(f.shared),
            signature: f.signature,
            notify: Some(f.notify),
            notify_on: Some(f.notify_on),
            link: Some(f.link),
            version: Some(f.version as i64),
        }
    }
}

/// The folder trees: `portal.folders()`.
#[napi]
pub struct Folders {
    pub(crate) portal: Arc<portail::Portal>,
}

#[napi]
impl Folders {
    /// The folders of an audience.
    #[napi]
    pub fn list(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "Audience")] audience: Arg<Audience>,
    ) -> Result<Vec<Folder>> {
        guard(env, || {
            let audience = audience.get("audience")?;
            Ok(self
                .portal
                .folders()
                .list(audience)?
                .into_iter()
                .map(Into::into)
                .collect())
        })
    }

    /// A folder by path, or by label when unique.
    #[napi]
    pub fn get(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "Audience")] audience: Arg<Audience>,
        #[napi(ts_arg_type = "string")] reference: Arg<String>,
    ) -> Result<Folder> {
        guard(env, || {
            let (audience, reference) = args!(audience, reference)?;
            self.portal
                .folders()
                .get(audience, &reference)
                .map(Into::into)
        })
    }

    /// Add a folder (its path must be new).
    #[napi]
    pub fn add(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "Folder")] folder: Arg<Folder>,
    ) -> Result<Folder> {
        guard(env, || {
            let folder = folder.get("folder")?;
            self.portal
                .folders()
                .add(portail::ffi::FolderInput::from(folder).into_folder()?)
                .map(Into::into)
        })
    }

    /// Change a folder read earlier (optimistic on its version).
    #[napi]
    pub fn update(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "Folder")] folder: Arg<Folder>,
    ) -> Result<Folder> {
        guard(env, || {
            let folder = folder.get("folder")?;
            self.portal
                .folders()
                .update(portail::ffi::FolderInput::from(folder).into_folder()?)
                .map(Into::into)
        })
    }

    /// Remove an empty folder (`invalid_state` if it holds documents).
    #[napi]
    pub fn remove(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "Audience")] audience: Arg<Audience>,
        #[napi(ts_arg_type = "string")] reference: Arg<String>,
    ) -> Result<()> {
        guard(env, || {
            let (audience, reference) = args!(audience, reference)?;
            self.portal.folders().remove(audience, &reference)
        })
    }
}
