//! Login identifiers ("identifiant"): one normalisation for creation, login, reset and lookup,
//! so that look-alikes cannot coexist and the same person always finds the same account.
//!
//! - the identifier is stored as given after NFKC (fullwidth digits, ligatures and composed
//!   or decomposed accents all become one form);
//! - invisible characters (zero-width, soft hyphen, word joiner, variation selectors, ...) and
//!   bidirectional controls (right-to-left override, isolates, marks) are refused, as are
//!   spaces and control characters;
//! - the lookup key is the NFKC case fold of the identifier (unique per audience);
//! - identifiers people choose (given identifiers and e-mail addresses) also carry their
//!   UTS #39 confusable skeleton, unique too, so `paul@x.fr` with a Cyrillic « а » is taken.
//!   The host's client and employee codes keep no skeleton: the host decides its codes.
//!
//! Lengths count characters, never bytes: 1..=254 characters after normalisation.
//!
//! ```
//! use portail::identifiers;
//! assert_eq!(identifiers::normalize("identifier", "ＡＢＣ１２").unwrap(), "ABC12");
//! assert_eq!(identifiers::key("Straße"), "strasse");
//! assert!(identifiers::normalize("identifier", "ab\u{200B}c").is_err());
//! assert_eq!(
//!     identifiers::skeleton("p\u{0430}ul@x.fr"),
//!     identifiers::skeleton("paul@x.fr")
//! );
//! ```

use caseless::Caseless;
use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

use crate::error::{Error, Result};

/// Longest identifier, in characters after normalisation.
pub const MAX_CHARS: usize = 254;

/// Whether `c` is invisible or a bidirectional control: every format character (Cf: zero-width
/// space and joiners, soft hyphen, word joiner, byte-order mark, LRM/RLM/ALM, embeddings,
/// overrides and isolates) and the other default-ignorable code points (combining grapheme
/// joiner, Hangul fillers, Mongolian and other variation selectors, tag characters).
pub fn is_invisible(c: char) -> bool {
    c.general_category() == GeneralCategory::Format
        || matches!(
            c,
            '\u{034F}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{2060}'..='\u{206F}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FFA0}'
                | '\u{FFF0}'..='\u{FFF8}'
                | '\u{1BCA0}'..='\u{1BCA3}'
                | '\u{E0000}'..='\u{E0FFF}'
        )
}

/// Normalise an identifier as it will be stored: NFKC; refused (`invalid_input` naming `field`)
/// when empty, longer than [`MAX_CHARS`] characters, or holding spaces, control, invisible or
/// bidirectional control characters.
pub fn normalize(field: &str, raw: &str) -> Result<String> {
    if raw.chars().any(is_invisible) {
        return Err(Error::invalid(
            field,
            "must not contain invisible or bidirectional control characters",
        ));
    }
    let s: String = raw.nfkc().collect();
    let n = s.chars().count();
    crate::ensure_input!(
        (1..=MAX_CHARS).contains(&n),
        field,
        "must be 1..={MAX_CHARS} characters"
    );
    crate::ensure_input!(
        !s.chars()
            .any(|c| c.is_control() || c.is_whitespace() || is_invisible(c)),
        field,
        "must not contain spaces, control or invisible characters"
    );
    Ok(s)
}

/// The lookup key of a normalised identifier: its NFKC case fold (`Straße` -> `strasse`).
pub fn key(identifier: &str) -> String {
    identifier
        .chars()
        .nfkc()
        .default_case_fold()
        .nfkc()
        .collect()
}

/// The UTS #39 confusable skeleton of an identifier's key: two identifiers with one skeleton
/// look alike (`paul` with a Cyrillic « а », `l0` and `I0`).
pub fn skeleton(identifier: &str) -> String {
    let k = key(identifier);
    let sk: String = unicode_security::skeleton(&k).collect();
    key(&sk)
}

/// The key to look an account up with, from what a person typed at login, reset or search:
/// surrounding spaces are dropped, then [`normalize`] and [`key`]; malformed input is
/// `invalid_input` naming `identifier`.
pub fn lookup_key(raw: &str) -> Result<String> {
    Ok(key(&normalize("identifier", raw.trim())?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn look_alikes_share_a_key_or_a_skeleton() {
        let k = |s: &str| key(&normalize("identifier", s).unwrap());
        assert_eq!(k("４２"), "42");
        assert_eq!(k("Ａdmin"), k("admin"));
        assert_eq!(k("e\u{301}"), k("\u{e9}"));
        assert_eq!(k("ﬁle"), "file");
        assert_eq!(skeleton("p\u{0430}ul"), skeleton("paul"));
        for bad in [
            "a\u{200B}b",
            "a\u{00AD}b",
            "a\u{202E}b",
            "a\u{2066}b",
            "a\u{FEFF}",
            "a b",
            "",
            "a\u{0}",
        ] {
            assert!(normalize("identifier", bad).is_err(), "{bad:?}");
        }
        let long: String = "é".repeat(200);
        assert_eq!(normalize("identifier", &long).unwrap().chars().count(), 200);
        assert!(normalize("identifier", &"é".repeat(255)).is_err());
    }
}
