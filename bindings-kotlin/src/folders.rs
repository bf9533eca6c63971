//! Folders ("GED", "arborescence") and their portal flags: mirrors of `portail::folders` and
//! the `portal.folders()` handle.

use crate::config::Audience;

/// The core's enum, with its uniffi derive (Kotlin: `dev.portail.contract.SignaturePlacement`,
/// aliased in `dev.portail`).
pub use portail::SignaturePlacement;

/// The core's enum, with its uniffi derive (Kotlin: `dev.portail.contract.LinkTarget`,
/// aliased in `dev.portail`).
pub use portail::LinkTarget;

/// The core's record, with its uniffi derive (Kotlin: `dev.portail.contract.Folder`, aliased
/// in `dev.portail`).
pub use portail::Folder;

/// A new shared folder that does not notify (main address, link to the portal home).
#[uniffi::export]
pub fn new_folder(audience: Audience, path: String, label: String) -> crate::Result<Folder> {
    crate::call(|| Ok(portail::Folder::new(audience, path, label)))
}

/// The folders of a portal (`portal.folders()`).
#[derive(uniffi::Object)]
pub struct Folders {
    pub(crate) portal: crate::Handle,
}

#[uniffi::export]
impl Folders {
    /// The folders of an audience's tree.
    pub fn list(&self, audience: Audience) -> crate::Result<Vec<Folder>> {
        self.portal.call(|p| p.folders().list(audience))
    }

    /// A folder by path, or by label when unique.
    pub fn get(&self, audience: Audience, reference: String) -> crate::Result<Folder> {
        self.portal.call(|p| p.folders().get(audience, &reference))
    }

    /// Add a folder; its path must be new in the audience.
    pub fn add(&self, folder: Folder) -> crate::Result<Folder> {
        self.portal.call(|p| p.folders().add(folder))
    }

    /// Change a folder read earlier (its flags, label or path).
    pub fn update(&self, folder: Folder) -> crate::Result<Folder> {
        self.portal.call(|p| p.folders().update(folder))
    }

    /// Remove an empty folder (`PortailException.InvalidState` if it holds documents).
    pub fn remove(&self, audience: Audience, reference: String) -> crate::Result<()> {
        self.portal
            .call(|p| p.folders().remove(audience, &reference))
    }
}
