//! The rules of the requests hosts make, written once for every binding: where a document's
//! bytes and name come from, how a new account's identifier is chosen.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::records::account::IdentifierChoice;
use crate::records::audience::Audience;
use crate::records::folder::{Folder, LinkTarget, SignaturePlacement};
use crate::records::party::EmailRole;

/// Where a new account's identifier comes from when the back office gives none
/// ("Identifiant": the client code, or the e-mail).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "napi", napi_derive::napi(string_enum = "snake_case"))]
pub enum IdentifierSource {
    /// The party's code (seed 000's default).
    #[default]
    Code,
    /// The party's main e-mail address (seed 001's default).
    Email,
}

/// The identifier of a new account: the one the back office gave wins; otherwise `from`
/// (the party code when `None`).
pub fn identifier_choice(
    identifier: Option<String>,
    from: Option<IdentifierSource>,
) -> IdentifierChoice {
    match (identifier, from.unwrap_or_default()) {
        (Some(given), _) => IdentifierChoice::Given(given),
        (None, IdentifierSource::Code) => IdentifierChoice::Code,
        (None, IdentifierSource::Email) => IdentifierChoice::Email,
    }
}

/// A document's bytes read from a file the host names, and its name: `name` if given, else
/// the file's name. A file that cannot be read is `invalid_input` naming `path` (and why); a
/// path with no file name and no `name` is `invalid_input` naming `name`.
pub fn read_document(path: &Path, name: Option<String>) -> Result<(Vec<u8>, String)> {
    let name = match name {
        Some(name) => name,
        None => path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| {
                Error::invalid(
                    "name",
                    format!("required: {} has no file name", path.display()),
                )
            })?,
    };
    let bytes = std::fs::read(path)
        .map_err(|e| Error::invalid("path", format!("cannot read {}: {e}", path.display())))?;
    Ok((bytes, name))
}

/// A folder as a host describes it to save it: what it leaves out takes the defaults of
/// [`Folder::new`] (shared, no signature, no notification, notify the main address, link to
/// the portal's home, never stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderInput {
    /// Empty or absent when adding.
    pub id: Option<String>,
    /// Which tree the folder belongs to.
    pub audience: Audience,
    /// Path in the tree ("Chemin").
    pub path: String,
    /// Label shown on the portal ("Désignation").
    pub label: String,
    /// "Portail".
    pub shared: Option<bool>,
    /// "Signature": where the signature goes.
    pub signature: Option<SignaturePlacement>,
    /// "Notification".
    pub notify: Option<bool>,
    /// "Notifier sur".
    pub notify_on: Option<EmailRole>,
    /// "Lien vers".
    pub link: Option<LinkTarget>,
    /// The version read (optimistic concurrency); a negative one is `invalid_input`.
    pub version: Option<i64>,
}

impl FolderInput {
    /// The folder to save, defaults applied.
    pub fn into_folder(self) -> Result<Folder> {
        let defaults = Folder::new(self.audience, self.path, self.label);
        Ok(Folder {
            id: self.id.unwrap_or(defaults.id),
            shared: self.shared.unwrap_or(defaults.shared),
            signature: self.signature.or(defaults.signature),
            notify: self.notify.unwrap_or(defaults.notify),
            notify_on: self.notify_on.unwrap_or(defaults.notify_on),
            link: self.link.unwrap_or(defaults.link),
            version: match self.version {
                Some(v) => {
                    u64::try_from(v).map_err(|_| Error::invalid("version", "is negative"))?
                }
                None => defaults.version,
            },
            ..defaults
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_given_identifier_wins() {
        let given = || Some("jb".to_string());
        assert_eq!(
            identifier_choice(given(), Some(IdentifierSource::Email)),
            IdentifierChoice::Given("jb".into())
        );
        assert_eq!(identifier_choice(None, None), IdentifierChoice::Code);
        assert_eq!(
            identifier_choice(None, Some(IdentifierSource::Email)),
            IdentifierChoice::Email
        );
    }

    #[test]
    fn a_document_file_gives_its_bytes_and_name() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("payslip-2026-01.pdf");
        std::fs::write(&file, b"%PDF-1.4").unwrap();
        let (bytes, name) = read_document(&file, None).unwrap();
        assert_eq!(
            (bytes.as_slice(), name.as_str()),
            (&b"%PDF-1.4"[..], "payslip-2026-01.pdf")
        );
        let (_, name) = read_document(&file, Some("January.pdf".into())).unwrap();
        assert_eq!(name, "January.pdf");
        let missing = read_document(&dir.path().join("nope.pdf"), None).unwrap_err();
        assert!(matches!(missing, Error::InvalidInput { ref field, .. } if field == "path"));
    }

    #[test]
    fn a_folder_input_takes_the_folder_defaults() {
        let input = FolderInput {
            id: None,
            audience: Audience::Client,
            path: "Factures".into(),
            label: "Factures".into(),
            shared: None,
            signature: None,
            notify: Some(true),
            notify_on: None,
            link: None,
            version: None,
        };
        let folder = input.clone().into_folder().unwrap();
        assert_eq!(
            folder,
            Folder::new(Audience::Client, "Factures", "Factures")
                .notify(EmailRole::Main, LinkTarget::PortalHome)
        );
        let negative = FolderInput {
            version: Some(-1),
            ..input
        };
        assert!(
            matches!(negative.into_folder(), Err(Error::InvalidInput { ref field, .. }) if field == "version")
        );
    }
}
