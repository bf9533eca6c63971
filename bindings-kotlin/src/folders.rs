//! Folders ("GED", "arborescence") and their portal flags: mirrors of `portail::folders` and
//! the `portal.folders()` handle.

use std::sync::Arc;

use crate::config::Audience;
use crate::map_vec;
use crate::parties::EmailRole;

/// The core's enum, with its uniffi derive (Kotlin: `dev.portail.contract.SignaturePlacement`,
/// aliased in `dev.portail`).
pub use portail::SignaturePlacement;

/// The core's enum, with its uniffi derive (Kotlin: `dev.portail.contract.LinkTarget`,
/// aliased in `dev.portail`).
pub use portail::LinkTarget;

/// A document folder of an audience's tree.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Folder {
    /// Stable id (empty before the folder is added).
    #[uniffi(default = "")]
    pub id: String,
    pub audience: Audience,
    /// Slash-separated path, unique per audience (`A signer/Contrats`).
    pub path: String,
    /// Label shown on the portal.
    pub label: String,
    /// "case Portail": shown on the portal.
    #[uniffi(default = true)]
    pub shared: bool,
    /// Signing folder and where the signature goes; null = not a signing folder.
    #[uniffi(default = None)]
    pub signature: Option<SignaturePlacement>,
    /// "colonne Notification": publishing here queues a notification.
    #[uniffi(default = false)]
    pub notify: bool,
    /// "Notifier sur": which of the party's addresses gets it.
    pub notify_on: EmailRole,
    /// "Lien vers".
    pub link: LinkTarget,
    /// Optimistic version (0 = never stored).
    #[uniffi(default = 0)]
    pub version: u64,
}

impl From<portail::Folder> for Folder {
    fn from(f: portail::Folder) -> Self {
        Folder {
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

impl From<Folder> for portail::Folder {
    fn from(f: Folder) -> Self {
        portail::Folder {
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

/// A new shared folder that does not notify (main address, link to the portal home).
#[uniffi::export]
pub fn new_folder(audience: Audience, path: String, label: String) -> Folder {
    portail::Folder::new(audience, path, label).into()
}

/// The folders of a portal (`portal.folders()`).
#[derive(uniffi::Object)]
pub struct Folders {
    pub(crate) portal: Arc<portail::Portal>,
}

#[uniffi::export]
impl Folders {
    /// The folders of an audience's tree.
    pub fn list(&self, audience: Audience) -> crate::Result<Vec<Folder>> {
        Ok(map_vec(self.portal.folders().list(audience)?))
    }

    /// A folder by path, or by label when unique.
    pub fn get(&self, audience: Audience, reference: String) -> crate::Result<Folder> {
        Ok(self.portal.folders().get(audience, &reference)?.into())
    }

    /// Add a folder; its path must be new in the audience.
    pub fn add(&self, folder: Folder) -> crate::Result<Folder> {
        Ok(self.portal.folders().add(folder.into())?.into())
    }

    /// Change a folder read earlier (its flags, label or path).
    pub fn update(&self, folder: Folder) -> crate::Result<Folder> {
        Ok(self.portal.folders().update(folder.into())?.into())
    }

    /// Remove an empty folder (`PortailException.InvalidState` if it holds documents).
    pub fn remove(&self, audience: Audience, reference: String) -> crate::Result<()> {
        Ok(self.portal.folders().remove(audience, &reference)?)
    }
}
