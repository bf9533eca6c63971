//! Document folders ("GED", "répertoires") per audience, with the portal flags of seed 000:
//! Portail, Signature (à gauche / à droite), Notification, Notifier sur, Lien vers.

use crate::error::{Error, Result};
use crate::records::audience::Audience;
use crate::records::ids::new_id;

pub use crate::records::folder::*;

/// The folder trees of a portal: `portal.folders()`.
#[derive(Debug, Clone, Copy)]
pub struct Folders<'a> {
    pub(crate) portal: &'a crate::operations::Portal,
}

impl Folders<'_> {
    /// The folders of an audience, by path.
    pub fn list(&self, audience: Audience) -> Result<Vec<Folder>> {
        self.portal.folder_list(audience)
    }

    /// A folder by path (or unique label).
    pub fn get(&self, audience: Audience, reference: &str) -> Result<Folder> {
        let all = self.list(audience)?;
        resolve(&all, reference).cloned()
    }

    /// Add a folder; its path must be new in the audience.
    pub fn add(&self, folder: Folder) -> Result<Folder> {
        folder.validate()?;
        let all = self.list(folder.audience)?;
        if all.iter().any(|f| f.path == folder.path) {
            return Err(Error::invalid(
                "path",
                format!("{:?} already exists", folder.path),
            ));
        }
        let folder = Folder {
            id: new_id(),
            version: 0,
            ..folder
        };
        self.portal.store.commit(
            &self.portal.tenant,
            &[crate::store::Change::Folder(folder.clone())],
        )?;
        Ok(Folder {
            version: 1,
            ..folder
        })
    }

    /// Save a folder read earlier (rename its path or label, change its flags). Documents follow
    /// it: they point at its id.
    pub fn update(&self, folder: Folder) -> Result<Folder> {
        folder.validate()?;
        let all = self.list(folder.audience)?;
        if !all.iter().any(|f| f.id == folder.id) {
            return Err(Error::not_found("folder", &folder.path));
        }
        if all
            .iter()
            .any(|f| f.path == folder.path && f.id != folder.id)
        {
            return Err(Error::invalid(
                "path",
                format!("{:?} already exists", folder.path),
            ));
        }
        self.portal.store.commit(
            &self.portal.tenant,
            &[crate::store::Change::Folder(folder.clone())],
        )?;
        Ok(Folder {
            version: folder.version + 1,
            ..folder
        })
    }

    /// Remove an empty folder.
    pub fn remove(&self, audience: Audience, reference: &str) -> Result<()> {
        let folder = self.get(audience, reference)?;
        let count = self
            .portal
            .store
            .count_documents_in_folder(&self.portal.tenant, &folder.id)?;
        if count > 0 {
            return Err(Error::state(
                format!("folder {}", folder.path),
                format!("holds {count} document(s); only an empty folder can be removed"),
            ));
        }
        self.portal.store.commit(
            &self.portal.tenant,
            &[crate::store::Change::DeleteFolder {
                id: folder.id,
                version: folder.version,
            }],
        )
    }
}
