//! Document folders ("GED", "répertoires") per audience, with the portal flags of seed 000:
//! Portail, Signature (à gauche / à droite), Notification, Notifier sur, Lien vers.

use serde::{Deserialize, Serialize};

use super::audience::Audience;
use super::party::EmailRole;
use super::text::validate_line;
use crate::error::{Error, Result};

/// Where the portal signature is stamped ("colonne Signature": à gauche / à droite).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "napi", napi_derive::napi(string_enum = "snake_case"))]
pub enum SignaturePlacement {
    /// "à gauche": bottom-left of the last page.
    Left,
    /// "à droite": bottom-right of the last page.
    Right,
}

/// Where a notification's link points ("Lien vers").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "napi", napi_derive::napi(string_enum = "snake_case"))]
pub enum LinkTarget {
    /// "L'espace client / salarié du portail": the portal's home.
    PortalHome,
    /// "Téléchargement du document": opens the document at once.
    Download,
    /// "Devis": every quote on the portal.
    Quotes,
    /// "Relevé de compte": every invoice on the portal.
    AccountStatement,
    /// "Bulletins": every payslip on the portal.
    Payslips,
}

impl LinkTarget {
    /// The link for a document `document_id` on a portal at `base_url` (no trailing slash).
    ///
    /// ```
    /// use portail::LinkTarget;
    /// assert_eq!(LinkTarget::Download.link("https://x.fr/clients", "d1"),
    ///            "https://x.fr/clients/documents/d1");
    /// assert_eq!(LinkTarget::AccountStatement.link("https://x.fr/clients", "d1"),
    ///            "https://x.fr/clients/account-statement");
    /// ```
    pub fn link(self, base_url: &str, document_id: &str) -> String {
        match self {
            LinkTarget::PortalHome => base_url.to_string(),
            LinkTarget::Download => format!("{base_url}/documents/{document_id}"),
            LinkTarget::Quotes => format!("{base_url}/quotes"),
            LinkTarget::AccountStatement => format!("{base_url}/account-statement"),
            LinkTarget::Payslips => format!("{base_url}/payslips"),
        }
    }
}

/// A document folder of an audience's tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Folder {
    /// Stable id: documents keep pointing at the folder when it is renamed.
    #[cfg_attr(feature = "uniffi", uniffi(default = ""))]
    pub id: String,
    /// Which tree the folder belongs to.
    pub audience: Audience,
    /// Path in the tree, segments separated by `/` ("Chemin"), unique per audience.
    pub path: String,
    /// Label shown on the portal ("Désignation").
    pub label: String,
    /// "Portail": the folder shows on the portal.
    #[cfg_attr(feature = "uniffi", uniffi(default = true))]
    pub shared: bool,
    /// "Signature": documents here await a portal signature, stamped on this side.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub signature: Option<SignaturePlacement>,
    /// "Notification": publishing here queues a notification.
    #[cfg_attr(feature = "uniffi", uniffi(default = false))]
    pub notify: bool,
    /// "Notifier sur": which of the party's addresses gets it.
    pub notify_on: EmailRole,
    /// "Lien vers": where the notification's link points.
    pub link: LinkTarget,
    /// Optimistic version (0 = never stored).
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default = 0))]
    pub version: u64,
}

impl Folder {
    /// A shared folder with no signature, no notification, linking to the portal's home.
    pub fn new(audience: Audience, path: impl Into<String>, label: impl Into<String>) -> Self {
        Folder {
            id: String::new(),
            audience,
            path: path.into(),
            label: label.into(),
            shared: true,
            signature: None,
            notify: false,
            notify_on: EmailRole::Main,
            link: LinkTarget::PortalHome,
            version: 0,
        }
    }

    /// Set "Portail".
    pub fn shared(mut self, shared: bool) -> Self {
        self.shared = shared;
        self
    }

    /// Set the signature side.
    pub fn signature(mut self, placement: Option<SignaturePlacement>) -> Self {
        self.signature = placement;
        self
    }

    /// Turn notification on, to the address of `role`, with a link to `link`.
    pub fn notify(mut self, role: EmailRole, link: LinkTarget) -> Self {
        self.notify = true;
        self.notify_on = role;
        self.link = link;
        self
    }

    /// Set the link target without turning notification on.
    pub fn link(mut self, link: LinkTarget) -> Self {
        self.link = link;
        self
    }

    /// Check path and label.
    pub fn validate(&self) -> Result<()> {
        validate_path(&self.path)?;
        validate_line(&self.label, LABEL_MAX).map_err(|r| Error::invalid("label", r))?;
        if self.audience == Audience::Employee && self.notify_on != EmailRole::Main {
            return Err(Error::invalid(
                "notify_on",
                "employees have only the main address",
            ));
        }
        Ok(())
    }
}

/// Longest folder path ("Chemin"), in characters.
pub const PATH_MAX: usize = 255;
/// Longest folder label ("Désignation"), in characters.
pub const LABEL_MAX: usize = 100;

/// Check a folder path: `/`-separated segments, none empty, none `.` or `..`, no backslash or
/// control character, at most 255 characters.
///
/// ```
/// use portail::folders::validate_path;
/// assert!(validate_path("A signer/Contrats").is_ok());
/// assert_eq!(validate_path("a/../b").unwrap_err().field(), Some("path"));
/// assert!(validate_path("a//b").is_err());
/// ```
pub fn validate_path(path: &str) -> Result<()> {
    crate::ensure_input!(
        !path.is_empty() && path.chars().count() <= PATH_MAX,
        "path",
        "must be 1..={PATH_MAX} characters"
    );
    crate::ensure_input!(
        !path.chars().any(|c| c.is_control() || c == '\\'),
        "path",
        "{path:?} contains a backslash or a control character"
    );
    for segment in path.split('/') {
        crate::ensure_input!(
            !segment.trim().is_empty(),
            "path",
            "{path:?} has an empty segment"
        );
        crate::ensure_input!(
            segment != "." && segment != "..",
            "path",
            "{path:?} contains a {segment:?} segment"
        );
        crate::ensure_input!(
            segment.trim() == segment,
            "path",
            "{path:?} has a segment with leading or trailing spaces"
        );
    }
    Ok(())
}

/// The default tree of an audience, as set up by seed 000 ("répertoires initialisés par défaut").
///
/// Clients: `Contrats à signer` (signature right, notify, link to the download),
/// `Devis à signer` (signature right, notify on the quotes address, link to quotes),
/// `Contrats`, `Devis` (quotes address, link to quotes), `Factures` (billing address, link to the
/// account statement). Employees, as in the seed's table: `Contrats et avenants à signer`
/// (right, download), `Avenants` (right), `Bulletins` (link to payslips), `Contrats`, `Pointages`.
/// Every default folder is shared and notifies.
pub fn default_tree(audience: Audience) -> Vec<Folder> {
    use EmailRole::{Billing, Main};
    use LinkTarget::{AccountStatement, Download, Payslips, PortalHome};
    use SignaturePlacement::Right;
    let f = |path: &str, label: &str| Folder::new(audience, path, label);
    match audience {
        Audience::Client => vec![
            f("A signer/Contrats", "Contrats à signer")
                .signature(Some(Right))
                .notify(Main, Download),
            f("A signer/Devis", "Devis à signer")
                .signature(Some(Right))
                .notify(EmailRole::Quotes, LinkTarget::Quotes),
            f("Contrats", "Contrats").notify(Main, PortalHome),
            f("Devis", "Devis").notify(EmailRole::Quotes, LinkTarget::Quotes),
            f("Factures", "Factures").notify(Billing, AccountStatement),
        ],
        Audience::Employee => vec![
            f("A signer/Contrat", "Contrats et avenants à signer")
                .signature(Some(Right))
                .notify(Main, Download),
            f("Avenant", "Avenants")
                .signature(Some(Right))
                .notify(Main, PortalHome),
            f("Bulletins", "Bulletins").notify(Main, Payslips),
            f("Contrat", "Contrats").notify(Main, PortalHome),
            f("Pointages", "Pointages").notify(Main, PortalHome),
        ],
    }
}

/// Find a folder by path, or else by label when exactly one folder has it.
pub(crate) fn resolve<'a>(folders: &'a [Folder], reference: &str) -> Result<&'a Folder> {
    if let Some(f) = folders.iter().find(|f| f.path == reference) {
        return Ok(f);
    }
    let mut by_label = folders.iter().filter(|f| f.label == reference);
    match (by_label.next(), by_label.next()) {
        (Some(f), None) => Ok(f),
        (Some(_), Some(_)) => Err(Error::invalid(
            "folder",
            format!("label {reference:?} is ambiguous; use the path"),
        )),
        _ => Err(Error::not_found("folder", reference)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_trees_match_seed_000() {
        let c = default_tree(Audience::Client);
        let labels: Vec<_> = c.iter().map(|f| f.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "Contrats à signer",
                "Devis à signer",
                "Contrats",
                "Devis",
                "Factures"
            ]
        );
        let factures = resolve(&c, "Factures").unwrap();
        assert_eq!(factures.notify_on, EmailRole::Billing);
        assert_eq!(factures.link, LinkTarget::AccountStatement);
        assert_eq!(
            resolve(&c, "Contrats à signer").unwrap().signature,
            Some(SignaturePlacement::Right)
        );
        let e = default_tree(Audience::Employee);
        let rows: Vec<_> = e
            .iter()
            .map(|f| (f.label.as_str(), f.signature.is_some(), f.link))
            .collect();
        assert_eq!(
            rows,
            [
                ("Contrats et avenants à signer", true, LinkTarget::Download),
                ("Avenants", true, LinkTarget::PortalHome),
                ("Bulletins", false, LinkTarget::Payslips),
                ("Contrats", false, LinkTarget::PortalHome),
                ("Pointages", false, LinkTarget::PortalHome),
            ]
        );
        for f in c.iter().chain(&e) {
            f.validate().unwrap();
            assert!(f.shared && f.notify);
        }
    }

    #[test]
    fn paths_rejected() {
        for bad in [
            "", "/a", "a/", "a//b", "..", "a/./b", "a\\b", "a/ b", "a\nb",
        ] {
            assert_eq!(
                validate_path(bad).unwrap_err().field(),
                Some("path"),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn resolve_by_path_or_label() {
        let c = default_tree(Audience::Client);
        assert_eq!(
            resolve(&c, "A signer/Devis").unwrap().label,
            "Devis à signer"
        );
        assert_eq!(
            resolve(&c, "Devis à signer").unwrap().path,
            "A signer/Devis"
        );
        assert_eq!(resolve(&c, "Nope").unwrap_err().code(), "not_found");
    }

    #[test]
    fn employee_folders_notify_main_only() {
        let f = Folder::new(Audience::Employee, "X", "X")
            .notify(EmailRole::Billing, LinkTarget::PortalHome);
        assert_eq!(f.validate().unwrap_err().field(), Some("notify_on"));
    }
}
