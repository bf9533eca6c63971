//! The rules of the requests hosts make, written once for every binding: where a document's
//! bytes and name come from, how a new account's identifier is chosen.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::records::account::{Generate, IdentifierChoice, Invite};
use crate::records::audience::Audience;
use crate::records::document::{DocumentKind, PaymentStatus, Publish};
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

/// A number a host passed where only zero or more makes sense (a version, a count, a limit):
/// `invalid_input` naming `field` when it is negative.
pub fn non_negative(field: &str, n: i64) -> Result<u64> {
    u64::try_from(n).map_err(|_| Error::invalid(field, format!("{n} is negative")))
}

/// [`non_negative`] for a small count (a batch size, a page size): also `invalid_input` when
/// it does not fit in 32 bits.
pub fn small_count(field: &str, n: i64) -> Result<u32> {
    u32::try_from(non_negative(field, n)?)
        .map_err(|_| Error::invalid(field, format!("{n} is too large")))
}

/// The identifier a host asks for, if it asks: the one the back office gave wins, then
/// `from`; `None` when it gave neither, so the request keeps its own default (the party code
/// for [`crate::accounts::Generate`], the e-mail for [`crate::accounts::Invite`]).
pub fn identifier_override(
    identifier: Option<String>,
    from: Option<IdentifierSource>,
) -> Option<IdentifierChoice> {
    (identifier.is_some() || from.is_some()).then(|| identifier_choice(identifier, from))
}

/// A draft account as a host asks for it: what it leaves out takes the defaults of
/// [`Generate::new`] (the party code as identifier, a random password, notified, authorised).
#[derive(Clone, PartialEq, Eq)]
pub struct GenerateInput {
    /// The portal it logs in to.
    pub audience: Audience,
    /// The party it belongs to.
    pub party_code: String,
    /// An identifier chosen by the back office (wins over `identifier_from`).
    pub identifier: Option<String>,
    /// Where the identifier comes from otherwise.
    pub identifier_from: Option<IdentifierSource>,
    /// A password chosen by the back office ("Mot de passe").
    pub password: Option<String>,
    /// "Notifier par email".
    pub notify_by_email: Option<bool>,
    /// "Accès autorisé".
    pub authorized: Option<bool>,
}

impl GenerateInput {
    /// The request, defaults applied.
    pub fn into_generate(self) -> Generate {
        let defaults = Generate::new(self.audience, self.party_code);
        Generate {
            identifier: identifier_override(self.identifier, self.identifier_from)
                .unwrap_or(defaults.identifier),
            password: self.password,
            notify_by_email: self.notify_by_email.unwrap_or(defaults.notify_by_email),
            authorized: self.authorized.unwrap_or(defaults.authorized),
            ..defaults
        }
    }
}

/// An invitation as a host asks for it: what it leaves out takes the defaults of
/// [`Invite::new`] (the e-mail as identifier, sent now).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteInput {
    /// The portal it logs in to.
    pub audience: Audience,
    /// The party invited.
    pub party_code: String,
    /// An identifier chosen by the back office (wins over `identifier_from`).
    pub identifier: Option<String>,
    /// Where the identifier comes from otherwise.
    pub identifier_from: Option<IdentifierSource>,
    /// Send the e-mail now (false: later, with `reinvite`).
    pub send_now: Option<bool>,
}

impl InviteInput {
    /// The request, defaults applied.
    pub fn into_invite(self) -> Invite {
        let defaults = Invite::new(self.audience, self.party_code);
        Invite {
            identifier: identifier_override(self.identifier, self.identifier_from)
                .unwrap_or(defaults.identifier),
            send_now: self.send_now.unwrap_or(defaults.send_now),
            ..defaults
        }
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

/// A document to publish as a host describes it: its bytes, or a file path portail reads
/// ([`read_document`]); what it leaves out takes the defaults of [`Publish::new`] (kind
/// `other`, `paid`, the content type guessed from the name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishInput {
    /// The portal to publish on.
    pub audience: Audience,
    /// The party it is for ("Code client / salarié").
    pub party_code: String,
    /// Folder path, or label when unique.
    pub folder: String,
    /// File name shown on the portal; required with `content`, the file's name by default
    /// with `path`.
    pub name: Option<String>,
    /// The bytes (give these or `path`).
    pub content: Option<Vec<u8>>,
    /// A file to read (give this or `content`).
    pub path: Option<PathBuf>,
    /// What it is.
    pub kind: Option<DocumentKind>,
    /// Paid or unpaid.
    pub payment: Option<PaymentStatus>,
    /// The host's own id: publishing twice with it returns the first document.
    pub external_id: Option<String>,
    /// Override of the content type guessed from the name.
    pub content_type: Option<String>,
}

impl PublishInput {
    /// The request to publish, the file read if a path was given (call it where blocking on
    /// the disk is fine). Both or neither of `content` and `path` is `invalid_input` naming
    /// `content`; bytes without a `name` is `invalid_input` naming `name`.
    pub fn into_publish(self) -> Result<Publish> {
        let (content, name) = match (self.content, self.path) {
            (Some(content), None) => {
                let name = self
                    .name
                    .ok_or_else(|| Error::invalid("name", "required when the content is bytes"))?;
                (content, name)
            }
            (None, Some(path)) => read_document(&path, self.name)?,
            (Some(_), Some(_)) => {
                return Err(Error::invalid("content", "give content or path, not both"))
            }
            (None, None) => return Err(Error::invalid("content", "give content or path")),
        };
        let defaults = Publish::new(self.audience, self.party_code, self.folder, name, content);
        Ok(Publish {
            kind: self.kind.unwrap_or(defaults.kind),
            payment: self.payment.unwrap_or(defaults.payment),
            external_id: self.external_id,
            content_type: self.content_type,
            ..defaults
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_numbers_are_refused_by_name() {
        assert_eq!(non_negative("version", 3).unwrap(), 3);
        assert_eq!(small_count("limit", 7).unwrap(), 7);
        for r in [
            non_negative("version", -1).map(|_| ()),
            small_count("limit", -1).map(|_| ()),
            small_count("limit", i64::MAX).map(|_| ()),
        ] {
            assert!(matches!(r, Err(Error::InvalidInput { .. })));
        }
    }

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
    fn no_identifier_asked_keeps_the_request_default() {
        assert_eq!(identifier_override(None, None), None);
        assert_eq!(
            identifier_override(None, Some(IdentifierSource::Code)),
            Some(IdentifierChoice::Code)
        );
        assert_eq!(
            identifier_override(Some("jb".into()), None),
            Some(IdentifierChoice::Given("jb".into()))
        );
    }

    #[test]
    fn account_inputs_take_their_request_defaults() {
        let generate = GenerateInput {
            audience: Audience::Client,
            party_code: "4".into(),
            identifier: None,
            identifier_from: None,
            password: None,
            notify_by_email: Some(false),
            authorized: None,
        }
        .into_generate();
        assert_eq!(
            (
                generate.identifier,
                generate.notify_by_email,
                generate.authorized
            ),
            (IdentifierChoice::Code, false, true)
        );
        let invite = InviteInput {
            audience: Audience::Client,
            party_code: "4".into(),
            identifier: None,
            identifier_from: None,
            send_now: None,
        }
        .into_invite();
        assert_eq!(
            (invite.identifier, invite.send_now),
            (IdentifierChoice::Email, true)
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
    fn a_publish_input_has_one_source_of_content() {
        let input = PublishInput {
            audience: Audience::Client,
            party_code: "4".into(),
            folder: "Factures".into(),
            name: None,
            content: Some(b"x".to_vec()),
            path: None,
            kind: None,
            payment: Some(PaymentStatus::Unpaid),
            external_id: None,
            content_type: None,
        };
        let field = |i: PublishInput| match i.into_publish() {
            Err(Error::InvalidInput { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(input.clone()), "name");
        let both = PublishInput {
            path: Some("/nowhere".into()),
            ..input.clone()
        };
        assert_eq!(field(both), "content");
        let neither = PublishInput {
            content: None,
            ..input.clone()
        };
        assert_eq!(field(neither), "content");
        let named = PublishInput {
            name: Some("n.txt".into()),
            ..input
        };
        let publish = named.into_publish().unwrap();
        assert_eq!(
            (publish.kind, publish.payment, publish.name.as_str()),
            (DocumentKind::Other, PaymentStatus::Unpaid, "n.txt")
        );
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
