//! Notification templates ("modèle de notification"): a subject and a body with merge fields
//! ("champs de fusion") such as `#document#`, `#lien#`, `#société#`, `#domaine#`.
//!
//! A template is parsed once into pieces when it is saved; an unknown field is rejected then,
//! never discovered when mailing. Rendering fills the pieces; values holding CR or LF are
//! flattened to spaces in the subject so nothing can be injected into a header.

use serde::{Deserialize, Serialize};

use super::audience::Audience;
use super::settings::Language;
use crate::error::{Error, Result};

/// What a template is for. One template per audience and purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "napi", napi_derive::napi(string_enum = "snake_case"))]
pub enum TemplatePurpose {
    /// A document was published ("Email d'avertissement de la disponibilité").
    DocumentAvailable,
    /// A portal login and password ("Email indiquant les codes d'accès").
    AccessCredentials,
    /// A forgotten-password link.
    PasswordReset,
    /// An invitation to set one's own password (seed 004).
    Invitation,
    /// Back-office notice that a document was signed on the portal.
    SignatureReceived,
}

impl TemplatePurpose {
    /// Every purpose.
    pub const ALL: [TemplatePurpose; 5] = [
        TemplatePurpose::DocumentAvailable,
        TemplatePurpose::AccessCredentials,
        TemplatePurpose::PasswordReset,
        TemplatePurpose::Invitation,
        TemplatePurpose::SignatureReceived,
    ];

    /// Stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            TemplatePurpose::DocumentAvailable => "document_available",
            TemplatePurpose::AccessCredentials => "access_credentials",
            TemplatePurpose::PasswordReset => "password_reset",
            TemplatePurpose::Invitation => "invitation",
            TemplatePurpose::SignatureReceived => "signature_received",
        }
    }

    /// The merge fields a template of this purpose may use.
    ///
    /// ```
    /// use portail::{TemplatePurpose, MergeField};
    /// assert!(TemplatePurpose::AccessCredentials.fields().contains(&MergeField::Password));
    /// assert!(!TemplatePurpose::DocumentAvailable.fields().contains(&MergeField::Password));
    /// ```
    pub fn fields(self) -> &'static [MergeField] {
        use MergeField::*;
        match self {
            TemplatePurpose::DocumentAvailable | TemplatePurpose::SignatureReceived => {
                &[Document, Link, Company, Domain, Name, Identifier, Date]
            }
            TemplatePurpose::AccessCredentials => {
                &[Link, Company, Domain, Name, Identifier, Date, Password]
            }
            TemplatePurpose::PasswordReset | TemplatePurpose::Invitation => {
                &[Link, Company, Domain, Name, Identifier, Date]
            }
        }
    }
}

/// A merge field ("champ de fusion").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum MergeField {
    /// `#document#`: the document's name.
    Document,
    /// `#lien#`: the link built from the folder's "Lien vers" (or the reset/invitation link).
    Link,
    /// `#société#`: the tenant's company name.
    Company,
    /// `#domaine#`: the tenant's domain.
    Domain,
    /// `#nom#`: the party's name.
    Name,
    /// `#identifiant#`: the party's portal identifier.
    Identifier,
    /// `#date#`: the date of the event, DD/MM/YYYY in the tenant's time zone.
    Date,
    /// `#mot_de_passe#`: the password, only in the credentials template.
    Password,
}

impl MergeField {
    /// Every field.
    pub const ALL: [MergeField; 8] = [
        MergeField::Document,
        MergeField::Link,
        MergeField::Company,
        MergeField::Domain,
        MergeField::Name,
        MergeField::Identifier,
        MergeField::Date,
        MergeField::Password,
    ];

    /// The token as written in templates, e.g. `#société#`.
    pub fn token(self) -> &'static str {
        match self {
            MergeField::Document => "#document#",
            MergeField::Link => "#lien#",
            MergeField::Company => "#société#",
            MergeField::Domain => "#domaine#",
            MergeField::Name => "#nom#",
            MergeField::Identifier => "#identifiant#",
            MergeField::Date => "#date#",
            MergeField::Password => "#mot_de_passe#",
        }
    }

    fn from_name(name: &str) -> Option<MergeField> {
        Some(match name {
            "document" => MergeField::Document,
            "lien" => MergeField::Link,
            "société" | "societe" => MergeField::Company,
            "domaine" => MergeField::Domain,
            "nom" => MergeField::Name,
            "identifiant" => MergeField::Identifier,
            "date" => MergeField::Date,
            "mot_de_passe" => MergeField::Password,
            _ => return None,
        })
    }
}

/// The values merged into a template. Missing values render as empty text.
#[derive(Debug, Clone, Default)]
pub struct MergeValues<'a> {
    /// `#document#`: the document's file name.
    pub document: Option<&'a str>,
    /// `#lien#`: the link to the document or the portal.
    pub link: Option<&'a str>,
    /// `#société#`: the company name.
    pub company: Option<&'a str>,
    /// `#domaine#`: the tenant's domain.
    pub domain: Option<&'a str>,
    /// `#nom#`: the party's name.
    pub name: Option<&'a str>,
    /// `#identifiant#`: the account's identifier.
    pub identifier: Option<&'a str>,
    /// `#date#`: today in the tenant's time zone (DD/MM/YYYY).
    pub date: Option<&'a str>,
    /// `#mot_de_passe#`: the password (credentials e-mails only).
    pub password: Option<&'a str>,
}

impl MergeValues<'_> {
    fn get(&self, field: MergeField) -> &str {
        match field {
            MergeField::Document => self.document,
            MergeField::Link => self.link,
            MergeField::Company => self.company,
            MergeField::Domain => self.domain,
            MergeField::Name => self.name,
            MergeField::Identifier => self.identifier,
            MergeField::Date => self.date,
            MergeField::Password => self.password,
        }
        .unwrap_or("")
    }
}

/// Longest template subject, in characters, before merge fields are filled in (the header
/// line stays well under RFC 5322's 998 characters once they are, and is encoded by the mailer).
pub const SUBJECT_MAX: usize = 255;
/// Longest template body, in characters.
pub const BODY_MAX: usize = 100_000;

/// A stored template of one audience and purpose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Template {
    /// The portal it serves.
    pub audience: Audience,
    /// What it is for.
    pub purpose: TemplatePurpose,
    /// One line; merge fields allowed.
    pub subject: String,
    /// Plain text; merge fields allowed.
    pub body: String,
    /// Optimistic version (0 = never stored; a shipped default).
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default = 0))]
    pub version: u64,
}

impl Template {
    /// A template; check it with [`Template::compile`].
    pub fn new(
        audience: Audience,
        purpose: TemplatePurpose,
        subject: impl Into<String>,
        body: impl Into<String>,
    ) -> Self {
        Template {
            audience,
            purpose,
            subject: subject.into(),
            body: body.into(),
            version: 0,
        }
    }

    /// Parse subject and body; an unknown or disallowed merge field is an `invalid_input` error
    /// naming `subject` or `body`.
    ///
    /// ```
    /// use portail::{Template, TemplatePurpose, Audience, MergeValues};
    /// let t = Template::new(Audience::Client, TemplatePurpose::DocumentAvailable,
    ///     "#société# : #document#", "Bonjour #nom#, voir #lien#");
    /// let c = t.compile().unwrap();
    /// let v = MergeValues { company: Some("ACME"), document: Some("FA-1.pdf"),
    ///     name: Some("MOI MEME"), link: Some("https://x"), ..Default::default() };
    /// assert_eq!(c.render_subject(&v), "ACME : FA-1.pdf");
    /// assert_eq!(c.render_body(&v), "Bonjour MOI MEME, voir https://x");
    ///
    /// let bad = Template::new(Audience::Client, TemplatePurpose::DocumentAvailable, "#prix#", "");
    /// assert_eq!(bad.compile().unwrap_err().field(), Some("subject"));
    /// ```
    pub fn compile(&self) -> Result<CompiledTemplate> {
        crate::ensure_input!(
            !self.subject.contains(['\r', '\n']),
            "subject",
            "must be one line"
        );
        crate::ensure_input!(
            !self.subject.trim().is_empty(),
            "subject",
            "must not be empty"
        );
        crate::ensure_input!(
            !self.subject.chars().any(char::is_control),
            "subject",
            "must not contain control characters"
        );
        crate::ensure_input!(
            self.subject.chars().count() <= SUBJECT_MAX,
            "subject",
            "longer than {SUBJECT_MAX} characters"
        );
        crate::ensure_input!(
            self.body.chars().count() <= BODY_MAX,
            "body",
            "longer than {BODY_MAX} characters"
        );
        let allowed = self.purpose.fields();
        let subject = parse(&self.subject, allowed, self.purpose)
            .map_err(|r| Error::invalid("subject", r))?;
        // The subject is never redacted (it shows in every history and mail client list):
        // no password, and no link that carries a live token.
        let secret = |f: &MergeField| {
            *f == MergeField::Password
                || (*f == MergeField::Link
                    && matches!(
                        self.purpose,
                        TemplatePurpose::PasswordReset | TemplatePurpose::Invitation
                    ))
        };
        if let Some(f) = subject.iter().find_map(|p| match p {
            Piece::Field(f) if secret(f) => Some(*f),
            _ => None,
        }) {
            return Err(Error::invalid(
                "subject",
                format!(
                    "{} carries a secret and may only appear in the body",
                    f.token()
                ),
            ));
        }
        Ok(CompiledTemplate {
            subject,
            body: parse(&self.body, allowed, self.purpose)
                .map_err(|r| Error::invalid("body", r))?,
        })
    }

    /// The shipped default of `audience` and `purpose` in `language`.
    pub fn default_for(audience: Audience, purpose: TemplatePurpose, language: Language) -> Self {
        let (subject, body) = default_text(audience, purpose, language);
        Template::new(audience, purpose, subject, body)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Field(MergeField),
}

/// A parsed template, ready to render many times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompiledTemplate {
    subject: Vec<Piece>,
    body: Vec<Piece>,
}

impl CompiledTemplate {
    /// Render the subject: one line, CR/LF in values become spaces.
    pub fn render_subject(&self, values: &MergeValues<'_>) -> String {
        let mut out = String::with_capacity(96);
        for piece in &self.subject {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Field(f) => {
                    let v = values.get(*f);
                    if v.contains(['\r', '\n']) {
                        out.extend(
                            v.chars()
                                .map(|c| if c == '\r' || c == '\n' { ' ' } else { c }),
                        );
                    } else {
                        out.push_str(v);
                    }
                }
            }
        }
        out
    }

    /// Render the body.
    pub fn render_body(&self, values: &MergeValues<'_>) -> String {
        let mut out = String::with_capacity(512);
        for piece in &self.body {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Field(f) => out.push_str(values.get(*f)),
            }
        }
        out
    }

    /// Whether the body uses `field`.
    pub fn uses(&self, field: MergeField) -> bool {
        self.subject
            .iter()
            .chain(&self.body)
            .any(|p| *p == Piece::Field(field))
    }
}

fn is_field_char(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn parse(
    text: &str,
    allowed: &[MergeField],
    purpose: TemplatePurpose,
) -> std::result::Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let mut rest = text;
    while let Some(start) = rest.find('#') {
        let after = &rest[start + 1..];
        let name_len = after
            .char_indices()
            .find(|(_, c)| !is_field_char(*c))
            .map(|(i, _)| i)
            .unwrap_or(after.len());
        let name = &after[..name_len];
        let closes = after[name_len..].starts_with('#');
        if name_len > 0 && closes && name.starts_with(|c: char| c.is_alphabetic()) {
            let field = MergeField::from_name(&name.to_lowercase())
                .ok_or_else(|| format!("unknown merge field #{name}#"))?;
            if !allowed.contains(&field) {
                return Err(format!(
                    "merge field {} is not available in a {} template",
                    field.token(),
                    purpose.as_str()
                ));
            }
            literal.push_str(&rest[..start]);
            if !literal.is_empty() {
                pieces.push(Piece::Text(std::mem::take(&mut literal)));
            }
            pieces.push(Piece::Field(field));
            rest = &after[name_len + 1..];
        } else {
            literal.push_str(&rest[..=start]);
            rest = after;
        }
    }
    literal.push_str(rest);
    if !literal.is_empty() {
        pieces.push(Piece::Text(literal));
    }
    Ok(pieces)
}

fn default_text(
    audience: Audience,
    purpose: TemplatePurpose,
    language: Language,
) -> (&'static str, &'static str) {
    use TemplatePurpose::*;
    match (language, purpose, audience) {
        (Language::French, DocumentAvailable, Audience::Client) => (
            "#société# : un nouveau document est disponible",
            "Bonjour #nom#,\n\nLe document « #document# » est disponible sur votre espace client #société#.\n\nPour le consulter : #lien#\n\nCordialement,\n#société#\n",
        ),
        (Language::French, DocumentAvailable, Audience::Employee) => (
            "#société# : un nouveau document est disponible",
            "Bonjour #nom#,\n\nLe document « #document# » est disponible sur votre espace salarié #société#.\n\nPour le consulter : #lien#\n\nCordialement,\n#société#\n",
        ),
        (Language::French, AccessCredentials, _) => (
            "#société# : vos codes d'accès au portail",
            "Bonjour #nom#,\n\nVotre accès au portail #société# est ouvert.\n\nAdresse : #lien#\nIdentifiant : #identifiant#\nMot de passe : #mot_de_passe#\n\nVous pourrez personnaliser votre mot de passe après votre première connexion.\n\nCordialement,\n#société#\n",
        ),
        (Language::French, PasswordReset, _) => (
            "#société# : réinitialisation de votre mot de passe",
            "Bonjour #nom#,\n\nPour choisir un nouveau mot de passe pour l'identifiant #identifiant#, ouvrez ce lien : #lien#\n\nSi vous n'êtes pas à l'origine de cette demande, ignorez ce message.\n\nCordialement,\n#société#\n",
        ),
        (Language::French, Invitation, _) => (
            "#société# vous invite sur son portail",
            "Bonjour #nom#,\n\n#société# vous invite à créer votre accès au portail (identifiant : #identifiant#).\n\nChoisissez votre mot de passe ici : #lien#\n\nCordialement,\n#société#\n",
        ),
        (Language::French, SignatureReceived, _) => (
            "Document signé : #document#",
            "Le document « #document# » a été signé sur le portail par #nom# (#identifiant#) le #date#.\n\n#lien#\n",
        ),
        (Language::English, DocumentAvailable, _) => (
            "#société#: a new document is available",
            "Hello #nom#,\n\nThe document \"#document#\" is available on your #société# portal.\n\nOpen it here: #lien#\n\nKind regards,\n#société#\n",
        ),
        (Language::English, AccessCredentials, _) => (
            "#société#: your portal access",
            "Hello #nom#,\n\nYour #société# portal access is ready.\n\nAddress: #lien#\nIdentifier: #identifiant#\nPassword: #mot_de_passe#\n\nYou can change your password after your first login.\n\nKind regards,\n#société#\n",
        ),
        (Language::English, PasswordReset, _) => (
            "#société#: reset your password",
            "Hello #nom#,\n\nTo choose a new password for #identifiant#, open this link: #lien#\n\nIf you did not ask for this, ignore this message.\n\nKind regards,\n#société#\n",
        ),
        (Language::English, Invitation, _) => (
            "#société# invites you to its portal",
            "Hello #nom#,\n\n#société# invites you to its portal (identifier: #identifiant#).\n\nChoose your password here: #lien#\n\nKind regards,\n#société#\n",
        ),
        (Language::English, SignatureReceived, _) => (
            "Document signed: #document#",
            "The document \"#document#\" was signed on the portal by #nom# (#identifiant#) on #date#.\n\n#lien#\n",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_compiles() {
        for lang in [Language::French, Language::English] {
            for a in Audience::ALL {
                for p in TemplatePurpose::ALL {
                    let t = Template::default_for(a, p, lang);
                    let c = t.compile().unwrap_or_else(|e| panic!("{a:?} {p:?}: {e}"));
                    assert!(c.uses(MergeField::Link) || p == TemplatePurpose::SignatureReceived);
                }
            }
        }
    }

    #[test]
    fn password_only_in_credentials() {
        let t = Template::new(
            Audience::Client,
            TemplatePurpose::PasswordReset,
            "x",
            "#mot_de_passe#",
        );
        let e = t.compile().unwrap_err();
        assert_eq!(e.field(), Some("body"));
        assert!(e.to_string().contains("#mot_de_passe#"), "{e}");
        let t = Template::new(
            Audience::Client,
            TemplatePurpose::AccessCredentials,
            "x",
            "#mot_de_passe#",
        );
        t.compile().unwrap();
    }

    #[test]
    fn hashes_that_are_not_fields_stay_text() {
        let t = Template::new(
            Audience::Client,
            TemplatePurpose::DocumentAvailable,
            "Facture #12 #document#",
            "# ## #a b# ##nom##",
        );
        let c = t.compile().unwrap();
        let v = MergeValues {
            document: Some("D"),
            name: Some("N"),
            ..Default::default()
        };
        assert_eq!(c.render_subject(&v), "Facture #12 D");
        assert_eq!(c.render_body(&v), "# ## #a b# #N#");
    }

    #[test]
    fn unknown_field_named() {
        let t = Template::new(
            Audience::Client,
            TemplatePurpose::DocumentAvailable,
            "ok",
            "Hello #prenom#",
        );
        let e = t.compile().unwrap_err();
        assert!(e.to_string().contains("#prenom#"));
    }

    #[test]
    fn subject_values_cannot_inject_headers() {
        let t = Template::new(
            Audience::Client,
            TemplatePurpose::DocumentAvailable,
            "Doc #document#",
            "#document#",
        );
        let c = t.compile().unwrap();
        let v = MergeValues {
            document: Some("a\r\nBcc: evil@x.y"),
            ..Default::default()
        };
        assert_eq!(c.render_subject(&v), "Doc a  Bcc: evil@x.y");
        assert!(c.render_body(&v).contains('\n'));
    }

    #[test]
    fn subject_must_be_one_line() {
        let t = Template::new(
            Audience::Client,
            TemplatePurpose::DocumentAvailable,
            "a\nb",
            "",
        );
        assert_eq!(t.compile().unwrap_err().field(), Some("subject"));
    }

    #[test]
    fn accent_free_spelling_accepted() {
        let t = Template::new(
            Audience::Client,
            TemplatePurpose::DocumentAvailable,
            "#societe#",
            "#SOCIÉTÉ#",
        );
        let c = t.compile().unwrap();
        let v = MergeValues {
            company: Some("ACME"),
            ..Default::default()
        };
        assert_eq!(c.render_subject(&v), "ACME");
        assert_eq!(c.render_body(&v), "ACME");
    }
}
