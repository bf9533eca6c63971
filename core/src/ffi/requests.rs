//! The rules of the requests hosts make, written once for every binding: where a document's
//! bytes and name come from, how a new account's identifier is chosen.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::records::account::IdentifierChoice;

/// Where a new account's identifier comes from when the back office gives none
/// ("Identifiant": the client code, or the e-mail).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
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
}
